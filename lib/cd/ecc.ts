/**
 * ECC of CD-ROM data sectors: the Reed-Solomon Product Code (RSPC) of ECMA-130 Annex A, over
 * GF(2⁸) with primitive polynomial x⁸+x⁴+x³+x²+1 (0x11D) and primitive element α = x (MMC-FACTS §3.7).
 *
 * The 2340 bytes from offset 12 form 1170 16-bit words; the MSB and LSB byte planes are coded
 * separately, so everything below works on byte "columns"/"diagonals" of one plane each:
 *
 * - P parity, RS(26,24): 86 byte-columns × 24 rows over bytes 12-2075 (header, user data, EDC,
 *   intermediate/data). Column c, row r is byte 12 + c + 86·r. Its two parity bytes go to
 *   2076 + c and 2076 + 86 + c (P field 2076-2247).
 * - Q parity, RS(45,43): 52 byte-diagonals × 43 over bytes 12-2247 (including P). Diagonal d starts
 *   at byte 12 + 86·⌊d/2⌋ + (d mod 2) and advances 88 bytes modulo 2236. Parity bytes go to
 *   2248 + d and 2248 + 52 + d (Q field 2248-2351).
 *
 * A codeword v₀…v_{n−1} (parity last) satisfies Σ vᵢ = 0 and Σ α^{n−1−i}·vᵢ = 0 (ECMA-130 Annex A
 * parity check matrices H_P, H_Q). With S0 = Σ dᵢ and S1 = Σ α^{n−1−i}·dᵢ over the data symbols,
 * the parity is p₀ = (S0 + S1)/(1 + α), p₁ = S0 + p₀.
 *
 * Mode 2 Form 1 computes ECC with the 4 header bytes taken as zero (CD-ROM XA; MMC-FACTS §3.7), so
 * a Form 1 sector's ECC does not depend on its address.
 */

import { ECC_P_OFFSET, ECC_Q_OFFSET, HEADER_OFFSET, SECTOR_SIZE_RAW } from './constants.js';

/** Sector types protected by ECC. */
export type EccSectorType = 'mode1' | 'mode2-form1';

/** Result of {@link checkEcc}: whether the stored P and Q parity match the sector's contents. */
export interface EccCheck {
  p: boolean;
  q: boolean;
}

const P_COLUMNS = 86;
const P_ROWS = 24;
const Q_DIAGONALS = 52;
const Q_LENGTH = 43;
/** Bytes 12-2075: what P covers. */
const P_SPAN = P_COLUMNS * P_ROWS; // 2064
/** Bytes 12-2247: what Q covers. */
const Q_SPAN = P_SPAN + 2 * P_COLUMNS; // 2236

interface EccTables {
  /** x ↦ α·x. */
  mulAlpha: Uint8Array;
  /** x ↦ x / (1 + α). */
  divOnePlusAlpha: Uint8Array;
  /** For diagonal d and element m: offset into the 2236-byte span. */
  qIndex: Uint16Array;
  /** Bytes 12-2247 of the sector being processed (header zeroed for Form 1). */
  scratch: Uint8Array;
}

let eccTables: EccTables | undefined;

function tables(): EccTables {
  if (eccTables === undefined) {
    const mulAlpha = new Uint8Array(256);
    const divOnePlusAlpha = new Uint8Array(256);
    for (let x = 0; x < 256; x++) {
      const ax = x & 0x80 ? ((x << 1) ^ 0x11d) & 0xff : x << 1;
      mulAlpha[x] = ax;
      // (1 + α)·x = x ⊕ αx; the map is a bijection, so invert it by filling the table backwards.
      divOnePlusAlpha[x ^ ax] = x;
    }
    const qIndex = new Uint16Array(Q_DIAGONALS * Q_LENGTH);
    for (let d = 0; d < Q_DIAGONALS; d++) {
      let index = (d >> 1) * P_COLUMNS + (d & 1);
      for (let m = 0; m < Q_LENGTH; m++) {
        qIndex[d * Q_LENGTH + m] = index;
        index += 88;
        if (index >= Q_SPAN) index -= Q_SPAN;
      }
    }
    eccTables = { mulAlpha, divOnePlusAlpha, qIndex, scratch: new Uint8Array(Q_SPAN) };
  }
  return eccTables;
}

function requireRawSector(sector: Uint8Array): void {
  if (sector.length < SECTOR_SIZE_RAW) {
    throw new RangeError(`Expected a raw sector of ${SECTOR_SIZE_RAW} bytes, got ${sector.length}`);
  }
}

function checkType(type: EccSectorType): boolean {
  if (type === 'mode1') return false;
  if (type === 'mode2-form1') return true;
  throw new TypeError(`Expected sector type 'mode1' or 'mode2-form1', got ${String(type)}`);
}

/** Copies bytes 12 … 12+length of `sector` into the scratch span, zeroing the header for Form 1. */
function loadScratch(t: EccTables, sector: Uint8Array, length: number, zeroHeader: boolean): Uint8Array {
  const s = t.scratch;
  s.set(sector.subarray(HEADER_OFFSET, HEADER_OFFSET + length));
  if (zeroHeader) {
    s[0] = 0;
    s[1] = 0;
    s[2] = 0;
    s[3] = 0;
  }
  return s;
}

/**
 * P parity of `s` (the 2236-byte span starting at sector byte 12). When `write` is true the parity
 * is stored into `s` (so Q can cover it) and into `sector`; otherwise it is compared with the
 * parity stored in `sector` and the result returned.
 */
function pParity(t: EccTables, s: Uint8Array, sector: Uint8Array, write: boolean): boolean {
  const mul = t.mulAlpha;
  const div = t.divOnePlusAlpha;
  let ok = true;
  for (let c = 0; c < P_COLUMNS; c++) {
    let a = 0;
    let b = 0;
    for (let i = c; i < P_SPAN; i += P_COLUMNS) {
      const v = s[i]!;
      a = mul[a ^ v]!;
      b ^= v;
    }
    const p0 = div[mul[a]! ^ b]!;
    const p1 = p0 ^ b;
    if (write) {
      s[P_SPAN + c] = p0;
      s[P_SPAN + P_COLUMNS + c] = p1;
      sector[ECC_P_OFFSET + c] = p0;
      sector[ECC_P_OFFSET + P_COLUMNS + c] = p1;
    } else if (sector[ECC_P_OFFSET + c] !== p0 || sector[ECC_P_OFFSET + P_COLUMNS + c] !== p1) {
      ok = false;
    }
  }
  return ok;
}

/** Q parity of the span `s`; writes it into `sector` or compares with what is stored there. */
function qParity(t: EccTables, s: Uint8Array, sector: Uint8Array, write: boolean): boolean {
  const mul = t.mulAlpha;
  const div = t.divOnePlusAlpha;
  const qIndex = t.qIndex;
  let ok = true;
  for (let d = 0; d < Q_DIAGONALS; d++) {
    let a = 0;
    let b = 0;
    const base = d * Q_LENGTH;
    for (let m = 0; m < Q_LENGTH; m++) {
      const v = s[qIndex[base + m]!]!;
      a = mul[a ^ v]!;
      b ^= v;
    }
    const q0 = div[mul[a]! ^ b]!;
    const q1 = q0 ^ b;
    if (write) {
      sector[ECC_Q_OFFSET + d] = q0;
      sector[ECC_Q_OFFSET + Q_DIAGONALS + d] = q1;
    } else if (sector[ECC_Q_OFFSET + d] !== q0 || sector[ECC_Q_OFFSET + Q_DIAGONALS + d] !== q1) {
      ok = false;
    }
  }
  return ok;
}

/**
 * Computes P then Q parity (ECMA-130 Annex A) and stores them in place at 2076-2351. Everything
 * else (sync, header, user data, EDC, intermediate field) must already be in the sector.
 * For `'mode2-form1'` the header is taken as zero (the sector's header bytes are not modified).
 */
export function computeEcc(sector: Uint8Array, type: EccSectorType): void {
  requireRawSector(sector);
  const zeroHeader = checkType(type);
  const t = tables();
  const s = loadScratch(t, sector, P_SPAN, zeroHeader);
  pParity(t, s, sector, true);
  qParity(t, s, sector, true);
}

/** True when the stored P parity (2076-2247) matches bytes 12-2075. */
export function checkEccP(sector: Uint8Array, type: EccSectorType): boolean {
  requireRawSector(sector);
  const zeroHeader = checkType(type);
  const t = tables();
  return pParity(t, loadScratch(t, sector, P_SPAN, zeroHeader), sector, false);
}

/** True when the stored Q parity (2248-2351) matches bytes 12-2247, i.e. including the stored P. */
export function checkEccQ(sector: Uint8Array, type: EccSectorType): boolean {
  requireRawSector(sector);
  const zeroHeader = checkType(type);
  const t = tables();
  return qParity(t, loadScratch(t, sector, Q_SPAN, zeroHeader), sector, false);
}

/**
 * Checks both parity fields without modifying the sector (ECMA-130 Annex A). P and Q are judged
 * independently: Q is checked against the P bytes as stored.
 */
export function checkEcc(sector: Uint8Array, type: EccSectorType): EccCheck {
  requireRawSector(sector);
  const zeroHeader = checkType(type);
  const t = tables();
  const s = loadScratch(t, sector, Q_SPAN, zeroHeader);
  return { p: pParity(t, s, sector, false), q: qParity(t, s, sector, false) };
}
