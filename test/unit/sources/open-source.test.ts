import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UnsupportedError } from '../../../lib/errors.js';
import type { DriveSource } from '../../../lib/sources/drive-source.js';
import type { FileSource } from '../../../lib/sources/file-source.js';
import { isDriveAddress, openSectorSource } from '../../../lib/sources/open-source.js';

describe('openSectorSource', () => {
  test('emu: addresses open an emulated drive the source owns', async () => {
    const source = (await openSectorSource('emu:demo-data')) as DriveSource;
    expect(source).toMatchObject({ name: 'emu:demo-data', mode: 'data', sectorSize: 2048, firstLba: 0, extentSource: 'toc' });
    const outcome = await source.read(16, 1);
    if (!outcome.ok) throw outcome.error;
    // ISO 9660 primary volume descriptor: type 1, "CD001".
    expect(Array.from(outcome.data.subarray(0, 6))).toEqual([1, ...new TextEncoder().encode('CD001')]);
    // The demo disc's scratch: a bad sector, named.
    expect(await source.read(2100, 4)).toMatchObject({ ok: false, failedLba: 2100, fatal: false });
    expect(source.simulation?.failedReads).toBe(1);
    await source.close();
    expect(source.drive.transport.closed).toBe(true);
  });

  test('raw mode and the emulator options', async () => {
    const raw = (await openSectorSource('emu:demo-cdextra', { mode: 'raw' })) as DriveSource;
    expect(raw).toMatchObject({ sectorSize: 2352, firstLba: 0, mode: 'raw' });
    await raw.close();
    await expect(openSectorSource('emu:demo-cdextra', { mode: 'raw', emulator: { driveProfile: 'qemu-scsi-cd' } })).rejects.toThrow(
      UnsupportedError,
    );
    await expect(openSectorSource('emu:demo-data', { mode: 'raw', sectorSize: 2048 })).rejects.toThrow(RangeError);
    const mixed = await openSectorSource('emu:demo-mixed');
    expect(mixed.sectorCount).toBe(3000);
    await mixed.close();
  });

  test('anything else is a file; raw mode means 2352-byte sectors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'discrescue-open-source-'));
    try {
      const path = join(dir, 'disc.bin');
      await writeFile(path, new Uint8Array(2352 * 3));
      const raw = (await openSectorSource(path, { mode: 'raw' })) as FileSource;
      expect(raw).toMatchObject({ kind: 'file', sectorSize: 2352, sectorCount: 3 });
      await raw.close();
      const data = await openSectorSource(path, { firstLba: 10 });
      expect(data).toMatchObject({ sectorSize: 2048, firstLba: 10, sectorCount: 3 });
      await data.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('address kinds and argument errors', async () => {
    expect(isDriveAddress('/dev/sr0')).toBe(true);
    expect(isDriveAddress('emu:demo-data')).toBe(true);
    expect(isDriveAddress('disc.iso')).toBe(false);
    await expect(openSectorSource('')).rejects.toThrow(TypeError);
    await expect(openSectorSource('emu:demo-data', { mode: 'cooked' as 'raw' })).rejects.toThrow(RangeError);
    await expect(openSectorSource('emu:demo-data', { kind: 'tape' as 'file' })).rejects.toThrow(RangeError);
  });
});
