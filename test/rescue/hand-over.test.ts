/**
 * Hand-over with GNU ddrescue in both directions, on the same image and mapfile: a rescue of ours
 * interrupted in any phase and finished by ddrescue, and a partial ddrescue run finished by ours,
 * both end as a clean run does.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rescue } from '../../lib/rescue/engine.js';
import { openSectorSource } from '../../lib/sources/open-source.js';
import { defectScenarios } from './defect-scenarios.js';
import {
  abortAfterReads,
  blockLines,
  defectMap,
  expectedImage,
  HAVE_DDRESCUE,
  HAVE_DDRESCUELOG,
  mapBlocks,
  ORACLE_NOTE,
  randomBytes,
  range,
  readBlocks,
  runTool,
  sameMaps,
  SECTOR,
  tempFolder,
  wrapSource,
  type ReadRecord,
} from './helpers.js';

const SECTORS = 1500;
const folder = tempFolder('hand-over');
const plain = folder.path('plain.iso');
const data = randomBytes(SECTORS * SECTOR, 23);
const scenarios = defectScenarios(SECTORS, 3);
// The scratch and scattered sectors, together: every phase has reads to do.
const bad = new Set([...scenarios[1]!.bad, ...scenarios[0]!.bad]);
const defects = folder.path('defects');
const finalLines = blockLines(SECTORS, (lba) => (bad.has(lba) ? '-' : '+'));
const finalImage = Buffer.from(expectedImage(data, bad));

beforeAll(() => {
  writeFileSync(plain, data);
  writeFileSync(defects, defectMap(SECTORS, bad));
});
afterAll(() => folder.remove());

let serial = 0;
function paths(): { image: string; map: string } {
  serial++;
  return { image: folder.path(`${serial}.img`), map: folder.path(`${serial}.map`) };
}

/** Runs ours (stopping before read number `abortAfter`); returns its reads and the phase of each. */
async function ours(where: { image: string; map: string }, abortAfter?: number): Promise<{ log: ReadRecord[]; phases: string[] }> {
  const source = await openSectorSource(`emu:${plain}`, { emulator: { defects: { path: defects } } });
  const stop = abortAfter === undefined ? undefined : abortAfterReads(abortAfter);
  const wrapped = wrapSource(source, stop ? { beforeRead: stop.beforeRead } : {});
  const phases: string[] = [];
  try {
    await rescue({
      source: wrapped,
      imagePath: where.image,
      mapfilePath: where.map,
      ...(stop ? { signal: stop.controller.signal } : {}),
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.phase !== 'finished') phases.push(p.phase);
      },
    });
  } catch (error) {
    if (!stop?.controller.signal.aborted) throw error;
  } finally {
    await wrapped.close();
  }
  return { log: wrapped.log, phases };
}

function ddrescue(where: { image: string; map: string }, ...options: string[]): void {
  const r = runTool('ddrescue', ['-b2048', `--test-mode=${defects}`, ...options, plain, where.image, where.map]);
  expect(r.status, r.stderr).toBe(0);
}

/** The final state equals a clean run: same map as ddrescue's own clean run, same image. */
function expectClean(where: { image: string; map: string }, reference: string): void {
  const compared = sameMaps(where.map, reference);
  expect(compared.same, compared.output).toBe(true);
  expect(mapBlocks(readFileSync(where.map, 'latin1'))).toBe(finalLines);
  expect(readFileSync(where.image).equals(finalImage)).toBe(true);
}

/** What the interrupted mapfile still had to do, for the test names. */
function pending(map: string): string {
  const counts = new Map<string, number>();
  for (const [, size, status] of readBlocks(map)) counts.set(status, (counts.get(status) ?? 0) + size / SECTOR);
  return ['?', '*', '/']
    .filter((s) => counts.has(s))
    .map((s) => `${s}${counts.get(s)}`)
    .join(' ');
}

describe.skipIf(!HAVE_DDRESCUE || !HAVE_DDRESCUELOG)(`hand-over with GNU ddrescue${ORACLE_NOTE}`, () => {
  let reference = '';
  let reads = 0;
  let phases: string[] = [];

  beforeAll(async () => {
    const clean = paths();
    ddrescue(clean);
    reference = clean.map;
    const ourClean = paths();
    const clean2 = await ours(ourClean);
    reads = clean2.log.length;
    phases = clean2.phases;
    expect(phases.length).toBe(reads);
    expectClean(ourClean, reference);
  });

  test('ours interrupted in each phase, finished by ddrescue', async () => {
    const states: string[] = [];
    const trimming = phases.indexOf('trimming');
    const scraping = phases.indexOf('scraping');
    expect(trimming).toBeGreaterThan(0);
    const stops = [0.02, 0.1, 0.5].map((f) => Math.floor(trimming * f));
    stops.push(trimming, Math.floor((trimming + scraping) / 2), scraping + 5, Math.floor((scraping + reads) / 2), reads - 1);
    for (const stop of stops) {
      const where = paths();
      await ours(where, stop);
      states.push(pending(where.map));
      ddrescue(where);
      expectClean(where, reference);
    }
    console.log(`interrupted with ${states.join(' | ')} still to do (sectors: ? non-tried, * non-trimmed, / non-scraped)`);
    expect(states.some((s) => s.includes('?'))).toBe(true);
    expect(states.some((s) => !s.includes('?') && s.includes('*'))).toBe(true); // in trimming
    expect(states.some((s) => !s.includes('?') && !s.includes('*') && s.includes('/'))).toBe(true); // in scraping
  });

  const partial: Array<[string, string[]]> = [
    ['--cpass=1 --no-trim --no-scrape', ['--cpass=1', '--no-trim', '--no-scrape']],
    ['--no-scrape', ['--no-scrape']],
    ['--no-trim', ['--no-trim']],
    ['-s 1MiB (a size limit)', ['-s', String(1 << 20)]],
    ['-i 2MiB -s 512KiB (a window in the middle)', ['-i', String(2 << 20), '-s', String(512 << 10)]],
  ];
  for (const [name, options] of partial) {
    test(`ddrescue ${name}, finished by ours`, async () => {
      const where = paths();
      ddrescue(where, ...options);
      const finished = new Set<number>();
      for (const [pos, size, status] of readBlocks(where.map)) {
        if (status === '+') for (let lba = pos / SECTOR; lba < (pos + size) / SECTOR; lba++) finished.add(lba);
      }
      expect(finished.size).toBeGreaterThan(0);
      const { log } = await ours(where);
      expectClean(where, reference);
      // Only what ddrescue left was read.
      expect(log.filter((r) => range(r.lba, r.lba + r.count).some((lba) => finished.has(lba)))).toEqual([]);
    });
  }

  test('two of our runs and two of ddrescue interleaved', async () => {
    const where = paths();
    await ours(where, Math.floor(reads * 0.2));
    ddrescue(where, '--cpass=2', '--no-trim', '--no-scrape');
    await ours(where, Math.floor(reads * 0.3));
    ddrescue(where);
    expectClean(where, reference);
  });
});
