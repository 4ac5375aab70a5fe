import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildCdTextPacks, checkSector } from '../../lib/cd/index.js';
import {
  createCdExtra,
  createDvd,
  createHiddenTrackAudioCd,
  createMixedModeCd,
  createMultisessionCd,
  createSyntheticDisc,
  openCueDisc,
  saveDiscAsCueBin,
  type DiscModel,
  type ModelTrack,
  type SaveCueBinProgress,
} from '../../lib/emulator/index.js';
import { AbortError, UnsupportedError } from '../../lib/errors.js';
import { parseCue } from '../../lib/image/index.js';

const hasCdInfo = spawnSync('cd-info', ['--version']).error === undefined;
const directory = mkdtempSync(join(tmpdir(), 'discrescue-save-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Where each track's INDEX 01 lands in a single BIN: the session gaps are not in the file. */
function fileLsn(model: DiscModel, track: ModelTrack): number {
  let gaps = 0;
  for (const session of model.sessions) {
    if (session.number >= track.session) break;
    const next = model.tracks.find((t) => t.number === model.sessions.find((s) => s.number === session.number + 1)?.firstTrack);
    if (next !== undefined) gaps += next.pregapLba - session.leadOutLba;
  }
  return track.startLba - gaps;
}

interface CdInfoTrack {
  number: number;
  lsn: number;
  type: string;
}

/** The track list table of `cd-info` (libcdio), lead-out included as track 170. */
function cdInfoTracks(cuePath: string, cwd: string): CdInfoTrack[] {
  const out = execFileSync('cd-info', ['--no-header', '--quiet', '--no-device-info', '--no-cddb', '--cue-file', cuePath], { cwd, encoding: 'utf8' });
  return [...out.matchAll(/^\s*(\d+): \d\d:\d\d:\d\d\s+(\d+) (\w+)/gm)].map((m) => ({ number: Number(m[1]), lsn: Number(m[2]), type: m[3] ?? '' }));
}

/** cd-info's Type column for a track mode: 'data' is Mode 1, 'XA' Mode 2. */
function cdInfoType(track: ModelTrack): string {
  return track.mode === 'audio' ? 'audio' : track.mode === 'mode1' ? 'data' : 'XA';
}

/** Every sector of every saved track checked: data sectors must verify (EDC/ECC, header LBA). */
function checkBinSectors(model: DiscModel, binPath: string): void {
  const bin = readFileSync(binPath);
  let offset = 0;
  for (const track of [...model.tracks].sort((a, b) => a.number - b.number)) {
    for (let lba = Math.max(track.pregapLba, 0); lba < track.endLba; lba++, offset += 2352) {
      if (track.mode === 'audio') continue;
      const type = track.mode === 'mode1' ? 'mode1' : track.mode === 'mode2-xa' ? 'mode2-xa' : 'mode2-formless';
      const check = checkSector(bin.subarray(offset, offset + 2352), lba, type);
      if (!check.ok) expect.fail(`${binPath}: sector at LBA ${lba}: ${JSON.stringify(check)}`);
    }
  }
  expect(offset).toBe(bin.length);
}

/** The TOC-level facts a drive reports. */
function layoutOf(model: DiscModel): unknown {
  return {
    mcn: model.mcn,
    sessions: model.sessions.map((s) => ({ ...s })),
    tracks: model.tracks.map((t) => ({ ...t, isrc: t.isrc ?? undefined, indexes: t.indexes.map((i) => ({ ...i })) })),
    cdTextPacks: model.cdTextPacks === undefined ? undefined : Array.from(model.cdTextPacks),
  };
}

/** Every LBA from the first pregap to the last lead-out: same kind, same bytes. */
function expectSameSectors(original: DiscModel, loaded: DiscModel): void {
  const end = original.sessions[original.sessions.length - 1]?.leadOutLba ?? 0;
  const a = new Uint8Array(2352);
  const b = new Uint8Array(2352);
  for (let lba = -150; lba < end + 10; lba++) {
    const kindA = original.readSector(lba, a);
    const kindB = loaded.readSector(lba, b);
    if (kindA !== kindB) expect.fail(`LBA ${lba}: kind ${String(kindA)} became ${String(kindB)}`);
    if (kindA !== undefined && Buffer.compare(a, b) !== 0) expect.fail(`LBA ${lba}: bytes differ`);
  }
}

const oracleDiscs: Array<[string, () => DiscModel]> = [
  ['mixed mode (Mode 1 data, two audio tracks)', () => createMixedModeCd(300, [200, 100])],
  ['CD-Extra (two audio tracks, Mode 2 XA session 2)', () => createCdExtra([200, 150], 300)],
  ['multisession Mode 1 (three sessions)', () => createMultisessionCd([300, 200, 100])],
  ['multisession Mode 2 XA with Form 2 sectors', () => createSyntheticDisc({ tracks: [{ mode: 'mode2-xa', sectors: 200, form2: (lba) => lba % 3 === 0 }, { mode: 'mode2-xa', sectors: 120, session: 2, form2: (lba) => lba % 2 === 0 }] })],
  ['hidden track before track 1', () => createHiddenTrackAudioCd(100, [200, 100])],
];

describe('saveDiscAsCueBin', () => {
  test.each(oracleDiscs)('%s: every raw data sector of the single BIN verifies (EDC/ECC, header)', async (name, make) => {
    const model = make();
    const cuePath = join(directory, `check-${oracleDiscs.findIndex(([n]) => n === name)}.cue`);
    const result = await saveDiscAsCueBin(model, cuePath, { singleBin: true });
    expect(result.binPaths).toEqual([cuePath.replace(/\.cue$/, '.bin')]);
    checkBinSectors(model, result.binPaths[0] as string);
  });

  test.skipIf(!hasCdInfo).each(oracleDiscs)('%s: cd-info reads the single-BIN sheet (oracle; skipped without libcdio-utils)', async (name, make) => {
    const model = make();
    const cuePath = join(directory, `oracle-${oracleDiscs.findIndex(([n]) => n === name)}.cue`);
    const result = await saveDiscAsCueBin(model, cuePath, { singleBin: true });
    const listed = cdInfoTracks(cuePath, directory);
    const tracks = listed.filter((t) => t.number !== 170);
    expect(tracks.length).toBe(model.tracks.length);
    expect(tracks).toEqual(model.tracks.map((t) => ({ number: t.number, lsn: fileLsn(model, t), type: cdInfoType(t) })));
    // libcdio ignores REM SESSION: its lead-out is the end of the BIN.
    expect(listed.find((t) => t.number === 170)?.lsn).toBe(statSync(result.binPaths[0] as string).size / 2352);
  });

  test.each([
    ['single BIN', true],
    ['one BIN per track', false],
  ] as const)('%s: openCueDisc of the saved files reproduces the TOC and every sector', async (_layout, singleBin) => {
    const cdTextPacks = buildCdTextPacks([
      { languageCode: 0x09, album: { title: 'Round Trip', performer: 'Nobody' }, tracks: [1, 2, 3, 4].map((number) => ({ number, title: `T${number}` })) },
    ]);
    const original = createSyntheticDisc({
      mcn: '4006381333931',
      cdTextPacks,
      tracks: [
        { mode: 'audio', sectors: 300, pregap: 150 + 40, isrc: 'USABC2600001', control: 0x2, indexOffsets: [100, 180] },
        { mode: 'audio', sectors: 200, pregap: 75, control: 0x1, isrc: 'USABC2600002' },
        { mode: 'mode1', sectors: 150, pregap: 150 },
        { mode: 'mode2-xa', sectors: 160, session: 2, form2: (lba) => lba % 4 === 1 },
      ],
    });
    const cuePath = join(directory, `round-trip-${singleBin ? 'single' : 'split'}.cue`);
    const result = await saveDiscAsCueBin(original, cuePath, { singleBin });
    expect(result.binPaths.length).toBe(singleBin ? 1 : 4);
    if (!singleBin) expect(result.binPaths[2]).toBe(join(directory, 'round-trip-split (Track 03).bin'));
    expect(result.cdTextPath).toBe(join(directory, `round-trip-${singleBin ? 'single' : 'split'}.cdt`));
    const text = readFileSync(cuePath, 'utf8');
    expect(text).toContain('CATALOG 4006381333931');
    expect(text).toContain('REM SESSION 02');
    expect(text).not.toContain('PREGAP');
    expect(text).toMatch(/TRACK 01 AUDIO\n {4}FLAGS DCP\n {4}ISRC USABC2600001\n {4}INDEX 00 00:00:00\n {4}INDEX 01 00:00:40\n {4}INDEX 02 00:01:65/);
    expect(parseCue(text).tracks[1]?.flags.preEmphasis).toBe(true);
    const loaded = await openCueDisc(cuePath);
    try {
      expect(layoutOf(loaded)).toEqual(layoutOf(original));
      expectSameSectors(original, loaded);
    } finally {
      loaded.close();
    }
  });

  test('CD-Extra and multisession round trips keep the session gaps', async () => {
    for (const [name, original] of [
      ['extra', createCdExtra([120, 80], 100)],
      ['multi', createMultisessionCd([100, 60, 40], { mode: 'mode2-xa' })],
    ] as const) {
      for (const singleBin of [true, false]) {
        const cuePath = join(directory, `gaps-${name}-${String(singleBin)}.cue`);
        await saveDiscAsCueBin(original, cuePath, { singleBin });
        const loaded = await openCueDisc(cuePath);
        try {
          expect(layoutOf(loaded)).toEqual(layoutOf(original));
          expectSameSectors(original, loaded);
        } finally {
          loaded.close();
        }
      }
    }
  });

  test('streams in chunks with progress; an aborted save stops with AbortError', async () => {
    const model = createMixedModeCd(400, [300]);
    const progress: SaveCueBinProgress[] = [];
    const result = await saveDiscAsCueBin(model, join(directory, 'progress.cue'), { onProgress: (p) => progress.push(p) });
    expect(progress.length).toBeGreaterThan(5);
    expect(progress[progress.length - 1]).toEqual({ sectorsDone: result.sectorCount, sectorsTotal: result.sectorCount, bytesDone: result.sectorCount * 2352, bytesTotal: result.sectorCount * 2352 });
    expect(result.sectorCount).toBe(400 + 150 + 300);
    const controller = new AbortController();
    controller.abort();
    await expect(saveDiscAsCueBin(model, join(directory, 'aborted.cue'), { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });

  test('a DVD has no CUE/BIN form', async () => {
    await expect(saveDiscAsCueBin(createDvd(10), join(directory, 'dvd.cue'))).rejects.toBeInstanceOf(UnsupportedError);
  });
});
