/**
 * Raw 2352-byte CD sectors: building them from user data, recognising their type, verifying them
 * and locating their user data. Layouts (ECMA-130 §14; CD-ROM XA for Mode 2 Forms; MMC-FACTS §3.5):
 *
 * | type | 0-11 | 12-15 | 16-23 | user data | then |
 * |---|---|---|---|---|---|
 * | Mode 0 | sync | header | zeros 16-2351 | — | |
 * | Mode 1 | sync | header | user 16-2063 | 2048 | EDC 2064, zero 2068-2075, P 2076, Q 2248 |
 * | Mode 2 formless | sync | header | user 16-2351 | 2336 | |
 * | Mode 2 Form 1 | sync | header | subheader ×2 | 24-2071 (2048) | EDC 2072, P 2076, Q 2248 |
 * | Mode 2 Form 2 | sync | header | subheader ×2 | 24-2347 (2324) | EDC 2348 (optional) |
 * | CD-DA | audio 0-2351 | | | 2352 | |
 *
 * Builders write into `out` when given (a view of at least 2352 bytes; the user data may alias it)
 * and return it, so whole READ CD responses can be synthesized without per-sector allocation.
 */

import {
  ECC_P_OFFSET,
  MODE1_EDC_OFFSET,
  MODE1_INTERMEDIATE_OFFSET,
  MODE2_FORM1_EDC_OFFSET,
  MODE2_FORM2_EDC_OFFSET,
  MODE_OFFSET,
  SECTOR_SIZE_RAW,
  SUBHEADER_OFFSET,
  USER_DATA_SIZE_AUDIO,
  USER_DATA_SIZE_MODE1,
  USER_DATA_SIZE_MODE2,
  USER_DATA_SIZE_MODE2_FORM1,
  USER_DATA_SIZE_MODE2_FORM2,
} from './constants.js';
import { checkEcc, computeEcc } from './ecc.js';
import { checkSectorEdc, computeEdc, readEdc, writeEdc } from './edc.js';
import { decodeHeaderLba, encodeSectorHeader, hasSyncPattern, writeSyncPattern } from './sector-header.js';
import { encodeXaSubheader, XaSubmode, xaSubheaderCopiesMatch, type XaSubheader } from './xa-subheader.js';

/**
 * What a raw sector holds. `'unknown'`: the sync is there but the mode byte is not 0, 1 or 2
 * (a damaged header, or a packet-writing link block).
 */
export type SectorType = 'audio' | 'mode0' | 'mode1' | 'mode2-formless' | 'mode2-form1' | 'mode2-form2' | 'unknown';

/** Where the user data of each sector type lives in the raw sector. */
export const USER_DATA_LAYOUT: Readonly<Record<SectorType, Readonly<{ offset: number; size: number }>>> = Object.freeze({
  audio: Object.freeze({ offset: 0, size: USER_DATA_SIZE_AUDIO }),
  mode0: Object.freeze({ offset: 16, size: USER_DATA_SIZE_MODE2 }),
  mode1: Object.freeze({ offset: 16, size: USER_DATA_SIZE_MODE1 }),
  'mode2-formless': Object.freeze({ offset: 16, size: USER_DATA_SIZE_MODE2 }),
  'mode2-form1': Object.freeze({ offset: 24, size: USER_DATA_SIZE_MODE2_FORM1 }),
  'mode2-form2': Object.freeze({ offset: 24, size: USER_DATA_SIZE_MODE2_FORM2 }),
  unknown: Object.freeze({ offset: 16, size: USER_DATA_SIZE_MODE2 }),
});

function outputSector(out: Uint8Array | undefined): Uint8Array {
  if (out === undefined) return new Uint8Array(SECTOR_SIZE_RAW);
  if (!(out instanceof Uint8Array) || out.length < SECTOR_SIZE_RAW) {
    throw new RangeError(`Expected "out" to be a Uint8Array of at least ${SECTOR_SIZE_RAW} bytes`);
  }
  return out;
}

function requireUserData(data: unknown, size: number): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError(`Expected the user data to be a Uint8Array of ${size} bytes`);
  if (data.length !== size) throw new RangeError(`Expected ${size} bytes of user data, got ${data.length}`);
  return data;
}

function requireRawSector(raw: Uint8Array): void {
  if (!(raw instanceof Uint8Array) || raw.length < SECTOR_SIZE_RAW) {
    throw new RangeError(`Expected a raw sector of ${SECTOR_SIZE_RAW} bytes`);
  }
}

function submodeOf(subheader: XaSubheader | Uint8Array): number | undefined {
  return subheader instanceof Uint8Array ? subheader[2] : subheader?.submode;
}

/**
 * Mode 1 sector (ECMA-130 §14): sync, header, 2048 user bytes, EDC over 0-2063, 8 zero bytes,
 * P and Q parity (Annex A).
 */
export function buildMode1Sector(lba: number, user: Uint8Array, out?: Uint8Array): Uint8Array {
  requireUserData(user, USER_DATA_SIZE_MODE1);
  const s = outputSector(out);
  s.set(user, 16);
  writeSyncPattern(s, 0);
  encodeSectorHeader(s, lba, 1);
  writeEdc(s, MODE1_EDC_OFFSET, computeEdc(s, 0, MODE1_EDC_OFFSET));
  s.fill(0, MODE1_INTERMEDIATE_OFFSET, ECC_P_OFFSET);
  computeEcc(s, 'mode1');
  return s;
}

/**
 * Mode 2 Form 1 sector (CD-ROM XA): sync, header (mode 2), subheader twice, 2048 user bytes, EDC
 * over 16-2071, P and Q parity computed with the header taken as zero. The submode must have the
 * Form 2 bit (0x20) clear.
 */
export function buildMode2Form1Sector(
  lba: number,
  subheader: XaSubheader | Uint8Array,
  user: Uint8Array,
  out?: Uint8Array,
): Uint8Array {
  requireUserData(user, USER_DATA_SIZE_MODE2_FORM1);
  if (((submodeOf(subheader) ?? 0) & XaSubmode.FORM2) !== 0) {
    throw new RangeError('Expected a Form 1 subheader: the submode has the Form 2 bit (0x20) set');
  }
  const s = outputSector(out);
  s.set(user, 24);
  writeSyncPattern(s, 0);
  encodeSectorHeader(s, lba, 2);
  encodeXaSubheader(s, subheader, SUBHEADER_OFFSET);
  writeEdc(s, MODE2_FORM1_EDC_OFFSET, computeEdc(s, 16, MODE2_FORM1_EDC_OFFSET));
  computeEcc(s, 'mode2-form1');
  return s;
}

export interface Mode2Form2Options {
  /** Compute the optional EDC over 16-2347 (default true); false stores zero ("not computed"). */
  edc?: boolean;
  /** Write into this buffer (≥ 2352 bytes) instead of allocating. */
  out?: Uint8Array;
}

/**
 * Mode 2 Form 2 sector (CD-ROM XA): sync, header (mode 2), subheader twice, 2324 user bytes and
 * the optional EDC over 16-2347 at 2348. The submode must have the Form 2 bit (0x20) set.
 */
export function buildMode2Form2Sector(
  lba: number,
  subheader: XaSubheader | Uint8Array,
  user: Uint8Array,
  options: Mode2Form2Options = {},
): Uint8Array {
  requireUserData(user, USER_DATA_SIZE_MODE2_FORM2);
  if (((submodeOf(subheader) ?? 0) & XaSubmode.FORM2) === 0) {
    throw new RangeError('Expected a Form 2 subheader: the submode lacks the Form 2 bit (0x20)');
  }
  const s = outputSector(options.out);
  s.set(user, 24);
  writeSyncPattern(s, 0);
  encodeSectorHeader(s, lba, 2);
  encodeXaSubheader(s, subheader, SUBHEADER_OFFSET);
  writeEdc(s, MODE2_FORM2_EDC_OFFSET, options.edc === false ? 0 : computeEdc(s, 16, MODE2_FORM2_EDC_OFFSET));
  return s;
}

/** Mode 2 sector without XA structure (ECMA-130 §14): sync, header (mode 2), 2336 user bytes. */
export function buildMode2FormlessSector(lba: number, user: Uint8Array, out?: Uint8Array): Uint8Array {
  requireUserData(user, USER_DATA_SIZE_MODE2);
  const s = outputSector(out);
  s.set(user, 16);
  writeSyncPattern(s, 0);
  encodeSectorHeader(s, lba, 2);
  return s;
}

/** Mode 0 sector (ECMA-130 §14): sync, header (mode 0), 2336 zero bytes. */
export function buildMode0Sector(lba: number, out?: Uint8Array): Uint8Array {
  const s = outputSector(out);
  writeSyncPattern(s, 0);
  encodeSectorHeader(s, lba, 0);
  s.fill(0, 16, SECTOR_SIZE_RAW);
  return s;
}

/**
 * How {@link detectSectorType} reads Mode 2 sectors:
 * - `'auto'`: CD-ROM XA when the two subheader copies agree (Form 1 or Form 2 by the submode's
 *   Form 2 bit), else formless. A damaged XA subheader therefore looks formless.
 * - `'xa'`: always XA; the form comes from the first subheader copy. Use it for XA tracks
 *   (practically every Mode 2 track on real discs) so damage is reported, not explained away.
 * - `'formless'`: always Mode 2 formless.
 */
export type Mode2Interpretation = 'auto' | 'xa' | 'formless';

function xaForm(raw: Uint8Array): 'mode2-form1' | 'mode2-form2' {
  return (raw[SUBHEADER_OFFSET + 2]! & XaSubmode.FORM2) !== 0 ? 'mode2-form2' : 'mode2-form1';
}

/**
 * Classifies a raw sector by sync, mode byte and XA submode (ECMA-130 §14, CD-ROM XA): no sync →
 * `'audio'`; mode 0/1 by the mode byte; mode 2 per `mode2` (see {@link Mode2Interpretation});
 * any other mode byte → `'unknown'`.
 */
export function detectSectorType(raw: Uint8Array, mode2: Mode2Interpretation = 'auto'): SectorType {
  requireRawSector(raw);
  if (!hasSyncPattern(raw, 0)) return 'audio';
  switch (raw[MODE_OFFSET]) {
    case 0:
      return 'mode0';
    case 1:
      return 'mode1';
    case 2:
      if (mode2 === 'formless') return 'mode2-formless';
      if (mode2 === 'xa' || xaSubheaderCopiesMatch(raw)) return xaForm(raw);
      return 'mode2-formless';
    default:
      return 'unknown';
  }
}

/** Result of {@link checkSector}. `null` means "not applicable to this type". */
export interface SectorCheck {
  /** Detected type, or the type the caller imposed. */
  type: SectorType;
  /** Bytes 0-11 are the sync pattern. */
  syncOk: boolean;
  /** LBA from the header's BCD MSF; null when not valid BCD (or audio). */
  headerLba: number | null;
  /** Valid BCD MSF, equal to `expectedLba` when given, and the mode byte fits the type. */
  headerOk: boolean | null;
  /** Stored EDC matches; null for audio, Mode 0, formless, and Form 2 with EDC 0 ("not computed"). */
  edcOk: boolean | null;
  /** ECC P parity matches (Mode 1, Form 1). */
  eccPOk: boolean | null;
  /** ECC Q parity matches (Mode 1, Form 1). */
  eccQOk: boolean | null;
  /** Bytes 16-19 equal 20-23 (Form 1, Form 2). */
  subheaderCopiesMatch: boolean | null;
  /** Fields that must be zero are: Mode 1 bytes 2068-2075, Mode 0 bytes 16-2351. */
  zeroFieldsOk: boolean | null;
  /** Every applicable check passed (`'unknown'` never passes; audio always does). */
  ok: boolean;
}

const MODE_OF_TYPE: Readonly<Record<SectorType, number>> = {
  audio: -1,
  mode0: 0,
  mode1: 1,
  'mode2-formless': 2,
  'mode2-form1': 2,
  'mode2-form2': 2,
  unknown: -1,
};

function isZero(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Verifies a raw sector the way a dump verifier needs it: sync, header address (against
 * `expectedLba` when given), EDC, ECC P/Q, subheader copies, zero fields. The type is detected
 * (`'auto'` Mode 2 interpretation) unless `type` says what the track holds: a sector type, or
 * `'mode2-xa'` for an XA track whose sectors mix Form 1 and Form 2 (the form is then read from the
 * subheader). Pass it whenever the track mode is known — a data sector whose sync was destroyed
 * would otherwise be taken for audio, and a damaged XA subheader for a formless sector.
 * Pure: the sector is not modified. Damage is reported in the result, never thrown.
 */
export function checkSector(raw: Uint8Array, expectedLba?: number | null, type?: SectorType | 'mode2-xa'): SectorCheck {
  requireRawSector(raw);
  const t = type === undefined ? detectSectorType(raw) : type === 'mode2-xa' ? xaForm(raw) : type;
  const syncOk = hasSyncPattern(raw, 0);
  const result: SectorCheck = {
    type: t,
    syncOk,
    headerLba: null,
    headerOk: null,
    edcOk: null,
    eccPOk: null,
    eccQOk: null,
    subheaderCopiesMatch: null,
    zeroFieldsOk: null,
    ok: true,
  };
  if (t === 'audio') return result;

  const lba = decodeHeaderLba(raw);
  result.headerLba = lba;
  const expectedMode = MODE_OF_TYPE[t];
  result.headerOk =
    lba !== null &&
    (expectedLba === undefined || expectedLba === null || lba === expectedLba) &&
    (expectedMode < 0 || raw[MODE_OFFSET] === expectedMode);

  switch (t) {
    case 'mode0':
      result.zeroFieldsOk = isZero(raw, 16, SECTOR_SIZE_RAW);
      break;
    case 'mode1': {
      result.edcOk = checkSectorEdc(raw, 'mode1');
      const ecc = checkEcc(raw, 'mode1');
      result.eccPOk = ecc.p;
      result.eccQOk = ecc.q;
      result.zeroFieldsOk = isZero(raw, MODE1_INTERMEDIATE_OFFSET, ECC_P_OFFSET);
      break;
    }
    case 'mode2-form1': {
      result.subheaderCopiesMatch = xaSubheaderCopiesMatch(raw);
      result.edcOk = checkSectorEdc(raw, 'mode2-form1');
      const ecc = checkEcc(raw, 'mode2-form1');
      result.eccPOk = ecc.p;
      result.eccQOk = ecc.q;
      break;
    }
    case 'mode2-form2':
      result.subheaderCopiesMatch = xaSubheaderCopiesMatch(raw);
      result.edcOk = readEdc(raw, MODE2_FORM2_EDC_OFFSET) === 0 ? null : checkSectorEdc(raw, 'mode2-form2', false);
      break;
    default:
      break;
  }
  result.ok =
    t !== 'unknown' &&
    syncOk &&
    result.headerOk === true &&
    result.edcOk !== false &&
    result.eccPOk !== false &&
    result.eccQOk !== false &&
    result.subheaderCopiesMatch !== false &&
    result.zeroFieldsOk !== false;
  return result;
}

/**
 * The user-data view (a subarray, no copy) of a raw sector for `type` (detected when omitted):
 * 2352 bytes for audio, 2048 for Mode 1 and Form 1, 2324 for Form 2, 2336 for Mode 0, formless
 * and unknown modes.
 */
export function extractUserData(raw: Uint8Array, type?: SectorType): Uint8Array {
  requireRawSector(raw);
  const layout = USER_DATA_LAYOUT[type ?? detectSectorType(raw)];
  if (layout === undefined) throw new TypeError(`Unknown sector type ${String(type)}`);
  return raw.subarray(layout.offset, layout.offset + layout.size);
}
