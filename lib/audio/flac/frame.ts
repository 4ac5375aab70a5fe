/**
 * Encodes one block of PCM into a FLAC frame (RFC 9639 §9): the frame header with its CRC-8, one
 * subframe per channel — the cheapest of CONSTANT, VERBATIM, FIXED (orders 0–4) and LPC — after
 * choosing stereo decorrelation, and the CRC-16 footer. Every work buffer is allocated once.
 */

import { BitWriter } from './bit-writer.js';
import { flacCrc16, flacCrc8 } from './crc.js';
import { bestLpcOrder, levinsonDurbin, quantizeLpc, tukeyWindow, windowedAutocorrelation } from './lpc.js';
import { RicePlanner, riceEstimate, writeResidual, type RicePlan } from './rice.js';

/** What the frames carry. */
export interface FrameFormat {
  channels: number;
  bitsPerSample: number;
  sampleRate: number;
  /** Samples per channel of every frame but the last. */
  blockSize: number;
}

/** Encoder effort. */
export interface FrameTuning {
  /** Highest LPC order tried (0 disables LPC). */
  maxLpcOrder: number;
  /** Highest Rice partition order tried. */
  maxPartitionOrder: number;
  /**
   * Stereo: analyse all four channel pairings fully (slower) instead of choosing by the
   * fixed-predictor estimate.
   */
  exhaustiveStereo: boolean;
}

const CONSTANT = 0;
const VERBATIM = 1;
const FIXED = 2;
const LPC = 3;

/** Channel assignment codes (RFC 9639 §9.1.3). */
const LEFT_SIDE = 8;
const SIDE_RIGHT = 9;
const MID_SIDE = 10;

/** One subframe candidate and its residual. */
class Subframe implements RicePlan {
  kind = VERBATIM;
  order = 0;
  shift = 0;
  precision = 0;
  bits = Infinity;
  method = 0;
  partitionOrder = 0;
  readonly params: Int32Array;
  readonly coefs = new Int32Array(32);
  readonly residual: Int32Array;
  constructor(blockSize: number, maxPartitionOrder: number) {
    this.residual = new Int32Array(blockSize);
    this.params = new Int32Array(1 << maxPartitionOrder);
  }
}

/** Samples of one candidate channel (left, right, mid, side, or an independent channel). */
class Source {
  /** The samples coded: the input, or `shifted` when there are wasted bits. */
  samples: Int32Array;
  /** Bits per sample of `samples` (after removing wasted bits). */
  bps = 0;
  wasted = 0;
  /** Best fixed order by the residual-sum estimate, and its estimated bits. */
  fixedOrder = 0;
  fixedBits = Infinity;
  readonly fixedSums = new Float64Array(5);
  best: Subframe;
  private shiftedBuffer: Int32Array | undefined;
  constructor(
    readonly input: Int32Array,
    blockSize: number,
    maxPartitionOrder: number,
  ) {
    this.samples = input;
    this.best = new Subframe(blockSize, maxPartitionOrder);
  }
  shifted(): Int32Array {
    this.shiftedBuffer ??= new Int32Array(this.input.length);
    return this.shiftedBuffer;
  }
}

/** Encodes frames of one stream; fill {@link FrameEncoder.channels} then call {@link FrameEncoder.encode}. */
export class FrameEncoder {
  /** Per channel, `blockSize` samples: the caller writes the block here. */
  readonly channels: Int32Array[];
  private readonly sources: Source[];
  private readonly mid: Int32Array;
  private readonly side: Int32Array;
  private work: Subframe;
  private readonly writer: BitWriter;
  private readonly planner: RicePlanner;
  private readonly window: Float64Array;
  private windowLength = -1;
  private windowEnergy = 0;
  private readonly windowed: Float64Array;
  private readonly autocorrelation: Float64Array;
  private readonly lpcCoefs: Float64Array;
  private readonly lpcErrors: Float64Array;
  private readonly sampleRateCode: number;
  private readonly sampleSizeCode: number;

  constructor(
    private readonly format: FrameFormat,
    private readonly tuning: FrameTuning,
  ) {
    const { channels, blockSize, bitsPerSample } = format;
    this.channels = Array.from({ length: channels }, () => new Int32Array(blockSize));
    this.mid = new Int32Array(blockSize);
    this.side = new Int32Array(blockSize);
    const inputs = channels === 2 ? [...this.channels, this.mid, this.side] : this.channels;
    this.sources = inputs.map((input) => new Source(input, blockSize, tuning.maxPartitionOrder));
    this.work = new Subframe(blockSize, tuning.maxPartitionOrder);
    // Worst case 32 bits a sample (verbatim of 25 bits plus the Rice estimate's slack) and headers.
    this.writer = new BitWriter(channels * (blockSize * 4 + 256) + 64);
    this.planner = new RicePlanner(tuning.maxPartitionOrder);
    this.window = new Float64Array(blockSize);
    this.windowed = new Float64Array(blockSize);
    const maxOrder = Math.max(1, tuning.maxLpcOrder);
    this.autocorrelation = new Float64Array(maxOrder + 1);
    this.lpcCoefs = new Float64Array(maxOrder * maxOrder);
    this.lpcErrors = new Float64Array(maxOrder + 1);
    this.sampleRateCode = sampleRateCode(format.sampleRate);
    this.sampleSizeCode = { 8: 1, 12: 2, 16: 4, 20: 5, 24: 6, 32: 7 }[bitsPerSample] ?? 0;
  }

  /**
   * Encodes the first `n` samples of every channel as frame number `frameNumber`. The result is a
   * view of an internal buffer, valid until the next call.
   */
  encode(n: number, frameNumber: number): Uint8Array {
    const { channels, bitsPerSample: bps } = this.format;
    const sources = this.sources;
    let assignment = channels - 1;
    let coded: Source[];
    if (channels === 2) {
      const left = this.channels[0]!;
      const right = this.channels[1]!;
      const mid = this.mid;
      const side = this.side;
      for (let i = 0; i < n; i++) {
        const l = left[i]!;
        const r = right[i]!;
        mid[i] = (l + r) >> 1;
        side[i] = l - r;
      }
      const [l, r, m, s] = sources as [Source, Source, Source, Source];
      if (this.tuning.exhaustiveStereo) {
        this.analyze(l, n, bps);
        this.analyze(r, n, bps);
        this.analyze(m, n, bps);
        this.analyze(s, n, bps + 1);
        const lb = l.best.bits;
        const rb = r.best.bits;
        const mb = m.best.bits;
        const sb = s.best.bits;
        assignment = pickStereo(lb + rb, lb + sb, sb + rb, mb + sb);
      } else if (n < 8) {
        // Too short to predict: left and right as they are.
        assignment = 1;
      } else {
        for (const source of sources) estimateFixed(source, source.input, n);
        const lb = l.fixedBits;
        const rb = r.fixedBits;
        const mb = m.fixedBits;
        const sb = s.fixedBits;
        assignment = pickStereo(lb + rb, lb + sb, sb + rb, mb + sb);
      }
      coded = assignment === LEFT_SIDE ? [l, s] : assignment === SIDE_RIGHT ? [s, r] : assignment === MID_SIDE ? [m, s] : [l, r];
      if (!this.tuning.exhaustiveStereo) {
        for (const source of coded) this.analyze(source, n, source === s ? bps + 1 : bps, true);
      }
    } else {
      coded = sources;
      for (const source of coded) this.analyze(source, n, bps);
    }

    const w = this.writer;
    w.reset();
    this.writeHeader(n, frameNumber, assignment);
    for (let c = 0; c < coded.length; c++) {
      const source = coded[c]!;
      const sideChannel = channels === 2 && source === sources[3];
      this.writeSubframe(source, n, sideChannel ? bps + 1 : bps);
    }
    w.alignToByte();
    const crc = flacCrc16(w.buf, 0, w.pos);
    w.write(crc, 16);
    w.alignToByte();
    return w.buf.subarray(0, w.pos);
  }

  private writeHeader(n: number, frameNumber: number, assignment: number): void {
    const w = this.writer;
    // Sync code, reserved 0, fixed-blocksize stream.
    w.write(0xfff8, 16);
    let blockCode: number;
    if (n === 192) blockCode = 1;
    else if (n === 576 || n === 1152 || n === 2304 || n === 4608) blockCode = 2 + Math.log2(n / 576);
    else if (n >= 256 && n <= 32768 && (n & (n - 1)) === 0) blockCode = 8 + Math.log2(n / 256);
    else blockCode = n <= 256 ? 6 : 7;
    w.write(blockCode, 4);
    w.write(this.sampleRateCode, 4);
    w.write(assignment, 4);
    w.write(this.sampleSizeCode, 3);
    w.write(0, 1);
    writeCodedNumber(w, frameNumber);
    if (blockCode === 6) w.write(n - 1, 8);
    else if (blockCode === 7) w.write(n - 1, 16);
    const rate = this.format.sampleRate;
    if (this.sampleRateCode === 12) w.write(rate / 1000, 8);
    else if (this.sampleRateCode === 13) w.write(rate, 16);
    else if (this.sampleRateCode === 14) w.write(rate / 10, 16);
    w.alignToByte();
    w.write(flacCrc8(w.buf, 0, w.pos), 8);
  }

  /** Chooses the cheapest subframe for `source` into `source.best`. */
  private analyze(source: Source, n: number, bps: number, fixedEstimated = false): void {
    const input = source.input;
    const best = source.best;
    best.bits = Infinity;
    // CONSTANT: one sample value for the whole block.
    const first = input[0]!;
    let or = 0;
    let constant = true;
    for (let i = 0; i < n; i++) {
      const v = input[i]!;
      or |= v;
      if (v !== first) constant = false;
    }
    source.samples = input;
    source.bps = bps;
    source.wasted = 0;
    if (constant) {
      best.kind = CONSTANT;
      best.bits = 8 + bps;
      return;
    }
    // Wasted bits: low bits that are zero in every sample are coded once in the header.
    const wasted = 31 - Math.clz32(or & -or);
    let samples = input;
    if (wasted > 0) {
      samples = source.shifted();
      for (let i = 0; i < n; i++) samples[i] = input[i]! >> wasted;
      source.samples = samples;
      source.bps = bps - wasted;
      source.wasted = wasted;
      fixedEstimated = false;
    }
    const sbps = source.bps;
    const header = 8 + wasted;
    best.kind = VERBATIM;
    best.bits = header + n * sbps;
    if (n < 8) return;

    if (!fixedEstimated) estimateFixed(source, samples, n);
    this.tryLpc(source, samples, n, header);
    // FIXED, the order with the smallest residual sum: coded exactly only when its estimate is
    // near the best so far (music rarely prefers it over LPC).
    const order = source.fixedOrder;
    if (header + order * sbps + source.fixedBits < source.best.bits * FIXED_MARGIN) {
      const work = this.work;
      fixedResidual(samples, n, order, work.residual);
      work.kind = FIXED;
      work.order = order;
      work.bits = header + order * sbps + this.planner.plan(work.residual, n, order, work);
      this.keepIfBetter(source, work);
    }
  }

  /** Makes `candidate` the source's best when it is smaller; the loser becomes the work slot. */
  private keepIfBetter(source: Source, candidate: Subframe): void {
    if (candidate.bits < source.best.bits) {
      this.work = source.best;
      source.best = candidate;
    }
  }

  /** The LPC candidate of the order the error estimate favours. */
  private tryLpc(source: Source, samples: Int32Array, n: number, header: number): void {
    const sbps = source.bps;
    const work = this.work;
    const maxOrder = Math.min(this.tuning.maxLpcOrder, n >> 2);
    if (maxOrder < 1) return;
    if (this.windowLength !== n) {
      tukeyWindow(n, 0.5, this.window);
      let energy = 0;
      for (let i = 0; i < n; i++) energy += this.window[i]! * this.window[i]!;
      this.windowEnergy = energy;
      this.windowLength = n;
    }
    windowedAutocorrelation(samples, n, this.window, maxOrder, this.windowed, this.autocorrelation);
    const top = levinsonDurbin(this.autocorrelation, maxOrder, this.lpcCoefs, this.lpcErrors);
    if (top < 1) return;
    const precision = Math.min(15, lpcPrecision(n, this.format.bitsPerSample));
    const lpcOrder = bestLpcOrder(this.lpcErrors, top, n, sbps, precision, this.windowEnergy);
    const shift = quantizeLpc(this.lpcCoefs, (lpcOrder - 1) * maxOrder, lpcOrder, precision, work.coefs);
    if (shift < 0) return;
    // Coefficients need only as many bits as the widest of them.
    let width = 1;
    for (let j = 0; j < lpcOrder; j++) width = Math.max(width, signedWidth(work.coefs[j]!));
    if (!lpcResidual(samples, n, sbps, work.coefs, lpcOrder, shift, work.residual)) return;
    work.kind = LPC;
    work.order = lpcOrder;
    work.shift = shift;
    work.precision = width;
    work.bits = header + lpcOrder * (sbps + width) + 9 + this.planner.plan(work.residual, n, lpcOrder, work);
    this.keepIfBetter(source, work);
  }

  private writeSubframe(source: Source, n: number, bps: number): void {
    const w = this.writer;
    const s = source.best;
    const samples = source.samples;
    const sbps = source.bps;
    const wasted = source.wasted;
    if (s.kind === CONSTANT) {
      w.write(CONSTANT_TYPE << 1, 8);
      w.writeSigned(source.input[0]!, bps);
      return;
    }
    const start = w.bitLength;
    w.mark();
    if (s.kind !== VERBATIM) {
      const type = s.kind === FIXED ? FIXED_TYPE | s.order : LPC_TYPE | (s.order - 1);
      this.writeSubframeHeader(type, wasted);
      for (let i = 0; i < s.order; i++) w.writeSigned(samples[i]!, sbps);
      if (s.kind === LPC) {
        w.write(s.precision - 1, 4);
        w.write(s.shift, 5);
        for (let j = 0; j < s.order; j++) w.writeSigned(s.coefs[j]!, s.precision);
      }
      writeResidual(w, s.residual, n, s.order, s);
      // The Rice estimate may be off by up to half a bit a sample: never exceed verbatim.
      if (w.bitLength - start <= 8 + wasted + n * sbps) return;
      w.restore();
    }
    this.writeSubframeHeader(VERBATIM_TYPE, wasted);
    for (let i = 0; i < n; i++) w.writeSigned(samples[i]!, sbps);
  }

  private writeSubframeHeader(type: number, wasted: number): void {
    const w = this.writer;
    w.write((type << 1) | (wasted > 0 ? 1 : 0), 8);
    // Wasted bits k: k−1 zeros then a one.
    if (wasted > 0) w.write(1, wasted);
  }
}

/** FIXED is coded exactly when its estimate is below this multiple of the best candidate. */
const FIXED_MARGIN = 1.1;

const CONSTANT_TYPE = 0b000000;
const VERBATIM_TYPE = 0b000001;
const FIXED_TYPE = 0b001000;
const LPC_TYPE = 0b100000;

function pickStereo(independent: number, leftSide: number, sideRight: number, midSide: number): number {
  let assignment = 1;
  let bits = independent;
  if (leftSide < bits) {
    assignment = LEFT_SIDE;
    bits = leftSide;
  }
  if (sideRight < bits) {
    assignment = SIDE_RIGHT;
    bits = sideRight;
  }
  if (midSide < bits) assignment = MID_SIDE;
  return assignment;
}

/**
 * Sums of |residual| of the fixed predictors of orders 0–4 over samples 4…n−1 (one pass), the
 * best order and its estimated Rice-coded size.
 */
function estimateFixed(source: Source, x: Int32Array, n: number): void {
  const sums = source.fixedSums;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  // Differences of orders 0–3 at the previous sample.
  let p0 = x[3]!;
  let p1 = p0 - x[2]!;
  let p2 = p1 - (x[2]! - x[1]!);
  let p3 = p2 - (x[2]! - x[1]! - (x[1]! - x[0]!));
  // Runs of 256 summed in int32 (|e4| < 2^21 for 16-bit input), then added to the doubles.
  for (let i = 4; i < n; ) {
    const end = Math.min(n, i + 256);
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let a4 = 0;
    for (; i < end; i++) {
      const e0 = x[i]!;
      const e1 = e0 - p0;
      const e2 = e1 - p1;
      const e3 = e2 - p2;
      const e4 = e3 - p3;
      a0 += Math.abs(e0);
      a1 += Math.abs(e1);
      a2 += Math.abs(e2);
      a3 += Math.abs(e3);
      a4 += Math.abs(e4);
      p0 = e0;
      p1 = e1;
      p2 = e2;
      p3 = e3;
    }
    s0 += a0;
    s1 += a1;
    s2 += a2;
    s3 += a3;
    s4 += a4;
  }
  sums[0] = s0;
  sums[1] = s1;
  sums[2] = s2;
  sums[3] = s3;
  sums[4] = s4;
  let order = 0;
  for (let o = 1; o <= 4; o++) if (sums[o]! < sums[order]!) order = o;
  source.fixedOrder = order;
  // Folded values are about twice the magnitudes.
  source.fixedBits = riceEstimate(2 * sums[order]!, n - 4);
}

/** Residual of the fixed predictor of `order` (0–4) for samples order…n−1. */
function fixedResidual(x: Int32Array, n: number, order: number, out: Int32Array): void {
  switch (order) {
    case 0:
      for (let i = 0; i < n; i++) out[i] = x[i]!;
      break;
    case 1:
      for (let i = 1; i < n; i++) out[i] = x[i]! - x[i - 1]!;
      break;
    case 2:
      for (let i = 2; i < n; i++) out[i] = x[i]! - 2 * x[i - 1]! + x[i - 2]!;
      break;
    case 3:
      for (let i = 3; i < n; i++) out[i] = x[i]! - 3 * (x[i - 1]! - x[i - 2]!) - x[i - 3]!;
      break;
    default:
      for (let i = 4; i < n; i++) out[i] = x[i]! - 4 * (x[i - 1]! + x[i - 3]!) + 6 * x[i - 2]! + x[i - 4]!;
  }
}

/**
 * Residual of a quantized LPC predictor: x[i] − ⌊Σ c[j]·x[i−1−j] / 2^shift⌋. Returns false when a
 * residual would not fit 31 bits (a predictor gone wild on extreme input).
 */
function lpcResidual(x: Int32Array, n: number, bps: number, coefs: Int32Array, order: number, shift: number, out: Int32Array): boolean {
  let sumAbs = 0;
  for (let j = 0; j < order; j++) sumAbs += Math.abs(coefs[j]!);
  const peak = 2 ** (bps - 1);
  if (sumAbs * peak < 2 ** 31) {
    // The sum fits an int32, so an arithmetic shift is the floor division.
    if (order === 8) {
      const c0 = coefs[0]!, c1 = coefs[1]!, c2 = coefs[2]!, c3 = coefs[3]!;
      const c4 = coefs[4]!, c5 = coefs[5]!, c6 = coefs[6]!, c7 = coefs[7]!;
      for (let i = 8; i < n; i++) {
        const sum =
          c0 * x[i - 1]! + c1 * x[i - 2]! + c2 * x[i - 3]! + c3 * x[i - 4]! +
          c4 * x[i - 5]! + c5 * x[i - 6]! + c6 * x[i - 7]! + c7 * x[i - 8]!;
        out[i] = x[i]! - (sum >> shift);
      }
    } else {
      for (let i = order; i < n; i++) {
        let sum = 0;
        for (let j = 0; j < order; j++) sum += coefs[j]! * x[i - 1 - j]!;
        out[i] = x[i]! - (sum >> shift);
      }
    }
    // |residual| ≤ |x| + |prediction|: only a loose bound needs the exact check.
    return sumAbs * peak * 2 ** -shift + peak < 2 ** 30 || residualFits(x, n, coefs, order, shift);
  }
  const scale = 2 ** -shift;
  for (let i = order; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < order; j++) sum += coefs[j]! * x[i - 1 - j]!;
    const r = x[i]! - Math.floor(sum * scale);
    if (r >= 2 ** 30 || r < -(2 ** 30)) return false;
    out[i] = r;
  }
  return true;
}

/** Recomputes the residual in doubles to check it fits 31 bits (rarely needed). */
function residualFits(x: Int32Array, n: number, coefs: Int32Array, order: number, shift: number): boolean {
  for (let i = order; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < order; j++) sum += coefs[j]! * x[i - 1 - j]!;
    const r = x[i]! - (sum >> shift);
    if (r >= 2 ** 30 || r < -(2 ** 30)) return false;
  }
  return true;
}

/** Coefficient precision by block size, as common encoders choose it. */
function lpcPrecision(n: number, bitsPerSample: number): number {
  const byLength = n <= 192 ? 7 : n <= 384 ? 8 : n <= 576 ? 9 : n <= 1152 ? 10 : n <= 2304 ? 11 : n <= 4608 ? 12 : 13;
  return bitsPerSample < 16 ? Math.min(byLength, Math.max(5, 2 + (bitsPerSample >> 1))) : byLength;
}

/** Bits of the narrowest two's complement field holding `v`. */
function signedWidth(v: number): number {
  return 33 - Math.clz32(v < 0 ? ~v : v);
}

/** The frame header's 4-bit sample-rate code (RFC 9639 §9.1.2). */
export function sampleRateCode(rate: number): number {
  const table: Record<number, number> = {
    88200: 1, 176400: 2, 192000: 3, 8000: 4, 16000: 5, 22050: 6, 24000: 7, 32000: 8, 44100: 9, 48000: 10, 96000: 11,
  };
  const code = table[rate];
  if (code !== undefined) return code;
  if (rate % 1000 === 0 && rate / 1000 <= 255) return 12;
  if (rate <= 65535) return 13;
  if (rate % 10 === 0 && rate / 10 <= 65535) return 14;
  return 0;
}

/** The frame number in the UTF-8-like coding of RFC 9639 §9.1.5 (up to 31 bits here). */
function writeCodedNumber(w: BitWriter, value: number): void {
  if (value < 0x80) {
    w.write(value, 8);
    return;
  }
  const bytes = value < 0x800 ? 2 : value < 0x10000 ? 3 : value < 0x200000 ? 4 : value < 0x4000000 ? 5 : 6;
  const lead = (0xff00 >> bytes) & 0xff;
  w.write(lead | (value >>> (6 * (bytes - 1))), 8);
  for (let b = bytes - 2; b >= 0; b--) w.write(0x80 | ((value >>> (6 * b)) & 0x3f), 8);
}
