import { describe, expect, it } from 'vitest';
import {
  AbortedCommandError,
  DataProtectError,
  HardwareError,
  IllegalRequestError,
  MediumError,
  NotReadyError,
  RecoveredError,
  ScsiError,
  UnitAttentionError,
} from '../../../lib/errors.js';
import {
  cdbStartLba,
  decodeSense,
  describeSense,
  scsiErrorFromResult,
  scsiStatusName,
  senseKeyName,
} from '../../../lib/scsi/sense.js';
import type { CommandResult, ScsiCommand } from '../../../lib/transport/transport.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(hex.trim().split(/\s+/u), (h) => parseInt(h, 16));

function result(sense: string, status = 0x02): CommandResult {
  return {
    status,
    sense: sense ? bytes(sense) : new Uint8Array(0),
    data: new Uint8Array(0),
    residual: 0,
    hostStatus: 0,
    driverStatus: sense ? 8 : 0,
    durationMs: 1,
  };
}

const command = (cdb: string): ScsiCommand => ({ cdb: bytes(cdb), direction: 'in', dataLength: 2352 });

/** Fixed-format sense, 18 bytes, with the VALID bit and INFORMATION = 12345, 03/11/05. */
const MEDIUM_VALID_12345 = 'f0 00 03 00 00 30 39 0a 00 00 00 00 11 05 00 00 00 00';
const READ_CD_12345 = 'be 00 00 00 30 39 00 00 01 f8 00 00';

describe('decodeSense: fixed format', () => {
  it('decodes every field of an 18-byte current error with VALID', () => {
    expect(decodeSense(bytes(MEDIUM_VALID_12345))).toEqual({
      responseCode: 0x70,
      deferred: false,
      format: 'fixed',
      senseKey: 3,
      asc: 0x11,
      ascq: 0x05,
      information: 12345,
      filemark: false,
      endOfMedium: false,
      incorrectLength: false,
      senseKeySpecific: undefined,
      fru: 0,
    });
  });

  it('ignores INFORMATION when the VALID bit is off', () => {
    const sense = decodeSense(bytes('70 00 03 00 00 30 39 0a 00 00 00 00 11 05 00 00 00 00'));
    expect(sense?.information).toBeUndefined();
    expect(sense?.asc).toBe(0x11);
  });

  it('reads INFORMATION as unsigned 32 bits', () => {
    expect(decodeSense(bytes('f0 00 03 ff ff ff 6a 0a 00 00 00 00 11 05'))?.information).toBe(0xffffff6a);
  });

  it('marks response code 71h as deferred', () => {
    const sense = decodeSense(bytes('71 00 04 00 00 00 00 0a 00 00 00 00 44 00 00 00 00 00'));
    expect(sense?.responseCode).toBe(0x71);
    expect(sense?.deferred).toBe(true);
    expect(sense?.senseKey).toBe(4);
  });

  it('decodes the FILEMARK, EOM and ILI bits next to the sense key', () => {
    const sense = decodeSense(bytes('70 00 e5 00 00 00 00 0a 00 00 00 00 24 00 00 00 00 00'));
    expect(sense).toMatchObject({ filemark: true, endOfMedium: true, incorrectLength: true, senseKey: 5 });
  });

  it('decodes FRU and the sense-key specific bytes when SKSV is set', () => {
    const sense = decodeSense(bytes('70 00 05 00 00 00 00 0a 00 00 00 00 24 00 42 c0 00 02'));
    expect(sense?.fru).toBe(0x42);
    expect(sense?.senseKeySpecific).toBe(0x400002);
  });

  it('leaves the sense-key specific bytes out when SKSV is clear', () => {
    expect(decodeSense(bytes('70 00 05 00 00 00 00 0a 00 00 00 00 24 00 00 40 00 02'))?.senseKeySpecific).toBeUndefined();
  });

  it('does not trust ASC/ASCQ in sense shorter than 14 bytes', () => {
    const sense = decodeSense(bytes('70 00 03 00 00 00 00 0a 00 00 00 00 11'));
    expect(sense).toMatchObject({ senseKey: 3, asc: 0, ascq: 0 });
  });

  it('does not trust ASC/ASCQ beyond the additional sense length', () => {
    // byte 7 = 5: the sense ends at byte 12 even though 18 bytes arrived.
    const sense = decodeSense(bytes('70 00 03 00 00 00 00 05 00 00 00 00 11 05 00 00 00 00'));
    expect(sense).toMatchObject({ senseKey: 3, asc: 0, ascq: 0, fru: 0 });
  });

  it('trusts ASC/ASCQ in exactly 14 bytes', () => {
    expect(decodeSense(bytes('70 00 02 00 00 00 00 06 00 00 00 00 3a 01'))).toMatchObject({ asc: 0x3a, ascq: 0x01 });
  });

  it('returns undefined for empty sense, bad response codes, and sense without a key', () => {
    expect(decodeSense(new Uint8Array(0))).toBeUndefined();
    expect(decodeSense(bytes('00 00 03 00 00 00 00 0a 00 00 00 00 11 05'))).toBeUndefined();
    expect(decodeSense(bytes('7f 00 03 00 00 00 00 0a 00 00 00 00 11 05'))).toBeUndefined();
    expect(decodeSense(bytes('74 00 03 00 00 00 00 0a 00 00 00 00 11 05'))).toBeUndefined();
    expect(decodeSense(bytes('70 00'))).toBeUndefined();
  });

  it('decodes the key but no INFORMATION from a 3-byte VALID sense', () => {
    expect(decodeSense(bytes('f0 00 06'))).toMatchObject({ senseKey: 6, asc: 0, information: undefined });
  });
});

describe('decodeSense: descriptor format', () => {
  it('takes the key and codes from bytes 1-3 and walks information, SKS and FRU descriptors', () => {
    const sense = decodeSense(
      bytes(
        '72 03 11 05 00 00 00 18 ' +
          '00 0a 80 00 00 00 00 00 00 00 30 39 ' +
          '02 06 00 00 80 00 10 00 ' +
          '03 02 00 07',
      ),
    );
    expect(sense).toEqual({
      responseCode: 0x72,
      deferred: false,
      format: 'descriptor',
      senseKey: 3,
      asc: 0x11,
      ascq: 0x05,
      information: 12345,
      filemark: false,
      endOfMedium: false,
      incorrectLength: false,
      senseKeySpecific: 0x000010,
      fru: 7,
    });
  });

  it('reads the 64-bit information field', () => {
    const sense = decodeSense(bytes('72 03 11 05 00 00 00 0c 00 0a 80 00 00 00 00 01 00 00 00 02'));
    expect(sense?.information).toBe(2 ** 32 + 2);
  });

  it('ignores an information descriptor without its VALID bit', () => {
    const sense = decodeSense(bytes('72 03 11 05 00 00 00 0c 00 0a 00 00 00 00 00 00 00 00 30 39'));
    expect(sense?.information).toBeUndefined();
  });

  it('stops at a descriptor that runs past the sense', () => {
    // The information descriptor claims 10 bytes but only 6 follow.
    const sense = decodeSense(bytes('72 03 11 05 00 00 00 0c 00 0a 80 00 00 00 00 00'));
    expect(sense).toMatchObject({ senseKey: 3, asc: 0x11, information: undefined });
  });

  it('stops at the additional sense length even when more bytes arrived', () => {
    const sense = decodeSense(bytes('72 03 11 05 00 00 00 00 00 0a 80 00 00 00 00 00 00 00 30 39'));
    expect(sense?.information).toBeUndefined();
  });

  it('decodes stream and block command descriptors, and 73h as deferred', () => {
    expect(decodeSense(bytes('72 00 00 00 00 00 00 04 04 02 00 e0'))).toMatchObject({
      filemark: true,
      endOfMedium: true,
      incorrectLength: true,
    });
    expect(decodeSense(bytes('73 03 11 00 00 00 00 04 05 02 00 20'))).toMatchObject({
      deferred: true,
      incorrectLength: true,
    });
  });

  it('keeps ASC/ASCQ at 0 when the descriptor sense is shorter than 4 bytes', () => {
    expect(decodeSense(bytes('72 05 24'))).toMatchObject({ senseKey: 5, asc: 0, ascq: 0 });
    expect(decodeSense(bytes('72'))).toBeUndefined();
  });
});

describe('senseKeyName / scsiStatusName', () => {
  it('names every sense key as SPC spells it', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf].map(senseKeyName)).toEqual([
      'NO SENSE',
      'RECOVERED ERROR',
      'NOT READY',
      'MEDIUM ERROR',
      'HARDWARE ERROR',
      'ILLEGAL REQUEST',
      'UNIT ATTENTION',
      'DATA PROTECT',
      'BLANK CHECK',
      'VENDOR SPECIFIC',
      'COPY ABORTED',
      'ABORTED COMMAND',
      'EQUAL',
      'VOLUME OVERFLOW',
      'MISCOMPARE',
      'COMPLETED',
    ]);
    expect(senseKeyName(0x10)).toBe('SENSE KEY 0x10');
  });

  it('names SCSI status bytes', () => {
    expect(scsiStatusName(0x08)).toBe('BUSY');
    expect(scsiStatusName(0x18)).toBe('RESERVATION CONFLICT');
    expect(scsiStatusName(0x4a)).toBe('status 0x4A');
  });
});

describe('describeSense', () => {
  it('formats key name, ASC text and the codes as two uppercase hex digits', () => {
    expect(describeSense(decodeSense(bytes(MEDIUM_VALID_12345))!)).toBe('MEDIUM ERROR, L-EC uncorrectable error (03/11/05)');
    expect(describeSense(decodeSense(bytes('70 00 06 00 00 00 00 0a 00 00 00 00 2a 01 00 00 00 00'))!)).toBe(
      'UNIT ATTENTION, mode parameters changed (06/2A/01)',
    );
  });

  it('shows unknown codes numerically and marks deferred errors', () => {
    expect(describeSense(decodeSense(bytes('71 00 0b 00 00 00 00 0a 00 00 00 00 88 01 00 00 00 00'))!)).toBe(
      'ABORTED COMMAND, vendor specific ASC 0x88/ASCQ 0x01 (0B/88/01) [deferred]',
    );
  });
});

describe('cdbStartLba', () => {
  it('reads the LBA of READ(10), READ(12), SEEK(10) and READ CD', () => {
    expect(cdbStartLba(bytes('28 00 00 00 03 e8 00 00 10 00'))).toBe(1000);
    expect(cdbStartLba(bytes('a8 00 ff ff ff fe 00 00 00 01 00 00'))).toBe(0xfffffffe);
    expect(cdbStartLba(bytes('2b 00 00 00 00 64 00 00 00 00'))).toBe(100);
    expect(cdbStartLba(bytes(READ_CD_12345))).toBe(12345);
  });

  it('reads READ CD LBAs as signed (lead-in, pregap)', () => {
    expect(cdbStartLba(bytes('be 00 ff ff ff 6a 00 00 01 f8 00 00'))).toBe(-150);
  });

  it('converts the READ CD MSF start address', () => {
    expect(cdbStartLba(bytes('b9 00 00 01 00 00 01 00 01 f8 00 00'))).toBe(4350);
    expect(cdbStartLba(bytes('b9 00 00 00 02 00 00 02 01 f8 00 00'))).toBe(0);
    expect(cdbStartLba(bytes('b9 00 00 5a 00 00 5a 00 01 f8 00 00'))).toBe(-45150);
  });

  it('returns undefined for other commands, short CDBs and impossible MSF', () => {
    expect(cdbStartLba(bytes('12 00 00 00 60 00'))).toBeUndefined();
    expect(cdbStartLba(bytes('28 00 00 00 03 e8'))).toBeUndefined();
    expect(cdbStartLba(bytes('be 00 00 00 30 39 00 00 01 f8'))).toBeUndefined();
    expect(cdbStartLba(bytes('b9 00 00 00 02 4b 00 02 4c f8 00 00'))).toBeUndefined();
    expect(cdbStartLba(new Uint8Array(0))).toBeUndefined();
  });
});

describe('scsiErrorFromResult', () => {
  it('builds a MediumError with the INFORMATION LBA and the exact message', () => {
    const error = scsiErrorFromResult(command(READ_CD_12345), result(MEDIUM_VALID_12345));
    expect(error).toBeInstanceOf(MediumError);
    expect(error.message).toBe('READ CD (0xBE) at LBA 12345: MEDIUM ERROR, L-EC uncorrectable error (03/11/05)');
    expect(error.code).toBe('ERR_SCSI_MEDIUM');
    expect(error.opcode).toBe(0xbe);
    expect(error.commandName).toBe('READ CD');
    expect(error.status).toBe(2);
    expect(error.lba).toBe(12345);
    expect([error.senseKey, error.asc, error.ascq]).toEqual([3, 0x11, 0x05]);
    expect(Array.from(error.cdb ?? [])).toEqual(Array.from(bytes(READ_CD_12345)));
    expect(Object.keys(error)).not.toContain('cdb');
  });

  it('prefers INFORMATION over the CDB LBA', () => {
    const error = scsiErrorFromResult(
      command('be 00 00 00 30 30 00 00 20 f8 00 00'),
      result(MEDIUM_VALID_12345),
    );
    expect(error.lba).toBe(12345);
    expect(error.message).toBe('READ CD (0xBE) at LBA 12345: MEDIUM ERROR, L-EC uncorrectable error (03/11/05)');
  });

  it('ignores INFORMATION outside the range the command read (ATAPI drives report 0)', () => {
    const error = scsiErrorFromResult(
      command('28 00 00 00 08 b6 00 00 01 00'),
      result('f0 00 05 00 00 00 00 0a 00 00 00 00 21 00 00 00 00 00'),
    );
    expect(error.lba).toBe(2230);
    expect(error.message).toBe('READ(10) (0x28) at LBA 2230: ILLEGAL REQUEST, logical block address out of range (05/21/00)');
  });

  it('falls back to the READ(10) CDB LBA without VALID', () => {
    const error = scsiErrorFromResult(
      command('28 00 00 00 03 e8 00 00 10 00'),
      result('70 00 03 00 00 00 00 0a 00 00 00 00 11 00 00 00 00 00'),
    );
    expect(error).toBeInstanceOf(MediumError);
    expect(error.lba).toBe(1000);
    expect(error.message).toBe('READ(10) (0x28) at LBA 1000: MEDIUM ERROR, unrecovered read error (03/11/00)');
  });

  it('reads INFORMATION as signed for READ CD in the lead-in', () => {
    const error = scsiErrorFromResult(
      command('be 00 ff ff ff 6a 00 00 01 f8 00 00'),
      result('f0 00 03 ff ff ff 6a 0a 00 00 00 00 11 06 00 00 00 00'),
    );
    expect(error.lba).toBe(-150);
    expect(error.message).toBe('READ CD (0xBE) at LBA -150: MEDIUM ERROR, CIRC unrecovered error (03/11/06)');
  });

  it('uses the converted READ CD MSF start and the SEEK(10) LBA', () => {
    const msf = scsiErrorFromResult(
      command('b9 00 00 01 00 00 01 00 01 f8 00 00'),
      result('70 00 05 00 00 00 00 0a 00 00 00 00 64 00 00 00 00 00'),
    );
    expect(msf).toBeInstanceOf(IllegalRequestError);
    expect(msf.message).toBe('READ CD MSF (0xB9) at LBA 4350: ILLEGAL REQUEST, illegal mode for this track (05/64/00)');
    const seek = scsiErrorFromResult(
      { cdb: bytes('2b 00 00 00 00 64 00 00 00 00'), direction: 'none' },
      result('70 00 03 00 00 00 00 0a 00 00 00 00 15 01 00 00 00 00'),
    );
    expect(seek.message).toBe('SEEK(10) (0x2B) at LBA 100: MEDIUM ERROR, mechanical positioning error (03/15/01)');
    expect(seek.lba).toBe(100);
  });

  it('omits the LBA for commands without one', () => {
    const error = scsiErrorFromResult(
      { cdb: bytes('00 00 00 00 00 00'), direction: 'none' },
      result('70 00 02 00 00 00 00 0a 00 00 00 00 3a 02 00 00 00 00'),
    );
    expect(error).toBeInstanceOf(NotReadyError);
    expect(error.lba).toBeUndefined();
    expect(error.message).toBe('TEST UNIT READY (0x00): NOT READY, medium not present - tray open (02/3A/02)');
  });

  it('does not blame a deferred error on this command’s LBA', () => {
    const error = scsiErrorFromResult(
      command('28 00 00 00 03 e8 00 00 10 00'),
      result('71 00 03 00 00 00 00 0a 00 00 00 00 11 00 00 00 00 00'),
    );
    expect(error.lba).toBeUndefined();
    expect(error.message).toBe('READ(10) (0x28): MEDIUM ERROR, unrecovered read error (03/11/00) [deferred]');
  });

  it('uses a given command name', () => {
    const error = scsiErrorFromResult(command(READ_CD_12345), result(MEDIUM_VALID_12345), 'READ CD (audio)');
    expect(error.commandName).toBe('READ CD (audio)');
    expect(error.message).toBe('READ CD (audio) (0xBE) at LBA 12345: MEDIUM ERROR, L-EC uncorrectable error (03/11/05)');
  });

  it('chooses the subclass by sense key', () => {
    const cases: Array<[number, new (...args: never[]) => ScsiError, string]> = [
      [0x1, RecoveredError, 'ERR_SCSI_RECOVERED'],
      [0x2, NotReadyError, 'ERR_SCSI_NOT_READY'],
      [0x3, MediumError, 'ERR_SCSI_MEDIUM'],
      [0x4, HardwareError, 'ERR_SCSI_HARDWARE'],
      [0x5, IllegalRequestError, 'ERR_SCSI_ILLEGAL_REQUEST'],
      [0x6, UnitAttentionError, 'ERR_SCSI_UNIT_ATTENTION'],
      [0x7, DataProtectError, 'ERR_SCSI_DATA_PROTECT'],
      [0xb, AbortedCommandError, 'ERR_SCSI_ABORTED_COMMAND'],
      [0x0, ScsiError, 'ERR_SCSI'],
      [0x8, ScsiError, 'ERR_SCSI'],
      [0xe, ScsiError, 'ERR_SCSI'],
    ];
    for (const [key, ErrorClass, code] of cases) {
      const sense = `70 00 0${key.toString(16)} 00 00 00 00 0a 00 00 00 00 00 00 00 00 00 00`;
      const error = scsiErrorFromResult({ cdb: bytes('12 00 00 00 60 00'), direction: 'in' }, result(sense));
      expect(error.constructor, `sense key ${key}`).toBe(ErrorClass);
      expect(error.code).toBe(code);
    }
  });

  it('names the status when there is no sense', () => {
    const inquiry: ScsiCommand = { cdb: bytes('12 00 00 00 60 00'), direction: 'in', dataLength: 96 };
    const checkCondition = scsiErrorFromResult(inquiry, result(''));
    expect(checkCondition.constructor).toBe(ScsiError);
    expect(checkCondition.message).toBe('INQUIRY (0x12): CHECK CONDITION without sense data');
    expect(checkCondition.sense).toBeUndefined();
    expect(scsiErrorFromResult(inquiry, result('', 0x08)).message).toBe('INQUIRY (0x12): BUSY');
    expect(scsiErrorFromResult(inquiry, result('', 0x18)).message).toBe('INQUIRY (0x12): RESERVATION CONFLICT');
    // Garbage sense counts as none.
    expect(scsiErrorFromResult(inquiry, result('00 00 03')).message).toBe('INQUIRY (0x12): CHECK CONDITION without sense data');
  });

  it('still names the CDB LBA of a read that failed without sense', () => {
    const error = scsiErrorFromResult(command('28 00 00 00 03 e8 00 00 10 00'), result('', 0x08));
    expect(error.message).toBe('READ(10) (0x28) at LBA 1000: BUSY');
    expect(error.lba).toBe(1000);
  });
});
