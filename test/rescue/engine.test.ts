/**
 * The rescue engine over in-memory sources: exact final mapfiles and image bytes for the basic
 * defect patterns, the phases ddrescue's options switch off, domains, retry passes, abort and
 * resume, and the refusals that protect data.
 */

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { IntervalMap } from '../../lib/rescue/interval-map.js';
import { rescue, RescueSetupError, type RescueOptions, type RescueResult } from '../../lib/rescue/engine.js';
import { createMemorySource, type MemorySource } from '../../lib/sources/memory-source.js';
import {
  abortAfterReads,
  blockLines,
  expectedImage,
  flaky,
  mapBlocks,
  mapBody,
  randomBytes,
  range,
  readBlocks,
  runsToLines,
  SECTOR,
  statusLine,
  tempFolder,
  wrapSource,
} from './helpers.js';

const folder = tempFolder('engine');
afterAll(() => folder.remove());

let serial = 0;
/** Fresh image and mapfile paths. */
function paths(): { image: string; map: string } {
  serial++;
  return { image: folder.path(`${serial}.img`), map: folder.path(`${serial}.map`) };
}

const N = 256;
const DATA = randomBytes(N * SECTOR, 1);
const SCATTERED = [3, 40, 41, 100, 200];
const SCRATCH = range(100, 160);

function memory(bad: Iterable<number>, options: { reportFailedLba?: boolean; sectors?: number } = {}): MemorySource {
  const sectors = options.sectors ?? N;
  return createMemorySource(DATA.subarray(0, sectors * SECTOR), { badLbas: bad, reportFailedLba: options.reportFailedLba ?? true });
}

async function runRescue(
  source: RescueOptions['source'],
  where: { image: string; map: string },
  options: Partial<RescueOptions> = {},
): Promise<{ result: RescueResult; map: string; image: Uint8Array }> {
  const result = await rescue({ source, imagePath: where.image, mapfilePath: where.map, ...options });
  return { result, map: readFileSync(where.map, 'latin1'), image: new Uint8Array(readFileSync(where.image)) };
}

/** Final blocks of a full run: the bad sectors '-', everything else '+'. */
function finalBlocks(bad: Iterable<number>, sectors = N): string {
  const set = new Set(bad);
  return blockLines(sectors, (lba) => (set.has(lba) ? '-' : '+'));
}

describe('full runs: exact mapfile and image', () => {
  const cases: Array<{ name: string; bad: number[]; sectors?: number; lastPos: number; pass: number }> = [
    // After scraping, the last read is the last bad sector; without bad sectors, the last cluster.
    { name: 'scattered bad sectors', bad: SCATTERED, lastPos: 200, pass: 1 },
    { name: 'a contiguous scratch of 60 sectors', bad: SCRATCH, lastPos: 159, pass: 1 },
    { name: 'bad at the very start and the very end', bad: [0, 1, N - 1], lastPos: N - 1, pass: 1 },
    { name: 'every sector bad', bad: range(0, 100), sectors: 100, lastPos: 99, pass: 1 },
    { name: 'no bad sector', bad: [], lastPos: 224, pass: 1 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const sectors = c.sectors ?? N;
      const where = paths();
      const { result, map, image } = await runRescue(memory(c.bad, { sectors }), where);
      expect(mapBody(map)).toBe(`${statusLine(c.lastPos * SECTOR, '+', c.pass)}\n${finalBlocks(c.bad, sectors)}`);
      expect(map).toContain('\n# Finished\n');
      // Bad sectors stay zero in a fresh image, which is as long as the source even when it ends badly.
      expect(Buffer.from(image).equals(Buffer.from(expectedImage(DATA.subarray(0, sectors * SECTOR), c.bad)))).toBe(true);
      expect(result).toMatchObject({
        complete: c.bad.length === 0,
        sectorCount: sectors,
        rescuedBytes: (sectors - c.bad.length) * SECTOR,
        badSectorBytes: c.bad.length * SECTOR,
        nonTriedBytes: 0,
        nonTrimmedBytes: 0,
        nonScrapedBytes: 0,
        fastRetries: true,
        resumed: false,
      });
    });
  }

  test('a source that names no failing sector (block-device style) ends with the same map', async () => {
    for (const bad of [SCATTERED, SCRATCH, [0, 1, N - 1]]) {
      const where = paths();
      const { map, image } = await runRescue(memory(bad, { reportFailedLba: false }), where);
      expect(mapBlocks(map)).toBe(finalBlocks(bad));
      expect(Buffer.from(image).equals(Buffer.from(expectedImage(DATA, bad)))).toBe(true);
    }
  });

  test('a drive that keeps its own retry count ends with the same map, each bad sector read at most twice', async () => {
    const source = wrapSource(memory([...SCATTERED, ...SCRATCH]), { noRetryLevel: true });
    const { result, map } = await runRescue(source, paths());
    expect(result.fastRetries).toBe(false);
    expect(mapBlocks(map)).toBe(finalBlocks([...SCATTERED, ...SCRATCH]));
    for (const lba of [...SCATTERED, ...SCRATCH]) {
      const failures = source.log.filter((r) => !r.ok && (r.failedLba === lba || (r.count === 1 && r.lba === lba))).length;
      expect(failures, `LBA ${lba}`).toBeLessThanOrEqual(2);
    }
  });
});

describe('options that change the order, not the result', () => {
  test('--reverse, --cpass 3 alone, --cpass 1,2, a small cluster and skip: the same final map', async () => {
    const bad = [...SCATTERED, ...SCRATCH];
    const variants: Array<Partial<RescueOptions>> = [
      { reverse: true },
      { copyPasses: [3] },
      { copyPasses: [1, 2] },
      { clusterSectors: 4, maxSkipSectors: 8 },
      { reverse: true, copyPasses: [2, 3] },
    ];
    for (const variant of variants) {
      const { map, image } = await runRescue(memory(bad), paths(), variant);
      expect(mapBlocks(map), JSON.stringify(variant)).toBe(finalBlocks(bad));
      expect(Buffer.from(image).equals(Buffer.from(expectedImage(DATA, bad)))).toBe(true);
    }
  });

  test('--direct reads with FUA; progress goes through the phases in order', async () => {
    const source = memory([...SCATTERED, ...SCRATCH]);
    const phases: string[] = [];
    await runRescue(source, paths(), {
      direct: true,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (phases[phases.length - 1] !== p.phase) phases.push(p.phase);
      },
    });
    expect(source.stats.fuaReads).toBe(source.stats.reads);
    expect(phases).toEqual(['copying', 'trimming', 'scraping', 'finished']);
  });
});

describe('phases switched off leave the statuses ddrescue would', () => {
  test('--cpass=1 --no-trim --no-scrape: failed sectors non-scraped, skipped areas non-tried', async () => {
    const { result, map } = await runRescue(memory(SCATTERED), paths(), { copyPasses: [1], noTrim: true, noScrape: true });
    // One pass: the good sectors before a failing one are read again at once; after a failure
    // named by the source, one sector per read, where two failures in a row (40, 41) do not skip
    // yet (ddrescue, reading clusters, skips two sectors there and leaves them non-tried).
    expect(mapBody(map)).toBe(
      `${statusLine(233 * SECTOR, '+', 1)}\n` +
        runsToLines([
          [0, 3, '+'],
          [3, 4, '/'],
          [4, 40, '+'],
          [40, 42, '/'],
          [42, 100, '+'],
          [100, 101, '/'],
          [101, 200, '+'],
          [200, 201, '/'],
          [201, N, '+'],
        ]),
    );
    expect(result).toMatchObject({ complete: false, nonTriedBytes: 0, nonScrapedBytes: 5 * SECTOR, badSectorBytes: 0 });
  });

  test('--cpass=1 --no-trim --no-scrape without a failing LBA: failed clusters non-trimmed, as ddrescue marks them', async () => {
    const { map } = await runRescue(memory(SCATTERED, { reportFailedLba: false }), paths(), { copyPasses: [1], noTrim: true, noScrape: true });
    expect(mapBlocks(map)).toBe(
      runsToLines([
        [0, 64, '*'],
        [64, 66, '?'],
        [66, 98, '+'],
        [98, 130, '*'],
        [130, 194, '+'],
        [194, 226, '*'],
        [226, N, '+'],
      ]),
    );
  });

  test('--no-trim: non-trimmed areas stay, scraping reads only non-scraped ones', async () => {
    const source = memory(SCATTERED, { reportFailedLba: false });
    const { map } = await runRescue(source, paths(), { noTrim: true });
    expect(mapBlocks(map)).toBe(
      runsToLines([
        [0, 64, '*'],
        [64, 98, '+'],
        [98, 130, '*'],
        [130, 194, '+'],
        [194, 226, '*'],
        [226, N, '+'],
      ]),
    );
  });

  test('--no-scrape: trimmed edges, the middle non-scraped; at fast retries a failed edge is non-scraped too', async () => {
    const fast = await runRescue(memory(SCATTERED, { reportFailedLba: false }), paths(), { noScrape: true });
    expect(mapBlocks(fast.map)).toBe(
      runsToLines([
        [0, 3, '+'],
        [3, 42, '/'],
        [42, 100, '+'],
        [100, 101, '/'],
        [101, 200, '+'],
        [200, 201, '/'],
        [201, N, '+'],
      ]),
    );
    // A drive whose retry count cannot be lowered tried the edges at full effort: bad sectors,
    // exactly as ddrescue leaves them.
    const plain = await runRescue(wrapSource(memory(SCATTERED, { reportFailedLba: false }), { noRetryLevel: true }), paths(), { noScrape: true });
    expect(mapBlocks(plain.map)).toBe(
      runsToLines([
        [0, 3, '+'],
        [3, 4, '-'],
        [4, 41, '/'],
        [41, 42, '-'],
        [42, 100, '+'],
        [100, 101, '-'],
        [101, 200, '+'],
        [200, 201, '-'],
        [201, N, '+'],
      ]),
    );
  });
});

describe('domain, retry passes, odd mapfiles', () => {
  test('--domain-mapfile: only the finished blocks of the domain are read', async () => {
    const domain = new IntervalMap(N * SECTOR, '?');
    domain.set(50 * SECTOR, 100 * SECTOR, '+');
    const source = wrapSource(memory(SCATTERED));
    const { result, map } = await runRescue(source, paths(), { domain });
    expect(mapBlocks(map)).toBe(
      runsToLines([
        [0, 50, '?'],
        [50, 100, '+'],
        [100, 101, '-'],
        [101, 150, '+'],
        [150, N, '?'],
      ]),
    );
    expect(source.log.every((r) => r.lba >= 50 && r.lba + r.count <= 150)).toBe(true);
    expect(result).toMatchObject({ complete: false, rescuedBytes: 99 * SECTOR, nonTriedBytes: 0, badSectorBytes: SECTOR });
    expect(result.badAreas).toEqual([{ lba: 100, sectorCount: 1, status: '-' }]);
  });

  test('retry passes recover weak sectors, alternating direction', async () => {
    // Sector 10 fails twice, 20 three times, 30 once: scraping gets 30, retry 1 gets 10, retry 2 gets 20.
    const weak = new Map([
      [10, 2],
      [20, 3],
      [30, 1],
    ]);
    const one = await runRescue(wrapSource(memory([], { sectors: 64 }), { transform: flaky(weak) }), paths(), { retryPasses: 1 });
    expect(mapBlocks(one.map)).toBe(finalBlocks([20], 64));
    const source = wrapSource(memory([], { sectors: 64 }), { transform: flaky(weak) });
    const two = await runRescue(source, paths(), { retryPasses: 2 });
    expect(mapBlocks(two.map)).toBe(finalBlocks([], 64));
    expect(two.result.complete).toBe(true);
    expect(Buffer.from(two.image).equals(Buffer.from(DATA.subarray(0, 64 * SECTOR)))).toBe(true);
    // The weak sectors got one read at default retries in scraping, then one per retry pass.
    const defaultReads = (lba: number) => source.log.filter((r) => r.level === 'default' && r.lba <= lba && lba < r.lba + r.count).length;
    expect([defaultReads(10), defaultReads(20), defaultReads(30)]).toEqual([2, 3, 1]);
  });

  test('a mapfile from a tool using smaller sectors (boundaries inside a sector) is finished without touching its finished bytes', async () => {
    const where = paths();
    const marker = new Uint8Array(N * SECTOR).fill(0xee);
    writeFileSync(where.image, marker.subarray(0, 3000));
    writeFileSync(where.map, '0 ?\n0x0 0xBB8 +\n0xBB8 0x200 -\n0xDB8 0x7F248 ?\n');
    const { map, image } = await runRescue(memory([]), where);
    expect(mapBlocks(map)).toBe(finalBlocks([]));
    expect(image.subarray(0, 3000).every((b) => b === 0xee)).toBe(true);
    expect(Buffer.from(image.subarray(3000)).equals(Buffer.from(DATA.subarray(3000)))).toBe(true);
  });
});

describe('abort and resume', () => {
  const BAD = [...SCATTERED, ...SCRATCH];

  test('an abort mid-run saves a consistent mapfile; resuming ends as a clean run does', async () => {
    const counted = wrapSource(memory(BAD));
    const clean = await runRescue(counted, paths());
    const reads = counted.log.length;
    expect(reads).toBeGreaterThan(100);
    // Aborts in every phase: copying, trimming, scraping.
    for (const after of [1, 5, 17, 40, Math.floor(reads / 2), reads - 30, reads - 1]) {
      const where = paths();
      const stop = abortAfterReads(after);
      const source = wrapSource(memory(BAD), { beforeRead: stop.beforeRead });
      await expect(rescue({ source, imagePath: where.image, mapfilePath: where.map, signal: stop.controller.signal })).rejects.toMatchObject({
        name: 'AbortError',
      });
      expectFinishedDataInImage(where);
      const resumed = await runRescue(memory(BAD), where);
      expect(resumed.result.resumed).toBe(true);
      expect(mapBlocks(resumed.map), `abort after ${after} reads`).toBe(mapBlocks(clean.map));
      expect(Buffer.from(resumed.image).equals(Buffer.from(clean.image))).toBe(true);
    }
  });

  test('a resumed run never rewrites sectors already finished', async () => {
    const where = paths();
    const stop = abortAfterReads(30);
    const source = wrapSource(memory(BAD), { beforeRead: stop.beforeRead });
    await expect(rescue({ source, imagePath: where.image, mapfilePath: where.map, signal: stop.controller.signal })).rejects.toThrow();
    // Overwrite every finished area of the image with a marker the source does not contain.
    const image = new Uint8Array(readFileSync(where.image));
    const finished = readBlocks(where.map).filter(([, , status]) => status === '+');
    expect(finished.length).toBeGreaterThan(0);
    for (const [pos, size] of finished) image.fill(0xee, pos, pos + size);
    writeFileSync(where.image, image);
    const resumed = await runRescue(memory(BAD), where);
    const expected = expectedImage(DATA, BAD);
    for (const [pos, size] of finished) expected.fill(0xee, pos, pos + size);
    expect(Buffer.from(resumed.image).equals(Buffer.from(expected))).toBe(true);
    expect(mapBlocks(resumed.map)).toBe(finalBlocks(BAD));
  });
});

describe('refusals', () => {
  test('an existing image without a mapfile (or with an empty one), unless force', async () => {
    const where = paths();
    writeFileSync(where.image, 'something precious');
    await expect(rescue({ source: memory([]), imagePath: where.image, mapfilePath: where.map })).rejects.toThrow(RescueSetupError);
    writeFileSync(where.map, '\n');
    await expect(rescue({ source: memory([]), imagePath: where.image, mapfilePath: where.map })).rejects.toThrow(/is empty/u);
    const { result } = await runRescue(memory([]), where, { force: true });
    expect(result.complete).toBe(true);
  });

  test('an empty existing image is fine', async () => {
    const where = paths();
    writeFileSync(where.image, '');
    const { result } = await runRescue(memory([]), where);
    expect(result.complete).toBe(true);
  });

  test('a directory as image', async () => {
    const where = paths();
    mkdirSync(where.image);
    await expect(rescue({ source: memory([]), imagePath: where.image, mapfilePath: where.map, force: true })).rejects.toThrow(
      /is a directory/u,
    );
  });

  test('a mapfile of a larger source with finished data beyond the end; without it the map is cut', async () => {
    const where = paths();
    writeFileSync(where.image, new Uint8Array((N + 10) * SECTOR));
    writeFileSync(where.map, `0 +\n0x0 ${(N + 10) * SECTOR} +\n`);
    const error = await rescue({ source: memory([]), imagePath: where.image, mapfilePath: where.map }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RescueSetupError);
    expect((error as Error).message).toMatch(/same disc/u);
    // Only non-tried data beyond the end: the map is cut to the source.
    writeFileSync(where.map, `0 ?\n0x0 ${(N + 10) * SECTOR} ?\n`);
    const { map } = await runRescue(memory([]), where);
    expect(mapBlocks(map)).toBe(finalBlocks([]));
  });

  test('a mapfile that claims data the image does not hold', async () => {
    const where = paths();
    writeFileSync(where.map, `0 ?\n0x0 0x${(10 * SECTOR).toString(16)} +\n0x${(10 * SECTOR).toString(16)} 0x${((N - 10) * SECTOR).toString(16)} ?\n`);
    await expect(rescue({ source: memory([]), imagePath: where.image, mapfilePath: where.map })).rejects.toThrow(/does not exist/u);
    writeFileSync(where.image, new Uint8Array(5 * SECTOR));
    await expect(rescue({ source: memory([]), imagePath: where.image, mapfilePath: where.map })).rejects.toThrow(/has only/u);
  });
});

/** Every byte the mapfile on disk calls finished holds the source's bytes. */
function expectFinishedDataInImage(where: { image: string; map: string }, data: Uint8Array = DATA): void {
  const image = readFileSync(where.image);
  for (const [pos, size, status] of readBlocks(where.map)) {
    if (status !== '+') continue;
    expect(Buffer.compare(image.subarray(pos, pos + size), Buffer.from(data.subarray(pos, pos + size))), `finished block at ${pos}`).toBe(0);
  }
}


describe('image checksums', () => {
  const sha = (bytes: Uint8Array, algorithm: string) => createHash(algorithm).update(bytes).digest('hex');
  const expectHashesOf = (result: RescueResult, image: Uint8Array) =>
    expect(result.checksums).toEqual({ md5: sha(image, 'md5'), sha1: sha(image, 'sha1'), sha256: sha(image, 'sha256'), bytes: image.length });

  test('a clean linear run hashes while writing, equal to the finished file', async () => {
    const { result, image } = await runRescue(memory([]), paths(), { checksums: true });
    expect(image).toEqual(DATA);
    expectHashesOf(result, image);
  });

  test('a run with bad sectors (writes out of order, zeros left) hashes the finished file', async () => {
    const { result, image } = await runRescue(memory(SCRATCH), paths(), { checksums: true });
    expect(image).toEqual(expectedImage(DATA, SCRATCH));
    expectHashesOf(result, image);
  });

  test('a resumed run hashes the whole image, not only what it wrote', async () => {
    const where = paths();
    const first = await runRescue(memory(SCATTERED), where, { checksums: true });
    expect(first.result.complete).toBe(false);
    const { result, image } = await runRescue(memory([]), where, { checksums: true, retryPasses: 1 });
    expect(image).toEqual(DATA);
    expectHashesOf(result, image);
  });

  test('off by default', async () => {
    const { result } = await runRescue(memory([]), paths());
    expect(result.checksums).toBeUndefined();
  });
});

describe('reads that save seeks', () => {
  test('after a failure the source names, one sector per read until a cluster came in clean', async () => {
    const source = wrapSource(memory([100, 110, 111, 125]));
    const { result } = await runRescue(source, paths());
    expect(result.badAreas).toEqual([
      { lba: 100, sectorCount: 1, status: '-' },
      { lba: 110, sectorCount: 2, status: '-' },
      { lba: 125, sectorCount: 1, status: '-' },
    ]);
    const copying = source.log.filter((r) => r.level === 'fast');
    // Cluster 96-127 fails at 100; then single sectors from 101 on, through 110, 111 and 125 (no
    // skip for two failures in a row), until 32 good sectors in a row: 126-157; clusters again.
    const singles = copying.filter((r) => r.count === 1).map((r) => r.lba);
    expect(singles).toEqual(range(101, 158));
    expect(copying.find((r) => r.lba === 158)?.count).toBe(32);
    // Nothing was left for a second pass: every fast read after the first failure went forward.
    expect(copying.filter((r) => r.lba < 100 && r.lba >= 96 && r.count === 4)).toHaveLength(1);
  });

  test('scraping reads through a short run of rescued sectors instead of seeking over it', async () => {
    const source = wrapSource(memory([100, 110, 111, 125]));
    await runRescue(source, paths());
    const scraping = source.log.filter((r) => r.level === 'default').map((r) => [r.lba, r.count]);
    // 100 alone; then from the head (101) through 110, 111 right after it, then 112 through 125.
    expect(scraping).toEqual([
      [100, 1],
      [101, 10],
      [111, 1],
      [112, 14],
    ]);
  });

  test('a resumed run does not read through rescued sectors (they may come from another drive)', async () => {
    const where = paths();
    await runRescue(memory([100, 110, 125]), where, { noScrape: true });
    const source = wrapSource(memory([100, 110, 125]));
    await runRescue(source, where);
    expect(source.log.map((r) => [r.lba, r.count])).toEqual([
      [100, 1],
      [110, 1],
      [125, 1],
    ]);
  });
});
