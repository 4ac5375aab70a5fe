/**
 * READ TRACK INFORMATION (52h), MMC-6 "READ TRACK INFORMATION Command" (MMC-FACTS §2.9).
 *
 * Bytes 0-1 of the response hold the Data Length (excluding those two bytes): the complete
 * response is `readBe16(data, 0) + 2` bytes (`requiredAllocationLength(data, 2)`).
 */

import { MalformedResponseError } from '../errors.js';
import type { ScsiCommand } from '../transport/transport.js';
import { checkInteger, readBe16, readBe32, readBe32Signed, writeBe16, writeBe32 } from './bytes.js';
import { Opcode } from './opcodes.js';

const COMMAND = 'READ TRACK INFORMATION';

/** Address/Number Type (CDB byte 1 bits 1-0), MMC-6 READ TRACK INFORMATION, "The CDB and its parameters". */
export const TrackAddressType = {
  /** The track containing this LBA. */
  LBA: 0,
  /** Logical Track Number (0 = lead-in on CD, FFh = the invisible/incomplete track). */
  TRACK: 1,
  /** The first track of this Session Number. */
  SESSION: 2,
} as const;
export type TrackAddressType = (typeof TrackAddressType)[keyof typeof TrackAddressType];

export interface ReadTrackInformationOptions {
  /** TrackAddressType value. */
  addressType: number;
  /** LBA (0-FFFFFFFFh), track number or session number (0-FFFFh), per `addressType`. */
  address: number;
  /** Allocation Length, 1-65535. Default 48 (the whole MMC-6 block). */
  allocationLength?: number;
}

/**
 * READ TRACK INFORMATION CDB (MMC-6 READ TRACK INFORMATION, "The CDB and its parameters"): `52 | b1 bits1-0
 * Address/Number Type | b2-5 Logical Block Address/Track/Session Number | b7-8 Allocation Length | b9`.
 */
export function buildReadTrackInformation(options: ReadTrackInformationOptions): ScsiCommand {
  const addressType = checkInteger('addressType', options.addressType, 0, 2);
  const maxAddress = addressType === TrackAddressType.LBA ? 0xffffffff : 0xffff;
  const address = checkInteger('address', options.address, 0, maxAddress);
  const allocationLength = checkInteger('allocationLength', options.allocationLength ?? 48, 1, 0xffff);
  const cdb = new Uint8Array(10);
  cdb[0] = Opcode.READ_TRACK_INFORMATION;
  cdb[1] = addressType;
  writeBe32(cdb, 2, address);
  writeBe16(cdb, 7, allocationLength);
  return { cdb, direction: 'in', dataLength: allocationLength };
}

/** Track Information Block, MMC-6 "Track Information Block". */
export interface TrackInformation {
  /** Logical Track Number (byte 32 MSB when received, byte 2 LSB). */
  trackNumber: number;
  /** Session Number (byte 33 MSB when received, byte 3 LSB). */
  sessionNumber: number;
  /** Damage (byte 5 bit 5). */
  damage: boolean;
  /** Copy (byte 5 bit 4). */
  copy: boolean;
  /** Track Mode (byte 5 bits 3-0): the CONTROL nibble of the track. */
  trackMode: number;
  /** RT, reserved track (byte 6 bit 7). */
  rt: boolean;
  /** Blank (byte 6 bit 6). */
  blank: boolean;
  /** Packet/Inc (byte 6 bit 5). */
  packet: boolean;
  /** FP, fixed packet (byte 6 bit 4). */
  fp: boolean;
  /** Data Mode (byte 6 bits 3-0): 1 Mode 1, 2 Mode 2, Fh unknown. */
  dataMode: number;
  /** LRA_V (byte 7 bit 1): Last Recorded Address is valid. */
  lraValid: boolean;
  /** NWA_V (byte 7 bit 0): Next Writable Address is valid. */
  nwaValid: boolean;
  /** Logical Track Start Address. */
  trackStartLba: number;
  /** Next Writable Address, when NWA_V. */
  nextWritableAddress?: number;
  /** Free Blocks. */
  freeBlocks: number;
  /** Fixed Packet Size / Blocking Factor. */
  fixedPacketSize: number;
  /** Logical Track Size, in blocks. */
  trackSize: number;
  /** Last Recorded Address, when LRA_V and received. */
  lastRecordedAddress?: number;
}

/**
 * Parses the Track Information Block (MMC-6 "Track Information Block"). Bytes 0-27 (through Logical Track
 * Size, the MMC-1 block) are required; Last Recorded Address (28-31) and the MSB bytes 32/33 are used when
 * both the length field and the received data cover them.
 */
export function parseTrackInformation(data: Uint8Array): TrackInformation {
  if (data.length < 2) {
    throw new MalformedResponseError(COMMAND, `response needs 28 bytes, got ${data.length}`, data);
  }
  const end = Math.min(data.length, readBe16(data, 0) + 2);
  if (end < 28) throw new MalformedResponseError(COMMAND, `response needs 28 bytes, the data covers ${end}`, data);
  const b5 = data[5] ?? 0;
  const b6 = data[6] ?? 0;
  const b7 = data[7] ?? 0;
  const info: TrackInformation = {
    trackNumber: ((end >= 33 ? (data[32] ?? 0) : 0) << 8) | (data[2] ?? 0),
    sessionNumber: ((end >= 34 ? (data[33] ?? 0) : 0) << 8) | (data[3] ?? 0),
    damage: (b5 & 0x20) !== 0,
    copy: (b5 & 0x10) !== 0,
    trackMode: b5 & 0x0f,
    rt: (b6 & 0x80) !== 0,
    blank: (b6 & 0x40) !== 0,
    packet: (b6 & 0x20) !== 0,
    fp: (b6 & 0x10) !== 0,
    dataMode: b6 & 0x0f,
    lraValid: (b7 & 0x02) !== 0,
    nwaValid: (b7 & 0x01) !== 0,
    trackStartLba: readBe32Signed(data, 8),
    freeBlocks: readBe32(data, 16),
    fixedPacketSize: readBe32(data, 20),
    trackSize: readBe32(data, 24),
  };
  if (info.nwaValid) info.nextWritableAddress = readBe32Signed(data, 12);
  if (info.lraValid && end >= 32) info.lastRecordedAddress = readBe32Signed(data, 28);
  return info;
}
