/**
 * Sense data decoding (SPC fixed and descriptor formats; MMC-FACTS §1.5–1.7) and the ScsiError a
 * failed command turns into.
 */

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
  type ScsiErrorDetails,
  type SenseData,
} from '../errors.js';
import { ScsiStatus, type CommandResult, type ScsiCommand } from '../transport/transport.js';
import { ascText } from './asc-table.js';
import { readBe24, readBe32, readBe32Signed, toHex } from './bytes.js';
import { msfToLba } from './msf.js';
import { Opcode, opcodeName } from './opcodes.js';

/** Sense keys (SPC; MMC-FACTS §1.6). */
export const SenseKey = {
  NO_SENSE: 0x0,
  RECOVERED_ERROR: 0x1,
  NOT_READY: 0x2,
  MEDIUM_ERROR: 0x3,
  HARDWARE_ERROR: 0x4,
  ILLEGAL_REQUEST: 0x5,
  UNIT_ATTENTION: 0x6,
  DATA_PROTECT: 0x7,
  BLANK_CHECK: 0x8,
  VENDOR_SPECIFIC: 0x9,
  COPY_ABORTED: 0xa,
  ABORTED_COMMAND: 0xb,
  EQUAL: 0xc,
  VOLUME_OVERFLOW: 0xd,
  MISCOMPARE: 0xe,
  COMPLETED: 0xf,
} as const;

const senseKeyNames = new Map<number, string>(
  Object.entries(SenseKey).map(([name, key]) => [key, name.replace(/_/gu, ' ')]),
);

/** Sense key as SPC spells it: `MEDIUM ERROR`, `UNIT ATTENTION` (MMC-FACTS §1.6). */
export function senseKeyName(key: number): string {
  return senseKeyNames.get(key) ?? `SENSE KEY 0x${toHex(key)}`;
}

/** Sense response codes (MMC-FACTS §1.5). */
export const SenseResponseCode = {
  FIXED_CURRENT: 0x70,
  FIXED_DEFERRED: 0x71,
  DESCRIPTOR_CURRENT: 0x72,
  DESCRIPTOR_DEFERRED: 0x73,
} as const;

/**
 * Decodes sense bytes as the device wrote them (MMC-FACTS §1.5). Returns undefined when there is
 * no sense: empty, a response code other than 70h–73h, or too short to hold the sense key.
 * ASC/ASCQ are trusted only when the fixed-format sense is longer than 13 bytes (both the bytes
 * received and the additional sense length), else reported as 0. `senseKeySpecific` is the
 * 23 bits after SKSV (SKSV itself is implied by presence).
 */
export function decodeSense(bytes: Uint8Array): SenseData | undefined {
  const first = bytes[0];
  if (first === undefined) return undefined;
  const responseCode = first & 0x7f;
  if (responseCode === SenseResponseCode.FIXED_CURRENT || responseCode === SenseResponseCode.FIXED_DEFERRED) {
    return decodeFixed(bytes, responseCode);
  }
  if (responseCode === SenseResponseCode.DESCRIPTOR_CURRENT || responseCode === SenseResponseCode.DESCRIPTOR_DEFERRED) {
    return decodeDescriptor(bytes, responseCode);
  }
  return undefined;
}

/** Bytes that are both received and covered by the additional sense length (byte 7). */
function effectiveLength(bytes: Uint8Array): number {
  const additional = bytes[7];
  return additional === undefined ? bytes.length : Math.min(bytes.length, additional + 8);
}

function decodeFixed(bytes: Uint8Array, responseCode: number): SenseData | undefined {
  const flags = bytes[2];
  if (flags === undefined) return undefined;
  const length = effectiveLength(bytes);
  const valid = ((bytes[0] ?? 0) & 0x80) !== 0;
  const trustAsc = length > 13;
  const sksv = length >= 18 && ((bytes[15] ?? 0) & 0x80) !== 0;
  return {
    responseCode,
    deferred: responseCode === SenseResponseCode.FIXED_DEFERRED,
    format: 'fixed',
    senseKey: flags & 0x0f,
    asc: trustAsc ? (bytes[12] ?? 0) : 0,
    ascq: trustAsc ? (bytes[13] ?? 0) : 0,
    information: valid && bytes.length >= 7 ? readBe32(bytes, 3) : undefined,
    filemark: (flags & 0x80) !== 0,
    endOfMedium: (flags & 0x40) !== 0,
    incorrectLength: (flags & 0x20) !== 0,
    senseKeySpecific: sksv ? readBe24(bytes, 15) & 0x7fffff : undefined,
    fru: length > 14 ? (bytes[14] ?? 0) : 0,
  };
}

function decodeDescriptor(bytes: Uint8Array, responseCode: number): SenseData | undefined {
  const keyByte = bytes[1];
  if (keyByte === undefined) return undefined;
  const sense: SenseData = {
    responseCode,
    deferred: responseCode === SenseResponseCode.DESCRIPTOR_DEFERRED,
    format: 'descriptor',
    senseKey: keyByte & 0x0f,
    asc: bytes.length >= 4 ? (bytes[2] ?? 0) : 0,
    ascq: bytes.length >= 4 ? (bytes[3] ?? 0) : 0,
    information: undefined,
    filemark: false,
    endOfMedium: false,
    incorrectLength: false,
    senseKeySpecific: undefined,
    fru: 0,
  };
  const length = effectiveLength(bytes);
  // Each descriptor: type, additional length, then that many bytes; a truncated one ends the walk.
  for (let offset = 8; offset + 2 <= length; ) {
    const type = bytes[offset] ?? 0;
    const additional = bytes[offset + 1] ?? 0;
    const end = offset + 2 + additional;
    if (end > length) break;
    if (type === 0x00 && additional >= 0x0a && ((bytes[offset + 2] ?? 0) & 0x80) !== 0) {
      sense.information = readBe32(bytes, offset + 4) * 2 ** 32 + readBe32(bytes, offset + 8);
    } else if (type === 0x02 && additional >= 0x06 && ((bytes[offset + 4] ?? 0) & 0x80) !== 0) {
      sense.senseKeySpecific = readBe24(bytes, offset + 4) & 0x7fffff;
    } else if (type === 0x03 && additional >= 0x02) {
      sense.fru = bytes[offset + 3] ?? 0;
    } else if (type === 0x04 && additional >= 0x02) {
      const flags = bytes[offset + 3] ?? 0;
      sense.filemark = (flags & 0x80) !== 0;
      sense.endOfMedium = (flags & 0x40) !== 0;
      sense.incorrectLength = (flags & 0x20) !== 0;
    } else if (type === 0x05 && additional >= 0x02) {
      sense.incorrectLength = ((bytes[offset + 3] ?? 0) & 0x20) !== 0;
    }
    offset = end;
  }
  return sense;
}

/**
 * One line for humans: `MEDIUM ERROR, L-EC uncorrectable error (03/11/05)`; a deferred error
 * (about an earlier command) ends with ` [deferred]`.
 */
export function describeSense(sense: SenseData): string {
  const codes = `${toHex(sense.senseKey)}/${toHex(sense.asc)}/${toHex(sense.ascq)}`;
  const text = `${senseKeyName(sense.senseKey)}, ${ascText(sense.asc, sense.ascq)} (${codes})`;
  return sense.deferred ? `${text} [deferred]` : text;
}

const statusNames = new Map<number, string>(
  Object.entries(ScsiStatus).map(([name, status]) => [status, name.replace(/_/gu, ' ')]),
);

/** SCSI status byte name (SAM): `BUSY`, `CHECK CONDITION`; unknown values as `status 0x4A`. */
export function scsiStatusName(status: number): string {
  return statusNames.get(status) ?? `status 0x${toHex(status)}`;
}

/**
 * Starting LBA of the commands that address one: READ(10), READ(12), SEEK(10), READ CD (signed)
 * and READ CD MSF (converted per MMC-FACTS §3.2). Undefined for other commands, short CDBs or an
 * impossible MSF.
 */
export function cdbStartLba(cdb: Uint8Array): number | undefined {
  switch (cdb[0]) {
    case Opcode.READ_10:
    case Opcode.SEEK_10:
      return cdb.length >= 10 ? readBe32(cdb, 2) : undefined;
    case Opcode.READ_12:
      return cdb.length >= 12 ? readBe32(cdb, 2) : undefined;
    case Opcode.READ_CD:
      return cdb.length >= 12 ? readBe32Signed(cdb, 2) : undefined;
    case Opcode.READ_CD_MSF: {
      if (cdb.length < 12) return undefined;
      const minute = cdb[3] ?? 0;
      const second = cdb[4] ?? 0;
      const frame = cdb[5] ?? 0;
      if (minute > 99 || second > 59 || frame > 74) return undefined;
      return msfToLba({ minute, second, frame });
    }
    default:
      return undefined;
  }
}

type ScsiErrorClass = new (message: string, details: ScsiErrorDetails) => ScsiError;

const errorClassBySenseKey = new Map<number, ScsiErrorClass>([
  [SenseKey.RECOVERED_ERROR, RecoveredError],
  [SenseKey.NOT_READY, NotReadyError],
  [SenseKey.MEDIUM_ERROR, MediumError],
  [SenseKey.HARDWARE_ERROR, HardwareError],
  [SenseKey.ILLEGAL_REQUEST, IllegalRequestError],
  [SenseKey.UNIT_ATTENTION, UnitAttentionError],
  [SenseKey.DATA_PROTECT, DataProtectError],
  [SenseKey.ABORTED_COMMAND, AbortedCommandError],
]);

/**
 * The ScsiError subclass for a command that did not end GOOD, chosen by sense key, with the
 * message `READ CD (0xBE) at LBA 12345: MEDIUM ERROR, L-EC uncorrectable error (03/11/05)`.
 * The LBA is the sense INFORMATION when VALID (read as signed for READ CD/READ CD MSF, which
 * address the lead-in with negative LBAs), else the CDB's starting LBA (cdbStartLba) unless the
 * error is deferred; `error.lba` is the same number. Without sense data the message names the
 * status: `CHECK CONDITION without sense data`, `BUSY`.
 */
export function scsiErrorFromResult(command: ScsiCommand, result: CommandResult, commandName?: string): ScsiError {
  const opcode = command.cdb[0] ?? 0;
  const name = commandName ?? opcodeName(opcode);
  const sense = decodeSense(result.sense);
  const lba = errorLba(command.cdb, sense);
  const where = lba === undefined ? '' : ` at LBA ${lba}`;
  let what: string;
  if (sense !== undefined) what = describeSense(sense);
  else if (result.status === ScsiStatus.CHECK_CONDITION) what = 'CHECK CONDITION without sense data';
  else what = scsiStatusName(result.status);
  const ErrorClass = (sense && errorClassBySenseKey.get(sense.senseKey)) ?? ScsiError;
  return new ErrorClass(`${name} (0x${toHex(opcode)})${where}: ${what}`, {
    opcode,
    commandName: name,
    sense,
    status: result.status,
    lba,
    cdb: command.cdb,
  });
}

function errorLba(cdb: Uint8Array, sense: SenseData | undefined): number | undefined {
  const start = cdbStartLba(cdb);
  if (sense?.information !== undefined) {
    const signed = cdb[0] === Opcode.READ_CD || cdb[0] === Opcode.READ_CD_MSF;
    const information = signed && sense.information <= 0xffffffff ? sense.information | 0 : sense.information;
    // Some drives fill INFORMATION with 0 (or garbage) on errors that name no sector: trust it
    // only inside the range the command asked for.
    const count = cdbTransferLength(cdb);
    if (start === undefined || count === undefined || (information >= start && information < start + Math.max(1, count))) {
      return information;
    }
    return start;
  }
  if (sense?.deferred) return undefined;
  return start;
}

/** Sectors a read command asks for; undefined for commands without a transfer length. */
function cdbTransferLength(cdb: Uint8Array): number | undefined {
  switch (cdb[0]) {
    case Opcode.READ_10:
      return cdb.length >= 10 ? ((cdb[7] ?? 0) << 8) | (cdb[8] ?? 0) : undefined;
    case Opcode.READ_12:
      return cdb.length >= 12 ? readBe32(cdb, 6) : undefined;
    case Opcode.READ_CD:
      return cdb.length >= 12 ? ((cdb[6] ?? 0) << 16) | ((cdb[7] ?? 0) << 8) | (cdb[8] ?? 0) : undefined;
    default:
      return undefined;
  }
}
