import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../../lib/errors.js';
import { IntervalMap, type BlockStatus } from '../../../lib/rescue/interval-map.js';
import { parseMapfile } from '../../../lib/rescue/mapfile-parse.js';
import {
  DATA_SECTOR_SIZE,
  RAW_SECTOR_SIZE,
  bytesToSectors,
  formatMapfile,
  formatMapfileBody,
  listBlocks,
  loadMapfile,
  mapfileStats,
  phaseMessage,
  readMapfile,
  saveMapfile,
  saveMapfileSync,
  sectorsToBytes,
  type Mapfile,
} from '../../../lib/rescue/mapfile.js';
import { prng, randomInt, randomStatus } from './naive-map.js';

/** The example of the ddrescue 1.27 manual, "Mapfile structure". */
const MANUAL_EXAMPLE = `# Mapfile. Created by GNU ddrescue version 1.27
# Command line: ddrescue -d -c18 /dev/fd0 fdimage mapfile
# Start time:   2015-07-21 09:37:44
# Current time: 2015-07-21 09:38:19
# Copying non-tried blocks... Pass 1 (forwards)
# current_pos  current_status  current_pass
0x00120000     ?               1
#      pos        size  status
0x00000000  0x00117000  +
0x00117000  0x00000200  -
0x00117200  0x00001000  /
0x00118200  0x00007E00  *
0x00120000  0x00048000  ?
`;

const START = new Date(2015, 6, 21, 9, 37, 44); // local time, as ddrescue writes it
const NOW = new Date(2015, 6, 21, 9, 38, 19);

function bodyOf(text: string): string {
  const lines = text.split('\n');
  return lines.slice(lines.indexOf('# current_pos  current_status  current_pass')).join('\n');
}

/** The same map read by mapfile-parse.ts alone: what the fast path must agree with. */
function viaParser(text: string): Omit<Mapfile, 'header'> {
  const parsed = parseMapfile(text);
  return { currentPos: parsed.currentPos, currentStatus: parsed.currentStatus, currentPass: parsed.currentPass, map: IntervalMap.fromRuns(parsed.blocks) };
}

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('readMapfile', () => {
  it('reads the manual example, status line, blocks and heading comments', () => {
    const mapfile = readMapfile(MANUAL_EXAMPLE, { fileName: 'mapfile' });
    expect(mapfile.currentPos).toBe(0x120000);
    expect(mapfile.currentStatus).toBe('?');
    expect(mapfile.currentPass).toBe(1);
    expect([...mapfile.map.runs()]).toEqual([
      { pos: 0, size: 0x117000, status: '+' },
      { pos: 0x117000, size: 0x200, status: '-' },
      { pos: 0x117200, size: 0x1000, status: '/' },
      { pos: 0x118200, size: 0x7e00, status: '*' },
      { pos: 0x120000, size: 0x48000, status: '?' },
    ]);
    expect(mapfile.header).toMatchObject({
      createdBy: 'GNU ddrescue version 1.27',
      commandLine: 'ddrescue -d -c18 /dev/fd0 fdimage mapfile',
      startTime: '2015-07-21 09:37:44',
      currentTime: '2015-07-21 09:38:19',
      phase: 'Copying non-tried blocks... Pass 1 (forwards)',
      direction: 'forwards',
    });
    expect(mapfile.header?.lines).toHaveLength(6);
  });

  it('reads the direction of an interrupted backward pass', () => {
    const text = MANUAL_EXAMPLE.replace('Pass 1 (forwards)', 'Retry 2 (backwards)').replace('Copying non-tried blocks...', 'Retrying bad sectors...');
    expect(readMapfile(text).header).toMatchObject({ phase: 'Retrying bad sectors... Retry 2 (backwards)', direction: 'backwards' });
  });

  it('reads an empty text, a status line alone and the empty-map block as empty maps', () => {
    for (const text of ['', '# nothing\n', '0x0 ? 1\n', '0x00000000     +               1\n0x00000000  0x00000000  ?\n']) {
      const mapfile = readMapfile(text);
      expect(mapfile.map.size).toBe(0);
    }
  });

  it('merges adjacent blocks of equal status, as ddrescue does', () => {
    const mapfile = readMapfile('0 + 1\n0 0x100 +\n0x100 0x100 +\n0x200 0x100 -\n');
    expect(mapfile.map.runCount).toBe(2);
    expect(bodyOf(formatMapfileBody(mapfile))).toContain('0x00000000  0x00000200  +\n0x00000200  0x00000100  -\n');
  });

  it('accepts every syntax the parser accepts, with the same result as the parser (seeded random maps)', () => {
    const random = prng(21);
    const styles = [
      (n: number) => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`,
      (n: number) => `0x${n.toString(16)}`,
      (n: number) => String(n),
      (n: number) => (n === 0 ? '0' : `0${n.toString(8)}`),
      (n: number) => `+${n}`,
    ];
    for (let round = 0; round < 200; round++) {
      const style = styles[round % styles.length]!;
      const separator = [' ', '  ', '\t', ' \t '][randomInt(random, 4)]!;
      const eol = round % 7 === 0 ? '\r\n' : '\n';
      const lines = ['# Mapfile. Created by a test', '# current_pos  current_status  current_pass'];
      const pass = 1 + randomInt(random, 5);
      const statusLine = [style(randomInt(random, 1 << 30)), '?*/-FG+'[randomInt(random, 7)]!];
      if (round % 5 !== 0) statusLine.push(String(pass));
      lines.push(statusLine.join(separator));
      let pos = 0;
      const blockCount = randomInt(random, 30);
      for (let i = 0; i < blockCount; i++) {
        const size = 1 + randomInt(random, round % 3 === 0 ? 2 ** 20 : 5000);
        let line = [style(pos), style(size), randomStatus(random)].join(separator);
        if (round % 13 === 0 && i === 2) line += `${separator}# trailing comment`;
        if (round % 17 === 0 && i === 1) lines.push('');
        lines.push(line);
        pos += size;
      }
      const text = lines.join(eol) + (round % 4 === 0 ? '' : eol);
      const expected = viaParser(text);
      const actual = readMapfile(text);
      expect({ ...actual, header: undefined, map: [...actual.map.runs()] }).toEqual({ ...expected, header: undefined, map: [...expected.map.runs()] });
    }
  });

  it('accepts positions up to 2^53 − 1 and rejects anything larger', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const ok = readMapfile(`0 + 1\n0 ${max - 1} +\n${max - 1} 1 -\n`);
    expect(ok.map.size).toBe(max);
    const error = catchError(() => readMapfile(`0 + 1\n0 0x20000000000000 +\n`, { fileName: 'huge.map' }));
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).line).toBe(2);
  });

  it('fills gaps of an incomplete map only when asked (ddrescuelog -C)', () => {
    const text = '0 + 1\n0x100 0x100 +\n0x300 0x100 -\n';
    expect(() => readMapfile(text)).toThrow(FormatError);
    const completed = readMapfile(text, { fillGaps: '?' });
    expect([...completed.map.runs()]).toEqual([
      { pos: 0, size: 0x100, status: '?' },
      { pos: 0x100, size: 0x100, status: '+' },
      { pos: 0x200, size: 0x100, status: '?' },
      { pos: 0x300, size: 0x100, status: '-' },
    ]);
  });
});

describe('readMapfile on hostile input throws FormatError naming file and line', () => {
  const cases: Array<[name: string, text: string, line: number]> = [
    ['overlapping blocks', '0 + 1\n0 0x200 +\n0x100 0x200 -\n', 3],
    ['a gap between blocks', '0 + 1\n0 0x200 +\n0x300 0x200 -\n', 3],
    ['a first block not at 0', '# c\n0 + 1\n0x10 0x200 +\n', 3],
    ['a size beyond 2^53', '0 + 1\n0 0xFFFFFFFFFFFFFFFF +\n', 2],
    ['a block ending beyond 2^53', '0 + 1\n0 0x10000000000000 +\n0x10000000000000 0x10000000000000 -\n', 3],
    ['a bad block status', '0 + 1\n0 0x200 x\n', 2],
    ['a phase status in a block', '0 + 1\n0 0x200 F\n', 2],
    ['a bad current status', '0 x 1\n0 0x200 +\n', 1],
    ['a pass of 0', '0 + 0\n0 0x200 +\n', 1],
    ['a hexadecimal pass', '0 + 0x1\n', 1],
    ['a negative position', '0 + 1\n0 0x200 +\n-0x200 0x200 +\n', 3],
    ['a non-number', '0 + 1\n0 zz +\n', 2],
    ['"0x" without digits', '0 + 1\n0x 0x200 +\n', 2],
    ['bad octal', '0 + 1\n0 09 +\n', 2],
    ['a missing status', '0 + 1\n0 0x200\n', 2],
    ['an extra field', '0 + 1\n0 0x200 + +\n', 2],
    ['an empty block inside the map', '0 + 1\n0 0x200 +\n0x200 0 -\n0x200 0x10 -\n', 3],
    ['a status line with one field', '0x100\n', 1],
  ];
  for (const [name, text, line] of cases) {
    it(name, () => {
      const error = catchError(() => readMapfile(text, { fileName: 'bad.map' }));
      expect(error).toBeInstanceOf(FormatError);
      expect((error as FormatError).line).toBe(line);
      expect((error as FormatError).file).toBe('bad.map');
      expect((error as Error).message).toContain(`bad.map:${line}:`);
    });
  }

  it('rejects a non-string', () => {
    expect(() => readMapfile(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('formatMapfile', () => {
  it('writes the manual example byte for byte after our heading', () => {
    const mapfile = readMapfile(MANUAL_EXAMPLE);
    const text = formatMapfile(mapfile, { version: '0.1.0', commandLine: 'discrescue rescue /dev/fd0 fdimage mapfile', startTime: START, currentTime: NOW });
    expect(text).toBe(
      MANUAL_EXAMPLE.replace('GNU ddrescue version 1.27', 'discrescue version 0.1.0').replace(
        'ddrescue -d -c18 /dev/fd0 fdimage mapfile',
        'discrescue rescue /dev/fd0 fdimage mapfile',
      ),
    );
  });

  it('writes "# Finished" for a finished rescue and joins command words with spaces', () => {
    const mapfile: Mapfile = { currentPos: 0x72000, currentStatus: '+', currentPass: 1, map: new IntervalMap(0x100000, '+') };
    expect(formatMapfile(mapfile, { version: '1', commandLine: ['discrescue', 'rescue', '-b2048'], startTime: START, currentTime: NOW })).toBe(
      '# Mapfile. Created by discrescue version 1\n' +
        '# Command line: discrescue rescue -b2048\n' +
        '# Start time:   2015-07-21 09:37:44\n' +
        '# Current time: 2015-07-21 09:38:19\n' +
        '# Finished\n' +
        '# current_pos  current_status  current_pass\n' +
        '0x00072000     +               1\n' +
        '#      pos        size  status\n' +
        '0x00000000  0x00100000  +\n',
    );
  });

  it('keeps the heading to comment lines whatever the command line holds', () => {
    const mapfile: Mapfile = { currentPos: 0, currentStatus: '?', currentPass: 1, map: new IntervalMap(10) };
    const text = formatMapfile(mapfile, { commandLine: 'a\nb\r\n0 + 1', startTime: START, currentTime: NOW, phase: 'x\ny' });
    expect(text.split('\n').slice(0, 5).every((line) => line.startsWith('# '))).toBe(true);
    expect(readMapfile(text).map.size).toBe(10);
  });

  it('uses the direction of the header unless told', () => {
    const mapfile = readMapfile(MANUAL_EXAMPLE.replace('(forwards)', '(backwards)'));
    const options = { commandLine: 'x', startTime: START };
    expect(formatMapfile(mapfile, options).split('\n')[4]).toBe('# Copying non-tried blocks... Pass 1 (backwards)');
    expect(formatMapfile(mapfile, { ...options, direction: 'forwards' }).split('\n')[4]).toBe('# Copying non-tried blocks... Pass 1 (forwards)');
    expect(formatMapfile(mapfile, { ...options, finished: true }).split('\n')[4]).toBe('# Finished');
    expect(() => formatMapfile(mapfile, { startTime: START } as never)).toThrow(TypeError);
  });

  it('names the package version when none is given', () => {
    const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    const mapfile: Mapfile = { currentPos: 0, currentStatus: '?', currentPass: 1, map: new IntervalMap(1) };
    expect(formatMapfile(mapfile, { commandLine: 'x', startTime: START }).split('\n')[0]).toBe(`# Mapfile. Created by discrescue version ${version}`);
  });

  it('widens numbers past 8 hex digits like printf %08llX', () => {
    const map = IntervalMap.fromRuns([
      { pos: 0, size: 0x1c8ded0000, status: '+' },
      { pos: 0x1c8ded0000, size: 0x10000, status: '*' },
      { pos: 0x1c8dee0000, size: Number.MAX_SAFE_INTEGER - 0x1c8dee0000, status: '?' },
    ]);
    const body = formatMapfileBody({ currentPos: 0x1c8ded0000, currentStatus: '*', currentPass: 1, map });
    expect(body).toBe(
      '# current_pos  current_status  current_pass\n' +
        '0x1C8DED0000     *               1\n' +
        '#      pos        size  status\n' +
        '0x00000000  0x1C8DED0000  +\n' +
        '0x1C8DED0000  0x00010000  *\n' +
        '0x1C8DEE0000  0x1FFFE372120000  ?\n'.replace('0x1FFFE372120000', `0x${(Number.MAX_SAFE_INTEGER - 0x1c8dee0000).toString(16).toUpperCase()}`),
    );
    expect(readMapfile(body).map.equals(map)).toBe(true);
  });

  it('writes the empty map the way ddrescue does for an empty input', () => {
    const body = formatMapfileBody({ currentPos: 0, currentStatus: '+', currentPass: 1, map: new IntervalMap() });
    expect(body.endsWith('#      pos        size  status\n0x00000000  0x00000000  ?\n')).toBe(true);
    expect(readMapfile(body).map.size).toBe(0);
  });

  it('round-trips random maps', () => {
    const random = prng(5);
    for (let round = 0; round < 100; round++) {
      const map = new IntervalMap(randomInt(random, 2 ** 36));
      for (let i = 0; i < 50 && map.size > 0; i++) {
        const pos = randomInt(random, map.size);
        map.set(pos, Math.min(map.size - pos, randomInt(random, 2 ** 30)), randomStatus(random));
      }
      const mapfile: Mapfile = { currentPos: randomInt(random, 2 ** 40), currentStatus: '?*/-FG+'[round % 7] as Mapfile['currentStatus'], currentPass: 1 + (round % 9), map };
      const back = readMapfile(formatMapfile(mapfile, { startTime: START, currentTime: NOW, commandLine: 'x' }));
      expect(back.currentPos).toBe(mapfile.currentPos);
      expect(back.currentStatus).toBe(mapfile.currentStatus);
      expect(back.currentPass).toBe(mapfile.currentPass);
      expect(back.map.equals(map)).toBe(true);
    }
  });

  it('rejects an invalid status line and missing options', () => {
    const map = new IntervalMap(1);
    expect(() => formatMapfileBody({ currentPos: -1, currentStatus: '?', currentPass: 1, map })).toThrow(RangeError);
    expect(() => formatMapfileBody({ currentPos: 0, currentStatus: 'x' as '?', currentPass: 1, map })).toThrow(RangeError);
    expect(() => formatMapfileBody({ currentPos: 0, currentStatus: '?', currentPass: 0, map })).toThrow(RangeError);
    expect(() => formatMapfile({ currentPos: 0, currentStatus: '?', currentPass: 1, map }, {} as never)).toThrow(TypeError);
  });
});

describe('phaseMessage', () => {
  it('says what ddrescue 1.27 says', () => {
    expect(phaseMessage('?', 1)).toBe('Copying non-tried blocks... Pass 1 (forwards)');
    expect(phaseMessage('?', 2, 'backwards')).toBe('Copying non-tried blocks... Pass 2 (backwards)');
    expect(phaseMessage('*', 1)).toBe('Trimming failed blocks... (forwards)');
    expect(phaseMessage('/', 1, 'backwards')).toBe('Scraping failed blocks... (backwards)');
    expect(phaseMessage('-', 3)).toBe('Retrying bad sectors... Retry 3 (forwards)');
    expect(phaseMessage('F', 1)).toBe('Filling blocks...');
    expect(phaseMessage('G', 1)).toBe('Generating mapfile...');
    expect(phaseMessage('+', 2)).toBe('Finished');
    expect(phaseMessage('?', 1, 'forwards', true)).toBe('Finished');
  });
});

describe('mapfileStats', () => {
  const map = IntervalMap.fromRuns([
    { pos: 0, size: 0x100, status: '+' },
    { pos: 0x100, size: 0x400, status: '-' },
    { pos: 0x500, size: 0x100, status: '+' },
    { pos: 0x600, size: 0x80, status: '*' },
    { pos: 0x680, size: 0x80, status: '/' },
    { pos: 0x700, size: 0x100, status: '?' },
  ]);

  it('sums bytes and areas by status', () => {
    expect(mapfileStats(map)).toEqual({
      extent: 0x800,
      extentAreas: 6,
      domainSize: 0x800,
      domainAreas: 1,
      nonTried: 0x100,
      nonTriedAreas: 1,
      rescued: 0x200,
      rescuedAreas: 2,
      nonTrimmed: 0x80,
      nonTrimmedAreas: 1,
      nonScraped: 0x80,
      nonScrapedAreas: 1,
      badSector: 0x400,
      badAreas: 1,
      tried: 0x500,
    });
  });

  it('counts a block split by the domain once per piece, like ddrescuelog -t -m', () => {
    const domain = IntervalMap.fromRuns([
      { pos: 0, size: 0x200, status: '+' },
      { pos: 0x200, size: 0x100, status: '?' },
      { pos: 0x300, size: 0x300, status: '+' },
    ]);
    expect(mapfileStats(map, { domain })).toMatchObject({
      domainSize: 0x500,
      domainAreas: 2,
      rescued: 0x200,
      rescuedAreas: 2,
      badSector: 0x300,
      badAreas: 2,
      nonTried: 0,
      nonTrimmed: 0,
    });
  });
});

describe('listBlocks and sector conversions', () => {
  const map = IntervalMap.fromRuns([
    { pos: 0, size: 0x800, status: '+' },
    { pos: 0x800, size: 0x80, status: '-' }, // part of sector 1
    { pos: 0x880, size: 0x780, status: '?' },
    { pos: 0x1000, size: 0x1000, status: '+' },
    { pos: 0x2000, size: 0x123, status: '-' },
  ]);

  it('lists every sector touched, even partially, once', () => {
    expect(listBlocks(map, DATA_SECTOR_SIZE, '+')).toEqual([0, 2, 3]);
    expect(listBlocks(map, DATA_SECTOR_SIZE, '-')).toEqual([1, 4]);
    expect(listBlocks(map, DATA_SECTOR_SIZE, '?-')).toEqual([1, 4]);
    expect(listBlocks(map, 512, '-')).toEqual([4, 16]);
    expect(listBlocks(map, RAW_SECTOR_SIZE, '-')).toEqual([0, 3]);
  });

  it('restricts to -i/-s and numbers from -o', () => {
    expect(listBlocks(map, DATA_SECTOR_SIZE, '+', { inputPosition: 0x1000 })).toEqual([2, 3]);
    expect(listBlocks(map, DATA_SECTOR_SIZE, '+', { inputPosition: 0x1000, outputPosition: 0 })).toEqual([0, 1]);
    expect(listBlocks(map, DATA_SECTOR_SIZE, '+', { inputPosition: 0x800, outputPosition: 0, size: 0x1000 })).toEqual([1]);
    expect(() => listBlocks(map, DATA_SECTOR_SIZE, '+', { inputPosition: 0x100, outputPosition: 0 })).toThrow(RangeError);
    expect(() => listBlocks(map, 0, '+')).toThrow(RangeError);
  });

  it('restricts to a domain', () => {
    const domain = IntervalMap.fromRuns([
      { pos: 0, size: 0x1800, status: '?' },
      { pos: 0x1800, size: 0x1000, status: '+' },
    ]);
    expect(listBlocks(map, DATA_SECTOR_SIZE, '+', { domain })).toEqual([3]);
    expect(listBlocks(map, DATA_SECTOR_SIZE, '-', { domain })).toEqual([4]);
  });

  it('converts byte ranges and sector ranges', () => {
    expect(bytesToSectors({ pos: 0x800, size: 0x80 }, DATA_SECTOR_SIZE)).toEqual({ lba: 1, sectorCount: 1 });
    expect(bytesToSectors({ pos: 0x7ff, size: 2 }, DATA_SECTOR_SIZE)).toEqual({ lba: 0, sectorCount: 2 });
    expect(bytesToSectors({ pos: 4096, size: 0 }, DATA_SECTOR_SIZE)).toEqual({ lba: 2, sectorCount: 0 });
    expect(sectorsToBytes({ lba: 16, sectorCount: 2 }, RAW_SECTOR_SIZE)).toEqual({ pos: 16 * 2352, size: 2 * 2352 });
    expect(() => sectorsToBytes({ lba: 2 ** 52, sectorCount: 1 }, RAW_SECTOR_SIZE)).toThrow(RangeError);
    expect(() => bytesToSectors({ pos: -1, size: 1 }, 2048)).toThrow(RangeError);
  });
});

describe('loadMapfile and saveMapfile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'discrescue-mapfile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('saves atomically and loads back, leaving no temporary file', async () => {
    const path = join(dir, 'rescue.map');
    const mapfile = readMapfile(MANUAL_EXAMPLE);
    await saveMapfile(path, mapfile, { version: '9', commandLine: 'x', startTime: START, currentTime: NOW });
    expect(readFileSync(path, 'utf8')).toBe(formatMapfile(mapfile, { version: '9', commandLine: 'x', startTime: START, currentTime: NOW }));
    const loaded = await loadMapfile(path);
    expect(loaded.map.equals(mapfile.map)).toBe(true);
    expect(loaded.header?.createdBy).toBe('discrescue version 9');
    mapfile.map.set(0x120000, 0x1000, '+');
    chmodSync(path, 0o600);
    saveMapfileSync(path, mapfile, { commandLine: 'ü', startTime: START });
    expect((await loadMapfile(path)).map.equals(mapfile.map)).toBe(true);
    expect((await loadMapfile(path)).header?.commandLine).toBe('ü');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['rescue.map']);
  });

  it('names the file in FormatError', async () => {
    const path = join(dir, 'rescue.map');
    await saveMapfile(path, readMapfile(MANUAL_EXAMPLE), { commandLine: 'x', startTime: START });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, '0 + 1\n0 0x10 +\n0x20 0x10 -\n');
    await expect(loadMapfile(path)).rejects.toMatchObject({ name: 'FormatError', file: path, line: 3 });
  });
});
