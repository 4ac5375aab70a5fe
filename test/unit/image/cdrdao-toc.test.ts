import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../../lib/errors.js';
import {
  formatCdrdaoToc,
  parseCdrdaoToc,
  resolveCdrdaoTocLayout,
  walkCdrdaoTrack,
  type CdrdaoToc,
} from '../../../lib/image/index.js';
import { catchFormatError, withoutPositions } from './sheet-test-helpers.js';

function errorAt(text: string): { line: number | undefined; column: number | undefined; message: string } {
  const error = catchFormatError(() => parseCdrdaoToc(text, { fileName: 'x.toc' }));
  expect(error.file).toBe('x.toc');
  return { line: error.line, column: error.column, message: error.message };
}

function roundTrip(toc: CdrdaoToc): void {
  const text = formatCdrdaoToc(toc);
  expect(withoutPositions(parseCdrdaoToc(text))).toEqual(withoutPositions(toc));
  expect(formatCdrdaoToc(parseCdrdaoToc(text))).toBe(text);
}

describe('parseCdrdaoToc', () => {
  it('reads header, flags, statements, marks and indexes', () => {
    const toc = parseCdrdaoToc(
      [
        'CD_ROM // first type',
        'CD_ROM_XA  // the last type given wins',
        'CATALOG "0602517818866"',
        '',
        'TRACK AUDIO',
        'COPY',
        'PRE_EMPHASIS',
        'FOUR_CHANNEL_AUDIO',
        'ISRC "GBUM70808708"',
        'FILE "data.wav" 0 03:26:53',
        'START 00:00:34',
        'INDEX 01:00:00',
        'INDEX 02:00:00',
        '',
        'TRACK MODE2_FORM_MIX',
        'NO COPY',
        'ZERO MODE2_FORM_MIX 00:02:00',
        'DATAFILE "data_13" 00:43:54 // length in bytes: 7659744',
        'START 00:02:00',
        '',
        'TRACK MODE1 RW_RAW',
        'DATAFILE "img.bin" #1024 4096',
        'AUDIOFILE "x.raw" SWAP #4 588 1176',
        'FIFO "/tmp/fifo" 2048',
        'END',
        'SILENCE 4410',
      ].join('\n'),
      { fileName: 'disc.toc' },
    );
    expect(toc).toMatchObject({ fileName: 'disc.toc', tocType: 'CD_ROM_XA', catalog: '0602517818866' });
    const [audio, xa, raw] = toc.tracks;
    expect(audio).toMatchObject({
      mode: 'AUDIO',
      copy: true,
      preEmphasis: true,
      fourChannelAudio: true,
      isrc: 'GBUM70808708',
      indexes: [4500, 9000],
      line: 5,
      statements: [
        { kind: 'audio-file', keyword: 'FILE', name: 'data.wav', swap: false, start: { unit: 'samples', value: 0 }, length: { unit: 'frames', value: 15503 } },
        { kind: 'start', frames: 34 },
      ],
    });
    expect(xa?.statements).toMatchObject([
      { kind: 'zero', dataMode: 'MODE2_FORM_MIX', length: { unit: 'frames', value: 150 } },
      { kind: 'data-file', name: 'data_13', length: { unit: 'frames', value: 3279 } },
      { kind: 'start', frames: 150 },
    ]);
    expect(raw).toMatchObject({ mode: 'MODE1', subChannelMode: 'RW_RAW' });
    expect(raw?.statements).toMatchObject([
      { kind: 'data-file', byteOffset: 1024, length: { unit: 'bytes', value: 4096 } },
      { kind: 'audio-file', keyword: 'AUDIOFILE', swap: true, byteOffset: 4, start: { unit: 'samples', value: 588 }, length: { unit: 'samples', value: 1176 } },
      { kind: 'fifo', name: '/tmp/fifo', length: { unit: 'bytes', value: 2048 } },
      { kind: 'end' },
      { kind: 'silence', length: { unit: 'samples', value: 4410 } },
    ]);
    roundTrip(toc);
  });

  it('reads CD-TEXT: language map, encodings, strings with escapes, binary data', () => {
    const toc = parseCdrdaoToc(
      [
        'CD_DA',
        'CD_TEXT {',
        '  LANGUAGE_MAP { 0 : EN 1: 15 }',
        '  LANGUAGE 0 {',
        '    TITLE "Say \\"hi\\" \\101\\102 back\\\\slash"',
        '    UPC_EAN ""',
        '    SIZE_INFO { 1,  1, 20,',
        '                0 }',
        '  }',
        '  LANGUAGE 1 { ENCODING_MS_JIS TITLE "湿った水" }',
        '}',
        'TRACK AUDIO',
        'CD_TEXT { LANGUAGE 0 { TITLE "t" ISRC "US-XX1-98-01234" } }',
        'SILENCE 1:0:0',
      ].join('\n'),
    );
    expect(toc.cdText?.languageMap).toEqual([
      { language: 0, code: 'EN' },
      { language: 1, code: 15 },
    ]);
    const [english, japanese] = toc.cdText?.blocks ?? [];
    expect(english?.items.map((item) => [item.name, item.value])).toEqual([
      ['TITLE', 'Say "hi" AB back\\\\slash'],
      ['UPC_EAN', ''],
      ['SIZE_INFO', [1, 1, 20, 0]],
    ]);
    expect(japanese).toMatchObject({ language: 1, encoding: 'ENCODING_MS_JIS', items: [{ name: 'TITLE', value: '湿った水' }] });
    expect(toc.tracks[0]?.cdText?.[0]?.items.map((item) => item.name)).toEqual(['TITLE', 'ISRC']);
    roundTrip(toc);
  });

  it('writes strings back so that they read the same (quotes, control characters, backslashes)', () => {
    const toc = parseCdrdaoToc('TRACK AUDIO\nSILENCE 1:0:0\n');
    for (const value of ['a"b', 'tab\there', 'ends with \\', '\\101 is not an escape', '\\"', 'bell\u0007', 'é ü 日本']) {
      toc.cdText = { languageMap: [{ language: 0, code: 9 }], blocks: [{ language: 0, items: [{ name: 'TITLE', value }] }] };
      const again = parseCdrdaoToc(formatCdrdaoToc(toc));
      expect(again.cdText?.blocks[0]?.items[0]?.value).toBe(value);
    }
  });

  it('accepts what libcdio accepts and cdrdao does not: FILE and SILENCE in data tracks, mixed statements', () => {
    const toc = parseCdrdaoToc('CD_ROM\nTRACK MODE1\nFILE "a.bin" 00:00:00\nZERO 1:0:0\nSILENCE 0:59:74\n');
    expect(toc.tracks[0]?.statements.map((statement) => statement.kind)).toEqual(['audio-file', 'zero', 'silence']);
  });

  it('accepts 180 minutes (libcdio t3.toc) and FIRST_TRACK_NO', () => {
    const toc = parseCdrdaoToc('FIRST_TRACK_NO 5\nTRACK AUDIO\nFILE "a.bin" 180:0:0\n');
    expect(toc.firstTrackNumber).toBe(5);
    expect(toc.tracks[0]?.statements[0]).toMatchObject({ start: { unit: 'frames', value: 180 * 4500 } });
    roundTrip(toc);
  });

  it.each([
    ['no track', 'CD_DA\n', 2, 'expected TRACK, got end of file'],
    ['bad mode', 'TRACK MODE1_FORM45\nSILENCE 1:0:0\n', 1, 'expected a track mode'],
    ['track without data', 'TRACK AUDIO\nTRACK AUDIO\nSILENCE 1:0:0\n', 2, 'has no data'],
    ['catalog without string', 'CATALOG\nTRACK AUDIO\nSILENCE 1:0:0\n', 2, 'expected a quoted string after CATALOG'],
    ['catalog as a number', 'CATALOG 1234567890123\nTRACK AUDIO\nSILENCE 1:0:0\n', 1, 'expected a quoted string'],
    ['catalog too short', 'CATALOG "123"\nTRACK AUDIO\nSILENCE 1:0:0\n', 1, '13 digits'],
    ['bad ISRC', 'TRACK AUDIO\nISRC "DE-MUA-98-00001"\nSILENCE 1:0:0\n', 2, 'ISRC must be 12'],
    ['NO alone', 'TRACK AUDIO\nNO SILENCE 1:0:0\n', 2, 'expected COPY or PRE_EMPHASIS after NO'],
    ['seconds 60', 'TRACK AUDIO\nSILENCE 0:60:0\n', 2, 'below 60'],
    ['frames 75', 'TRACK AUDIO\nSILENCE 0:0:75\n', 2, 'below 75'],
    ['huge number', 'TRACK AUDIO\nSILENCE 99999999999999999999999\n', 2, 'too large'],
    ['huge minutes', 'TRACK AUDIO\nSILENCE 99999999:0:0\n', 2, 'too large'],
    ['zero silence', 'TRACK AUDIO\nSILENCE 0:0:0\n', 2, 'SILENCE length is zero'],
    ['zero pregap', 'TRACK AUDIO\nPREGAP 0:0:0\nSILENCE 1:0:0\n', 2, 'PREGAP length is zero'],
    ['two STARTs', 'TRACK AUDIO\nSILENCE 1:0:0\nSTART 0:1:0\nSTART 0:2:0\n', 4, 'already defined on line 3'],
    ['PREGAP and START', 'TRACK AUDIO\nPREGAP 0:2:0\nSILENCE 1:0:0\nSTART\n', 4, 'already defined on line 2'],
    ['START behind the end', 'TRACK AUDIO\nSILENCE 1:0:0\nSTART 1:0:0\n', 3, 'behind the track end'],
    ['INDEX beyond the end', 'TRACK AUDIO\nSILENCE 1:0:0\nINDEX 0:30:0\nINDEX 1:0:0\n', 4, 'beyond the track end'],
    ['INDEX at the start', 'TRACK AUDIO\nSILENCE 1:0:0\nINDEX 0:0:0\n', 3, 'at the start of the track'],
    ['INDEX going down', 'TRACK AUDIO\nSILENCE 1:0:0\nINDEX 0:2:0\nINDEX 0:1:0\n', 4, 'not after the previous INDEX'],
    ['END in the pre-gap', 'TRACK AUDIO\nSILENCE 1:0:0\nSTART 0:10:0\nEND 0:5:0\n', 4, 'within the pre-gap'],
    ['data after INDEX', 'TRACK AUDIO\nSILENCE 1:0:0\nINDEX 0:1:0\nSILENCE 1:0:0\n', 4, 'expected INDEX, TRACK or end of file'],
    ['CATALOG after a track', 'TRACK AUDIO\nSILENCE 1:0:0\nCATALOG "1234567890123"\n', 3, 'unexpected "CATALOG"'],
    ['unterminated string', 'TRACK AUDIO\nFILE "a.wav 0\n', 2, 'no closing quote'],
    ['stray character', 'TRACK AUDIO\nSILENCE 1:0:0 ;\n', 2, 'unexpected character ";"'],
    ['single slash', 'TRACK AUDIO / comment\nSILENCE 1:0:0\n', 1, 'comments start with //'],
    ['lowercase keyword', 'track audio\nsilence 1:0:0\n', 1, 'expected TRACK'],
    ['language 8', 'CD_TEXT { LANGUAGE 8 { TITLE "x" } }\nTRACK AUDIO\nSILENCE 1:0:0\n', 1, 'not in 0-7'],
    ['language code 256', 'CD_TEXT { LANGUAGE_MAP { 0 : 256 } }\nTRACK AUDIO\nSILENCE 1:0:0\n', 1, 'language code'],
    ['binary byte 256', 'CD_TEXT { LANGUAGE 0 { GENRE { 1, 256 } } }\nTRACK AUDIO\nSILENCE 1:0:0\n', 1, 'not in 0-255'],
    ['GENRE in a track', 'TRACK AUDIO\nCD_TEXT { LANGUAGE 0 { GENRE "x" } }\nSILENCE 1:0:0\n', 2, "not allowed in a track's CD_TEXT"],
    ['language twice', 'CD_TEXT { LANGUAGE 0 { } LANGUAGE 0 { } }\nTRACK AUDIO\nSILENCE 1:0:0\n', 1, 'appears twice'],
    ['unknown item', 'CD_TEXT { LANGUAGE 0 { NAME "x" } }\nTRACK AUDIO\nSILENCE 1:0:0\n', 1, 'expected a CD-TEXT item'],
    ['unclosed CD_TEXT', 'CD_TEXT { LANGUAGE 0 { TITLE "x" }\nTRACK AUDIO\nSILENCE 1:0:0\n', 2, 'to close CD_TEXT'],
    ['100 tracks', `${'TRACK AUDIO\nSILENCE 0:0:1\n'.repeat(100)}`, 199, 'more than 99 tracks'],
    ['CR line ends', 'TRACK AUDIO\rSILENCE 1:0:0\rINDEX 2:0:0\r', 3, 'beyond the track end'],
  ])('rejects %s', (_name, text, line, message) => {
    const error = errorAt(text);
    expect(error.line).toBe(line);
    expect(error.message).toContain(message);
  });

  it('reports columns', () => {
    expect(errorAt('TRACK AUDIO\n  SILENCE 0:61:0\n')).toMatchObject({ line: 2, column: 13 });
    expect(errorAt('TRACK AUDIO\nISRC "x"\n')).toMatchObject({ line: 2, column: 6 });
  });
});

describe('formatCdrdaoToc', () => {
  it('writes flags out as cdrdao read-toc does', () => {
    const toc = parseCdrdaoToc('CATALOG "0075596150125"\nTRACK AUDIO\nFILE "data.wav" 0 03:05:62\nTRACK MODE1\nDATAFILE "d.bin"\n');
    expect(formatCdrdaoToc(toc)).toBe(
      [
        'CD_DA',
        'CATALOG "0075596150125"',
        '',
        '// Track 1',
        'TRACK AUDIO',
        'NO COPY',
        'NO PRE_EMPHASIS',
        'TWO_CHANNEL_AUDIO',
        'FILE "data.wav" 0 03:05:62',
        '',
        '// Track 2',
        'TRACK MODE1',
        'NO COPY',
        'DATAFILE "d.bin"',
        '',
      ].join('\n'),
    );
  });

  it('refuses models no TOC file can express', () => {
    const toc = parseCdrdaoToc('TRACK AUDIO\nSILENCE 1:0:0\n');
    const track = toc.tracks[0];
    if (track === undefined) throw new Error('no track');
    expect(() => formatCdrdaoToc({ ...toc, tracks: [] })).toThrow(RangeError);
    expect(() => formatCdrdaoToc({ ...toc, catalog: '12' })).toThrow(RangeError);
    expect(() => formatCdrdaoToc({ ...toc, tracks: [{ ...track, statements: [{ kind: 'silence', length: { unit: 'samples', value: 1.5 } }] }] })).toThrow(
      RangeError,
    );
    expect(() => formatCdrdaoToc({ ...toc, tracks: [{ ...track, isrc: 'x' }] })).toThrow(RangeError);
    expect(() => formatCdrdaoToc({ ...toc, tracks: [{ ...track, pregapFrames: -3 }] })).toThrow(RangeError);
  });
});

describe('resolveCdrdaoTocLayout', () => {
  it('sums statements in their own units and pads the track to whole frames', () => {
    const toc = parseCdrdaoToc('TRACK AUDIO\nSILENCE 1000\nSILENCE 0:0:1\nTRACK MODE1\nZERO 2049\nTRACK MODE2_FORM1\nPREGAP 0:2:0\nZERO 1:0:0\n');
    const layout = resolveCdrdaoTocLayout(toc);
    expect(layout.tracks.map((track) => [track.startFrame, track.pregapFrames, track.index1Frame, track.lengthFrames])).toEqual([
      [0, 0, 0, 3], // 1000 samples = 1.7 frames, + 1 frame → 3
      [3, 0, 3, 2], // 2049 bytes of MODE1 → 2 blocks
      [5, 150, 155, 4650],
    ]);
    expect(layout.leadOutFrame).toBe(4655);
  });

  it('needs the length of a file read to its end', () => {
    const toc = parseCdrdaoToc('TRACK AUDIO\nFILE "a.wav" 0\n', { fileName: 'a.toc' });
    expect(() => resolveCdrdaoTocLayout(toc)).toThrow(UnsupportedError);
    expect(() => resolveCdrdaoTocLayout(toc)).toThrow(/a\.toc: track 1 \(line 2\)/);
    const layout = resolveCdrdaoTocLayout(toc, { sourceFrames: () => 4500 });
    expect(layout.leadOutFrame).toBe(4500);
  });

  it('places a value-less START after the statements before it', () => {
    const toc = parseCdrdaoToc('TRACK AUDIO\nFILE "pre.wav" 0 0:2:10\nSTART\nFILE "track.raw" 1:0:0 1:0:0\nINDEX 0:30:0\n');
    const walk = walkCdrdaoTrack(toc.tracks[0] as NonNullable<(typeof toc.tracks)[0]>);
    expect(walk.start).toMatchObject({ frames: 160, sourcesBefore: 1 });
    expect(resolveCdrdaoTocLayout(toc).tracks[0]).toMatchObject({ pregapFrames: 160, index1Frame: 160, indexFrames: [2410], lengthFrames: 4660 });
  });
});
