import { describe, expect, it } from 'vitest';
import {
  createNodeSheetReader,
  formatCdrdaoToc,
  loadCdrdaoToc,
  parseCdrdaoToc,
  resolveCdrdaoTocLayout,
  type CdrdaoCdTextBlock,
  type CdrdaoToc,
} from '../../../lib/image/index.js';
import { formatMsfDuration } from '../../../lib/image/msf-duration.js';
import {
  catchFormatError,
  corpusPath,
  HAVE_CORPUS,
  listCorpus,
  readCorpus,
  withoutPositions,
} from './sheet-test-helpers.js';

/**
 * TOC files of the corpus that must be refused, at the line holding the error. The libcdio
 * bad-*.toc files (test/check_cue.sh: cd-info must fail) are syntax errors except bad-file.toc,
 * which is well-formed but names a file that does not exist ("foo.bin"): it is refused by
 * `loadCdrdaoToc`, which checks referenced files, not by the text parser.
 */
const MUST_FAIL: Readonly<Record<string, { line: number; message: string }>> = {
  'libcdio/test/data/bad-cat1.toc': { line: 6, message: 'expected a quoted string after CATALOG, got "TRACK"' },
  'libcdio/test/data/bad-cat2.toc': { line: 4, message: 'expected a quoted string after CATALOG' },
  'libcdio/test/data/bad-cat3.toc': { line: 4, message: 'CATALOG must be 13 digits' },
  'libcdio/test/data/bad-mode1.toc': { line: 4, message: 'expected a track mode' },
  'libcdio/test/data/bad-msf-1.toc': { line: 6, message: 'frames field 75 must be below 75' },
  'libcdio/test/data/bad-msf-2.toc': { line: 6, message: 'seconds field 60 must be below 60' },
};
/** Well-formed TOC files whose referenced files are missing from the corpus. */
const MISSING_FILES: Readonly<Record<string, { line: number; name: string }>> = {
  'libcdio/test/data/bad-file.toc': { line: 8, name: 'foo.bin' },
  'libcdio/test/data/vcd_demo.toc': { line: 5, name: 'vcd_demo.bin' }, // image not distributed (EXPECTED.md)
};

const tocFiles = listCorpus('.toc');

describe.skipIf(!HAVE_CORPUS)('corpus TOC files (skipped without ../shared/corpus)', () => {
  it('lists every TOC file the tables name', () => {
    for (const name of [...Object.keys(MUST_FAIL), ...Object.keys(MISSING_FILES)]) expect(tocFiles).toContain(name);
    // libcdio t1-t8, data1/2/5/6/7, vcd2, cdtext, cdda, isofs-m1 and cdrdao's testtocs are all here.
    expect(tocFiles.filter((name) => name.startsWith('libcdio/')).length).toBe(25);
    expect(tocFiles.filter((name) => name.startsWith('cdrdao/')).length).toBe(18);
  });

  it.each(tocFiles)('%s', (name) => {
    const text = readCorpus(name);
    const expected = MUST_FAIL[name];
    if (expected !== undefined) {
      const error = catchFormatError(() => parseCdrdaoToc(text, { fileName: name }));
      expect(error.file).toBe(name);
      expect(error.line).toBe(expected.line);
      expect(error.message).toContain(expected.message);
      return;
    }
    const toc = parseCdrdaoToc(text, { fileName: name });
    expect(toc.tracks.length).toBeGreaterThan(0);
    expect(withoutPositions(parseCdrdaoToc(formatCdrdaoToc(toc)))).toEqual(withoutPositions(toc));
  });

  it.each(tocFiles.filter((name) => name.startsWith('libcdio/') && MUST_FAIL[name] === undefined))(
    'loadCdrdaoToc checks the files %s names',
    async (name) => {
      const path = corpusPath(name);
      const missing = MISSING_FILES[name];
      if (missing === undefined) {
        await expect(loadCdrdaoToc(path, createNodeSheetReader())).resolves.toMatchObject({ fileName: path });
        return;
      }
      const error = await loadCdrdaoToc(path, createNodeSheetReader()).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'ERR_FORMAT', file: path, line: missing.line });
      expect((error as Error).message).toContain(`cannot open "${missing.name}"`);
      await expect(loadCdrdaoToc(path, createNodeSheetReader(), { checkFiles: false })).resolves.toBeDefined();
    },
  );
});

// ---------------------------------------------------------------------------------------------
// cdrdao show-toc gold files

interface ShowTocTrack {
  number: number;
  mode: string;
  isrc?: string;
  copy?: boolean;
  preEmphasis?: boolean;
  fourChannel?: boolean;
  pregap?: number;
  start?: number;
  end?: number;
  indexes: number[];
  cdText: Array<[string, string]>;
}

interface ShowToc {
  tocType?: string;
  catalog?: string;
  cdText: Array<[string, string]>;
  tracks: ShowTocTrack[];
}

/** `mm:ss:ff(   n)`: checks that both spellings agree and returns n. */
function showTocFrames(msf: string, count: string): number {
  const frames = Number(count.trim());
  expect(formatMsfDuration(frames)).toBe(msf);
  return frames;
}

/** Parses `cdrdao show-toc -v 9` output; every line must be understood. */
function parseShowToc(text: string): ShowToc {
  const result: ShowToc = { cdText: [], tracks: [] };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const track = result.tracks[result.tracks.length - 1];
    let match: RegExpExecArray | null;
    if ((match = /^TOC TYPE: (\S+)$/.exec(line))) result.tocType = match[1];
    else if ((match = /^CATALOG NUMBER: (\d+)$/.exec(line))) result.catalog = match[1];
    else if ((match = /^TRACK\s+(\d+)\s+Mode (.+):$/.exec(line))) {
      result.tracks.push({ number: Number(match[1]), mode: match[2] ?? '', indexes: [], cdText: [] });
    } else if (line === 'COPY PERMITTED' || line === 'COPY NOT PERMITTED') track!.copy = line === 'COPY PERMITTED';
    else if (line === 'PRE-EMPHASIS' || line === 'NO PRE-EMPHASIS') track!.preEmphasis = line === 'PRE-EMPHASIS';
    else if (line === 'TWO CHANNEL AUDIO' || line === 'FOUR CHANNEL AUDIO') track!.fourChannel = line === 'FOUR CHANNEL AUDIO';
    else if ((match = /^ISRC (\w\w) (\w\w\w) (\d\d) (\d{5})$/.exec(line))) track!.isrc = match.slice(1).join('');
    else if ((match = /^(PREGAP|START|END)\s+(\d+:\d\d:\d\d)\((\s*\d+)\)$/.exec(line))) {
      const frames = showTocFrames(match[2] ?? '', match[3] ?? '');
      if (match[1] === 'PREGAP') track!.pregap = frames;
      else if (match[1] === 'START') track!.start = frames;
      else track!.end = frames;
    } else if ((match = /^INDEX\s+\d+\s+(\d+:\d\d:\d\d)\((\s*\d+)\)$/.exec(line))) {
      track!.indexes.push(showTocFrames(match[1] ?? '', match[2] ?? ''));
    } else if ((match = /^([A-Z_0-9]+) "((?:[^"\\]|\\.)*)"$/.exec(line))) {
      const value = (match[2] ?? '').replace(/\\"/g, '"');
      (track === undefined ? result.cdText : track.cdText).push([match[1] ?? '', value]);
    } else {
      throw new Error(`show-toc line not understood: ${raw}`);
    }
  }
  return result;
}

/**
 * Non-empty string items of the language-0 block as show-toc prints them: cdrdao reads `ISRC` and
 * `UPC_EAN` into the same pack (0x8E) and prints its name as UPC_EAN.
 */
function printedCdText(blocks: readonly CdrdaoCdTextBlock[] | undefined): Array<[string, string]> {
  const block = blocks?.find((candidate) => candidate.language === 0);
  return (block?.items ?? [])
    .filter((item): item is typeof item & { value: string } => typeof item.value === 'string' && item.value !== '')
    .map((item) => [item.name === 'ISRC' ? 'UPC_EAN' : item.name, item.value]);
}

const goldNames = listCorpus('.showtoc')
  .filter((name) => name.startsWith('cdrdao/testtocs/gold/'))
  .map((name) => name.replace('cdrdao/testtocs/gold/', '').replace('.showtoc', ''));

describe.skipIf(!HAVE_CORPUS)('cdrdao show-toc gold outputs, field by field (skipped without ../shared/corpus)', () => {
  it('has a gold file for every testtoc but pregap1/pregap2', () => {
    expect(goldNames).toHaveLength(16);
  });

  it.each(goldNames)('%s.toc agrees with gold/%s.showtoc', (name) => {
    const toc: CdrdaoToc = parseCdrdaoToc(readCorpus(`cdrdao/testtocs/${name}.toc`));
    const gold = parseShowToc(readCorpus(`cdrdao/testtocs/gold/${name}.showtoc`));
    const layout = resolveCdrdaoTocLayout(toc);
    expect(toc.tocType).toBe(gold.tocType);
    expect(toc.catalog).toBe(gold.catalog);
    expect(printedCdText(toc.cdText?.blocks)).toEqual(gold.cdText);
    expect(toc.tracks).toHaveLength(gold.tracks.length);
    toc.tracks.forEach((track, i) => {
      const shown = gold.tracks[i];
      const placed = layout.tracks[i];
      if (shown === undefined || placed === undefined) throw new Error(`track ${i + 1} missing`);
      expect(shown.number).toBe(i + 1);
      expect(shown.mode).toBe(track.subChannelMode === undefined ? track.mode : `${track.mode} ${track.subChannelMode}`);
      expect(track.isrc).toBe(shown.isrc);
      expect(track.copy).toBe(shown.copy);
      if (track.mode === 'AUDIO') {
        expect(track.preEmphasis).toBe(shown.preEmphasis);
        expect(track.fourChannelAudio).toBe(shown.fourChannel);
      } else {
        expect(shown.preEmphasis).toBeUndefined();
        expect(shown.fourChannel).toBeUndefined();
      }
      expect(placed.pregapFrames).toBe(shown.pregap ?? 0);
      expect(placed.index1Frame).toBe(shown.start);
      expect(placed.endFrame).toBe(shown.end);
      expect(placed.indexFrames).toEqual(shown.indexes);
      expect(printedCdText(track.cdText)).toEqual(shown.cdText);
    });
  });

  it('pregap1.toc and pregap2.toc (no gold file) describe the same layout: START vs PREGAP', () => {
    const start = resolveCdrdaoTocLayout(parseCdrdaoToc(readCorpus('cdrdao/testtocs/pregap1.toc')));
    const pregap = resolveCdrdaoTocLayout(parseCdrdaoToc(readCorpus('cdrdao/testtocs/pregap2.toc')));
    // pregap1: the START splits the track's 10 s of silence; pregap2 adds 2 s of silence before it.
    expect(start.tracks[1]).toMatchObject({ startFrame: 750, pregapFrames: 150, index1Frame: 900, lengthFrames: 750 });
    expect(pregap.tracks[1]).toMatchObject({ startFrame: 750, pregapFrames: 150, index1Frame: 900, lengthFrames: 900 });
  });
});

// ---------------------------------------------------------------------------------------------
// whipper's real-disc TOC files (EXPECTED.json, from whipper's test_image_toc.py / test_image_table.py)

/** FreeDB/CDDB disc id (MMC-FACTS §4.5) from INDEX 01 positions and the lead-out. */
function cddbId(toc: CdrdaoToc): string {
  const layout = resolveCdrdaoTocLayout(toc);
  const starts = layout.tracks.map((track) => track.index1Frame + 150);
  const digitSum = (value: number): number => [...String(value)].reduce((sum, digit) => sum + Number(digit), 0);
  const n = starts.reduce((sum, start) => sum + digitSum(Math.floor(start / 75)), 0);
  const seconds = Math.floor((layout.leadOutFrame + 150) / 75) - Math.floor((starts[0] ?? 0) / 75);
  return ((((n % 0xff) << 24) | (seconds << 8) | starts.length) >>> 0).toString(16).padStart(8, '0');
}

function whipperToc(name: string): CdrdaoToc {
  return parseCdrdaoToc(readCorpus(`whipper/whipper/test/${name}`), { fileName: name });
}

describe.skipIf(!HAVE_CORPUS)('whipper TOC files (skipped without ../shared/corpus)', () => {
  it('cure.toc: index positions and track 1 length', () => {
    const layout = resolveCdrdaoTocLayout(whipperToc('cure.toc'));
    expect(layout.tracks).toHaveLength(13);
    expect((layout.tracks[1]?.index1Frame ?? 0) - (layout.tracks[0]?.index1Frame ?? 0)).toBe(28324);
    expect([layout.tracks[0]?.index1Frame, layout.tracks[1]?.startFrame, layout.tracks[1]?.index1Frame]).toEqual([0, 28245, 28324]);
    expect([layout.tracks[2]?.index1Frame, layout.tracks[3]?.index1Frame]).toEqual([46110, 66767]);
  });

  it('bloc.toc: hidden track one audio before INDEX 01 of track 1', () => {
    const layout = resolveCdrdaoTocLayout(whipperToc('bloc.toc'));
    expect(layout.tracks[0]).toMatchObject({ startFrame: 0, index1Frame: 15220 });
    expect((layout.tracks[1]?.index1Frame ?? 0) - 15220).toBe(19649);
    expect(layout.tracks[4]).toMatchObject({ startFrame: 84070, index1Frame: 84142 });
    expect(cddbId(whipperToc('bloc.toc'))).toBe('ad0be00d');
  });

  it('breeders.toc: CD-TEXT and ISRC', () => {
    const toc = whipperToc('breeders.toc');
    expect(toc.tracks).toHaveLength(13);
    expect(toc.cdText?.languageMap).toEqual([{ language: 0, code: 9 }]);
    expect(printedCdText(toc.cdText?.blocks)).toEqual([
      ['TITLE', 'MOUNTAIN BATTLES'],
      ['PERFORMER', 'THE BREEDERS'],
      ['DISC_ID', 'CADD2803CD'],
    ]);
    expect(toc.cdText?.blocks[0]?.items.find((item) => item.name === 'SIZE_INFO')?.value).toHaveLength(36);
    expect(printedCdText(toc.tracks[0]?.cdText)).toEqual([['TITLE', 'OVERGLAZED']]);
    expect(toc.tracks[0]?.isrc).toBe('GBAFL0700213');
    expect(cddbId(toc)).toBe('be08990d'); // REM DISCID of breeders.cue
  });

  it('ladyhawke.toc: data track 13 and the disc lengths (MMC-FACTS §4.6)', () => {
    const toc = whipperToc('ladyhawke.toc');
    const layout = resolveCdrdaoTocLayout(toc);
    expect(toc.tracks[12]?.mode).toBe('MODE2_FORM_MIX');
    expect(layout.tracks.map((track) => track.index1Frame)).toEqual([
      0, 15537, 31691, 50866, 66466, 81202, 99409, 115920, 133093, 149847, 161560, 177682, 207106,
    ]);
    expect(layout.leadOutFrame).toBe(210385);
    // MusicBrainz: audio lead-out = data track start − 11400 (+150).
    expect((layout.tracks[12]?.index1Frame ?? 0) - 11400 + 150).toBe(195856);
    expect(cddbId(toc)).toBe('c60af50d');
  });

  it.each(['totbl.fast.toc', 'gentlemen.fast.toc'])('%s: 11 tracks, CDDB 810b7b0b', (name) => {
    const toc = whipperToc(name);
    expect(toc.tracks).toHaveLength(11);
    expect(cddbId(toc)).toBe('810b7b0b');
  });
});
