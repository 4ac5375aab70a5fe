import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));

describe('discrescue demo (the README\'s first command)', () => {
  it('rescues the demo disc into a fresh folder and reports exactly the unreadable sectors', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'discrescue-demo-test-'));
    try {
      const r = spawnSync(process.execPath, [cli, 'demo', '--json'], { cwd, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.badAreas).toEqual([
        { lba: 2100, sectorCount: 40, status: '-' },
        { lba: 3333, sectorCount: 2, status: '-' },
        { lba: 4500, sectorCount: 1, status: '-' },
        { lba: 5012, sectorCount: 1, status: '-' },
        { lba: 5100, sectorCount: 1, status: '-' },
      ]);
      expect(report.complete).toBe(false);
      // The demo disc, its damage and the rescue are deterministic: so is the image.
      expect(report.checksums).toEqual({
        md5: '5d15eb5106b943cd3d8ad7755f8e49a5',
        sha1: 'cfd1db63d9ecbcf38a067bdf5b8264e541251982',
        sha256: '504d36a55ba1c049ae8e1d9e33998bfac52d03ea3628ed567634cb5b423f93c6',
        bytes: 5236 * 2048,
      });
      expect(report.rescuedBytes).toBe((5236 - 45) * 2048);
      expect(report.drive.simulatedSeconds).toBeGreaterThan(report.drive.simulatedSecondsAtLastRescue);
      const [folder] = readdirSync(cwd).filter((n) => n.startsWith('discrescue-demo-'));
      expect(folder).toBeDefined();
      const map = readFileSync(join(cwd, folder!, 'demo-data.map'), 'utf8');
      expect(map).toContain('0x0041A000  0x00014000  -\n');
      const image = readFileSync(join(cwd, folder!, 'demo-data.iso'));
      expect(image.subarray(16 * 2048 + 1, 16 * 2048 + 6).toString()).toBe('CD001');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('shows a human report without --json', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'discrescue-demo-test-'));
    try {
      const r = spawnSync(process.execPath, [cli, 'demo'], { cwd, encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('LBA 2100, 40 sector(s)');
      expect(r.stderr).toContain('emu:demo-data');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
