import { describe, expect, it } from 'vitest';
import { FormatError } from '../../../lib/errors.js';
import { parseCdrdaoToc, parseCue } from '../../../lib/image/index.js';
import { HAVE_CORPUS, listCorpus, readCorpus } from './sheet-test-helpers.js';

/** Small deterministic PRNG (mulberry32) so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Parser = (text: string) => unknown;
const PARSERS: ReadonlyArray<[string, Parser]> = [
  ['parseCue', (text) => parseCue(text, { fileName: 'fuzz.cue' })],
  ['parseCdrdaoToc', (text) => parseCdrdaoToc(text, { fileName: 'fuzz.toc' })],
];

/** Parses or throws a FormatError with a file and a line; anything else fails the test. */
function expectParsedOrFormatError(parse: Parser, text: string): void {
  try {
    parse(text);
  } catch (error) {
    if (!(error instanceof FormatError)) {
      throw new Error(`non-FormatError ${String(error)} for input ${JSON.stringify(text.slice(0, 200))}`, { cause: error });
    }
    expect(error.file).toMatch(/^fuzz\./);
    expect(error.line).toBeGreaterThanOrEqual(1);
  }
}

const SEEDS = [
  'REM GENRE Rock\nCATALOG 0602517642256\nPERFORMER "P"\nFILE "a b.wav" WAVE\n  TRACK 01 AUDIO\n    FLAGS DCP PRE\n    ISRC USUM70839873\n    PREGAP 00:02:00\n    INDEX 00 00:00:00\n    INDEX 01 00:02:00\n    POSTGAP 00:01:00\nREM SESSION 02\n  TRACK 02 MODE1/2352\n    INDEX 01 04:00:00\n',
  'CD_ROM_XA\nCATALOG "0602517818866"\nCD_TEXT {\n  LANGUAGE_MAP { 0 : EN }\n  LANGUAGE 0 { TITLE "T\\"x\\101" SIZE_INFO { 1, 2, 3 } }\n}\nTRACK AUDIO\nNO COPY\nISRC "GBUM70808708"\nCD_TEXT { LANGUAGE 0 { TITLE "t" } }\nPREGAP 0:2:0\nFILE "data.wav" 0 03:26:53\nINDEX 0:30:0\nTRACK MODE2_FORM_MIX RW\nZERO MODE2_FORM_MIX 00:02:00\nDATAFILE "d" #2352 00:43:54 // c\nSTART 00:02:00\nEND\nZERO 1:0:0\n',
];

const ALPHABET = [
  'FILE', 'TRACK', 'INDEX', 'REM', 'SESSION', 'PREGAP', 'POSTGAP', 'FLAGS', 'ISRC', 'CATALOG', 'TITLE', 'AUDIO',
  'MODE1/2352', 'WAVE', 'BINARY', 'CD_TEXT', 'LANGUAGE', 'LANGUAGE_MAP', 'SILENCE', 'ZERO', 'DATAFILE', 'START',
  'END', 'NO', 'COPY', 'SWAP', 'EN', '{', '}', ':', ',', '#', '"', '\\', '//', ' ', ' ', '\t', '\n', '\r\n', '\r',
  '0', '1', '7', '9', '00:00:00', '99:59:74', '123456789012345678901234567890', '-', '/', 'é', '日本', '\u0000',
  '\u007f', '\ufeff', '\ud800',
];

function garbage(next: () => number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(next() * ALPHABET.length)] ?? '';
  return text;
}

function mutate(next: () => number, text: string): string {
  const pick = (n: number): number => Math.floor(next() * n);
  switch (pick(7)) {
    case 0:
      return text.slice(0, pick(text.length + 1));
    case 1: {
      const at = pick(text.length);
      return text.slice(0, at) + text.slice(at + 1 + pick(8));
    }
    case 2:
      return text.replace(/\d+/g, (digits) => (next() < 0.3 ? '9'.repeat(1 + pick(40)) : digits));
    case 3:
      return text.replace(/"/g, () => (next() < 0.3 ? '' : '"'));
    case 4: {
      const lines = text.split('\n');
      const at = pick(lines.length);
      lines.splice(at, 0, lines[pick(lines.length)] ?? '');
      return lines.join('\n');
    }
    case 5: {
      const at = pick(text.length);
      return text.slice(0, at) + garbage(next, 1 + pick(4)) + text.slice(at);
    }
    default:
      return text
        .split('\n')
        .filter(() => next() > 0.2)
        .join('\n');
  }
}

describe('sheet parsers handle abuse without crashing', () => {
  it.each(PARSERS)('%s: random token soup never throws anything but FormatError', (_name, parse) => {
    const next = random(0x5eed);
    for (let i = 0; i < 400; i++) expectParsedOrFormatError(parse, garbage(next, 1 + Math.floor(next() * 60)));
  });

  it.each(PARSERS)('%s: random bytes never throw anything but FormatError', (_name, parse) => {
    const next = random(42);
    for (let i = 0; i < 200; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(next() * 300) }, () => Math.floor(next() * 256));
      expectParsedOrFormatError(parse, new TextDecoder('latin1').decode(bytes));
    }
  });

  it.each(PARSERS)('%s: mutated sheets (truncated lines, huge numbers, lost quotes) never throw anything but FormatError', (_name, parse) => {
    const next = random(7);
    const seeds = [...SEEDS, ...(HAVE_CORPUS ? [...listCorpus('.cue'), ...listCorpus('.toc')].map(readCorpus) : [])];
    for (const seed of seeds) {
      for (let i = 0; i < 60; i++) {
        let text = seed;
        const rounds = 1 + Math.floor(next() * 3);
        for (let r = 0; r < rounds; r++) text = mutate(next, text);
        expectParsedOrFormatError(parse, text);
      }
    }
  });
});

/** Runs a parse on a large input and returns how long it took. */
function timed(parse: Parser, text: string): number {
  const started = performance.now();
  expectParsedOrFormatError(parse, text);
  return performance.now() - started;
}

const TEN_MB = 10 * 1024 * 1024;

describe('sheet parsers finish fast on 10 MB inputs', () => {
  const cueTrack = 'FILE "a.bin" BINARY\nTRACK 01 AUDIO\nINDEX 01 00:00:00\n';
  it.each([
    ['REM lines (parses)', `${cueTrack}${'REM COMMENT "x"\n'.repeat(TEN_MB / 16)}`],
    ['blank lines, then nothing', '\n'.repeat(TEN_MB)],
    ['one 10 MB line', `TITLE "${'x'.repeat(TEN_MB)}`],
    ['a 10 MB title (parses)', `TITLE "${'x'.repeat(TEN_MB)}"\n${cueTrack}`],
    ['repeated INDEX lines', `${cueTrack}${'INDEX 01 00:00:00\n'.repeat(TEN_MB / 18)}`],
    ['repeated TRACK lines', `FILE a BINARY\n${'TRACK 01 AUDIO\n'.repeat(TEN_MB / 15)}`],
    ['binary data at the end', `${cueTrack}${'REM x\n'.repeat(TEN_MB / 6)}\u0000`],
  ])('parseCue: %s', (_name, text) => {
    expect(timed(PARSERS[0]?.[1] as Parser, text)).toBeLessThan(5000);
  });

  it.each([
    ['comments (no track)', '// comment\n'.repeat(TEN_MB / 11)],
    ['SILENCE statements (parses)', `TRACK AUDIO\n${'SILENCE 0:0:1\n'.repeat(TEN_MB / 14)}`],
    ['INDEX statements', `TRACK AUDIO\nSILENCE 1:0:0\n${'INDEX 0:0:1\n'.repeat(TEN_MB / 12)}`],
    ['an unterminated 10 MB string', `TRACK AUDIO\nFILE "${'x'.repeat(TEN_MB)}`],
    ['a 10 MB CD-TEXT string (parses)', `CD_TEXT { LANGUAGE 0 { TITLE "${'x'.repeat(TEN_MB)}" } }\nTRACK AUDIO\nSILENCE 1:0:0\n`],
    ['binary data bytes', `CD_TEXT { LANGUAGE 0 { SIZE_INFO { ${'1, '.repeat(TEN_MB / 3)}1 } } }\nTRACK AUDIO\nSILENCE 1:0:0\n`],
    ['open braces', '{'.repeat(TEN_MB)],
    ['a 10 MB number', `TRACK AUDIO\nSILENCE ${'9'.repeat(TEN_MB)}\n`],
    ['lengths whose sum is no safe integer', `TRACK AUDIO\n${'SILENCE 999999999999999\n'.repeat(TEN_MB / 100)}START\nSILENCE 1\nINDEX 0:0:1\n`],
  ])('parseCdrdaoToc: %s', (_name, text) => {
    expect(timed(PARSERS[1]?.[1] as Parser, text)).toBeLessThan(5000);
  });
});
