import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { formatTrackName } from '../../lib/audio/rip/sinks.js';
import { ripAudio } from '../../lib/audio/rip/rip.js';
import type { CliContext } from '../../lib/cli/io.js';
import { run } from '../../lib/cli/run.js';
import { Drive } from '../../lib/drive/drive.js';
import { createAudioCd, createEmulatedDrive, createHiddenTrackAudioCd, createSyntheticDisc, driveProfileFromJson, type DiscModel } from '../../lib/emulator/index.js';
import { wavHeader } from '../../lib/audio/wav.js';
import { MemorySink, truthSamples } from './helpers.js';

const HAVE_CD_PARANOIA = spawnSync('cd-paranoia', ['--version'], { encoding: 'utf8' }).error === undefined;
const CORPUS = fileURLToPath(new URL('../../../shared/corpus/libcdio-paranoia/test/data/', import.meta.url));
const HAVE_CORPUS = existsSync(CORPUS);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'discrescue-rip-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cli(disc: DiscModel) {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    openDrive: async () => Drive.fromTransport(createEmulatedDrive({ disc })),
  };
  return { ctx, out: () => stdout, err: () => stderr };
}

function pcm(samples: Uint32Array): Buffer {
  const out = Buffer.alloc(samples.length * 4);
  samples.forEach((v, i) => out.writeUInt32LE(v, i * 4));
  return out;
}

/** The truth, with the last `zeroTail` samples zero (what a drive with a positive offset gives). */
function expectedWav(disc: DiscModel, startLba: number, endLba: number, zeroTail = 0): Buffer {
  const body = pcm(truthSamples(disc, { startLba, endLba }));
  body.fill(0, body.length - zeroTail * 4);
  return Buffer.concat([wavHeader(body.length), body]);
}

describe('discrescue rip (CLI)', () => {
  test('a WAV per track named "NN - Track NN.wav", bit-exact, with rip.log and rip.json', async () => {
    const disc = createAudioCd([10, 8]);
    const io = cli(disc);
    expect(await run(['rip', 'emu:test', dir, '--offset', '+6'], io.ctx)).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['01 - Track 01.wav', '02 - Track 02.wav', 'rip.json', 'rip.log']);
    expect(readFileSync(join(dir, '01 - Track 01.wav')).equals(expectedWav(disc, 0, 10))).toBe(true);
    expect(readFileSync(join(dir, '02 - Track 02.wav')).equals(expectedWav(disc, 10, 18, 6))).toBe(true);
    const log = readFileSync(join(dir, 'rip.log'), 'utf8');
    expect(log).toContain('Read offset:        +6 samples');
    expect(log).toContain('Status:           secure: every sample proven by agreeing reads');
    expect(log).toContain('In doubt:         samples 4698-4703 (6): zero-filled');
    expect(io.out()).toContain('Logs: ');
    const json = JSON.parse(readFileSync(join(dir, 'rip.json'), 'utf8')) as { tracks: Array<{ status: string; doubtful: unknown[] }>; offset: number };
    expect(json.offset).toBe(6);
    expect(json.tracks.map((t) => t.status)).toEqual(['secure', 'secure-except-edges']);
    expect(json.tracks[1]!.doubtful).toEqual([{ start: 4698, end: 4704, reason: 'zero-filled' }]);
  });

  test("--name-format cdparanoia gives cdparanoia's names; --json prints the log as JSON", async () => {
    const io = cli(createAudioCd([5, 5]));
    expect(await run(['rip', 'emu:test', dir, '--name-format', 'cdparanoia', '--mode', 'burst', '--json'], io.ctx)).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['rip.json', 'rip.log', 'track01.cdda.wav', 'track02.cdda.wav']);
    expect((JSON.parse(io.out()) as { mode: string }).mode).toBe('burst');
  });

  test('--image: one WAV and a CUE sheet; a hidden track becomes INDEX 00 of track 1', async () => {
    const disc = createHiddenTrackAudioCd(20, [10, 8], { mcn: '0123456789012' });
    const io = cli(disc);
    expect(await run(['rip', 'emu:test', dir, '--image', '--offset', '6'], io.ctx)).toBe(0);
    expect(readFileSync(join(dir, 'image.wav')).equals(expectedWav(disc, 0, 38, 6))).toBe(true);
    expect(readFileSync(join(dir, 'image.cue'), 'utf8')).toBe(
      [
        'REM COMMENT "discrescue rip"',
        'CATALOG 0123456789012',
        'FILE "image.wav" WAVE',
        '  TRACK 01 AUDIO',
        '    INDEX 00 00:00:00',
        '    INDEX 01 00:00:20',
        '  TRACK 02 AUDIO',
        '    INDEX 01 00:00:30',
        '',
      ].join('\r\n'),
    );
  });

  test('--image CUE: pregaps as INDEX 00, INDEX 02, FLAGS and ISRC', async () => {
    const disc = createSyntheticDisc({
      tracks: [
        { mode: 'audio', sectors: 80, control: 0x3, isrc: 'USABC2400001' },
        { mode: 'audio', sectors: 100, pregap: 77, indexOffsets: [40] },
      ],
    });
    const io = cli(disc);
    expect(await run(['rip', 'emu:test', dir, '--image'], io.ctx)).toBe(0);
    expect(readFileSync(join(dir, 'image.cue'), 'utf8').split('\r\n')).toEqual([
      'REM COMMENT "discrescue rip"',
      'FILE "image.wav" WAVE',
      '  TRACK 01 AUDIO',
      '    FLAGS DCP PRE',
      '    ISRC USABC2400001',
      '    INDEX 01 00:00:00',
      '  TRACK 02 AUDIO',
      '    INDEX 00 00:01:05',
      '    INDEX 01 00:02:07',
      '    INDEX 02 00:02:47',
      '',
    ]);
    // Offset 0 on a drive with +6: proven as read, 6 samples early (the offset is the user's to give).
    expect(readFileSync(join(dir, 'image.wav')).length).toBe(44 + 257 * 2352);
  });

  test('usage mistakes exit 2', async () => {
    const io = cli(createAudioCd([5]));
    expect(await run(['rip', 'emu:test', dir, '--mode', 'fast'], io.ctx)).toBe(2);
    expect(await run(['rip', 'emu:test', dir, '--offset', 'six'], io.ctx)).toBe(2);
    expect(await run(['rip', 'emu:test', dir, '--name-format', '../x.wav'], io.ctx)).toBe(2);
    expect(await run(['rip', 'emu:test'], io.ctx)).toBe(2);
  });

  test('file name patterns', () => {
    expect(formatTrackName('default', { number: 3 })).toBe('03 - Track 03.wav');
    expect(formatTrackName('cdparanoia', { number: 0 })).toBe('track00.cdda.wav');
    expect(formatTrackName('{n}-{isrc}.wav', { number: 7, isrc: 'USABC2400001' })).toBe('7-USABC2400001.wav');
    expect(() => formatTrackName('a/{nn}.wav', { number: 1 })).toThrow(RangeError);
  });
});

/** A BIN of two tracks of tones (track 2 with a 10-sector pregap) and its CUE. */
function toneImage(): { cue: string; bin: Buffer } {
  const sectors = 60;
  const bin = Buffer.alloc(sectors * 2352);
  for (let i = 0; i < sectors * 588; i++) {
    bin.writeInt16LE(Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / 44100)), i * 4);
    bin.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * 660 * i) / 44100 + 1)), i * 4 + 2);
  }
  const cue = join(dir, 'tones.cue');
  writeFileSync(join(dir, 'tones.bin'), bin);
  writeFileSync(cue, 'FILE "tones.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 00 00:00:25\n    INDEX 01 00:00:35\n');
  return { cue, bin };
}

describe.skipIf(!HAVE_CD_PARANOIA)('oracle: cd-paranoia -d <cue> (skipped without cd-paranoia)', () => {
  test('our rip of the emulated drive serving the CUE gives the PCM cd-paranoia reads from it', async () => {
    const { cue } = toneImage();
    const paranoia = (span: string, out: string) => {
      const r = spawnSync('cd-paranoia', ['-d', cue, '-r', '--', span, out], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return readFileSync(out);
    };
    const all = paranoia('1-', join(dir, 'all.raw'));
    const second = paranoia('2', join(dir, 'second.raw'));
    const profile = driveProfileFromJson({ name: 'offset-free', readOffsetSamples: 0 });
    const drive = await Drive.open(`emu:${cue}`, { emulator: { driveProfile: profile } });
    const sink = new MemorySink();
    const result = await ripAudio(drive, { sink });
    await drive.close();
    expect(result.tracks.map((t) => [t.info.startLba, t.info.endLba, t.status])).toEqual([
      [0, 35, 'secure'],
      [35, 60, 'secure'],
    ]);
    expect(result.tracks[1]!.info.pregapLba).toBe(25);
    expect(Buffer.concat([pcm(sink.tracks.get(1)!), pcm(sink.tracks.get(2)!)]).equals(all)).toBe(true);
    expect(pcm(sink.tracks.get(2)!).equals(second)).toBe(true);
  });
});

describe.skipIf(!HAVE_CORPUS)('libcdio-paranoia corpus (skipped without ../shared/corpus)', () => {
  test('byte order: we rip a BINARY audio file as stored (little-endian); cd-paranoia guessed big-endian and swapped it', async () => {
    const drive = await Drive.open(`emu:${join(CORPUS, 'cdda.cue')}`, { emulator: { driveProfile: driveProfileFromJson({ name: 'offset-free', readOffsetSamples: 0 }) } });
    const sink = new MemorySink();
    const result = await ripAudio(drive, { sink });
    await drive.close();
    expect(result.tracks.map((t) => t.status)).toEqual(['secure']);
    expect(result.mcn).toBe('0000010271955');
    expect(result.tracks[0]!.info.copyPermitted).toBe(true);
    const ours = pcm(sink.tracks.get(1)!);
    expect(ours.equals(readFileSync(join(CORPUS, 'BOING.BIN')))).toBe(true);
    const swapped = Buffer.from(readFileSync(join(CORPUS, 'cdda.bin'))).swap16();
    expect(ours.equals(swapped)).toBe(true);
  });

  test('track ranges: a hidden track (INDEX 00 at 0, INDEX 01 at 00:02:00) rips as track 0 then track 1', async () => {
    const drive = await Drive.open(`emu:${join(CORPUS, 'hidden-track.cue')}`, { emulator: { driveProfile: driveProfileFromJson({ name: 'offset-free', readOffsetSamples: 0 }) } });
    const sink = new MemorySink();
    const result = await ripAudio(drive, { sink });
    await drive.close();
    expect(result.tracks.map((t) => [t.info.number, t.info.startLba, t.info.endLba])).toEqual([
      [0, 0, 150],
      [1, 150, 302],
    ]);
    const ours = Buffer.concat([pcm(sink.tracks.get(0)!), pcm(sink.tracks.get(1)!)]);
    expect(ours.equals(readFileSync(join(CORPUS, 'hidden-track.bin')))).toBe(true);
  });

  test('mixed-mode and CD-Extra discs: only the audio track is ripped', async () => {
    for (const [cue, audio] of [['mixed-mode-cd.cue', 2], ['cd-extra.cue', 1]] as const) {
      const drive = await Drive.open(`emu:${join(CORPUS, cue)}`, { emulator: { driveProfile: driveProfileFromJson({ name: 'offset-free', readOffsetSamples: 0 }) } });
      const result = await ripAudio(drive, {});
      await drive.close();
      expect(result.tracks.map((t) => t.info.number)).toEqual([audio]);
      await expect(ripAudio(await Drive.open(`emu:${join(CORPUS, cue)}`), { tracks: [audio === 1 ? 2 : 1] })).rejects.toThrow(/is not an audio track/);
    }
  });
});
