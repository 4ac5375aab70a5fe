/**
 * EDC (error detection code) of CD-ROM data sectors: ECMA-130 §14 and Annex A — a 32-bit CRC with
 * generator (x¹⁶+x¹⁵+x²+1)(x¹⁶+x²+x+1) = 0x8001801B, processed LSB first (reflected table constant
 * 0xD8018001), initial value 0, no final XOR, stored least-significant byte first.
 * Check value for ASCII "123456789" = 0x6EC2EDC4 (MMC-FACTS §3.6).
 *
 * Coverage (MMC-FACTS §3.6): Mode 1 bytes 0-2063 → EDC at 2064; Mode 2 Form 1 bytes 16-2071 → 2072;
 * Mode 2 Form 2 bytes 16-2347 → 2348 (optional there: zero means "not computed").
 */

import { MODE1_EDC_OFFSET, MODE2_FORM1_EDC_OFFSET, MODE2_FORM2_EDC_OFFSET, SECTOR_SIZE_RAW } from './constants.js';

/** The sector types that carry an EDC. */
export type EdcSectorType = 'mode1' | 'mode2-form1' | 'mode2-form2';

/** Byte range `[start, end)` protected by the EDC, and where the EDC is stored (at `end`). */
export interface EdcRange {
  start: number;
  end: number;
}

/** EDC coverage per sector type (ECMA-130 §14; CD-ROM XA Form 1/Form 2). */
export const EDC_RANGES: Readonly<Record<EdcSectorType, Readonly<EdcRange>>> = Object.freeze({
  mode1: Object.freeze({ start: 0, end: MODE1_EDC_OFFSET }),
  'mode2-form1': Object.freeze({ start: 16, end: MODE2_FORM1_EDC_OFFSET }),
  'mode2-form2': Object.freeze({ start: 16, end: MODE2_FORM2_EDC_OFFSET }),
});

/** Slicing-by-4 tables: t0 is the classic byte table, tk[i] = t0 applied k more times. */
let tables: Uint32Array | undefined;

function edcTables(): Uint32Array {
  if (tables === undefined) {
    tables = new Uint32Array(4 * 256);
    for (let i = 0; i < 256; i++) {
      let crc = i;
      for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xd8018001 : crc >>> 1;
      tables[i] = crc >>> 0;
    }
    for (let k = 1; k < 4; k++) {
      for (let i = 0; i < 256; i++) {
        const prev = tables[(k - 1) * 256 + i]!;
        tables[k * 256 + i] = ((prev >>> 8) ^ tables[prev & 0xff]!) >>> 0;
      }
    }
  }
  return tables;
}

/** EDC of `buf[start, end)` (unsigned 32-bit). Pure: does not touch `buf`. */
export function computeEdc(buf: Uint8Array, start = 0, end = buf.length): number {
  if (!(start >= 0 && start <= end && end <= buf.length)) {
    throw new RangeError(`Expected 0 <= start <= end <= ${buf.length}, got start ${start}, end ${end}`);
  }
  const t = edcTables();
  let crc = 0;
  let i = start;
  const end4 = end - ((end - start) & 3);
  for (; i < end4; i += 4) {
    crc ^= buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    crc = t[768 + (crc & 0xff)]! ^ t[512 + ((crc >>> 8) & 0xff)]! ^ t[256 + ((crc >>> 16) & 0xff)]! ^ t[crc >>> 24]!;
  }
  for (; i < end; i++) crc = (crc >>> 8) ^ t[(crc ^ buf[i]!) & 0xff]!;
  return crc >>> 0;
}

/** Reads the 4-byte little-endian EDC stored at `offset`. */
export function readEdc(buf: Uint8Array, offset: number): number {
  return (buf[offset]! | (buf[offset + 1]! << 8) | (buf[offset + 2]! << 16) | (buf[offset + 3]! << 24)) >>> 0;
}

/** Writes `edc` little-endian at `offset` (ECMA-130 §14: least significant byte first). */
export function writeEdc(buf: Uint8Array, offset: number, edc: number): void {
  buf[offset] = edc & 0xff;
  buf[offset + 1] = (edc >>> 8) & 0xff;
  buf[offset + 2] = (edc >>> 16) & 0xff;
  buf[offset + 3] = (edc >>> 24) & 0xff;
}

function requireRawSector(sector: Uint8Array): void {
  if (sector.length < SECTOR_SIZE_RAW) {
    throw new RangeError(`Expected a raw sector of ${SECTOR_SIZE_RAW} bytes, got ${sector.length}`);
  }
}

/** EDC a raw 2352-byte sector of `type` should carry, computed over its coverage. */
export function computeSectorEdc(sector: Uint8Array, type: EdcSectorType): number {
  requireRawSector(sector);
  const range = EDC_RANGES[type];
  return computeEdc(sector, range.start, range.end);
}

/** Computes and stores the EDC of a raw sector in place. */
export function storeSectorEdc(sector: Uint8Array, type: EdcSectorType): void {
  const range = EDC_RANGES[type];
  writeEdc(sector, range.end, computeSectorEdc(sector, type));
}

/**
 * True when the stored EDC matches. For Mode 2 Form 2 a stored EDC of zero means "not computed"
 * (CD-ROM XA); `zeroFormTwoEdcIsOk` (default true) accepts it the way redumper does.
 */
export function checkSectorEdc(sector: Uint8Array, type: EdcSectorType, zeroFormTwoEdcIsOk = true): boolean {
  const range = EDC_RANGES[type];
  const stored = readEdc(sector, range.end);
  if (type === 'mode2-form2' && stored === 0 && zeroFormTwoEdcIsOk) return true;
  return computeSectorEdc(sector, type) === stored;
}
