/**
 * READ SUB-CHANNEL (42h), MMC-6 "READ SUB-CHANNEL Command" (MMC-FACTS §2.11).
 *
 * Unlike most variable responses, the Sub-channel Data Length sits at bytes 2-3 (after the audio
 * status): use `subChannelResponseLength`, not `requiredAllocationLength`.
 */

import { MalformedResponseError } from '../errors.js';
import type { ScsiCommand } from '../transport/transport.js';
import { checkBoolean, checkInteger, readBe16, readBe32Signed, writeBe16 } from './bytes.js';
import { Opcode } from './opcodes.js';

const COMMAND = 'READ SUB-CHANNEL';

/** Sub-channel Parameter List / Data Format codes (CDB byte 3). */
export const SubChannelFormat = {
  /** CD Current Position: Q of the sector under the head (ADR 1). */
  CURRENT_POSITION: 1,
  /** Media Catalog Number (UPC/bar code, Q ADR 2). */
  MCN: 2,
  /** Track International Standard Recording Code (Q ADR 3). */
  ISRC: 3,
} as const;
export type SubChannelFormat = (typeof SubChannelFormat)[keyof typeof SubChannelFormat];

export interface ReadSubChannelOptions {
  /** SubChannelFormat value. */
  format: number;
  /** MSF bit: addresses of the current-position format as minute/second/frame. Default false. */
  msf?: boolean;
  /** SubQ bit: return sub-channel data; false returns the header (audio status) only. Default true. */
  subQ?: boolean;
  /** Track Number for the ISRC format, 0-99 (ignored by the drive otherwise). Default 0. */
  trackNumber?: number;
  /** Allocation Length, 1-65535. Default 48. */
  allocationLength?: number;
}

/**
 * READ SUB-CHANNEL CDB: `42 | b1 bit1 MSF | b2 bit6 SubQ | b3 Sub-channel Parameter List |
 * b6 Track Number | b7-8 Allocation Length | b9`.
 */
export function buildReadSubChannel(options: ReadSubChannelOptions): ScsiCommand {
  const format = checkInteger('format', options.format, 1, 3);
  const msf = checkBoolean('msf', options.msf ?? false);
  const subQ = checkBoolean('subQ', options.subQ ?? true);
  const trackNumber = checkInteger('trackNumber', options.trackNumber ?? 0, 0, 99);
  const allocationLength = checkInteger('allocationLength', options.allocationLength ?? 48, 1, 0xffff);
  const cdb = new Uint8Array(10);
  cdb[0] = Opcode.READ_SUB_CHANNEL;
  cdb[1] = msf ? 0x02 : 0x00;
  cdb[2] = subQ ? 0x40 : 0x00;
  cdb[3] = format;
  cdb[6] = trackNumber;
  writeBe16(cdb, 7, allocationLength);
  return { cdb, direction: 'in', dataLength: allocationLength };
}

/** Complete response size from the 4-byte header: Sub-channel Data Length (bytes 2-3) + 4. */
export function subChannelResponseLength(header: Uint8Array): number | undefined {
  return header.length < 4 ? undefined : readBe16(header, 2) + 4;
}

/** Audio Status codes (header byte 1). */
const AUDIO_STATUS_NAMES = new Map<number, string>([
  [0x00, 'not supported or not valid'],
  [0x11, 'play in progress'],
  [0x12, 'play paused'],
  [0x13, 'play completed'],
  [0x14, 'play stopped due to error'],
  [0x15, 'no current audio status'],
]);

interface SubChannelHeader {
  /** Audio Status (byte 1). */
  audioStatus: number;
  audioStatusName: string;
}

/** Header only: the command was sent with SubQ = 0 (Sub-channel Data Length 0). */
export interface SubChannelHeaderOnly extends SubChannelHeader {
  format: 0;
}

/** CD Current Position data (format 01h). */
export interface SubChannelPosition extends SubChannelHeader {
  format: typeof SubChannelFormat.CURRENT_POSITION;
  adr: number;
  control: number;
  trackNumber: number;
  indexNumber: number;
  /** Absolute CD Address as LBA (converted from MSF when MSF was set). */
  absoluteLba: number;
  /**
   * Track Relative CD Address in sectors. Negative in a pregap in LBA form; with MSF the drive sends
   * the Q relative time, which counts down in the pregap, converted without sign.
   */
  trackRelativeLba: number;
}

/** Media Catalog Number data (format 02h). */
export interface SubChannelMcn extends SubChannelHeader {
  format: typeof SubChannelFormat.MCN;
  /** MCVal (byte 8 bit 7). */
  mcValid: boolean;
  /** 13 ASCII digits, when MCVal. */
  mcn: string | undefined;
  /** AFRAME (byte 23): the frame the MCN was found in. */
  aframe: number;
}

/** Track ISRC data (format 03h). */
export interface SubChannelIsrc extends SubChannelHeader {
  format: typeof SubChannelFormat.ISRC;
  /** TCVal (byte 8 bit 7). */
  tcValid: boolean;
  /** 12 characters [A-Z0-9], when TCVal. */
  isrc: string | undefined;
  adr: number;
  control: number;
  trackNumber: number;
  /** AFRAME (byte 22). */
  aframe: number;
}

export type SubChannelData = SubChannelHeaderOnly | SubChannelPosition | SubChannelMcn | SubChannelIsrc;

function ascii(data: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...data.subarray(offset, offset + length));
}

/**
 * Parses READ SUB-CHANNEL data; the format comes from the Sub-channel Data Format Code the drive
 * echoes at byte 4. MCN and ISRC are checked when flagged valid: an MCN must be 13 ASCII digits,
 * an ISRC 12 characters [A-Z0-9]; anything else is MalformedResponseError.
 */
export function parseSubChannel(data: Uint8Array, options: { msf: boolean }): SubChannelData {
  const msf = checkBoolean('msf', options.msf);
  if (data.length < 4) {
    throw new MalformedResponseError(COMMAND, `header needs 4 bytes, got ${data.length}`, data);
  }
  const audioStatus = data[1] ?? 0;
  const header: SubChannelHeader = {
    audioStatus,
    audioStatusName: AUDIO_STATUS_NAMES.get(audioStatus) ?? 'reserved',
  };
  const end = Math.min(data.length, readBe16(data, 2) + 4);
  if (end === 4) return { format: 0, ...header };
  const format = data[4] ?? 0;
  const need = (bytes: number, what: string): void => {
    if (end < bytes) {
      throw new MalformedResponseError(COMMAND, `${what} needs ${bytes} bytes, the data covers ${end}`, data);
    }
  };
  switch (format) {
    case SubChannelFormat.CURRENT_POSITION: {
      need(16, 'current position');
      const adrControl = data[5] ?? 0;
      let absoluteLba: number;
      let trackRelativeLba: number;
      if (msf) {
        absoluteLba = ((data[9] ?? 0) * 60 + (data[10] ?? 0)) * 75 + (data[11] ?? 0) - 150;
        trackRelativeLba = ((data[13] ?? 0) * 60 + (data[14] ?? 0)) * 75 + (data[15] ?? 0);
      } else {
        absoluteLba = readBe32Signed(data, 8);
        trackRelativeLba = readBe32Signed(data, 12);
      }
      return {
        format,
        ...header,
        adr: adrControl >> 4,
        control: adrControl & 0x0f,
        trackNumber: data[6] ?? 0,
        indexNumber: data[7] ?? 0,
        absoluteLba,
        trackRelativeLba,
      };
    }
    case SubChannelFormat.MCN: {
      need(24, 'media catalog number');
      const mcValid = ((data[8] ?? 0) & 0x80) !== 0;
      let mcn: string | undefined;
      if (mcValid) {
        mcn = ascii(data, 9, 13);
        if (!/^[0-9]{13}$/u.test(mcn)) {
          throw new MalformedResponseError(COMMAND, `MCN ${JSON.stringify(mcn)} is not 13 ASCII digits`, data);
        }
      }
      return { format, ...header, mcValid, mcn, aframe: data[23] ?? 0 };
    }
    case SubChannelFormat.ISRC: {
      need(23, 'ISRC');
      const adrControl = data[5] ?? 0;
      const tcValid = ((data[8] ?? 0) & 0x80) !== 0;
      let isrc: string | undefined;
      if (tcValid) {
        isrc = ascii(data, 9, 12);
        if (!/^[A-Z0-9]{12}$/u.test(isrc)) {
          throw new MalformedResponseError(COMMAND, `ISRC ${JSON.stringify(isrc)} is not 12 characters [A-Z0-9]`, data);
        }
      }
      return {
        format,
        ...header,
        tcValid,
        isrc,
        adr: adrControl >> 4,
        control: adrControl & 0x0f,
        trackNumber: data[6] ?? 0,
        aframe: data[22] ?? 0,
      };
    }
    default:
      throw new MalformedResponseError(COMMAND, `unknown sub-channel data format code ${format}`, data);
  }
}
