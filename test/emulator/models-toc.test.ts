import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { checkSector } from '../../lib/cd/index.js';
import { createSyntheticDisc, openCdrdaoTocDisc, type DiscModel } from '../../lib/emulator/index.js';
import { UnsupportedError } from '../../lib/errors.js';
import { parseCdrdaoToc, resolveCdrdaoTocLayout } from '../../lib/image/index.js';

const directory = mkdtempSync(join(tmpdir(), 'discrescue-toc-model-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let counter = 0;
function image(toc: string, files: Record<string, Uint8Array>): string {
  const dir = join(directory, `case-${++counter}`);
  mkdirSync(dir);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  const path = join(dir, 'disc.toc');
  writeFileSync(path, toc);
  return path;
}

/** Bytes counting up from `seed`. */
function ramp(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (seed + i * 7 + (i >> 8)) & 0xff;
  return bytes;
}

function swap16(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1] ?? 0;
    out[i + 1] = bytes[i] ?? 0;
  }
  return out;
}

function sector(disc: DiscModel, lba: number): { kind: string | undefined; bytes: Uint8Array } {
  const bytes = new Uint8Array(2352);
  return { kind: disc.readSector(lba, bytes), bytes };
}

/** The audio stream of LBAs [from, to). */
function audioOf(disc: DiscModel, from: number, to: number): Uint8Array {
  const out = new Uint8Array((to - from) * 2352);
  for (let lba = from; lba < to; lba++) disc.readSector(lba, out.subarray((lba - from) * 2352, (lba - from + 1) * 2352));
  return out;
}

describe('cdrdao TOC models', () => {
  test('audio: FILE is big-endian unless SWAP, DATAFILE little-endian; sample-exact starts and lengths join mid-sector', async () => {
    const a = ramp(10 * 2352, 1);
    const b = ramp(10 * 2352, 99);
    const path = image(
      [
        'CD_DA',
        'TRACK AUDIO',
        'FILE "a.raw" 0 0:0:2', // 2 frames from the start, big-endian
        'FILE "b.le" SWAP 100 300', // 300 samples from sample 100, little-endian
        'DATAFILE "b.le" #8 288', // 288 bytes from byte 8
        'TRACK AUDIO',
        'SILENCE 0:0:10',
        'FILE "a.raw" #2352 0 0:0:5',
        '',
      ].join('\n'),
      { 'a.raw': a, 'b.le': b },
    );
    const disc = await openCdrdaoTocDisc(path);
    try {
      expect(disc.tracks.map((t) => [t.pregapLba, t.startLba, t.endLba])).toEqual([
        [-150, 0, 3],
        [3, 3, 18],
      ]);
      // 2 frames + 300 samples + 72 samples = 2.63 frames, padded to 3.
      const stream = audioOf(disc, 0, 3);
      expect(Buffer.compare(stream.subarray(0, 4704), swap16(a.subarray(0, 4704)))).toBe(0);
      expect(Buffer.compare(stream.subarray(4704, 5904), b.subarray(400, 1600))).toBe(0);
      expect(Buffer.compare(stream.subarray(5904, 6192), b.subarray(8, 296))).toBe(0);
      expect(stream.subarray(6192).every((x) => x === 0)).toBe(true);
      expect(audioOf(disc, 3, 13).every((x) => x === 0)).toBe(true);
      expect(Buffer.compare(audioOf(disc, 13, 18), swap16(a.subarray(2352, 6 * 2352)))).toBe(0);
    } finally {
      disc.close();
    }
  });

  test('a statement reading past the end of its file is a FormatError at its line', async () => {
    const path = image('TRACK AUDIO\nSILENCE 0:0:10\nFILE "a.raw" #2352 0:1:0\n', { 'a.raw': ramp(10 * 2352, 1) });
    await expect(openCdrdaoTocDisc(path)).rejects.toMatchObject({ file: path, line: 3, message: expect.stringMatching(/"a\.raw" is 23520 bytes/) });
    const start = image('TRACK AUDIO\nFILE "a.raw" 0:0:20\n', { 'a.raw': ramp(10 * 2352, 1) });
    await expect(openCdrdaoTocDisc(start)).rejects.toMatchObject({ file: start, line: 2, message: expect.stringMatching(/starts past its end/) });
  });

  test('data modes: DATAFILE sectors of each size, ZERO, raw FILE sectors in a cooked track, sub-channel bytes skipped', async () => {
    const xa = createSyntheticDisc({ tracks: [{ mode: 'mode2-xa', sectors: 6, form2: (lba) => lba >= 3 }] });
    const raw = audioOf(xa, 0, 6);
    const mix = new Uint8Array(6 * 2336);
    for (let i = 0; i < 6; i++) mix.set(raw.subarray(i * 2352 + 16, (i + 1) * 2352), i * 2336);
    const withSub = new Uint8Array(4 * 2144);
    for (let i = 0; i < 4; i++) {
      withSub.set(ramp(2048, i), i * 2144);
      withSub.fill(0xcc, i * 2144 + 2048, (i + 1) * 2144);
    }
    const toc = [
      'CD_ROM_XA',
      'TRACK MODE1', // 3 sectors of 2048 bytes from byte 10, then 2 zero sectors
      'DATAFILE "m1.bin" #10 6144',
      'ZERO 0:0:2',
      'TRACK MODE2_FORM1',
      'DATAFILE "m1.bin" 0:0:2',
      'TRACK MODE2_FORM2',
      'DATAFILE "f2.bin" 0:0:2',
      'TRACK MODE2_FORM_MIX',
      'DATAFILE "mix.bin"',
      'TRACK MODE2',
      'ZERO MODE2 4672',
      'TRACK MODE2_RAW',
      'DATAFILE "xa.raw"',
      'TRACK MODE1 RW',
      'DATAFILE "sub.bin"',
      '',
    ].join('\n');
    const m1 = ramp(3 * 2048 + 10, 5);
    const f2 = ramp(2 * 2324, 9);
    const path = image(toc, { 'm1.bin': m1, 'f2.bin': f2, 'mix.bin': mix, 'xa.raw': raw, 'sub.bin': withSub });
    const disc = await openCdrdaoTocDisc(path);
    try {
      expect(disc.sessions[0]?.discType).toBe(0x20);
      expect(disc.tracks.map((t) => [t.number, t.mode, t.startLba, t.endLba])).toEqual([
        [1, 'mode1', 0, 5],
        [2, 'mode2-xa', 5, 7],
        [3, 'mode2-xa', 7, 9],
        [4, 'mode2-xa', 9, 15],
        [5, 'mode2-formless', 15, 17],
        [6, 'mode2-xa', 17, 23],
        [7, 'mode1', 23, 27],
      ]);
      const s1 = sector(disc, 1);
      expect(checkSector(s1.bytes, 1)).toMatchObject({ ok: true, type: 'mode1' });
      expect(Buffer.compare(s1.bytes.subarray(16, 2064), m1.subarray(10 + 2048, 10 + 4096))).toBe(0);
      expect(sector(disc, 4).bytes.subarray(16, 2064).every((x) => x === 0)).toBe(true);
      const s5 = sector(disc, 5);
      expect([s5.kind, checkSector(s5.bytes, 5, 'mode2-xa').ok]).toEqual(['mode2-form1', true]);
      expect(Buffer.compare(s5.bytes.subarray(24, 2072), m1.subarray(0, 2048))).toBe(0);
      const s8 = sector(disc, 8);
      expect([s8.kind, checkSector(s8.bytes, 8, 'mode2-xa').ok]).toEqual(['mode2-form2', true]);
      expect(Buffer.compare(s8.bytes.subarray(24, 2348), f2.subarray(2324))).toBe(0);
      // FORM_MIX: the file's subheaders and EDC/ECC (made for LBA 0…) kept; the header is this LBA's.
      const s12 = sector(disc, 12);
      expect(s12.kind).toBe('mode2-form2');
      expect(Buffer.compare(s12.bytes.subarray(16), raw.subarray(3 * 2352 + 16, 4 * 2352))).toBe(0);
      expect(sector(disc, 16).kind).toBe('mode2-formless');
      expect(Buffer.compare(sector(disc, 19).bytes, raw.subarray(2 * 2352, 3 * 2352))).toBe(0);
      expect(sector(disc, 19).kind).toBe('mode2-form1');
      const s25 = sector(disc, 25);
      expect(checkSector(s25.bytes, 25).ok).toBe(true);
      expect(Buffer.compare(s25.bytes.subarray(16, 2064), ramp(2048, 2))).toBe(0);
    } finally {
      disc.close();
    }
  });

  test('PREGAP, START, INDEX, flags, ISRC, CATALOG and FIRST_TRACK_NO; positions agree with resolveCdrdaoTocLayout', async () => {
    const toc = [
      'CD_DA',
      'CATALOG "1234567890123"',
      'FIRST_TRACK_NO 3',
      'TRACK AUDIO',
      'COPY',
      'PRE_EMPHASIS',
      'FOUR_CHANNEL_AUDIO',
      'ISRC "DEMUA9800001"',
      'SILENCE 0:2:0',
      'START 0:1:0',
      'INDEX 0:0:30',
      'TRACK AUDIO',
      'SILENCE 0:0:20',
      'FILE "a.raw" 0',
      'START',
      'FILE "a.raw" 0 0:0:10',
      'INDEX 0:0:5',
      '',
    ].join('\n');
    const a = ramp(12 * 2352, 3);
    const path = image(toc, { 'a.raw': a });
    const disc = await openCdrdaoTocDisc(path);
    try {
      expect(disc.mcn).toBe('1234567890123');
      const layout = resolveCdrdaoTocLayout(parseCdrdaoToc(readFileSync(path, 'utf8')), { sourceFrames: () => 12 });
      expect(disc.tracks.map((t) => [t.number, t.startLba, t.endLba, t.indexes.filter((i) => i.number > 1).map((i) => i.lba)])).toEqual(
        layout.tracks.map((t) => [t.number, t.index1Frame, t.endFrame, t.indexFrames]),
      );
      expect(disc.tracks.map((t) => [t.pregapLba, t.startLba, t.control, t.isrc])).toEqual([
        [-150, 75, 0xb, 'DEMUA9800001'],
        [150, 150 + 20 + 12, 0x0, undefined],
      ]);
      // Track 4: silence and the whole file (pre-gap, then a value-less START), then its first 10 frames again.
      expect(audioOf(disc, 150, 170).every((x) => x === 0)).toBe(true);
      expect(Buffer.compare(audioOf(disc, 170, 192), swap16(new Uint8Array([...a, ...a.subarray(0, 10 * 2352)])))).toBe(0);
    } finally {
      disc.close();
    }
  });

  test('unsupported statements name the file and line', async () => {
    const cases: Array<[string, Record<string, Uint8Array>, RegExp]> = [
      ['TRACK AUDIO\nFILE "a.wav" 0\n', { 'a.wav': new Uint8Array(100) }, /:2: "a\.wav" needs decoding/],
      ['TRACK AUDIO\nFILE "-" 0 0:1:0\n', {}, /:2: data from standard input/],
      ['TRACK MODE1\nFIFO "/tmp/f" 2048\n', {}, /:2: FIFO "\/tmp\/f"/],
      ['TRACK MODE1\nZERO 100\nFILE "r.bin" 0\n', { 'r.bin': new Uint8Array(2352) }, /:3: raw FILE data in a MODE1 track must start on a whole frame/],
    ];
    for (const [text, files, message] of cases) {
      const path = image(text, files);
      const error = await openCdrdaoTocDisc(path).catch((e: unknown) => e);
      expect(error, text).toBeInstanceOf(UnsupportedError);
      expect((error as Error).message).toContain(path);
      expect((error as Error).message).toMatch(message);
    }
  });
});
