import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../lib/cli/run.js';
import { Drive } from '../../lib/drive/drive.js';
import { assumedPregap, dumpDisc, dumpTracks, type DumpResult } from '../../lib/dump/index.js';
import { createEmulatedDrive } from '../../lib/emulator/emulated-drive.js';
import type { DiscModel } from '../../lib/emulator/disc-model.js';
import type { FaultOptions } from '../../lib/emulator/faults.js';
import { resolveDriveProfile, type DriveProfilePreset } from '../../lib/emulator/drive-profile.js';
import { createSyntheticDisc } from '../../lib/emulator/synthetic-disc.js';
import { buildSyntheticIso } from '../../lib/emulator/synthetic-iso.js';
import { UnsupportedError } from '../../lib/errors.js';
import { splitImage, WAV_HEADER_SIZE } from '../../lib/image/split.js';
import { readMapfile } from '../../lib/rescue/mapfile.js';
import { expectedSamples, isoContent, sha256 } from '../helpers/synthetic-content.js';

const HAVE_CD_INFO = spawnSync('cd-info', ['--version']).error === undefined;
const HAVE_TOC2CUE = spawnSync('toc2cue', ['-h']).error === undefined;
const HAVE_CD_PARANOIA = spawnSync('cd-paranoia', ['--version']).error === undefined;

function smallIso(volumeId: string): Uint8Array {
  const data = new Uint8Array(120_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
  return buildSyntheticIso({ volumeId, files: [{ name: 'README.TXT', data: new TextEncoder().encode('dump me\n') }, { name: 'DATA.BIN', data }], paddingBlocks: 10 });
}

const mixedIso = smallIso('MIXED');
const mixedBlocks = mixedIso.length / 2048;
const mixedDisc = (): DiscModel =>
  createSyntheticDisc({
    tracks: [
      { mode: 'mode1', sectors: mixedBlocks, content: isoContent(mixedIso, 0) },
      { mode: 'audio', sectors: 200, pregap: 150 },
      { mode: 'audio', sectors: 100 },
    ],
  });

const extraIso = smallIso('EXTRA');
const extraBlocks = extraIso.length / 2048;
/** Session 1: 300 + 200 audio sectors (lead-out 500); session 2 starts at 500 + 11 400. */
const EXTRA_DATA_LBA = 500 + 11_400;
const extraDisc = (): DiscModel =>
  createSyntheticDisc({
    tracks: [
      { mode: 'audio', sectors: 300 },
      { mode: 'audio', sectors: 200 },
      { mode: 'mode2-xa', sectors: extraBlocks, session: 2, content: isoContent(extraIso, EXTRA_DATA_LBA) },
    ],
  });

/** The profiles with no read offset, so audio comes back sample-exact (without offsetSamples a dump stores what the drive returns). */
function emulated(disc: DiscModel, profile: DriveProfilePreset = 'good', faults: FaultOptions = {}): Drive {
  return Drive.fromTransport(createEmulatedDrive({ disc, profile: { ...resolveDriveProfile(profile), readOffsetSamples: 0 }, faults }));
}

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'discrescue-dump-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function dir(name: string): string {
  const path = join(tmp, name);
  mkdirSync(path, { recursive: true });
  return path;
}

async function dumpTo(disc: DiscModel, name: string, singleBin: boolean): Promise<{ d: string; result: DumpResult }> {
  const d = dir(name);
  const drive = emulated(disc);
  try {
    return { d, result: await dumpDisc({ source: drive, cuePath: join(d, `${name}.cue`), singleBin }) };
  } finally {
    await drive.close();
  }
}

function collect(): { ctx: { stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean } }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    ctx: { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) } },
    out: () => out,
    err: () => err,
  };
}

describe('dumpDisc: mixed-mode CD', () => {
  it.each([false, true])('singleBin %s: the CUE, and split gives back the builder ISO and the samples', async (singleBin) => {
    const { d, result } = await dumpTo(mixedDisc(), `mixed-${singleBin}`, singleBin);
    expect(result.complete).toBe(true);
    expect(result.tracks.map((t) => [t.number, t.mode, t.fileFirstLba, t.startLba, t.endLba, t.pregapSectors, t.pregapSource, t.unreadSectors])).toEqual([
      [1, 'MODE1/2352', 0, 0, mixedBlocks, 0, 'none', 0],
      [2, 'AUDIO', mixedBlocks, mixedBlocks + 150, mixedBlocks + 350, 150, 'subchannel', 0],
      [3, 'AUDIO', mixedBlocks + 350, mixedBlocks + 350, mixedBlocks + 450, 0, 'subchannel', 0],
    ]);
    const cue = readFileSync(result.cuePath, 'utf8');
    const name = `mixed-${singleBin}`;
    const msf = (frames: number) => `${String(Math.floor(frames / 4500)).padStart(2, '0')}:${String(Math.floor(frames / 75) % 60).padStart(2, '0')}:${String(frames % 75).padStart(2, '0')}`;
    expect(cue).toBe(
      singleBin
        ? `FILE "${name}.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 00 ${msf(mixedBlocks)}\n    INDEX 01 ${msf(mixedBlocks + 150)}\n  TRACK 03 AUDIO\n    INDEX 01 ${msf(mixedBlocks + 350)}\n`
        : `FILE "${name} (Track 01).bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\nFILE "${name} (Track 02).bin" BINARY\n  TRACK 02 AUDIO\n    INDEX 00 00:00:00\n    INDEX 01 00:02:00\nFILE "${name} (Track 03).bin" BINARY\n  TRACK 03 AUDIO\n    INDEX 01 00:00:00\n`,
    );
    const out = dir(`${name}-split`);
    const split = await splitImage(result.cuePath, out);
    expect(split.tracks.map((t) => [t.number, t.kind, t.startLba, t.sectors])).toEqual([
      [1, 'iso', 0, mixedBlocks],
      [2, 'wav', mixedBlocks + 150, 200],
      [3, 'wav', mixedBlocks + 350, 100],
    ]);
    expect(sha256(readFileSync(join(out, `${name}01.iso`)))).toBe(sha256(mixedIso));
    expect(sha256(readFileSync(join(out, `${name}02.wav`)).subarray(WAV_HEADER_SIZE))).toBe(sha256(expectedSamples(mixedBlocks + 150, mixedBlocks + 350)));
    expect(sha256(readFileSync(join(out, `${name}03.wav`)).subarray(WAV_HEADER_SIZE))).toBe(sha256(expectedSamples(mixedBlocks + 350, mixedBlocks + 450)));
    // Per-track checksums are those of the bytes in the BINs.
    const bin1 = readFileSync(join(d, singleBin ? `${name}.bin` : `${name} (Track 01).bin`)).subarray(0, mixedBlocks * 2352);
    expect(result.tracks[0]?.checksums?.sha256).toBe(sha256(bin1));
    const json = JSON.parse(readFileSync(result.jsonPath, 'utf8')) as { tracks: Array<{ number: number; startLba: number }>; complete: boolean; tocs: string[] };
    expect(json.complete).toBe(true);
    expect(json.tracks.map((t) => [t.number, t.startLba])).toEqual([[1, 0], [2, mixedBlocks + 150], [3, mixedBlocks + 350]]);
    expect(json.tocs).toEqual([`${name}.toc`]);
  });

  it.skipIf(!HAVE_CD_INFO)('cd-info reads the single-bin dump as a mixed mode CD with 3 tracks (skipped without cd-info)', async () => {
    const { d } = await dumpTo(mixedDisc(), 'mixed-cdinfo', true);
    const info = spawnSync('cd-info', ['--no-header', '--no-cddb', '-c', 'mixed-cdinfo.cue'], { cwd: d, encoding: 'utf8' }).stdout;
    expect(info).toContain('CD-ROM Track List (1 - 3)');
    expect(info).toMatch(/mixed mode CD/u);
  });

  it.skipIf(!HAVE_CD_PARANOIA)('cd-paranoia rips from the single-bin dump exactly the audio the disc holds (skipped without cd-paranoia)', async () => {
    const { d } = await dumpTo(mixedDisc(), 'mixed-paranoia', true);
    const r = spawnSync('cd-paranoia', ['-d', 'mixed-paranoia.cue', '-B', '-w', '--never-skip=0'], { cwd: d, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(0);
    // cd-paranoia names files after the disc's track numbers and writes little-endian WAVs.
    expect(sha256(readFileSync(join(d, 'track02.cdda.wav')).subarray(WAV_HEADER_SIZE))).toBe(sha256(expectedSamples(mixedBlocks + 150, mixedBlocks + 350)));
    expect(sha256(readFileSync(join(d, 'track03.cdda.wav')).subarray(WAV_HEADER_SIZE))).toBe(sha256(expectedSamples(mixedBlocks + 350, mixedBlocks + 450)));
  });

  it.skipIf(!HAVE_TOC2CUE)('toc2cue converts our TOC of the single-bin dump back to the same tracks (skipped without toc2cue)', async () => {
    const { d } = await dumpTo(mixedDisc(), 'mixed-toc', true);
    const r = spawnSync('toc2cue', ['mixed-toc.toc', 'back.cue'], { cwd: d, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const back = readFileSync(join(d, 'back.cue'), 'utf8').replace(/\r/gu, '');
    const ours = readFileSync(join(d, 'mixed-toc.cue'), 'utf8');
    const essentials = (text: string) => text.split('\n').map((l) => l.trim()).filter((l) => /^(FILE|TRACK|INDEX)/u.test(l));
    expect(essentials(back)).toEqual(essentials(ours));
  });
});

describe('dumpDisc: CD-Extra', () => {
  it.each([false, true])('singleBin %s: session 2 kept with its pregap, gap not read; split gives the ISO back', async (singleBin) => {
    const name = `extra-${singleBin}`;
    const { result } = await dumpTo(extraDisc(), name, singleBin);
    expect(result.complete).toBe(true);
    expect(result.sessions.map((s) => [s.number, s.firstLba, s.leadOutLba])).toEqual([
      [1, 0, 500],
      [2, EXTRA_DATA_LBA - 150, EXTRA_DATA_LBA + extraBlocks],
    ]);
    expect(result.tracks.map((t) => [t.number, t.session, t.mode, t.fileFirstLba, t.startLba, t.endLba, t.pregapSource])).toEqual([
      [1, 1, 'AUDIO', 0, 0, 300, 'none'],
      [2, 1, 'AUDIO', 300, 300, 500, 'subchannel'],
      [3, 2, 'MODE2/2352', EXTRA_DATA_LBA - 150, EXTRA_DATA_LBA, EXTRA_DATA_LBA + extraBlocks, 'session'],
    ]);
    // The mapfile leaves the lead-out/lead-in between the sessions non-tried: recorded, never read.
    const map = readMapfile(readFileSync(result.mapfilePath, 'utf8')).map;
    expect([...map.runs()].map((r) => [r.pos / 2352, r.size / 2352, r.status])).toEqual([
      [0, 500, '+'],
      [500, EXTRA_DATA_LBA - 150 - 500, '?'],
      [EXTRA_DATA_LBA - 150, 150 + extraBlocks, '+'],
    ]);
    const cue = readFileSync(result.cuePath, 'utf8');
    expect(cue).toContain('REM SESSION 02\n');
    expect(cue).toContain('  TRACK 03 MODE2/2352\n    INDEX 00 ');
    const out = dir(`${name}-split`);
    const split = await splitImage(result.cuePath, out);
    expect(split.tracks.map((t) => [t.number, t.session, t.kind, t.startLba])).toEqual([
      [1, 1, 'wav', 0],
      [2, 1, 'wav', 300],
      [3, 2, 'iso', EXTRA_DATA_LBA],
    ]);
    expect(sha256(readFileSync(join(out, `${name}03.iso`)))).toBe(sha256(extraIso));
    expect(sha256(readFileSync(join(out, `${name}01.wav`)).subarray(WAV_HEADER_SIZE))).toBe(sha256(expectedSamples(0, 300)));
    expect(sha256(readFileSync(join(out, `${name}02.wav`)).subarray(WAV_HEADER_SIZE))).toBe(sha256(expectedSamples(300, 500)));
  });

  it.skipIf(!HAVE_CD_INFO)('cd-info reads the single-bin dump as CD-Plus/Extra with 3 tracks (skipped without cd-info)', async () => {
    const { d } = await dumpTo(extraDisc(), 'extra-cdinfo', true);
    const info = spawnSync('cd-info', ['--no-header', '--no-cddb', '-c', 'extra-cdinfo.cue'], { cwd: d, encoding: 'utf8' }).stdout;
    expect(info).toContain('CD-ROM Track List (1 - 3)');
    expect(info).toContain('CD-Plus/Extra');
  });

  it.skipIf(!HAVE_TOC2CUE)('one TOC per session; toc2cue accepts both (skipped without toc2cue)', async () => {
    const { d, result } = await dumpTo(extraDisc(), 'extra-toc', true);
    expect(result.tocPaths.map((p) => p.slice(d.length + 1))).toEqual(['extra-toc.session-01.toc', 'extra-toc.session-02.toc']);
    for (const toc of ['extra-toc.session-01.toc', 'extra-toc.session-02.toc']) {
      expect(spawnSync('toc2cue', [toc, `${toc}.cue`], { cwd: d }).status).toBe(0);
    }
    // Session 1 ends before session 2's data: its last track has a length.
    expect(readFileSync(join(d, 'extra-toc.session-01.toc'), 'utf8')).toContain('DATAFILE "extra-toc.bin" #705600 00:02:50');
  });
});

describe('dump: bad sectors, resume, refusals', () => {
  it('--defects: exactly those sectors bad; the same command without them (another drive) completes', async () => {
    const d = dir('cli-defects');
    const defects = join(d, 'defects.map');
    // 2048-byte units: sectors 1000-1004 of demo-cdextra (track 1, audio) unreadable.
    writeFileSync(defects, `0x0 +\n0x00000000 0x${(1000 * 2048).toString(16)} +\n0x${(1000 * 2048).toString(16)} 0x${(5 * 2048).toString(16)} -\n0x${(1005 * 2048).toString(16)} 0x${(100_000 * 2048).toString(16)} +\n`);
    const cue = join(d, 'disc.cue');
    const first = collect();
    expect(await run(['dump', 'emu:demo-cdextra', cue, '--defects', defects, '--json'], first.ctx)).toBe(1);
    const report = JSON.parse(first.out()) as { complete: boolean; tracks: Array<{ number: number; unreadSectors: number }> };
    expect(report.complete).toBe(false);
    expect(report.tracks.map((t) => [t.number, t.unreadSectors])).toEqual([[1, 5], [2, 0], [3, 0], [4, 0]]);
    const map = readMapfile(readFileSync(join(d, 'disc.map'), 'utf8')).map;
    expect([...map.runs()].filter((r) => r.status !== '+' && r.status !== '?').map((r) => [r.pos / 2352, r.size / 2352, r.status])).toEqual([[1000, 5, '-']]);
    const second = collect();
    expect(await run(['dump', 'emu:demo-cdextra', cue], second.ctx)).toBe(0);
    expect(second.out()).toContain('Finished: every sector of every track was read');
    const again = readMapfile(readFileSync(join(d, 'disc.map'), 'utf8')).map;
    expect(again.count('-')).toBe(0);
    // The completed dump equals a clean one.
    const clean = dir('cli-clean');
    expect(await run(['dump', 'emu:demo-cdextra', join(clean, 'disc.cue')], collect().ctx)).toBe(0);
    for (const n of ['01', '02', '03', '04']) {
      expect(sha256(readFileSync(join(d, `disc (Track ${n}).bin`)))).toBe(sha256(readFileSync(join(clean, `disc (Track ${n}).bin`))));
    }
  });

  it('weak sectors another drive profile reads: the second run resumes and completes', async () => {
    const d = dir('weak');
    const cuePath = join(d, 'weak.cue');
    const faults: FaultOptions = { weakSectors: [{ ranges: [{ startLba: 40, endLba: 43 }], readableBy: ['cheap'] }] };
    const good = emulated(mixedDisc(), 'good', faults);
    const first = await dumpDisc({ source: good, cuePath });
    await good.close();
    expect(first.complete).toBe(false);
    expect(first.rescue.badAreas).toEqual([{ lba: 40, sectorCount: 3, status: '-' }]);
    expect(first.tracks[0]?.unreadSectors).toBe(3);
    const cheap = emulated(mixedDisc(), 'cheap', faults);
    const second = await dumpDisc({ source: cheap, cuePath });
    await cheap.close();
    expect(second.rescue.badAreas).toEqual([]);
    expect(second.complete).toBe(true);
    expect(second.rescue.resumed).toBe(true);
    const out = dir('weak-split');
    await splitImage(cuePath, out);
    expect(sha256(readFileSync(join(out, 'weak01.iso')))).toBe(sha256(mixedIso));
  });

  it('a drive that refuses READ CD: UnsupportedError naming the track, no files', async () => {
    const d = dir('qemu');
    const drive = emulated(mixedDisc(), 'qemu-scsi-cd');
    const error = await dumpDisc({ source: drive, cuePath: join(d, 'q.cue') }).catch((e: unknown) => e);
    await drive.close();
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as Error).message).toMatch(/refuses READ CD on track 1 \(data, session 1, LBA 0\)/u);
    const cli = collect();
    expect(await run(['dump', 'emu:demo-mixed', join(d, 'c.cue'), '--drive-profile', 'qemu-scsi-cd'], cli.ctx)).toBe(1);
    expect(cli.err()).toContain('refuses READ CD on track 1');
  });
});

describe('dumpTracks: pregaps without sub-channel', () => {
  it('150 sectors where the track type changes and before a later session; none between audio tracks', () => {
    const track = (number: number, session: number, isData: boolean, startLba: number, endLba: number) => ({
      number, session, control: isData ? 4 : 0, adr: 1, isData, startLba, endLba, sectorCount: endLba - startLba,
    });
    const tracks = [track(1, 1, false, 0, 1000), track(2, 1, true, 1000, 3000), track(3, 1, false, 3000, 4000), track(4, 1, false, 4000, 5000), track(5, 2, true, 16400, 17000)];
    const toc = {
      source: 'full-toc' as const, firstTrack: 1, lastTrack: 5, leadOutLba: 17000, tracks,
      sessions: [
        { number: 1, firstTrack: 1, lastTrack: 4, discType: 0, leadOutLba: 5000, tracks: tracks.slice(0, 4) },
        { number: 2, firstTrack: 5, lastTrack: 5, discType: 0x20, leadOutLba: 17000, tracks: tracks.slice(4) },
      ],
    };
    expect([2, 3, 4, 5].map((n) => assumedPregap(toc, n))).toEqual([
      { sectors: 150, source: 'assumed' },
      { sectors: 150, source: 'assumed' },
      { sectors: 0, source: 'none' },
      { sectors: 150, source: 'session' },
    ]);
    const { tracks: dumped } = dumpTracks(toc, new Map(), new Map([[5, 'MODE2/2352' as const]]));
    expect(dumped.map((t) => [t.number, t.mode, t.fileFirstLba, t.startLba, t.endLba])).toEqual([
      [1, 'AUDIO', 0, 0, 850],
      [2, 'MODE1/2352', 850, 1000, 2850],
      [3, 'AUDIO', 2850, 3000, 4000],
      [4, 'AUDIO', 4000, 4000, 5000],
      [5, 'MODE2/2352', 16250, 16400, 17000],
    ]);
  });
});
