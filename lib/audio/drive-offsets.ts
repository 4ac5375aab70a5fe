/**
 * AccurateRip's drive offset list (`DriveOffsets.bin`, which users download; the program never
 * fetches it): a flat array of 69-byte records, each a signed 16-bit little-endian read offset
 * (samples, AccurateRip/EAC sign), a 33-byte NUL-padded ASCII drive name `VENDOR - PRODUCT` (or
 * `- PRODUCT` without a vendor), and 34 bytes this module does not interpret (submission
 * statistics). Lookup is by the vendor (8 bytes) and product (16 bytes) strings INQUIRY reports,
 * compared without case and with runs of spaces collapsed (MMC-FACTS §2.2).
 */

import { FormatError } from '../errors.js';

/** Bytes per record. */
export const DRIVE_OFFSET_RECORD_SIZE = 69;
const NAME_OFFSET = 2;
const NAME_SIZE = 33;
/** Largest file accepted (the real list is about 300 KB). */
export const MAX_DRIVE_OFFSETS_FILE = 16 * 1024 * 1024;

/** One record. */
export interface DriveOffsetRecord {
  /** The name as the file writes it, trimmed. */
  name: string;
  /** Vendor part (empty when the record has none). */
  vendor: string;
  /** Product part. */
  product: string;
  /** Read offset in samples (positive: the drive reads early, toward the lead-in). */
  offset: number;
  /** The record's remaining 34 bytes, uninterpreted. */
  extra: Uint8Array;
}

/** Canonical form for comparison: upper case, control characters dropped, spaces collapsed and trimmed. */
export function normalizeDriveName(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/gu, ' ').replace(/\s+/gu, ' ').trim().toUpperCase();
}

/**
 * Parses DriveOffsets.bin. FormatError for an empty file, a size that is not a multiple of 69,
 * a file over 16 MiB, or a record whose name holds non-ASCII bytes. Records with an empty name are
 * skipped.
 */
export function parseDriveOffsets(bytes: Uint8Array, file?: string): DriveOffsetRecord[] {
  const fail = (message: string): never => {
    throw new FormatError(`not an AccurateRip drive offset file: ${message}`, file === undefined ? {} : { file });
  };
  if (bytes.length === 0) fail('the file is empty');
  if (bytes.length > MAX_DRIVE_OFFSETS_FILE) fail(`${bytes.length} bytes is more than ${MAX_DRIVE_OFFSETS_FILE}`);
  if (bytes.length % DRIVE_OFFSET_RECORD_SIZE !== 0) fail(`${bytes.length} bytes is not a whole number of ${DRIVE_OFFSET_RECORD_SIZE}-byte records`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: DriveOffsetRecord[] = [];
  for (let at = 0; at < bytes.length; at += DRIVE_OFFSET_RECORD_SIZE) {
    const nameBytes = bytes.subarray(at + NAME_OFFSET, at + NAME_OFFSET + NAME_SIZE);
    const end = nameBytes.indexOf(0);
    const used = end < 0 ? nameBytes : nameBytes.subarray(0, end);
    let name = '';
    for (const b of used) {
      if (b >= 0x80) fail(`record ${at / DRIVE_OFFSET_RECORD_SIZE + 1} has a non-ASCII name`);
      name += String.fromCharCode(b);
    }
    name = name.trim();
    if (name === '') continue;
    const { vendor, product } = splitDriveName(name);
    records.push({
      name,
      vendor,
      product,
      offset: view.getInt16(at, true),
      extra: bytes.slice(at + NAME_OFFSET + NAME_SIZE, at + DRIVE_OFFSET_RECORD_SIZE),
    });
  }
  return records;
}

/** `PIONEER  - BD-RW   BDR-209D` → vendor and product, normalized; `- X` has no vendor. */
function splitDriveName(name: string): { vendor: string; product: string } {
  const normalized = normalizeDriveName(name);
  if (normalized.startsWith('- ')) return { vendor: '', product: normalized.slice(2).trim() };
  const cut = normalized.indexOf(' - ');
  if (cut < 0) return { vendor: '', product: normalized };
  return { vendor: normalized.slice(0, cut).trim(), product: normalized.slice(cut + 3).trim() };
}

/** A lookup result. */
export interface DriveOffsetMatch {
  offset: number;
  record: DriveOffsetRecord;
  /** 'exact': vendor and product; 'product': a record without vendor, or the only product match. */
  match: 'exact' | 'product';
}

/**
 * The offset of the drive INQUIRY names (vendor identification, product identification; padding
 * and case do not matter). An exact vendor+product record wins; otherwise a product-only record,
 * or a product match under one offset whatever the vendor. Undefined when none fits or product
 * matches disagree.
 */
export function lookupDriveOffset(records: readonly DriveOffsetRecord[], vendor: string, product: string): DriveOffsetMatch | undefined {
  const v = normalizeDriveName(vendor);
  const p = normalizeDriveName(product);
  if (p === '') return undefined;
  const exact = records.find((r) => r.product === p && r.vendor === v);
  if (exact) return { offset: exact.offset, record: exact, match: 'exact' };
  const sameProduct = records.filter((r) => r.product === p);
  const noVendor = sameProduct.find((r) => r.vendor === '');
  if (noVendor) return { offset: noVendor.offset, record: noVendor, match: 'product' };
  const first = sameProduct[0];
  if (first && sameProduct.every((r) => r.offset === first.offset)) return { offset: first.offset, record: first, match: 'product' };
  return undefined;
}

/** Builds DriveOffsets.bin bytes (for tests and for users who keep their own list). */
export function formatDriveOffsets(records: readonly { name: string; offset: number; extra?: Uint8Array }[]): Uint8Array {
  const out = new Uint8Array(records.length * DRIVE_OFFSET_RECORD_SIZE);
  const view = new DataView(out.buffer);
  records.forEach((r, i) => {
    const at = i * DRIVE_OFFSET_RECORD_SIZE;
    if (!Number.isInteger(r.offset) || r.offset < -32768 || r.offset > 32767) throw new RangeError(`Offset ${r.offset} does not fit 16 bits`);
    if (r.name.length > NAME_SIZE - 1 || /[^\x20-\x7e]/u.test(r.name)) throw new RangeError(`Drive name "${r.name}" is not printable ASCII of at most ${NAME_SIZE - 1} characters`);
    view.setInt16(at, r.offset, true);
    for (let c = 0; c < r.name.length; c++) out[at + NAME_OFFSET + c] = r.name.charCodeAt(c);
    if (r.extra) out.set(r.extra.subarray(0, DRIVE_OFFSET_RECORD_SIZE - NAME_OFFSET - NAME_SIZE), at + NAME_OFFSET + NAME_SIZE);
  });
  return out;
}
