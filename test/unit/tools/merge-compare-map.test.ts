import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareWithSource } from '../../../lib/rescue/compare.js';
import { IntervalMap } from '../../../lib/rescue/interval-map.js';
import { renderMapSvg } from '../../../lib/rescue/map-svg.js';
import { formatMapfileBody, loadMapfile, saveMapfile } from '../../../lib/rescue/mapfile.js';
import { mergeRescues } from '../../../lib/rescue/merge.js';
import { createMemorySource } from '../../../lib/sources/memory-source.js';

const dir = mkdtempSync(join(tmpdir(), 'discrescue-tools-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECTOR = 2048;
const disc = new Uint8Array(64 * SECTOR).map((_, i) => (i * 31 + (i >> 11)) & 0xff);

async function partial(name: string, good: Array<[number, number]>): Promise<{ image: string; mapfile: string }> {
  const map = new IntervalMap(disc.length, '-');
  const image = new Uint8Array(disc.length);
  for (const [first, count] of good) {
    map.set(first * SECTOR, count * SECTOR, '+');
    image.set(disc.subarray(first * SECTOR, (first + count) * SECTOR), first * SECTOR);
  }
  const paths = { image: join(dir, `${name}.img`), mapfile: join(dir, `${name}.map`) };
  writeFileSync(paths.image, image);
  await saveMapfile(paths.mapfile, { currentPos: 0, currentStatus: '+', currentPass: 1, map }, { commandLine: 'test', startTime: new Date(0), currentTime: new Date(0), finished: true });
  return paths;
}

describe('mergeRescues', () => {
  it('combines rescues from two drives into one complete image, never overwriting finished data', async () => {
    const a = await partial('a', [[0, 40]]);
    const b = await partial('b', [[30, 34]]);
    const out = { image: join(dir, 'out.img'), mapfile: join(dir, 'out.map') };
    const result = await mergeRescues({ ...out, inputs: [a, b], check: true });
    expect(result.copiedBytes).toEqual([40 * SECTOR, 24 * SECTOR]);
    expect(result.conflicts).toEqual([]);
    expect(result.complete).toBe(true);
    expect(new Uint8Array(readFileSync(out.image))).toEqual(disc);
    expect(formatMapfileBody(await loadMapfile(out.mapfile))).toContain('0x00000000  0x00020000  +\n');
  });

  it('reports conflicting finished data with --check', async () => {
    const a = await partial('c', [[0, 64]]);
    const bad = await partial('d', [[10, 1]]);
    const corrupted = readFileSync(bad.image);
    corrupted[10 * SECTOR + 5] = (corrupted[10 * SECTOR + 5] ?? 0) ^ 0xff;
    writeFileSync(bad.image, corrupted);
    const out = { image: join(dir, 'out2.img'), mapfile: join(dir, 'out2.map') };
    const result = await mergeRescues({ ...out, inputs: [a, bad], check: true });
    expect(result.conflicts).toEqual([{ input: 1, pos: 10 * SECTOR, size: SECTOR }]);
    expect(new Uint8Array(readFileSync(out.image))).toEqual(disc);
  });

  it('refuses inputs of another size', async () => {
    const small = { image: join(dir, 's.img'), mapfile: join(dir, 's.map') };
    writeFileSync(small.image, new Uint8Array(SECTOR));
    writeFileSync(small.mapfile, '0x0 + 1\n0x0 0x800 +\n');
    const a = await partial('e', [[0, 64]]);
    await expect(mergeRescues({ image: join(dir, 'o3.img'), mapfile: join(dir, 'o3.map'), inputs: [a, small] })).rejects.toThrow(/not the same disc/u);
  });
});

describe('compareWithSource', () => {
  it('finds differing and unreadable sectors, only where the map is finished', async () => {
    const image = new Uint8Array(disc);
    image[5 * SECTOR] = (image[5 * SECTOR] ?? 0) ^ 1;
    image[50 * SECTOR + 7] = (image[50 * SECTOR + 7] ?? 0) ^ 1;
    const path = join(dir, 'cmp.img');
    writeFileSync(path, image);
    const source = createMemorySource(disc, { sectorSize: SECTOR, badLbas: [20] });
    expect(await compareWithSource({ source, image: path })).toEqual({
      sectorsCompared: 63,
      differing: [5, 50],
      unreadable: [20],
      missingFromImage: [],
      identical: false,
    });
    const map = new IntervalMap(disc.length, '+');
    map.set(48 * SECTOR, 16 * SECTOR, '-');
    const limited = await compareWithSource({ source, image: path, map });
    expect(limited.differing).toEqual([5]);
  });
});

describe('renderMapSvg', () => {
  it('keeps a single bad sector visible and prints totals', () => {
    const map = new IntervalMap(1000 * SECTOR, '+');
    map.set(777 * SECTOR, SECTOR, '-');
    const svg = renderMapSvg(map, { cells: 100, columns: 10 });
    expect(svg.match(/fill="#d62728"/gu)).toHaveLength(2); // one cell and the legend swatch
    expect(svg).toContain('bad sector: 2048 bytes (1 sectors, 0.100%)');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });
});
