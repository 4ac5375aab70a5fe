/**
 * checkImageSize against isolyzer's own test images and expectations, and against images made
 * here by genisoimage, xorriso, mkudffs and hformat — complete, truncated and padded.
 */

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkImageSize } from '../../../lib/fs/size-check.js';
import { createMemorySource } from '../../../lib/sources/memory-source.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/isolyzer/', import.meta.url));
const HAVE_CORPUS = existsSync(join(CORPUS, 'EXPECTED.json'));
const has = (tool: string, args: string[] = ['--version']): boolean => {
  const r = spawnSync(tool, args);
  return r.error === undefined;
};
const HAVE_GENISOIMAGE = has('genisoimage');
const HAVE_XORRISO = has('xorriso');
const HAVE_MKUDFFS = has('mkudffs');
const HAVE_HFSUTILS = has('hformat', []);

const work = mkdtempSync(join(tmpdir(), 'discrescue-size-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sh(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(command, args, { cwd: work, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`);
}

/** The input tree; `large` adds a 52 MiB file (sparse here) so the image can lose 50 MiB. */
function tree(large = false): string {
  const dir = join(work, large ? 'tree-large' : 'tree');
  if (!existsSync(dir)) {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'readme.txt'), 'hello from discrescue\n');
    const data = new Uint8Array(300_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 9)) & 0xff;
    writeFileSync(join(dir, 'sub', 'data.bin'), data);
    if (large) {
      writeFileSync(join(dir, 'big.bin'), '');
      truncateSync(join(dir, 'big.bin'), 52 * 1024 * 1024);
    }
  }
  return dir;
}

describe.skipIf(!HAVE_CORPUS)('isolyzer test images (skipped without the corpus)', () => {
  const expected = HAVE_CORPUS
    ? (JSON.parse(readFileSync(join(CORPUS, 'EXPECTED.json'), 'utf8')) as { fileSystems: Record<string, string[]>; sizeDifferenceSectors: Record<string, number> })
    : { fileSystems: {}, sizeDifferenceSectors: {} };
  for (const [name, fileSystems] of Object.entries(expected.fileSystems)) {
    it(`${name}: the same filesystems and size difference as isolyzer`, async () => {
      const path = join(CORPUS, 'testFiles', name);
      const result = await checkImageSize(path);
      expect([...result.fileSystems].sort()).toEqual([...fileSystems].sort());
      expect(result.sizeDifferenceSectors).toBe(expected.sizeDifferenceSectors[name]);
      expect(result.sizeActual).toBe(statSync(path).size);
      expect(result.sizeDifference).toBe(result.sizeActual - result.sizeExpected);
      expect(result.smallerThanExpected).toBe(result.sizeDifference < 0);
      expect(result.sizeAsExpected).toBe(result.sizeDifference === 0 && result.sizeExpected !== 0);
    });
  }

  it('iso9660_trunc.iso counts its 5 trailing bytes', async () => {
    const result = await checkImageSize(join(CORPUS, 'testFiles', 'iso9660_trunc.iso'));
    expect(result).toMatchObject({ sizeActual: 49157, sizeExpected: 442368, sizeDifference: -393211, smallerThanExpected: true, sizeAsExpected: false });
  });

  it('hfs.iso: HFS needs its alternate MDB, 1024 bytes before the end', async () => {
    const result = await checkImageSize(join(CORPUS, 'testFiles', 'hfs.iso'));
    expect(result.volumes).toEqual([
      { name: 'HFS', label: 'HFS', at: 0, sizeExpected: 610304, sizeRequired: 614400, rule: 'alternate MDB at byte 613376', complete: true },
    ]);
  });

  it('udf.iso: isolyzer estimate 252 sectors, the closing anchor at sector 299 makes it 300', async () => {
    const result = await checkImageSize(join(CORPUS, 'testFiles', 'udf.iso'));
    expect(result.volumes[0]).toMatchObject({ name: 'UDF', sizeExpected: 252 * 2048, sizeRequired: 300 * 2048, complete: true });
    expect(result.sizeExpected).toBe(252 * 2048);
  });

  it('a memory source with a declared byte size and an offset', async () => {
    const bytes = new Uint8Array(readFileSync(join(CORPUS, 'testFiles', 'iso9660.iso')));
    const result = await checkImageSize(createMemorySource(bytes), { offset: 16 });
    // isolyzer's rule: (volume space size − offset) × block size.
    expect(result.sizeExpected).toBe((216 - 16) * 2048);
    expect(result.sectorOffset).toBe(16);
  });
});

interface Case {
  name: string;
  need: boolean;
  /** Makes the image; `large`: one of more than 50 MiB. */
  make: (out: string, large?: boolean) => void;
  fileSystems: string[];
  /** The complete image's difference in sectors (isolyzer's estimate). */
  fullDifference: number;
  /** Truncation differences are exact (the volume's end is known to the sector). */
  exact: boolean;
}

const hfsEnv = (): NodeJS.ProcessEnv => {
  const home = join(work, 'home');
  mkdirSync(home, { recursive: true });
  return { ...process.env, HOME: home };
};

const CASES: Case[] = [
  { name: 'plain ISO', need: HAVE_GENISOIMAGE, make: (o, large) => sh('genisoimage', ['-quiet', '-o', o, tree(large)]), fileSystems: ['ISO 9660'], fullDifference: 0, exact: true },
  { name: 'ISO with Joliet and Rock Ridge', need: HAVE_GENISOIMAGE, make: (o, large) => sh('genisoimage', ['-quiet', '-J', '-R', '-o', o, tree(large)]), fileSystems: ['ISO 9660'], fullDifference: 0, exact: true },
  { name: 'ISO + HFS', need: HAVE_GENISOIMAGE, make: (o, large) => sh('genisoimage', ['-quiet', '-hfs', '-o', o, tree(large)]), fileSystems: ['ISO 9660', 'HFS'], fullDifference: 0, exact: true },
  { name: 'ISO + HFS with a partition map', need: HAVE_GENISOIMAGE, make: (o, large) => sh('genisoimage', ['-quiet', '-hfs', '-part', '-o', o, tree(large)]), fileSystems: ['ISO 9660', 'HFS'], fullDifference: 0, exact: true },
  { name: 'UDF bridge', need: HAVE_GENISOIMAGE, make: (o, large) => sh('genisoimage', ['-quiet', '-udf', '-o', o, tree(large)]), fileSystems: ['ISO 9660', 'UDF'], fullDifference: 0, exact: true },
  {
    name: 'ISO + HFS+ (xorriso)', need: HAVE_XORRISO,
    make: (o, large) => sh('xorriso', ['-as', 'mkisofs', '-hfsplus', '-V', 'HYBRID', '-o', o, tree(large)]), fileSystems: ['ISO 9660', 'HFS+'], fullDifference: 0, exact: true,
  },
  {
    name: 'UDF only (mkudffs, 2 MiB)', need: HAVE_MKUDFFS,
    make: (o, large) => {
      writeFileSync(o, '');
      truncateSync(o, (large ? 60 : 2) * 1024 * 1024);
      sh('mkudffs', ['--media-type=hd', '--blocksize=2048', '-r', '0x201', '--label=SIZECHECK', o]);
    },
    fileSystems: ['UDF'], fullDifference: -1, exact: true,
  },
  {
    name: 'UDF only (mkudffs, 60 MiB)', need: HAVE_MKUDFFS,
    make: (o) => {
      writeFileSync(o, '');
      truncateSync(o, 60 * 1024 * 1024);
      sh('mkudffs', ['--media-type=hd', '--blocksize=2048', '-r', '0x102', o]);
    },
    fileSystems: ['UDF'], fullDifference: -1, exact: false,
  },
  {
    name: 'HFS only (hformat)', need: HAVE_HFSUTILS,
    make: (o, large) => {
      writeFileSync(o, '');
      truncateSync(o, large ? 60 * 1024 * 1024 : 1440 * 1024);
      const env = hfsEnv();
      sh('hformat', ['-l', 'Rescued', o], env);
      sh('hmount', [o], env);
      sh('hmkdir', ['Docs'], env);
      sh('hcopy', [join(tree(), 'readme.txt'), ':Docs:readme.txt'], env);
      sh('humount', [], env);
    },
    fileSystems: ['HFS'], fullDifference: -1, exact: false,
  },
];

describe('generated images: complete, truncated and padded', () => {
  for (const c of CASES) {
    describe.skipIf(!c.need)(`${c.name} (skipped without its tool)`, () => {
      const path = join(work, `${c.name.replace(/\W+/gu, '_')}.img`);
      const fullSize = (): number => statSync(path).size;
      const variant = (suffix: string, size: number): string => {
        const out = `${path}.${suffix}`;
        copyFileSync(path, out);
        truncateSync(out, size);
        return out;
      };

      it('complete: the filesystems, and not smaller than expected', async () => {
        c.make(path);
        const result = await checkImageSize(path);
        expect([...result.fileSystems].sort()).toEqual([...c.fileSystems].sort());
        expect(result.smallerThanExpected).toBe(false);
        expect(result.sizeActual).toBe(fullSize());
        expect(result.sizeRequired).toBe(fullSize());
        if (c.fullDifference === 0) {
          expect(result.sizeDifference).toBe(0);
          expect(result.sizeAsExpected).toBe(true);
        }
      });

      for (const sectors of [1, 7]) {
        it(`truncated by ${sectors} sector(s): smaller than expected`, async () => {
          const out = variant(`t${sectors}`, fullSize() - sectors * 2048);
          const result = await checkImageSize(out);
          expect(result.smallerThanExpected).toBe(true);
          expect(result.sizeAsExpected).toBe(false);
          if (c.exact) expect(result.sizeDifference).toBe(-sectors * 2048);
          else expect(result.sizeDifference).toBeLessThan(0);
          rmSync(out);
        });
      }

      it('truncated by 50 MiB: smaller than expected', async () => {
        const out = `${path}.t50m`;
        c.make(out, true);
        truncateSync(out, statSync(out).size - 50 * 1024 * 1024);
        const result = await checkImageSize(out);
        expect(result.smallerThanExpected).toBe(true);
        // The closing anchors are gone: the reserve VDS still places the end within 1 MiB.
        expect(result.sizeDifference).toBeLessThanOrEqual(-49 * 1024 * 1024);
        rmSync(out);
      });

      it('padded by 3 sectors: larger, not smaller', async () => {
        const out = variant('p3', fullSize() + 3 * 2048);
        const result = await checkImageSize(out);
        expect(result.smallerThanExpected).toBe(false);
        expect(result.sizeAsExpected).toBe(false);
        expect(result.sizeDifference).toBeGreaterThanOrEqual(3 * 2048);
        expect(result.sizeRequired).toBe(fullSize());
        rmSync(out);
      });
    });
  }

  it.skipIf(!HAVE_XORRISO)('xorriso hybrid: block 0 "ER" with x86 code for a block count is not an Apple size', async () => {
    const path = join(work, 'ISO___HFS___xorriso_.img');
    if (!existsSync(path)) sh('xorriso', ['-as', 'mkisofs', '-hfsplus', '-V', 'HYBRID', '-o', path, tree()]);
    const head = readFileSync(path).subarray(0, 8);
    // What isolyzer reads as the device size: far beyond the image.
    const bogus = head.readUInt32BE(4) * head.readUInt16BE(2);
    expect(bogus).toBeGreaterThan(statSync(path).size * 100);
    const result = await checkImageSize(path);
    expect(result.sizeExpected).toBe(statSync(path).size);
    expect(result.warnings.map((w) => w.code)).toContain('apm-block-count');
  });
});

describe('hostile input', () => {
  it('random bytes with an ISO, UDF and HFS signature do not throw', async () => {
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let round = 0; round < 20; round++) {
      const bytes = new Uint8Array(300 * 2048);
      for (let i = 0; i < bytes.length; i += 7) bytes[i] = rand();
      bytes.set([0x42, 0x44], 1024);
      bytes.set([0x45, 0x52, 0x02, 0x00], 0);
      bytes.set([0x50, 0x4d, 0, 0, 0, 0, 0, 9], 512);
      bytes.set([1, 0x43, 0x44, 0x30, 0x30, 0x31, 1], 16 * 2048);
      bytes.set([0, 0x4e, 0x53, 0x52, 0x30, 0x33, 1], 17 * 2048);
      const result = await checkImageSize(createMemorySource(bytes));
      expect(result.sizeActual).toBe(bytes.length);
    }
  });
});
