/**
 * The engine against emulated drives: continuing one rescue on a better drive, a disc changed
 * mid-run, and the strategy's cost on the virtual clock (a regression guard, not a benchmark).
 */

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { Drive } from '../../lib/drive/drive.js';
import { createEmulatedDrive, isoDiscFromBytes, type EmulatedDrive, type FaultOptions } from '../../lib/emulator/index.js';
import { rescue } from '../../lib/rescue/engine.js';
import { createDriveSource } from '../../lib/sources/drive-source.js';
import { blockLines, expectedImage, mapBlocks, prng, randomBytes, range, readBlocks, SECTOR, tempFolder, wrapSource } from './helpers.js';

const folder = tempFolder('drives');
afterAll(() => folder.remove());

let serial = 0;
function paths(): { image: string; map: string } {
  serial++;
  return { image: folder.path(`${serial}.img`), map: folder.path(`${serial}.map`) };
}

/** A drive source over an emulated drive; polls fast while a disc spins up. */
async function sourceOf(emulated: EmulatedDrive) {
  return createDriveSource(Drive.fromTransport(emulated), { waitReady: { pollIntervalMs: 1 } });
}

describe('two drives, one rescue', () => {
  test("a second, better drive reads only what the first left, and finishes", async () => {
    const data = randomBytes(3000 * SECTOR, 31);
    const disc = isoDiscFromBytes(data, { kind: 'cd' });
    const weak = [...range(500, 520), 1500, ...range(2990, 2999)];
    const faults: FaultOptions = { weakSectors: [{ ranges: weak, readableBy: ['good'] }] };
    const where = paths();

    const cheap = createEmulatedDrive({ disc, profile: 'cheap', faults });
    const first = await rescue({ source: await sourceOf(cheap), imagePath: where.image, mapfilePath: where.map });
    expect(first.badAreas).toEqual([
      { lba: 500, sectorCount: 20, status: '-' },
      { lba: 1500, sectorCount: 1, status: '-' },
      { lba: 2990, sectorCount: 9, status: '-' },
    ]);
    expect(mapBlocks(readFileSync(where.map, 'latin1'))).toBe(blockLines(3000, (lba) => (weak.includes(lba) ? '-' : '+')));

    // Same image and mapfile, another drive: one retry pass reads the bad sectors again (ddrescue -r1).
    const good = createEmulatedDrive({ disc, profile: 'good', faults });
    const second = await rescue({ source: await sourceOf(good), imagePath: where.image, mapfilePath: where.map, retryPasses: 1 });
    expect(second).toMatchObject({ complete: true, resumed: true, badSectorBytes: 0, badAreas: [] });
    expect(good.stats.sectorsRead).toBe(weak.length);
    expect(good.stats.failedReads).toBe(0);
    expect(readFileSync(where.image).equals(Buffer.from(data))).toBe(true);
    console.log(
      `cheap drive: ${cheap.stats.sectorsRead} sectors read, ${cheap.stats.failedReads} failed reads; ` +
        `good drive: ${good.stats.sectorsRead} sectors read for ${weak.length} missing, ${good.stats.commands} commands`,
    );
  });
});

describe('a disc changed mid-run', () => {
  test('stops with an error; the mapfile stays consistent and nothing of the second disc enters the image', async () => {
    const first = randomBytes(2000 * SECTOR, 41);
    const second = randomBytes(2000 * SECTOR, 42);
    const bad = [100, 101, 900, 1500];
    const faults: FaultOptions = { badSectors: bad };
    const emulated = createEmulatedDrive({ disc: isoDiscFromBytes(first, { kind: 'cd' }), faults });
    const source = wrapSource(await sourceOf(emulated), {
      beforeRead: (readsBefore) => {
        if (readsBefore === 25) emulated.insertDisc(isoDiscFromBytes(second, { kind: 'cd' }));
      },
    });
    const where = paths();
    await expect(rescue({ source, imagePath: where.image, mapfilePath: where.map })).rejects.toThrow(/disc was changed/u);
    const blocks = readBlocks(where.map);
    // The read that met the change failed, but marked nothing: its sectors are not bad sectors.
    expect(source.log.length).toBe(26);
    const changed = source.log[25]!;
    expect(changed.ok).toBe(false);
    const statusOf = (lba: number) => blocks.find(([pos, size]) => pos <= lba * SECTOR && lba * SECTOR < pos + size)![2];
    for (const lba of range(changed.lba, changed.lba + changed.count)) expect(statusOf(lba)).toBe('?');
    expect(blocks.some(([, , status]) => status === '+')).toBe(true);
    expect(blocks.some(([, , status]) => status === '?')).toBe(true);
    const image = readFileSync(where.image);
    // Finished blocks hold the first disc; everything else is still zero (never the second disc).
    const finished = new Uint8Array(2000);
    for (const [pos, size, status] of blocks) if (status === '+') finished.fill(1, pos / SECTOR, (pos + size) / SECTOR);
    for (let lba = 0; lba < 2000; lba++) {
      const sector = image.subarray(lba * SECTOR, (lba + 1) * SECTOR);
      if (sector.length === 0) continue;
      const expected = finished[lba] ? first.subarray(lba * SECTOR, (lba + 1) * SECTOR) : new Uint8Array(sector.length);
      if (!sector.equals(Buffer.from(expected))) throw new Error(`sector ${lba} of the image holds unexpected bytes`);
    }
    await source.close();

    // The right disc back in a drive: the rescue resumes and ends as a clean run.
    const again = createEmulatedDrive({ disc: isoDiscFromBytes(first, { kind: 'cd' }), faults });
    const resumed = await rescue({ source: await sourceOf(again), imagePath: where.image, mapfilePath: where.map });
    expect(resumed.resumed).toBe(true);
    expect(mapBlocks(readFileSync(where.map, 'latin1'))).toBe(blockLines(2000, (lba) => (bad.includes(lba) ? '-' : '+')));
    expect(readFileSync(where.image).equals(Buffer.from(expectedImage(first, bad)))).toBe(true);
  });
});

describe('strategy on the virtual clock', () => {
  test('20 000 sectors, 200 scattered bad: good data in early, one read per bad sector at default retries', async () => {
    const sectors = 20_000;
    const random = prng(12345);
    const bad = new Set<number>();
    while (bad.size < 200) bad.add(Math.floor(random() * sectors));
    const emulated = createEmulatedDrive({ disc: isoDiscFromBytes(new Uint8Array(sectors * SECTOR), { kind: 'cd' }), faults: { badSectors: [...bad] } });
    const source = wrapSource(await sourceOf(emulated));
    const result = await rescue({ source, imagePath: folder.path('strategy.img'), mapfilePath: folder.path('strategy.map') });
    expect(result.fastRetries).toBe(true);
    expect(result.badSectorBytes).toBe(200 * SECTOR);
    const simulation = result.simulation!;
    // A drive at its default retry count spends 2.0 s on each bad sector: 400 s for these alone.
    const naive = 200 * 2.0;
    console.log(
      `virtual clock: last good sector in at ${simulation.simulatedSecondsAtLastRescue.toFixed(1)} s ` +
        `(${(simulation.simulatedSecondsAtLastRescue / naive).toFixed(2)} × the ${naive} s the bad sectors alone cost at default retries), ` +
        `all done at ${simulation.simulatedSeconds.toFixed(1)} s; ${simulation.commands} commands, ${simulation.failedReads} failed reads`,
    );
    expect(simulation.simulatedSecondsAtLastRescue).toBeLessThan(0.25 * naive);
    // Each bad sector: one read at default retries (scraping); the rest of its failures were fast.
    for (const lba of bad) {
      const attempts = source.log.filter((r) => !r.ok && r.failedLba === lba);
      expect(attempts.filter((r) => r.level === 'default').length, `LBA ${lba}`).toBe(1);
      expect(attempts.filter((r) => r.level === 'fast').length, `LBA ${lba}`).toBe(1);
    }
    // No read at default retries ran into a sector that had not failed at fast retries first.
    expect(simulation.failedReads).toBe(400);
  });
});
