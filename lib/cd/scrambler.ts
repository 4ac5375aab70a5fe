/**
 * The CD-ROM scrambler of ECMA-130 §15 and Annex B: bytes 12-2351 of every data sector are XORed
 * with the output of a 15-bit LFSR (polynomial x¹⁵+x+1, preset to 0x0001 at byte 12), bits taken
 * LSB first. Drives descramble when reading normally; READ CD of data sectors through an "audio"
 * path (or a D8-style raw read) returns them scrambled (MMC-FACTS §3.8). The operation is its own
 * inverse.
 */

import { HEADER_OFFSET, MODE_OFFSET, SECTOR_SIZE_RAW } from './constants.js';
import { decodeHeaderLba, hasSyncPattern } from './sector-header.js';

/** Length of the scrambled part of a sector: bytes 12-2351. */
export const SCRAMBLED_SIZE = SECTOR_SIZE_RAW - HEADER_OFFSET;

let table: Uint8Array | undefined;

function scramblerTable(): Uint8Array {
  if (table === undefined) {
    table = new Uint8Array(SCRAMBLED_SIZE);
    let register = 0x0001;
    for (let i = 0; i < SCRAMBLED_SIZE; i++) {
      let byte = 0;
      for (let bit = 0; bit < 8; bit++) {
        byte |= (register & 1) << bit;
        const feedback = (register ^ (register >>> 1)) & 1;
        register = (register >>> 1) | (feedback << 14);
      }
      table[i] = byte;
    }
  }
  return table;
}

/** A copy of the ECMA-130 Annex B sequence (2340 bytes, the XOR mask for bytes 12-2351). */
export function getScramblerTable(): Uint8Array {
  return scramblerTable().slice();
}

/**
 * Scrambles (or descrambles: same operation) a sector in place: XORs bytes 12 … min(length, 2352)
 * with the Annex B sequence. Shorter buffers (truncated reads) are processed as far as they go.
 */
export function scramble(sector: Uint8Array): void {
  const t = scramblerTable();
  const end = Math.min(sector.length, SECTOR_SIZE_RAW);
  for (let i = 12, j = 0; i < end; i++, j++) sector[i] = sector[i]! ^ t[j]!;
}

/** Descrambles a sector in place; identical to {@link scramble}. */
export const descramble = scramble;

/** Outcome of {@link descrambleAndCheck}. */
export interface DescrambleResult {
  /** The descrambled bytes look like a data sector (rules below); the sector stays descrambled. */
  ok: boolean;
  /** LBA from the descrambled header when its MSF is valid BCD, else null. */
  lba: number | null;
}

function isZero(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Descrambles a sector read scrambled and judges whether it really was a scrambled data sector,
 * the way redumper judges its unscramble test corpus (MMC-FACTS §3.8). The buffer may be truncated
 * (fewer than 2352 bytes). After XOR the sector is accepted when it has at least the 16 bytes of
 * sync + header, is not all zero before descrambling, and either
 *
 * - `expectedLba` is given and the header MSF decodes to it (sync and mode byte then do not matter), or
 * - the sync is intact and the mode byte is 1 or 2, or 0 with every byte after the header zero.
 *
 * On success the buffer stays descrambled; on failure it is scrambled back, so the caller keeps
 * what was read (typically: an audio sector that happened to be requested as data).
 */
export function descrambleAndCheck(sector: Uint8Array, expectedLba?: number | null): DescrambleResult {
  const size = Math.min(sector.length, SECTOR_SIZE_RAW);
  if (size < MODE_OFFSET + 1 || isZero(sector, 0, size)) return { ok: false, lba: null };
  scramble(sector);
  const lba = decodeHeaderLba(sector);
  let ok = expectedLba !== undefined && expectedLba !== null && lba === expectedLba;
  if (!ok && hasSyncPattern(sector)) {
    const mode = sector[MODE_OFFSET];
    ok = mode === 1 || mode === 2 || (mode === 0 && isZero(sector, MODE_OFFSET + 1, size));
  }
  if (!ok) scramble(sector);
  return { ok, lba };
}
