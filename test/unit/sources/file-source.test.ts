import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { DiscError, TransportClosedError, TransportError, UnsupportedError } from '../../../lib/errors.js';
import { blockDeviceSizeBytes, splitDeviceNumber } from '../../../lib/sources/block-device-size.js';
import { openFileSource } from '../../../lib/sources/file-source.js';
import type { ReadOutcome } from '../../../lib/sources/sector-source.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'discrescue-file-source-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `sectors` sectors whose every byte is (sector × 31 + offset) & 0xFF, then `tail` bytes. */
function image(sectors: number, sectorSize: number, tail = 0): Uint8Array {
  const bytes = new Uint8Array(sectors * sectorSize + tail);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.floor(i / sectorSize) * 31 + i) & 0xff;
  return bytes;
}

function expectData(outcome: ReadOutcome): Uint8Array {
  if (!outcome.ok) throw new Error(`expected data, got ${outcome.error.message}`);
  return outcome.data;
}

describe('openFileSource', () => {
  test('reads exact bytes of a regular file', async () => {
    const bytes = image(6, 2048);
    const path = join(dir, 'disc.iso');
    await writeFile(path, bytes);
    const source = await openFileSource(path);
    expect(source).toMatchObject({ name: path, path, kind: 'file', sectorSize: 2048, firstLba: 0, sectorCount: 6, sizeBytes: 12_288, partialTailBytes: 0, simulation: undefined });
    expect(source.maxSectorsPerRead).toBe(512);
    expect(source.setRetryLevel).toBeUndefined();
    expect(expectData(await source.read(0, 6))).toEqual(bytes);
    expect(expectData(await source.read(4, 1))).toEqual(bytes.subarray(4 * 2048, 5 * 2048));
    await source.close();
  });

  test('sectorSize and firstLba', async () => {
    const bytes = image(4, 2352);
    const path = join(dir, 'track.bin');
    await writeFile(path, bytes);
    const source = await openFileSource(path, { sectorSize: 2352, firstLba: 1000 });
    expect(source).toMatchObject({ firstLba: 1000, sectorCount: 4, sectorSize: 2352 });
    expect(expectData(await source.read(1002, 2))).toEqual(bytes.subarray(2 * 2352));
    await expect(source.read(999, 1)).rejects.toThrow(RangeError);
    await expect(source.read(1003, 2)).rejects.toThrow(RangeError);
    await source.close();
  });

  test('a trailing partial sector is reported and never read', async () => {
    const path = join(dir, 'odd.iso');
    await writeFile(path, image(3, 2048, 100));
    const source = await openFileSource(path);
    expect(source).toMatchObject({ sectorCount: 3, partialTailBytes: 100, sizeBytes: 3 * 2048 + 100 });
    expect(expectData(await source.read(2, 1)).length).toBe(2048);
    await expect(source.read(3, 1)).rejects.toThrow(RangeError);
    await source.close();
  });

  test('a file that shrank: failedLba is the first missing sector', async () => {
    const path = join(dir, 'shrinking.iso');
    await writeFile(path, image(8, 2048));
    const source = await openFileSource(path);
    await truncate(path, 5 * 2048 + 700);
    const outcome = await source.read(2, 6);
    expect(outcome).toMatchObject({ ok: false, failedLba: 5, fatal: false });
    if (!outcome.ok) expect(outcome.error).toBeInstanceOf(DiscError);
    expect(expectData(await source.read(2, 3)).length).toBe(3 * 2048);
    await source.close();
  });

  test('after close(), reads are fatal; close() is idempotent', async () => {
    const path = join(dir, 'a.iso');
    await writeFile(path, image(2, 2048));
    const source = await openFileSource(path);
    await source.close();
    await source.close();
    const outcome = await source.read(0, 1);
    expect(outcome).toMatchObject({ ok: false, fatal: true });
    if (!outcome.ok) expect(outcome.error).toBeInstanceOf(TransportClosedError);
  });

  test('a missing file, a directory and a character device', async () => {
    const missing = openFileSource(join(dir, 'missing.iso'));
    await expect(missing).rejects.toThrow(TransportError);
    await expect(openFileSource(join(dir, 'missing.iso'))).rejects.toMatchObject({ errnoCode: 'ENOENT', syscall: 'open' });
    await expect(openFileSource(dir)).rejects.toThrow(UnsupportedError);
    await expect(openFileSource('/dev/null')).rejects.toThrow(UnsupportedError);
  });

  test('argument errors', async () => {
    await expect(openFileSource('')).rejects.toThrow(TypeError);
    await expect(openFileSource(join(dir, 'x'), { sectorSize: 0 })).rejects.toThrow(RangeError);
  });

  test('cancellation', async () => {
    const path = join(dir, 'a.iso');
    await writeFile(path, image(2, 2048));
    const source = await openFileSource(path);
    const controller = new AbortController();
    controller.abort();
    await expect(source.read(0, 1, { signal: controller.signal })).rejects.toThrow(/abort/i);
    await source.close();
  });
});

describe('block device size', () => {
  test('splits dev_t as glibc does', () => {
    expect(splitDeviceNumber(BigInt((11 << 8) | 0))).toEqual({ major: 11, minor: 0 });
    // major 259, minor 300: the minor's high bits live above bit 20.
    const rdev = BigInt((259 << 8) | (300 & 0xff)) | (BigInt(300 & ~0xff) << 12n);
    expect(splitDeviceNumber(rdev)).toEqual({ major: 259, minor: 300 });
  });

  test('reads /sys/dev/block/<major>:<minor>/size in 512-byte units', async () => {
    await mkdir(join(dir, 'sys/dev/block/11:0'), { recursive: true });
    await writeFile(join(dir, 'sys/dev/block/11:0/size'), '1300\n');
    expect(await blockDeviceSizeBytes('/dev/sr0', BigInt(11 << 8), { sysRoot: join(dir, 'sys') })).toBe(1300 * 512);
  });

  test('falls back to /sys/class/block/<name>/size, then UnsupportedError', async () => {
    const sysRoot = join(dir, 'sys');
    await mkdir(join(sysRoot, 'class/block/sr7'), { recursive: true });
    await writeFile(join(sysRoot, 'class/block/sr7/size'), '64\n');
    expect(await blockDeviceSizeBytes(join(dir, 'sr7'), 1n, { sysRoot })).toBe(64 * 512);
    await expect(blockDeviceSizeBytes(join(dir, 'sr8'), 1n, { sysRoot })).rejects.toThrow(UnsupportedError);
  });
});
