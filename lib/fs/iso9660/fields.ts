/**
 * Field decoders shared by the ISO 9660 structures (ECMA-119 §7–§8): both-endian numbers, padded
 * identifiers and the two date formats. Every decoder reads inside the buffer it is given and
 * turns nonsense into `undefined`, never into an exception.
 */

/** Little-endian 16-bit value at `offset`. */
export function le16(buf: Uint8Array, offset: number): number {
  return (buf[offset] ?? 0) | ((buf[offset + 1] ?? 0) << 8);
}

/** Little-endian 32-bit value at `offset` (unsigned). */
export function le32(buf: Uint8Array, offset: number): number {
  return ((buf[offset] ?? 0) | ((buf[offset + 1] ?? 0) << 8) | ((buf[offset + 2] ?? 0) << 16) | ((buf[offset + 3] ?? 0) << 24)) >>> 0;
}

/** Big-endian 16-bit value at `offset`. */
export function be16(buf: Uint8Array, offset: number): number {
  return ((buf[offset] ?? 0) << 8) | (buf[offset + 1] ?? 0);
}

/** Big-endian 32-bit value at `offset` (unsigned). */
export function be32(buf: Uint8Array, offset: number): number {
  return (((buf[offset] ?? 0) << 24) | ((buf[offset + 1] ?? 0) << 16) | ((buf[offset + 2] ?? 0) << 8) | (buf[offset + 3] ?? 0)) >>> 0;
}

/** A both-endian field (7.2.3 / 7.3.3): the little-endian half, and whether the halves agree. */
export function both16(buf: Uint8Array, offset: number): { value: number; consistent: boolean } {
  const value = le16(buf, offset);
  return { value, consistent: value === be16(buf, offset + 2) };
}

/** A both-endian 32-bit field (7.3.3). */
export function both32(buf: Uint8Array, offset: number): { value: number; consistent: boolean } {
  const value = le32(buf, offset);
  return { value, consistent: value === be32(buf, offset + 4) };
}

/** An a-/d-character identifier: bytes as Latin-1, trailing spaces and NULs removed. */
export function isoText(buf: Uint8Array, offset: number, length: number): string {
  let end = Math.min(buf.length, offset + length);
  // Trim by index rather than with a regular expression: this runs once per directory record.
  while (end > offset && (buf[end - 1] === 0x20 || buf[end - 1] === 0)) end--;
  let text = '';
  for (let i = offset; i < end; i++) text += String.fromCharCode(buf[i]!);
  return text;
}

/** A Joliet identifier: UCS-2/UTF-16 big-endian, trailing spaces and NULs removed. */
export function ucs2Text(buf: Uint8Array, offset: number, length: number): string {
  const end = Math.min(buf.length, offset + (length & ~1));
  const units: number[] = [];
  for (let i = offset; i + 1 < end; i += 2) units.push(be16(buf, i));
  let text = '';
  // Chunks keep String.fromCharCode's argument count small for long fields.
  for (let i = 0; i < units.length; i += 1024) text += String.fromCharCode(...units.slice(i, i + 1024));
  return text.replace(/[ \0]+$/u, '');
}

/** A 17-byte volume descriptor date (8.4.26.1): the digits as written, and the instant they mean. */
export interface IsoDecDateTime {
  /** The 16 digits as recorded ('' when the field is unset: all '0' or all NUL). */
  text: string;
  /** The instant in UTC, when the digits form a valid date. */
  date: Date | undefined;
  /** Offset from GMT in minutes (the recorded 15-minute units × 15). */
  gmtOffsetMinutes: number;
  /** False when the field is set but its digits are not a valid date. */
  valid: boolean;
}

/** Decodes a 17-byte dec-datetime (16 ASCII digits + signed GMT offset in 15-minute units). */
export function decDateTime(buf: Uint8Array, offset: number): IsoDecDateTime {
  const raw = isoText(buf, offset, 16);
  const gmtOffsetMinutes = signedByte(buf[offset + 16] ?? 0) * 15;
  if (raw === '' || /^0+$/u.test(raw)) return { text: '', date: undefined, gmtOffsetMinutes, valid: true };
  if (!/^\d{16}$/u.test(raw)) return { text: raw, date: undefined, gmtOffsetMinutes, valid: false };
  const n = (from: number, to: number): number => Number(raw.slice(from, to));
  const date = civilDate(n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14), n(14, 16) * 10, gmtOffsetMinutes);
  return { text: raw, date, gmtOffsetMinutes, valid: date !== undefined };
}

/** A 7-byte directory record date (9.1.5): the fields as recorded, and the instant they mean. */
export interface IsoRecordDate {
  /** Years since 1900, month 1–12, day, hour, minute, second, as recorded. */
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  gmtOffsetMinutes: number;
  /** The instant (made when first read). */
  readonly date: Date | undefined;
}

/** Decodes a 7-byte directory record date; `withOffset` false for High Sierra (6 bytes, no zone). */
export function recordDate(buf: Uint8Array, offset: number, withOffset = true): IsoRecordDate {
  return new RecordDate(
    buf[offset] ?? 0, buf[offset + 1] ?? 0, buf[offset + 2] ?? 0, buf[offset + 3] ?? 0, buf[offset + 4] ?? 0, buf[offset + 5] ?? 0,
    withOffset ? signedByte(buf[offset + 6] ?? 0) * 15 : 0,
  );
}

/** The instant of a 7-byte directory record date, without the fields (Rock Ridge TF times). */
export function recordInstant(buf: Uint8Array, offset: number): Date | undefined {
  const month = buf[offset + 1] ?? 0;
  const day = buf[offset + 2] ?? 0;
  if (month === 0 && day === 0) return undefined;
  return civilDate(1900 + (buf[offset] ?? 0), month, day, buf[offset + 3] ?? 0, buf[offset + 4] ?? 0, buf[offset + 5] ?? 0, 0, signedByte(buf[offset + 6] ?? 0) * 15);
}

/** Whether set record date fields are out of range (civilDate would give undefined). */
export function isInvalidRecordDate(d: IsoRecordDate): boolean {
  if (d.month === 0 && d.day === 0) return false;
  return d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31 || d.hour > 23 || d.minute > 59 || d.second > 60;
}

/**
 * A record date whose Date is made when first asked for: listings (`ls -l`) print the fields
 * and Rock Ridge volumes take the time from TF, so most of them were never needed.
 */
class RecordDate implements IsoRecordDate {
  #date: Date | undefined | null = null;

  constructor(
    readonly year: number, readonly month: number, readonly day: number, readonly hour: number, readonly minute: number,
    readonly second: number, readonly gmtOffsetMinutes: number,
  ) {}

  get date(): Date | undefined {
    if (this.#date === null) {
      this.#date = this.month === 0 && this.day === 0
        ? undefined
        : civilDate(1900 + this.year, this.month, this.day, this.hour, this.minute, this.second, 0, this.gmtOffsetMinutes);
    }
    return this.#date;
  }

  toJSON(): Omit<IsoRecordDate, 'date'> & { date: string | undefined } {
    const { year, month, day, hour, minute, second, gmtOffsetMinutes } = this;
    return { year, month, day, hour, minute, second, gmtOffsetMinutes, date: this.date?.toISOString() };
  }
}

/** A Date from civil fields in a zone `gmtOffsetMinutes` east of UTC; undefined when out of range. */
export function civilDate(
  year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, gmtOffsetMinutes: number,
): Date | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  if (gmtOffsetMinutes < -12 * 60 || gmtOffsetMinutes > 13 * 60) gmtOffsetMinutes = 0;
  // A tree holds few distinct dates (and a record's date and its Rock Ridge times alternate):
  // remember conversions, as Date.UTC showed in profiles of large trees. Each caller still gets
  // a Date of its own.
  const cacheable = ms === 0 && year >= 1900 && year < 2200;
  const key = cacheable ? ((((((year - 1900) * 13 + month) * 32 + day) * 24 + hour) * 60 + minute) * 61 + second) * 1501 + gmtOffsetMinutes + 720 : -1;
  let utc = cacheable ? civilCache.get(key) : undefined;
  if (utc === undefined) {
    utc = Date.UTC(year, month - 1, day, hour, minute, second, ms) - gmtOffsetMinutes * 60_000;
    if (cacheable) {
      if (civilCache.size >= 4096) civilCache.clear();
      civilCache.set(key, utc);
    }
  }
  return Number.isFinite(utc) ? new Date(utc) : undefined;
}

const civilCache = new Map<number, number>();

function signedByte(value: number): number {
  return value > 127 ? value - 256 : value;
}
