/**
 * The FLAC encoder against the test decoder (flac-decoder.ts): every frame's CRCs recomputed, the
 * PCM back bit for bit, STREAMINFO fields and MD5, tags, the streaming writer, and errors. Runs
 * without Debian's flac (flac-oracle.test.ts uses it).
 */

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../../lib/errors.js';
import { FlacEncoder, createFlacWriter, encodeFlac, flacCrc16, flacCrc8, flacVendorString } from '../../../lib/audio/flac/index.js';
import { BitWriter } from '../../../lib/audio/flac/bit-writer.js';
import { writeResidual } from '../../../lib/audio/flac/rice.js';
import { decodeFlac, type DecodedFlac } from './flac-decoder.js';
import { extremes, halfSilent, musicLike, noise, pcmFrom, prng, roughWalk, silence, sine, square } from './flac-signals.js';

const work = mkdtempSync(join(tmpdir(), 'discrescue-flac-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');

/** Decodes, checks the PCM and every STREAMINFO field; returns the decoding. */
function roundTrip(pcm: Uint8Array, options: Parameters<typeof encodeFlac>[1] = {}): DecodedFlac {
  const flac = encodeFlac(pcm, { padding: 0, ...options });
  const decoded = decodeFlac(flac);
  const channels = options.channels ?? 2;
  const bits = options.bitsPerSample ?? 16;
  const blockSize = options.blockSize ?? 4096;
  const samples = pcm.length / (channels * (bits / 8));
  expect(Buffer.from(decoded.pcm).equals(Buffer.from(pcm))).toBe(true);
  const sizes = decoded.frames.map((f) => f.size);
  expect(decoded.streamInfo).toEqual({
    minBlockSize: blockSize,
    maxBlockSize: blockSize,
    minFrameSize: sizes.length === 0 ? 0 : Math.min(...sizes),
    maxFrameSize: sizes.length === 0 ? 0 : Math.max(...sizes),
    sampleRate: options.sampleRate ?? 44100,
    channels,
    bitsPerSample: bits,
    totalSamples: samples,
    md5: md5(pcm),
  });
  expect(decoded.frames.map((f) => f.blockSize)).toEqual(
    Array.from({ length: Math.ceil(samples / blockSize) }, (_, i) => Math.min(blockSize, samples - i * blockSize)),
  );
  return decoded;
}

describe('FLAC CRCs', () => {
  it('match the check values of CRC-8/SMBUS and CRC-16/UMTS for "123456789"', () => {
    const check = new TextEncoder().encode('123456789');
    expect(flacCrc8(check)).toBe(0xf4);
    expect(flacCrc16(check)).toBe(0xfee8);
  });
});

describe('encodeFlac round trips through an independent decoder', () => {
  it('random noise: verbatim or escaped partitions, never larger than PCM plus headers', () => {
    const pcm = noise(3 * 4096 + 17, 3);
    const decoded = roundTrip(pcm);
    for (const frame of decoded.frames) {
      expect(frame.size).toBeLessThanOrEqual(16 + 2 * Math.ceil((frame.blockSize * 17 + 8) / 8) + 2);
    }
  });

  it('silence: constant subframes', () => {
    const decoded = roundTrip(silence(10_000));
    for (const frame of decoded.frames) expect(frame.subframes).toEqual(['constant', 'constant']);
    // Header (6 bytes here) + CRC-8, two 3-byte constant subframes, CRC-16.
    expect(decoded.frames[0]!.size).toBeLessThan(20);
  });

  it('sine waves: predicted subframes, strong compression', () => {
    const pcm = sine(44100);
    const flac = encodeFlac(pcm, { padding: 0 });
    const decoded = roundTrip(pcm);
    expect(flac.length).toBeLessThan(pcm.length * 0.35);
    for (const frame of decoded.frames) for (const kind of frame.subframes) expect(kind).toMatch(/^(lpc|fixed)/u);
    expect(decoded.frames.some((f) => f.subframes.some((k) => k.startsWith('lpc')))).toBe(true);
  });

  it('square waves', () => {
    roundTrip(square(20_000));
    roundTrip(square(20_000, 2, 32767));
  });

  it('full-scale extremes (−32768/32767 alternating): a 17-bit side channel', () => {
    roundTrip(extremes(9000));
    // Same extremes in both channels: side is constant zero.
    const same = pcmFrom(9000, 2, 16, (i) => (i % 2 === 0 ? -32768 : 32767));
    const decoded = roundTrip(same);
    for (const frame of decoded.frames) expect(frame.subframes).toContain('constant');
  });

  it('identical channels use a side channel that is constant zero', () => {
    const mono = sine(8192, 1000, 8000);
    for (let i = 0; i < mono.length; i += 4) {
      mono[i + 2] = mono[i]!;
      mono[i + 3] = mono[i + 1]!;
    }
    const decoded = roundTrip(mono);
    for (const frame of decoded.frames) {
      expect(frame.assignment).toBeGreaterThanOrEqual(8);
      expect(frame.subframes).toContain('constant');
    }
  });

  it.each([0, 1, 2, 15, 16, 4095, 4096, 4097, 8192, 8193])('%i samples', (count) => {
    const decoded = roundTrip(musicLike(count));
    expect(decoded.frames.length).toBe(Math.ceil(count / 4096));
  });

  it('music-like signal: all stereo modes and LPC appear, pairs of modes agree', () => {
    const pcm = musicLike(20 * 4096);
    const decoded = roundTrip(pcm);
    const kinds = new Set(decoded.frames.flatMap((f) => f.subframes.map((k) => k.replace(/\d+$/u, ''))));
    expect(kinds.has('lpc')).toBe(true);
    expect(encodeFlac(pcm, { padding: 0 }).length).toBeLessThan(pcm.length * 0.75);
    roundTrip(pcm, { exhaustiveStereo: true, maxLpcOrder: 12 });
    roundTrip(pcm, { maxLpcOrder: 32, maxPartitionOrder: 8 });
    roundTrip(pcm, { maxLpcOrder: 0, maxPartitionOrder: 0 });
  });

  it('partitions of zeros are escaped with width 0', () => {
    const decoded = roundTrip(halfSilent(3 * 4096));
    for (const frame of decoded.frames) expect(frame.escapes).toBeGreaterThan(0);
  });

  it('random material in random lengths, block sizes and settings', () => {
    const random = prng(99);
    for (let run = 0; run < 24; run++) {
      const samples = Math.floor(random() * 12_000);
      const options = {
        blockSize: [4096, 4096, 1152, 16 + Math.floor(random() * 5000)][run % 4]!,
        maxLpcOrder: Math.floor(random() * 13),
        maxPartitionOrder: Math.floor(random() * 9),
        exhaustiveStereo: random() < 0.3,
      };
      roundTrip(roughWalk(samples, run), options);
    }
  });

  it('wasted bits: samples that are multiples of 2^k', () => {
    const pcm = pcmFrom(5000, 2, 16, (i, c) => Math.round(1500 * Math.sin(i / (20 + c))) * 16);
    const decoded = roundTrip(pcm);
    expect(decoded.frames.some((f) => f.subframes.some((k) => k.includes('+w')))).toBe(true);
  });

  it('other formats: 8 and 24 bits, mono, 6 channels, other rates and block sizes', () => {
    roundTrip(noise(5000, 5, 8, 1), { channels: 1, bitsPerSample: 8, sampleRate: 8000 });
    roundTrip(pcmFrom(7000, 2, 24, (i, c) => 4_000_000 * Math.sin(i / (9 + c)) + ((i * 7919) % 301)), { bitsPerSample: 24, sampleRate: 96000 });
    roundTrip(noise(3000, 9, 24, 2), { bitsPerSample: 24, sampleRate: 48000 });
    // Residuals around 2^17: Rice parameters above 14 need the 5-bit coding method.
    const random = prng(5);
    const loud = pcmFrom(9000, 2, 24, (i) => 6e6 * Math.sin(i / 50) + (random() - 0.5) * 2 ** 19);
    expect(roundTrip(loud, { bitsPerSample: 24 }).frames.some((f) => f.wideResiduals > 0)).toBe(true);
    roundTrip(extremes(3000).map((b, i) => (i % 2 === 1 ? b : b)), {});
    roundTrip(pcmFrom(6000, 6, 16, (i, c) => 5000 * Math.sin(i / (5 + c))), { channels: 6, sampleRate: 22050 });
    roundTrip(musicLike(5000), { blockSize: 1000, sampleRate: 44056 });
    roundTrip(musicLike(5000), { blockSize: 192, sampleRate: 37800 });
    roundTrip(musicLike(5000), { blockSize: 16, sampleRate: 700_000 > 655_350 ? 655_350 : 700_000 });
  });

  it('writes the vendor string and the tags', () => {
    const flac = encodeFlac(sine(100), {
      tags: { TITLE: 'Ünïcode ☃ title', ARTIST: ['A', 'B'], TRACKNUMBER: 3, ISRC: 'USABC9900001', ALBUM: undefined },
    });
    const decoded = decodeFlac(flac);
    expect(decoded.vendor).toBe(flacVendorString());
    expect(decoded.vendor).toMatch(/^discrescue \d+\.\d+\.\d+/u);
    expect(decoded.comments).toEqual(['TITLE=Ünïcode ☃ title', 'ARTIST=A', 'ARTIST=B', 'TRACKNUMBER=3', 'ISRC=USABC9900001']);
    expect(decoded.blockTypes).toEqual([0, 4, 1]);
    expect(decoded.paddingBytes).toBe(8192);
    expect(decodeFlac(encodeFlac(sine(100), { padding: 0 })).blockTypes).toEqual([0, 4]);
  });

  it('rejects bad input and options with typed errors', () => {
    expect(() => encodeFlac(new Uint8Array(6))).toThrow(FormatError);
    expect(() => encodeFlac(new Uint8Array(8), { totalSamples: 3 })).toThrow(FormatError);
    expect(() => encodeFlac(new Uint8Array(8), { tags: { 'A=B': 'x' } })).toThrow(RangeError);
    expect(() => encodeFlac(new Uint8Array(8), { tags: { '': 'x' } })).toThrow(RangeError);
    expect(() => encodeFlac(new Uint8Array(8), { bitsPerSample: 12 })).toThrow(RangeError);
    expect(() => encodeFlac(new Uint8Array(8), { channels: 9 })).toThrow(RangeError);
    expect(() => encodeFlac(new Uint8Array(8), { blockSize: 8 })).toThrow(RangeError);
    const encoder = new FlacEncoder();
    encoder.finish();
    expect(() => encoder.encode(new Uint8Array(4))).toThrow(/finished/u);
  });
});

describe('bit writer and Rice codes', () => {
  it('mark and restore drop what was written since the mark', () => {
    const w = new BitWriter(64);
    w.write(0b101, 3);
    w.mark();
    w.write(0xffffffff, 32);
    w.write(0x3ff, 10);
    w.restore();
    w.write(0b11, 2);
    w.write(0xabcdef, 24);
    w.alignToByte();
    expect(Array.from(w.buf.subarray(0, w.pos))).toEqual([0b10111101, 0b01011110, 0b01101111, 0b01111000]);
  });

  it('long unary runs: a residual far above its Rice parameter', () => {
    const w = new BitWriter(1024);
    const residual = Int32Array.of(1000, -1, 0);
    writeResidual(w, residual, 3, 0, { method: 0, partitionOrder: 0, params: Int32Array.of(0) });
    w.alignToByte();
    // 2 + 4 + 4 header bits, 2000 zeros and a one, then -1 → "01", 0 → "1".
    const bits = Array.from(w.buf.subarray(0, w.pos), (b) => b.toString(2).padStart(8, '0')).join('');
    expect(bits).toBe(`${'0'.repeat(10)}${'0'.repeat(2000)}1011`.padEnd(w.pos * 8, '0'));
  });
});

describe('createFlacWriter', () => {
  it('streams pieces of any size to the same bytes as encodeFlac', async () => {
    const pcm = musicLike(3 * 4096 + 1234);
    const path = join(work, 'stream.flac');
    const writer = createFlacWriter(path, { tags: { TITLE: 'x' }, totalSamples: pcm.length / 4 });
    const pieces = [4, 400, 16384, 4, 8, 40000, 4096 * 4];
    let at = 0;
    for (let i = 0; at < pcm.length; i++) {
      const size = Math.min(pieces[i % pieces.length]!, pcm.length - at);
      await writer.write(pcm.subarray(at, at + size));
      at += size;
    }
    const summary = await writer.close();
    const file = readFileSync(path);
    expect(file.equals(Buffer.from(encodeFlac(pcm, { tags: { TITLE: 'x' } })))).toBe(true);
    const decoded = decodeFlac(file);
    expect(summary).toEqual({
      path,
      totalSamples: pcm.length / 4,
      md5: md5(pcm),
      frames: 4,
      minFrameSize: decoded.streamInfo.minFrameSize,
      maxFrameSize: decoded.streamInfo.maxFrameSize,
      bytes: file.length,
    });
  });

  it('writes without awaiting each call, from an odd byte offset', async () => {
    const pcm = musicLike(10_000);
    const shifted = new Uint8Array(pcm.length + 1);
    shifted.set(pcm, 1);
    const path = join(work, 'unawaited.flac');
    const writer = createFlacWriter(path);
    const writes = [writer.write(shifted.subarray(1, 4001)), writer.write(shifted.subarray(4001))];
    const summary = await writer.close();
    await Promise.all(writes);
    expect(Buffer.from(decodeFlac(readFileSync(path)).pcm).equals(Buffer.from(pcm))).toBe(true);
    expect(summary.totalSamples).toBe(10_000);
  });

  it('a partial sample frame is a FormatError and consumes nothing', async () => {
    const pcm = sine(5000);
    const path = join(work, 'partial.flac');
    const writer = createFlacWriter(path);
    await writer.write(pcm.subarray(0, 4000));
    await expect(writer.write(pcm.subarray(4000, 4003))).rejects.toThrow(FormatError);
    await writer.write(pcm.subarray(4000));
    await writer.close();
    expect(Buffer.from(decodeFlac(readFileSync(path)).pcm).equals(Buffer.from(pcm))).toBe(true);
    await expect(writer.write(pcm)).rejects.toThrow(/closed/u);
  });

  it('an empty stream is a valid FLAC file', async () => {
    const path = join(work, 'empty.flac');
    const summary = await createFlacWriter(path).close();
    expect(summary).toMatchObject({ totalSamples: 0, frames: 0, md5: 'd41d8cd98f00b204e9800998ecf8427e' });
    const decoded = decodeFlac(readFileSync(path));
    expect(decoded.frames).toEqual([]);
    expect(decoded.streamInfo.totalSamples).toBe(0);
  });

  it('a sample count other than the declared one finishes the file, then rejects', async () => {
    const path = join(work, 'short.flac');
    const writer = createFlacWriter(path, { totalSamples: 1000 });
    await writer.write(sine(999));
    await expect(writer.close()).rejects.toThrow(FormatError);
    expect(decodeFlac(readFileSync(path)).streamInfo.totalSamples).toBe(999);
  });

  it('abort removes the file; an unwritable path is an OutputWriteError', async () => {
    const path = join(work, 'aborted.flac');
    const writer = createFlacWriter(path);
    await writer.write(sine(5000));
    await writer.abort();
    expect(existsSync(path)).toBe(false);
    const bad = createFlacWriter(join(work, 'no', 'such', 'dir.flac'));
    await expect(bad.write(sine(10))).rejects.toMatchObject({ code: 'ERR_OUTPUT_WRITE', errnoCode: 'ENOENT' });
    await expect(bad.write(sine(10))).rejects.toMatchObject({ code: 'ERR_OUTPUT_WRITE' });
  });
});
