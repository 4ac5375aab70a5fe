/**
 * Text formats from untrusted files: ddrescue mapfiles, CDRWIN cue sheets, cdrdao TOC files.
 * Whatever the text, the parser returns a value or throws a DiscError (FormatError,
 * UnsupportedError); what it returns can be formatted and converted without an untyped error.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCue, parseCue } from '../../lib/image/cue.js';
import { formatCdrdaoToc, parseCdrdaoToc } from '../../lib/image/cdrdao-toc.js';
import { resolveCdrdaoTocLayout } from '../../lib/image/cdrdao-toc-layout.js';
import { cdrdaoTocToCue, cueToCdrdaoToc } from '../../lib/image/convert.js';
import { decodeSheetText } from '../../lib/image/sheet-text.js';
import { formatMapfileBody, mapfileStats, readMapfile } from '../../lib/rescue/mapfile.js';
import { PROPERTY_TIMEOUT_MS, check, corpusTexts, hostileBytes, hostileText, typed } from './harness.js';

const MAPFILES = corpusTexts(['mapfile1', 'mapfile2', 'mapfile2i', 'mapfile3', 'mapfile4', 'mapfile5', 'mapfile6', 'mapfile6j', 'mapfile_blank'].map((n) => `gnu-ddrescue/testsuite/${n}`));
// Always some valid samples, corpus or not.
MAPFILES.push(
  '# Mapfile. Created by discrescue version 0.1.0\n# current_pos  current_status  current_pass\n0x00010000     ?               1\n#      pos        size  status\n0x00000000  0x00010000  +\n0x00010000  0x00000800  -\n0x00010800  0x7FFFF000  ?\n',
  '0x0 + 1\n0x0 0x800 *\n0x800 0x800 /\n',
);

const CUES = corpusTexts([
  'libcdio/test/data/cdda.cue', 'libcdio/test/data/isofs-m1.cue', 'libcdio/test/data/bad-msf-1.cue', 'libcdio/test/data/bad-cat1.cue',
  'libcdio-paranoia/test/data/cd-extra.cue', 'libcdio-paranoia/test/data/hidden-track.cue', 'libcdio-paranoia/test/data/mixed-mode-cd.cue',
  'whipper/whipper/test/bloc.cue', 'whipper/whipper/test/breeders.cue', 'whipper/whipper/test/cure.cue', 'whipper/whipper/test/kings-separate.cue',
  'whipper/whipper/test/kings-single.cue', 'whipper/whipper/test/track-separate.cue', 'whipper/whipper/test/track-single.cue',
]);
CUES.push(
  'REM GENRE Rock\nCATALOG 0123456789012\nPERFORMER "Band"\nTITLE "Album"\nFILE "disc.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    FLAGS DCP PRE\n    ISRC ABCDE1234567\n    PREGAP 00:02:00\n    INDEX 00 01:00:00\n    INDEX 01 01:02:00\n    POSTGAP 00:01:00\nFILE "b.wav" WAVE\n  TRACK 03 AUDIO\n    INDEX 01 00:00:00\n',
);

const TOCS = corpusTexts([
  ...['cdtext', 'data1', 'data2', 'data3', 'data4', 'data5', 'data6', 'data7', 'mode1_rw', 'mode1_rw_raw', 'pregap1', 'pregap2', 't1', 't2', 't3', 't4', 't5', 't6'].map((n) => `cdrdao/testtocs/${n}.toc`),
  ...['cdda', 'cdtext', 'isofs-m1', 'bad-cat1', 'bad-file', 'bad-msf-1', 't7', 't8', 'vcd2'].map((n) => `libcdio/test/data/${n}.toc`),
  ...['bloc', 'breeders', 'cure', 'gentlemen.fast', 'ladyhawke', 'totbl.fast'].map((n) => `whipper/whipper/test/${n}.toc`),
]);
TOCS.push(
  'CD_DA\nCATALOG "0123456789012"\nCD_TEXT {\n  LANGUAGE_MAP { 0 : EN }\n  LANGUAGE 0 { TITLE "T" PERFORMER "P" }\n}\nTRACK AUDIO\nCOPY\nISRC "ABCDE1234567"\nSILENCE 00:02:00\nFILE "a.wav" 0 01:00:00\nSTART 00:02:00\nINDEX 00:30:00\nTRACK MODE1\nDATAFILE "d.bin" #0 300\nZERO 00:00:10\n',
);

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

describe('fuzz: text formats', () => {
  it('readMapfile: a Mapfile or a FormatError; the result formats and counts', async () => {
    expect(MAPFILES.length).toBeGreaterThanOrEqual(2);
    await check(hostileText(MAPFILES), (text) => {
      const map = typed('readMapfile', () => readMapfile(text));
      const filled = typed('readMapfile fillGaps', () => readMapfile(text, { fillGaps: '?' }));
      for (const m of [map, filled]) {
        if (m === undefined) continue;
        typed('formatMapfileBody', () => formatMapfileBody(m));
        typed('mapfileStats', () => mapfileStats(m.map));
      }
    });
  }, PROPERTY_TIMEOUT_MS);

  it('readMapfile on generated block lists: the fast and the general parser agree', async () => {
    const SIZES = [0, 1, 2, 511, 512, 2048, 0x7fffffff, 2 ** 32, 2 ** 52, Number.MAX_SAFE_INTEGER, 2 ** 53];
    const number = (value: number, form: number): string => {
      if (form === 0) return `0x${value.toString(16)}`;
      if (form === 1) return `0X${value.toString(16).toUpperCase()}`;
      if (form === 2) return String(value);
      if (form === 3) return value === 0 ? '0' : `0${value.toString(8)}`;
      return `+${value}`;
    };
    const block = fc.record({
      size: fc.oneof(fc.constantFrom(...SIZES), fc.nat({ max: 1 << 20 })),
      status: fc.constantFrom('?', '*', '/', '-', '+', 'x', 'F'),
      form: fc.integer({ min: 0, max: 4 }),
      gap: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -4096, max: 4096 }) }),
      sep: fc.constantFrom(' ', '  ', '\t', ' \t '),
      comment: fc.constantFrom('', '', ' # note', '#x'),
    });
    const arb = fc.record({
      pos: fc.oneof(fc.constantFrom(...SIZES), fc.nat()),
      status: fc.constantFrom('?', '*', '/', '-', '+', 'F', 'G', 'Q'),
      pass: fc.constantFrom('', ' 1', ' 3', ' 0', ' 99999999999999999999'),
      blocks: fc.array(block, { maxLength: 12 }),
      eol: fc.constantFrom('\n', '\r\n'),
    });
    let parsed = 0;
    await check(arb, ({ pos, status, pass, blocks, eol }) => {
      const lines = ['# Mapfile. Created by test', `${number(pos, 0)} ${status}${pass}`];
      let at = 0;
      for (const b of blocks) {
        const start = Math.max(0, at + b.gap);
        lines.push(`${number(start, b.form)}${b.sep}${number(b.size, b.form)}${b.sep}${b.status}${b.comment}`);
        at = start + b.size;
      }
      const text = lines.join(eol) + eol;
      const fast = typed('readMapfile', () => readMapfile(text));
      const general = typed('readMapfile fillGaps', () => readMapfile(text, { fillGaps: '?' }));
      if (fast === undefined) return;
      parsed++;
      // A map without gaps reads the same through both paths.
      expect(general).toBeDefined();
      expect(formatMapfileBody(general!)).toBe(formatMapfileBody(fast));
    });
    expect(parsed).toBeGreaterThan(0);
  }, PROPERTY_TIMEOUT_MS);

  it('parseCue: a CueSheet or a typed error; the result formats and converts', async () => {
    await check(hostileText(CUES), (text) => {
      const sheet = typed('parseCue', () => parseCue(text));
      if (sheet === undefined) return;
      typed('formatCue', () => formatCue(sheet));
      typed('cueToCdrdaoToc', () => cueToCdrdaoToc(sheet));
    });
  }, PROPERTY_TIMEOUT_MS);

  it('parseCdrdaoToc: a CdrdaoToc or a typed error; the result formats, lays out and converts', async () => {
    await check(hostileText(TOCS), (text) => {
      const toc = typed('parseCdrdaoToc', () => parseCdrdaoToc(text));
      if (toc === undefined) return;
      typed('formatCdrdaoToc', () => formatCdrdaoToc(toc));
      typed('resolveCdrdaoTocLayout', () => resolveCdrdaoTocLayout(toc));
      typed('cdrdaoTocToCue', () => cdrdaoTocToCue(toc));
    });
  }, PROPERTY_TIMEOUT_MS);

  it('sheets generated from their grammar, with hostile numbers', async () => {
    const num = fc.oneof(fc.nat({ max: 120 }), fc.constantFrom(-1, 0, 99, 100, 255, 256, 65535, 2 ** 31, 2 ** 53, 1e21));
    const msf = fc.oneof(
      fc.tuple(fc.nat({ max: 99 }), fc.nat({ max: 60 }), fc.nat({ max: 75 })).map(([m, s2, f]) => `${pad(m)}:${pad(s2)}:${pad(f)}`),
      fc.constantFrom('00:00:00', '99:59:74', '100:00:00', '0:0:0', '-1:00:00', '00:60:00', '00:00:75', '999999999999:00:00', '1:2', '1:2:3:4'),
    );
    const str = fc.oneof(fc.constantFrom('"a.bin"', '"x y.wav"', 'plain', '""', '"unterminated', '"é\\"'), fc.string({ maxLength: 8 }).map((t) => JSON.stringify(t)));
    const cueLine = fc.oneof(
      fc.tuple(str, fc.constantFrom('BINARY', 'MOTOROLA', 'WAVE', 'MP3', 'AIFF', 'FOO')).map(([f, t]) => `FILE ${f} ${t}`),
      fc.tuple(num, fc.constantFrom('AUDIO', 'MODE1/2048', 'MODE1/2352', 'MODE2/2336', 'MODE2/2352', 'CDG', 'CDI/2336', 'CDI/2352', 'MODE3/1')).map(([n, m]) => `  TRACK ${pad(n)} ${m}`),
      fc.tuple(num, msf).map(([n, t]) => `    INDEX ${pad(n)} ${t}`),
      msf.map((t) => `    PREGAP ${t}`),
      msf.map((t) => `    POSTGAP ${t}`),
      fc.constantFrom('    FLAGS DCP', '    FLAGS PRE 4CH SCMS', '    FLAGS BOGUS', '    ISRC ABCDE1234567', '    ISRC short', 'CATALOG 1234567890123', 'CATALOG 12'),
      str.map((t) => `TITLE ${t}`),
      str.map((t) => `    PERFORMER ${t}`),
      str.map((t) => `REM COMMENT ${t}`),
      str.map((t) => `CDTEXTFILE ${t}`),
    );
    const tocLine = fc.oneof(
      fc.constantFrom('CD_DA', 'CD_ROM', 'CD_ROM_XA', 'CD_I', 'CATALOG "0123456789012"', 'CATALOG "1"'),
      fc.constantFrom('TRACK AUDIO', 'TRACK MODE1', 'TRACK MODE1_RAW', 'TRACK MODE2', 'TRACK MODE2_FORM1', 'TRACK MODE2_FORM_MIX', 'TRACK MODE2_RAW', 'TRACK MODE0', 'TRACK AUDIO RW_RAW', 'TRACK MODE1 RW'),
      fc.constantFrom('COPY', 'NO COPY', 'PRE_EMPHASIS', 'TWO_CHANNEL_AUDIO', 'FOUR_CHANNEL_AUDIO', 'ISRC "ABCDE1234567"', 'ISRC "x"'),
      fc.tuple(str, msf, msf).map(([f, a, b]) => `FILE ${f} ${a} ${b}`),
      fc.tuple(str, num, num).map(([f, a, b]) => `AUDIOFILE ${f} ${a} ${b}`),
      fc.tuple(str, num, num).map(([f, a, b]) => `DATAFILE ${f} #${a} ${b}`),
      fc.tuple(str, msf).map(([f, a]) => `DATAFILE ${f} ${a}`),
      msf.map((t) => `SILENCE ${t}`),
      num.map((n) => `ZERO ${n}`),
      fc.tuple(fc.constantFrom('MODE1', 'MODE2', 'AUDIO', 'MODE0'), msf).map(([m, t]) => `ZERO ${m} ${t}`),
      msf.map((t) => `START ${t}`),
      fc.constant('START'),
      msf.map((t) => `PREGAP ${t}`),
      msf.map((t) => `INDEX ${t}`),
      num.map((n) => `FIFO "f" ${n}`),
      fc.tuple(num, str).map(([n, t]) => `CD_TEXT { LANGUAGE_MAP { ${n} : EN } LANGUAGE ${n} { TITLE ${t} PERFORMER ${t} } }`),
      fc.constantFrom('CD_TEXT {', '}', '{', 'LANGUAGE 0 { TITLE "a" }', 'TOC_INFO1 { 1, 2, 3 }', 'SIZE_INFO { 0, 0 }', '//', '/* x */', '/* open'),
    );
    const parsedCount = { cue: 0, toc: 0 };
    // Headers first, then body lines: a realistic order parses often enough to reach the checks after it.
    const cueArb = fc.tuple(fc.array(cueLine, { maxLength: 3 }), fc.array(cueLine, { maxLength: 30 })).map(([a, b]) => [
      'FILE "a.bin" BINARY', ...a, '  TRACK 01 AUDIO', '    INDEX 01 00:00:00', ...b,
    ]);
    const tocArb = fc.tuple(fc.array(tocLine, { maxLength: 3 }), fc.array(tocLine, { maxLength: 30 })).map(([a, b]) => ['CD_DA', ...a, 'TRACK AUDIO', ...b]);
    await check(fc.tuple(fc.oneof(cueArb, fc.array(cueLine, { maxLength: 30 })), fc.oneof(tocArb, fc.array(tocLine, { maxLength: 30 }))), ([cue, toc]) => {
      const sheet = typed('parseCue', () => parseCue(cue.join('\n')));
      if (sheet) parsedCount.cue++;
      if (sheet) {
        typed('formatCue', () => formatCue(sheet));
        typed('cueToCdrdaoToc', () => cueToCdrdaoToc(sheet));
      }
      const parsed = typed('parseCdrdaoToc', () => parseCdrdaoToc(toc.join('\n')));
      if (parsed) parsedCount.toc++;
      if (parsed) {
        typed('formatCdrdaoToc', () => formatCdrdaoToc(parsed));
        typed('resolveCdrdaoTocLayout', () => resolveCdrdaoTocLayout(parsed));
        typed('cdrdaoTocToCue', () => cdrdaoTocToCue(parsed));
      }
    });
    if (process.env.FUZZ_VERBOSE) console.log('grammar sheets parsed:', parsedCount);
  }, PROPERTY_TIMEOUT_MS);

  it('decodeSheetText then both sheet parsers, from raw bytes', async () => {
    const samples = [...CUES, ...TOCS].map((t) => new TextEncoder().encode(t));
    await check(hostileBytes(samples), (bytes) => {
      const text = typed('decodeSheetText', () => decodeSheetText(bytes));
      if (text === undefined) return;
      typed('parseCue', () => parseCue(text));
      typed('parseCdrdaoToc', () => parseCdrdaoToc(text));
    }, 0.5);
  }, PROPERTY_TIMEOUT_MS);
});
