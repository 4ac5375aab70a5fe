/**
 * The 16-byte prefix of a data sector: the 12-byte sync (ECMA-130 §14) and the 4-byte header at
 * bytes 12-15 (ECMA-130 §14): absolute address as BCD minute, second, frame (= LBA + 150, or the
 * lead-in mapping for minutes 90-99; MMC-FACTS §3.2) and the mode byte (0, 1 or 2).
 */

import { lbaToMsf, msfToLba, toBcd } from '../scsi/msf.js';
import { HEADER_OFFSET, MODE_OFFSET, SYNC_PATTERN, SYNC_SIZE } from './constants.js';

const SYNC = Uint8Array.from(SYNC_PATTERN);

/** True when `buf[offset … offset+11]` is the sync pattern `00 FF×10 00`. */
export function hasSyncPattern(buf: Uint8Array, offset = 0): boolean {
  if (offset < 0 || offset + SYNC_SIZE > buf.length) return false;
  for (let i = 0; i < SYNC_SIZE; i++) if (buf[offset + i] !== SYNC[i]) return false;
  return true;
}

/** Writes the sync pattern at `buf[offset … offset+11]`. */
export function writeSyncPattern(buf: Uint8Array, offset = 0): void {
  buf.set(SYNC, offset);
}

/** Decoded header. `lba` is null when the MSF bytes are not a valid BCD address. */
export interface SectorHeader {
  lba: number | null;
  /** The mode byte as stored, or null when the buffer ends before it. */
  mode: number | null;
}

/**
 * Writes the header for `lba` and `mode` at `buf[offset … offset+3]` (default: a raw sector's
 * bytes 12-15). RangeError for an LBA outside −45150 … 404849 or a mode outside 0-255.
 */
export function encodeSectorHeader(buf: Uint8Array, lba: number, mode: number, offset = HEADER_OFFSET): void {
  const msf = lbaToMsf(lba);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0xff) {
    throw new RangeError(`Expected "mode" to be between 0 and 255, got ${String(mode)}`);
  }
  if (offset < 0 || offset + 4 > buf.length) {
    throw new RangeError(`Expected room for a 4-byte header at offset ${offset}, buffer has ${buf.length} bytes`);
  }
  buf[offset] = toBcd(msf.minute);
  buf[offset + 1] = toBcd(msf.second);
  buf[offset + 2] = toBcd(msf.frame);
  buf[offset + 3] = mode;
}

function bcdValue(byte: number, max: number): number {
  const high = byte >> 4;
  const low = byte & 0x0f;
  if (high > 9 || low > 9) return -1;
  const value = high * 10 + low;
  return value > max ? -1 : value;
}

/**
 * LBA of the BCD MSF at `buf[offset … offset+2]`, or null when a byte is not BCD, the second is
 * above 59 or the frame above 74, or the buffer is too short. Never throws, never allocates.
 */
export function decodeHeaderLba(buf: Uint8Array, offset = HEADER_OFFSET): number | null {
  if (offset < 0 || offset + 3 > buf.length) return null;
  const minute = bcdValue(buf[offset]!, 99);
  const second = bcdValue(buf[offset + 1]!, 59);
  const frame = bcdValue(buf[offset + 2]!, 74);
  if (minute < 0 || second < 0 || frame < 0) return null;
  return msfToLba({ minute, second, frame });
}

/** Decodes bytes 12-15 (or `offset`…`offset+3`) of a sector. */
export function decodeSectorHeader(buf: Uint8Array, offset = HEADER_OFFSET): SectorHeader {
  return { lba: decodeHeaderLba(buf, offset), mode: buf[offset + (MODE_OFFSET - HEADER_OFFSET)] ?? null };
}

