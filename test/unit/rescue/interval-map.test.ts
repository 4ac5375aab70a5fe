import { describe, expect, it } from 'vitest';
import { IntervalMap, IntervalMapBuilder, combine, type BlockStatus, type Run } from '../../../lib/rescue/interval-map.js';
import { NaiveMap, STATUSES, naiveNextRun, naivePrevRun, prng, randomInt, randomStatus } from './naive-map.js';

const SELECTORS = ['?', '*', '/', '-', '+', '?*/-', '?-', '*/', '+?', '?*/-+'];

function runsOf(map: IntervalMap): Run[] {
  return [...map.runs()];
}

function expectSame(map: IntervalMap, model: NaiveMap): void {
  // Serialized comparisons: toEqual on thousands of objects per step would dominate the run time.
  const serialize = (runs: Iterable<Run>): string => Array.from(runs, (r) => `${r.pos}:${r.size}${r.status}`).join(' ');
  const modelRuns = model.runs();
  expect(map.size).toBe(model.size);
  expect(serialize(map.runs())).toBe(serialize(modelRuns));
  expect(map.runCount).toBe(modelRuns.length);
  const counts = STATUSES.map((status) => `${map.count(status)}/${map.countRuns(status)}`).join(' ');
  const expected = STATUSES.map((status) => {
    const runs = modelRuns.filter((r) => r.status === status);
    return `${runs.reduce((sum, r) => sum + r.size, 0)}/${runs.length}`;
  }).join(' ');
  expect(counts).toBe(expected);
}

describe('IntervalMap basics', () => {
  it('starts as one run of the given status, or empty', () => {
    expect(runsOf(new IntervalMap(100))).toEqual([{ pos: 0, size: 100, status: '?' }]);
    expect(runsOf(new IntervalMap(100, '+'))).toEqual([{ pos: 0, size: 100, status: '+' }]);
    const empty = new IntervalMap();
    expect(empty.size).toBe(0);
    expect(runsOf(empty)).toEqual([]);
    expect(empty.runCount).toBe(0);
    expect(empty.firstNotFinished()).toBeUndefined();
    expect(empty.lastNotFinished()).toBeUndefined();
  });

  it('splits a run and merges it back when the status returns', () => {
    const map = new IntervalMap(0x10000);
    map.set(0x800, 0x800, '+');
    expect(runsOf(map)).toEqual([
      { pos: 0, size: 0x800, status: '?' },
      { pos: 0x800, size: 0x800, status: '+' },
      { pos: 0x1000, size: 0xf000, status: '?' },
    ]);
    map.set(0x800, 0x800, '?');
    expect(runsOf(map)).toEqual([{ pos: 0, size: 0x10000, status: '?' }]);
  });

  it('extends a finished run forwards the way a copying pass does, keeping two runs', () => {
    const map = new IntervalMap(2048 * 1000);
    for (let lba = 0; lba < 500; lba++) map.set(lba * 2048, 2048, '+');
    expect(runsOf(map)).toEqual([
      { pos: 0, size: 2048 * 500, status: '+' },
      { pos: 2048 * 500, size: 2048 * 500, status: '?' },
    ]);
    expect(map.count('+')).toBe(2048 * 500);
    expect(map.firstNotFinished()).toEqual({ pos: 2048 * 500, size: 2048 * 500, status: '?' });
  });

  it('answers statusAt and runAt at run edges', () => {
    const map = IntervalMap.fromRuns([
      { pos: 0, size: 10, status: '+' },
      { pos: 10, size: 5, status: '-' },
      { pos: 15, size: 5, status: '?' },
    ]);
    expect(map.statusAt(0)).toBe('+');
    expect(map.statusAt(9)).toBe('+');
    expect(map.statusAt(10)).toBe('-');
    expect(map.statusAt(19)).toBe('?');
    expect(map.runAt(12)).toEqual({ pos: 10, size: 5, status: '-' });
    expect(() => map.statusAt(20)).toThrow(RangeError);
    expect(() => map.statusAt(-1)).toThrow(RangeError);
  });

  it('clips runs() to a window', () => {
    const map = IntervalMap.fromRuns([
      { pos: 0, size: 10, status: '+' },
      { pos: 10, size: 10, status: '-' },
    ]);
    expect([...map.runs(5, 15)]).toEqual([
      { pos: 5, size: 5, status: '+' },
      { pos: 10, size: 5, status: '-' },
    ]);
    expect([...map.runs(15, 100)]).toEqual([{ pos: 15, size: 5, status: '-' }]);
    expect([...map.runs(20)]).toEqual([]);
  });

  it('merges adjacent equal runs and skips empty ones in fromRuns', () => {
    const map = IntervalMap.fromRuns([
      { pos: 0, size: 10, status: '+' },
      { pos: 10, size: 0, status: '-' },
      { pos: 10, size: 10, status: '+' },
    ]);
    expect(runsOf(map)).toEqual([{ pos: 0, size: 20, status: '+' }]);
  });

  it('rejects gaps, overlaps, bad statuses and ranges beyond the map', () => {
    expect(() => IntervalMap.fromRuns([{ pos: 1, size: 10, status: '+' }])).toThrow(/not contiguous/u);
    expect(() =>
      IntervalMap.fromRuns([
        { pos: 0, size: 10, status: '+' },
        { pos: 5, size: 10, status: '-' },
      ]),
    ).toThrow(RangeError);
    const map = new IntervalMap(100);
    expect(() => map.set(90, 11, '+')).toThrow(/beyond the map size/u);
    expect(() => map.set(0, 1, 'x' as BlockStatus)).toThrow(RangeError);
    expect(() => map.set(0.5, 1, '+')).toThrow(RangeError);
    expect(() => map.set(Number.MAX_SAFE_INTEGER + 1, 1, '+')).toThrow(RangeError);
    expect(() => map.count('x')).toThrow(RangeError);
    expect(() => map.count('')).toThrow(TypeError);
    expect(() => new IntervalMap(-1)).toThrow(RangeError);
    expect(() => new IntervalMapBuilder().append(0, 1, 'F' as BlockStatus)).toThrow(RangeError);
    expect(() => new IntervalMapBuilder().append(0, Number.MAX_SAFE_INTEGER, '+').append(Number.MAX_SAFE_INTEGER, 1, '-')).toThrow(/2\^53/u);
  });

  it('accepts predicates as selectors', () => {
    const map = IntervalMap.fromRuns([
      { pos: 0, size: 10, status: '+' },
      { pos: 10, size: 10, status: '-' },
      { pos: 20, size: 10, status: '*' },
    ]);
    expect(map.count((s) => s !== '+')).toBe(20);
    expect(map.nextRun(0, (s) => s === '*')).toEqual({ pos: 20, size: 10, status: '*' });
  });

  it('grows with non-tried (or a given status) and truncates', () => {
    const map = new IntervalMap(10, '+');
    map.setSize(20);
    expect(runsOf(map)).toEqual([
      { pos: 0, size: 10, status: '+' },
      { pos: 10, size: 10, status: '?' },
    ]);
    map.setSize(25, '?');
    expect(runsOf(map)).toEqual([
      { pos: 0, size: 10, status: '+' },
      { pos: 10, size: 15, status: '?' },
    ]);
    map.setSize(10);
    expect(runsOf(map)).toEqual([{ pos: 0, size: 10, status: '+' }]);
    expect(map.count('?')).toBe(0);
    map.setSize(5);
    expect(runsOf(map)).toEqual([{ pos: 0, size: 5, status: '+' }]);
    map.setSize(0);
    expect(runsOf(map)).toEqual([]);
    expect(map.count('+')).toBe(0);
    map.setSize(3, '-');
    expect(runsOf(map)).toEqual([{ pos: 0, size: 3, status: '-' }]);
  });

  it('clones deeply', () => {
    const map = new IntervalMap(100);
    const copy = map.clone();
    copy.set(0, 50, '+');
    expect(map.count('+')).toBe(0);
    expect(copy.count('+')).toBe(50);
    expect(copy.equals(map)).toBe(false);
    map.set(0, 50, '+');
    expect(copy.equals(map)).toBe(true);
  });

  it('changes statuses like ddrescuelog --change-types, optionally inside a domain', () => {
    const map = IntervalMap.fromRuns([
      { pos: 0, size: 10, status: '*' },
      { pos: 10, size: 10, status: '/' },
      { pos: 20, size: 10, status: '-' },
    ]);
    const domain = IntervalMap.fromRuns([
      { pos: 0, size: 15, status: '?' },
      { pos: 15, size: 15, status: '+' },
    ]);
    map.changeStatus('*/', '?', domain);
    expect(runsOf(map)).toEqual([
      { pos: 0, size: 10, status: '*' },
      { pos: 10, size: 5, status: '/' },
      { pos: 15, size: 5, status: '?' },
      { pos: 20, size: 10, status: '-' },
    ]);
    map.changeStatus('*/', '?');
    expect(runsOf(map)).toEqual([
      { pos: 0, size: 20, status: '?' },
      { pos: 20, size: 10, status: '-' },
    ]);
  });
});

describe('IntervalMap against a per-byte model (seeded random operations)', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`agrees after every one of 3000 random updates (seed ${seed})`, () => {
      const random = prng(seed);
      let size = 500 + randomInt(random, 3000);
      const map = new IntervalMap(size);
      const model = new NaiveMap(size);
      for (let step = 0; step < 3000; step++) {
        const roll = random();
        if (roll < 0.02) {
          const fill = randomStatus(random);
          size = randomInt(random, 4000);
          map.setSize(size, fill);
          model.setSize(size, fill);
        } else if (size > 0) {
          const pos = randomInt(random, size);
          const big = roll > 0.95;
          const length = Math.min(size - pos, big ? randomInt(random, size) : 1 + randomInt(random, 8));
          const status = randomStatus(random);
          map.set(pos, length, status);
          model.set(pos, length, status);
        }
        expectSame(map, model);
        if (size > 0) {
          const at = randomInt(random, size);
          expect(map.statusAt(at)).toBe(model.bytes[at]);
          const selector = SELECTORS[randomInt(random, SELECTORS.length)]!;
          expect(map.nextRun(at, selector)).toEqual(naiveNextRun(model, at, selector));
          expect(map.prevRun(at + 1, selector)).toEqual(naivePrevRun(model, at + 1, selector));
        }
      }
    });
  }

  it('agrees on a map of ~20,000 runs spread over many chunks, with updates crossing chunks', () => {
    const random = prng(99);
    const size = 120_000;
    const map = new IntervalMap(size);
    const model = new NaiveMap(size);
    // Many small runs first: forces chunk splits.
    for (let i = 0; i < 30_000; i++) {
      const pos = randomInt(random, size - 4);
      const length = 1 + randomInt(random, 4);
      const status = randomStatus(random);
      map.set(pos, length, status);
      model.set(pos, length, status);
    }
    expectSame(map, model);
    expect(map.runCount).toBeGreaterThan(15_000);
    // Wide updates delete whole chunks; then small ones again.
    for (let i = 0; i < 300; i++) {
      const pos = randomInt(random, size);
      const length = Math.min(size - pos, i % 3 === 0 ? randomInt(random, 40_000) : randomInt(random, 50));
      const status = randomStatus(random);
      map.set(pos, length, status);
      model.set(pos, length, status);
      if (i % 25 === 0) expectSame(map, model);
    }
    expectSame(map, model);
  });

  it('finds runs inside a domain like the model, forwards and backwards', () => {
    const random = prng(7);
    for (let round = 0; round < 40; round++) {
      const size = 200 + randomInt(random, 400);
      const map = new IntervalMap(size);
      const model = new NaiveMap(size);
      const domainSize = randomInt(random, size + 100);
      const domain = new IntervalMap(domainSize);
      const domainModel = new NaiveMap(domainSize);
      for (let i = 0; i < 120; i++) {
        const pos = randomInt(random, size);
        const length = Math.min(size - pos, 1 + randomInt(random, 20));
        const status = randomStatus(random);
        map.set(pos, length, status);
        model.set(pos, length, status);
        if (domainSize > 0) {
          const dpos = randomInt(random, domainSize);
          const dlength = Math.min(domainSize - dpos, 1 + randomInt(random, 30));
          const dstatus = random() < 0.5 ? '+' : randomStatus(random);
          domain.set(dpos, dlength, dstatus);
          domainModel.set(dpos, dlength, dstatus);
        }
      }
      for (let probe = 0; probe < 60; probe++) {
        const at = randomInt(random, size + 1);
        const selector = SELECTORS[randomInt(random, SELECTORS.length)]!;
        expect(map.nextRun(at, selector, domain)).toEqual(naiveNextRun(model, at, selector, domainModel));
        expect(map.prevRun(at, selector, domain)).toEqual(naivePrevRun(model, at, selector, domainModel));
      }
      // intersect(): the bytes of the map inside the domain, in order.
      const inside: string[] = [];
      for (const run of map.intersect(domain)) for (let i = 0; i < run.size; i++) inside.push(`${run.pos + i}${run.status}`);
      const expected: string[] = [];
      for (let i = 0; i < size; i++) if (i < domainSize && domainModel.bytes[i] === '+') expected.push(`${i}${model.bytes[i]}`);
      expect(inside).toEqual(expected);
    }
  });
});

describe('combine (ddrescuelog --and/--or/--xor-mapfile rules)', () => {
  function randomMap(random: () => number, size: number): IntervalMap {
    const map = new IntervalMap(size);
    for (let i = 0; i < 40; i++) {
      const pos = randomInt(random, size);
      map.set(pos, Math.min(size - pos, 1 + randomInt(random, 40)), randomStatus(random));
    }
    return map;
  }
  const finishedBytes = (map: IntervalMap): string =>
    [...map.ranges('+')].map((r) => `${r.pos}+${r.size}`).join(',');

  it('applies the per-byte rules and keeps bytes beyond b untouched', () => {
    const random = prng(11);
    for (let round = 0; round < 50; round++) {
      const a = randomMap(random, 100 + randomInt(random, 200));
      const b = randomMap(random, 50 + randomInt(random, 300));
      for (const op of ['and', 'or', 'xor'] as const) {
        const result = combine(a, b, op);
        expect(result.size).toBe(a.size);
        for (let i = 0; i < a.size; i++) {
          const sa = a.statusAt(i);
          if (i >= b.size) {
            expect(result.statusAt(i)).toBe(sa);
            continue;
          }
          const fa = sa === '+';
          const fb = b.statusAt(i) === '+';
          const expected = op === 'and' ? (fa ? (fb ? '+' : '-') : sa) : op === 'or' ? (fa || fb ? '+' : sa) : fa !== fb ? '+' : fa ? '-' : sa;
          expect(result.statusAt(i)).toBe(expected);
        }
      }
    }
  });

  it('satisfies the identities of the ddrescue testsuite on finished bytes', () => {
    const random = prng(12);
    for (let round = 0; round < 30; round++) {
      const size = 300;
      const a = randomMap(random, size);
      const b = randomMap(random, size);
      for (const op of ['and', 'or', 'xor'] as const) expect(finishedBytes(combine(a, b, op))).toBe(finishedBytes(combine(b, a, op)));
      expect(combine(a, a, 'xor').count('+')).toBe(0);
      // (a AND b) == NOT(NOT a OR NOT b), NOT swapping finished and not finished.
      const not = (m: IntervalMap): IntervalMap => IntervalMap.fromRuns([...m.runs()].map((r) => ({ ...r, status: r.status === '+' ? '-' : '+' })));
      expect(finishedBytes(combine(a, b, 'and'))).toBe(finishedBytes(not(combine(not(a), not(b), 'or'))));
    }
  });

  it('rejects unknown operations', () => {
    expect(() => combine(new IntervalMap(1), new IntervalMap(1), 'nand' as 'and')).toThrow(RangeError);
  });
});

describe('IntervalMap.equals with a domain', () => {
  it('compares only domain bytes, and a size difference inside the domain is a difference', () => {
    const a = IntervalMap.fromRuns([
      { pos: 0, size: 10, status: '+' },
      { pos: 10, size: 10, status: '-' },
    ]);
    const b = IntervalMap.fromRuns([
      { pos: 0, size: 10, status: '+' },
      { pos: 10, size: 10, status: '?' },
    ]);
    const firstHalf = IntervalMap.fromRuns([
      { pos: 0, size: 10, status: '+' },
      { pos: 10, size: 10, status: '?' },
    ]);
    expect(a.equals(b)).toBe(false);
    expect(a.equals(b, firstHalf)).toBe(true);
    const longer = a.clone();
    longer.setSize(30);
    expect(a.equals(longer)).toBe(false);
    expect(a.equals(longer, firstHalf)).toBe(true);
    expect(a.equals(longer, new IntervalMap(30, '+'))).toBe(false);
  });
});
