/**
 * deepVerify: damaged files named with the exact file-relative byte ranges, cross-links versus
 * hard links and empty files, loops, and the same checks through a reader that is not ISO 9660.
 */

import { describe, expect, it } from 'vitest';
import { damagedRanges, deepVerify } from '../../../lib/fs/deep-verify.js';
import { openIso9660 } from '../../../lib/fs/iso9660/reader.js';
import type { FileSystemReader, FsNode } from '../../../lib/fs/types.js';
import { createMemorySource } from '../../../lib/sources/memory-source.js';
import { buildIso, concat, nm, px, rockRidgeRoot, type RecordSpec } from './iso9660-build.js';

const dot = (extent: number, su?: Uint8Array): RecordSpec => ({ name: '\0', extent, size: 2048, flags: 2, ...(su ? { systemUse: su } : {}) });
const dotDot = (extent: number): RecordSpec => ({ name: '\x01', extent, size: 2048, flags: 2 });

/** /BIG (6000 bytes at blocks 24–26), /SMALL (10 bytes at 28), /DIR (block 21) with /DIR/IN (5000 bytes at 30–32). */
function sample(): Uint8Array {
  return buildIso({
    sectors: 40,
    rootExtent: 20,
    directories: [
      { block: 20, records: [dot(20), dotDot(20), { name: 'BIG.;1', extent: 24, size: 6000 }, { name: 'DIR', extent: 21, size: 2048, flags: 2 }, { name: 'SMALL.;1', extent: 28, size: 10 }] },
      { block: 21, records: [dot(21), dotDot(20), { name: 'IN.;1', extent: 30, size: 5000 }] },
    ],
  });
}

describe('deepVerify', () => {
  it('a bad range on exactly the second sector of one file names that file with bytes [2048, 4096)', async () => {
    const image = sample();
    const reader = await openIso9660(createMemorySource(image));
    const report = await deepVerify(reader, { sourceBytes: image.length, badRanges: [{ start: 25 * 2048, length: 2048 }] });
    expect(report.damagedFiles).toEqual([{ path: '/BIG.;1', size: 6000, ranges: [{ start: 2048, length: 2048 }], damagedBytes: 2048 }]);
    expect(report).toMatchObject({ directories: 2, files: 3, bytes: 6000 + 10 + 5000, problems: [], ok: false });
  });

  it('widens bad ranges to whole sectors, clips to the file end, and merges adjacent ones', async () => {
    const image = sample();
    const reader = await openIso9660(createMemorySource(image));
    const report = await deepVerify(reader, {
      sourceBytes: image.length,
      badRanges: [{ start: 32 * 2048 + 5, length: 1 }, { start: 30 * 2048, length: 100 }, { start: 31 * 2048, length: 2048 }],
    });
    // IN is 5000 bytes: its third sector holds 904 of them.
    expect(report.damagedFiles).toEqual([{ path: '/DIR/IN.;1', size: 5000, ranges: [{ start: 0, length: 5000 }], damagedBytes: 5000 }]);
    const partial = await deepVerify(reader, { sourceBytes: image.length, badRanges: [{ start: 32 * 2048, length: 2048 }] });
    expect(partial.damagedFiles).toEqual([{ path: '/DIR/IN.;1', size: 5000, ranges: [{ start: 4096, length: 904 }], damagedBytes: 904 }]);
  });

  it('a directory in a bad range is a damaged-directory problem; a clean volume is ok', async () => {
    const image = sample();
    const reader = await openIso9660(createMemorySource(image));
    const report = await deepVerify(reader, { sourceBytes: image.length, badRanges: [{ start: 21 * 2048, length: 2048 }] });
    expect(report.problems.map((p) => [p.code, p.path])).toEqual([['damaged-directory', '/DIR']]);
    expect(report.damagedFiles).toEqual([]);
    const clean = await deepVerify(reader, { sourceBytes: image.length });
    expect(clean).toMatchObject({ ok: true, problems: [], damagedFiles: [], directories: 2, files: 3 });
  });

  it('cross-links are errors; Rock Ridge hard links (nlink 2, same extent) and empty files are not', async () => {
    const su = (name: string, nlink: number): Uint8Array => concat(nm(name), px(0o100644, nlink));
    const image = buildIso({
      sectors: 40,
      rootExtent: 20,
      directories: [{
        block: 20,
        records: [
          dot(20, rockRidgeRoot()), dotDot(20),
          { name: 'A.;1', extent: 24, size: 3000, systemUse: su('a', 1) },
          { name: 'B.;1', extent: 25, size: 100, systemUse: su('b', 1) },
          { name: 'H1.;1', extent: 28, size: 50, systemUse: su('h1', 2) },
          { name: 'H2.;1', extent: 28, size: 50, systemUse: su('h2', 2) },
          { name: 'E1.;1', extent: 30, size: 0, systemUse: su('e1', 1) },
          { name: 'E2.;1', extent: 30, size: 0, systemUse: su('e2', 1) },
        ],
      }],
    });
    const reader = await openIso9660(createMemorySource(image));
    const report = await deepVerify(reader, { sourceBytes: image.length });
    expect(report.problems).toEqual([{ code: 'cross-link', message: `shares bytes ${25 * 2048}–${25 * 2048 + 99} with /a`, path: '/b', otherPath: '/a' }]);
    expect(report.files).toBe(6);
  });

  it('works on any FileSystemReader: loops by id, node limit, extents outside the image', async () => {
    const node = (path: string, kind: FsNode['kind'], id: string, extents: FsNode['extents'] = []): FsNode =>
      ({ name: path.split('/').pop()!, path, kind, size: extents.reduce((n, e) => n + e.length, 0), extents, id });
    const root = node('/', 'directory', 'r');
    const tree: Record<string, FsNode[]> = {
      r: [node('/a', 'directory', 'a'), node('/f', 'file', 'f', [{ start: 100, length: 50 }, { start: 10_000, length: 10 }])],
      a: [node('/a/again', 'directory', 'r'), node('/a/g', 'file', 'g', [{ start: 140, length: 60 }])],
    };
    const reader: FileSystemReader = {
      type: 'udf',
      label: 'fake',
      root: async () => root,
      readDir: async (dir) => tree[dir.id] ?? [],
    };
    const report = await deepVerify(reader, { sourceBytes: 1000, sectorSize: 512, badRanges: [{ start: 520, length: 1 }] });
    expect(report.problems.map((p) => [p.code, p.path])).toEqual([['extent-outside-image', '/f'], ['loop', '/a/again'], ['cross-link', '/a/g']]);
    expect(report.damagedFiles).toEqual([]);
    const widened = await deepVerify(reader, { sourceBytes: 100_000, sectorSize: 512, badRanges: [{ start: 130, length: 1 }] });
    expect(widened.damagedFiles.map((d) => [d.path, d.ranges])).toEqual([
      ['/f', [{ start: 0, length: 50 }]],
      ['/a/g', [{ start: 0, length: 60 }]],
    ]);
    expect(widened.problems.map((p) => p.code)).toEqual(['loop', 'cross-link']);
    const limited = await deepVerify(reader, { sourceBytes: 100_000, maxNodes: 2 });
    expect(limited.problems.map((p) => p.code)).toContain('too-many-nodes');
  });

  it('damagedRanges maps image ranges to file offsets across several extents', () => {
    const extents = [{ start: 1000, length: 100 }, { start: 5000, length: 100 }, { start: 2000, length: 100 }];
    expect(damagedRanges(extents, [{ start: 1050, length: 50 }, { start: 2090, length: 100 }, { start: 5000, length: 10 }])).toEqual([
      { start: 50, length: 60 },
      { start: 290, length: 10 },
    ]);
  });
});
