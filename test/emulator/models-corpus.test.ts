import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Drive } from '../../lib/drive/drive.js';
import { createEmulatedDrive, driveProfileFromJson, openDiscImage, type FileDiscModel } from '../../lib/emulator/index.js';
import { FormatError, UnsupportedError } from '../../lib/errors.js';
import { parseCdrdaoToc, parseCue } from '../../lib/image/index.js';

const CORPUS = '/work/shared/corpus';
const hasCorpus = (() => {
  try {
    return statSync(CORPUS).isDirectory();
  } catch {
    return false;
  }
})();

function sheets(directory: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) out.push(...sheets(path));
    else if (/\.(cue|toc)$/i.test(name)) out.push(path);
  }
  return out.sort();
}

const all = hasCorpus ? sheets(CORPUS) : [];
const zeroOffset = driveProfileFromJson({ name: 'zero-offset', readOffsetSamples: 0 });

/** What each sheet of the corpus does, with the reason; a new sheet must be added here. */
const EXPECTED: Record<string, 'load' | RegExp> = {
  'cdrdao/testtocs/cdtext.toc': 'load',
  'cdrdao/testtocs/data1.toc': 'load',
  'cdrdao/testtocs/data2.toc': 'load',
  'cdrdao/testtocs/data3.toc': 'load',
  'cdrdao/testtocs/data4.toc': 'load',
  'cdrdao/testtocs/data5.toc': 'load',
  'cdrdao/testtocs/data6.toc': 'load',
  'cdrdao/testtocs/data7.toc': 'load',
  'cdrdao/testtocs/mode1_rw.toc': 'load',
  'cdrdao/testtocs/mode1_rw_raw.toc': 'load',
  'cdrdao/testtocs/pregap1.toc': 'load',
  'cdrdao/testtocs/pregap2.toc': 'load',
  'cdrdao/testtocs/t1.toc': 'load',
  'cdrdao/testtocs/t2.toc': 'load',
  'cdrdao/testtocs/t3.toc': 'load',
  'cdrdao/testtocs/t4.toc': 'load',
  'cdrdao/testtocs/t5.toc': 'load',
  'cdrdao/testtocs/t6.toc': 'load',
  'libcdio-paranoia/test/data/cd-extra.cue': 'load',
  'libcdio-paranoia/test/data/cdda.cue': 'load',
  // BOING2.BIN is not in the corpus (> 4 MiB upstream).
  'libcdio-paranoia/test/data/cdda2.cue': /FILE "BOING2\.BIN" not found/,
  'libcdio-paranoia/test/data/hidden-track.cue': 'load',
  'libcdio-paranoia/test/data/mixed-mode-cd.cue': 'load',
  'libcdio/test/data/bad-cat1.cue': /CATALOG needs a value/,
  'libcdio/test/data/bad-cat1.toc': /expected a quoted string after CATALOG/,
  'libcdio/test/data/bad-cat2.cue': /CATALOG must be 13 digits/,
  'libcdio/test/data/bad-cat2.toc': /expected a quoted string after CATALOG/,
  'libcdio/test/data/bad-cat3.cue': /CATALOG must be 13 digits/,
  'libcdio/test/data/bad-cat3.toc': /CATALOG must be 13 digits/,
  'libcdio/test/data/bad-file.toc': /cannot open "foo\.bin"/,
  'libcdio/test/data/bad-mode1.cue': /unknown track mode "MODE3_FORM1"/,
  'libcdio/test/data/bad-mode1.toc': /expected a track mode/,
  'libcdio/test/data/bad-msf-1.cue': /frames field 100/,
  'libcdio/test/data/bad-msf-1.toc': /frames field 75/,
  'libcdio/test/data/bad-msf-2.cue': /seconds field 90/,
  'libcdio/test/data/bad-msf-2.toc': /seconds field 60/,
  // FILE "CDDA.BIN" finds cdda.bin: the only file differing in case.
  'libcdio/test/data/cdda.cue': 'load',
  'libcdio/test/data/cdda.toc': 'load',
  'libcdio/test/data/cdtext.toc': 'load',
  'libcdio/test/data/data1.toc': 'load',
  'libcdio/test/data/data2.toc': 'load',
  // The second track reads isofs-m1.bin from 00:20:71 (byte 3 694 992); the file has 302 sectors.
  'libcdio/test/data/data5.toc': /"isofs-m1\.bin" is 710304 bytes; the data starts past its end/,
  'libcdio/test/data/data6.toc': 'load',
  'libcdio/test/data/data7.toc': /"isofs-m1\.bin" is 710304 bytes; the data starts past its end/,
  'libcdio/test/data/isofs-m1.cue': 'load',
  'libcdio/test/data/isofs-m1.toc': 'load',
  'libcdio/test/data/t1.toc': 'load',
  // t2-t8 read cdda.bin (302 sectors) from 0:59:0, 180:0:0, 1:0:0 or 0:10:0 on: parse-only tests upstream.
  'libcdio/test/data/t2.toc': /"cdda\.bin" is 710304 bytes; the data starts past its end/,
  'libcdio/test/data/t3.toc': /"cdda\.bin" is 710304 bytes; the data starts past its end/,
  'libcdio/test/data/t4.toc': /"cdda\.bin" is 710304 bytes; the data starts past its end/,
  'libcdio/test/data/t5.toc': /"cdda\.bin" is 710304 bytes; the data starts past its end/,
  'libcdio/test/data/t6.toc': /"cdda\.bin" is 710304 bytes; the data starts past its end/,
  'libcdio/test/data/t7.toc': /"cdda\.bin" is 710304 bytes; the data starts past its end/,
  'libcdio/test/data/t8.toc': /"cdda\.bin" is 710304 bytes; the data starts past its end/,
  'libcdio/test/data/vcd2.toc': 'load',
  // vcd_demo.bin was never committed upstream.
  'libcdio/test/data/vcd_demo.toc': /cannot open "vcd_demo\.bin"/,
  // whipper's sheets describe real discs; their audio (data.wav, EAC's per-track WAVs) is not in the corpus.
  'whipper/whipper/test/bloc.cue': /FILE "data\.wav" not found/,
  'whipper/whipper/test/bloc.toc': /cannot open "data\.wav"/,
  'whipper/whipper/test/breeders.cue': /FILE "data\.wav" not found/,
  'whipper/whipper/test/breeders.toc': /cannot open "data\.wav"/,
  'whipper/whipper/test/cure.cue': /FILE "data\.wav" not found/,
  'whipper/whipper/test/cure.toc': /cannot open "data\.wav"/,
  'whipper/whipper/test/gentlemen.fast.toc': /cannot open "data\.wav"/,
  'whipper/whipper/test/kings-separate.cue': /FILE "Kings of Leon - Only By the Night\\Kings of Leon - Closer\.wav" not found/,
  'whipper/whipper/test/kings-single.cue': /FILE "dummy\.wav" not found/,
  'whipper/whipper/test/ladyhawke.toc': /cannot open "data\.wav"/,
  'whipper/whipper/test/totbl.fast.toc': /cannot open "data\.wav"/,
  // track.flac exists but is FLAC (typed WAVE): only raw files are served.
  'whipper/whipper/test/track-separate.cue': /FILE "track\.flac" is WAVE; only BINARY and MOTOROLA/,
  'whipper/whipper/test/track-single.cue': /FILE "track\.flac" is WAVE; only BINARY and MOTOROLA/,
};

async function attempt(path: string): Promise<FileDiscModel | Error> {
  try {
    return await openDiscImage(path);
  } catch (error) {
    return error as Error;
  }
}

/** Byte-swaps 16-bit words (big-endian audio ↔ little-endian). */
function swapped(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1] ?? 0;
    out[i + 1] = bytes[i] ?? 0;
  }
  return out;
}

async function readBack(model: FileDiscModel, firstLba: number, count: number): Promise<Uint8Array> {
  const drive = Drive.fromTransport(createEmulatedDrive({ disc: model, profile: zeroOffset }));
  try {
    return (await drive.readCd(firstLba, count)).data;
  } finally {
    await drive.close();
  }
}

describe.skipIf(!hasCorpus)('corpus sheets as disc models (skipped without /work/shared/corpus)', () => {
  test('the expectation table lists every CUE and TOC of the corpus', () => {
    expect(all.map((path) => relative(CORPUS, path))).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(all.map((path) => [relative(CORPUS, path), path]))('%s loads or is rejected naming the file', async (name, path) => {
    const expected = EXPECTED[name];
    const result = await attempt(path);
    if (expected === 'load') {
      expect(result, result instanceof Error ? result.message : '').not.toBeInstanceOf(Error);
      const model = result as FileDiscModel;
      try {
        expect(model.kind).toBe('cd');
        expect(model.tracks.length).toBeGreaterThan(0);
        const sector = new Uint8Array(2352);
        for (const track of model.tracks) {
          expect(model.readSector(track.startLba, sector)).toBeDefined();
          expect(model.readSector(track.endLba - 1, sector)).toBeDefined();
        }
      } finally {
        model.close();
      }
      return;
    }
    expect(result).toBeInstanceOf(Error);
    const error = result as Error;
    expect(error instanceof FormatError || error instanceof UnsupportedError, `${error.constructor.name}: ${error.message}`).toBe(true);
    expect(error.message).toMatch(expected as RegExp);
    // UnsupportedError carries no file field: the message starts with the path.
    expect(error.message).toContain(path);
    if (error instanceof FormatError) expect(error.file).toBe(path);
  });

  test('the libcdio bad-* sheets are rejected by the parsers with file and line', () => {
    const bad = all.filter((path) => basename(path).startsWith('bad-') && !basename(path).startsWith('bad-file'));
    expect(bad.length).toBe(12);
    for (const path of bad) {
      const text = readFileSync(path, 'utf8');
      const parse = (): unknown => (path.endsWith('.cue') ? parseCue(text, { fileName: path }) : parseCdrdaoToc(text, { fileName: path }));
      expect(parse, path).toThrow(FormatError);
      try {
        parse();
      } catch (error) {
        expect((error as FormatError).file).toBe(path);
        expect((error as FormatError).line).toBeGreaterThan(0);
      }
    }
  });

  // Every loadable cue sheet of the corpus is one BIN, one session: BIN sector k is LBA k (CDRWIN).
  const loadableCues = Object.keys(EXPECTED).filter((name) => name.endsWith('.cue') && EXPECTED[name] === 'load');
  test.each(loadableCues)('%s: READ CD of every AUDIO, MODE1/2352 and MODE2/2352 track reproduces the BIN', async (name) => {
    const path = join(CORPUS, name);
    const sheet = parseCue(readFileSync(path, 'utf8'));
    expect(sheet.files.length).toBe(1);
    expect(sheet.tracks.every((t) => t.session === 1)).toBe(true);
    const fileName = sheet.files[0]?.name ?? '';
    const actual = readdirSync(join(path, '..')).find((entry) => entry.toLowerCase() === fileName.toLowerCase()) ?? fileName;
    const bytes = readFileSync(join(path, '..', actual));
    const model = (await openDiscImage(path)) as FileDiscModel;
    try {
      expect(model.tracks.length).toBe(sheet.tracks.length);
      expect(sheet.tracks.map((t) => t.mode).filter((mode) => !['AUDIO', 'MODE1/2352', 'MODE2/2352'].includes(mode))).toEqual([]);
      let checked = 0;
      for (const track of model.tracks) {
        const first = Math.max(track.pregapLba, 0);
        const data = await readBack(model, first, track.endLba - first);
        expect(Buffer.compare(data, bytes.subarray(first * 2352, track.endLba * 2352)), `track ${track.number}`).toBe(0);
        checked += track.endLba - first;
      }
      expect(checked).toBe(bytes.length / 2352);
    } finally {
      model.close();
    }
  });

  test('libcdio isofs-m1.toc (MODE1_RAW FILE) reads back as the BIN; data2.toc swaps its big-endian audio FILE', async () => {
    const bin = readFileSync(join(CORPUS, 'libcdio/test/data/isofs-m1.bin'));
    const raw = (await openDiscImage(join(CORPUS, 'libcdio/test/data/isofs-m1.toc'))) as FileDiscModel;
    try {
      expect(Buffer.compare(await readBack(raw, 0, 302), bin)).toBe(0);
    } finally {
      raw.close();
    }
    const cdda = readFileSync(join(CORPUS, 'libcdio/test/data/cdda.bin'));
    const mixed = (await openDiscImage(join(CORPUS, 'libcdio/test/data/data2.toc'))) as FileDiscModel;
    try {
      // Track 1: FILE isofs-m1.bin in a MODE1 track = raw sectors, then ZERO 1:0:0; track 2: PREGAP 2 s, FILE cdda.bin.
      expect(mixed.tracks.map((t) => [t.mode, t.pregapLba, t.startLba, t.endLba])).toEqual([
        ['mode1', -150, 0, 302 + 4500],
        ['audio', 4802, 4952, 4952 + 302],
      ]);
      expect(Buffer.compare(await readBack(mixed, 0, 302), bin)).toBe(0);
      expect(Buffer.compare(await readBack(mixed, 4952, 302), swapped(cdda))).toBe(0);
      const zero = await readBack(mixed, 302, 1);
      expect(zero.subarray(16, 2064).every((b) => b === 0)).toBe(true);
    } finally {
      mixed.close();
    }
    // DATAFILE in an audio track: little-endian, from byte 200, 25 frames.
    const datafile = (await openDiscImage(join(CORPUS, 'libcdio/test/data/cdda.toc'))) as FileDiscModel;
    try {
      expect(Buffer.compare(await readBack(datafile, 0, 25), cdda.subarray(200, 200 + 25 * 2352))).toBe(0);
    } finally {
      datafile.close();
    }
  });

  test('the layout of every cdrdao test TOC matches cdrdao show-toc (gold files)', async () => {
    const goldDirectory = join(CORPUS, 'cdrdao/testtocs/gold');
    const golds = readdirSync(goldDirectory).filter((name) => name.endsWith('.showtoc'));
    expect(golds.length).toBeGreaterThan(10);
    for (const gold of golds) {
      const text = readFileSync(join(goldDirectory, gold), 'utf8');
      const shown = text.split(/^TRACK /m).slice(1).map((block) => {
        const frames = (what: string): number | undefined => {
          const match = new RegExp(`${what}\\s+\\d\\d:\\d\\d:\\d\\d\\(\\s*(\\d+)\\)`).exec(block);
          return match === null ? undefined : Number(match[1]);
        };
        return { pregap: frames('PREGAP') ?? 0, start: frames('START'), end: frames('END') };
      });
      const model = (await openDiscImage(join(CORPUS, 'cdrdao/testtocs', gold.replace('.showtoc', '.toc')))) as FileDiscModel;
      try {
        const got = model.tracks.map((t) => ({ pregap: t.startLba - t.pregapLba - (t.number === 1 ? 150 : 0), start: t.startLba, end: t.endLba }));
        expect(got, gold).toEqual(shown);
      } finally {
        model.close();
      }
    }
  });

  test('CD-Text: cdda.cue TITLE/PERFORMER and cdtext.toc CD_TEXT become packs', async () => {
    const { parseCdText } = await import('../../lib/cd/index.js');
    const cue = (await openDiscImage(join(CORPUS, 'libcdio/test/data/cdda.cue'))) as FileDiscModel;
    const toc = (await openDiscImage(join(CORPUS, 'cdrdao/testtocs/cdtext.toc'))) as FileDiscModel;
    try {
      const fromCue = parseCdText(cue.cdTextPacks as Uint8Array);
      expect(fromCue.badCrcPacks).toEqual([]);
      expect(fromCue.blocks[0]?.album).toMatchObject({ title: 'Join us now we have the software', performer: 'Richard Stallman' });
      expect(fromCue.blocks[0]?.tracks[0]).toMatchObject({ number: 1, title: 'Soft', performer: 'Richard S' });
      const fromToc = parseCdText(toc.cdTextPacks as Uint8Array);
      expect(fromToc.blocks[0]).toMatchObject({ languageCode: 0x09 });
      // The TOC lexer keeps `\\` as written, as cdrdao does (its show-toc prints it back unchanged).
      expect(fromToc.blocks[0]?.album).toMatchObject({ title: 'CD Title', performer: 'Perf\\\\ormer', discId: 'XY12345' });
      expect(fromToc.blocks[0]?.tracks[0]).toMatchObject({ title: 'Track "Title"', performer: 'Performer', isrc: 'US-XX1-98-01234' });
    } finally {
      cue.close();
      toc.close();
    }
  });
});
