/** `discrescue verify` and `discrescue identify`, in-process. */

import { copyFileSync, existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../lib/cli/io.js';
import { run } from '../../../lib/cli/run.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/isolyzer/testFiles/', import.meta.url));
const HAVE_CORPUS = existsSync(join(CORPUS, 'udf.iso'));
const work = mkdtempSync(join(tmpdir(), 'discrescue-verify-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function capture() {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  return { ctx, out: () => stdout, err: () => stderr };
}

describe('verify', () => {
  it('a cue sheet gets raw sector verification (a missing one is a clear error)', async () => {
    const io = capture();
    expect(await run(['verify', join(work, 'no-such-disc.cue')], io.ctx)).toBe(1);
    expect(io.err()).toMatch(/no-such-disc\.cue.*\[ERR_/u);
  });

  it.skipIf(!HAVE_CORPUS)('--json: isolyzer field names, a deep slot and the mapfile passed through; exit 0 when complete', async () => {
    const io = capture();
    const mapfile = join(work, 'rescue.map');
    writeFileSync(mapfile, '0x00000000 + 1\n0x00000000 0x000E6000 +\n');
    expect(await run(['verify', join(CORPUS, 'iso9660_udf.iso'), '--json', '--mapfile', mapfile], io.ctx)).toBe(0);
    const report = JSON.parse(io.out()) as Record<string, unknown>;
    expect(report).toMatchObject({
      fileSystems: ['ISO 9660', 'UDF'], containsKnownFileSystem: true, sizeExpected: 942080, sizeActual: 942080,
      sizeDifference: 0, sizeDifferenceSectors: 0, sizeAsExpected: true, smallerThanExpected: false, mapfile,
    });
    // Both filesystems walked; the mapfile leaves nothing unfinished, so no file is damaged.
    expect((report.deep as Array<{ fileSystem: string; ok: boolean }>).map((d) => [d.fileSystem, d.ok])).toEqual([
      ['ISO 9660', true],
      ['UDF', true],
    ]);
  });

  it.skipIf(!HAVE_CORPUS)('exit 1 and INCOMPLETE on a UDF image one sector short', async () => {
    const image = join(work, 'udf-short.iso');
    copyFileSync(join(CORPUS, 'udf.iso'), image);
    truncateSync(image, 614400 - 2048);
    const io = capture();
    expect(await run(['verify', image], io.ctx)).toBe(1);
    expect(io.out()).toContain('INCOMPLETE: 2048 bytes missing');
    expect(io.out()).toContain('MISSING DATA');
  });

  it.skipIf(!HAVE_CORPUS)('--offset is isolyzer\'s sector offset', async () => {
    const io = capture();
    expect(await run(['verify', join(CORPUS, 'iso9660.iso'), '--offset', '16', '--json'], io.ctx)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ sectorOffset: 16, sizeExpected: 200 * 2048, sizeDifferenceSectors: 16 });
  });

  it.skipIf(!HAVE_CORPUS)('exit 1 when nothing is recognised', async () => {
    const io = capture();
    expect(await run(['verify', join(CORPUS, 'iso9660_nopvd.iso')], io.ctx)).toBe(1);
    expect(io.out()).toContain('UNKNOWN');
  });
});

describe.skipIf(!HAVE_CORPUS)('identify', () => {
  it('lists the Apple map and both filesystems of a hybrid', async () => {
    const io = capture();
    expect(await run(['identify', join(CORPUS, 'iso9660_hfs_part.iso')], io.ctx)).toBe(0);
    const out = io.out();
    expect(out).toContain('Apple partition map, 2 entries, 512-byte blocks');
    expect(out).toContain('partition 2: Apple_HFS "ISO9660/HFS/part_table", 894976 bytes at byte 8192');
    expect(out).toContain('ISO 9660 + Joliet file system at byte 0');
    expect(out).toContain('HFS file system at byte 8192 in APM partition 2');
    expect(out).toContain('volume size 892.93 kB (892928 bytes, 436 blocks of 2048 bytes)');
  });

  it('--json', async () => {
    const io = capture();
    expect(await run(['identify', join(CORPUS, 'udf.iso'), '--json'], io.ctx)).toBe(0);
    const doc = JSON.parse(io.out()) as { fileSystems: Record<string, unknown>[]; partitionMaps: unknown[] };
    expect(doc.partitionMaps).toEqual([]);
    expect(doc.fileSystems).toEqual([
      { type: 'udf', name: 'UDF', label: 'LinuxUDF', at: 0, sizeBytes: 252 * 2048, sizeSectors: 252, blockSize: 2048, blockCount: 252, version: 'UDF 2.01' },
    ]);
  });
});
