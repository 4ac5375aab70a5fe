/**
 * FLAC metadata blocks (RFC 9639 §8): STREAMINFO, VORBIS_COMMENT and PADDING, and the stream
 * marker. Sizes are checked against the 24-bit block length field.
 */

import { packageVersion } from '../../version.js';

/** "fLaC". */
export const FLAC_MARKER = Uint8Array.of(0x66, 0x4c, 0x61, 0x43);
/** Byte offset of the STREAMINFO body in a stream this module writes (marker + block header). */
export const STREAMINFO_OFFSET = 8;
/** Length of the STREAMINFO body. */
export const STREAMINFO_LENGTH = 34;
/** Largest metadata block body. */
export const MAX_METADATA_BLOCK = 0xffffff;
/** Largest total sample count STREAMINFO can hold (36 bits); larger streams declare 0, unknown. */
export const MAX_STREAMINFO_SAMPLES = 2 ** 36 - 1;

const BLOCK_STREAMINFO = 0;
const BLOCK_PADDING = 1;
const BLOCK_VORBIS_COMMENT = 4;

/** The fields of a STREAMINFO block. */
export interface StreamInfo {
  minBlockSize: number;
  maxBlockSize: number;
  /** Bytes; 0 = unknown. */
  minFrameSize: number;
  maxFrameSize: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Samples per channel; 0 = unknown. */
  totalSamples: number;
  /** MD5 of the PCM, 16 bytes (zeros = not computed). */
  md5: Uint8Array;
}

/** The 34-byte STREAMINFO body. */
export function streamInfoBody(info: StreamInfo): Uint8Array {
  const out = new Uint8Array(STREAMINFO_LENGTH);
  const total = info.totalSamples <= MAX_STREAMINFO_SAMPLES ? info.totalSamples : 0;
  const high = Math.floor(total / 2 ** 32);
  out[0] = info.minBlockSize >>> 8;
  out[1] = info.minBlockSize;
  out[2] = info.maxBlockSize >>> 8;
  out[3] = info.maxBlockSize;
  out[4] = info.minFrameSize >>> 16;
  out[5] = info.minFrameSize >>> 8;
  out[6] = info.minFrameSize;
  out[7] = info.maxFrameSize >>> 16;
  out[8] = info.maxFrameSize >>> 8;
  out[9] = info.maxFrameSize;
  out[10] = info.sampleRate >>> 12;
  out[11] = info.sampleRate >>> 4;
  out[12] = ((info.sampleRate & 0xf) << 4) | ((info.channels - 1) << 1) | ((info.bitsPerSample - 1) >>> 4);
  out[13] = (((info.bitsPerSample - 1) & 0xf) << 4) | high;
  out[14] = total >>> 24;
  out[15] = total >>> 16;
  out[16] = total >>> 8;
  out[17] = total;
  out.set(info.md5.subarray(0, 16), 18);
  return out;
}

/**
 * Tags for the VORBIS_COMMENT block: field name → value or values. Names are ASCII 0x20–0x7D
 * without '=' (TITLE, ARTIST, ALBUM, TRACKNUMBER, ISRC, …); undefined values are left out.
 */
export type FlacTags = Readonly<Record<string, string | number | readonly string[] | undefined>>;

/** "discrescue <version>", the vendor string of our VORBIS_COMMENT blocks. */
export function flacVendorString(): string {
  return `discrescue ${packageVersion()}`;
}

/** The VORBIS_COMMENT body (little-endian lengths, UTF-8 text). Throws RangeError for a bad name. */
export function vorbisCommentBody(tags: FlacTags = {}, vendor = flacVendorString()): Uint8Array {
  const encoder = new TextEncoder();
  const comments: Uint8Array[] = [];
  for (const [name, value] of Object.entries(tags)) {
    if (value === undefined) continue;
    if (name.length === 0 || !/^[\x20-\x3c\x3e-\x7d]+$/u.test(name)) {
      throw new RangeError(`Vorbis comment field name ${JSON.stringify(name)} must be ASCII 0x20-0x7D without "="`);
    }
    const values = typeof value === 'string' || typeof value === 'number' ? [value] : value;
    for (const one of values) {
      if (typeof one !== 'string' && typeof one !== 'number') throw new TypeError(`Vorbis comment ${name} must be a string or a number`);
      comments.push(encoder.encode(`${name}=${one}`));
    }
  }
  const vendorBytes = encoder.encode(vendor);
  const size = 8 + vendorBytes.length + comments.reduce((sum, c) => sum + 4 + c.length, 0);
  if (size > MAX_METADATA_BLOCK) throw new RangeError(`Vorbis comments of ${size} bytes exceed the ${MAX_METADATA_BLOCK}-byte block limit`);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  view.setUint32(at, vendorBytes.length, true);
  out.set(vendorBytes, at + 4);
  at += 4 + vendorBytes.length;
  view.setUint32(at, comments.length, true);
  at += 4;
  for (const comment of comments) {
    view.setUint32(at, comment.length, true);
    out.set(comment, at + 4);
    at += 4 + comment.length;
  }
  return out;
}

/**
 * The stream's start: marker, STREAMINFO, VORBIS_COMMENT and (when `padding` > 0) a PADDING block
 * of that many bytes.
 */
export function flacHeader(streamInfo: Uint8Array, vorbisComment: Uint8Array, padding: number): Uint8Array {
  const blocks: Array<[number, Uint8Array | number]> = [
    [BLOCK_STREAMINFO, streamInfo],
    [BLOCK_VORBIS_COMMENT, vorbisComment],
  ];
  if (padding > 0) blocks.push([BLOCK_PADDING, padding]);
  let size = 4;
  for (const [, body] of blocks) size += 4 + (typeof body === 'number' ? body : body.length);
  const out = new Uint8Array(size);
  out.set(FLAC_MARKER, 0);
  let at = 4;
  blocks.forEach(([type, body], index) => {
    const length = typeof body === 'number' ? body : body.length;
    out[at] = (index === blocks.length - 1 ? 0x80 : 0) | type;
    out[at + 1] = length >>> 16;
    out[at + 2] = length >>> 8;
    out[at + 3] = length;
    if (typeof body !== 'number') out.set(body, at + 4);
    at += 4 + length;
  });
  return out;
}
