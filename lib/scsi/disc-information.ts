/**
 * READ DISC INFORMATION (51h), MMC-6 "READ DISC INFORMATION Command" (MMC-FACTS §2.8).
 *
 * Bytes 0-1 of the response hold the Disc Information Length (excluding those two bytes): the
 * complete response is `readBe16(data, 0) + 2` bytes (`requiredAllocationLength(data, 2)`).
 */

import { MalformedResponseError } from '../errors.js';
import type { ScsiCommand } from '../transport/transport.js';
import { checkInteger, readBe16, readBe32, writeBe16 } from './bytes.js';
import type { Msf } from './msf.js';
import { Opcode } from './opcodes.js';

const COMMAND = 'READ DISC INFORMATION';

export interface ReadDiscInformationOptions {
  /**
   * Data Type (byte 1 bits 2-0): 0 standard Disc Information, 1 Track Resources, 2 POW Resources.
   * Only 0 is parsed by `parseDiscInformation`. Default 0.
   */
  dataType?: number;
  /** Allocation Length, 1-65535. Default 34 (the standard block without OPC tables). */
  allocationLength?: number;
}

/**
 * READ DISC INFORMATION CDB (MMC-6 READ DISC INFORMATION, "The CDB and its parameters"): `51 | b1 bits2-0
 * Data Type | b7-8 Allocation Length | b9`.
 */
export function buildReadDiscInformation(options: ReadDiscInformationOptions = {}): ScsiCommand {
  const dataType = checkInteger('dataType', options.dataType ?? 0, 0, 2);
  const allocationLength = checkInteger('allocationLength', options.allocationLength ?? 34, 1, 0xffff);
  const cdb = new Uint8Array(10);
  cdb[0] = Opcode.READ_DISC_INFORMATION;
  cdb[1] = dataType;
  writeBe16(cdb, 7, allocationLength);
  return { cdb, direction: 'in', dataLength: allocationLength };
}

/** State of Last Session (byte 2 bits 3-2). */
export type LastSessionState = 'empty' | 'incomplete' | 'damaged' | 'complete';
/** Disc Status (byte 2 bits 1-0); 'other' = random-access or otherwise not applicable media. */
export type DiscStatus = 'empty' | 'incomplete' | 'finalized' | 'other';
/** Disc Type (byte 8) names. */
export type DiscTypeName = 'CD-DA or CD-ROM' | 'CD-I' | 'CD-ROM XA' | 'undefined' | 'reserved';

const LAST_SESSION_STATES: readonly LastSessionState[] = ['empty', 'incomplete', 'damaged', 'complete'];
const DISC_STATUSES: readonly DiscStatus[] = ['empty', 'incomplete', 'finalized', 'other'];

/**
 * Name of a Disc Type code (MMC-6 "Standard Disc Information", Disc Type field): 00h, 10h, 20h, FFh; others
 * reserved.
 */
export function discTypeName(discType: number): DiscTypeName {
  switch (discType) {
    case 0x00:
      return 'CD-DA or CD-ROM';
    case 0x10:
      return 'CD-I';
    case 0x20:
      return 'CD-ROM XA';
    case 0xff:
      return 'undefined';
    default:
      return 'reserved';
  }
}

/** Standard Disc Information (Data Type 000b), MMC-6 "Standard Disc Information". */
export interface DiscInformation {
  /** Erasable (byte 2 bit 4): CD-RW, DVD-RW, DVD+RW, BD-RE … */
  erasable: boolean;
  lastSessionState: LastSessionState;
  discStatus: DiscStatus;
  /** Number of First Track on Disc. */
  firstTrackNumber: number;
  /** Number of Sessions (bytes 9 MSB, 4 LSB). */
  numberOfSessions: number;
  /** First Track Number in Last Session (bytes 10 MSB, 5 LSB). */
  firstTrackInLastSession: number;
  /** Last Track Number in Last Session (bytes 11 MSB, 6 LSB). */
  lastTrackInLastSession: number;
  /** DID_V: Disc Identification is valid. */
  didValid: boolean;
  /** DBC_V: Disc Bar Code is valid. */
  dbcValid: boolean;
  /** URU: Unrestricted Use Disc. */
  unrestrictedUse: boolean;
  /** DAC_V: Disc Application Code is valid. */
  dacValid: boolean;
  /** Dbit: the MRW/DVD+RW dirty bit. */
  dbit: boolean;
  /** BG Format Status (byte 7 bits 1-0): 0 none, 1 started/incomplete, 2 in progress, 3 complete. */
  bgFormatStatus: number;
  /** Disc Type code (byte 8). */
  discType: number;
  discTypeName: DiscTypeName;
  /** Disc Identification (bytes 12-15), when DID_V and received. */
  discIdentification?: number;
  /**
   * Last Session Lead-in Start Address (bytes 16-19) as a raw 32-bit value. On CD it is an MSF
   * (byte 16 zero; see `lastSessionLeadInStartMsf`); FFFFFFFFh when not applicable.
   */
  lastSessionLeadInStart?: number;
  /** Bytes 17-19 read as binary minute/second/frame (meaningful on CD media). */
  lastSessionLeadInStartMsf?: Msf;
  /** Last Possible Lead-out Start Address (bytes 20-23), raw; MSF on CD as above. */
  lastPossibleLeadOutStart?: number;
  lastPossibleLeadOutStartMsf?: Msf;
  /** Disc Bar Code (bytes 24-31, a view), when DBC_V and received. */
  discBarCode?: Uint8Array;
  /** Disc Application Code (byte 32), when received. */
  discApplicationCode?: number;
  /** Number of OPC Tables (byte 33), when received. */
  numberOfOpcTables?: number;
}

/**
 * Parses standard Disc Information (MMC-6 "Standard Disc Information"). Bytes 0-11 are required (MMC-1
 * drives return zeros in the MSB bytes 9-11, which is harmless); the later fields are returned only when
 * both the length field and the received data cover them. A Disc Information Data Type other than 000b
 * (Track/POW Resources) is rejected.
 */
export function parseDiscInformation(data: Uint8Array): DiscInformation {
  if (data.length < 2) {
    throw new MalformedResponseError(COMMAND, `response needs 12 bytes, got ${data.length}`, data);
  }
  const end = Math.min(data.length, readBe16(data, 0) + 2);
  if (end < 12) throw new MalformedResponseError(COMMAND, `response needs 12 bytes, the data covers ${end}`, data);
  const b2 = data[2] ?? 0;
  const b7 = data[7] ?? 0;
  const infoType = b2 >> 5;
  if (infoType !== 0) {
    throw new MalformedResponseError(COMMAND, `Disc Information Data Type ${infoType} is not standard (000b)`, data);
  }
  const discType = data[8] ?? 0;
  const info: DiscInformation = {
    erasable: (b2 & 0x10) !== 0,
    lastSessionState: LAST_SESSION_STATES[(b2 >> 2) & 0x03] ?? 'empty',
    discStatus: DISC_STATUSES[b2 & 0x03] ?? 'empty',
    firstTrackNumber: data[3] ?? 0,
    numberOfSessions: ((data[9] ?? 0) << 8) | (data[4] ?? 0),
    firstTrackInLastSession: ((data[10] ?? 0) << 8) | (data[5] ?? 0),
    lastTrackInLastSession: ((data[11] ?? 0) << 8) | (data[6] ?? 0),
    didValid: (b7 & 0x80) !== 0,
    dbcValid: (b7 & 0x40) !== 0,
    unrestrictedUse: (b7 & 0x20) !== 0,
    dacValid: (b7 & 0x10) !== 0,
    dbit: (b7 & 0x04) !== 0,
    bgFormatStatus: b7 & 0x03,
    discType,
    discTypeName: discTypeName(discType),
  };
  if (info.didValid && end >= 16) info.discIdentification = readBe32(data, 12);
  if (end >= 20) {
    info.lastSessionLeadInStart = readBe32(data, 16);
    info.lastSessionLeadInStartMsf = { minute: data[17] ?? 0, second: data[18] ?? 0, frame: data[19] ?? 0 };
  }
  if (end >= 24) {
    info.lastPossibleLeadOutStart = readBe32(data, 20);
    info.lastPossibleLeadOutStartMsf = { minute: data[21] ?? 0, second: data[22] ?? 0, frame: data[23] ?? 0 };
  }
  if (info.dbcValid && end >= 32) info.discBarCode = data.subarray(24, 32);
  if (end >= 33) info.discApplicationCode = data[32] ?? 0;
  if (end >= 34) info.numberOfOpcTables = data[33] ?? 0;
  return info;
}
