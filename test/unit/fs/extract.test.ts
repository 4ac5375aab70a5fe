/**
 * extractTree: unreadable sectors become zeros and are reported, duplicates are never
 * overwritten, symlinks are created as text and never written through, modes lose setuid.
 */

import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../../lib/errors.js';
import { extractTree } from '../../../lib/fs/extract.js';
import { openIso9660 } from '../../../lib/fs/iso9660/reader.js';
import { createMemorySource } from '../../../lib/sources/memory-source.js';
import { buildIso, concat, nm, px, rockRidgeRoot, suEntry, type RecordSpec } from './iso9660-build.js';

const work = mkdtempSync(join(tmpdir(), 'discrescue-extract-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const dot = (extent: number, su?: Uint8Array): RecordSpec => ({ name: '\0', extent, size: 2048, flags: 2, ...(su ? { systemUse: su } : {}) });
const dotDot = (extent: number): RecordSpec => ({ name: '\x01', extent, size: 2048, flags: 2 });
const rr = (name: string, mode: number, extra: Uint8Array[] = []): Uint8Array => concat(nm(name), px(mode), ...extra);
const symlinkTo = (target: string): Uint8Array => {
  // One SL entry: a root component when absolute, then one component per path part.
  const parts = target.split('/');
  const comps: number[] = [];
  for (const [i, part] of parts.entries()) {
    if (part === '' && i === 0) comps.push(0x08, 0);
    else comps.push(0, part.length, ...Buffer.from(part));
  }
  return suEntry('SL', [0, ...comps]);
};

/** 3 sectors of patterned data. */
const PAYLOAD = Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 13 + 7) & 0xff));

describe('extractTree', () => {
  it('an unreadable second sector: the file is written with zeros there and reported', async () => {
    const image = buildIso({
      sectors: 40,
      rootExtent: 20,
      directories: [{ block: 20, records: [dot(20), dotDot(20), { name: 'DATA.BIN;1', extent: 24, size: 6000 }] }],
      files: [{ block: 24, data: PAYLOAD }],
    });
    const source = createMemorySource(image, { badLbas: [25], maxSectorsPerRead: 64 });
    const reader = await openIso9660(source);
    const dest = join(work, 'damaged');
    const report = await extractTree(source, reader, '/', dest);
    expect(report).toMatchObject({ files: 1, directories: 1, bytes: 6000, skipped: [], renamed: [] });
    expect(report.damaged).toEqual([{ path: '/DATA.BIN;1', ranges: [{ start: 2048, length: 2048 }] }]);
    const expected = Buffer.from(PAYLOAD);
    expected.fill(0, 2048, 4096);
    expect(readFileSync(join(dest, 'DATA.BIN;1'))).toEqual(expected);
    // A single file by a path without its version, into an existing directory.
    const into = join(work, 'into');
    mkdirSync(into);
    const single = await extractTree(source, reader, '/data.bin', into);
    expect(single.files).toBe(1);
    expect(readdirSync(into)).toEqual(['DATA.BIN;1']);
    await expect(extractTree(source, reader, '/missing', join(work, 'nothing'))).rejects.toBeInstanceOf(FormatError);
  });

  it('duplicates are reported, not overwritten; symlinks are never written through', async () => {
    const outside = join(work, 'outside');
    mkdirSync(outside);
    const image = buildIso({
      sectors: 40,
      rootExtent: 20,
      directories: [
        {
          block: 20,
          records: [
            dot(20, concat(rockRidgeRoot(), px(0o40555))), dotDot(20),
            { name: 'A1.;1', extent: 24, size: 5, systemUse: rr('same', 0o100644) },
            { name: 'A2.;1', extent: 25, size: 5, systemUse: rr('same', 0o100644) },
            { name: 'L1.;1', extent: 0, size: 0, systemUse: rr('trap', 0o120777, [symlinkTo(join(outside, 'written'))]) },
            { name: 'L2.;1', extent: 24, size: 5, systemUse: rr('trap', 0o100644) },
            { name: 'L3.;1', extent: 0, size: 0, systemUse: rr('trapdir', 0o120777, [symlinkTo(outside)]) },
            { name: 'TRAPDIR', extent: 21, size: 2048, flags: 2, systemUse: rr('trapdir', 0o40755) },
            { name: 'SUID.;1', extent: 24, size: 5, systemUse: rr('suid', 0o104755) },
            { name: 'DEV.;1', extent: 0, size: 0, systemUse: rr('dev', 0o20644) },
          ],
        },
        { block: 21, records: [dot(21), dotDot(20), { name: 'IN.;1', extent: 25, size: 5, systemUse: rr('in', 0o100644) }] },
      ],
      files: [{ block: 24, data: Buffer.from('first') }, { block: 25, data: Buffer.from('other') }],
    });
    const source = createMemorySource(image);
    const reader = await openIso9660(source);
    const dest = join(work, 'dups');
    mkdirSync(dest, { mode: 0o700 });
    const report = await extractTree(source, reader, '/', dest);
    expect(readFileSync(join(dest, 'same'), 'utf8')).toBe('first');
    expect(readlinkSync(join(dest, 'trap'))).toBe(join(outside, 'written'));
    expect(readlinkSync(join(dest, 'trapdir'))).toBe(outside);
    expect(readdirSync(outside)).toEqual([]);
    expect(report.skipped.map((s) => s.path)).toEqual(['/same', '/trap', '/trapdir', '/dev']);
    expect(report.skipped[0]!.reason).toMatch(/not overwritten/u);
    expect(report.skipped[3]!.reason).toBe('device nodes are not created');
    expect(statSync(join(dest, 'suid')).mode & 0o7777).toBe(0o755);
    // The destination existed: the volume root's mode (0555) is not forced on it.
    expect(statSync(dest).mode & 0o777).toBe(0o700);
    expect(lstatSync(join(dest, 'trap')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(outside, 'written'))).toBe(false);
    expect(report).toMatchObject({ files: 2, symlinks: 2, directories: 1 });
  });

  it('times come from the volume: mtime and atime', async () => {
    const tf = suEntry('TF', [0x02 | 0x04, 110, 6, 7, 8, 9, 10, 0, 111, 1, 2, 3, 4, 5, 0]);
    const image = buildIso({
      sectors: 40,
      rootExtent: 20,
      directories: [
        { block: 20, records: [dot(20, rockRidgeRoot()), dotDot(20), { name: 'D', extent: 21, size: 2048, flags: 2, systemUse: concat(rr('d', 0o40750), tf) }] },
        { block: 21, records: [dot(21), dotDot(20), { name: 'T.;1', extent: 24, size: 5, systemUse: concat(rr('t', 0o100600), tf) }] },
      ],
      files: [{ block: 24, data: Buffer.from('times') }],
    });
    const source = createMemorySource(image);
    const reader = await openIso9660(source);
    const dest = join(work, 'times');
    await extractTree(source, reader, '/', dest);
    const file = statSync(join(dest, 'd', 't'));
    expect(file.mtime.toISOString()).toBe('2010-06-07T08:09:10.000Z');
    expect(file.atime.toISOString()).toBe('2011-01-02T03:04:05.000Z');
    expect(file.mode & 0o777).toBe(0o600);
    const dir = statSync(join(dest, 'd'));
    expect(dir.mtime.toISOString()).toBe('2010-06-07T08:09:10.000Z');
    expect(dir.mode & 0o777).toBe(0o750);
  });

  it('a hostile 4 GB size past the end of the source: a sparse file of that size, reported, not read', async () => {
    const image = buildIso({
      sectors: 30,
      rootExtent: 20,
      directories: [{ block: 20, records: [dot(20), dotDot(20), { name: 'HUGE.;1', extent: 29, size: 0xfffff000 }] }],
      files: [{ block: 29, data: Buffer.from('tail') }],
    });
    const source = createMemorySource(image);
    const reader = await openIso9660(source);
    const dest = join(work, 'huge');
    const report = await extractTree(source, reader, '/HUGE.;1', dest);
    expect(report.damaged).toEqual([{ path: '/HUGE.;1', ranges: [{ start: 2048, length: 0xfffff000 - 2048 }] }]);
    const stat = statSync(dest);
    expect(stat.size).toBe(0xfffff000);
    expect(stat.blocks * 512).toBeLessThan(1 << 20);
    const head = Buffer.alloc(4);
    const fd = openSync(dest, 'r');
    readSync(fd, head, 0, 4, 0);
    closeSync(fd);
    expect(head.toString()).toBe('tail');
    expect(source.stats.sectorsRead).toBeLessThan(40);
  });
});
