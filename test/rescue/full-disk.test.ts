/**
 * A full disk: the image and the mapfile on a 1 MiB tmpfs, a 3 MiB source. The rescue must stop
 * with a clear OutputWriteError (ENOSPC), and the mapfile left on disk must be truthful: every
 * byte it claims rescued is in the image and right. Needs root (mount); skipped otherwise.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OutputWriteError } from '../../lib/errors.js';
import { rescue } from '../../lib/rescue/engine.js';
import { readMapfile } from '../../lib/rescue/mapfile.js';
import { createMemorySource } from '../../lib/sources/memory-source.js';
import { randomBytes, SECTOR } from './helpers.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'discrescue-full-disk-'));
const mounted =
  process.platform === 'linux' &&
  process.getuid?.() === 0 &&
  spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]).status === 0;

afterAll(() => {
  if (mounted) spawnSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

describe.skipIf(!mounted)(`a full disk${mounted ? '' : ' (SKIPPED: needs root and mount -t tmpfs)'}`, () => {
  const sectors = 1536;
  const data = randomBytes(sectors * SECTOR, 31);
  let error: unknown;

  beforeAll(async () => {
    const source = createMemorySource(data, { badLbas: [700, 701] });
    error = await rescue({
      source,
      imagePath: join(mountPoint, 'disc.iso'),
      mapfilePath: join(mountPoint, 'disc.map'),
      mapfileIntervalMs: 0,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
  });

  test('stops with OutputWriteError: ENOSPC, the image named', () => {
    expect(error).toBeInstanceOf(OutputWriteError);
    const e = error as OutputWriteError;
    expect(e.errnoCode).toBe('ENOSPC');
    expect(e.message).toMatch(/disc\.iso: cannot (write|flush).*no space left on device/iu);
  });

  test('the mapfile on disk claims only bytes that are in the image, and right', () => {
    const map = readMapfile(readFileSync(join(mountPoint, 'disc.map'), 'utf8')).map;
    const image = readFileSync(join(mountPoint, 'disc.iso'));
    let claimed = 0;
    for (let cursor = 0; ; ) {
      const run = map.nextRun(cursor, '+');
      if (!run) break;
      expect(run.pos + run.size).toBeLessThanOrEqual(image.length);
      expect(Buffer.compare(image.subarray(run.pos, run.pos + run.size), Buffer.from(data.subarray(run.pos, run.pos + run.size)))).toBe(0);
      claimed += run.size;
      cursor = run.pos + run.size;
    }
    // Some data made it before the disk filled up, and not all of it.
    expect(claimed).toBeGreaterThan(0);
    expect(claimed).toBeLessThan(data.length);
  });
});
