/** HFS and HFS+ readers against hfsutils volumes, isolyzer's images and xorriso/genisoimage hybrids. */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMacRoman } from '../../../lib/fs/hfs/btree.js';
import { openHfs } from '../../../lib/fs/hfs/hfs.js';
import { openHfsPlus } from '../../../lib/fs/hfsplus/hfsplus.js';
import { readBytes } from '../../../lib/fs/read-bytes.js';
import type { FileSystemReader, FsNode } from '../../../lib/fs/types.js';
import { openFileSource } from '../../../lib/sources/file-source.js';
import type { SectorSource } from '../../../lib/sources/sector-source.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/isolyzer/testFiles/', import.meta.url));
const HAVE_CORPUS = existsSync(join(CORPUS, 'hfs.iso'));
const HAVE_HFSUTILS = spawnSync('hformat', []).error === undefined;
const HAVE_XORRISO = spawnSync('xorriso', ['--version']).error === undefined;
const HAVE_GENISOIMAGE = spawnSync('genisoimage', ['--version']).error === undefined;

const work = mkdtempSync(join(tmpdir(), 'discrescue-hfs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function listAll(reader: FileSystemReader, dir: FsNode, out = new Map<string, FsNode>()): Promise<Map<string, FsNode>> {
  for (const node of await reader.readDir(dir)) {
    out.set(node.path, node);
    if (node.kind === 'directory') await listAll(reader, node, out);
  }
  return out;
}

async function data(source: SectorSource, node: FsNode): Promise<Buffer> {
  return Buffer.concat(await Promise.all(node.extents.map((e) => readBytes(source, e.start, e.length))));
}

const payload = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 13) & 0xff));

describe('MacRoman', () => {
  it('decodes the high half', () => {
    expect(decodeMacRoman(Uint8Array.from([0x80, 0x8e, 0xa5, 0xdb, 0xf0]))).toBe('Äé•€\uf8ff');
  });
});

describe.skipIf(!HAVE_HFSUTILS)('HFS volumes from hformat/hcopy (skipped without hfsutils)', () => {
  it('reads the tree, the data fork bytes and the label', async () => {
    const image = join(work, 'hfs.img');
    writeFileSync(image, '');
    truncateSync(image, 800 * 1024);
    const home = join(work, 'home');
    mkdirSync(home, { recursive: true });
    const env = { ...process.env, HOME: home };
    writeFileSync(join(work, 'payload.bin'), payload);
    writeFileSync(join(work, 'note.txt'), 'a note\n');
    for (const [cmd, ...args] of [
      ['hformat', '-l', 'Rescue Disk', image], ['hmount', image], ['hmkdir', ':Folder'], ['hmkdir', ':Folder:Inner'],
      ['hcopy', '-r', join(work, 'payload.bin'), ':Folder:Inner:payload.bin'], ['hcopy', '-r', join(work, 'note.txt'), ':note.txt'], ['humount'],
    ] as string[][]) {
      const r = spawnSync(cmd!, args, { env, encoding: 'latin1' });
      expect(r.status, `${cmd} ${r.stderr}`).toBe(0);
    }
    const source = await openFileSource(image);
    try {
      const reader = await openHfs(source);
      expect(reader.label).toBe('Rescue Disk');
      expect(reader.mdb.allocationBlocks * reader.mdb.allocationBlockSize).toBeLessThanOrEqual(800 * 1024);
      const nodes = await listAll(reader, await reader.root());
      expect([...nodes.keys()].sort()).toEqual(['/Folder', '/Folder/Inner', '/Folder/Inner/payload.bin', '/note.txt']);
      expect((await data(source, nodes.get('/Folder/Inner/payload.bin')!)).equals(payload)).toBe(true);
      expect((await data(source, nodes.get('/note.txt')!)).toString()).toBe('a note\n');
      expect(nodes.get('/Folder')!.kind).toBe('directory');
      expect(reader.warnings).toEqual([]);
    } finally {
      await source.close();
    }
  });
});

describe.skipIf(!HAVE_CORPUS)('isolyzer images (skipped without the corpus)', () => {
  it('hfs.iso and hfsplus.iso: labels and geometry', async () => {
    const hfs = await openFileSource(join(CORPUS, 'hfs.iso'));
    const plus = await openFileSource(join(CORPUS, 'hfsplus.iso'));
    try {
      const a = await openHfs(hfs);
      expect(a.label).toBe('HFS');
      expect([a.mdb.allocationBlocks, a.mdb.allocationBlockSize, a.mdb.firstAllocationSector]).toEqual([298, 2048, 4]);
      const b = await openHfsPlus(plus);
      expect(b.label).toBe('HFS_Plus');
      expect([b.header.signature, b.header.totalBlocks, b.header.blockSize]).toEqual(['H+', 300, 2048]);
    } finally {
      await hfs.close();
      await plus.close();
    }
  });

  it('iso9660_hfs.iso: the HFS side of a genisoimage hybrid', async () => {
    const source = await openFileSource(join(CORPUS, 'iso9660_hfs.iso'));
    try {
      const reader = await openHfs(source);
      const nodes = await listAll(reader, await reader.root());
      expect(nodes.get('/readme.txt')?.size).toBe(37);
      expect(nodes.get('/nimbie.jpg')?.size).toBe(69424);
      const jpeg = await data(source, nodes.get('/nimbie.jpg')!);
      expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    } finally {
      await source.close();
    }
  });
});

describe.skipIf(!HAVE_XORRISO)('HFS+ in an xorriso hybrid (skipped without xorriso)', () => {
  it('finds the same files as the ISO side, with the same bytes', async () => {
    const dir = join(work, 'tree');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'payload.bin'), payload);
    writeFileSync(join(dir, 'résumé.txt'), 'accents\n');
    const image = join(work, 'hybrid.iso');
    expect(spawnSync('xorriso', ['-as', 'mkisofs', '-hfsplus', '-V', 'HYB', '-o', image, dir]).status).toBe(0);
    const source = await openFileSource(image);
    try {
      // Partition 3 of the Apple map (block 128 of 512 bytes) holds the HFS+ volume.
      const reader = await openHfsPlus(source, { start: 128 * 512 });
      expect(reader.label).toBe('HYB');
      const nodes = await listAll(reader, await reader.root());
      expect([...nodes.keys()].sort()).toEqual(['/résumé.txt', '/sub', '/sub/payload.bin']);
      expect((await data(source, nodes.get('/sub/payload.bin')!)).equals(payload)).toBe(true);
      expect(nodes.get('/résumé.txt')!.mode! & 0o170000).toBe(0o100000);
    } finally {
      await source.close();
    }
  });
});

describe.skipIf(!HAVE_GENISOIMAGE)('HFS in a genisoimage -hfs -part hybrid (skipped without genisoimage)', () => {
  it('reads the HFS volume inside its Apple partition', async () => {
    const dir = join(work, 'tree2');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'payload.bin'), payload);
    const image = join(work, 'part.iso');
    expect(spawnSync('genisoimage', ['-quiet', '-hfs', '-part', '-o', image, dir]).status).toBe(0);
    const source = await openFileSource(image);
    try {
      const map = (await import('../../../lib/fs/partition/apm.js')).readApplePartitionMap;
      const apm = await map(source);
      const part = apm!.entries.find((e) => e.type === 'Apple_HFS')!;
      const reader = await openHfs(source, { start: part.start });
      const nodes = await listAll(reader, await reader.root());
      expect((await data(source, nodes.get('/payload.bin')!)).equals(payload)).toBe(true);
    } finally {
      await source.close();
    }
  });
});
