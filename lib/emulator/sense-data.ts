/**
 * The sense data the emulated drive returns: SPC fixed format, 18 bytes, additional sense length
 * 10 (MMC-FACTS §1.5), as optical drives send it. Handlers throw CheckCondition; the drive turns
 * it into a CHECK CONDITION result.
 */

import { writeBe16, writeBe32 } from '../scsi/bytes.js';
import { SenseKey } from '../scsi/sense.js';

/** Length of the fixed-format sense the emulator writes. */
export const SENSE_LENGTH = 18;

export interface SenseFields {
  senseKey: number;
  asc: number;
  ascq: number;
  /** Sets VALID and the INFORMATION field (the failing LBA of a read). Negative LBAs wrap to 32 bits. */
  information?: number;
  /**
   * Sense-key specific field pointer (SKSV=1): which byte of the CDB (`inCdb`) or of the
   * parameter list was wrong, as SPC defines it for ILLEGAL REQUEST.
   */
  fieldPointer?: { inCdb: boolean; byte: number; bit?: number };
}

/** Encodes fixed-format sense: 0x70 (0xF0 with VALID), byte 7 = 10. */
export function encodeSense(fields: SenseFields): Uint8Array {
  const sense = new Uint8Array(SENSE_LENGTH);
  sense[0] = fields.information === undefined ? 0x70 : 0xf0;
  sense[2] = fields.senseKey & 0x0f;
  if (fields.information !== undefined) writeBe32(sense, 3, fields.information);
  sense[7] = SENSE_LENGTH - 8;
  sense[12] = fields.asc;
  sense[13] = fields.ascq;
  const pointer = fields.fieldPointer;
  if (pointer) {
    const bit = pointer.bit === undefined ? 0 : 0x08 | (pointer.bit & 0x07);
    sense[15] = 0x80 | (pointer.inCdb ? 0x40 : 0) | bit;
    writeBe16(sense, 16, pointer.byte);
  }
  return sense;
}

/** Thrown inside the emulator to end a command with CHECK CONDITION and this sense. */
export class CheckCondition extends Error {
  readonly fields: SenseFields;
  constructor(fields: SenseFields) {
    super(`CHECK CONDITION ${fields.senseKey}/${fields.asc.toString(16)}/${fields.ascq.toString(16)}`);
    this.fields = fields;
  }
  get sense(): Uint8Array {
    return encodeSense(this.fields);
  }
}

/** 05/24/00 INVALID FIELD IN CDB, pointing at the byte (and bit) that was wrong. */
export function invalidFieldInCdb(byte: number, bit?: number): CheckCondition {
  return new CheckCondition({
    senseKey: SenseKey.ILLEGAL_REQUEST,
    asc: 0x24,
    ascq: 0x00,
    fieldPointer: bit === undefined ? { inCdb: true, byte } : { inCdb: true, byte, bit },
  });
}

/** 05/26/00 INVALID FIELD IN PARAMETER LIST, pointing into the data-out buffer. */
export function invalidFieldInParameterList(byte: number): CheckCondition {
  return new CheckCondition({ senseKey: SenseKey.ILLEGAL_REQUEST, asc: 0x26, ascq: 0x00, fieldPointer: { inCdb: false, byte } });
}

/** Shorthand for a CheckCondition without INFORMATION or field pointer. */
export function checkCondition(senseKey: number, asc: number, ascq: number): CheckCondition {
  return new CheckCondition({ senseKey, asc, ascq });
}

/** The common ones, by what they mean (MMC-FACTS §1.7). */
export const Sense = {
  invalidOpcode: (): CheckCondition => checkCondition(SenseKey.ILLEGAL_REQUEST, 0x20, 0x00),
  lbaOutOfRange: (): CheckCondition => checkCondition(SenseKey.ILLEGAL_REQUEST, 0x21, 0x00),
  illegalModeForTrack: (): CheckCondition => checkCondition(SenseKey.ILLEGAL_REQUEST, 0x64, 0x00),
  incompatibleFormat: (): CheckCondition => checkCondition(SenseKey.ILLEGAL_REQUEST, 0x30, 0x02),
  removalPrevented: (): CheckCondition => checkCondition(SenseKey.ILLEGAL_REQUEST, 0x53, 0x02),
  savingNotSupported: (): CheckCondition => checkCondition(SenseKey.ILLEGAL_REQUEST, 0x39, 0x00),
  parameterListLength: (): CheckCondition => checkCondition(SenseKey.ILLEGAL_REQUEST, 0x1a, 0x00),
  noMediumTrayOpen: (): CheckCondition => checkCondition(SenseKey.NOT_READY, 0x3a, 0x02),
  noMediumTrayClosed: (): CheckCondition => checkCondition(SenseKey.NOT_READY, 0x3a, 0x01),
  becomingReady: (): CheckCondition => checkCondition(SenseKey.NOT_READY, 0x04, 0x01),
  incompatibleMedium: (): CheckCondition => checkCondition(SenseKey.NOT_READY, 0x30, 0x02),
  mediumChanged: (): CheckCondition => checkCondition(SenseKey.UNIT_ATTENTION, 0x28, 0x00),
  powerOnReset: (): CheckCondition => checkCondition(SenseKey.UNIT_ATTENTION, 0x29, 0x00),
  unrecoveredReadError: (lba: number): CheckCondition =>
    new CheckCondition({ senseKey: SenseKey.MEDIUM_ERROR, asc: 0x11, ascq: 0x00, information: lba }),
} as const;
