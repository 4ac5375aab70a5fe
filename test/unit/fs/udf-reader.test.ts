/** The UDF reader against genisoimage UDF bridges (with files) and mkudffs volumes (udfinfo as oracle). */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readBytes } from '../../../lib/fs/read-bytes.js';
import type { FsNode } from '../../../lib/fs/types.js';
import { crcItu, checkTag, decodeCs0 } from '../../../lib/fs/udf/descriptors.js';
import { openUdf, type UdfReader } from '../../../lib/fs/udf/udf.js';
import { readUdfVolume } from '../../../lib/fs/udf/volume.js';
import { createMemorySource } from '../../../lib/sources/memory-source.js';
import { openFileSource } from '../../../lib/sources/file-source.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/isolyzer/testFiles/', import.meta.url));
const HAVE_CORPUS = existsSync(join(CORPUS, 'udf.iso'));
const HAVE_GENISOIMAGE = spawnSync('genisoimage', ['--version']).error === undefined;
const HAVE_MKUDFFS = spawnSync('mkudffs', ['--help']).error === undefined && spawnSync('udfinfo', ['--help']).error === undefined;

const work = mkdtempSync(join(tmpdir(), 'discrescue-udf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function walk(reader: UdfReader, dir: FsNode, out: Map<string, FsNode>): Promise<void> {
  for (const node of await reader.readDir(dir)) {
    out.set(node.path, node);
    if (node.kind === 'directory') await walk(reader, node, out);
  }
}

async function contents(reader: UdfReader, source: Parameters<typeof readBytes>[0], node: FsNode): Promise<Buffer> {
  if (node.inline) return Buffer.from(node.inline);
  const parts = await Promise.all(node.extents.map((e) => readBytes(source, e.start, e.length)));
  void reader;
  return Buffer.concat(parts);
}

describe('UDF descriptors', () => {
  it('CRC-16/CCITT (poly 0x1021, init 0) of "123456789" is 0x31C3', () => {
    expect(crcItu(new TextEncoder().encode('123456789'))).toBe(0x31c3);
  });

  it('dstrings with compression ids 8 and 16', () => {
    expect(decodeCs0(Uint8Array.from([8, 0x41, 0x42]))).toBe('AB');
    expect(decodeCs0(Uint8Array.from([16, 0x00, 0x41, 0x20, 0xac]))).toBe('A€');
    const warnings: { code: string; message: string }[] = [];
    expect(decodeCs0(Uint8Array.from([7, 0x41]), warnings)).toBe('');
    expect(warnings[0]?.code).toBe('udf-dstring');
  });

  it('a tag with a wrong checksum or CRC is reported, not trusted', () => {
    const tag = new Uint8Array(32);
    tag[0] = 2; tag[2] = 2; tag[10] = 16; tag[12] = 0x00; tag[13] = 1;
    const body = tag.subarray(16, 32);
    body[0] = 5;
    const crc = crcItu(body);
    tag[8] = crc & 0xff; tag[9] = crc >> 8;
    let sum = 0;
    for (let i = 0; i < 16; i++) if (i !== 4) sum += tag[i]!;
    tag[4] = sum & 0xff;
    expect(checkTag(tag, 256)).toMatchObject({ ok: true, tag: { id: 2, location: 256, crcLength: 16 } });
    body[1] = 1;
    expect(checkTag(tag, 256)).toMatchObject({ ok: false, reason: 'descriptor CRC mismatch' });
    tag[4] ^= 1;
    expect(checkTag(tag, 256)).toMatchObject({ ok: false, reason: 'tag checksum mismatch' });
  });
});

describe.skipIf(!HAVE_CORPUS)('isolyzer UDF images (skipped without the corpus)', () => {
  it('udf.iso: mkudffs 2.01, empty root, LVID closed', async () => {
    const source = await openFileSource(join(CORPUS, 'udf.iso'));
    try {
      const reader = await openUdf(source);
      expect(reader.label).toBe('LinuxUDF');
      expect(reader.volume.revisionText).toBe('2.01');
      expect(reader.volume.anchors.map((a) => a.location)).toEqual([256, 299]);
      expect(reader.volume.partitions).toEqual([{ number: 0, contents: '+NSR03', accessType: 1, start: 36, length: 216 }]);
      expect(reader.volume.integrity).toMatchObject({ location: 252, state: 'closed', files: 0, directories: 1 });
      expect(await reader.readDir(await reader.root())).toEqual([]);
    } finally {
      await source.close();
    }
  });
});

describe.skipIf(!HAVE_GENISOIMAGE)('UDF bridge from genisoimage -udf (skipped without genisoimage)', () => {
  it('lists every file with its bytes and dates', async () => {
    const dir = join(work, 'tree');
    mkdirSync(join(dir, 'deep', 'er'), { recursive: true });
    writeFileSync(join(dir, 'a.txt'), 'alpha\n');
    const big = Buffer.alloc(150_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    writeFileSync(join(dir, 'deep', 'er', 'big.bin'), big);
    writeFileSync(join(dir, 'Ünïcode name.txt'), 'u');
    const image = join(work, 'bridge.iso');
    expect(spawnSync('genisoimage', ['-quiet', '-udf', '-V', 'BRIDGE_VOL', '-o', image, dir]).status).toBe(0);
    const source = await openFileSource(image);
    try {
      const reader = await openUdf(source);
      expect(reader.label).toBe('BRIDGE_VOL');
      expect(reader.volume.revisionText).toBe('1.02');
      expect(reader.volume.vrs.nsr).toBe(2);
      const nodes = new Map<string, FsNode>();
      await walk(reader, await reader.root(), nodes);
      expect([...nodes.keys()].sort()).toEqual(['/a.txt', '/deep', '/deep/er', '/deep/er/big.bin', '/Ünïcode name.txt'].sort());
      expect((await contents(reader, source, nodes.get('/a.txt')!)).toString()).toBe('alpha\n');
      expect((await contents(reader, source, nodes.get('/deep/er/big.bin')!)).equals(big)).toBe(true);
      expect(nodes.get('/deep')!.kind).toBe('directory');
      expect(nodes.get('/a.txt')!.mtime!.getTime()).toBeGreaterThan(Date.UTC(2020, 0, 1));
      expect(reader.warnings).toEqual([]);
    } finally {
      await source.close();
    }
  });
});

function udfinfo(path: string): Record<string, string> {
  const out = spawnSync('udfinfo', [path], { encoding: 'utf8' }).stdout;
  return Object.fromEntries(out.split('\n').filter((l) => /^[a-z]+=/u.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe.skipIf(!HAVE_MKUDFFS)('mkudffs volumes, udfinfo as oracle (skipped without udftools)', () => {
  const cases: [string, string, string][] = [
    ['hd', '0x102', '1.02'], ['hd', '0x150', '1.50'], ['hd', '0x201', '2.01'], ['bdr', '0x250', '2.50'], ['bdr', '0x260', '2.60'],
  ];
  for (const [media, rev, text] of cases) {
    it(`UDF ${text} (${media}): label, blocks, revision and an empty root`, async () => {
      const image = join(work, `mk-${rev}.img`);
      writeFileSync(image, '');
      truncateSync(image, 8 * 1024 * 1024);
      const made = spawnSync('mkudffs', [`--media-type=${media}`, '--blocksize=2048', '-r', rev, `--label=Vol${rev}`, image], { encoding: 'utf8' });
      expect(made.status, made.stderr).toBe(0);
      const info = udfinfo(image);
      const source = await openFileSource(image);
      try {
        if (media === 'bdr') {
          // Write-once media: mkudffs records a virtual (VAT) partition. In a file sized
          // beforehand, zeros follow the VAT instead of its being the last sector: udfinfo does not
          // find it either ("Virtual Allocation Table not found"), and the tree reader declines.
          const volume = await readUdfVolume(source);
          expect(volume?.logicalVolumeIdentifier).toBe(info.label);
          expect(volume?.revisionText).toBe(text);
          expect(volume?.partitionMaps.map((m) => m.identifier)).toContain('*UDF Virtual Partition');
          expect(info.vatblock).toBeUndefined();
          await expect(openUdf(source)).rejects.toThrow(/the virtual partition has no readable VAT/u);
          return;
        }
        const reader = await openUdf(source);
        expect(reader.label).toBe(info.label);
        expect(reader.volume.blockSize).toBe(Number(info.blocksize));
        expect(reader.volume.revisionText).toBe(info.udfrev);
        expect(reader.volume.revisionText).toBe(text);
        expect(reader.volume.integrity?.files).toBe(Number(info.numfiles));
        expect(reader.volume.integrity?.directories).toBe(Number(info.numdirs));
        const root = await reader.root();
        expect(root.kind).toBe('directory');
        expect(await reader.readDir(root)).toEqual([]);
      } finally {
        await source.close();
      }
    });
  }

  it('a damaged main VDS falls back to the reserve VDS', async () => {
    const image = join(work, 'mk-0x201.img');
    const bytes = new Uint8Array(readFileSync(image));
    const info = udfinfo(image);
    const mvds = Number(/start=(\d+), blocks=\d+, type=MVDS/u.exec(spawnSync('udfinfo', [image], { encoding: 'utf8' }).stdout)?.[1]);
    expect(Number.isInteger(mvds)).toBe(true);
    // Break every descriptor of the main sequence (one byte in each body: CRC mismatch).
    for (let s = mvds; s < mvds + 16; s++) bytes[s * 2048 + 100] = bytes[s * 2048 + 100]! ^ 0xff;
    const warnings: { code: string; message: string }[] = [];
    const volume = await readUdfVolume(createMemorySource(bytes), warnings);
    expect(volume?.vdsUsed).toBe('reserve');
    expect(volume?.logicalVolumeIdentifier).toBe(info.label);
    expect(warnings.some((w) => w.message.includes('descriptor CRC mismatch'))).toBe(true);
  });
});
