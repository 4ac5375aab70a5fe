import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildCdTextPacks, checkSector } from '../../lib/cd/index.js';
import { Drive } from '../../lib/drive/drive.js';
import { createEmulatedDrive, createSyntheticDisc, driveProfileFromJson, openCueDisc, type DiscModel } from '../../lib/emulator/index.js';
import { DiscError, FormatError, UnsupportedError } from '../../lib/errors.js';

const directory = mkdtempSync(join(tmpdir(), 'discrescue-cue-model-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const zeroOffset = driveProfileFromJson({ name: 'zero-offset', readOffsetSamples: 0 });

let counter = 0;
/** Writes the files and the sheet into a fresh subdirectory; returns the sheet's path. */
function image(sheet: string, files: Record<string, Uint8Array>): string {
  const dir = join(directory, `case-${++counter}`);
  mkdirSync(dir);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  const path = join(dir, 'disc.cue');
  writeFileSync(path, sheet);
  return path;
}

/** `count` audio sectors whose 16-bit words count up from `seed` (little-endian). */
function audio(count: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(count * 2352);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < bytes.length / 2; i++) view.setUint16(i * 2, (seed + i) & 0xffff, true);
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

/** Raw sectors of a synthetic disc's LBAs [from, to). */
function rawSectors(disc: DiscModel, from: number, to: number): Uint8Array {
  const out = new Uint8Array((to - from) * 2352);
  for (let lba = from; lba < to; lba++) disc.readSector(lba, out.subarray((lba - from) * 2352, (lba - from + 1) * 2352));
  return out;
}

async function readCd(disc: DiscModel, lba: number, count: number): Promise<Uint8Array> {
  const drive = Drive.fromTransport(createEmulatedDrive({ disc, profile: zeroOffset }));
  try {
    return (await drive.readCd(lba, count)).data;
  } finally {
    await drive.close();
  }
}

function sector(disc: DiscModel, lba: number): Uint8Array {
  const out = new Uint8Array(2352);
  disc.readSector(lba, out);
  return out;
}

describe('CUE/BIN models', () => {
  test('MOTOROLA audio is swapped to little-endian, BINARY is not; several FILEs follow each other', async () => {
    const one = audio(100, 1);
    const two = audio(80, 5000);
    const path = image('FILE "one.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\nFILE "two.raw" MOTOROLA\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n', {
      'one.bin': one,
      'two.raw': swap16(two),
    });
    const disc = await openCueDisc(path);
    try {
      expect(disc.tracks.map((t) => [t.pregapLba, t.startLba, t.endLba])).toEqual([
        [-150, 0, 100],
        [100, 100, 180],
      ]);
      expect(Buffer.compare(await readCd(disc, 0, 100), one)).toBe(0);
      expect(Buffer.compare(await readCd(disc, 100, 80), two)).toBe(0);
      expect(sector(disc, -1).every((b) => b === 0)).toBe(true);
    } finally {
      disc.close();
    }
  });

  test('EAC-style sheet: INDEX 00 at the end of the previous file makes the pregap', async () => {
    const path = image(
      'FILE "a.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 00 00:01:00\nFILE "b.bin" BINARY\n    INDEX 01 00:00:00\n  TRACK 03 AUDIO\n    INDEX 00 00:00:50\n    INDEX 01 00:01:00\n',
      { 'a.bin': audio(100, 0), 'b.bin': audio(120, 9) },
    );
    const disc = await openCueDisc(path);
    try {
      expect(disc.tracks.map((t) => [t.number, t.pregapLba, t.startLba, t.endLba])).toEqual([
        [1, -150, 0, 75],
        [2, 75, 100, 150],
        [3, 150, 175, 220],
      ]);
    } finally {
      disc.close();
    }
  });

  test('one BIN per track (redumper): INDEX 00 in the file, REM SESSION with its gap, a session without INDEX 00 gets 150 generated', async () => {
    const data = createSyntheticDisc({ tracks: [{ mode: 'mode1', sectors: 60 }] });
    const path = image(
      [
        'REM SESSION 01',
        'FILE "t1.bin" BINARY',
        '  TRACK 01 AUDIO',
        '    INDEX 01 00:00:00',
        'FILE "t2.bin" BINARY',
        '  TRACK 02 AUDIO',
        '    INDEX 00 00:00:00',
        '    INDEX 01 00:00:30',
        'REM SESSION 02',
        'FILE "t3.bin" BINARY',
        '  TRACK 03 MODE1/2352',
        '    INDEX 01 00:00:00',
        '',
      ].join('\n'),
      { 't1.bin': audio(50, 0), 't2.bin': audio(70, 0), 't3.bin': rawSectors(data, 0, 60) },
    );
    const disc = await openCueDisc(path);
    try {
      expect(disc.tracks.map((t) => [t.number, t.session, t.pregapLba, t.startLba, t.endLba])).toEqual([
        [1, 1, -150, 0, 50],
        [2, 1, 50, 80, 120],
        [3, 2, 120 + 11_250, 120 + 11_400, 120 + 11_460],
      ]);
      expect(disc.sessions.map((s) => [s.firstTrack, s.lastTrack, s.leadOutLba])).toEqual([
        [1, 2, 120],
        [3, 3, 11_580],
      ]);
      // The file's sectors were made for LBA 0…: served verbatim, their headers say so.
      expect(Buffer.compare(sector(disc, 11_520), rawSectors(data, 0, 1))).toBe(0);
      // The generated pregap: valid zero-data Mode 1 sectors.
      expect(checkSector(sector(disc, 11_400), 11_400)).toMatchObject({ ok: true, type: 'mode1' });
      expect(disc.readSector(5000, new Uint8Array(2352))).toBeUndefined();
    } finally {
      disc.close();
    }
  });

  test('PREGAP and POSTGAP are generated; FLAGS, ISRC, CATALOG reach the model', async () => {
    const path = image(
      [
        'CATALOG 0012345678905',
        'FILE "x.bin" BINARY',
        '  TRACK 01 MODE1/2048',
        '    FLAGS DCP',
        '    INDEX 01 00:00:00',
        '    POSTGAP 00:00:10',
        '  TRACK 02 AUDIO',
        '    FLAGS DCP 4CH PRE SCMS',
        '    ISRC USABC2600007',
        '    PREGAP 00:02:00',
        '    INDEX 01 00:00:40',
        '',
      ].join('\n'),
      { 'x.bin': new Uint8Array([...new Uint8Array(40 * 2048).fill(0x11), ...audio(20, 3)]) },
    );
    const disc = await openCueDisc(path);
    try {
      expect(disc.mcn).toBe('0012345678905');
      expect(disc.tracks.map((t) => [t.mode, t.control, t.pregapLba, t.startLba, t.endLba, t.isrc])).toEqual([
        ['mode1', 0x6, -150, 0, 50, undefined],
        ['audio', 0xb, 50, 200, 220, 'USABC2600007'],
      ]);
      const data = sector(disc, 39);
      expect(checkSector(data, 39)).toMatchObject({ ok: true, type: 'mode1' });
      expect(data.subarray(16, 2064).every((b) => b === 0x11)).toBe(true);
      const postgap = sector(disc, 45);
      expect(checkSector(postgap, 45)).toMatchObject({ ok: true, type: 'mode1' });
      expect(postgap.subarray(16, 2064).every((b) => b === 0)).toBe(true);
      expect(sector(disc, 120).every((b) => b === 0)).toBe(true);
      expect(Buffer.compare(sector(disc, 200), audio(1, 3))).toBe(0);
      const drive = Drive.fromTransport(createEmulatedDrive({ disc }));
      expect(Buffer.from(await drive.readSectors(10, 1)).every((b) => b === 0x11)).toBe(true);
      await drive.close();
    } finally {
      disc.close();
    }
  });

  test('MODE2/2336 keeps the subheaders and EDC/ECC of the file; tracks of different sizes share a file', async () => {
    const xa = createSyntheticDisc({ tracks: [{ mode: 'mode2-xa', sectors: 20, form2: (lba) => lba % 2 === 1 }] });
    const raw = rawSectors(xa, 0, 20);
    const body = new Uint8Array(20 * 2336);
    for (let i = 0; i < 20; i++) body.set(raw.subarray(i * 2352 + 16, (i + 1) * 2352), i * 2336);
    const path = image('FILE "x.bin" BINARY\n  TRACK 01 MODE2/2336\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 01 00:00:20\n', {
      'x.bin': new Uint8Array([...body, ...audio(10, 7)]),
    });
    const disc = await openCueDisc(path);
    try {
      expect(disc.sessions[0]?.discType).toBe(0x20);
      expect(disc.tracks.map((t) => [t.mode, t.startLba, t.endLba])).toEqual([
        ['mode2-xa', 0, 20],
        ['audio', 20, 30],
      ]);
      expect(Buffer.compare(await readCd(disc, 0, 20), raw)).toBe(0);
      expect([disc.readSector(0, new Uint8Array(2352)), disc.readSector(1, new Uint8Array(2352))]).toEqual(['mode2-form1', 'mode2-form2']);
      expect(Buffer.compare(await readCd(disc, 20, 10), audio(10, 7))).toBe(0);
    } finally {
      disc.close();
    }
  });

  test('CDG skips the 96 sub-channel bytes of each 2448-byte sector; CDI tracks make a CD-i session', async () => {
    const frames = audio(5, 1);
    const cdg = new Uint8Array(5 * 2448).fill(0xee);
    for (let i = 0; i < 5; i++) cdg.set(frames.subarray(i * 2352, (i + 1) * 2352), i * 2448);
    const cdi = createSyntheticDisc({ tracks: [{ mode: 'mode2-xa', sectors: 4 }] });
    const path = image('FILE "k.cdg" BINARY\n  TRACK 01 CDG\n    INDEX 01 00:00:00\nFILE "i.bin" BINARY\n  TRACK 02 CDI/2352\n    INDEX 01 00:00:00\n', {
      'k.cdg': cdg,
      'i.bin': rawSectors(cdi, 0, 4),
    });
    const disc = await openCueDisc(path);
    try {
      expect(Buffer.compare(await readCd(disc, 0, 5), frames)).toBe(0);
      expect(disc.sessions[0]?.discType).toBe(0x10);
    } finally {
      disc.close();
    }
  });

  test('CDTEXTFILE supplies the packs (READ TOC header stripped); TITLE/PERFORMER otherwise; file names match case-insensitively', async () => {
    const packs = buildCdTextPacks([{ languageCode: 9, album: { title: 'From the file' }, tracks: [{ number: 1, title: 'one' }] }]);
    const withHeader = new Uint8Array([(packs.length + 2) >> 8, (packs.length + 2) & 0xff, 0, 0, ...packs]);
    const path = image('CDTEXTFILE "disc.cdt"\nTITLE "ignored"\nFILE "A.BIN" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n', {
      'disc.cdt': withHeader,
      'a.bin': audio(3, 0),
    });
    const disc = await openCueDisc(path);
    expect(Array.from(disc.cdTextPacks ?? [])).toEqual(Array.from(packs));
    disc.close();
    const missing = image('CDTEXTFILE "nope.cdt"\nFILE "a.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n', { 'a.bin': audio(3, 0) });
    await expect(openCueDisc(missing)).rejects.toThrow(`${missing}: CDTEXTFILE "nope.cdt" not found`);
  });

  test('the first track may be numbered above 1; a partial last sector reads with zeros after the file', async () => {
    const bytes = audio(3, 2).subarray(0, 2 * 2352 + 1000);
    const path = image('FILE "a.bin" BINARY\n  TRACK 05 AUDIO\n    INDEX 01 00:00:00\n', { 'a.bin': bytes });
    const disc = await openCueDisc(path);
    try {
      expect(disc.tracks.map((t) => [t.number, t.endLba])).toEqual([[5, 3]]);
      const last = sector(disc, 2);
      expect(Buffer.compare(last.subarray(0, 1000), bytes.subarray(2 * 2352))).toBe(0);
      expect(last.subarray(1000).every((b) => b === 0)).toBe(true);
    } finally {
      disc.close();
    }
    expect(() => disc.readSector(0, new Uint8Array(2352))).toThrow(DiscError);
  });

  test('errors name the sheet and line: INDEX past the end of its file, a track without sectors, WAVE files, missing files', async () => {
    const past = image('FILE "a.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 01 00:05:00\n', { 'a.bin': audio(100, 0) });
    await expect(openCueDisc(past)).rejects.toThrow(FormatError);
    await expect(openCueDisc(past)).rejects.toMatchObject({ file: past, line: 5 });
    const index2 = image('FILE "a.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n    INDEX 02 00:02:00\n', { 'a.bin': audio(100, 0) });
    await expect(openCueDisc(index2)).rejects.toMatchObject({ file: index2, line: 4, message: expect.stringMatching(/INDEX 02 at 00:02:00 is past the end/) });
    const wave = image('FILE "a.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n', { 'a.wav': new Uint8Array(100) });
    await expect(openCueDisc(wave)).rejects.toThrow(UnsupportedError);
    await expect(openCueDisc(wave)).rejects.toThrow(`${wave}:1: FILE "a.wav" is WAVE`);
    const missing = image('FILE "gone.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n', {});
    await expect(openCueDisc(missing)).rejects.toMatchObject({ file: missing, line: 1 });
    const empty = image('FILE "a.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n', { 'a.bin': new Uint8Array(0) });
    await expect(openCueDisc(empty)).rejects.toThrow(FormatError);
  });
});
