import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../../../lib/cli/run.js';
import type { CliContext } from '../../../lib/cli/io.js';
import { DeviceNotFoundError } from '../../../lib/errors.js';

function capture(overrides: Partial<CliContext> = {}) {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    ...overrides,
  };
  return { ctx, out: () => stdout, err: () => stderr };
}

describe('discrescue CLI (in-process)', () => {
  it('says when there is no drive and exits 0', async () => {
    const io = capture({ listDrives: async () => [] });
    expect(await run(['drives'], io.ctx)).toBe(0);
    expect(io.out()).toMatch(/^No optical drives found/u);
  });

  it('prints one JSON document with --json', async () => {
    const io = capture({ listDrives: async () => [] });
    expect(await run(['drives', '--json'], io.ctx)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({ drives: [] });
  });

  it('lists drives with their nodes and mounts', async () => {
    const io = capture({
      listDrives: async () => [
        {
          blockDevice: '/dev/sr0',
          genericDevice: '/dev/sg0',
          path: '/dev/sr0',
          scsiAddress: '0:0:0:0',
          vendor: 'PLEXTOR',
          model: 'DVDR PX-716A',
          revision: '1.11',
          devNumber: '11:0',
          mountPoints: ['/media/disc'],
          mounted: true,
        },
      ],
    });
    expect(await run(['drives'], io.ctx)).toBe(0);
    expect(io.out()).toBe('/dev/sr0 /dev/sg0    PLEXTOR DVDR PX-716A 1.11  mounted at /media/disc\n');
  });

  it('reports open failures with the code and exits 1', async () => {
    const io = capture({
      openDrive: async (path) => {
        throw new DeviceNotFoundError(`${path}: no such device (ENOENT, open)`, { path, errnoCode: 'ENOENT' });
      },
    });
    expect(await run(['info', '/dev/sr9'], io.ctx)).toBe(1);
    expect(io.err()).toBe('discrescue: /dev/sr9: no such device (ENOENT, open) [ERR_DEVICE_NOT_FOUND]\n');
  });

  it('rejects usage mistakes with exit code 2', async () => {
    for (const args of [['frobnicate'], ['info'], ['drives', 'extra'], ['--bogus'], []]) {
      const io = capture();
      expect(await run(args, io.ctx)).toBe(2);
    }
  });

  it('prints help and version', async () => {
    const help = capture();
    expect(await run(['--help'], help.ctx)).toBe(0);
    expect(help.out()).toContain('Usage: discrescue <command>');
    const version = capture();
    expect(await run(['--version'], version.ctx)).toBe(0);
    expect(version.out()).toMatch(/^\d+\.\d+\.\d+\n$/u);
  });
});

const cli = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));

describe.skipIf(process.platform !== 'linux')('discrescue CLI (built, on this machine)', () => {
  it('is built', () => {
    expect(existsSync(cli)).toBe(true);
  });

  it('drives exits 0 whether or not a drive exists', () => {
    const r = spawnSync(process.execPath, [cli, 'drives'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
  });

  it('info on a missing device exits non-zero with ENOENT and the path', () => {
    const r = spawnSync(process.execPath, [cli, 'info', '/dev/sr99'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('/dev/sr99');
    expect(r.stderr).toContain('ENOENT');
    expect(r.stdout).toBe('');
  });
});
