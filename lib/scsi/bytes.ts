/** Big-endian field access with bounds checks; all SCSI multi-byte fields are big-endian. */

import { MalformedResponseError } from '../errors.js';

export function writeBe16(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = (value >>> 8) & 0xff;
  buf[offset + 1] = value & 0xff;
}

export function writeBe24(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = (value >>> 16) & 0xff;
  buf[offset + 1] = (value >>> 8) & 0xff;
  buf[offset + 2] = value & 0xff;
}

/** Writes the low 32 bits; negative values are written in two's complement (signed LBAs). */
export function writeBe32(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = (value >>> 24) & 0xff;
  buf[offset + 1] = (value >>> 16) & 0xff;
  buf[offset + 2] = (value >>> 8) & 0xff;
  buf[offset + 3] = value & 0xff;
}

export function readBe16(buf: Uint8Array, offset: number): number {
  return ((buf[offset] ?? 0) << 8) | (buf[offset + 1] ?? 0);
}

export function readBe24(buf: Uint8Array, offset: number): number {
  return ((buf[offset] ?? 0) << 16) | ((buf[offset + 1] ?? 0) << 8) | (buf[offset + 2] ?? 0);
}

export function readBe32(buf: Uint8Array, offset: number): number {
  return (
    (((buf[offset] ?? 0) << 24) >>> 0) +
    (((buf[offset + 1] ?? 0) << 16) | ((buf[offset + 2] ?? 0) << 8) | (buf[offset + 3] ?? 0))
  );
}

/** Signed 32-bit big-endian (LBAs in the lead-in are negative). */
export function readBe32Signed(buf: Uint8Array, offset: number): number {
  return readBe32(buf, offset) | 0;
}

/** ASCII field with trailing spaces and NULs removed. */
export function readAscii(buf: Uint8Array, offset: number, length: number): string {
  let s = '';
  const end = Math.min(buf.length, offset + length);
  for (let i = offset; i < end; i++) {
    const c = buf[i] ?? 0;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : c === 0 ? '\0' : '?';
  }
  return s.replace(/[\s\0]+$/u, '').replace(/\0/gu, '');
}

/** Throws MalformedResponseError unless `buf` holds at least `needed` bytes. */
export function requireLength(commandName: string, buf: Uint8Array, needed: number, what = 'response'): void {
  if (buf.length < needed) {
    throw new MalformedResponseError(
      commandName,
      `${what} needs ${needed} bytes, got ${buf.length}`,
      buf,
    );
  }
}

/** Argument checks shared by every builder: they throw TypeError/RangeError naming the field. */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`Expected "${name}" to be an integer, got ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`Expected "${name}" to be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`Expected "${name}" to be a boolean, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value;
}

export function toHex(value: number, width = 2): string {
  return value.toString(16).toUpperCase().padStart(width, '0');
}
