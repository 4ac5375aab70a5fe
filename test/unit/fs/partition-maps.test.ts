/** Apple Partition Map, MBR and GPT readers (sfdisk and xorriso make the inputs). */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readApplePartitionMap } from '../../../lib/fs/partition/apm.js';
import { crc32, readGpt } from '../../../lib/fs/partition/gpt.js';
import { parseMbr, readMbr } from '../../../lib/fs/partition/mbr.js';
import { createMemorySource } from '../../../lib/sources/memory-source.js';
import { openFileSource } from '../../../lib/sources/file-source.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/isolyzer/testFiles/', import.meta.url));
const HAVE_CORPUS = existsSync(join(CORPUS, 'iso9660_hfs_part.iso'));
const HAVE_SFDISK = spawnSync('sfdisk', ['--version']).error === undefined;

const work = mkdtempSync(join(tmpdir(), 'discrescue-part-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('CRC-32', () => {
  it('of "123456789" is 0xCBF43926', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('Apple Partition Map', () => {
  it.skipIf(!HAVE_CORPUS)('iso9660_hfs_part.iso: two entries in 512-byte blocks', async () => {
    const source = await openFileSource(join(CORPUS, 'iso9660_hfs_part.iso'));
    try {
      const map = await readApplePartitionMap(source);
      expect(map).toMatchObject({ blockSize: 512, declaredBlockCount: 1764, sizeBytes: 1764 * 512, warnings: [] });
      expect(map!.entries.map((e) => [e.index, e.type, e.name, e.startBlock, e.blockCount, e.start])).toEqual([
        [1, 'Apple_partition_map', 'Apple', 1, 2, 512],
        [2, 'Apple_HFS', 'ISO9660/HFS/part_table', 16, 1748, 8192],
      ]);
    } finally {
      await source.close();
    }
  });

  it('"ER" without a sane block size or a "PM" entry is no map', async () => {
    const bytes = new Uint8Array(4 * 2048);
    bytes.set([0x45, 0x52, 0xeb, 0x02]);
    expect(await readApplePartitionMap(createMemorySource(bytes))).toBeUndefined();
    bytes.set([0x45, 0x52, 0x02, 0x00]);
    expect(await readApplePartitionMap(createMemorySource(bytes))).toBeUndefined();
    bytes.set([0x50, 0x4d, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1], 512);
    expect((await readApplePartitionMap(createMemorySource(bytes)))?.entries).toHaveLength(1);
  });

  it('an entry count of 4 billion is bounded', async () => {
    const bytes = new Uint8Array(4 * 2048);
    bytes.set([0x45, 0x52, 0x02, 0x00, 0, 0, 0, 8]);
    bytes.set([0x50, 0x4d, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 1], 512);
    const map = await readApplePartitionMap(createMemorySource(bytes));
    expect(map?.warnings.map((w) => w.code)).toEqual(['apm-entry-count', 'apm-entry-missing', 'apm-block-count']);
  });
});

describe('MBR', () => {
  it('parses entries, and refuses a sector without 55 AA or with a bad status byte', () => {
    const s = new Uint8Array(512);
    s[510] = 0x55; s[511] = 0xaa;
    s.set([0x80, 0, 0, 0, 0xcd, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x10, 0, 0], 446);
    expect(parseMbr(s)).toEqual({
      at: 0, protective: false,
      entries: [{ index: 1, bootable: true, type: 0xcd, startLba: 0, sectorCount: 4096, start: 0, length: 4096 * 512 }],
    });
    s[446] = 0x12;
    expect(parseMbr(s)).toBeUndefined();
    s[446] = 0; s[511] = 0;
    expect(parseMbr(s)).toBeUndefined();
  });
});

describe.skipIf(!HAVE_SFDISK)('GPT and MBR made by sfdisk (skipped without sfdisk)', () => {
  it('reads the GPT entries with names, types and CRCs, and the protective MBR', async () => {
    const image = join(work, 'gpt.img');
    writeFileSync(image, '');
    truncateSync(image, 8 * 1024 * 1024);
    const script = 'label: gpt\nfirst-lba: 2048\nstart=2048, size=4096, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI boot"\nstart=6144, size=8192, type=48465300-0000-11AA-AA11-00306543ECAC, name="Mac side"\n';
    const r = spawnSync('sfdisk', ['--no-reread', '--no-tell-kernel', image], { input: script, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const source = await openFileSource(image);
    try {
      const gpt = await readGpt(source);
      expect(gpt).toMatchObject({ headerCrcOk: true, entriesCrcOk: true, revision: '1.0', warnings: [] });
      expect(gpt!.entries.map((e) => [e.index, e.name, e.typeGuid, e.firstLba, e.lastLba, e.start, e.length])).toEqual([
        [1, 'EFI boot', 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', 2048, 6143, 2048 * 512, 4096 * 512],
        [2, 'Mac side', '48465300-0000-11AA-AA11-00306543ECAC', 6144, 14335, 6144 * 512, 8192 * 512],
      ]);
      const mbr = await readMbr(source);
      expect(mbr?.protective).toBe(true);
      const dump = spawnSync('sfdisk', ['--dump', image], { encoding: 'utf8' }).stdout;
      expect(dump).toContain(`label-id: ${gpt!.diskGuid}`);
    } finally {
      await source.close();
    }
    // One flipped byte in the entry array: the CRC says so, the entries are still listed.
    const bytes = new Uint8Array(readFileSync(image));
    bytes[1024 + 56] = bytes[1024 + 56]! ^ 1;
    const damaged = await readGpt(createMemorySource(bytes));
    expect(damaged).toMatchObject({ headerCrcOk: true, entriesCrcOk: false });
    expect(damaged!.entries).toHaveLength(2);
  });
});
