/**
 * A small FLAC decoder for the encoder's tests: parses metadata and every frame, recomputes both
 * CRCs bit by bit (independently of lib/audio/flac/crc.ts), decodes all subframe types and stereo
 * modes, and returns the PCM as signed little-endian interleaved bytes with what it saw. Strict:
 * anything off the spec throws.
 */

export interface DecodedStreamInfo {
  minBlockSize: number;
  maxBlockSize: number;
  minFrameSize: number;
  maxFrameSize: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  totalSamples: number;
  md5: string;
}

export interface DecodedFrame {
  offset: number;
  size: number;
  number: number;
  blockSize: number;
  /** 0–7 independent (channels − 1), 8 left/side, 9 side/right, 10 mid/side. */
  assignment: number;
  /** Per subframe: 'constant' | 'verbatim' | 'fixed<order>' | 'lpc<order>', with '+w<k>' for wasted bits. */
  subframes: string[];
  /** Rice partitions coded with an escape. */
  escapes: number;
  /** Residuals coded with 5-bit Rice parameters (method 1). */
  wideResiduals: number;
}

export interface DecodedFlac {
  streamInfo: DecodedStreamInfo;
  /** Metadata block types in order. */
  blockTypes: number[];
  vendor: string | undefined;
  comments: string[];
  paddingBytes: number;
  frames: DecodedFrame[];
  pcm: Uint8Array;
}

function crc8Bitwise(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]!;
    for (let b = 0; b < 8; b++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function crc16Bitwise(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]! << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

class BitReader {
  bit = 0;
  constructor(private readonly bytes: Uint8Array, start: number) {
    this.bit = start * 8;
  }
  get byte(): number {
    if (this.bit % 8 !== 0) throw new Error('not byte aligned');
    return this.bit / 8;
  }
  readBit(): number {
    const byte = this.bit >>> 3;
    if (byte >= this.bytes.length) throw new Error('read past the end');
    const v = (this.bytes[byte]! >> (7 - (this.bit & 7))) & 1;
    this.bit++;
    return v;
  }
  /** Unsigned, up to 53 bits. */
  read(bits: number): number {
    let v = 0;
    for (let i = 0; i < bits; i++) v = v * 2 + this.readBit();
    return v;
  }
  readSigned(bits: number): number {
    if (bits === 0) return 0;
    const v = this.read(bits);
    return v >= 2 ** (bits - 1) ? v - 2 ** bits : v;
  }
  readUnary(): number {
    let zeros = 0;
    while (this.readBit() === 0) {
      zeros++;
      if (zeros > 1 << 24) throw new Error('runaway unary code');
    }
    return zeros;
  }
  align(): void {
    while (this.bit % 8 !== 0) if (this.readBit() !== 0) throw new Error('non-zero padding bit');
  }
}

const BLOCK_SIZES: Record<number, number> = { 1: 192, 2: 576, 3: 1152, 4: 2304, 5: 4608 };
const RATES: Record<number, number> = { 1: 88200, 2: 176400, 3: 192000, 4: 8000, 5: 16000, 6: 22050, 7: 24000, 8: 32000, 9: 44100, 10: 48000, 11: 96000 };
const SIZES: Record<number, number> = { 1: 8, 2: 12, 4: 16, 5: 20, 6: 24, 7: 32 };

/** Decodes a whole FLAC file. */
export function decodeFlac(bytes: Uint8Array): DecodedFlac {
  if (String.fromCharCode(...bytes.subarray(0, 4)) !== 'fLaC') throw new Error('no fLaC marker');
  let at = 4;
  let last = false;
  const blockTypes: number[] = [];
  let streamInfo: DecodedStreamInfo | undefined;
  let vendor: string | undefined;
  const comments: string[] = [];
  let paddingBytes = 0;
  while (!last) {
    if (at + 4 > bytes.length) throw new Error('truncated metadata');
    last = (bytes[at]! & 0x80) !== 0;
    const type = bytes[at]! & 0x7f;
    const length = (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const body = bytes.subarray(at + 4, at + 4 + length);
    if (body.length !== length) throw new Error('metadata block past the end');
    blockTypes.push(type);
    if (type === 0) {
      if (length !== 34) throw new Error('STREAMINFO length');
      const r = new BitReader(body, 0);
      streamInfo = {
        minBlockSize: r.read(16),
        maxBlockSize: r.read(16),
        minFrameSize: r.read(24),
        maxFrameSize: r.read(24),
        sampleRate: r.read(20),
        channels: r.read(3) + 1,
        bitsPerSample: r.read(5) + 1,
        totalSamples: r.read(36),
        md5: Buffer.from(body.subarray(18, 34)).toString('hex'),
      };
    } else if (type === 4) {
      const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
      let p = 0;
      const text = (): string => {
        const n = view.getUint32(p, true);
        const s = new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(p + 4, p + 4 + n));
        p += 4 + n;
        return s;
      };
      vendor = text();
      const count = view.getUint32(p, true);
      p += 4;
      for (let i = 0; i < count; i++) comments.push(text());
      if (p !== length) throw new Error('VORBIS_COMMENT length mismatch');
    } else if (type === 1) {
      if (body.some((b) => b !== 0)) throw new Error('non-zero padding');
      paddingBytes += length;
    }
    at += 4 + length;
  }
  if (streamInfo === undefined || blockTypes[0] !== 0) throw new Error('STREAMINFO is not first');
  const info = streamInfo;
  const frames: DecodedFrame[] = [];
  const width = Math.ceil(info.bitsPerSample / 8);
  const out: number[][] = Array.from({ length: info.channels }, () => []);
  while (at < bytes.length) {
    const frame = decodeFrame(bytes, at, info, out);
    if (frame.number !== frames.length) throw new Error(`frame ${frames.length} numbered ${frame.number}`);
    frames.push(frame);
    at += frame.size;
  }
  const samples = out[0]!.length;
  const pcm = new Uint8Array(samples * info.channels * width);
  let p = 0;
  for (let i = 0; i < samples; i++) {
    for (let c = 0; c < info.channels; c++) {
      const v = out[c]![i]!;
      for (let b = 0; b < width; b++) pcm[p++] = (v >> (8 * b)) & 0xff;
    }
  }
  return { streamInfo: info, blockTypes, vendor, comments, paddingBytes, frames, pcm };
}

function decodeFrame(bytes: Uint8Array, start: number, info: DecodedStreamInfo, out: number[][]): DecodedFrame {
  const r = new BitReader(bytes, start);
  if (r.read(15) !== 0x7ffc) throw new Error(`no frame sync at ${start}`);
  if (r.read(1) !== 0) throw new Error('variable block size stream');
  const blockCode = r.read(4);
  const rateCode = r.read(4);
  const assignment = r.read(4);
  const sizeCode = r.read(3);
  if (r.read(1) !== 0) throw new Error('reserved bit set');
  // UTF-8-like coded frame number.
  const lead = r.read(8);
  let number: number;
  if (lead < 0x80) number = lead;
  else {
    let extra = 0;
    while ((lead << (extra + 1)) & 0x80) extra++;
    number = lead & (0x3f >> extra);
    for (let i = 0; i < extra; i++) {
      const b = r.read(8);
      if ((b & 0xc0) !== 0x80) throw new Error('bad coded number continuation');
      number = number * 64 + (b & 0x3f);
    }
  }
  let blockSize: number;
  if (blockCode === 6) blockSize = r.read(8) + 1;
  else if (blockCode === 7) blockSize = r.read(16) + 1;
  else if (blockCode >= 8) blockSize = 256 << (blockCode - 8);
  else if (BLOCK_SIZES[blockCode] !== undefined) blockSize = BLOCK_SIZES[blockCode]!;
  else throw new Error('reserved block size code');
  let rate: number;
  if (rateCode === 0) rate = info.sampleRate;
  else if (rateCode === 12) rate = r.read(8) * 1000;
  else if (rateCode === 13) rate = r.read(16);
  else if (rateCode === 14) rate = r.read(16) * 10;
  else if (RATES[rateCode] !== undefined) rate = RATES[rateCode]!;
  else throw new Error('bad sample rate code');
  if (rate !== info.sampleRate) throw new Error(`frame rate ${rate} differs from STREAMINFO`);
  const bps = sizeCode === 0 ? info.bitsPerSample : SIZES[sizeCode];
  if (bps !== info.bitsPerSample) throw new Error('frame sample size differs from STREAMINFO');
  const headerEnd = r.byte;
  const crc8 = r.read(8);
  if (crc8 !== crc8Bitwise(bytes, start, headerEnd)) throw new Error(`frame ${number}: header CRC-8 mismatch`);
  const channels = assignment <= 7 ? assignment + 1 : 2;
  if (assignment > 10) throw new Error('reserved channel assignment');
  if (channels !== info.channels) throw new Error('frame channel count differs from STREAMINFO');
  const decoded: number[][] = [];
  const kinds: string[] = [];
  let escapes = 0;
  let wideResiduals = 0;
  for (let c = 0; c < channels; c++) {
    const sideChannel = (assignment === 8 && c === 1) || (assignment === 9 && c === 0) || (assignment === 10 && c === 1);
    const result = decodeSubframe(r, blockSize, bps + (sideChannel ? 1 : 0));
    decoded.push(result.samples);
    kinds.push(result.kind);
    escapes += result.escapes;
    wideResiduals += result.wide ? 1 : 0;
  }
  r.align();
  const crcEnd = r.byte;
  const crc16 = r.read(16);
  if (crc16 !== crc16Bitwise(bytes, start, crcEnd)) throw new Error(`frame ${number}: CRC-16 mismatch`);
  const [a, b] = decoded as [number[], number[]];
  for (let i = 0; i < blockSize; i++) {
    if (assignment === 8) b[i] = a[i]! - b[i]!;
    else if (assignment === 9) a[i] = a[i]! + b[i]!;
    else if (assignment === 10) {
      const mid = a[i]! * 2 + (b[i]! & 1);
      const side = b[i]!;
      a[i] = (mid + side) >> 1;
      b[i] = (mid - side) >> 1;
    }
  }
  const limit = 2 ** (bps - 1);
  for (let c = 0; c < channels; c++) {
    for (const v of decoded[c]!) {
      if (v < -limit || v >= limit) throw new Error(`decoded sample ${v} outside ${bps} bits`);
      out[c]!.push(v);
    }
  }
  return { offset: start, size: r.byte - start, number, blockSize, assignment, subframes: kinds, escapes, wideResiduals };
}

function decodeSubframe(r: BitReader, n: number, bps: number): { samples: number[]; kind: string; escapes: number; wide: boolean } {
  if (r.readBit() !== 0) throw new Error('subframe padding bit set');
  const type = r.read(6);
  let wasted = 0;
  if (r.readBit() === 1) wasted = r.readUnary() + 1;
  const sbps = bps - wasted;
  const samples: number[] = [];
  let kind: string;
  let escapes = 0;
  let wide = false;
  if (type === 0) {
    const v = r.readSigned(sbps);
    for (let i = 0; i < n; i++) samples.push(v);
    kind = 'constant';
  } else if (type === 1) {
    for (let i = 0; i < n; i++) samples.push(r.readSigned(sbps));
    kind = 'verbatim';
  } else if (type >= 8 && type <= 12) {
    const order = type - 8;
    for (let i = 0; i < order; i++) samples.push(r.readSigned(sbps));
    const residual = readResidual(r, n, order);
    escapes = residual.escapes;
    wide = residual.wide;
    const fixed = [[], [1], [2, -1], [3, -3, 1], [4, -6, 4, -1]][order]!;
    for (let i = order; i < n; i++) {
      let p = 0;
      for (let j = 0; j < order; j++) p += fixed[j]! * samples[i - 1 - j]!;
      samples.push(p + residual.values[i - order]!);
    }
    kind = `fixed${order}`;
  } else if (type >= 32) {
    const order = type - 31;
    for (let i = 0; i < order; i++) samples.push(r.readSigned(sbps));
    const precision = r.read(4) + 1;
    if (precision === 16) throw new Error('invalid coefficient precision');
    const shift = r.readSigned(5);
    if (shift < 0) throw new Error('negative LPC shift');
    const coefs: bigint[] = [];
    for (let j = 0; j < order; j++) coefs.push(BigInt(r.readSigned(precision)));
    const residual = readResidual(r, n, order);
    escapes = residual.escapes;
    wide = residual.wide;
    for (let i = order; i < n; i++) {
      let p = 0n;
      for (let j = 0; j < order; j++) p += coefs[j]! * BigInt(samples[i - 1 - j]!);
      samples.push(Number(p >> BigInt(shift)) + residual.values[i - order]!);
    }
    kind = `lpc${order}`;
  } else throw new Error(`reserved subframe type ${type}`);
  if (wasted > 0) {
    for (let i = 0; i < n; i++) samples[i] = samples[i]! * 2 ** wasted;
    kind += `+w${wasted}`;
  }
  return { samples, kind, escapes, wide };
}

function readResidual(r: BitReader, n: number, order: number): { values: number[]; escapes: number; wide: boolean } {
  const method = r.read(2);
  if (method > 1) throw new Error('reserved residual coding method');
  const parameterBits = method === 0 ? 4 : 5;
  const escape = method === 0 ? 15 : 31;
  const partitionOrder = r.read(4);
  const parts = 2 ** partitionOrder;
  if (n % parts !== 0) throw new Error('block size not divisible by the partition count');
  if (n / parts < order) throw new Error('first partition shorter than the predictor order');
  const values: number[] = [];
  let escapes = 0;
  for (let j = 0; j < parts; j++) {
    const count = n / parts - (j === 0 ? order : 0);
    const k = r.read(parameterBits);
    if (k === escape) {
      escapes++;
      const width = r.read(5);
      for (let i = 0; i < count; i++) values.push(r.readSigned(width));
    } else {
      for (let i = 0; i < count; i++) {
        const u = r.readUnary() * 2 ** k + r.read(k);
        values.push(u % 2 === 0 ? u / 2 : -(u + 1) / 2);
      }
    }
  }
  return { values, escapes, wide: method === 1 };
}
