import { describe, expect, test } from 'vitest';
import { DiscError, TransportClosedError } from '../../../lib/errors.js';
import { createMemorySource } from '../../../lib/sources/memory-source.js';
import type { ReadOutcome } from '../../../lib/sources/sector-source.js';

function bytes(sectors: number, sectorSize = 2048): Uint8Array {
  const out = new Uint8Array(sectors * sectorSize);
  for (let i = 0; i < out.length; i++) out[i] = (Math.floor(i / sectorSize) + i) & 0xff;
  return out;
}

function expectData(outcome: ReadOutcome): Uint8Array {
  if (!outcome.ok) throw new Error(`expected data, got ${outcome.error.message}`);
  return outcome.data;
}

describe('createMemorySource', () => {
  test('serves exact bytes; reads return copies', async () => {
    const data = bytes(10);
    const source = createMemorySource(data);
    expect(source).toMatchObject({ name: 'memory', sectorSize: 2048, firstLba: 0, sectorCount: 10, maxSectorsPerRead: 32, simulation: undefined });
    const read = expectData(await source.read(3, 4));
    expect(read).toEqual(data.subarray(3 * 2048, 7 * 2048));
    read[0] = (read[0]! + 1) & 0xff;
    expect(expectData(await source.read(3, 1))[0]).toBe(data[3 * 2048]);
  });

  test('bad sectors fail with the first one as failedLba', async () => {
    const source = createMemorySource(bytes(10), { badLbas: [7, 5] });
    const outcome = await source.read(2, 8);
    expect(outcome).toMatchObject({ ok: false, failedLba: 5, fatal: false });
    if (!outcome.ok) expect(outcome.error).toBeInstanceOf(DiscError);
    expect(await source.read(6, 1)).toMatchObject({ ok: true });
    expect(source.stats).toEqual({ reads: 2, sectorsRead: 1, failedReads: 1, fuaReads: 0 });
  });

  test('reportFailedLba: false says only "somewhere in the range"', async () => {
    const source = createMemorySource(bytes(10), { badLbas: [5], reportFailedLba: false });
    expect(await source.read(0, 10)).toMatchObject({ ok: false, failedLba: undefined, fatal: false });
    expect(await source.read(5, 1)).toMatchObject({ ok: false, failedLba: undefined });
  });

  test('badLbas is live: a sector can heal or go bad between reads', async () => {
    const source = createMemorySource(bytes(10), { badLbas: [5] });
    source.badLbas.delete(5);
    source.badLbas.add(8);
    expect(await source.read(5, 1)).toMatchObject({ ok: true });
    expect(await source.read(0, 10)).toMatchObject({ ok: false, failedLba: 8 });
  });

  test('sectorSize and firstLba; reads outside are RangeErrors', async () => {
    const data = bytes(4, 2352);
    const source = createMemorySource(data, { sectorSize: 2352, firstLba: 100, badLbas: [102] });
    expect(expectData(await source.read(103, 1))).toEqual(data.subarray(3 * 2352));
    expect(await source.read(100, 4)).toMatchObject({ ok: false, failedLba: 102 });
    await expect(source.read(99, 1)).rejects.toThrow(RangeError);
    await expect(source.read(103, 2)).rejects.toThrow(RangeError);
    expect(() => createMemorySource(new Uint8Array(3000))).toThrow(RangeError);
    expect(() => createMemorySource([] as unknown as Uint8Array)).toThrow(TypeError);
  });

  test('records the retry level, FUA reads and close', async () => {
    const source = createMemorySource(bytes(4));
    expect(source.retryLevel).toBe('default');
    expect(await source.setRetryLevel('fast')).toBe(true);
    expect(source.retryLevel).toBe('fast');
    await source.read(0, 1, { fua: true });
    expect(source.stats.fuaReads).toBe(1);
    await source.close();
    expect(source.closed).toBe(true);
    const outcome = await source.read(0, 1);
    expect(outcome).toMatchObject({ ok: false, fatal: true });
    if (!outcome.ok) expect(outcome.error).toBeInstanceOf(TransportClosedError);
  });
});
