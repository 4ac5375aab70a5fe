import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../lib/cli/run.js';
import { Drive } from '../../lib/drive/drive.js';
import { DEMO_DISC_NAMES } from '../../lib/emulator/demo-discs.js';
import { FormatError, MediumError } from '../../lib/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'discrescue-emu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('emu: addresses', () => {
  it.each(DEMO_DISC_NAMES)('opens emu:%s through Drive.open', async (name) => {
    const drive = await Drive.open(`emu:${name}`);
    try {
      await drive.waitReady();
      const toc = await drive.toc();
      expect(toc.tracks.length).toBeGreaterThan(0);
      expect(drive.path).toBe(`emu:${name}`);
      expect(drive.simulation?.commands).toBeGreaterThan(0);
    } finally {
      await drive.close();
    }
  });

  it('demo-data carries an ISO 9660 filesystem and its built-in damage', async () => {
    const drive = await Drive.open('emu:demo-data');
    try {
      await drive.waitReady();
      const pvd = await drive.readSectors(16, 1);
      expect(Buffer.from(pvd.subarray(1, 6)).toString()).toBe('CD001');
      expect(Buffer.from(pvd.subarray(40, 55)).toString()).toBe('DISCRESCUE_DEMO');
      const error = await drive.readSectors(2095, 10).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MediumError);
      expect((error as MediumError).lba).toBe(2100);
    } finally {
      await drive.close();
    }
  });

  it('applies a defect mapfile, in bytes of 2048-byte sectors', async () => {
    const map = join(dir, 'defects.map');
    writeFileSync(map, '0x0 + 1\n0x0 0x32000 +\n0x32000 0x800 -\n0x32800 0x100000 +\n');
    const drive = await Drive.open('emu:demo-cdextra', { emulator: { defects: { path: map } } });
    try {
      await drive.waitReady();
      const toc = await drive.toc();
      expect(toc.sessions).toHaveLength(2);
      const error = await drive.readCd(100, 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MediumError);
      expect((error as MediumError).lba).toBe(100);
    } finally {
      await drive.close();
    }
  });

  it('rejects unknown demo discs and empty addresses', async () => {
    await expect(Drive.open('emu:demo-nothing')).rejects.toBeInstanceOf(FormatError);
    await expect(Drive.open('emu:')).rejects.toBeInstanceOf(FormatError);
  });

  it('discrescue info emu:demo-cdextra --json reports sessions and the virtual clock', async () => {
    let out = '';
    let err = '';
    const code = await run(['info', 'emu:demo-cdextra', '--json', '--drive-profile', 'cheap', '--seed', '7'], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.toc.sessions.map((s: { number: number }) => s.number)).toEqual([1, 2]);
    expect(report.capabilities.c2Pointers).toBe(false);
    expect(report.drive.commands).toBeGreaterThan(0);
    expect(report.drive.simulatedSeconds).toBeGreaterThan(0);
  });

  it('rejects a bad seed as a usage error', async () => {
    let err = '';
    const code = await run(['info', 'emu:demo-data', '--seed', 'x'], {
      stdout: { write: () => undefined },
      stderr: { write: (s: string) => (err += s) },
    });
    expect(code).toBe(2);
    expect(err).toContain('--seed');
  });
});
