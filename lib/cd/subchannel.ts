/**
 * Sub-channel P-W (ECMA-130 §22; Red Book; MMC-FACTS §3.3, §2.5): the Q channel's 12-byte blocks
 * (encode/decode with CRC-16/GSM) and the 96-byte raw interleaved form READ CD returns with
 * sub-channel selection 001b, where byte i carries bit i of every channel: bit 7 = P, bit 6 = Q,
 * bits 5-0 = R, S, T, U, V, W; channel bit i is bit 7 − (i mod 8) of the channel's byte ⌊i/8⌋.
 *
 * Q block (ECMA-130 §22.3): byte 0 = CONTROL (bits 7-4) | ADR (bits 3-0); bytes 1-9 by ADR; bytes
 * 10-11 the CRC of bytes 0-9, inverted, big-endian.
 * - ADR 1, program area and lead-out: TNO (BCD; 0xAA lead-out), INDEX (BCD; 00 = pause/pregap),
 *   relative MSF (counts down through the pregap, up from 0 at index 1), ZERO, absolute MSF.
 * - ADR 1, lead-in (TNO = 00): POINT (BCD track, or A0/A1/A2), running MSF, ZERO, PMIN/PSEC/PFRAME.
 * - ADR 2: media catalogue number, 13 BCD digits + 4 zero bits in bytes 1-7, byte 8 zero, AFRAME.
 * - ADR 3: ISRC, 5 six-bit characters + 2 zero bits in bytes 1-4, 7 BCD digits + zero nibble in
 *   bytes 5-8, AFRAME.
 */

import { lbaToMsf, toBcd, type Msf } from '../scsi/msf.js';
import { LEAD_OUT_TRACK, SUBCHANNEL_CHANNEL_SIZE, SUBCHANNEL_RW_SIZE, SUBCHANNEL_SIZE_RAW } from './constants.js';
import { crc16Gsm } from './crc16-gsm.js';

/** CONTROL bits of the Q channel (ECMA-130 §22.3; Red Book). */
export const QControl = Object.freeze({
  /** Audio with 50/15 µs pre-emphasis (audio tracks only). */
  PRE_EMPHASIS: 0x1,
  /** Digital copy permitted. */
  COPY_PERMITTED: 0x2,
  /** Data track (clear: audio). */
  DATA: 0x4,
  /** Four-channel audio. */
  FOUR_CHANNEL: 0x8,
});

/** The Q block size: 10 bytes of data, 2 bytes of CRC. */
export const Q_SIZE = 12;

/** ADR 1 in the program area or lead-out. Addresses are binary; the block stores them as BCD. */
export interface QPosition {
  kind: 'position';
  control: number;
  /** 1-99, or 0xAA (170) for the lead-out. */
  track: number;
  /** 0-99; 0 = pregap/pause. */
  index: number;
  /** Time within the track (counting down in the pregap). */
  relative: Msf;
  /** Absolute time = LBA + 150. */
  absolute: Msf;
}

/** ADR 1 in the lead-in (TNO 00): one TOC entry. */
export interface QLeadIn {
  kind: 'lead-in';
  control: number;
  /** 1-99 for a track, or a raw value ≥ 0xA0 (A0 first track, A1 last track, A2 lead-out). */
  point: number;
  /** Running time in the lead-in. */
  running: Msf;
  /** PMIN/PSEC/PFRAME: the track's start, or for A0/A1 the track number and disc type (as BCD-decoded numbers). */
  pointMsf: Msf;
}

/** ADR 2: media catalogue number (UPC/EAN). */
export interface QMcn {
  kind: 'mcn';
  control: number;
  /** 13 digits. */
  mcn: string;
  /** Absolute frame number 0-74. */
  aframe: number;
}

/** ADR 3: ISRC of the current track. */
export interface QIsrc {
  kind: 'isrc';
  control: number;
  /** 12 characters: 5 of [0-9A-Z] (country, owner) then 7 digits (year, serial). */
  isrc: string;
  aframe: number;
}

/** Any other ADR (e.g. 5 in multisession lead-ins), kept raw. */
export interface QOther {
  kind: 'other';
  control: number;
  adr: number;
  /** Bytes 1-9. */
  data: Uint8Array;
}

/** What {@link encodeQ} accepts. */
export type QData = QPosition | QLeadIn | QMcn | QIsrc | QOther;

/** What {@link decodeQ} returns: the block plus its integrity. */
export type DecodedQ = QData & {
  /** Bytes 10-11 match the CRC of bytes 0-9. */
  crcOk: boolean;
  /** Every BCD nibble is 0-9 and every ISRC character valid (BCD fields are decoded leniently otherwise). */
  fieldsOk: boolean;
};

function checkNibble(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 15) {
    throw new RangeError(`Expected "${name}" to be an integer between 0 and 15, got ${String(value)}`);
  }
  return value;
}

function writeMsfBcd(out: Uint8Array, offset: number, msf: Msf, name: string): void {
  if (typeof msf !== 'object' || msf === null) throw new TypeError(`Expected "${name}" to be an Msf object`);
  out[offset] = toBcd(msf.minute);
  out[offset + 1] = toBcd(msf.second);
  out[offset + 2] = toBcd(msf.frame);
}

/** Track, index or point: 0-99 as BCD, values ≥ 0xA0 stored raw. */
function trackByte(value: number, allowRaw: boolean): number {
  if (allowRaw && Number.isInteger(value) && value >= 0xa0 && value <= 0xff) return value;
  return toBcd(value);
}

const Q_KINDS: ReadonlySet<string> = new Set(['position', 'lead-in', 'mcn', 'isrc', 'other']);

const ISRC_PATTERN = /^[0-9A-Z]{5}[0-9]{7}$/u;

function isrcCode(ch: number): number {
  // '0'-'9' → 0-9, 'A'-'Z' → 0x11-0x2A (Red Book ISRC coding; MMC-FACTS §3.3).
  return ch <= 0x39 ? ch - 0x30 : ch - 0x41 + 0x11;
}

function isrcChar(code: number): string | undefined {
  if (code <= 9) return String.fromCharCode(0x30 + code);
  if (code >= 0x11 && code <= 0x2a) return String.fromCharCode(0x41 + code - 0x11);
  return undefined;
}

/**
 * Encodes a Q block (12 bytes, CRC included) into `out` (allocated when omitted; at least 12 bytes).
 * Throws RangeError/TypeError for values that do not fit their fields.
 */
export function encodeQ(q: QData, out?: Uint8Array): Uint8Array {
  if (typeof q !== 'object' || q === null || !Q_KINDS.has(q.kind)) {
    throw new TypeError(`Expected "q" to be a Q data object with kind ${[...Q_KINDS].join('/')}`);
  }
  const b = out ?? new Uint8Array(Q_SIZE);
  if (b.length < Q_SIZE) throw new RangeError(`Expected "out" to hold ${Q_SIZE} bytes, got ${b.length}`);
  b.fill(0, 0, Q_SIZE);
  const control = checkNibble('control', q.control) << 4;
  switch (q.kind) {
    case 'position':
      if (q.track === 0) throw new RangeError('Expected "track" to be 1-99 or 0xAA; track 0 is the lead-in (use kind "lead-in")');
      if (q.track !== LEAD_OUT_TRACK && q.track > 99) throw new RangeError(`Expected "track" to be 1-99 or 0xAA, got ${q.track}`);
      b[0] = control | 1;
      b[1] = trackByte(q.track, q.track === LEAD_OUT_TRACK);
      b[2] = toBcd(q.index);
      writeMsfBcd(b, 3, q.relative, 'relative');
      writeMsfBcd(b, 7, q.absolute, 'absolute');
      break;
    case 'lead-in':
      if (q.point === 0) throw new RangeError('Expected "point" to be 1-99 or ≥ 0xA0, got 0');
      b[0] = control | 1;
      b[2] = trackByte(q.point, true);
      writeMsfBcd(b, 3, q.running, 'running');
      writeMsfBcd(b, 7, q.pointMsf, 'pointMsf');
      break;
    case 'mcn': {
      if (typeof q.mcn !== 'string' || !/^[0-9]{13}$/u.test(q.mcn)) {
        throw new RangeError(`Expected "mcn" to be 13 digits, got ${JSON.stringify(q.mcn)}`);
      }
      b[0] = control | 2;
      for (let i = 0; i < 13; i++) {
        const digit = q.mcn.charCodeAt(i) - 0x30;
        const at = 1 + (i >> 1);
        b[at] = b[at]! | (i & 1 ? digit : digit << 4);
      }
      b[9] = toBcd(checkAframe(q.aframe));
      break;
    }
    case 'isrc': {
      if (typeof q.isrc !== 'string' || !ISRC_PATTERN.test(q.isrc)) {
        throw new RangeError(`Expected "isrc" to be 5 characters [0-9A-Z] and 7 digits, got ${JSON.stringify(q.isrc)}`);
      }
      b[0] = control | 3;
      // 5 × 6 bits, MSB first, then 2 zero bits: one 32-bit big-endian word in bytes 1-4.
      let word = 0;
      for (let i = 0; i < 5; i++) word = (word << 6) | isrcCode(q.isrc.charCodeAt(i));
      word = (word << 2) >>> 0;
      b[1] = word >>> 24;
      b[2] = (word >>> 16) & 0xff;
      b[3] = (word >>> 8) & 0xff;
      b[4] = word & 0xff;
      for (let i = 0; i < 7; i++) {
        const digit = q.isrc.charCodeAt(5 + i) - 0x30;
        const at = 5 + (i >> 1);
        b[at] = b[at]! | (i & 1 ? digit : digit << 4);
      }
      b[9] = toBcd(checkAframe(q.aframe));
      break;
    }
    case 'other':
      b[0] = control | checkNibble('adr', q.adr);
      if (!(q.data instanceof Uint8Array) || q.data.length !== 9) throw new RangeError('Expected "data" to be 9 bytes (Q bytes 1-9)');
      b.set(q.data, 1);
      break;
  }
  const crc = crc16Gsm(b, 0, 10);
  b[10] = crc >>> 8;
  b[11] = crc & 0xff;
  return b;
}

function checkAframe(aframe: number): number {
  if (!Number.isInteger(aframe) || aframe < 0 || aframe > 74) {
    throw new RangeError(`Expected "aframe" to be between 0 and 74, got ${String(aframe)}`);
  }
  return aframe;
}

/** True when bytes 10-11 of a Q block hold the CRC of bytes 0-9. */
export function qCrcOk(q: Uint8Array, offset = 0): boolean {
  if (offset < 0 || offset + Q_SIZE > q.length) return false;
  const crc = crc16Gsm(q, offset, offset + 10);
  return q[offset + 10] === crc >>> 8 && q[offset + 11] === (crc & 0xff);
}

/**
 * Decodes a 12-byte Q block. Never throws on content: a bad CRC or malformed BCD is reported in
 * `crcOk` / `fieldsOk` (BCD is then decoded leniently as high·10 + low).
 */
export function decodeQ(q: Uint8Array, offset = 0): DecodedQ {
  if (!(q instanceof Uint8Array) || offset < 0 || offset + Q_SIZE > q.length) {
    throw new RangeError(`Expected a ${Q_SIZE}-byte Q block`);
  }
  const at = (i: number): number => q[offset + i]!;
  let fieldsOk = true;
  const bcd = (byte: number): number => {
    const high = byte >> 4;
    const low = byte & 0x0f;
    if (high > 9 || low > 9) fieldsOk = false;
    return high * 10 + low;
  };
  const msf = (i: number): Msf => ({ minute: bcd(at(i)), second: bcd(at(i + 1)), frame: bcd(at(i + 2)) });
  const crcOk = qCrcOk(q, offset);
  const control = at(0) >> 4;
  const adr = at(0) & 0x0f;
  let data: QData;
  if (adr === 1 && at(1) === 0) {
    const point = at(2) >= 0xa0 ? at(2) : bcd(at(2));
    data = { kind: 'lead-in', control, point, running: msf(3), pointMsf: msf(7) };
  } else if (adr === 1) {
    const track = at(1) === LEAD_OUT_TRACK ? LEAD_OUT_TRACK : bcd(at(1));
    data = { kind: 'position', control, track, index: bcd(at(2)), relative: msf(3), absolute: msf(7) };
  } else if (adr === 2) {
    let mcn = '';
    for (let i = 0; i < 13; i++) {
      const byte = at(1 + (i >> 1));
      const digit = i & 1 ? byte & 0x0f : byte >> 4;
      if (digit > 9) fieldsOk = false;
      mcn += String.fromCharCode(0x30 + Math.min(digit, 9));
    }
    data = { kind: 'mcn', control, mcn, aframe: bcd(at(9)) };
  } else if (adr === 3) {
    const word = ((at(1) << 24) | (at(2) << 16) | (at(3) << 8) | at(4)) >>> 0;
    let isrc = '';
    for (let i = 0; i < 5; i++) {
      const ch = isrcChar((word >>> (26 - 6 * i)) & 0x3f);
      if (ch === undefined) fieldsOk = false;
      isrc += ch ?? '?';
    }
    for (let i = 0; i < 7; i++) {
      const byte = at(5 + (i >> 1));
      const digit = i & 1 ? byte & 0x0f : byte >> 4;
      if (digit > 9) fieldsOk = false;
      isrc += String.fromCharCode(0x30 + Math.min(digit, 9));
    }
    data = { kind: 'isrc', control, isrc, aframe: bcd(at(9)) };
  } else {
    data = { kind: 'other', control, adr, data: q.slice(offset + 1, offset + 10) };
  }
  return { ...data, crcOk, fieldsOk };
}

/** Frame count → MSF without the 150-sector offset (a duration: relative time). */
function durationMsf(frames: number): Msf {
  return lbaToMsf(frames - 150);
}

export interface QPositionOptions {
  control: number;
  track: number;
  index: number;
  /** The sector the block belongs to. */
  lba: number;
  /** Where the track's index 1 starts; the relative time is measured from there. */
  trackStartLba: number;
}

/**
 * The ADR 1 position block for a sector in the program area or lead-out: absolute = LBA + 150;
 * relative = |lba − trackStartLba|, i.e. counting down through the pregap to 1 at the sector
 * before index 1 and up from 0 there. (The common emulator convention; whether pressed discs show
 * 00:00:00 or 00:00:01 in the last pregap sector is unverified.)
 */
export function qPosition(options: QPositionOptions): QPosition {
  return {
    kind: 'position',
    control: options.control,
    track: options.track,
    index: options.index,
    relative: durationMsf(Math.abs(options.lba - options.trackStartLba)),
    absolute: lbaToMsf(options.lba),
  };
}

/** P-W channels of one sector, de-interleaved. */
export interface SubchannelChannels {
  /** P: 12 bytes (96 bits, MSB first). */
  p: Uint8Array;
  /** Q: 12 bytes (a Q block). */
  q: Uint8Array;
  /** R-W: 72 bytes, channel after channel (R 0-11, S 12-23, T, U, V, W 60-71). */
  rw: Uint8Array;
}

export interface PackSubchannelInput {
  /** 12 bytes; zeros when omitted. */
  p?: Uint8Array;
  /** 12 bytes; zeros when omitted. */
  q?: Uint8Array;
  /** 72 bytes, channel after channel (R first); zeros when omitted. */
  rw?: Uint8Array;
}

function requireChannel(name: string, value: Uint8Array | undefined, size: number): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Uint8Array) || value.length !== size) throw new RangeError(`Expected "${name}" to be ${size} bytes`);
  return value;
}

/**
 * Interleaves P, Q and R-W into the 96-byte raw form (READ CD sub-channel 001b): byte i = P bit i
 * << 7 | Q bit i << 6 | R bit i << 5 | … | W bit i. Writes into `out` (≥ 96 bytes) when given.
 */
export function packSubchannel(input: PackSubchannelInput, out?: Uint8Array): Uint8Array {
  const p = requireChannel('p', input.p, SUBCHANNEL_CHANNEL_SIZE);
  const q = requireChannel('q', input.q, SUBCHANNEL_CHANNEL_SIZE);
  const rw = requireChannel('rw', input.rw, SUBCHANNEL_RW_SIZE);
  const raw = out ?? new Uint8Array(SUBCHANNEL_SIZE_RAW);
  if (raw.length < SUBCHANNEL_SIZE_RAW) throw new RangeError(`Expected "out" to hold ${SUBCHANNEL_SIZE_RAW} bytes`);
  for (let byte = 0; byte < SUBCHANNEL_CHANNEL_SIZE; byte++) {
    const pb = p === undefined ? 0 : p[byte]!;
    const qb = q === undefined ? 0 : q[byte]!;
    for (let bit = 0; bit < 8; bit++) {
      const shift = 7 - bit;
      let v = (((pb >> shift) & 1) << 7) | (((qb >> shift) & 1) << 6);
      if (rw !== undefined) {
        for (let ch = 0; ch < 6; ch++) v |= ((rw[ch * SUBCHANNEL_CHANNEL_SIZE + byte]! >> shift) & 1) << (5 - ch);
      }
      raw[byte * 8 + bit] = v;
    }
  }
  return raw;
}

/** Extracts one channel (bit `channelBit` of each raw byte: 7 = P, 6 = Q, 5 = R … 0 = W) into 12 bytes. */
function extractChannel(raw: Uint8Array, offset: number, channelBit: number, out: Uint8Array, outOffset: number): void {
  for (let byte = 0; byte < SUBCHANNEL_CHANNEL_SIZE; byte++) {
    let v = 0;
    const base = offset + byte * 8;
    for (let bit = 0; bit < 8; bit++) v = (v << 1) | ((raw[base + bit]! >> channelBit) & 1);
    out[outOffset + byte] = v;
  }
}

function requireRaw(raw: Uint8Array, offset: number): void {
  if (!(raw instanceof Uint8Array) || offset < 0 || offset + SUBCHANNEL_SIZE_RAW > raw.length) {
    throw new RangeError(`Expected ${SUBCHANNEL_SIZE_RAW} bytes of raw P-W sub-channel at offset ${offset}`);
  }
}

/** Splits 96 raw interleaved bytes into P, Q and R-W (inverse of {@link packSubchannel}). */
export function deinterleaveSubchannel(raw: Uint8Array, offset = 0): SubchannelChannels {
  requireRaw(raw, offset);
  const p = new Uint8Array(SUBCHANNEL_CHANNEL_SIZE);
  const q = new Uint8Array(SUBCHANNEL_CHANNEL_SIZE);
  const rw = new Uint8Array(SUBCHANNEL_RW_SIZE);
  extractChannel(raw, offset, 7, p, 0);
  extractChannel(raw, offset, 6, q, 0);
  for (let ch = 0; ch < 6; ch++) extractChannel(raw, offset, 5 - ch, rw, ch * SUBCHANNEL_CHANNEL_SIZE);
  return { p, q, rw };
}

/** Just the Q block from 96 raw bytes (bit 6 of each), into `out` when given. */
export function deinterleaveQ(raw: Uint8Array, offset = 0, out?: Uint8Array): Uint8Array {
  requireRaw(raw, offset);
  const q = out ?? new Uint8Array(Q_SIZE);
  extractChannel(raw, offset, 6, q, 0);
  return q;
}

/**
 * The P channel of one sector: all ones during a pause/pregap, all zeros inside a track (Red Book;
 * MMC-FACTS §3.3; the 2 Hz lead-out pattern is the caller's business).
 */
export function pChannelFor(isPause: boolean): Uint8Array {
  return new Uint8Array(SUBCHANNEL_CHANNEL_SIZE).fill(isPause ? 0xff : 0x00);
}

/**
 * Converts 96 raw interleaved bytes (READ CD sub-channel 001b) into the de-interleaved layout of
 * CloneCD `.sub` files: 12 bytes of P, then 12 of Q, R, S, T, U, V and W (channel bit i = bit
 * 7 − (i mod 8) of the channel's byte ⌊i/8⌋), written into `out` at `outOffset` (allocated when omitted).
 */
export function subchannelToChannelBlocks(raw: Uint8Array, offset = 0, out?: Uint8Array, outOffset = 0): Uint8Array {
  requireRaw(raw, offset);
  const target = out ?? new Uint8Array(SUBCHANNEL_SIZE_RAW);
  if (!(target instanceof Uint8Array) || outOffset < 0 || outOffset + SUBCHANNEL_SIZE_RAW > target.length) {
    throw new RangeError(`Expected "out" to hold ${SUBCHANNEL_SIZE_RAW} bytes at offset ${outOffset}`);
  }
  for (let ch = 0; ch < 8; ch++) extractChannel(raw, offset, 7 - ch, target, outOffset + ch * SUBCHANNEL_CHANNEL_SIZE);
  return target;
}
