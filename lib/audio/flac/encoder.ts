/**
 * The FLAC stream encoder: PCM bytes in, FLAC bytes out, in any number of pieces. Input is signed
 * little-endian interleaved PCM (for CD audio: 16-bit stereo at 44.1 kHz, 4 bytes a sample frame),
 * which is also the byte form STREAMINFO's MD5 covers, so the input is hashed as it comes.
 */

import { createHash, type Hash } from 'node:crypto';
import { endianness } from 'node:os';
import { DiscError, FormatError } from '../../errors.js';
import { FrameEncoder, type FrameTuning } from './frame.js';
import {
  MAX_STREAMINFO_SAMPLES,
  STREAMINFO_LENGTH,
  STREAMINFO_OFFSET,
  flacHeader,
  streamInfoBody,
  vorbisCommentBody,
  type FlacTags,
} from './metadata.js';

/** Options of {@link FlacEncoder}, {@link encodeFlac} and createFlacWriter. */
export interface FlacEncoderOptions {
  /** 1–8. Default 2. */
  channels?: number;
  /** 8, 16 or 24. Default 16. */
  bitsPerSample?: number;
  /** Hz, 1–655350. Default 44100. */
  sampleRate?: number;
  /** Samples per channel in a frame, 16–65535. Default 4096. */
  blockSize?: number;
  /** VORBIS_COMMENT fields (TITLE, ARTIST, ALBUM, TRACKNUMBER, ISRC, …). */
  tags?: FlacTags;
  /**
   * Samples per channel the caller will supply, when known: declared in the header from the start
   * and checked when the stream is finished.
   */
  totalSamples?: number;
  /** Bytes of PADDING after the tags, room to edit them in place later. Default 8192; 0 for none. */
  padding?: number;
  /** Highest LPC order tried, 0–32. Default 8. */
  maxLpcOrder?: number;
  /** Highest Rice partition order tried, 0–15. Default 6. */
  maxPartitionOrder?: number;
  /** Choose stereo decorrelation by encoding all four pairings (slower, slightly smaller). Default false. */
  exhaustiveStereo?: boolean;
}

/** What a finished stream holds. */
export interface FlacSummary {
  /** Samples per channel. */
  totalSamples: number;
  /** MD5 of the PCM (as in STREAMINFO), lowercase hex. */
  md5: string;
  frames: number;
  /** Smallest and largest frame in bytes (0 when there are no frames). */
  minFrameSize: number;
  maxFrameSize: number;
  /** Bytes of the whole FLAC stream. */
  bytes: number;
}

/** The end of a stream from {@link FlacEncoder.finish}. */
export interface FlacStreamEnd {
  /** The last frame (empty when the input filled whole blocks). */
  frames: Uint8Array;
  /** The final STREAMINFO body, to write at byte {@link STREAMINFO_OFFSET} over the placeholder. */
  streamInfo: Uint8Array;
  summary: FlacSummary;
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Grows to hold one call's frames; reused across calls. */
class ByteSink {
  bytes = new Uint8Array(1 << 16);
  length = 0;
  append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + chunk.length));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }
  take(): Uint8Array {
    const out = this.bytes.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

/**
 * Streaming FLAC encoder. {@link header} first (with a placeholder STREAMINFO), then the bytes of
 * every {@link encode}, then {@link finish}'s frames; finally patch STREAMINFO with the returned
 * body. Holds one block of samples between calls.
 */
export class FlacEncoder {
  readonly channels: number;
  readonly bitsPerSample: number;
  readonly sampleRate: number;
  readonly blockSize: number;
  /** Bytes of one sample frame (all channels) in the input. */
  readonly bytesPerFrame: number;
  private readonly frameEncoder: FrameEncoder;
  /** The `totalSamples` option, when given. */
  readonly declaredSamples: number | undefined;
  private readonly headerBytes: Uint8Array;
  private readonly md5: Hash = createHash('md5');
  private readonly sink = new ByteSink();
  private fill = 0;
  private frameNumber = 0;
  private samples = 0;
  private bytes: number;
  private minFrame = Infinity;
  private maxFrame = 0;
  private finished = false;

  constructor(options: FlacEncoderOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('Expected "options" to be an object');
    this.channels = checkInt('channels', options.channels ?? 2, 1, 8);
    this.bitsPerSample = checkInt('bitsPerSample', options.bitsPerSample ?? 16, 8, 24);
    if (this.bitsPerSample % 8 !== 0) throw new RangeError(`bitsPerSample must be 8, 16 or 24, not ${this.bitsPerSample}`);
    this.sampleRate = checkInt('sampleRate', options.sampleRate ?? 44_100, 1, 655_350);
    this.blockSize = checkInt('blockSize', options.blockSize ?? 4096, 16, 65_535);
    const tuning: FrameTuning = {
      maxLpcOrder: checkInt('maxLpcOrder', options.maxLpcOrder ?? 8, 0, 32),
      maxPartitionOrder: checkInt('maxPartitionOrder', options.maxPartitionOrder ?? 6, 0, 15),
      exhaustiveStereo: options.exhaustiveStereo === true,
    };
    const padding = checkInt('padding', options.padding ?? 8192, 0, 0xffffff);
    if (options.totalSamples !== undefined) this.declaredSamples = checkInt('totalSamples', options.totalSamples, 0, Number.MAX_SAFE_INTEGER);
    this.bytesPerFrame = this.channels * (this.bitsPerSample / 8);
    this.frameEncoder = new FrameEncoder(
      { channels: this.channels, bitsPerSample: this.bitsPerSample, sampleRate: this.sampleRate, blockSize: this.blockSize },
      tuning,
    );
    this.headerBytes = flacHeader(this.streamInfo(this.declaredSamples ?? 0, new Uint8Array(16)), vorbisCommentBody(options.tags), padding);
    this.bytes = this.headerBytes.length;
  }

  /** The metadata to start the stream with; its STREAMINFO is a placeholder until {@link finish}. */
  header(): Uint8Array {
    return this.headerBytes.slice();
  }

  /**
   * Encodes `pcm` (whole sample frames of signed little-endian interleaved samples) and returns
   * the frames it completed, possibly none. FormatError when `pcm` ends inside a sample frame.
   */
  encode(pcm: Uint8Array): Uint8Array {
    if (!(pcm instanceof Uint8Array)) throw new TypeError('Expected "pcm" to be a Uint8Array');
    if (this.finished) throw new DiscError('FLAC stream is already finished');
    if (pcm.length % this.bytesPerFrame !== 0) {
      throw new FormatError(
        `PCM of ${pcm.length} bytes is not a whole number of ${this.bytesPerFrame}-byte sample frames (${this.channels} channels of ${this.bitsPerSample} bits)`,
      );
    }
    this.md5.update(pcm);
    const frames = pcm.length / this.bytesPerFrame;
    let done = 0;
    while (done < frames) {
      const take = Math.min(frames - done, this.blockSize - this.fill);
      this.deinterleave(pcm, done, take);
      done += take;
      this.fill += take;
      if (this.fill === this.blockSize) this.flushBlock();
    }
    this.samples += frames;
    return this.sink.take();
  }

  /** Encodes what is left and returns the last frame and the final STREAMINFO. */
  finish(): FlacStreamEnd {
    if (this.finished) throw new DiscError('FLAC stream is already finished');
    if (this.fill > 0) this.flushBlock();
    this.finished = true;
    const frames = this.sink.take();
    const digest = this.md5.digest();
    const md5 = digest.toString('hex');
    const summary: FlacSummary = {
      totalSamples: this.samples,
      md5,
      frames: this.frameNumber,
      minFrameSize: this.frameNumber === 0 ? 0 : this.minFrame,
      maxFrameSize: this.maxFrame,
      bytes: this.bytes,
    };
    return { frames, streamInfo: this.streamInfo(this.samples, new Uint8Array(digest)), summary };
  }

  private streamInfo(totalSamples: number, md5: Uint8Array): Uint8Array {
    return streamInfoBody({
      minBlockSize: this.blockSize,
      maxBlockSize: this.blockSize,
      minFrameSize: this.frameNumber === 0 ? 0 : this.minFrame,
      maxFrameSize: this.maxFrame,
      sampleRate: this.sampleRate,
      channels: this.channels,
      bitsPerSample: this.bitsPerSample,
      totalSamples: totalSamples <= MAX_STREAMINFO_SAMPLES ? totalSamples : 0,
      md5,
    });
  }

  private flushBlock(): void {
    if (this.frameNumber > 0x7fffffff) throw new RangeError('FLAC stream exceeds 2^31 frames');
    const frame = this.frameEncoder.encode(this.fill, this.frameNumber);
    this.frameNumber++;
    this.fill = 0;
    this.bytes += frame.length;
    if (frame.length < this.minFrame) this.minFrame = frame.length;
    if (frame.length > this.maxFrame) this.maxFrame = frame.length;
    this.sink.append(frame);
  }

  /** Copies `count` sample frames from `pcm` (starting at sample frame `first`) into the block. */
  private deinterleave(pcm: Uint8Array, first: number, count: number): void {
    const channels = this.frameEncoder.channels;
    const fill = this.fill;
    if (this.bitsPerSample === 16 && this.channels === 2 && LITTLE_ENDIAN_HOST && (pcm.byteOffset & 1) === 0) {
      const left = channels[0]!;
      const right = channels[1]!;
      const words = new Int16Array(pcm.buffer, pcm.byteOffset + first * 4, count * 2);
      for (let i = 0; i < count; i++) {
        left[fill + i] = words[2 * i]!;
        right[fill + i] = words[2 * i + 1]!;
      }
      return;
    }
    const nch = this.channels;
    const width = this.bitsPerSample / 8;
    let at = first * this.bytesPerFrame;
    for (let i = 0; i < count; i++) {
      for (let c = 0; c < nch; c++) {
        let v: number;
        if (width === 2) v = ((pcm[at]! | (pcm[at + 1]! << 8)) << 16) >> 16;
        else if (width === 1) v = (pcm[at]! << 24) >> 24;
        else v = ((pcm[at]! | (pcm[at + 1]! << 8) | (pcm[at + 2]! << 16)) << 8) >> 8;
        channels[c]![fill + i] = v;
        at += width;
      }
    }
  }
}

/**
 * Encodes a whole PCM buffer (see {@link FlacEncoderOptions}) into a FLAC file's bytes. For small
 * inputs; long streams go through createFlacWriter. `totalSamples` need not be given.
 */
export function encodeFlac(pcm: Uint8Array, options: FlacEncoderOptions = {}): Uint8Array {
  const encoder = new FlacEncoder(options);
  const header = encoder.header();
  const body = encoder.encode(pcm);
  const end = encoder.finish();
  checkDeclaredSamples(encoder, end.summary);
  const out = new Uint8Array(header.length + body.length + end.frames.length);
  out.set(header, 0);
  out.set(body, header.length);
  out.set(end.frames, header.length + body.length);
  out.set(end.streamInfo, STREAMINFO_OFFSET);
  return out;
}

/** FormatError when the stream's length differs from the `totalSamples` it was created with. */
export function checkDeclaredSamples(encoder: FlacEncoder, summary: FlacSummary, file?: string): void {
  const declared = encoder.declaredSamples;
  if (declared !== undefined && declared !== summary.totalSamples) {
    throw new FormatError(`${summary.totalSamples} samples were encoded, ${declared} were declared`, file === undefined ? {} : { file });
  }
}

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer in ${min}..${max}, not ${value}`);
  return value;
}

export { STREAMINFO_LENGTH, STREAMINFO_OFFSET };
