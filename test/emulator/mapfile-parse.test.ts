import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { FormatError } from '../../lib/errors.js';
import { parseMapfile, type Mapfile } from '../../lib/rescue/mapfile-parse.js';

const dir = fileURLToPath(new URL('../../../shared/corpus/gnu-ddrescue/testsuite/', import.meta.url));
const read = (name: string): string => readFileSync(`${dir}${name}`, 'latin1');

function finishedBytes(map: Mapfile): Array<[number, number]> {
  return map.blocks.filter((b) => b.status === '+').map((b) => [b.pos, b.pos + b.size]);
}

describe.skipIf(!existsSync(dir))('GNU ddrescue testsuite mapfiles (skipped when /work/shared/corpus/gnu-ddrescue is absent)', () => {
  const names = ['mapfile1', 'mapfile2', 'mapfile3', 'mapfile4', 'mapfile5', 'mapfile6', 'mapfile6j', 'mapfile_blank'];

  test.each(names)('%s parses: status line, contiguous blocks from 0 to 0x11C48', (name) => {
    const map = parseMapfile(read(name), { file: name });
    expect([map.currentPos, map.currentStatus, map.currentPass]).toEqual([0, '+', 1]);
    let end = 0;
    for (const block of map.blocks) {
      expect(block.pos).toBe(end);
      expect(block.size).toBeGreaterThan(0);
      end = block.pos + block.size;
    }
    expect(end).toBe(0x11c48);
  });

  test('mapfile1 alternates + and ? blocks of 0x800; mapfile2 is its inverse', () => {
    const one = parseMapfile(read('mapfile1'));
    expect(one.blocks.slice(0, 3)).toEqual([
      { pos: 0, size: 0x800, status: '+' },
      { pos: 0x800, size: 0x800, status: '?' },
      { pos: 0x1000, size: 0x800, status: '+' },
    ]);
    const two = parseMapfile(read('mapfile2'));
    expect(two.blocks.map((b) => [b.pos, b.size])).toEqual(one.blocks.map((b) => [b.pos, b.size]));
    expect(two.blocks.every((b, i) => (b.status === '+') !== (one.blocks[i]?.status === '+'))).toBe(true);
    // EXPECTED.md invariant 2: ddrescuelog -b2048 -l+ mapfile1 lists blocks 0, 2, 4 … 34.
    const plus = finishedBytes(one).flatMap(([from, to]) => {
      const out: number[] = [];
      for (let b = Math.ceil(from / 2048); (b + 1) * 2048 <= to; b++) out.push(b);
      return out;
    });
    expect(plus).toEqual([...Array(18).keys()].map((i) => i * 2));
  });

  test('the + areas of mapfile1..5 hold test.txt in test1..5.txt, the rest is zero (EXPECTED.md invariant 1)', () => {
    const source = readFileSync(`${dir}test.txt`);
    for (const n of [1, 2, 3, 4, 5]) {
      const expected = readFileSync(`${dir}test${n}.txt`);
      const out = Buffer.alloc(expected.length);
      for (const [from, to] of finishedBytes(parseMapfile(read(`mapfile${n}`)))) source.copy(out, from, from, Math.min(to, out.length));
      // test4.txt also holds the final non-tried block (0x11800-0x11C48) of test.txt; compare up to it.
      const end = n === 4 ? 0x11800 : expected.length;
      expect(out.subarray(0, end).equals(expected.subarray(0, end)), `test${n}.txt`).toBe(true);
    }
  });

  test('mapfile3, 4 and 5 are a triphasic complement: their + areas tile the whole file once', () => {
    const covered = new Uint8Array(0x11c48);
    for (const n of [3, 4, 5]) for (const [from, to] of finishedBytes(parseMapfile(read(`mapfile${n}`)))) covered.fill(covered[from]! + 1, from, to);
    expect(covered.every((c) => c === 1)).toBe(true);
  });

  test('mapfile6 keeps trailing comments out of the status; sub-sector - blocks parse', () => {
    const map = parseMapfile(read('mapfile6'));
    expect(map.blocks[1]).toEqual({ pos: 0x800, size: 0x80, status: '-' });
    expect(map.blocks.filter((b) => b.status === '-').length).toBeGreaterThan(2);
  });

  test('mapfile2i is incomplete: an error unless gaps are filled (ddrescuelog -C); filled with ? it equals mapfile2', () => {
    expect(() => parseMapfile(read('mapfile2i'), { file: 'mapfile2i' })).toThrow(FormatError);
    const error = (() => {
      try {
        parseMapfile(read('mapfile2i'), { file: 'mapfile2i' });
      } catch (e) {
        return e as FormatError;
      }
      return undefined;
    })();
    expect(error).toMatchObject({ file: 'mapfile2i', line: 4, code: 'ERR_FORMAT' });
    expect(error?.message).toMatch(/^mapfile2i:4: block at 0x800 leaves a gap/);
    const completed = parseMapfile(read('mapfile2i'), { fillGaps: '?' });
    const two = parseMapfile(read('mapfile2'));
    // mapfile2 ends with a ? block past the last + one; the completed map stops at the last +.
    expect(completed.blocks).toEqual(two.blocks.slice(0, completed.blocks.length));
    expect(two.blocks.slice(completed.blocks.length).every((b) => b.status === '?')).toBe(true);
  });
});

describe('parseMapfile: syntax', () => {
  test('numbers in decimal, hex and octal; the pass is optional (default 1); F and G statuses', () => {
    expect(parseMapfile('100 ? 2\n0 100 +\n0144 0x64 -\n200 010 /\n')).toEqual({
      currentPos: 100,
      currentStatus: '?',
      currentPass: 2,
      blocks: [
        { pos: 0, size: 100, status: '+' },
        { pos: 100, size: 100, status: '-' },
        { pos: 200, size: 8, status: '/' },
      ],
    });
    expect(parseMapfile('0x10 F\n').currentStatus).toBe('F');
    expect(parseMapfile('0 G\n0 1 *\n')).toMatchObject({ currentStatus: 'G', currentPass: 1 });
    expect(parseMapfile('0 +\r\n0 1 +\r\n').blocks).toEqual([{ pos: 0, size: 1, status: '+' }]);
  });

  test('comments and blank lines; # only starts a comment at the line start or after whitespace', () => {
    const map = parseMapfile('# header\n\n   # indented\n0 + 1 # trailing\n0 10 +\t# bad\n');
    expect(map.blocks).toEqual([{ pos: 0, size: 10, status: '+' }]);
    expect(() => parseMapfile('0 +#x\n')).toThrow(/current_status/);
  });

  test('the empty map: no status line, or a single 0 0 block', () => {
    expect(parseMapfile('')).toEqual({ currentPos: 0, currentStatus: '?', currentPass: 1, blocks: [] });
    expect(parseMapfile('# nothing\n')).toEqual({ currentPos: 0, currentStatus: '?', currentPass: 1, blocks: [] });
    expect(parseMapfile('0 ?\n0 0 ?\n').blocks).toEqual([{ pos: 0, size: 0, status: '?' }]);
    expect(() => parseMapfile('0 ?\n0 0 ?\n0 10 +\n')).toThrow(/^3: a block follows the empty-map block/);
  });

  test('invalid input: FormatError naming file and line', () => {
    const cases: Array<[string, RegExp]> = [
      ['0\n', /^m:1: expected the status line/],
      ['0 + 1 2\n', /^m:1: expected the status line/],
      ['0 x\n', /^m:1: expected current_status/],
      ['0 + 0\n', /^m:1: expected current_pass to be at least 1/],
      ['0 + 0x2\n', /^m:1: expected current_pass to be a decimal integer/],
      ['-5 +\n', /^m:1: expected current_pos to be non-negative/],
      ['0 +\n0 10\n', /^m:2: expected a block line/],
      ['0 +\n0 10 F\n', /^m:2: expected the block status/],
      ['0 +\n0 10 + extra\n', /^m:2: expected a block line/],
      ['0 +\n0 0x1g +\n', /^m:2: expected size to be an integer/],
      ['0 +\n0 09 +\n', /^m:2: expected size to be an integer/],
      ['0 +\n0 -10 +\n', /^m:2: expected size to be non-negative/],
      ['0 +\n10 10 +\n', /^m:2: block at 0xA leaves a gap/],
      ['0 +\n0 10 +\n5 10 +\n', /^m:3: block at 0x5 overlaps/],
      ['0 +\n0 10 +\n20 10 +\n', /^m:3: block at 0x14 leaves a gap/],
      ['0 +\n0 10 +\n10 0 +\n', /^m:3: block at 0xA has size 0/],
      ['0 +\n0 0x20000000000000 +\n', /^m:2: size 0x20000000000000 is larger than 2\^53 − 1/],
      ['0 +\n0 0x1FFFFFFFFFFFFF +\n1 0x1FFFFFFFFFFFFF +\n', /^m:3: block at 0x1 ends beyond 2\^53 − 1/],
      ['0 +\n0x1FFFFFFFFFFFF0 0x20 +\n', /^m:2: block at 0x1FFFFFFFFFFFF0 ends beyond 2\^53 − 1/],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parseMapfile(text, { file: 'm' });
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(text)).toBeInstanceOf(FormatError);
      expect((error as Error).message, JSON.stringify(text)).toMatch(message);
    }
  });

  test('fillGaps fills gaps before and between blocks; it never allows overlaps', () => {
    expect(parseMapfile('0 +\n10 10 +\n30 5 -\n', { fillGaps: '?' }).blocks).toEqual([
      { pos: 0, size: 10, status: '?' },
      { pos: 10, size: 10, status: '+' },
      { pos: 20, size: 10, status: '?' },
      { pos: 30, size: 5, status: '-' },
    ]);
    expect(() => parseMapfile('0 +\n0 10 +\n5 10 +\n', { fillGaps: '?' })).toThrow(/overlaps/);
    expect(() => parseMapfile('', { fillGaps: 'x' as '?' })).toThrow(RangeError);
    expect(() => parseMapfile(5 as unknown as string)).toThrow(TypeError);
  });

  test('numbers up to 2^53 − 1 are exact', () => {
    const map = parseMapfile('0x1FFFFFFFFFFFFE +\n0 0x1FFFFFFFFFFFFF +\n');
    expect(map.currentPos).toBe(Number.MAX_SAFE_INTEGER - 1);
    expect(map.blocks[0]?.size).toBe(Number.MAX_SAFE_INTEGER);
  });
});
