import { describe, expect, it } from 'vitest';
import { FormatError } from '../../../lib/errors.js';
import { findCueRem, formatCue, parseCue, type CueSheet } from '../../../lib/image/index.js';
import { catchFormatError, withoutPositions } from './sheet-test-helpers.js';

const SIMPLE = `FILE "a.bin" BINARY
  TRACK 01 AUDIO
    INDEX 01 00:00:00
`;

/** Error line/column for a sheet. */
function errorAt(text: string): { line: number | undefined; column: number | undefined; message: string } {
  const error = catchFormatError(() => parseCue(text, { fileName: 'x.cue' }));
  expect(error.file).toBe('x.cue');
  return { line: error.line, column: error.column, message: error.message };
}

function roundTrip(sheet: CueSheet): void {
  const text = formatCue(sheet);
  expect(withoutPositions(parseCue(text))).toEqual(withoutPositions(sheet));
  expect(formatCue(parseCue(text))).toBe(text);
}

describe('parseCue', () => {
  it('reads a single-file sheet with disc and track fields', () => {
    const sheet = parseCue(
      [
        'REM GENRE Rock',
        'REM DATE 1999',
        'REM COMMENT "ExactAudioCopy v1.0"',
        'CATALOG 0602517642256',
        'PERFORMER "The Band"',
        'TITLE "The Album"',
        'SONGWRITER Someone',
        'FILE "My Disc.wav" WAVE',
        '  TRACK 01 AUDIO',
        '    TITLE "One"',
        '    FLAGS PRE DCP',
        '    ISRC USUM70839873',
        '    PREGAP 00:02:00',
        '    INDEX 01 00:00:00',
        '  TRACK 02 AUDIO',
        '    INDEX 00 03:00:00',
        '    INDEX 01 03:02:10',
        '    INDEX 02 04:00:00',
        '    POSTGAP 00:01:00',
      ].join('\r\n'),
      { fileName: 'disc.cue' },
    );
    expect(sheet.fileName).toBe('disc.cue');
    expect(sheet.catalog).toBe('0602517642256');
    expect(sheet.performer).toBe('The Band');
    expect(sheet.title).toBe('The Album');
    expect(sheet.songwriter).toBe('Someone');
    expect(sheet.rems.map((rem) => [rem.keyword, rem.value])).toEqual([
      ['GENRE', 'Rock'],
      ['DATE', '1999'],
      ['COMMENT', '"ExactAudioCopy v1.0"'],
    ]);
    expect(findCueRem(sheet.rems, 'date')?.value).toBe('1999');
    expect(sheet.files).toEqual([{ name: 'My Disc.wav', type: 'WAVE', line: 8 }]);
    const [one, two] = sheet.tracks;
    expect(one).toMatchObject({
      number: 1,
      session: 1,
      fileIndex: 0,
      mode: 'AUDIO',
      title: 'One',
      isrc: 'USUM70839873',
      pregapFrames: 150,
      flags: { dcp: true, fourChannel: false, preEmphasis: true, scms: false },
      indexes: [{ number: 1, fileIndex: 0, offsetFrames: 0, line: 14 }],
      line: 9,
    });
    expect(two?.indexes.map((index) => [index.number, index.offsetFrames])).toEqual([
      [0, 13500],
      [1, 13660],
      [2, 18000],
    ]);
    expect(two?.postgapFrames).toBe(75);
  });

  it('is case-insensitive, accepts bare names and tabs, and ignores blank lines', () => {
    const sheet = parseCue('\ufefffile track01.bin binary\n\n\ttrack 1 mode1/2352\n\tindex 1 0:2:0\n  title Bare Title  \n');
    expect(sheet.files[0]).toMatchObject({ name: 'track01.bin', type: 'BINARY' });
    expect(sheet.tracks[0]).toMatchObject({ number: 1, mode: 'MODE1/2352', title: 'Bare Title' });
    expect(sheet.tracks[0]?.indexes[0]?.offsetFrames).toBe(150);
  });

  it('takes a quoted value from the first to the last quote, and bare names with spaces', () => {
    const sheet = parseCue('FILE "say "hi".wav" WAVE\nTRACK 01 AUDIO\nTITLE "He said "no""\nINDEX 01 00:00:00\nFILE my file.bin BINARY\nTRACK 02 AUDIO\nINDEX 01 00:00:00\n');
    expect(sheet.files.map((file) => file.name)).toEqual(['say "hi".wav', 'my file.bin']);
    expect(sheet.tracks[0]?.title).toBe('He said "no"');
  });

  it('accepts a first track above 1 and EAC gap-appended sheets (FILE switch inside a track)', () => {
    const sheet = parseCue(
      'FILE "01.wav" WAVE\n  TRACK 05 AUDIO\n    INDEX 01 00:00:00\n  TRACK 06 AUDIO\n    INDEX 00 04:10:00\nFILE "02.wav" WAVE\n    INDEX 01 00:00:00\n',
    );
    expect(sheet.tracks.map((track) => track.number)).toEqual([5, 6]);
    expect(sheet.tracks[1]?.fileIndex).toBe(0);
    expect(sheet.tracks[1]?.indexes.map((index) => index.fileIndex)).toEqual([0, 1]);
    roundTrip(sheet);
  });

  it('reads redumper/DiscImageCreator multi-session sheets', () => {
    const text = [
      'REM SESSION 01',
      'FILE "Track 01.bin" BINARY',
      '  TRACK 01 AUDIO',
      '    INDEX 01 00:00:00',
      'REM LEAD-OUT 01:30:00',
      'REM SESSION 02',
      'REM LEAD-IN 01:00:00',
      'REM PREGAP 00:02:00',
      'FILE "Track 02.bin" BINARY',
      '  TRACK 02 MODE1/2352',
      '    INDEX 01 00:00:00',
    ].join('\n');
    const sheet = parseCue(text);
    expect(sheet.tracks.map((track) => track.session)).toEqual([1, 2]);
    expect(sheet.tracks[0]?.remsAfter.map((rem) => rem.keyword)).toEqual(['LEAD-OUT']);
    expect(sheet.tracks[1]?.remsBefore.map((rem) => `${rem.keyword} ${rem.value}`)).toEqual(['LEAD-IN 01:00:00', 'PREGAP 00:02:00']);
    expect(formatCue(sheet)).toBe(
      [
        'REM SESSION 01',
        'FILE "Track 01.bin" BINARY',
        '  TRACK 01 AUDIO',
        '    INDEX 01 00:00:00',
        'REM LEAD-OUT 01:30:00',
        'REM SESSION 02',
        'REM LEAD-IN 01:00:00',
        'REM PREGAP 00:02:00',
        'FILE "Track 02.bin" BINARY',
        '  TRACK 02 MODE1/2352',
        '    INDEX 01 00:00:00',
        '',
      ].join('\n'),
    );
    roundTrip(sheet);
  });

  it('puts REM SESSION before TRACK when the session continues a file (single-image CD-Extra)', () => {
    const sheet = parseCue(
      'FILE "disc.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\nREM SESSION 02\n  TRACK 02 MODE2/2352\n    INDEX 01 10:00:00\n',
    );
    expect(formatCue(sheet)).toBe(
      'REM SESSION 01\nFILE "disc.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\nREM SESSION 02\n  TRACK 02 MODE2/2352\n    INDEX 01 10:00:00\n',
    );
    roundTrip(sheet);
  });

  it('keeps CD-Text extension commands', () => {
    const sheet = parseCue('COMPOSER "C"\nFILE a.bin BINARY\nTRACK 01 AUDIO\nARRANGER "A"\nMESSAGE "M"\nINDEX 01 00:00:00\n');
    expect(sheet.cdText.map((field) => [field.keyword, field.value])).toEqual([['COMPOSER', 'C']]);
    expect(sheet.tracks[0]?.cdText.map((field) => [field.keyword, field.value])).toEqual([
      ['ARRANGER', 'A'],
      ['MESSAGE', 'M'],
    ]);
    roundTrip(sheet);
  });

  it.each([
    ['TRACK before FILE', 'TRACK 01 AUDIO\nINDEX 01 00:00:00\n', 1, 'TRACK before the first FILE'],
    ['INDEX before TRACK', 'FILE a.bin BINARY\nINDEX 01 00:00:00\n', 2, 'INDEX before the first TRACK'],
    ['missing INDEX 01', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 00 00:00:00\nTRACK 02 AUDIO\nINDEX 01 00:01:00\n', 2, 'no INDEX 01'],
    ['missing INDEX 01 at the end', 'FILE a.bin BINARY\nTRACK 01 AUDIO\n', 2, 'no INDEX 01'],
    ['track gap', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nTRACK 03 AUDIO\nINDEX 01 00:01:00\n', 4, 'consecutively'],
    ['track going down', 'FILE a.bin BINARY\nTRACK 02 AUDIO\nINDEX 01 00:00:00\nTRACK 01 AUDIO\nINDEX 01 00:01:00\n', 4, 'consecutively'],
    ['track 100', 'FILE a.bin BINARY\nTRACK 100 AUDIO\nINDEX 01 00:00:00\n', 2, 'track number must be 1-99'],
    ['track 0', 'FILE a.bin BINARY\nTRACK 00 AUDIO\nINDEX 01 00:00:00\n', 2, 'track number'],
    ['index 00 after 01', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nINDEX 00 00:01:00\n', 4, 'consecutively'],
    ['index gap', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nINDEX 03 00:01:00\n', 4, 'consecutively'],
    ['first index 02', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 02 00:00:00\n', 3, 'must be 00 or 01'],
    ['index 00 not before 01', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 00 00:02:00\nINDEX 01 00:02:00\n', 4, 'not after the previous INDEX'],
    ['track starting before the previous one', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:05:00\nTRACK 02 AUDIO\nINDEX 01 00:04:00\n', 5, 'not after'],
    ['seconds 60', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:60:00\n', 3, 'below 60'],
    ['frames 75', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:75\n', 3, 'below 75'],
    ['bad time', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 0:0\n', 3, 'mm:ss:ff'],
    ['huge minutes', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 99999999999999999999:00:00\n', 3, 'too large'],
    ['PREGAP after INDEX', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nPREGAP 00:02:00\n', 4, 'PREGAP after an INDEX'],
    ['POSTGAP before INDEX 01', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 00 00:00:00\nPOSTGAP 00:02:00\nINDEX 01 00:01:00\n', 4, 'POSTGAP before INDEX 01'],
    ['INDEX after POSTGAP', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\nPOSTGAP 00:02:00\nINDEX 02 00:03:00\n', 5, 'INDEX after POSTGAP'],
    ['two FLAGS', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nFLAGS DCP\nFLAGS PRE\nINDEX 01 00:00:00\n', 4, 'FLAGS appears twice'],
    ['two disc TITLEs', 'TITLE a\nTITLE b\nFILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n', 2, 'TITLE appears twice for the disc'],
    ['two track ISRCs', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nISRC USUM70839873\nISRC USUM70839874\nINDEX 01 00:00:00\n', 4, 'ISRC appears twice'],
    ['unknown flag', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nFLAGS DCP COPY\nINDEX 01 00:00:00\n', 3, 'unknown flag'],
    ['bad ISRC', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nISRC US-UM7-08-39873\nINDEX 01 00:00:00\n', 3, 'ISRC must be 12'],
    ['CATALOG in a track', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nCATALOG 0602517642256\nINDEX 01 00:00:00\n', 3, 'CATALOG after the first TRACK'],
    ['unknown command', 'FILE a.bin BINARY\nTRACK 01 AUDIO\nINDEXX 01 00:00:00\n', 3, 'unknown cue sheet command "INDEXX"'],
    ['unknown file type', 'FILE a.bin FLAC\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n', 1, 'unknown FILE type'],
    ['file without type', 'FILE "a.bin"\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n', 1, 'needs a type'],
    ['missing closing quote', 'FILE "a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n', 1, 'no closing quote'],
    ['text after a quote', 'TITLE "a" b\nFILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n', 1, 'after the closing quote'],
    ['unused FILE', 'FILE a.bin BINARY\nFILE b.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n', 1, 'has no TRACK or INDEX'],
    ['no track', 'REM nothing\n', 1, 'no TRACK'],
    ['empty', '', 1, 'no TRACK'],
    ['session not 1 first', 'REM SESSION 02\nFILE a.bin BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n', 1, 'REM SESSION 01'],
    ['session skipped', `${SIMPLE}REM SESSION 03\nTRACK 02 AUDIO\nINDEX 01 00:01:00\n`, 4, 'consecutively'],
    ['empty session', `${SIMPLE}REM SESSION 02\nREM SESSION 03\nTRACK 02 AUDIO\nINDEX 01 00:01:00\n`, 5, 'has no TRACK'],
    ['session at the end', `${SIMPLE}REM SESSION 02\n`, 4, 'has no TRACK'],
    ['session number garbage', `${SIMPLE}REM SESSION two\n`, 4, 'session number'],
    ['NUL byte', 'FILE a.bin BINARY\nTRACK 01 AU\u0000DIO\n', 2, 'control character 0x00'],
  ])('rejects %s', (_name, text, line, message) => {
    const error = errorAt(text);
    expect(error.line).toBe(line);
    expect(error.message).toContain(message);
  });

  it('reports columns', () => {
    expect(errorAt('FILE a.bin BINARY\n  TRACK 01 MODE9/2352\n')).toMatchObject({ line: 2, column: 12 });
    expect(errorAt('FILE a.bin BINARY\nTRACK 01 AUDIO\n    INDEX 01 00:61:00\n')).toMatchObject({ line: 3, column: 17 });
    expect(errorAt('FILE a.bin BINARY\nTRACK 01 AUDIO\n  FLAGS DCP XYZ\n')).toMatchObject({ line: 3, column: 13 });
    expect(errorAt('FILE a.bin BINARY\nTRACK 01 AUDIO\n  BOGUS\n')).toMatchObject({ line: 3, column: 3 });
  });

  it('throws TypeError for a non-string argument', () => {
    expect(() => parseCue(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('formatCue', () => {
  it('writes canonical CDRWIN text: LF, quotes, FLAGS order DCP 4CH PRE SCMS', () => {
    const sheet = parseCue(
      'rem DISCID AD0BE00D\ncatalog 0602517642256\ntitle T\nperformer P\nfile x.wav wave\ntrack 1 audio\nflags scms pre 4ch dcp\nperformer Q\ntitle U\nisrc usum70839873\npregap 0:2:0\nindex 0 0:0:0\nindex 1 0:1:0\npostgap 0:0:10\n',
    );
    expect(formatCue(sheet)).toBe(
      [
        'REM DISCID AD0BE00D',
        'CATALOG 0602517642256',
        'PERFORMER "P"',
        'TITLE "T"',
        'FILE "x.wav" WAVE',
        '  TRACK 01 AUDIO',
        '    TITLE "U"',
        '    PERFORMER "Q"',
        '    FLAGS DCP 4CH PRE SCMS',
        '    ISRC USUM70839873',
        '    PREGAP 00:02:00',
        '    INDEX 00 00:00:00',
        '    INDEX 01 00:01:00',
        '    POSTGAP 00:00:10',
        '',
      ].join('\n'),
    );
  });

  it('round-trips every construct', () => {
    roundTrip(
      parseCue(
        [
          'REM GENRE "Art Rock"',
          'REM ORIGINAL MEDIA-TYPE: CD',
          'REM',
          'CDTEXTFILE "disc.cdt"',
          'SONGWRITER ""',
          'GENRE "Rock"',
          'FILE "a b.bin" MOTOROLA',
          '  TRACK 01 CDG',
          '    REM COMPOSER x',
          '    INDEX 01 00:00:00',
          '  REM trailing note',
          'FILE b.aiff AIFF',
          '  TRACK 02 CDI/2352',
          '    INDEX 01 00:00:00',
          '    INDEX 02 100:00:00',
          'FILE c.mp3 MP3',
          '  TRACK 03 MODE2/2336',
          '    INDEX 01 00:00:00',
        ].join('\n'),
      ),
    );
  });

  it('refuses models no cue sheet can express', () => {
    const base = parseCue(SIMPLE);
    expect(() => formatCue({ ...base, catalog: '123' })).toThrow(RangeError);
    expect(() => formatCue({ ...base, title: 'two\nlines' })).toThrow(RangeError);
    const track = base.tracks[0];
    if (track === undefined) throw new Error('no track');
    expect(() => formatCue({ ...base, tracks: [{ ...track, indexes: [] }] })).toThrow(RangeError);
    expect(() => formatCue({ ...base, tracks: [{ ...track, fileIndex: 1 }] })).toThrow(RangeError);
    expect(() => formatCue({ ...base, tracks: [{ ...track, pregapFrames: -1 }] })).toThrow(RangeError);
    expect(() => formatCue({ ...base, tracks: [{ ...track, rems: [{ keyword: 'SESSION', value: '02' }] }] })).toThrow(RangeError);
    expect(() => formatCue({ ...base, files: [...base.files, { name: 'unused.bin', type: 'BINARY' }] })).toThrow(RangeError);
    try {
      formatCue({ ...base, tracks: [{ ...track, number: 0 }] });
    } catch (error) {
      expect(error).toBeInstanceOf(RangeError);
      expect((error as RangeError).cause).toBeInstanceOf(FormatError);
    }
  });
});
