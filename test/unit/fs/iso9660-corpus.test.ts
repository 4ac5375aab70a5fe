/**
 * The ISO 9660 reader on libcdio's test images, checked against the values of libcdio's .right
 * files (iso-info listings) and the payload files the images were made from.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../lib/cli/io.js';
import { run } from '../../../lib/cli/run.js';
import { FormatError } from '../../../lib/errors.js';
import { extractTree } from '../../../lib/fs/extract.js';
import { openIso9660, type Iso9660Reader } from '../../../lib/fs/iso9660/reader.js';
import type { FsNode } from '../../../lib/fs/types.js';
import { walkTree } from '../../../lib/fs/walk.js';
import { openFileSource } from '../../../lib/sources/file-source.js';

const TEST = fileURLToPath(new URL('../../../../shared/corpus/libcdio/test/', import.meta.url));
const DATA = join(TEST, 'data');
const HAVE_CORPUS = existsSync(join(DATA, 'copying.iso'));
const HAVE_ISOINFO = spawnSync('isoinfo', ['-version']).status === 0;

const work = mkdtempSync(join(tmpdir(), 'discrescue-iso-corpus-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function open(name: string): Promise<{ reader: Iso9660Reader; close: () => Promise<void>; source: Awaited<ReturnType<typeof openFileSource>> }> {
  const source = await openFileSource(join(DATA, name));
  const reader = await openIso9660(source);
  return { reader, source, close: () => source.close() };
}

async function allNodes(reader: Iso9660Reader): Promise<FsNode[]> {
  const out: FsNode[] = [];
  for await (const step of walkTree(reader)) out.push(...(step.entries ?? []));
  return out;
}

describe.skipIf(!HAVE_CORPUS)('ISO 9660 on the libcdio corpus (skipped without the corpus)', () => {
  it('copying.iso: plain ISO 9660, one file, as copying.right lists it', async () => {
    const { reader, source, close } = await open('copying.iso');
    try {
      expect(reader.type).toBe('iso9660');
      expect(reader.names).toBe('iso');
      expect(reader.descriptors.rockRidge.present).toBe(false);
      expect(reader.descriptors.joliet).toBeUndefined();
      const root = await reader.root();
      expect(root.extents).toEqual([{ start: 23 * 2048, length: 2048 }]);
      const [file, ...rest] = await reader.readDir(root);
      expect(rest).toEqual([]);
      expect(file!.name).toBe('COPYING.;1');
      expect(file!.size).toBe(18002);
      expect(reader.recordInfo(file!)?.extent).toBe(24);
      // copying.right: "Jan 05 2006 21:46:30" (printed in UTC).
      expect(file!.mtime?.toISOString()).toBe('2006-01-05T21:46:30.000Z');
      const report = await extractTree(source, reader, '/COPYING', join(work, 'copying'));
      expect(report).toMatchObject({ files: 1, damaged: [], skipped: [], renamed: [] });
      expect(readFileSync(join(work, 'copying'))).toEqual(readFileSync(join(TEST, 'copying.gpl')));
    } finally {
      await close();
    }
  });

  it('copying-rr.iso: Rock Ridge names, modes, symlinks and devices as copying-rr.right lists them', async () => {
    const { reader, source, close } = await open('copying-rr.iso');
    try {
      const pvd = reader.descriptors.primary;
      expect(pvd).toMatchObject({
        systemId: 'LINUX',
        volumeId: 'Rock Ridge Copy test',
        publisherId: 'Rocky Bernstein',
        dataPreparerId: 'K3b - Version 0.11.20',
        volumeSpaceSize: 186,
        logicalBlockSize: 2048,
        volumeSetSize: 1,
        volumeSequenceNumber: 1,
        rootExtent: 23,
      });
      expect(reader.descriptors.rockRidge).toMatchObject({ present: true, extensions: ['RRIP_1991A'] });
      expect(reader.names).toBe('rr');
      expect(reader.label).toBe('Rock Ridge Copy test');
      const nodes = await allNodes(reader);
      const summary = nodes.map((n) => [n.path, n.kind, (n.mode ?? 0).toString(8), n.size, reader.recordInfo(n)?.extent, n.linkTarget ?? '']);
      expect(summary).toEqual([
        ['/copy', 'directory', '40555', 2048, 24, ''],
        ['/Copy2', 'symlink', '120555', 0, 27, 'COPYING'],
        ['/COPYING', 'file', '100444', 17992, 27, ''],
        ['/fd0', 'device', '60444', 0, 36, ''],
        ['/tmp', 'directory', '40555', 2048, 25, ''],
        ['/zero', 'device', '20444', 0, 36, ''],
        ['/copy/COPYING', 'symlink', '120555', 0, 36, '../COPYING'],
        ['/tmp/COPYING', 'symlink', '120555', 0, 36, '../copying/COPYING'],
      ]);
      const copying = nodes.find((n) => n.path === '/COPYING')!;
      expect(copying.mtime?.toISOString()).toBe('2005-03-05T15:25:51.000Z');
      expect([copying.uid, copying.gid, copying.nlink]).toEqual([0, 0, 1]);
      const root = await reader.root();
      expect(root.mode?.toString(8)).toBe('40555');
      const report = await extractTree(source, reader, '/COPYING', join(work, 'copying-rr'));
      expect(report.files).toBe(1);
      expect(readFileSync(join(work, 'copying-rr'))).toEqual(readFileSync(join(TEST, 'copying-rr.gpl')));
    } finally {
      await close();
    }
  });

  // uid/gid as multiextent.right and multiextent_emultocpad.right list them.
  for (const [image, uid, gid] of [['multi_extent_8k.iso', 1007, 1001], ['multi_extent_8k_emul_toc_padded.iso', 1000, 1000]] as const) {
    it(`${image}: seven records of one name are one file of 54305 bytes`, async () => {
      const { reader, source, close } = await open(image);
      try {
        const nodes = await allNodes(reader);
        expect(nodes.map((n) => [n.path, n.size, (n.mode ?? 0).toString(8), n.uid, n.gid])).toEqual([
          ['/multi_extent_file', 54305, '100644', uid, gid],
        ]);
        const file = nodes[0]!;
        expect(file.extents.map((e) => e.length)).toEqual([8192, 8192, 8192, 8192, 8192, 8192, 5153]);
        expect(reader.recordInfo(file)?.records).toBe(7);
        const out = join(work, `mef-${image}`);
        await extractTree(source, reader, '/multi_extent_file', out);
        expect(readFileSync(out)).toEqual(readFileSync(join(DATA, 'multi_extent_file')));
      } finally {
        await close();
      }
    });
  }

  it('multi_extent_8k.iso: extent addresses as multiextent.right lists them (LSN 33)', async () => {
    const { reader, close } = await open('multi_extent_8k.iso');
    try {
      const [file] = await allNodes(reader);
      expect(file!.extents.map((e) => e.start / 2048)).toEqual([33, 37, 41, 45, 49, 53, 57]);
      expect(file!.mtime?.toISOString()).toBe('2020-06-17T19:29:52.000Z');
    } finally {
      await close();
    }
  });

  it('deep-directory.iso: relocated directories appear where they belong, as deep_directory.right lists them', async () => {
    const expected = new Map<string, { lsn: number; size: number; mode: string }>();
    let dir = '';
    for (const line of readFileSync(join(TEST, 'deep_directory.right'), 'latin1').split('\n')) {
      const header = /^(\/.*)\/:$|^\/:$/u.exec(line);
      if (header) {
        dir = header[1] ?? '';
        continue;
      }
      const m = /^ {2}(\S+)\s+\d+ \d+ \d+ \[LSN\s+(\d+)\]\s+(\d+) .{20} {2}(.+)$/u.exec(line);
      if (!m || m[4] === '.' || m[4] === '..') continue;
      expected.set(`${dir}/${m[4]}`, { lsn: Number(m[2]), size: Number(m[3]), mode: m[1]! });
    }
    expect(expected.size).toBe(18);
    const { reader, source, close } = await open('deep-directory.iso');
    try {
      const nodes = await allNodes(reader);
      const got = new Map(nodes.map((n) => [n.path, { lsn: reader.recordInfo(n)!.extent, size: n.size, mode: n.kind === 'directory' ? 'dr-xr-xr-x' : '-r-xr-xr-x' }]));
      expect(got).toEqual(expected);
      expect(nodes.filter((n) => n.kind === 'directory').every((n) => (n.mode ?? 0).toString(8) === '40555')).toBe(true);
      const deep = '/1/2/3/4/5/6/7/8/9/10/11/12/13/14';
      await extractTree(source, reader, '/1/2/3/4/5/6/7/8/8.txt', join(work, 'deep8'));
      await extractTree(source, reader, `${deep}/14.txt`, join(work, 'deep14'));
      expect(readFileSync(join(work, 'deep8'))).toEqual(readFileSync(join(DATA, 'deep_directory1_file')));
      expect(readFileSync(join(work, 'deep14'))).toEqual(readFileSync(join(DATA, 'deep_directory2_file')));
      // In the plain ISO namespace the physical tree shows, rr_moved included.
      const plain = await openIso9660(source, { names: 'iso' });
      expect((await plain.readDir(await plain.root())).map((n) => n.name)).toEqual(['1', 'RR_MOVED']);
    } finally {
      await close();
    }
  });

  it('malformed.iso: a typed error, no crash', async () => {
    const source = await openFileSource(join(DATA, 'malformed.iso'));
    try {
      await expect(openIso9660(source)).rejects.toBeInstanceOf(FormatError);
    } finally {
      await source.close();
    }
  });

  it('bad-dir.iso: a root directory starting with a zero byte reads as empty, with warnings', async () => {
    const { reader, close } = await open('bad-dir.iso');
    try {
      expect(await allNodes(reader)).toEqual([]);
      expect(reader.warnings.map((w) => w.code)).toEqual(['ISO_VOLUME_PAST_END', 'ISO_DATA_AFTER_PADDING']);
    } finally {
      await close();
    }
  });
});

describe.skipIf(!HAVE_CORPUS || !HAVE_ISOINFO)('ls on the libcdio corpus against isoinfo (skipped without the corpus or isoinfo)', () => {
  const cases: [string, string[], string[]][] = [
    ['copying.iso', ['-l'], ['-l']],
    ['copying-rr.iso', ['-R', '-l'], ['-l']],
    ['copying-rr.iso', ['-R', '-f'], []],
    ['deep-directory.iso', ['-l'], ['-l', '--names', 'iso']],
    ['deep-directory.iso', ['-f'], ['--names', 'iso']],
  ];
  for (const [image, isoinfoArgs, ours] of cases) {
    it(`${image}: ls ${ours.join(' ')} equals isoinfo ${isoinfoArgs.join(' ')}`, async () => {
      const expected = spawnSync('isoinfo', [...isoinfoArgs, '-i', join(DATA, image)], { encoding: 'latin1' }).stdout;
      let out = '';
      const ctx: CliContext = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } };
      expect(await run(['ls', join(DATA, image), ...ours], ctx)).toBe(0);
      expect(out).toBe(expected);
    });
  }
});
