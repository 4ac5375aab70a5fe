/**
 * Builds small ISO 9660 images (files in the root directory only, ECMA-119) for demo discs and
 * tests, so that they carry a real filesystem without any external tool.
 */

import { writeBe32 } from '../scsi/bytes.js';

const BLOCK = 2048;

export interface SyntheticFile {
  /** ISO level 1 name, `NAME.EXT` (upper case, digits, underscore); `;1` is added. */
  name: string;
  data: Uint8Array;
}

export interface SyntheticIsoOptions {
  volumeId?: string;
  files: SyntheticFile[];
  /** Recording time for every timestamp. Default 2026-01-01T00:00:00Z (stable bytes). */
  date?: Date;
  /** Extra zero blocks after the last file, as mastering tools often leave. Default 0. */
  paddingBlocks?: number;
}

/** Returns the image; its size is a whole number of 2048-byte blocks. */
export function buildSyntheticIso(options: SyntheticIsoOptions): Uint8Array {
  const date = options.date ?? new Date(Date.UTC(2026, 0, 1));
  const volumeId = (options.volumeId ?? 'DISCRESCUE').toUpperCase();
  if (!/^[A-Z0-9_]{1,32}$/u.test(volumeId)) throw new RangeError(`Expected "volumeId" to be 1-32 of A-Z 0-9 _, got ${JSON.stringify(volumeId)}`);
  const files = [...options.files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const f of files) {
    if (!/^[A-Z0-9_]{1,8}(\.[A-Z0-9_]{0,3})?$/u.test(f.name)) {
      throw new RangeError(`Expected file name in 8.3 upper case, got ${JSON.stringify(f.name)}`);
    }
  }

  const pvdLba = 16;
  const lPathLba = 18;
  const mPathLba = 19;
  const rootLba = 20;
  const recordLength = (nameLength: number) => 33 + nameLength + ((nameLength + 1) % 2);
  const rootSize = align(
    recordLength(1) * 2 + files.reduce((n, f) => n + recordLength(f.name.length + 2), 0),
    BLOCK,
  );
  if (rootSize > BLOCK * 16) throw new RangeError('too many files for a synthetic image');
  let next = rootLba + rootSize / BLOCK;
  const extents = files.map((f) => {
    const lba = next;
    next += Math.max(1, Math.ceil(f.data.length / BLOCK));
    return lba;
  });
  const totalBlocks = next + (options.paddingBlocks ?? 0);
  const image = new Uint8Array(totalBlocks * BLOCK);

  // Root directory.
  let o = rootLba * BLOCK;
  o += writeRecord(image, o, rootLba, rootSize, true, [0], date);
  o += writeRecord(image, o, rootLba, rootSize, true, [1], date);
  files.forEach((f, i) => {
    o += writeRecord(image, o, extents[i] ?? 0, f.data.length, false, ascii(`${f.name};1`), date);
    image.set(f.data, (extents[i] ?? 0) * BLOCK);
  });

  // Path tables: one entry, the root.
  const pathTableSize = 10;
  writePathEntry(image, lPathLba * BLOCK, rootLba, true);
  writePathEntry(image, mPathLba * BLOCK, rootLba, false);

  // Primary volume descriptor.
  const p = pvdLba * BLOCK;
  image[p] = 1;
  image.set(ascii('CD001'), p + 1);
  image[p + 6] = 1;
  writePadded(image, p + 8, 32, 'LINUX');
  writePadded(image, p + 40, 32, volumeId);
  writeBoth32(image, p + 80, totalBlocks);
  writeBoth16(image, p + 120, 1);
  writeBoth16(image, p + 124, 1);
  writeBoth16(image, p + 128, BLOCK);
  writeBoth32(image, p + 132, pathTableSize);
  writeLe32(image, p + 140, lPathLba);
  writeBe32(image, p + 148, mPathLba);
  writeRecord(image, p + 156, rootLba, rootSize, true, [0], date);
  writePadded(image, p + 190, 128, '');
  writePadded(image, p + 318, 128, '');
  writePadded(image, p + 446, 128, '');
  writePadded(image, p + 574, 128, 'DISCRESCUE');
  writePadded(image, p + 702, 37, '');
  writePadded(image, p + 739, 37, '');
  writePadded(image, p + 776, 37, '');
  writeLongDate(image, p + 813, date);
  writeLongDate(image, p + 830, date);
  writeLongDate(image, p + 847, undefined);
  writeLongDate(image, p + 864, date);
  image[p + 881] = 1;

  // Volume descriptor set terminator.
  const t = (pvdLba + 1) * BLOCK;
  image[t] = 255;
  image.set(ascii('CD001'), t + 1);
  image[t + 6] = 1;
  return image;
}

function writeRecord(
  image: Uint8Array,
  offset: number,
  lba: number,
  size: number,
  directory: boolean,
  name: number[],
  date: Date,
): number {
  const length = 33 + name.length + ((name.length + 1) % 2);
  image[offset] = length;
  writeBoth32(image, offset + 2, lba);
  writeBoth32(image, offset + 10, size);
  image[offset + 18] = date.getUTCFullYear() - 1900;
  image[offset + 19] = date.getUTCMonth() + 1;
  image[offset + 20] = date.getUTCDate();
  image[offset + 21] = date.getUTCHours();
  image[offset + 22] = date.getUTCMinutes();
  image[offset + 23] = date.getUTCSeconds();
  image[offset + 25] = directory ? 2 : 0;
  writeBoth16(image, offset + 28, 1);
  image[offset + 32] = name.length;
  image.set(name, offset + 33);
  return length;
}

function writePathEntry(image: Uint8Array, offset: number, lba: number, littleEndian: boolean): void {
  image[offset] = 1;
  if (littleEndian) {
    writeLe32(image, offset + 2, lba);
    image[offset + 6] = 1;
  } else {
    writeBe32(image, offset + 2, lba);
    image[offset + 7] = 1;
  }
}

function writeLongDate(image: Uint8Array, offset: number, date: Date | undefined): void {
  if (!date) {
    image.fill(0x30, offset, offset + 16);
    image[offset + 16] = 0;
    return;
  }
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const text =
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2) +
    pad(date.getUTCSeconds(), 2) +
    '00';
  image.set(ascii(text), offset);
  image[offset + 16] = 0;
}

function writePadded(image: Uint8Array, offset: number, length: number, text: string): void {
  image.fill(0x20, offset, offset + length);
  image.set(ascii(text.slice(0, length)), offset);
}

function writeBoth16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

function writeBoth32(b: Uint8Array, o: number, v: number): void {
  writeLe32(b, o, v);
  writeBe32(b, o + 4, v);
}

function writeLe32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0) & 0x7f);
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
