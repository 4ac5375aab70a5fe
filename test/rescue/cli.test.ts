/**
 * The rescue-related CLI commands in-process: --cpass parsing, `image` (one straight pass that
 * leaves nothing untried), `rescue` refusing to guess and continuing with --cpass 0.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseCopyPasses } from '../../lib/cli/commands/rescue.js';
import type { CliContext } from '../../lib/cli/io.js';
import { run } from '../../lib/cli/run.js';
import { blockLines, defectMap, expectedImage, mapBlocks, randomBytes, range, SECTOR, tempFolder } from './helpers.js';

const SECTORS = 600;
const folder = tempFolder('cli');
const plain = folder.path('disc.iso');
const defects = folder.path('defects');
const data = randomBytes(SECTORS * SECTOR, 77);
const bad = new Set([5, 6, 7, ...range(200, 260), 400]);

beforeAll(() => {
  writeFileSync(plain, data);
  writeFileSync(defects, defectMap(SECTORS, bad));
});
afterAll(() => folder.remove());

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
  const code = await run(argv, ctx);
  return { code, out, err };
}

describe('--cpass', () => {
  test('lists, ranges and 0, as ddrescue takes them (passes 1-3 here)', () => {
    expect(parseCopyPasses('1')).toEqual([1]);
    expect(parseCopyPasses('3,1')).toEqual([1, 3]);
    expect(parseCopyPasses('2-3')).toEqual([2, 3]);
    expect(parseCopyPasses('1,2-3')).toEqual([1, 2, 3]);
    expect(parseCopyPasses('0')).toEqual([]);
    for (const wrong of ['4', '1-5', '3-1', '', 'a', '1,,2', '0,1']) expect(() => parseCopyPasses(wrong), wrong).toThrow(/--cpass/u);
  });
});

describe('discrescue image', () => {
  test('one straight pass, then retries: every sector is tried, the mapfile lies beside the image', async () => {
    const image = folder.path('straight.iso');
    const r = await cli('image', `emu:${plain}`, image, '--defects', defects, '--retries', '1', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { badAreas: unknown[]; nonTriedBytes: number; nonScrapedBytes: number };
    expect(report).toMatchObject({ nonTriedBytes: 0, nonScrapedBytes: 0 });
    expect(report.badAreas).toEqual([
      { lba: 5, sectorCount: 3, status: '-' },
      { lba: 200, sectorCount: 60, status: '-' },
      { lba: 400, sectorCount: 1, status: '-' },
    ]);
    expect(mapBlocks(readFileSync(`${image}.map`, 'latin1'))).toBe(blockLines(SECTORS, (lba) => (bad.has(lba) ? '-' : '+')));
    expect(readFileSync(image).equals(Buffer.from(expectedImage(data, bad)))).toBe(true);
  });

  test('an incomplete image says how to continue', async () => {
    const image = folder.path('human.iso');
    const r = await cli('image', `emu:${plain}`, image, '--defects', defects, '--retries', '0');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`Continue with: discrescue rescue emu:${plain} ${image} ${image}.map`);
    expect(r.out).toContain('LBA 200, 60 sector(s)');
  });
});

describe('discrescue rescue', () => {
  test('refuses an image without its mapfile, with the reason; --force starts over', async () => {
    const image = folder.path('precious.img');
    const map = folder.path('precious.map');
    writeFileSync(image, 'precious');
    const refused = await cli('rescue', `emu:${plain}`, image, map, '--defects', defects);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/exists but .* does not: .*--force .*\[ERR_RESCUE_SETUP\]/u);
    expect(existsSync(map)).toBe(false);
    const forced = await cli('rescue', `emu:${plain}`, image, map, '--defects', defects, '--force', '--json');
    expect(forced.code).toBe(1);
    expect(mapBlocks(readFileSync(map, 'latin1'))).toBe(blockLines(SECTORS, (lba) => (bad.has(lba) ? '-' : '+')));
  });

  test('--cpass 1 -n -N, then --cpass 0 finishes with trimming and scraping only', async () => {
    const image = folder.path('two-step.img');
    const map = folder.path('two-step.map');
    const first = await cli('rescue', `emu:${plain}`, image, map, '--defects', defects, '--cpass', '1', '-n', '-N', '--json');
    expect(first.code).toBe(1);
    expect(JSON.parse(first.out)).toMatchObject({ complete: false, badSectorBytes: 0 });
    const statuses = new Set(mapBlocks(readFileSync(map, 'latin1')).split('\n').map((line) => line.trim().slice(-1)));
    expect([...statuses].sort()).toEqual(['+', '/', '?']);
    // What pass 1 skipped stays non-tried without the copying phase; the rest is finished.
    const second = await cli('rescue', `emu:${plain}`, image, map, '--defects', defects, '--cpass', '0', '--json');
    expect(second.code).toBe(1);
    const report = JSON.parse(second.out) as { nonTriedBytes: number; nonScrapedBytes: number; badSectorBytes: number };
    expect(report.nonTriedBytes).toBeGreaterThan(0);
    expect(report.nonScrapedBytes).toBe(0);
    const third = await cli('rescue', `emu:${plain}`, image, map, '--defects', defects, '--json');
    expect(JSON.parse(third.out)).toMatchObject({ nonTriedBytes: 0, badSectorBytes: bad.size * SECTOR });
    expect(readFileSync(image).equals(Buffer.from(expectedImage(data, bad)))).toBe(true);
  });
});
