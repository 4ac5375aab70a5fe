/**
 * Verification of raw (2352-byte) CD images: every data sector's sync, header address and mode,
 * EDC, ECC P and Q, XA subheader copies (ECMA-130 §14, Annex A; CD-ROM XA; MMC-FACTS §3.5-3.8).
 *
 * The hot loop ({@link verifyRawSectors}) turns N sectors into N 16-bit result codes
 * ({@link RawSectorFlags}). It runs in the native addon when that is built (native/edc_ecc.cc,
 * the same algorithm) and in TypeScript otherwise; both give identical codes. Only sectors with a
 * problem are looked at again, in TypeScript: scrambled sectors are descrambled, and sectors whose
 * ECC does not match are run through single-error correction of the P and Q codewords to tell
 * "correctable" from "uncorrectable".
 *
 * ECC is checked through syndromes: a codeword v₀…v_{n−1} of RS(26,24) (P) or RS(45,43) (Q) is
 * consistent when S0 = Σ vᵢ and S1 = Σ α^{n−1−i}·vᵢ are both zero. The bytes 12-2247 form a grid
 * of 26 rows × 86 columns (rows 24 and 25 are the P parity); P codeword c is column c; Q codeword
 * d = 2w + b takes, for m = 0…42, row (w + m) mod 26, column 2m + b, then Q parity bytes d and
 * 52 + d. P runs on whole rows and Q on gathered 16-bit pairs, four codewords per 32-bit word,
 * with multiplication by α done on all bytes of a word at once.
 */

import { open, stat } from 'node:fs/promises';
import { AbortError, FormatError, UnsupportedError } from '../errors.js';
import type { CueSheet } from '../image/cue-sheet.js';
import { layoutCueImage, loadRawImage, type RawImageTrack } from '../image/split.js';
import { loadNativeBinding } from '../transport/native-binding.js';
import { SECTOR_SIZE_RAW } from './constants.js';
import { computeEdc, readEdc } from './edc.js';
import { scramble } from './scrambler.js';

/** Bits of a per-sector result code. The first eight and ZERO_FIELD are problems; FORM2 and NO_EDC inform. */
export const RawSectorFlags = Object.freeze({
  /** Bytes 0-11 are not the sync pattern. */
  SYNC: 0x001,
  /** The header's MSF is not valid BCD or not the sector's position. */
  ADDRESS: 0x002,
  /** The mode byte is not the track's (or not 1 or 2). */
  MODE: 0x004,
  /** The stored EDC does not match. */
  EDC: 0x008,
  /** Some P codeword is inconsistent. */
  ECC_P: 0x010,
  /** Some Q codeword is inconsistent. */
  ECC_Q: 0x020,
  /** The two XA subheader copies differ. */
  SUBHEADER: 0x040,
  /** All 2352 bytes are zero: never read (a rescue leaves unread sectors zero). */
  UNREAD: 0x080,
  /** A Mode 2 Form 2 sector. */
  FORM2: 0x100,
  /** A Form 2 sector with EDC zero ("not computed"; not a problem). */
  NO_EDC: 0x200,
  /** Mode 1 bytes 2068-2075 are not zero. */
  ZERO_FIELD: 0x400,
});

/** The bits of a code that are problems. */
export const RAW_SECTOR_PROBLEMS = 0x0ff | RawSectorFlags.ZERO_FIELD;

/** The addon function (native/addon.cc `edcEccVerify`). */
export type NativeEdcEccVerify = (data: Uint8Array, count: number, firstLba: number, mode: number, out: Uint16Array) => void;

let nativeVerify: NativeEdcEccVerify | null | undefined;

/** The addon's verifier, or undefined when the addon is not built (or too old to have it). */
export function nativeEdcEcc(): NativeEdcEccVerify | undefined {
  if (nativeVerify === undefined) {
    nativeVerify = null;
    try {
      const binding = loadNativeBinding() as unknown as { edcEccVerify?: unknown };
      if (typeof binding.edcEccVerify === 'function') nativeVerify = binding.edcEccVerify as NativeEdcEccVerify;
    } catch {
      // No addon: the TypeScript loop does the work.
    }
  }
  return nativeVerify ?? undefined;
}

// ---------------------------------------------------------------------------------------------
// The TypeScript hot loop

const SYNC = [0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
/** Frames of 0:00:00 to the LBA; lead-in LBAs (below −150) map to minutes 90-99 (MMC-FACTS §3.2). */
const LEAD_IN_OFFSET = 450_150;
const MIN_LBA = -45_150;
const MAX_LBA = 404_849;

let alignedScratch: Uint8Array | undefined;
let gf: { exp: Uint8Array; log: Uint8Array } | undefined;

function gfTables(): { exp: Uint8Array; log: Uint8Array } {
  if (gf === undefined) {
    const exp = new Uint8Array(512);
    const log = new Uint8Array(256);
    let x = 1;
    for (let i = 0; i < 255; i++) {
      exp[i] = x;
      log[x] = i;
      x = x & 0x80 ? ((x << 1) ^ 0x11d) & 0xff : x << 1;
    }
    for (let i = 255; i < 512; i++) exp[i] = exp[i - 255]!;
    gf = { exp, log };
  }
  return gf;
}

/** α·x on each byte of a 32-bit word (GF(2⁸), polynomial 0x11D). */
function mulAlpha4(x: number): number {
  return (((x & 0x7f7f7f7f) << 1) ^ (((x >>> 7) & 0x01010101) * 0x1d)) | 0;
}

/**
 * True when every P and Q codeword of the sector at `u16[base…]` (16-bit view, `base` the sector's
 * first word) is consistent. With `zeroHeader` the 4 header bytes count as zero (Form 1).
 */
function eccConsistent(u16: Uint16Array, base: number, zeroHeader: boolean): { p: boolean; q: boolean } {
  // Grid word (row r, pair j) = u16[base + 6 + 43r + j].
  const g = base + 6;
  const h0 = zeroHeader ? u16[g]! : 0;
  const h1 = zeroHeader ? u16[g + 1]! : 0;
  // P: 22 lanes of two 16-bit pairs, the last holding one pair.
  let pBad = 0;
  for (let lane = 0; lane < 22; lane++) {
    const j = lane * 2;
    let s0 = 0;
    let s1 = 0;
    for (let r = 0, o = g + j; r < 26; r++, o += 43) {
      let v = u16[o]!;
      if (j + 1 < 43) v |= u16[o + 1]! << 16;
      if (r === 0 && lane === 0) v ^= h0 | (h1 << 16);
      s0 ^= v;
      s1 = mulAlpha4(s1) ^ v;
    }
    pBad |= s0 | s1;
  }
  // Q: 13 lanes of two 16-bit pairs (w = 2k, 2k+1), 43 gathered steps, then the parity bytes.
  let qBad = 0;
  for (let k = 0; k < 13; k++) {
    const w0 = 2 * k;
    let s0 = 0;
    let s1 = 0;
    // Row of pair m for w0: (w0 + m) mod 26, kept by stepping (w0 + m reaches 66).
    let r0 = w0;
    for (let m = 0; m < 43; m++, r0 = r0 === 25 ? 0 : r0 + 1) {
      const r1 = r0 === 25 ? 0 : r0 + 1;
      let v = u16[g + 43 * r0 + m]! | (u16[g + 43 * r1 + m]! << 16);
      // The header is row 0, pairs 0 and 1: pair 0 at m = 0 (w = 0), pair 1 at m = 1 (w = 25).
      if (zeroHeader) {
        if (m === 0 && r0 === 0) v ^= h0;
        if (m === 1 && r1 === 0) v ^= h1 << 16;
      }
      s0 ^= v;
      s1 = mulAlpha4(s1) ^ v;
    }
    // Q parity: bytes 2248 + d (word 1124 + w) and 2300 + d (word 1150 + w).
    const q0 = u16[base + 1124 + w0]! | (u16[base + 1125 + w0]! << 16);
    s0 ^= q0;
    s1 = mulAlpha4(s1) ^ q0;
    const q1 = u16[base + 1150 + w0]! | (u16[base + 1151 + w0]! << 16);
    s0 ^= q1;
    s1 = mulAlpha4(s1) ^ q1;
    qBad |= s0 | s1;
  }
  return { p: pBad === 0, q: qBad === 0 };
}

function isZero(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

function bcd(value: number): number {
  return ((value / 10) | 0) * 16 + (value % 10);
}

/** The code of one sector at `buf[o…o+2351]`; `u16` views `buf` (even `o`). */
function verifyOne(buf: Uint8Array, u16: Uint16Array, o: number, lba: number, mode: number): number {
  let code = 0;
  let syncOk = true;
  for (let i = 0; i < 12; i++) {
    if (buf[o + i] !== SYNC[i]) {
      syncOk = false;
      break;
    }
  }
  if (!syncOk) {
    if (isZero(buf, o, o + SECTOR_SIZE_RAW)) return RawSectorFlags.UNREAD;
    code |= RawSectorFlags.SYNC;
  }
  if (lba < MIN_LBA || lba > MAX_LBA) code |= RawSectorFlags.ADDRESS;
  else {
    const x = lba < -150 ? lba + LEAD_IN_OFFSET : lba + 150;
    if (buf[o + 12] !== bcd((x / 4500) | 0) || buf[o + 13] !== bcd(((x / 75) | 0) % 60) || buf[o + 14] !== bcd(x % 75)) {
      code |= RawSectorFlags.ADDRESS;
    }
  }
  const actual = buf[o + 15]!;
  if ((mode !== 0 && actual !== mode) || (actual !== 1 && actual !== 2)) code |= RawSectorFlags.MODE;
  if (actual === 1) {
    if (computeEdc(buf, o, o + 2064) !== readEdc(buf, o + 2064)) code |= RawSectorFlags.EDC;
    if (!isZero(buf, o + 2068, o + 2076)) code |= RawSectorFlags.ZERO_FIELD;
    const ecc = eccConsistent(u16, o >>> 1, false);
    if (!ecc.p) code |= RawSectorFlags.ECC_P;
    if (!ecc.q) code |= RawSectorFlags.ECC_Q;
  } else if (actual === 2) {
    if (buf[o + 16] !== buf[o + 20] || buf[o + 17] !== buf[o + 21] || buf[o + 18] !== buf[o + 22] || buf[o + 19] !== buf[o + 23]) {
      code |= RawSectorFlags.SUBHEADER;
    }
    if ((buf[o + 18]! & 0x20) !== 0) {
      code |= RawSectorFlags.FORM2;
      const stored = readEdc(buf, o + 2348);
      if (stored === 0) code |= RawSectorFlags.NO_EDC;
      else if (computeEdc(buf, o + 16, o + 2348) !== stored) code |= RawSectorFlags.EDC;
    } else {
      if (computeEdc(buf, o + 16, o + 2072) !== readEdc(buf, o + 2072)) code |= RawSectorFlags.EDC;
      const ecc = eccConsistent(u16, o >>> 1, true);
      if (!ecc.p) code |= RawSectorFlags.ECC_P;
      if (!ecc.q) code |= RawSectorFlags.ECC_Q;
    }
  }
  return code;
}

function checkVerifyArguments(data: Uint8Array, count: number, firstLba: number, mode: number, out: Uint16Array): void {
  if (!(data instanceof Uint8Array)) throw new TypeError('Expected "data" to be a Uint8Array');
  if (!Number.isSafeInteger(count) || count < 0 || count * SECTOR_SIZE_RAW > data.length) {
    throw new RangeError(`Expected "count" to be 0…${Math.floor(data.length / SECTOR_SIZE_RAW)}, got ${String(count)}`);
  }
  if (!Number.isSafeInteger(firstLba) || Math.abs(firstLba) > 0x7fffffff - count) throw new RangeError(`Expected "firstLba" to be an integer, got ${String(firstLba)}`);
  if (mode !== 0 && mode !== 1 && mode !== 2) throw new RangeError(`Expected "mode" to be 0, 1 or 2, got ${String(mode)}`);
  if (!(out instanceof Uint16Array) || out.length < count) throw new RangeError(`Expected "out" to be a Uint16Array of at least ${count} codes`);
}

/**
 * The TypeScript hot loop: codes of `count` raw sectors in `data` (sector i at LBA firstLba + i)
 * into `out`. `mode` is the track's mode (1 or 2), or 0 to take each sector's own mode byte.
 */
export function verifyRawSectorsTs(data: Uint8Array, count: number, firstLba: number, mode: 0 | 1 | 2, out: Uint16Array): void {
  checkVerifyArguments(data, count, firstLba, mode, out);
  let buf = data;
  let o = 0;
  if ((data.byteOffset & 1) !== 0) {
    // The 16-bit view needs an even offset: work on a copy, one sector at a time.
    if (alignedScratch === undefined) alignedScratch = new Uint8Array(SECTOR_SIZE_RAW);
    buf = alignedScratch;
  }
  const u16 = new Uint16Array(buf.buffer, buf.byteOffset, buf.length >>> 1);
  for (let i = 0; i < count; i++) {
    if (buf !== data) buf.set(data.subarray(i * SECTOR_SIZE_RAW, (i + 1) * SECTOR_SIZE_RAW));
    else o = i * SECTOR_SIZE_RAW;
    out[i] = verifyOne(buf, u16, o, firstLba + i, mode);
  }
}

/**
 * Codes of `count` raw sectors (see {@link RawSectorFlags}); the addon's loop when built, else
 * {@link verifyRawSectorsTs}. `engine` forces one ('native' throws when the addon is missing).
 */
export function verifyRawSectors(
  data: Uint8Array,
  count: number,
  firstLba: number,
  mode: 0 | 1 | 2,
  out: Uint16Array = new Uint16Array(count),
  engine: 'auto' | 'native' | 'typescript' = 'auto',
): Uint16Array {
  const native = engine === 'typescript' ? undefined : nativeEdcEcc();
  if (engine === 'native' && native === undefined) throw new UnsupportedError('the native addon with edcEccVerify is not built (npm run build:native)');
  if (native !== undefined) {
    checkVerifyArguments(data, count, firstLba, mode, out);
    native(data, count, firstLba, mode, out);
  } else {
    verifyRawSectorsTs(data, count, firstLba, mode, out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// ECC correction (slow path)

/** Outcome of {@link classifyEcc}. */
export interface EccClassification {
  /** consistent: nothing to fix; correctable: single-byte errors per codeword fixed it (EDC then matches); else uncorrectable. */
  status: 'consistent' | 'correctable' | 'uncorrectable';
  /** Inconsistent P and Q codewords before correction. */
  pCodewordsBad: number;
  qCodewordsBad: number;
  /** Bytes changed by the correction (0 unless correctable). */
  bytesCorrected: number;
}

/** Byte offsets (in the sector) of codeword `c` of P (`q` false) or Q, parity last. */
function codewordOffsets(q: boolean, c: number): number[] {
  const offsets: number[] = [];
  if (!q) {
    for (let r = 0; r < 26; r++) offsets.push(12 + 86 * r + c);
  } else {
    const w = c >> 1;
    const b = c & 1;
    for (let m = 0; m < 43; m++) offsets.push(12 + 86 * ((w + m) % 26) + 2 * m + b);
    offsets.push(2248 + c, 2300 + c);
  }
  return offsets;
}

let codewordTable: number[][][] | undefined;
function codewords(): number[][][] {
  if (codewordTable === undefined) {
    codewordTable = [
      Array.from({ length: 86 }, (_, c) => codewordOffsets(false, c)),
      Array.from({ length: 52 }, (_, c) => codewordOffsets(true, c)),
    ];
  }
  return codewordTable;
}

/**
 * One pass over the P or Q codewords: counts the inconsistent ones and, with `fix`, corrects each
 * single-byte error; returns bad codewords, fixed bytes and uncorrectable ones.
 */
function correctPass(s: Uint8Array, q: boolean, fix = true): { bad: number; fixed: number; stuck: number } {
  const { log } = gfTables();
  let bad = 0;
  let fixed = 0;
  let stuck = 0;
  for (const offsets of codewords()[q ? 1 : 0]!) {
    const n = offsets.length;
    let s0 = 0;
    let s1 = 0;
    for (const offset of offsets) {
      const v = s[offset]!;
      s0 ^= v;
      s1 = (s1 & 0x80 ? ((s1 << 1) ^ 0x11d) & 0xff : s1 << 1) ^ v;
    }
    if (s0 === 0 && s1 === 0) continue;
    bad++;
    if (!fix) continue;
    if (s0 === 0 || s1 === 0) {
      stuck++;
      continue;
    }
    // One error e at i: S0 = e, S1 = α^{n−1−i}·e.
    const power = (log[s1]! - log[s0]! + 255) % 255;
    const i = n - 1 - power;
    if (i < 0) {
      stuck++;
      continue;
    }
    const at = offsets[i]!;
    s[at] = s[at]! ^ s0;
    fixed++;
  }
  return { bad, fixed, stuck };
}

/**
 * Tells whether a sector with inconsistent ECC can be repaired: alternating P and Q passes of
 * single-error correction (a few rounds, as a drive's decoder does), accepted only when every
 * codeword ends consistent and the EDC then matches. Pure: works on a copy.
 */
export function classifyEcc(sector: Uint8Array, type: 'mode1' | 'mode2-form1'): EccClassification {
  if (!(sector instanceof Uint8Array) || sector.length < SECTOR_SIZE_RAW) throw new RangeError(`Expected a raw sector of ${SECTOR_SIZE_RAW} bytes`);
  const s = sector.slice(0, SECTOR_SIZE_RAW);
  const header = s.slice(12, 16);
  if (type === 'mode2-form1') s.fill(0, 12, 16);
  const first = { p: correctPassCount(s, false), q: correctPassCount(s, true) };
  const result: EccClassification = { status: 'consistent', pCodewordsBad: first.p, qCodewordsBad: first.q, bytesCorrected: 0 };
  if (first.p === 0 && first.q === 0) return result;
  let fixed = 0;
  for (let round = 0; round < 4; round++) {
    const p = correctPass(s, false);
    const q = correctPass(s, true);
    fixed += p.fixed + q.fixed;
    if (p.bad === 0 && q.bad === 0) break;
  }
  const consistent = correctPassCount(s, false) === 0 && correctPassCount(s, true) === 0;
  if (type === 'mode2-form1') s.set(header, 12);
  const edcOk = type === 'mode1' ? computeEdc(s, 0, 2064) === readEdc(s, 2064) : computeEdc(s, 16, 2072) === readEdc(s, 2072);
  if (consistent && edcOk) {
    result.status = 'correctable';
    result.bytesCorrected = fixed;
  } else {
    result.status = 'uncorrectable';
  }
  return result;
}

function correctPassCount(s: Uint8Array, q: boolean): number {
  return correctPass(s, q, false).bad;
}

// ---------------------------------------------------------------------------------------------
// Whole images

/** Counts over a track or the whole image. */
export interface RawVerifyCounts {
  /** Sectors in the image's files (whole sectors; see truncatedBytes). */
  sectors: number;
  /** Data sectors checked (raw data tracks). */
  verified: number;
  /** Checked and without problem. */
  ok: number;
  /** All zero: never read. */
  unread: number;
  /** Audio sectors (not checkable). */
  audio: number;
  /** Sectors of cooked tracks (2048/2336 bytes: no sync or header to check). */
  notRaw: number;
  syncErrors: number;
  addressErrors: number;
  modeErrors: number;
  edcErrors: number;
  /** Sectors with an inconsistent P or Q codeword… */
  eccErrors: number;
  /** …that single-byte correction repairs (EDC matching afterwards)… */
  eccCorrectable: number;
  /** …and that it does not. */
  eccUncorrectable: number;
  subheaderMismatches: number;
  zeroFieldErrors: number;
  form1: number;
  form2: number;
  /** Form 2 sectors with EDC zero ("not computed"). */
  form2WithoutEdc: number;
  /** Sectors found scrambled (sync intact, header right only after descrambling), checked descrambled. */
  descrambled: number;
  /** Bytes of a partial last sector. */
  truncatedBytes: number;
}

/** One track of a {@link RawVerifyReport}. */
export interface RawTrackVerifyReport extends RawVerifyCounts {
  number: number;
  session: number;
  mode: string;
  /** Disc LBA of the first file sector (its in-file pregap included) and of INDEX 01. */
  firstLba: number;
  startLba: number;
  /** LBAs of the first sectors with a problem (at most {@link MAX_LISTED_LBAS}). */
  badLbas: number[];
}

/** What {@link verifyRawImage} found. */
export interface RawVerifyReport {
  tracks: RawTrackVerifyReport[];
  totals: RawVerifyCounts;
  /** Every checked sector passed (and none unread). */
  ok: boolean;
  /** Some sectors were scrambled (a raw read of data as audio). */
  scrambled: boolean;
  engine: 'native' | 'typescript';
}

/** Options of {@link verifyRawImage}. */
export interface VerifyRawOptions {
  onProgress?: (progress: { bytesDone: number; bytesTotal: number }) => void;
  signal?: AbortSignal;
  /** 'auto' (default) uses the addon when built. */
  engine?: 'auto' | 'native' | 'typescript';
}

/** A sheet with its files given directly: paths, or the bytes themselves (in `sheet.files` order). */
export interface RawImageInput {
  sheet: CueSheet;
  bins: ReadonlyArray<string | Uint8Array>;
}

export const MAX_LISTED_LBAS = 64;
const CHUNK_SECTORS = 1024;

function emptyCounts(): RawVerifyCounts {
  return {
    sectors: 0,
    verified: 0,
    ok: 0,
    unread: 0,
    audio: 0,
    notRaw: 0,
    syncErrors: 0,
    addressErrors: 0,
    modeErrors: 0,
    edcErrors: 0,
    eccErrors: 0,
    eccCorrectable: 0,
    eccUncorrectable: 0,
    subheaderMismatches: 0,
    zeroFieldErrors: 0,
    form1: 0,
    form2: 0,
    form2WithoutEdc: 0,
    descrambled: 0,
    truncatedBytes: 0,
  };
}

/** Looks again at a sector with a problem: descrambles it when that explains the problem, classifies its ECC. */
function recheck(sector: Uint8Array, lba: number, mode: 0 | 1 | 2, code: number, counts: RawVerifyCounts, engine: 'auto' | 'native' | 'typescript'): number {
  const one = new Uint16Array(1);
  if ((code & (RawSectorFlags.SYNC | RawSectorFlags.UNREAD)) === 0 && (code & (RawSectorFlags.ADDRESS | RawSectorFlags.MODE)) !== 0) {
    const copy = sector.slice(0, SECTOR_SIZE_RAW);
    scramble(copy);
    verifyRawSectors(copy, 1, lba, mode, one, engine);
    if ((one[0]! & (RawSectorFlags.ADDRESS | RawSectorFlags.MODE)) === 0) {
      counts.descrambled++;
      sector.set(copy);
      code = one[0]!;
    }
  }
  if ((code & (RawSectorFlags.ECC_P | RawSectorFlags.ECC_Q)) !== 0) {
    const type = sector[15] === 1 ? 'mode1' : 'mode2-form1';
    if (classifyEcc(sector, type).status === 'correctable') counts.eccCorrectable++;
    else counts.eccUncorrectable++;
  }
  return code;
}

/** Adds one checked sector; `modeByte` tells Form 1 (mode 2 without the Form 2 bit). */
function tally(counts: RawVerifyCounts, code: number, modeByte: number): void {
  counts.verified++;
  if ((code & RAW_SECTOR_PROBLEMS) === 0) counts.ok++;
  if (code & RawSectorFlags.UNREAD) {
    counts.unread++;
    return;
  }
  if (code & RawSectorFlags.SYNC) counts.syncErrors++;
  if (code & RawSectorFlags.ADDRESS) counts.addressErrors++;
  if (code & RawSectorFlags.MODE) counts.modeErrors++;
  if (code & RawSectorFlags.EDC) counts.edcErrors++;
  if (code & (RawSectorFlags.ECC_P | RawSectorFlags.ECC_Q)) counts.eccErrors++;
  if (code & RawSectorFlags.SUBHEADER) counts.subheaderMismatches++;
  if (code & RawSectorFlags.ZERO_FIELD) counts.zeroFieldErrors++;
  if (code & RawSectorFlags.FORM2) {
    counts.form2++;
    if (code & RawSectorFlags.NO_EDC) counts.form2WithoutEdc++;
  } else if (modeByte === 2) {
    counts.form1++;
  }
}

interface BinReader {
  size: number;
  read(position: number, length: number, into: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

async function openBin(bin: string | Uint8Array): Promise<BinReader> {
  if (bin instanceof Uint8Array) {
    return { size: bin.length, read: async (position, length) => bin.subarray(position, position + length), close: async () => {} };
  }
  if (typeof bin !== 'string' || bin === '') throw new TypeError('Expected each of "bins" to be a path or a Uint8Array');
  const info = await stat(bin).catch((error: unknown) => {
    throw new FormatError(`cannot open "${bin}": ${(error as Error).message}`, { file: bin, cause: error });
  });
  const handle = await open(bin, 'r');
  return {
    size: info.size,
    async read(position, length, into) {
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(into, done, length - done, position + done);
        if (bytesRead === 0) throw new FormatError(`${bin} ended at byte ${position + done} while being read`, { file: bin });
        done += bytesRead;
      }
      return into.subarray(0, length);
    },
    close: () => handle.close(),
  };
}

function addCounts(into: RawVerifyCounts, from: RawVerifyCounts): void {
  for (const key of Object.keys(into) as Array<keyof RawVerifyCounts>) into[key] += from[key];
}

/**
 * Verifies every data sector of a raw CUE/BIN image (a `.cue` path, or a sheet with its files).
 * Audio and cooked (2048/2336-byte) tracks are counted, not checked. FormatError for a malformed
 * sheet or missing files; damage is reported, never thrown.
 */
export async function verifyRawImage(input: string | RawImageInput, options: VerifyRawOptions = {}): Promise<RawVerifyReport> {
  const engine = options.engine ?? 'auto';
  let tracks: RawImageTrack[];
  let bins: ReadonlyArray<string | Uint8Array>;
  if (typeof input === 'string') {
    const loaded = await loadRawImage(input);
    tracks = loaded.tracks;
    bins = loaded.paths;
  } else {
    if (typeof input !== 'object' || input === null || !Array.isArray(input.sheet?.files) || !Array.isArray(input.bins)) {
      throw new TypeError('Expected a cue sheet path or { sheet, bins }');
    }
    if (input.bins.length !== input.sheet.files.length) {
      throw new RangeError(`Expected ${input.sheet.files.length} bins (one per FILE), got ${input.bins.length}`);
    }
    bins = input.bins;
    tracks = [];
  }
  const readers: BinReader[] = [];
  try {
    for (const bin of bins) readers.push(await openBin(bin));
    if (typeof input !== 'string') tracks = layoutCueImage(input.sheet, readers.map((reader) => reader.size));
    const useNative = engine !== 'typescript' && nativeEdcEcc() !== undefined;
    const bytesTotal = tracks.reduce((sum, track) => sum + track.segments.reduce((s, segment) => s + segment.byteLength, 0), 0);
    let bytesDone = 0;
    const chunk = new Uint8Array(CHUNK_SECTORS * SECTOR_SIZE_RAW);
    const codes = new Uint16Array(CHUNK_SECTORS);
    const report: RawVerifyReport = { tracks: [], totals: emptyCounts(), ok: true, scrambled: false, engine: useNative ? 'native' : 'typescript' };
    for (const track of tracks) {
      const counts = emptyCounts();
      const badLbas: number[] = [];
      const raw = track.sectorSize === SECTOR_SIZE_RAW;
      const audio = track.mode === 'AUDIO' || track.mode === 'CDG';
      const mode: 0 | 1 | 2 = track.mode.startsWith('MODE1') ? 1 : 2;
      let lba = track.fileFirstLba;
      for (const segment of track.segments) {
        const whole = Math.floor(segment.byteLength / track.sectorSize);
        counts.sectors += whole;
        counts.truncatedBytes += segment.byteLength - whole * track.sectorSize;
        if (audio || !raw) {
          if (audio) counts.audio += whole;
          else counts.notRaw += whole;
          lba += segment.frames;
          bytesDone += segment.byteLength;
          options.onProgress?.({ bytesDone, bytesTotal });
          continue;
        }
        const reader = readers[segment.fileIndex] as BinReader;
        for (let done = 0; done < whole; ) {
          if (options.signal?.aborted) throw new AbortError('Verifying the image was aborted', { cause: options.signal.reason });
          const count = Math.min(CHUNK_SECTORS, whole - done);
          const data = await reader.read(segment.byteStart + done * SECTOR_SIZE_RAW, count * SECTOR_SIZE_RAW, chunk);
          verifyRawSectors(data, count, lba, mode, codes, engine);
          for (let i = 0; i < count; i++) {
            let code = codes[i]!;
            if ((code & RAW_SECTOR_PROBLEMS) !== 0 && (code & RawSectorFlags.UNREAD) === 0) {
              const sector = data.slice(i * SECTOR_SIZE_RAW, (i + 1) * SECTOR_SIZE_RAW);
              code = recheck(sector, lba + i, mode, code, counts, engine);
            }
            tally(counts, code, data[i * SECTOR_SIZE_RAW + 15]!);
            if ((code & RAW_SECTOR_PROBLEMS) !== 0 && badLbas.length < MAX_LISTED_LBAS) badLbas.push(lba + i);
          }
          done += count;
          lba += count;
          bytesDone += count * SECTOR_SIZE_RAW;
          options.onProgress?.({ bytesDone, bytesTotal });
        }
        lba += segment.frames - whole;
        bytesDone += segment.byteLength - whole * SECTOR_SIZE_RAW;
      }
      addCounts(report.totals, counts);
      report.tracks.push({ number: track.number, session: track.session, mode: track.mode, firstLba: track.fileFirstLba, startLba: track.startLba, badLbas, ...counts });
    }
    report.ok = report.totals.ok === report.totals.verified;
    report.scrambled = report.totals.descrambled > 0;
    return report;
  } finally {
    for (const reader of readers) await reader.close();
  }
}
