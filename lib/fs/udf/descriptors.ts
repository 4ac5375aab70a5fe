/**
 * UDF (ECMA-167 / OSTA UDF) on-disc structures: descriptor tags with their checksum and CRC,
 * the volume descriptors, dstrings and timestamps. Pure parsing of bytes already read.
 */

import type { FsWarning } from '../types.js';

export const TAG = {
  PVD: 1, AVDP: 2, VDP: 3, IUVD: 4, PD: 5, LVD: 6, USD: 7, TD: 8, LVID: 9,
  FSD: 256, FID: 257, AED: 258, IE: 259, TE: 260, FE: 261, EAHD: 262, USE: 263, SBD: 264, PIE: 265, EFE: 266,
} as const;

export function le16(b: Uint8Array, o: number): number {
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
}

export function le32(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16)) + (b[o + 3] ?? 0) * 0x1000000;
}

/** Unsigned 64-bit little-endian; values past 2^53 are clamped (no real volume reaches them). */
export function le64(b: Uint8Array, o: number): number {
  const v = le32(b, o) + le32(b, o + 4) * 0x100000000;
  return Math.min(v, Number.MAX_SAFE_INTEGER);
}

export interface Tag {
  id: number;
  version: number;
  serial: number;
  crcLength: number;
  location: number;
}

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    table[n] = c;
  }
  return table;
})();

/** CRC-16/CCITT (polynomial 0x1021, initial value 0, not reflected): the descriptor CRC. */
export function crcItu(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ (CRC_TABLE[((crc >> 8) ^ b) & 0xff] ?? 0);
  return crc;
}

export type TagCheck = { ok: true; tag: Tag } | { ok: false; reason: string; tag?: Tag };

/**
 * Checks the 16-byte tag at the start of `b`: checksum, CRC over the body (when it fits in
 * `b`) and, when `expectedLocation` is given, the recorded location.
 */
export function checkTag(b: Uint8Array, expectedLocation?: number): TagCheck {
  if (b.length < 16) return { ok: false, reason: 'shorter than a tag' };
  let sum = 0;
  for (let i = 0; i < 16; i++) if (i !== 4) sum += b[i] ?? 0;
  const tag: Tag = { id: le16(b, 0), version: le16(b, 2), serial: le16(b, 6), crcLength: le16(b, 10), location: le32(b, 12) };
  if ((sum & 0xff) !== b[4]) return { ok: false, reason: 'tag checksum mismatch', tag };
  if (tag.id === 0 && sum === 0) return { ok: false, reason: 'blank', tag };
  if (tag.crcLength > 0 && 16 + tag.crcLength <= b.length && crcItu(b.subarray(16, 16 + tag.crcLength)) !== le16(b, 8)) {
    return { ok: false, reason: 'descriptor CRC mismatch', tag };
  }
  if (expectedLocation !== undefined && tag.location !== expectedLocation) {
    return { ok: false, reason: `tag says sector ${tag.location}, found at ${expectedLocation}`, tag };
  }
  return { ok: true, tag };
}

/** An entity identifier (regid): flags, the '*…' identifier and its suffix. */
export interface RegId {
  identifier: string;
  suffix: Uint8Array;
}

export function parseRegId(b: Uint8Array, o: number): RegId {
  let identifier = '';
  for (let i = 1; i < 24; i++) {
    const c = b[o + i] ?? 0;
    if (c === 0) break;
    identifier += String.fromCharCode(c);
  }
  return { identifier: identifier.trimEnd(), suffix: b.slice(o + 24, o + 32) };
}

/** UDF revision from a domain identifier suffix (BCD word, e.g. 0x0201 → '2.01'). */
export function udfRevision(suffix: Uint8Array): number {
  return le16(suffix, 0);
}

export function formatRevision(rev: number): string {
  return `${(rev >> 8).toString(16)}.${(rev & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * OSTA compressed unicode: byte 0 is the compression id (8: one byte per char, 16: UTF-16BE;
 * 254/255 are the same for deleted names). Unknown ids decode to '' and a warning.
 */
export function decodeCs0(bytes: Uint8Array, warnings?: FsWarning[]): string {
  if (bytes.length === 0) return '';
  const id = bytes[0];
  const body = bytes.subarray(1);
  if (id === 8 || id === 254) return String.fromCharCode(...body);
  if (id === 16 || id === 255) {
    let s = '';
    for (let i = 0; i + 1 < body.length; i += 2) s += String.fromCharCode(((body[i] ?? 0) << 8) | (body[i + 1] ?? 0));
    return s;
  }
  warnings?.push({ code: 'udf-dstring', message: `unknown compression id ${id} in a name` });
  return '';
}

/** A fixed-size dstring field: its last byte is the length used. */
export function decodeDstring(b: Uint8Array, o: number, size: number, warnings?: FsWarning[]): string {
  const used = b[o + size - 1] ?? 0;
  if (used === 0) return '';
  return decodeCs0(b.subarray(o, o + Math.min(used, size - 1)), warnings).replace(/\0+$/u, '');
}

/** A UDF timestamp (12 bytes); undefined when blank or impossible. */
export function parseTimestamp(b: Uint8Array, o: number): Date | undefined {
  const typeTz = le16(b, o);
  const year = le16(b, o + 2);
  const month = b[o + 4] ?? 0;
  const day = b[o + 5] ?? 0;
  if (year === 0 || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  let tz = typeTz & 0xfff;
  if (tz & 0x800) tz -= 0x1000;
  const offsetMinutes = tz === -2047 || (typeTz >> 12) !== 1 ? 0 : tz;
  const ms = (b[o + 9] ?? 0) * 10 + (b[o + 10] ?? 0) / 10 + (b[o + 11] ?? 0) / 1000;
  const utc = Date.UTC(year, month - 1, day, b[o + 6] ?? 0, b[o + 7] ?? 0, b[o + 8] ?? 0, Math.floor(ms));
  return new Date(utc - offsetMinutes * 60_000);
}

/** An extent_ad: length in bytes and starting sector. */
export interface ExtentAd {
  length: number;
  location: number;
}

export function parseExtentAd(b: Uint8Array, o: number): ExtentAd {
  return { length: le32(b, o), location: le32(b, o + 4) };
}

/** A long_ad: extent length (with its type in the top two bits), block and partition reference. */
export interface LongAd {
  length: number;
  type: number;
  block: number;
  partition: number;
}

export function parseLongAd(b: Uint8Array, o: number): LongAd {
  const raw = le32(b, o);
  return { length: raw & 0x3fffffff, type: Math.floor(raw / 0x40000000), block: le32(b, o + 4), partition: le16(b, o + 8) };
}
