import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, UnsupportedError } from '../../../lib/errors.js';
import type { DiscModel } from '../../../lib/emulator/disc-model.js';
import { openCueDisc } from '../../../lib/emulator/models/index.js';
import { saveDiscAsCueBin } from '../../../lib/emulator/save-cue-bin.js';
import { createSyntheticDisc } from '../../../lib/emulator/synthetic-disc.js';
import { buildSyntheticIso } from '../../../lib/emulator/synthetic-iso.js';
import { parseCue } from '../../../lib/image/index.js';
import { layoutCueImage, splitImage, WAV_HEADER_SIZE } from '../../../lib/image/split.js';
import { expectedSamples, isoContent, sha256 } from '../../helpers/synthetic-content.js';

const HAVE_BCHUNK = spawnSync('bchunk', []).error === undefined;
const HAVE_GENISOIMAGE = spawnSync('genisoimage', ['-version']).status === 0;
const HAVE_ISOINFO = spawnSync('isoinfo', ['-version']).error === undefined;

/** A small ISO with a few files (built in-process). */
function smallIso(volumeId: string): Uint8Array {
  const data = new Uint8Array(150_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 13 + 5) & 0xff;
  return buildSyntheticIso({ volumeId, files: [{ name: 'HELLO.TXT', data: new TextEncoder().encode('hello\n') }, { name: 'DATA.BIN', data }], paddingBlocks: 20 });
}

function wavHeaderOf(dataBytes: number): Uint8Array {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(2, 22);
  h.writeUInt32LE(44100, 24);
  h.writeUInt32LE(176400, 28);
  h.writeUInt16LE(4, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'discrescue-split-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function dir(name: string): string {
  const path = join(tmp, name);
  mkdirSync(path, { recursive: true });
  return path;
}

describe('splitImage: mixed-mode CD (Mode 1 data track, audio with INDEX 00)', () => {
  const iso = smallIso('MIXED');
  const isoBlocks = iso.length / 2048;
  const disc: DiscModel = createSyntheticDisc({
    tracks: [
      { mode: 'mode1', sectors: isoBlocks, content: isoContent(iso, 0) },
      { mode: 'audio', sectors: 200, pregap: 150 },
      { mode: 'audio', sectors: 100 },
    ],
  });
  const [, t2, t3] = disc.tracks;

  it.each([true, false])('singleBin %s: ISO = the builder ISO, WAVs = the samples, pregap left out', async (singleBin) => {
    const d = dir(`mixed-${singleBin}`);
    await saveDiscAsCueBin(disc, join(d, 'mixed.cue'), { singleBin });
    const out = dir(`mixed-${singleBin}-out`);
    const result = await splitImage(join(d, 'mixed.cue'), out);
    expect(result.tracks.map((t) => [t.number, t.kind, t.startLba, t.sectors, t.pregapSectorsSkipped, t.form2Sectors])).toEqual([
      [1, 'iso', 0, isoBlocks, 0, 0],
      [2, 'wav', t2!.startLba, 200, 150, 0],
      [3, 'wav', t3!.startLba, 100, 0, 0],
    ]);
    expect(readdirSync(out).sort()).toEqual(['mixed01.iso', 'mixed02.wav', 'mixed03.wav']);
    expect(sha256(readFileSync(join(out, 'mixed01.iso')))).toBe(sha256(iso));
    const wav2 = readFileSync(join(out, 'mixed02.wav'));
    expect(wav2.subarray(0, WAV_HEADER_SIZE)).toEqual(wavHeaderOf(200 * 2352));
    expect(sha256(wav2.subarray(WAV_HEADER_SIZE))).toBe(sha256(expectedSamples(t2!.startLba, t2!.endLba)));
    const wav3 = readFileSync(join(out, 'mixed03.wav'));
    expect(sha256(wav3.subarray(WAV_HEADER_SIZE))).toBe(sha256(expectedSamples(t3!.startLba, t3!.endLba)));
  });

  it('--mountable changes nothing for a track at LBA 0; base names the files', async () => {
    const d = dir('mixed-base');
    await saveDiscAsCueBin(disc, join(d, 'm.cue'), { singleBin: true });
    const out = dir('mixed-base-out');
    const result = await splitImage(join(d, 'm.cue'), out, { mountable: true, base: 'disc-' });
    expect(result.tracks[0]?.zeroBlocks).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['disc-01.iso', 'disc-02.wav', 'disc-03.wav']);
    expect(sha256(readFileSync(join(out, 'disc-01.iso')))).toBe(sha256(iso));
  });

  it.skipIf(!HAVE_BCHUNK)('bchunk -w gives the same ISO and WAV bytes (skipped without bchunk)', async () => {
    const d = dir('mixed-bchunk');
    await saveDiscAsCueBin(disc, join(d, 'x.cue'), { singleBin: true });
    const ours = dir('mixed-bchunk-ours');
    await splitImage(join(d, 'x.cue'), ours, { base: 'out' });
    const run = spawnSync('bchunk', ['-w', 'x.bin', 'x.cue', 'out'], { cwd: d, encoding: 'latin1' });
    expect(run.status).toBe(0);
    for (const name of ['out01.iso', 'out02.wav', 'out03.wav']) {
      expect(sha256(readFileSync(join(ours, name))), name).toBe(sha256(readFileSync(join(d, name))));
    }
  });
});

describe('splitImage: CD-Extra (audio session 1, Mode 2 XA session 2)', () => {
  // Session 2 starts 11 400 sectors after session 1's lead-out (300): LBA 11 700.
  const sessionStart = 300 + 11_400;
  const tmpIso = mkdtempSync(join(tmpdir(), 'discrescue-split-iso-'));
  let iso: Uint8Array;
  let absolute = false;
  if (HAVE_GENISOIMAGE) {
    // A session-2 filesystem whose addresses are absolute (what a CD-Extra carries).
    mkdirSync(join(tmpIso, 'root'));
    writeFileSync(join(tmpIso, 'root', 'readme.txt'), 'enhanced cd\n');
    writeFileSync(join(tmpIso, 'root', 'video.dat'), Buffer.alloc(100_000, 7));
    const made = spawnSync('genisoimage', ['-quiet', '-C', `0,${sessionStart}`, '-V', 'EXTRA', '-o', join(tmpIso, 's2.iso'), join(tmpIso, 'root')]);
    expect(made.status).toBe(0);
    iso = new Uint8Array(readFileSync(join(tmpIso, 's2.iso')));
    absolute = true;
  } else {
    iso = smallIso('EXTRA');
  }
  rmSync(tmpIso, { recursive: true, force: true });
  const isoBlocks = iso.length / 2048;
  // The last two blocks are Form 2 sectors (their first 2048 user bytes carry the ISO's bytes).
  const form2 = (lba: number): boolean => lba >= sessionStart + isoBlocks - 2;
  const disc = createSyntheticDisc({
    tracks: [
      { mode: 'audio', sectors: 200 },
      { mode: 'audio', sectors: 100 },
      { mode: 'mode2-xa', sectors: isoBlocks, session: 2, content: isoContent(iso, sessionStart), form2 },
    ],
  });

  it('lays session 2 out where the disc has it', () => {
    expect(disc.tracks[2]?.startLba).toBe(sessionStart);
  });

  it.each([true, false])('singleBin %s: every session, Form 2 counted and kept raw', async (singleBin) => {
    const d = dir(`extra-${singleBin}`);
    await saveDiscAsCueBin(disc, join(d, 'extra.cue'), { singleBin });
    const out = dir(`extra-${singleBin}-out`);
    const result = await splitImage(join(d, 'extra.cue'), out);
    expect(result.tracks.map((t) => [t.number, t.session, t.kind, t.startLba, t.sectors, t.pregapSectorsSkipped, t.form2Sectors, t.zeroBlocks])).toEqual([
      [1, 1, 'wav', 0, 200, 0, 0, 0],
      [2, 1, 'wav', 200, 100, 0, 0, 0],
      [3, 2, 'iso', sessionStart, isoBlocks, 150, 2, 0],
    ]);
    expect(sha256(readFileSync(join(out, 'extra03.iso')))).toBe(sha256(iso));
    expect(sha256(readFileSync(join(out, 'extra01.wav')).subarray(44))).toBe(sha256(expectedSamples(0, 200)));
    expect(sha256(readFileSync(join(out, 'extra02.wav')).subarray(44))).toBe(sha256(expectedSamples(200, 300)));
    // The raw Form 2 copies are the disc's sectors.
    const raw = readFileSync(join(out, 'extra03.form2.bin'));
    const expected = new Uint8Array(2 * 2352);
    disc.readSector(sessionStart + isoBlocks - 2, expected.subarray(0, 2352));
    disc.readSector(sessionStart + isoBlocks - 1, expected.subarray(2352));
    expect(sha256(raw)).toBe(sha256(expected));
  });

  it('--mountable puts the start LBA worth of blocks in front: zeros, and the volume descriptors at 16', async () => {
    const d = dir('extra-mount');
    await saveDiscAsCueBin(disc, join(d, 'e.cue'));
    const out = dir('extra-mount-out');
    const result = await splitImage(join(d, 'e.cue'), out, { mountable: true });
    expect(result.tracks[2]).toMatchObject({ zeroBlocks: sessionStart, bytes: (sessionStart + isoBlocks) * 2048 });
    const bytes = readFileSync(join(out, 'e03.iso'));
    expect(bytes.length).toBe((sessionStart + isoBlocks) * 2048);
    const copied = result.tracks[2]!.volumeDescriptorBlocks;
    // genisoimage writes PVD, terminator (18 blocks from 0); the synthetic ISO the same.
    expect(copied).toBe(18);
    expect(sha256(bytes.subarray(0, copied * 2048))).toBe(sha256(iso.subarray(0, copied * 2048)));
    expect(bytes.subarray(copied * 2048, sessionStart * 2048).every((b) => b === 0)).toBe(true);
    expect(sha256(bytes.subarray(sessionStart * 2048))).toBe(sha256(iso));
  });

  it.skipIf(!HAVE_GENISOIMAGE || !HAVE_ISOINFO)('isoinfo lists the --mountable session-2 ISO (skipped without genisoimage and isoinfo)', async () => {
    expect(absolute).toBe(true);
    const d = dir('extra-isoinfo');
    await saveDiscAsCueBin(disc, join(d, 'e.cue'), { singleBin: true });
    const out = dir('extra-isoinfo-out');
    await splitImage(join(d, 'e.cue'), out, { mountable: true });
    const listing = spawnSync('isoinfo', ['-l', '-i', join(out, 'e03.iso')], { encoding: 'latin1' });
    expect(listing.status).toBe(0);
    expect(listing.stdout).toMatch(/README\.TXT;1/u);
    expect(listing.stdout).toMatch(/VIDEO\.DAT;1/u);
    expect(listing.stdout).toMatch(/\s100000\s/u);
  });

  it.skipIf(!HAVE_BCHUNK)('bchunk -w gives the same files (skipped without bchunk)', async () => {
    const d = dir('extra-bchunk');
    await saveDiscAsCueBin(disc, join(d, 'x.cue'), { singleBin: true });
    const ours = dir('extra-bchunk-ours');
    await splitImage(join(d, 'x.cue'), ours, { base: 'out' });
    expect(spawnSync('bchunk', ['-w', 'x.bin', 'x.cue', 'out'], { cwd: d }).status).toBe(0);
    for (const name of ['out01.wav', 'out02.wav', 'out03.iso']) {
      expect(sha256(readFileSync(join(ours, name))), name).toBe(sha256(readFileSync(join(d, name))));
    }
  });
});

describe('splitImage: byte order, cooked tracks, bad input', () => {
  const samples = new Uint8Array(2 * 2352);
  for (let i = 0; i < samples.length; i++) samples[i] = (i * 7 + 1) & 0xff;
  const swapped = samples.map((_, i) => samples[i ^ 1]!);

  it('MOTOROLA (big-endian) audio is swapped to little-endian WAV samples', async () => {
    const d = dir('motorola');
    writeFileSync(join(d, 'a.raw'), samples);
    writeFileSync(join(d, 'a.cue'), 'FILE "a.raw" MOTOROLA\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n');
    const result = await splitImage(join(d, 'a.cue'), d);
    expect(result.tracks[0]).toMatchObject({ kind: 'wav', sectors: 2, swapped: true });
    expect(readFileSync(join(d, 'a01.wav')).subarray(44)).toEqual(Buffer.from(swapped));
  });

  it('a cdrdao TOC: raw audio FILE is big-endian (swapped), SWAP is not; MODE1 data copied', async () => {
    const d = dir('toc');
    const iso = smallIso('TOCDATA');
    writeFileSync(join(d, 'a.raw'), samples);
    writeFileSync(join(d, 'd.iso'), iso);
    writeFileSync(join(d, 'big.toc'), 'CD_ROM\nTRACK MODE1\nDATAFILE "d.iso"\nTRACK AUDIO\nFILE "a.raw" 0\n');
    const result = await splitImage(join(d, 'big.toc'), d);
    expect(result.tracks.map((t) => [t.kind, t.sectors, t.swapped])).toEqual([
      ['iso', iso.length / 2048, false],
      ['wav', 2, true],
    ]);
    expect(sha256(readFileSync(join(d, 'big01.iso')))).toBe(sha256(iso));
    expect(readFileSync(join(d, 'big02.wav')).subarray(44)).toEqual(Buffer.from(swapped));
    writeFileSync(join(d, 'little.toc'), 'CD_DA\nTRACK AUDIO\nFILE "a.raw" SWAP 0\n');
    const little = await splitImage(join(d, 'little.toc'), d);
    expect(little.tracks[0]?.swapped).toBe(false);
    expect(readFileSync(join(d, 'little01.wav')).subarray(44)).toEqual(Buffer.from(samples));
  });

  it('layoutCueImage: PREGAP is generated, INDEX 00 in the file, sessions 11 400 apart', () => {
    const sheet = parseCue(
      'FILE "a.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    PREGAP 00:01:00\n    INDEX 00 00:10:00\n    INDEX 01 00:12:00\nREM SESSION 02\n  TRACK 03 MODE2/2352\n    INDEX 00 00:20:00\n    INDEX 01 00:22:00\n',
    );
    const tracks = layoutCueImage(sheet, [30 * 75 * 2352]);
    expect(tracks.map((t) => [t.number, t.session, t.fileFirstLba, t.startLba, t.pregapInFile, t.fileFrames])).toEqual([
      [1, 1, 0, 0, 0, 750],
      [2, 1, 750 + 75, 750 + 75 + 150, 150, 750],
      [3, 2, 1575 + 11_400 - 150, 1575 + 11_400, 150, 750],
    ]);
  });

  it("layoutCueImage agrees with the emulator's CUE model on every track's LBAs", async () => {
    const d = dir('layout-model');
    const text =
      'FILE "a.bin" BINARY\n  TRACK 01 MODE1/2352\n    PREGAP 00:00:30\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 00 00:10:00\n    INDEX 01 00:12:00\n    POSTGAP 00:01:00\n' +
      'REM SESSION 02\nFILE "b.bin" BINARY\n  TRACK 03 MODE2/2352\n    INDEX 01 00:01:00\nREM SESSION 03\n  TRACK 04 MODE2/2352\n    INDEX 00 00:05:00\n    INDEX 01 00:07:00\n';
    writeFileSync(join(d, 'a.bin'), new Uint8Array(20 * 75 * 2352));
    writeFileSync(join(d, 'b.bin'), new Uint8Array(10 * 75 * 2352));
    writeFileSync(join(d, 'x.cue'), text);
    const model = await openCueDisc(join(d, 'x.cue'));
    try {
      const layout = layoutCueImage(parseCue(text), [20 * 75 * 2352, 10 * 75 * 2352]);
      expect(layout.map((t) => [t.number, t.session, t.startLba])).toEqual(model.tracks.map((t) => [t.number, t.session, t.startLba]));
      // Track 3 starts session 2 in a new file: the 75 file sectors before its INDEX 01 are its pregap.
      expect(layout.map((t) => t.pregapInFile)).toEqual([0, 150, 75, 150]);
    } finally {
      await model.close();
    }
  });

  it('refuses a missing file, a missing output directory, and WAVE files', async () => {
    const d = dir('bad');
    writeFileSync(join(d, 'missing.cue'), 'FILE "nope.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n');
    await expect(splitImage(join(d, 'missing.cue'), d)).rejects.toThrow(FormatError);
    await expect(splitImage(join(d, 'missing.cue'), d)).rejects.toThrow(/missing\.cue:1: FILE "nope\.bin" not found/u);
    writeFileSync(join(d, 'x.bin'), new Uint8Array(2352));
    writeFileSync(join(d, 'ok.cue'), 'FILE "x.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n');
    await expect(splitImage(join(d, 'ok.cue'), join(d, 'no-such-dir'))).rejects.toThrow(/does not exist/u);
    writeFileSync(join(d, 'x.wav'), new Uint8Array(100));
    writeFileSync(join(d, 'wave.cue'), 'FILE "x.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n');
    await expect(splitImage(join(d, 'wave.cue'), d)).rejects.toThrow(UnsupportedError);
    writeFileSync(join(d, 'past.cue'), 'FILE "x.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 01 00:05:00\n');
    await expect(splitImage(join(d, 'past.cue'), d)).rejects.toThrow(/past\.cue:5: INDEX 01 of TRACK 02 lies past the end/u);
  });
});
