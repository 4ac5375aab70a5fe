/**
 * GNU ddrescue 1.27 and ddrescuelog as oracles: the corpus of the ddrescue testsuite, mapfiles
 * written by ddrescue here, and the hand-over in both directions. Never used at runtime.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { IntervalMap, combine, type CombineOperation } from '../../../lib/rescue/interval-map.js';
import {
  formatMapfile,
  formatMapfileBody,
  listBlocks,
  loadMapfile,
  mapfileStats,
  phaseMessage,
  readMapfile,
  saveMapfile,
  type Mapfile,
  type MapfileStats,
} from '../../../lib/rescue/mapfile.js';
import { prng, randomInt, randomStatus } from './naive-map.js';

const TESTSUITE = fileURLToPath(new URL('../../../../shared/corpus/gnu-ddrescue/testsuite/', import.meta.url));
const HAVE_CORPUS = existsSync(join(TESTSUITE, 'mapfile1'));
const HAVE_DDRESCUELOG = spawnSync('ddrescuelog', ['--version']).status === 0;
const HAVE_DDRESCUE = spawnSync('ddrescue', ['--version']).status === 0;

const COMPLETE_MAPFILES = ['mapfile1', 'mapfile2', 'mapfile3', 'mapfile4', 'mapfile5', 'mapfile6', 'mapfile6j', 'mapfile_blank'];
const START = new Date(2026, 0, 2, 3, 4, 5);

const work = mkdtempSync(join(tmpdir(), 'discrescue-ddrescue-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function corpusText(name: string): string {
  return readFileSync(join(TESTSUITE, name), 'latin1');
}

/** Runs a tool; returns exit status and stdout. */
function run(command: string, args: string[], cwd = work): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'latin1', maxBuffer: 1 << 26 });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The status line, block lines and their column comments: what follows the heading comments. */
function bodyOf(text: string): string {
  const at = text.indexOf('# current_pos  current_status  current_pass\n');
  if (at < 0) throw new Error(`no column comment in:\n${text}`);
  return text.slice(at);
}

/** A data line's trailing comment, which ddrescue does not write back. */
function withoutTrailingComments(text: string): string {
  return text.replace(/[ \t]+#.*$/gmu, '');
}

function writeTemp(name: string, content: string | Uint8Array): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

function randomBytes(length: number, seed: number): Uint8Array {
  const random = prng(seed);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

function randomMap(random: () => number, size: number, updates = 30): IntervalMap {
  const map = new IntervalMap(size);
  for (let i = 0; i < updates && size > 0; i++) {
    const pos = randomInt(random, size);
    map.set(pos, Math.min(size - pos, 1 + randomInt(random, size / 8)), randomStatus(random));
  }
  return map;
}

function mapfileOf(map: IntervalMap, currentStatus: Mapfile['currentStatus'] = '?', currentPos = 0, currentPass = 1): Mapfile {
  return { currentPos, currentStatus, currentPass, map };
}

/** Parses `ddrescuelog -t`: bytes and areas by status (exact while sizes stay below 10^6). */
function ddrescuelogStatus(output: string): Partial<MapfileStats> {
  const stats: Record<string, number> = {};
  const line = (label: string, bytesKey: string, areasKey: string): void => {
    const match = new RegExp(`${label}:\\s+(\\d+) B,\\s+in\\s+(\\d+) area`, 'u').exec(output);
    if (match === null) throw new Error(`no "${label}" in ddrescuelog output:\n${output}`);
    stats[bytesKey] = Number(match[1]);
    stats[areasKey] = Number(match[2]);
  };
  line('mapfile extent', 'extent', 'extentAreas');
  line('non-tried', 'nonTried', 'nonTriedAreas');
  line('rescued', 'rescued', 'rescuedAreas');
  line('non-trimmed', 'nonTrimmed', 'nonTrimmedAreas');
  line('non-scraped', 'nonScraped', 'nonScrapedAreas');
  line('bad-sector', 'badSector', 'badAreas');
  if (output.includes('domain size:')) line('domain size', 'domainSize', 'domainAreas');
  return stats;
}

function statsSubset(stats: MapfileStats, withDomain: boolean): Partial<MapfileStats> {
  const { extent, extentAreas, nonTried, nonTriedAreas, rescued, rescuedAreas, nonTrimmed, nonTrimmedAreas, nonScraped, nonScrapedAreas, badSector, badAreas } = stats;
  const subset: Partial<MapfileStats> = { extent, extentAreas, nonTried, nonTriedAreas, rescued, rescuedAreas, nonTrimmed, nonTrimmedAreas, nonScraped, nonScrapedAreas, badSector, badAreas };
  if (withDomain) Object.assign(subset, { domainSize: stats.domainSize, domainAreas: stats.domainAreas });
  return subset;
}

describe.skipIf(!HAVE_CORPUS)('ddrescue testsuite corpus (skipped without ../shared/corpus)', () => {
  for (const name of COMPLETE_MAPFILES) {
    it(`${name} round-trips byte for byte after the heading comments`, () => {
      const text = corpusText(name);
      expect(formatMapfileBody(readMapfile(text, { fileName: name }))).toBe(withoutTrailingComments(bodyOf(text)));
    });
  }

  it('mapfile2i is incomplete: an error, unless gaps are filled (then it is mapfile2)', () => {
    expect(() => readMapfile(corpusText('mapfile2i'), { fileName: 'mapfile2i' })).toThrow(/mapfile2i:4: .*gap/u);
    const completed = readMapfile(corpusText('mapfile2i'), { fillGaps: '?' });
    expect(completed.map.equals(readMapfile(corpusText('mapfile2')).map)).toBe(true);
  });

  for (const n of [1, 2, 3, 5]) {
    it(`copying only the finished areas of mapfile${n} from test.txt gives test${n}.txt`, () => {
      const source = readFileSync(join(TESTSUITE, 'test.txt'));
      const expected = readFileSync(join(TESTSUITE, `test${n}.txt`));
      const { map } = readMapfile(corpusText(`mapfile${n}`));
      const last = map.prevRun(map.size, '+');
      const out = Buffer.alloc(last === undefined ? 0 : last.pos + last.size);
      for (const range of map.ranges('+')) source.copy(out, range.pos, range.pos, range.pos + range.size);
      expect(out.equals(expected)).toBe(true);
    });
  }

  it('test4.txt holds test.txt in the finished areas of mapfile4 and zeros elsewhere, except its last (non-tried) block', () => {
    // EXPECTED.md's masking rule does not hold for test4.txt: its final '?' block
    // (0x11800, 0x448) carries the data of test.txt, not zeros.
    const source = readFileSync(join(TESTSUITE, 'test.txt'));
    const test4 = readFileSync(join(TESTSUITE, 'test4.txt'));
    const { map } = readMapfile(corpusText('mapfile4'));
    expect(test4.length).toBe(map.size);
    const tail = map.prevRun(map.size, '?*/-+')!;
    expect(tail).toEqual({ pos: 0x11800, size: 0x448, status: '?' });
    for (const run of map.runs(0, tail.pos)) {
      const part = test4.subarray(run.pos, run.pos + run.size);
      if (run.status === '+') expect(part.equals(source.subarray(run.pos, run.pos + run.size))).toBe(true);
      else expect(part.every((byte) => byte === 0)).toBe(true);
    }
    expect(test4.subarray(tail.pos).equals(source.subarray(tail.pos))).toBe(true);
  });

  it('a rescue restricted to domain mapfile1, then to domain mapfile2, gives test1.txt, then test.txt', () => {
    const source = readFileSync(join(TESTSUITE, 'test.txt'));
    const map = new IntervalMap(source.length);
    const out = Buffer.alloc(source.length);
    const rescueInside = (domain: IntervalMap): void => {
      for (let run = map.nextRun(0, '?', domain); run !== undefined; run = map.nextRun(run.pos + run.size, '?', domain)) {
        source.copy(out, run.pos, run.pos, run.pos + run.size);
        map.set(run.pos, run.size, '+');
      }
    };
    rescueInside(readMapfile(corpusText('mapfile1')).map);
    const test1 = readFileSync(join(TESTSUITE, 'test1.txt'));
    expect(out.subarray(0, test1.length).equals(test1)).toBe(true);
    expect(out.subarray(test1.length).every((byte) => byte === 0)).toBe(true);
    rescueInside(readMapfile(corpusText('mapfile2')).map);
    expect(out.equals(source)).toBe(true);
    expect(map.count('+')).toBe(source.length);
  });

  it('lists the sectors the testsuite expects (ddrescuelog -b2048 -l+ / -l?- / -i -o -s)', () => {
    const { map } = readMapfile(corpusText('mapfile1'));
    const evens = Array.from({ length: 18 }, (_, i) => 2 * i);
    expect(listBlocks(map, 2048, '+')).toEqual(evens);
    expect(listBlocks(map, 2048, '?-')).toEqual(evens.map((n) => n + 1));
    expect(listBlocks(map, 2048, '+', { inputPosition: 0x1800, outputPosition: 0, size: 0x4000 })).toEqual([1, 3, 5, 7]);
  });

  it('mapfiles 3, 4 and 5 split the disc: any two AND to nothing finished, all three OR to everything', () => {
    const [m3, m4, m5] = [3, 4, 5].map((n) => readMapfile(corpusText(`mapfile${n}`)).map) as [IntervalMap, IntervalMap, IntervalMap];
    for (const [a, b] of [
      [m3, m4],
      [m4, m5],
      [m3, m5],
    ] as const) {
      expect(combine(a, b, 'and').count('+')).toBe(0);
    }
    expect(combine(combine(m3, m4, 'or'), m5, 'or').count('+')).toBe(m3.size);
    expect(combine(readMapfile(corpusText('mapfile1')).map, readMapfile(corpusText('mapfile2')).map, 'and').count('+')).toBe(0);
  });
});

describe.skipIf(!HAVE_CORPUS || !HAVE_DDRESCUELOG)('ddrescuelog as oracle on the corpus (skipped without the corpus or ddrescuelog)', () => {
  for (const name of COMPLETE_MAPFILES) {
    it(`our rewrite of ${name} equals ddrescuelog's (identity --change-types), after the heading`, () => {
      const theirs = run('ddrescuelog', ['-a', '?,?', join(TESTSUITE, name)]);
      expect(theirs.status).toBe(0);
      expect(formatMapfileBody(readMapfile(corpusText(name)))).toBe(bodyOf(theirs.stdout));
    });
  }

  it('completes mapfile2i like ddrescuelog --complete-mapfile', () => {
    const theirs = run('ddrescuelog', ['-C', join(TESTSUITE, 'mapfile2i')]);
    expect(theirs.status).toBe(0);
    expect(formatMapfileBody(readMapfile(corpusText('mapfile2i'), { fillGaps: '?' }))).toBe(bodyOf(theirs.stdout));
  });

  for (const name of COMPLETE_MAPFILES) {
    it(`lists the blocks of ${name} like ddrescuelog -l, for several sector sizes, type sets and windows`, () => {
      const windows: Array<{ args: string[]; options: { inputPosition?: number; outputPosition?: number; size?: number } }> = [
        { args: [], options: {} },
        { args: ['-i0x1800', '-o0', '-s0x4000'], options: { inputPosition: 0x1800, outputPosition: 0, size: 0x4000 } },
        { args: ['-i0x2A00'], options: { inputPosition: 0x2a00 } },
        { args: ['-s0x7001'], options: { size: 0x7001 } },
      ];
      const { map } = readMapfile(corpusText(name));
      let compared = 0;
      for (const sectorSize of [512, 2048, 2352, 1000]) {
        for (const types of ['+', '?', '-', '?-', '*/', '+-?*/']) {
          for (const window of windows) {
            const { inputPosition, outputPosition } = window.options;
            if (outputPosition !== undefined && (inputPosition! - outputPosition) % sectorSize !== 0) continue;
            const theirs = run('ddrescuelog', [`-b${sectorSize}`, `-l${types}`, ...window.args, join(TESTSUITE, name)]);
            expect(theirs.status, theirs.stderr).toBe(0);
            const ours = listBlocks(map, sectorSize, types, window.options);
            expect(ours.map((n) => `${n}\n`).join(''), `${name} -b${sectorSize} -l${types} ${window.args.join(' ')}`).toBe(theirs.stdout);
            compared++;
          }
        }
      }
      expect(compared).toBeGreaterThan(60);
    });
  }

  it('lists blocks inside a domain mapfile like ddrescuelog -m', () => {
    for (const [name, domainName] of [
      ['mapfile6', 'mapfile3'],
      ['mapfile1', 'mapfile4'],
      ['mapfile6j', 'mapfile2'],
    ] as const) {
      const domain = readMapfile(corpusText(domainName)).map;
      const { map } = readMapfile(corpusText(name));
      for (const types of ['+', '?-', '-']) {
        const theirs = run('ddrescuelog', ['-b512', `-l${types}`, '-m', join(TESTSUITE, domainName), join(TESTSUITE, name)]);
        expect(listBlocks(map, 512, types, { domain }).map((n) => `${n}\n`).join('')).toBe(theirs.stdout);
      }
    }
  });

  for (const [op, flag] of [
    ['and', '-y'],
    ['or', '-z'],
    ['xor', '-x'],
  ] as const) {
    it(`combines (${op}) like ddrescuelog ${flag} for every ordered pair of corpus maps`, () => {
      for (const a of COMPLETE_MAPFILES) {
        for (const b of COMPLETE_MAPFILES) {
          const theirs = run('ddrescuelog', [flag, join(TESTSUITE, b), join(TESTSUITE, a)]);
          expect(theirs.status).toBe(0);
          const combined = combine(readMapfile(corpusText(a)).map, readMapfile(corpusText(b)).map, op);
          const ours = formatMapfileBody({ ...readMapfile(theirs.stdout), map: combined });
          expect(ours, `ddrescuelog ${flag} ${b} ${a}`).toBe(bodyOf(theirs.stdout));
        }
      }
    });
  }

  it('combines like ddrescuelog on random maps of different sizes and all statuses', () => {
    const random = prng(31);
    const flags: Record<CombineOperation, string> = { and: '-y', or: '-z', xor: '-x' };
    for (let round = 0; round < 10; round++) {
      const a = randomMap(random, 1000 + randomInt(random, 50_000));
      const b = randomMap(random, 1000 + randomInt(random, 50_000));
      const pathA = writeTemp('combine-a.map', formatMapfileBody(mapfileOf(a)));
      const pathB = writeTemp('combine-b.map', formatMapfileBody(mapfileOf(b)));
      for (const op of ['and', 'or', 'xor'] as const) {
        const theirs = run('ddrescuelog', [flags[op], pathB, pathA]);
        expect(theirs.status).toBe(0);
        expect(formatMapfileBody(mapfileOf(combine(a, b, op)))).toBe(bodyOf(theirs.stdout));
      }
    }
  });

  it('shows the same statistics as ddrescuelog -t, with and without a domain mapfile', () => {
    for (const name of COMPLETE_MAPFILES) {
      const { map } = readMapfile(corpusText(name));
      const theirs = run('ddrescuelog', ['-t', join(TESTSUITE, name)]);
      expect(theirs.status).toBe(0);
      expect(statsSubset(mapfileStats(map), false)).toEqual(ddrescuelogStatus(theirs.stdout));
      for (const domainName of ['mapfile3', 'mapfile6']) {
        const domain = readMapfile(corpusText(domainName)).map;
        const inDomain = run('ddrescuelog', ['-t', '-m', join(TESTSUITE, domainName), join(TESTSUITE, name)]);
        expect(statsSubset(mapfileStats(map, { domain }), true)).toEqual(ddrescuelogStatus(inDomain.stdout));
      }
    }
  });
});

describe.skipIf(!HAVE_DDRESCUELOG)('ddrescuelog as oracle on generated maps (skipped without ddrescuelog)', () => {
  it('ddrescuelog -p (compare) agrees with IntervalMap.equals, with and without a domain', () => {
    const random = prng(41);
    let equalPairs = 0;
    for (let round = 0; round < 40; round++) {
      const size = 1000 + randomInt(random, 100_000);
      const a = randomMap(random, size);
      let b: IntervalMap;
      const kind = round % 4;
      if (kind === 0) b = a.clone();
      else if (kind === 1) {
        b = a.clone();
        const pos = randomInt(random, size);
        b.set(pos, 1, a.statusAt(pos) === '+' ? '-' : '+');
      } else if (kind === 2) {
        b = a.clone();
        b.setSize(size + 1 + randomInt(random, 100), a.statusAt(size - 1));
      } else b = randomMap(random, size);
      const pathA = writeTemp('p-a.map', formatMapfileBody(mapfileOf(a)));
      const pathB = writeTemp('p-b.map', formatMapfileBody(mapfileOf(b)));
      const theirs = run('ddrescuelog', ['-q', '-p', pathB, pathA]).status;
      expect(theirs === 0, `round ${round} (kind ${kind})`).toBe(a.equals(b));
      if (a.equals(b)) equalPairs++;
      const domain = randomMap(random, size);
      const pathDomain = writeTemp('p-domain.map', formatMapfileBody(mapfileOf(domain)));
      const theirsInDomain = run('ddrescuelog', ['-q', '-m', pathDomain, '-p', pathB, pathA]).status;
      expect(theirsInDomain === 0, `round ${round} (kind ${kind}) with a domain`).toBe(a.equals(b, domain));
    }
    expect(equalPairs).toBeGreaterThanOrEqual(10);
  });

  it('accepts every map we write (ddrescuelog -t exits 0 and agrees on the statistics): the hand-over guarantee', () => {
    const random = prng(51);
    for (let round = 0; round < 30; round++) {
      const map = randomMap(random, randomInt(random, 900_000), 60);
      const mapfile = mapfileOf(map, '?*/-FG+'[round % 7] as Mapfile['currentStatus'], randomInt(random, map.size + 1), 1 + (round % 4));
      const path = writeTemp('ours.map', formatMapfile(mapfile, { version: '0.1.0', commandLine: ['discrescue', 'rescue', '/dev/sr0', 'x.iso', 'ours.map'], startTime: START }));
      const theirs = run('ddrescuelog', ['-t', path]);
      if (map.size === 0) {
        expect(theirs.status).toBe(0);
        continue;
      }
      expect(theirs.status, theirs.stderr).toBe(0);
      expect(ddrescuelogStatus(theirs.stdout)).toEqual(statsSubset(mapfileStats(map), false));
      const rewritten = run('ddrescuelog', ['-a', '?,?', path]);
      expect(bodyOf(rewritten.stdout)).toBe(formatMapfileBody(mapfile));
    }
  });

  it('accepts a map with positions beyond 4 GiB (a BD-R image)', () => {
    const map = new IntervalMap(128_001_769_472); // 100 GB BD-XL user area in bytes
    map.set(0x5_0000_0000, 0x800, '-');
    map.set(0, 0x5_0000_0000, '+');
    const mapfile = mapfileOf(map, '?', 0x5_0000_0800);
    const path = writeTemp('bd.map', formatMapfile(mapfile, { commandLine: 'x', startTime: START }));
    const rewritten = run('ddrescuelog', ['-a', '?,?', path]);
    expect(rewritten.status).toBe(0);
    expect(bodyOf(rewritten.stdout)).toBe(formatMapfileBody(mapfile));
    expect(run('ddrescuelog', ['-b2048', '-l-', path]).stdout).toBe(`${0x5_0000_0000 / 2048}\n`);
  });
});

describe.skipIf(!HAVE_DDRESCUE || !HAVE_DDRESCUELOG)('hand-over with GNU ddrescue (skipped without ddrescue and ddrescuelog)', () => {
  const SIZE = 512 * 1024;
  const input = randomBytes(SIZE, 61);
  const defects = mapfileOf(
    IntervalMap.fromRuns([
      { pos: 0, size: 0x20000, status: '+' },
      { pos: 0x20000, size: 0x1000, status: '-' },
      { pos: 0x21000, size: 0x50000, status: '+' },
      { pos: 0x71000, size: 0x800, status: '-' },
      { pos: 0x71800, size: SIZE - 0x71800, status: '+' },
    ]),
    '+',
  );

  /** Runs ddrescue in a fresh directory with `in` and the defect map; returns that directory. */
  function ddrescue(name: string, args: string[], mapText?: string): { dir: string; status: number; map: string } {
    const dir = join(work, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(join(dir, 'in'), input);
    writeFileSync(join(dir, 'defects'), formatMapfileBody(defects));
    if (mapText !== undefined) writeFileSync(join(dir, 'map'), mapText);
    const result = run('ddrescue', ['-q', '-b2048', '--test-mode=defects', ...args, 'in', 'out', 'map'], dir);
    return { dir, status: result.status, map: readFileSync(join(dir, 'map'), 'latin1') };
  }

  const scenarios: Array<{ name: string; args: string[]; start?: () => string; phase: RegExp }> = [
    { name: 'finished', args: [], phase: /^Finished$/u },
    { name: 'no-trim-no-scrape', args: ['-n', '-N'], phase: /^Finished$/u },
    { name: 'copy-forwards', args: ['--max-read-errors=0'], phase: /^Copying non-tried blocks\.\.\. Pass 1 \(forwards\)$/u },
    { name: 'copy-backwards', args: ['-R', '--max-read-errors=0'], phase: /^Copying non-tried blocks\.\.\. Pass 1 \(backwards\)$/u },
    {
      name: 'trimming',
      args: ['-c1', '--max-read-errors=1'],
      start: () => bodyOf(ddrescue('trimming-start', ['--max-read-errors=0']).map),
      phase: /^Trimming failed blocks\.\.\. \(forwards\)$/u,
    },
    {
      name: 'scraping',
      args: ['--max-read-errors=1'],
      start: () =>
        formatMapfileBody(
          mapfileOf(
            IntervalMap.fromRuns([
              { pos: 0, size: 0x20000, status: '+' },
              { pos: 0x20000, size: 0x10000, status: '/' },
              { pos: 0x30000, size: SIZE - 0x30000, status: '+' },
            ]),
            '/',
          ),
        ),
      phase: /^Scraping failed blocks\.\.\. \(forwards\)$/u,
    },
    {
      name: 'retrying-backwards',
      args: ['-r3', '--max-read-errors=1'],
      start: () =>
        formatMapfileBody(
          mapfileOf(
            IntervalMap.fromRuns([
              { pos: 0, size: 0x70000, status: '+' },
              { pos: 0x70000, size: 0x10000, status: '-' },
              { pos: 0x80000, size: SIZE - 0x80000, status: '+' },
            ]),
            '-',
          ),
        ),
      phase: /^Retrying bad sectors\.\.\. Retry 2 \(backwards\)$/u,
    },
  ];

  for (const scenario of scenarios) {
    it(`reads ddrescue's map (${scenario.name}) and writes its body back byte for byte, phase line included`, () => {
      const { map: text } = ddrescue(scenario.name, scenario.args, scenario.start?.());
      const mapfile = readMapfile(text, { fileName: scenario.name });
      expect(formatMapfileBody(mapfile)).toBe(bodyOf(text));
      expect(mapfile.header?.createdBy).toBe('GNU ddrescue version 1.27');
      expect(mapfile.header?.phase).toMatch(scenario.phase);
      expect(phaseMessage(mapfile.currentStatus, mapfile.currentPass, mapfile.header?.direction)).toBe(mapfile.header?.phase);
      const ours = formatMapfile(mapfile, { version: '0.1.0', commandLine: 'discrescue', startTime: START });
      expect(ours.split('\n')[4]).toBe(`# ${mapfile.header?.phase}`);
      expect(statsSubset(mapfileStats(mapfile.map), false)).toEqual(ddrescuelogStatus(run('ddrescuelog', ['-t', writeTemp('scenario.map', text)]).stdout));
    });
  }

  it('ddrescue continues a rescue we started, trusting our finished areas', async () => {
    const dir = join(work, 'ours-to-ddrescue');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(join(dir, 'in'), input);
    // Our partial rescue: two finished areas, one deliberately holding other bytes so we can see
    // that ddrescue does not read finished areas again; failed areas of each kind.
    const map = IntervalMap.fromRuns([
      { pos: 0, size: 0x10000, status: '+' },
      { pos: 0x10000, size: 0x2000, status: '*' },
      { pos: 0x12000, size: 0x2000, status: '/' },
      { pos: 0x14000, size: 0x800, status: '-' },
      { pos: 0x14800, size: 0xb800, status: '?' },
      { pos: 0x20000, size: 0x8000, status: '+' },
      { pos: 0x28000, size: SIZE - 0x28000, status: '?' },
    ]);
    const image = Buffer.alloc(SIZE);
    Buffer.from(input).copy(image, 0, 0, 0x10000);
    image.fill(0xaa, 0x20000, 0x28000);
    writeFileSync(join(dir, 'out'), image.subarray(0, 0x28000));
    await saveMapfile(join(dir, 'map'), mapfileOf(map, '?', 0x14800), { version: '0.1.0', commandLine: 'discrescue rescue in out map', startTime: START });
    const result = run('ddrescue', ['-q', '-b2048', '-r1', 'in', 'out', 'map'], dir);
    expect(result.status, result.stderr).toBe(0);
    const out = readFileSync(join(dir, 'out'));
    const expected = Buffer.from(input);
    expected.fill(0xaa, 0x20000, 0x28000);
    expect(out.equals(expected)).toBe(true);
    const after = await loadMapfile(join(dir, 'map'));
    expect(after.map.count('+')).toBe(SIZE);
    expect(after.currentStatus).toBe('+');
    expect(after.header?.createdBy).toBe('GNU ddrescue version 1.27');
  });

  it('we continue a rescue ddrescue started (another drive reads its bad sectors), and ddrescuelog says it is done', async () => {
    const { dir, map: text } = ddrescue('ddrescue-to-ours', ['-n']);
    const mapfile = readMapfile(text, { fileName: 'map' });
    expect(mapfile.map.count('-')).toBeGreaterThan(0);
    expect(run('ddrescuelog', ['-q', '-D', 'map'], dir).status).toBe(1);
    const image = readFileSync(join(dir, 'out'));
    const out = Buffer.alloc(SIZE);
    image.copy(out);
    for (let run = mapfile.map.firstNotFinished(0); run !== undefined; run = mapfile.map.firstNotFinished(run.pos + run.size)) {
      Buffer.from(input).copy(out, run.pos, run.pos, run.pos + run.size);
      writeFileSync(join(dir, 'out'), out); // data first, then the map that claims it
      mapfile.map.set(run.pos, run.size, '+');
    }
    await saveMapfile(join(dir, 'map'), { ...mapfile, currentStatus: '+', currentPos: SIZE }, { version: '0.1.0', commandLine: 'discrescue rescue', startTime: START });
    expect(run('ddrescuelog', ['-D', 'map'], dir).status).toBe(0);
    expect(readFileSync(join(dir, 'out')).equals(Buffer.from(input))).toBe(true);
    expect(readdirSync(dir).filter((file) => file.endsWith('.tmp'))).toEqual([]);
  });
});
