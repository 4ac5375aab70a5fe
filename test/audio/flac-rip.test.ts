/**
 * FLAC output of `rip`: per-track FLAC and image FLAC sinks, tags from CD-Text / MCN / ISRC / TOC,
 * and `rip --format flac`. Debian's `flac` (decode, test) and `metaflac` (tags, STREAMINFO) are
 * the oracles: decoded PCM must equal the disc's truth byte for byte.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { buildCdTextPacks, parseCdText } from '../../lib/cd/cd-text.js';
import { computeDiscIds, discIdLayoutFromToc } from '../../lib/audio/disc-id.js';
import { createFlacImageSink, createFlacTrackSink, flacNameFormat } from '../../lib/audio/rip/flac-sink.js';
import { ripAudio } from '../../lib/audio/rip/rip.js';
import { createWavTrackSink } from '../../lib/audio/rip/sinks.js';
import { readRipTagSource, ripImageTags, ripTrackTags } from '../../lib/audio/rip/tags.js';
import type { RipTrackInfo } from '../../lib/audio/rip/types.js';
import type { CliContext } from '../../lib/cli/io.js';
import { run } from '../../lib/cli/run.js';
import { Drive } from '../../lib/drive/drive.js';
import { FormatError } from '../../lib/errors.js';
import { createAudioCd, createEmulatedDrive, createSyntheticDisc, driveProfileFromJson, type DiscModel } from '../../lib/emulator/index.js';
import type { DriveProfile } from '../../lib/emulator/drive-profile.js';
import { truthSamples } from './helpers.js';

const HAVE_FLAC = spawnSync('flac', ['--version'], { encoding: 'utf8' }).status === 0;
const HAVE_METAFLAC = spawnSync('metaflac', ['--version'], { encoding: 'utf8' }).status === 0;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'discrescue-flac-rip-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function drive(disc: DiscModel, profile?: DriveProfile): Drive {
  return Drive.fromTransport(createEmulatedDrive({ disc, ...(profile ? { profile } : {}) }));
}

function cli(disc: DiscModel, profile?: DriveProfile) {
  let stdout = '';
  const ctx: CliContext = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: () => true },
    openDrive: async () => drive(disc, profile),
  };
  return { ctx, out: () => stdout };
}

/** The disc's truth of [startLba, endLba) as PCM bytes, the last `zeroTail` samples zero (offset +6 past the lead-out). */
function truthPcm(disc: DiscModel, startLba: number, endLba: number, zeroTail = 0): Buffer {
  const samples = truthSamples(disc, { startLba, endLba });
  const out = Buffer.alloc(samples.length * 4);
  samples.forEach((v, i) => out.writeUInt32LE(v, i * 4));
  out.fill(0, out.length - zeroTail * 4);
  return out;
}

/** `flac -d` to raw little-endian signed PCM. */
function decode(path: string): Buffer {
  const raw = join(dir, `decoded-${createHash('sha1').update(path).digest('hex').slice(0, 8)}.raw`);
  const r = spawnSync('flac', ['-d', '-s', '-f', '--force-raw-format', '--endian=little', '--sign=signed', '-o', raw, path], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const pcm = readFileSync(raw);
  rmSync(raw);
  return pcm;
}

function flacTest(path: string): number | null {
  return spawnSync('flac', ['-t', '-s', path], { encoding: 'utf8' }).status;
}

function metaflac(path: string, ...args: string[]): string {
  const r = spawnSync('metaflac', [...args, path], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

function tagsOf(path: string): string[] {
  return metaflac(path, '--export-tags-to=-').split('\n').filter(Boolean);
}

/** The FreeDB id computed here from its definition (digit sums of the start seconds, length, count). */
function freedbId(starts: number[], leadOut: number): string {
  const digitSum = (n: number) => [...String(n)].reduce((s, d) => s + Number(d), 0);
  const sum = starts.reduce((s, lba) => s + digitSum(Math.floor((lba + 150) / 75)), 0);
  const length = Math.floor((leadOut + 150) / 75) - Math.floor((starts[0]! + 150) / 75);
  return (((sum % 255) << 24) | (length << 8) | starts.length).toString(16).padStart(8, '0');
}

const CD_TEXT = buildCdTextPacks([
  {
    languageCode: 0x09,
    album: { title: 'Lossless Things', performer: 'The Emulators', genre: { code: 5, text: '' } },
    tracks: [
      { number: 1, title: 'Opening', performer: 'Ada', composer: 'C. Omposer' },
      { number: 2, title: 'Second Wind' },
      { number: 3, title: 'Café Coda', performer: 'Bo' },
    ],
  },
  { languageCode: 0x08, album: { title: 'Verlustfreie Dinge', performer: 'Die Emulatoren' }, tracks: [{ number: 1, title: 'Eröffnung' }] },
]);

/** Three tracks with CD-Text (two blocks), an MCN and an ISRC on track 2. */
function textDisc(): DiscModel {
  return createSyntheticDisc({
    mcn: '4006381333931',
    cdTextPacks: CD_TEXT,
    tracks: [
      { mode: 'audio', sectors: 40 },
      { mode: 'audio', sectors: 23, isrc: 'DEXYZ2400017' },
      { mode: 'audio', sectors: 31 },
    ],
  });
}

describe.skipIf(!HAVE_FLAC)('FLAC track sink: flac -d gives the exact PCM (skipped without flac)', () => {
  test('a FLAC per track equals the WAV rip and the truth; flac -t passes; STREAMINFO count and MD5 right', async () => {
    const disc = createAudioCd([30, 17, 25, 1]);
    const flacDir = join(dir, 'flac');
    const wavDir = join(dir, 'wav');
    mkdirSync(flacDir);
    mkdirSync(wavDir);
    const flac = await ripAudio(drive(disc), { offset: 6, sink: createFlacTrackSink(flacDir) });
    const wav = await ripAudio(drive(disc), { offset: 6, sink: createWavTrackSink(wavDir) });
    expect(readdirSync(flacDir).sort()).toEqual(['01 - Track 01.flac', '02 - Track 02.flac', '03 - Track 03.flac', '04 - Track 04.flac']);
    const bounds = [0, 30, 47, 72, 73];
    for (let i = 0; i < 4; i++) {
      const path = flac.tracks[i]!.file!;
      expect(path).toBe(join(flacDir, `0${i + 1} - Track 0${i + 1}.flac`));
      const pcm = decode(path);
      const truth = truthPcm(disc, bounds[i]!, bounds[i + 1]!, i === 3 ? 6 : 0);
      expect(pcm.length).toBe(truth.length);
      expect(pcm.equals(truth)).toBe(true);
      expect(pcm.equals(readFileSync(wav.tracks[i]!.file!).subarray(44))).toBe(true);
      expect(flacTest(path)).toBe(0);
      if (HAVE_METAFLAC) {
        expect(metaflac(path, '--show-total-samples').trim()).toBe(String(truth.length / 4));
        expect(metaflac(path, '--show-md5sum').trim()).toBe(createHash('md5').update(truth).digest('hex'));
        expect(tagsOf(path)).toEqual([]);
      }
    }
    expect(flac.tracks.map((t) => t.status)).toEqual(['secure', 'secure', 'secure', 'secure-except-edges']);
  });

  test('an image FLAC and its CUE (FILE "image.flac" WAVE) from the image sink', async () => {
    const disc = createAudioCd([20, 9], { mcn: '0123456789012' });
    const sink = createFlacImageSink(dir, { tags: { ALBUM: 'X' } });
    const result = await ripAudio(drive(disc), { offset: 6, sink });
    const { flac, cue } = await sink.finish(result.tracks, { mcn: result.mcn });
    expect(flac).toBe(join(dir, 'image.flac'));
    expect(decode(flac).equals(truthPcm(disc, 0, 29, 6))).toBe(true);
    expect(flacTest(flac)).toBe(0);
    expect(readFileSync(cue, 'utf8').split('\r\n')).toEqual([
      'REM COMMENT "discrescue rip"',
      'CATALOG 0123456789012',
      'FILE "image.flac" WAVE',
      '  TRACK 01 AUDIO',
      '    INDEX 01 00:00:00',
      '  TRACK 02 AUDIO',
      '    INDEX 01 00:00:20',
      '',
    ]);
    if (HAVE_METAFLAC) expect(tagsOf(flac)).toEqual(['ALBUM=X']);
  });
});

describe('FLAC track sink: partial files', () => {
  const info = (sampleCount: number): RipTrackInfo => ({
    number: 1, startLba: 0, endLba: sampleCount / 588, sampleCount, isFirst: true, isLast: true, audioTrackCount: 1,
    control: 0, preEmphasis: false, copyPermitted: false, pregapLba: 0, indexes: [{ number: 1, lba: 0 }],
  });

  test('a track shorter than announced is removed and close() rejects', async () => {
    const sink = createFlacTrackSink(dir);
    await sink.open(info(588 * 4));
    await sink.write(new Uint8Array(588 * 4 * 3).fill(7));
    await expect(sink.close()).rejects.toThrow(FormatError);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('abort() removes the track being written; a half sample is refused and the file removed', async () => {
    const sink = createFlacTrackSink(dir, 'cdparanoia');
    await sink.open(info(588 * 8));
    await sink.write(new Uint8Array(588 * 4 * 2).fill(3));
    expect(readdirSync(dir)).toEqual(['track01.cdda.flac']);
    await sink.abort();
    expect(readdirSync(dir)).toEqual([]);
    await sink.open(info(588 * 8));
    await sink.write(new Uint8Array(588 * 4));
    await expect(sink.write(new Uint8Array(6))).rejects.toThrow(FormatError);
    expect(readdirSync(dir)).toEqual([]);
    await expect(sink.write(new Uint8Array(4))).rejects.toThrow(/before open/u);
  });

  test('name formats: the presets end in .flac, other patterns are used as given', () => {
    expect(flacNameFormat('default')).toBe('{nn} - Track {nn}.flac');
    expect(flacNameFormat('cdparanoia')).toBe('track{nn}.cdda.flac');
    expect(flacNameFormat('{n}.flac')).toBe('{n}.flac');
  });
});

describe('rip tags', () => {
  const block = parseCdText(CD_TEXT).blocks[0]!;
  const track = (number: number, isrc?: string) => ({ number, audioTrackCount: 3, isrc });

  test('CD-Text first block, MCN as BARCODE, ISRC from Q before CD-Text, disc ids', () => {
    const source = { cdText: block, mcn: '4006381333931', musicBrainzDiscId: 'mb', freedbDiscId: '0a0b0c03' };
    expect(ripTrackTags(track(1), source)).toEqual({
      ALBUM: 'Lossless Things', ALBUMARTIST: 'The Emulators', GENRE: 'Classical', BARCODE: '4006381333931', MUSICBRAINZ_DISCID: 'mb',
      DISCID: '0a0b0c03', TITLE: 'Opening', ARTIST: 'Ada', COMPOSER: 'C. Omposer', TRACKNUMBER: '1', TRACKTOTAL: '3',
    });
    // No performer of its own: the disc's.
    expect(ripTrackTags(track(2, 'DEXYZ2400017'), source)).toMatchObject({ TITLE: 'Second Wind', ARTIST: 'The Emulators', ISRC: 'DEXYZ2400017' });
    expect(ripTrackTags(track(2), source)).not.toHaveProperty('COMPOSER');
    // A hidden track has no text of its own.
    expect(ripTrackTags(track(0), source)).toMatchObject({ TRACKNUMBER: '0', ARTIST: 'The Emulators' });
    expect(ripTrackTags(track(0), source)).not.toHaveProperty('TITLE');
    expect(ripImageTags(source, 3)).toMatchObject({ TITLE: 'Lossless Things', ARTIST: 'The Emulators', ALBUM: 'Lossless Things', TRACKTOTAL: '3' });
  });

  test('without CD-Text: the numbers and the ISRC only', () => {
    expect(ripTrackTags(track(3, 'DEXYZ2400017'))).toEqual({ TRACKNUMBER: '3', TRACKTOTAL: '3', ISRC: 'DEXYZ2400017' });
    expect(ripImageTags()).toEqual({});
  });

  test('readRipTagSource: CD-Text, MCN and ids from the drive; a drive without CD-Text gives none', async () => {
    const disc = textDisc();
    const read = await readRipTagSource(drive(disc));
    expect(read.cdTextPacks && Buffer.from(read.cdTextPacks).equals(Buffer.from(CD_TEXT))).toBe(true);
    expect(read.cdText?.album.title).toBe('Lossless Things');
    expect(read.cdText?.languageCode).toBe(0x09);
    expect(read.mcn).toBe('4006381333931');
    expect(read.freedbDiscId).toBe(freedbId([0, 40, 63], 94));
    expect(read.audioTrackCount).toBe(3);
    expect(read.notes).toEqual([]);
    const noText = driveProfileFromJson({ name: 'no-cd-text', features: { cdText: false } });
    const without = await readRipTagSource(drive(disc, noText));
    expect(without.cdText).toBeUndefined();
    expect(without.cdTextPacks).toBeUndefined();
    expect(without.mcn).toBe('4006381333931');
  });
});

describe.skipIf(!HAVE_FLAC || !HAVE_METAFLAC)('discrescue rip --format flac (skipped without flac and metaflac)', () => {
  test('writes "NN - Track NN.flac" with tags from CD-Text; the log names them; flac -d gives the truth', async () => {
    const disc = textDisc();
    const io = cli(disc);
    expect(await run(['rip', 'emu:test', dir, '--format', 'flac', '--offset', '6'], io.ctx)).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['01 - Track 01.flac', '02 - Track 02.flac', '03 - Track 03.flac', 'cdtext.cdt', 'rip.json', 'rip.log']);
    // The raw packs are kept as a CDRWIN CD-Text file: the packs, then one zero byte.
    expect(readFileSync(join(dir, 'cdtext.cdt')).equals(Buffer.concat([Buffer.from(CD_TEXT), Buffer.alloc(1)]))).toBe(true);
    const log = readFileSync(join(dir, 'rip.log'), 'utf8');
    for (let n = 1; n <= 3; n++) expect(log).toContain(`  File:             ${join(dir, `0${n} - Track 0${n}.flac`)}`);
    const json = JSON.parse(readFileSync(join(dir, 'rip.json'), 'utf8')) as { tracks: Array<{ file: string }> };
    expect(json.tracks.map((t) => t.file)).toEqual([1, 2, 3].map((n) => join(dir, `0${n} - Track 0${n}.flac`)));
    const d = drive(disc);
    const mb = computeDiscIds(discIdLayoutFromToc(await d.toc())).musicBrainz.id;
    await d.close();
    const common = ['ALBUM=Lossless Things', 'ALBUMARTIST=The Emulators', 'GENRE=Classical', 'BARCODE=4006381333931', `MUSICBRAINZ_DISCID=${mb}`, `DISCID=${freedbId([0, 40, 63], 94)}`];
    expect(tagsOf(join(dir, '01 - Track 01.flac'))).toEqual([...common, 'TITLE=Opening', 'ARTIST=Ada', 'COMPOSER=C. Omposer', 'TRACKNUMBER=1', 'TRACKTOTAL=3']);
    expect(tagsOf(join(dir, '02 - Track 02.flac'))).toEqual([...common, 'TITLE=Second Wind', 'ARTIST=The Emulators', 'TRACKNUMBER=2', 'TRACKTOTAL=3', 'ISRC=DEXYZ2400017']);
    // ISO-8859-1 on the disc, UTF-8 in the file.
    expect(tagsOf(join(dir, '03 - Track 03.flac'))).toEqual([...common, 'TITLE=Café Coda', 'ARTIST=Bo', 'TRACKNUMBER=3', 'TRACKTOTAL=3']);
    expect(decode(join(dir, '02 - Track 02.flac')).equals(truthPcm(disc, 40, 63))).toBe(true);
    expect(decode(join(dir, '03 - Track 03.flac')).equals(truthPcm(disc, 63, 94, 6))).toBe(true);
  });

  test('a drive without CD-Text: numeric tags, disc ids and BARCODE only', async () => {
    const noText = driveProfileFromJson({ name: 'no-cd-text', features: { cdText: false } });
    const io = cli(textDisc(), noText);
    expect(await run(['rip', 'emu:test', dir, '--format', 'flac', '--name-format', 'cdparanoia'], io.ctx)).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.flac')).sort()).toEqual(['track01.cdda.flac', 'track02.cdda.flac', 'track03.cdda.flac']);
    const tags = tagsOf(join(dir, 'track02.cdda.flac'));
    expect(tags.filter((t) => !t.startsWith('MUSICBRAINZ_DISCID='))).toEqual([
      'BARCODE=4006381333931', `DISCID=${freedbId([0, 40, 63], 94)}`, 'TRACKNUMBER=2', 'TRACKTOTAL=3', 'ISRC=DEXYZ2400017',
    ]);
  });

  test('--format flac --image: image.flac and image.cue, the disc tags on the image', async () => {
    const disc = textDisc();
    const io = cli(disc);
    expect(await run(['rip', 'emu:test', dir, '--format', 'flac', '--image', '--offset', '6'], io.ctx)).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['cdtext.cdt', 'image.cue', 'image.flac', 'rip.json', 'rip.log']);
    expect(io.out()).toContain(`Image: ${join(dir, 'image.flac')}\n`);
    expect(decode(join(dir, 'image.flac')).equals(truthPcm(disc, 0, 94, 6))).toBe(true);
    expect(flacTest(join(dir, 'image.flac'))).toBe(0);
    const cue = readFileSync(join(dir, 'image.cue'), 'utf8').split('\r\n');
    expect(cue.slice(0, 3)).toEqual(['REM COMMENT "discrescue rip"', 'CATALOG 4006381333931', 'FILE "image.flac" WAVE']);
    expect(cue).toContain('    ISRC DEXYZ2400017');
    const tags = tagsOf(join(dir, 'image.flac'));
    expect(tags).toContain('ALBUM=Lossless Things');
    expect(tags).toContain('TITLE=Lossless Things');
    expect(tags).toContain('ARTIST=The Emulators');
    expect(tags).toContain('TRACKTOTAL=3');
    expect(tags.some((t) => t.startsWith('TRACKNUMBER='))).toBe(false);
    const json = JSON.parse(readFileSync(join(dir, 'rip.json'), 'utf8')) as { image: unknown };
    expect(json.image).toEqual({ flac: join(dir, 'image.flac'), cue: join(dir, 'image.cue') });
  });

  test('usage mistakes exit 2 and write no audio', async () => {
    const io = cli(createAudioCd([5]));
    expect(await run(['rip', 'emu:test', dir, '--format', 'ogg'], io.ctx)).toBe(2);
    expect(await run(['rip', 'emu:test', dir, '--format', 'flac', '--name-format', '{nn}.wav'], io.ctx)).toBe(2);
    expect(existsSync(join(dir, '01 - Track 01.flac'))).toBe(false);
  });
});
