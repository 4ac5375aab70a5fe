import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../lib/errors.js';
import { buildReadDiscInformation, discTypeName, parseDiscInformation } from '../../../lib/scsi/disc-information.js';

/** A complete 34-byte standard Disc Information block of a closed two-session CD-Extra. */
function cdExtraInfo(): Uint8Array {
  return Uint8Array.from([
    0x00, 0x20, // Disc Information Length = 32
    0x0e, // not erasable, last session complete (3), disc finalized (2)
    0x01, // first track on disc
    0x02, 0x04, 0x04, // sessions, first/last track in last session (LSB)
    0xa0, // DID_V, URU
    0x20, // CD-ROM XA
    0x00, 0x00, 0x00, // MSBs
    0x12, 0x34, 0x56, 0x78, // disc identification
    0xff, 0xff, 0xff, 0xff, // last session lead-in start: n/a on a closed disc
    0x00, 0x4f, 0x3b, 0x4a, // last possible lead-out start 79:59:74
    1, 2, 3, 4, 5, 6, 7, 8, // disc bar code (DBC_V = 0: not returned)
    0x00, // disc application code
    0x00, // OPC tables
  ]);
}

describe('buildReadDiscInformation', () => {
  it('builds the default CDB', () => {
    const command = buildReadDiscInformation();
    expect([...command.cdb]).toEqual([0x51, 0, 0, 0, 0, 0, 0, 0x00, 0x22, 0]);
    expect(command.direction).toBe('in');
    expect(command.dataLength).toBe(34);
  });

  it('sets the data type and allocation length', () => {
    expect([...buildReadDiscInformation({ dataType: 1, allocationLength: 0x1234 }).cdb]).toEqual([
      0x51, 0x01, 0, 0, 0, 0, 0, 0x12, 0x34, 0,
    ]);
  });

  it('rejects bad options naming the field', () => {
    expect(() => buildReadDiscInformation({ dataType: 3 })).toThrow(/"dataType"/);
    expect(() => buildReadDiscInformation({ allocationLength: 0 })).toThrow(RangeError);
    expect(() => buildReadDiscInformation({ allocationLength: '34' as unknown as number })).toThrow(TypeError);
  });
});

describe('parseDiscInformation', () => {
  it('parses a complete block', () => {
    expect(parseDiscInformation(cdExtraInfo())).toEqual({
      erasable: false,
      lastSessionState: 'complete',
      discStatus: 'finalized',
      firstTrackNumber: 1,
      numberOfSessions: 2,
      firstTrackInLastSession: 4,
      lastTrackInLastSession: 4,
      didValid: true,
      dbcValid: false,
      unrestrictedUse: true,
      dacValid: false,
      dbit: false,
      bgFormatStatus: 0,
      discType: 0x20,
      discTypeName: 'CD-ROM XA',
      discIdentification: 0x12345678,
      lastSessionLeadInStart: 0xffffffff,
      lastSessionLeadInStartMsf: { minute: 0xff, second: 0xff, frame: 0xff },
      lastPossibleLeadOutStart: 0x004f3b4a,
      lastPossibleLeadOutStartMsf: { minute: 79, second: 59, frame: 74 },
      discApplicationCode: 0,
      numberOfOpcTables: 0,
    });
  });

  it('decodes an appendable CD-RW with MSB bytes and the bar code', () => {
    const data = cdExtraInfo();
    data[2] = 0x15; // erasable, last session incomplete (1), disc incomplete (1)
    data[6] = 0x2c; // last track LSB
    data[7] = 0x47; // DBC_V, Dbit, BG format 3
    data[8] = 0x00;
    data[11] = 0x01; // last track MSB -> 0x012C = 300
    const info = parseDiscInformation(data);
    expect(info.erasable).toBe(true);
    expect(info.lastSessionState).toBe('incomplete');
    expect(info.discStatus).toBe('incomplete');
    expect(info.lastTrackInLastSession).toBe(300);
    expect(info.dbcValid).toBe(true);
    expect(info.didValid).toBe(false);
    expect(info.dbit).toBe(true);
    expect(info.bgFormatStatus).toBe(3);
    expect(info.discTypeName).toBe('CD-DA or CD-ROM');
    expect(info.discIdentification).toBeUndefined();
    expect([...(info.discBarCode ?? [])]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('maps the remaining state codes', () => {
    const data = cdExtraInfo();
    data[2] = 0x0b; // damaged (2), other (3)
    expect(parseDiscInformation(data).lastSessionState).toBe('damaged');
    expect(parseDiscInformation(data).discStatus).toBe('other');
    data[2] = 0x00;
    expect(parseDiscInformation(data).lastSessionState).toBe('empty');
    expect(parseDiscInformation(data).discStatus).toBe('empty');
  });

  it('returns only the fields the length and the received bytes cover', () => {
    const data = cdExtraInfo();
    data[1] = 18; // covers bytes 0-19
    const info = parseDiscInformation(data);
    expect(info.discIdentification).toBe(0x12345678);
    expect(info.lastSessionLeadInStart).toBe(0xffffffff);
    expect(info.lastPossibleLeadOutStart).toBeUndefined();
    expect(info.numberOfOpcTables).toBeUndefined();
    const received = parseDiscInformation(cdExtraInfo().subarray(0, 12));
    expect(received.numberOfSessions).toBe(2);
    expect(received.discIdentification).toBeUndefined();
    expect(received.lastSessionLeadInStart).toBeUndefined();
  });

  it('rejects a block shorter than 12 bytes and a non-standard data type', () => {
    expect(() => parseDiscInformation(cdExtraInfo().subarray(0, 11))).toThrow(MalformedResponseError);
    const short = cdExtraInfo();
    short[1] = 8;
    expect(() => parseDiscInformation(short)).toThrow(/needs 12 bytes, the data covers 10/);
    const resources = cdExtraInfo();
    resources[2] = 0x20;
    expect(() => parseDiscInformation(resources)).toThrow(/Data Type 1 is not standard/);
  });

  it('names the disc types', () => {
    expect([0x00, 0x10, 0x20, 0xff, 0x30].map(discTypeName)).toEqual([
      'CD-DA or CD-ROM',
      'CD-I',
      'CD-ROM XA',
      'undefined',
      'reserved',
    ]);
  });
});
