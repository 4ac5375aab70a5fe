import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../../lib/errors.js';
import {
  cdrdaoTocToCue,
  cueToCdrdaoToc,
  formatCdrdaoToc,
  formatCue,
  parseCdrdaoToc,
  parseCue,
  resolveCdrdaoTocLayout,
  type CdrdaoSource,
  type CueSheet,
} from '../../../lib/image/index.js';
import { HAVE_CORPUS, listCorpus, readCorpus, withoutPositions } from './sheet-test-helpers.js';

/** The parts of a cue sheet a toc2cue conversion determines (no REM lines). */
function layoutOf(sheet: CueSheet): unknown {
  const plain = withoutPositions(sheet);
  return {
    catalog: plain.catalog,
    title: plain.title,
    performer: plain.performer,
    files: plain.files,
    tracks: plain.tracks.map((track) => ({ ...track, remsBefore: [], rems: [], remsAfter: [] })),
  };
}

/** whipper's cue lines that no plain toc2cue produces: the CDDB disc id and its own comment. */
function withoutWhipperRems(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^REM (DISCID|COMMENT) /.test(line))
    .join('\n');
}

describe.skipIf(!HAVE_CORPUS)('cdrdaoTocToCue against whipper toc→cue pairs (skipped without ../shared/corpus)', () => {
  it.each(['bloc', 'breeders', 'cure'])('%s: .toc → .cue', (name) => {
    const toc = parseCdrdaoToc(readCorpus(`whipper/whipper/test/${name}.toc`));
    const expected = readCorpus(`whipper/whipper/test/${name}.cue`);
    const sheet = cdrdaoTocToCue(toc);
    // Byte for byte once whipper's REM DISCID / REM COMMENT lines are set aside.
    expect(formatCue(sheet)).toBe(withoutWhipperRems(expected));
    // And structurally: tracks, indexes, ISRC, flags, CD-Text, catalog.
    expect(layoutOf(sheet)).toEqual(layoutOf(parseCue(expected)));
  });

  it('ladyhawke.toc: the data track becomes its own BINARY file with a PREGAP', () => {
    const sheet = cdrdaoTocToCue(parseCdrdaoToc(readCorpus('whipper/whipper/test/ladyhawke.toc')));
    expect(sheet.files).toEqual([
      { name: 'data.wav', type: 'WAVE' },
      { name: 'data_13', type: 'BINARY' },
    ]);
    expect(sheet.tracks[12]).toMatchObject({ number: 13, mode: 'MODE2/2336', fileIndex: 1, pregapFrames: 150, indexes: [{ number: 1, fileIndex: 1, offsetFrames: 0 }] });
    expect(sheet.tracks[1]?.indexes).toEqual([
      { number: 0, fileIndex: 0, offsetFrames: 15503 },
      { number: 1, fileIndex: 0, offsetFrames: 15537 },
    ]);
  });

  it.each(['bloc', 'breeders', 'cure', 'gentlemen.fast', 'totbl.fast', 'ladyhawke'])(
    '%s.toc → cue → toc keeps the disc layout',
    (name) => {
      const toc = parseCdrdaoToc(readCorpus(`whipper/whipper/test/${name}.toc`));
      const original = resolveCdrdaoTocLayout(toc);
      const cue = cdrdaoTocToCue(toc);
      const back = cueToCdrdaoToc(cue);
      // The cue sheet lets the last track of each file run to the end of the file: supply that length.
      const fileFrames = new Map<string, number>();
      for (const track of toc.tracks) {
        for (const statement of track.statements) {
          if (statement.kind === 'audio-file' && statement.length?.unit === 'frames') {
            const start = statement.start.unit === 'frames' ? statement.start.value : statement.start.value / 588;
            fileFrames.set(statement.name, Math.max(fileFrames.get(statement.name) ?? 0, start + statement.length.value));
          }
          if (statement.kind === 'data-file' && statement.length?.unit === 'frames') fileFrames.set(statement.name, statement.length.value);
        }
      }
      const sourceFrames = (source: CdrdaoSource): number | undefined => {
        if (source.kind === 'audio-file' && source.start.unit === 'frames') return (fileFrames.get(source.name) ?? 0) - source.start.value;
        if (source.kind === 'data-file') return (fileFrames.get(source.name) ?? 0) - (source.byteOffset ?? 0) / 2352;
        return undefined;
      };
      expect(resolveCdrdaoTocLayout(back, { sourceFrames })).toEqual(original);
      expect(withoutPositions(cdrdaoTocToCue(back))).toEqual(withoutPositions(cue));
      expect(back.tracks.map((track) => track.isrc)).toEqual(toc.tracks.map((track) => track.isrc));
    },
  );
});

const convertibleCues = listCorpus('.cue').filter((name) => !name.includes('/bad-'));

describe.skipIf(!HAVE_CORPUS)('corpus cue sheets → TOC → cue sheet (skipped without ../shared/corpus)', () => {
  it.each(convertibleCues)('%s', (name) => {
    const cue = parseCue(readCorpus(name), { fileName: name });
    const toc = cueToCdrdaoToc(cue);
    const again = cdrdaoTocToCue(parseCdrdaoToc(formatCdrdaoToc(toc)));
    const expected = layoutOf(cue) as { tracks: Array<{ flags: object }> };
    // SCMS is not a TOC flag; none of the corpus sheets sets it.
    expect(layoutOf(again)).toEqual(expected);
  });
});

describe.skipIf(!HAVE_CORPUS)('libcdio TOC files as cue sheets (skipped without ../shared/corpus)', () => {
  it('isofs-m1.toc is isofs-m1.cue (MODE1_RAW = MODE1/2352), file name case aside', () => {
    const fromToc = cdrdaoTocToCue(parseCdrdaoToc(readCorpus('libcdio/test/data/isofs-m1.toc')));
    const cue = parseCue(readCorpus('libcdio/test/data/isofs-m1.cue'));
    expect(fromToc.tracks.map((track) => [track.mode, track.indexes])).toEqual(
      withoutPositions(cue.tracks).map((track) => [track.mode, track.indexes]),
    );
    expect(fromToc.files[0]?.name.toUpperCase()).toBe(cue.files[0]?.name);
  });

  it('data2.toc: FILE in a MODE1 track then ZERO → POSTGAP; raw audio FILE → MOTOROLA', () => {
    const sheet = cdrdaoTocToCue(parseCdrdaoToc(readCorpus('libcdio/test/data/data2.toc')));
    expect(sheet.tracks.map((track) => [track.mode, track.pregapFrames, track.postgapFrames])).toEqual([
      ['MODE1/2048', 0, 4500],
      ['AUDIO', 150, 0],
    ]);
    expect(sheet.files).toEqual([
      { name: 'isofs-m1.bin', type: 'BINARY' },
      { name: 'cdda.bin', type: 'MOTOROLA' },
    ]);
  });

  it.each([
    ['cdda.toc', /read from byte 200/],
    ['data5.toc', /MODE2_FORM2 .* has no cue sheet track mode/],
    ['data7.toc', /read from byte 3694992/],
    ['t1.toc', /no data from a file/],
  ])('%s cannot be a cue sheet', (name, message) => {
    const toc = parseCdrdaoToc(readCorpus(`libcdio/test/data/${name}`), { fileName: name });
    expect(() => cdrdaoTocToCue(toc)).toThrow(UnsupportedError);
    expect(() => cdrdaoTocToCue(toc)).toThrow(message);
  });
});

describe('cueToCdrdaoToc', () => {
  it('writes a single-image audio sheet as cdrdao read-toc would', () => {
    const cue = parseCue(
      'CATALOG 0602517642256\nPERFORMER "P"\nTITLE "T"\nFILE "data.wav" WAVE\n  TRACK 01 AUDIO\n    FLAGS DCP PRE\n    ISRC USUM70839873\n    PREGAP 00:02:00\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    TITLE "Two"\n    INDEX 00 03:00:00\n    INDEX 01 03:01:00\n    INDEX 02 03:30:00\n',
    );
    expect(formatCdrdaoToc(cueToCdrdaoToc(cue))).toBe(
      [
        'CD_DA',
        'CATALOG "0602517642256"',
        'CD_TEXT {',
        '  LANGUAGE_MAP {',
        '    0 : EN',
        '  }',
        '  LANGUAGE 0 {',
        '    TITLE "T"',
        '    PERFORMER "P"',
        '  }',
        '}',
        '',
        '// Track 1',
        'TRACK AUDIO',
        'COPY',
        'PRE_EMPHASIS',
        'TWO_CHANNEL_AUDIO',
        'ISRC "USUM70839873"',
        'CD_TEXT {',
        '  LANGUAGE 0 {',
        '    TITLE ""',
        '    PERFORMER ""',
        '  }',
        '}',
        'PREGAP 00:02:00',
        'FILE "data.wav" 00:00:00 03:00:00',
        '',
        '// Track 2',
        'TRACK AUDIO',
        'NO COPY',
        'NO PRE_EMPHASIS',
        'TWO_CHANNEL_AUDIO',
        'CD_TEXT {',
        '  LANGUAGE 0 {',
        '    TITLE "Two"',
        '    PERFORMER ""',
        '  }',
        '}',
        'FILE "data.wav" 03:00:00',
        'START 00:01:00',
        'INDEX 00:29:00',
        '',
      ].join('\n'),
    );
  });

  it('maps modes, file types and gaps of a mixed-mode multi-file sheet', () => {
    const cue = parseCue(
      'FILE "t1.bin" BINARY\nTRACK 01 MODE1/2352\nINDEX 01 00:00:00\nPOSTGAP 00:02:00\nFILE "t2.bin" BINARY\nTRACK 02 AUDIO\nINDEX 00 00:00:00\nINDEX 01 00:02:00\nFILE "t3.raw" MOTOROLA\nTRACK 03 AUDIO\nINDEX 01 00:00:00\n',
    );
    const toc = cueToCdrdaoToc(cue);
    expect(toc.tocType).toBe('CD_ROM');
    expect(toc.tracks.map((track) => [track.mode, track.statements])).toEqual([
      ['MODE1_RAW', [{ kind: 'data-file', name: 't1.bin', byteOffset: undefined, length: undefined }, { kind: 'end' }, { kind: 'zero', length: { unit: 'frames', value: 150 } }]],
      ['AUDIO', [{ kind: 'data-file', name: 't2.bin', byteOffset: undefined, length: undefined }, { kind: 'start', frames: 150 }]],
      ['AUDIO', [{ kind: 'audio-file', keyword: 'FILE', name: 't3.raw', swap: false, start: { unit: 'frames', value: 0 }, length: undefined }]],
    ]);
    expect(layoutOf(cdrdaoTocToCue(parseCdrdaoToc(formatCdrdaoToc(toc))))).toEqual(layoutOf(cue));
  });

  it('converts EAC gap-appended sheets with a value-less START', () => {
    const cue = parseCue(
      'FILE "01.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 00 04:10:00\nFILE "02.wav" WAVE\n    INDEX 01 00:00:00\n    INDEX 02 01:00:00\n',
    );
    const toc = cueToCdrdaoToc(cue);
    expect(toc.tracks[1]?.statements).toEqual([
      { kind: 'audio-file', keyword: 'FILE', name: '01.wav', swap: false, start: { unit: 'frames', value: 18750 }, length: undefined },
      { kind: 'start' },
      { kind: 'audio-file', keyword: 'FILE', name: '02.wav', swap: false, start: { unit: 'frames', value: 0 }, length: undefined },
    ]);
    expect(toc.tracks[1]?.indexes).toEqual([4500]);
    expect(layoutOf(cdrdaoTocToCue(parseCdrdaoToc(formatCdrdaoToc(toc))))).toEqual(layoutOf(cue));
  });

  it('uses CD_ROM_XA, CD_I and FIRST_TRACK_NO where the sheet needs them', () => {
    expect(cueToCdrdaoToc(parseCue('FILE a.bin BINARY\nTRACK 03 MODE2/2336\nINDEX 01 00:00:00\n'))).toMatchObject({
      tocType: 'CD_ROM_XA',
      firstTrackNumber: 3,
      tracks: [{ mode: 'MODE2_FORM_MIX' }],
    });
    const cdi = cueToCdrdaoToc(parseCue('FILE a.bin BINARY\nTRACK 01 CDI/2352\nINDEX 01 00:00:00\n'));
    expect(cdi).toMatchObject({ tocType: 'CD_I', tracks: [{ mode: 'MODE2_RAW' }] });
    expect(cdrdaoTocToCue(cdi).tracks[0]?.mode).toBe('CDI/2352');
  });

  it.each([
    ['two sessions', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nREM SESSION 02\nTRACK 02 MODE2/2352\nINDEX 01 10:00:00\n', /one session/],
    ['CDG', 'FILE a.bin BINARY\nTRACK 01 CDG\nINDEX 01 00:00:00\n', /CDG has no cdrdao track mode/],
    ['AIFF', 'FILE a.aiff AIFF\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n', /AIFF/],
    ['data from WAVE', 'FILE a.wav WAVE\nTRACK 01 MODE1/2048\nINDEX 01 00:00:00\n', /data track cannot be read from a WAVE file/],
    ['INDEX 02 in another file', 'FILE a.wav WAVE\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nFILE b.wav WAVE\nINDEX 02 00:00:00\n', /another file/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => cueToCdrdaoToc(parseCue(text, { fileName: 's.cue' }))).toThrow(UnsupportedError);
    expect(() => cueToCdrdaoToc(parseCue(text, { fileName: 's.cue' }))).toThrow(message);
  });
});

describe('cdrdaoTocToCue', () => {
  it('maps flags, CD-Text of language 0, raw audio byte order and CD_I modes', () => {
    const toc = parseCdrdaoToc(
      [
        'CD_I',
        'CD_TEXT { LANGUAGE_MAP { 0 : 9 1 : 8 } LANGUAGE 1 { TITLE "Titel" } LANGUAGE 0 { TITLE "Title" SONGWRITER "" MESSAGE "m" } }',
        'TRACK AUDIO COPY PRE_EMPHASIS FOUR_CHANNEL_AUDIO',
        'CD_TEXT { LANGUAGE 0 { TITLE "One" } LANGUAGE 1 { TITLE "Eins" } }',
        'FILE "big.raw" 0 1:0:0',
        'TRACK AUDIO',
        'FILE "little.raw" SWAP 0 1:0:0',
        'TRACK AUDIO',
        'DATAFILE "image.bin" 1:0:0',
        'TRACK MODE2_FORM_MIX',
        'DATAFILE "image.bin" #10584000',
      ].join('\n'),
    );
    const sheet = cdrdaoTocToCue(toc);
    expect(sheet.title).toBe('Title');
    expect(sheet.songwriter).toBeUndefined();
    expect(sheet.tracks[0]).toMatchObject({ title: 'One', flags: { dcp: true, preEmphasis: true, fourChannel: true, scms: false } });
    expect(sheet.files.map((file) => file.type)).toEqual(['MOTOROLA', 'BINARY', 'BINARY']);
    expect(sheet.tracks[3]).toMatchObject({ mode: 'CDI/2336', fileIndex: 2 });
    expect(sheet.tracks[3]?.indexes[0]).toMatchObject({ fileIndex: 2, offsetFrames: 4500 });
  });

  it.each([
    ['MODE2_FORM1', 'TRACK MODE2_FORM1\nDATAFILE "a.bin"\n', /MODE2_FORM1/],
    ['a sub-channel mode', 'TRACK MODE1 RW\nDATAFILE "a.bin"\n', /sub-channel mode RW/],
    ['FIFO', 'TRACK MODE1\nFIFO "/tmp/f" 1:0:0\nDATAFILE "a.bin"\n', /FIFO/],
    ['silence between files', 'TRACK AUDIO\nFILE "a.wav" 0 1:0:0\nSILENCE 0:1:0\nFILE "b.wav" 0\n', /silence between file data/],
    ['silence after INDEX 01', 'TRACK AUDIO\nSILENCE 0:2:0\nFILE "a.wav" 0\n', /silence after INDEX 01/],
    ['a jump within a file', 'TRACK AUDIO\nFILE "a.wav" 0 1:0:0\nTRACK AUDIO\nFILE "a.wav" 2:0:0 1:0:0\n', /read from byte 21168000/],
    ['sample positions off the frame grid', 'TRACK AUDIO\nFILE "a.wav" 0 1000\nTRACK AUDIO\nFILE "a.wav" 1000\n', /not a whole number of frames/],
    ['a position after a file read to its end', 'TRACK AUDIO\nFILE "a.wav" 0\nFILE "b.wav" 0 1:0:0\nSTART 1:0:0\n', /depends on the length/],
    ['END inside the data', 'TRACK AUDIO\nFILE "a.wav" 0 1:0:0\nEND 0:30:0\n', /END not at the start of trailing silence/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => cdrdaoTocToCue(parseCdrdaoToc(text, { fileName: 't.toc' }))).toThrow(UnsupportedError);
    expect(() => cdrdaoTocToCue(parseCdrdaoToc(text, { fileName: 't.toc' }))).toThrow(message);
  });
});
