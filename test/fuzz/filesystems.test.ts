/**
 * Filesystems over a memory SectorSource, from damaged images: genisoimage output (made here)
 * and the corpus images, mutated at random inside their first 64 sectors where the volume
 * descriptors, directories, B-tree headers and partition maps live. Opening, detecting, size
 * checking, walking the whole tree and reading every node's data each end in a value or a
 * DiscError (FormatError, FsReadError …), within the time bound.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../lib/errors.js';
import { detectFileSystems } from '../../lib/fs/detect.js';
import { openHfs } from '../../lib/fs/hfs/hfs.js';
import { openHfsPlus } from '../../lib/fs/hfsplus/hfsplus.js';
import { openIso9660 } from '../../lib/fs/iso9660/reader.js';
import { readApplePartitionMap } from '../../lib/fs/partition/apm.js';
import { readGpt } from '../../lib/fs/partition/gpt.js';
import { readMbr } from '../../lib/fs/partition/mbr.js';
import { readBytes } from '../../lib/fs/read-bytes.js';
import { checkImageSize } from '../../lib/fs/size-check.js';
import type { FileSystemReader } from '../../lib/fs/types.js';
import { openUdf } from '../../lib/fs/udf/udf.js';
import { walkTree } from '../../lib/fs/walk.js';
import { createMemorySource } from '../../lib/sources/memory-source.js';
import type { SectorSource } from '../../lib/sources/sector-source.js';
import fc from 'fast-check';
import { PROPERTY_TIMEOUT_MS, checkAsync, corpusFiles, focusedMutations, isTypedError, mutatedBytes, typedAsync } from './harness.js';

const HAVE_GENISOIMAGE = hasTool('genisoimage');
const WINDOW = 64 * 2048;
/** Bytes of one node's data read at most (the extents are checked whole, the copy is bounded). */
const READ_CAP = 64 * 1024;

function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const work = mkdtempSync(join(tmpdir(), 'discrescue-fuzz-fs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Whole sectors (a truncated corpus image ends mid-sector). */
function padded(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 2048) * 2048);
  out.set(bytes);
  return out;
}

const CORPUS = corpusFiles([
  ...['hfs', 'hfsplus', 'iso9660', 'iso9660_apple', 'iso9660_hfs', 'iso9660_hfs_part', 'iso9660_nopvd', 'iso9660_trunc', 'iso9660_udf', 'udf'].map(
    (n) => `isolyzer/testFiles/${n}.iso`,
  ),
  ...['copying-rr', 'deep-directory', 'multi_extent_8k', 'test-udf1', 'bad-dir', 'malformed'].map((n) => `libcdio/test/data/${n}.iso`),
]).map((f) => ({ name: f.name, bytes: padded(f.bytes) }));

const images: { name: string; bytes: Uint8Array }[] = [...CORPUS];
/** Per reader, the images it opens before mutation: mutations of these reach deep into it. */
const openable = new Map<string, Uint8Array[]>();

beforeAll(async () => {
  if (!HAVE_GENISOIMAGE) return;
  // (xorriso below is tried whenever genisoimage exists; a failure only drops that image.)
  const tree = join(work, 'tree');
  mkdirSync(join(tree, 'dir/sub/deeper'), { recursive: true });
  writeFileSync(join(tree, 'readme.txt'), 'hello\n'.repeat(100));
  writeFileSync(join(tree, 'dir/data.bin'), new Uint8Array(5000).map((_, i) => i * 7));
  writeFileSync(join(tree, 'dir/sub/deeper/a-long-file-name-for-joliet-and-rock-ridge.txt'), 'x');
  // A no-emulation boot image, so the El Torito boot catalog is parsed at open.
  writeFileSync(join(tree, 'boot.img'), new Uint8Array(4096).fill(0x90));
  for (const [name, args] of [
    ['el-torito', ['-R', '-b', 'boot.img', '-c', 'boot.cat', '-no-emul-boot', '-boot-load-size', '4']],
    ['rr-joliet', ['-R', '-J']],
    ['udf', ['-udf', '-R']],
    ['hfs', ['-hfs', '-R']],
    ['plain', []],
  ] as const) {
    const out = join(work, `${name}.iso`);
    try {
      execFileSync('genisoimage', ['-quiet', '-V', 'FUZZ', ...args, '-o', out, tree], { stdio: 'ignore' });
      images.push({ name: `genisoimage ${name}`, bytes: padded(new Uint8Array(readFileSync(out))) });
    } catch {
      // An option this genisoimage lacks: fuzz the others.
    }
  }
  // An ISO 9660 + HFS+ hybrid with an Apple partition map, when xorriso is there.
  const hybrid = join(work, 'hfsplus.iso');
  try {
    execFileSync('xorriso', ['-outdev', hybrid, '-hfsplus', 'on', '-map', tree, '/', '-commit'], { stdio: 'ignore' });
    images.push({ name: 'xorriso hfsplus', bytes: padded(new Uint8Array(readFileSync(hybrid))) });
  } catch {
    // No xorriso: the corpus HFS+ image stands in.
  }
  // Its HFS+ volume cut out on its own, for the opener that looks at byte 0.
  const hybridImage = images.find((i) => i.name === 'xorriso hfsplus');
  if (hybridImage !== undefined) {
    const at = (await detectFileSystems(createMemorySource(hybridImage.bytes))).fileSystems.find((f) => f.type === 'hfsplus')?.at;
    if (at !== undefined && at % 2048 === 0) images.push({ name: 'xorriso hfsplus volume alone', bytes: hybridImage.bytes.slice(at) });
  }
});

/** Walks the whole tree and reads every node's data; every error met must be typed. */
async function walkAndRead(reader: FileSystemReader, source: SectorSource): Promise<number> {
  let nodes = 0;
  for await (const step of walkTree(reader, { maxNodes: 20_000 })) {
    if (step.error !== undefined && !isTypedError(step.error)) {
      throw new Error(`readDir(${step.dir.path}): untyped ${String(step.error)}`, { cause: step.error });
    }
    for (const node of step.entries ?? []) {
      nodes++;
      let budget = READ_CAP;
      for (const extent of node.extents) {
        if (budget <= 0) break;
        const length = Math.min(extent.length, budget);
        budget -= length;
        try {
          await readBytes(source, extent.start, length);
        } catch (error) {
          if (!isTypedError(error)) throw new Error(`${node.path}: reading its data: untyped ${String(error)}`, { cause: error });
        }
      }
    }
  }
  return nodes;
}

/**
 * Aimed at one 512-byte structure block of the first 64 sectors, or anywhere in the image (UDF
 * anchors sit at sector 256, file entries and B-tree nodes further on), or spread over the
 * first 64 sectors.
 */
function structureMutations(samples: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    focusedMutations(samples, 512, WINDOW),
    focusedMutations(samples, 512, Infinity),
    mutatedBytes(samples, { inPlace: true, window: WINDOW, maxMutations: 8 }),
  );
}

type Opener = (source: SectorSource) => Promise<FileSystemReader>;
const OPENERS: [string, Opener][] = [
  ['iso9660', (s) => openIso9660(s)],
  ['iso9660 iso names', (s) => openIso9660(s, { names: 'iso' })],
  ['udf', (s) => openUdf(s)],
  ['hfs', (s) => openHfs(s)],
  ['hfs+', (s) => openHfsPlus(s)],
  // Volumes inside an Apple partition map (hybrids), where detection finds them.
  ['hfs (detected)', async (s) => openHfs(s, { start: await detectedAt(s, 'hfs') })],
  ['hfs+ (detected)', async (s) => openHfsPlus(s, { start: await detectedAt(s, 'hfsplus') })],
];

async function detectedAt(source: SectorSource, type: 'hfs' | 'hfsplus'): Promise<number> {
  const found = (await detectFileSystems(source)).fileSystems.find((f) => f.type === type);
  if (!found) throw new FormatError(`no ${type} volume detected`);
  return found.at;
}
for (const [name] of OPENERS) openable.set(name, []);

describe.skipIf(CORPUS.length === 0 && !HAVE_GENISOIMAGE)('fuzz: filesystems (skipped without corpus and genisoimage)', () => {
  it('has images to mutate', () => {
    expect(images.length).toBeGreaterThan(0);
    if (process.env.FUZZ_VERBOSE) console.log(images.map((i) => `${i.name} ${i.bytes.length}`).join('\n'));
  });

  it('unmutated images open and walk without untyped errors', async () => {
    for (const image of images) {
      const source = createMemorySource(image.bytes);
      for (const [name, open] of OPENERS) {
        const reader = await typedAsync(`${image.name}: open ${name}`, () => open(source));
        if (!reader) continue;
        await typedAsync(`${image.name}: walk ${name}`, () => walkAndRead(reader, source), [], 10_000);
        openable.get(name)!.push(image.bytes);
      }
    }
    // Each reader has at least one image it opens (from the corpus or genisoimage).
    for (const [name] of OPENERS) expect(openable.get(name)!.length, name).toBeGreaterThan(0);
  }, PROPERTY_TIMEOUT_MS);

  for (const [name, open] of OPENERS) {
    it(`${name}: open, walk the tree, read every node`, async () => {
      let opened = 0;
      let walked = 0;
      const samples = openable.get(name)!;
      if (samples.length === 0) return;
      await checkAsync(structureMutations(samples), async (bytes) => {
        const source = createMemorySource(bytes);
        const reader = await typedAsync(`open ${name}`, () => open(source));
        if (reader) {
          opened++;
          walked += (await typedAsync(`walk ${name}`, () => walkAndRead(reader, source))) ?? 0;
        }
      }, 0.4);
      if (process.env.FUZZ_VERBOSE) console.log(`${name}: ${opened} opened, ${walked} nodes walked`);
    }, PROPERTY_TIMEOUT_MS);
  }

  it('detectFileSystems, checkImageSize and the partition maps', async () => {
    await checkAsync(structureMutations(images.map((i) => i.bytes)), async (bytes) => {
      const source = createMemorySource(bytes);
      await typedAsync('detectFileSystems', () => detectFileSystems(source));
      await typedAsync('checkImageSize', () => checkImageSize(source));
      await typedAsync('readApplePartitionMap', () => readApplePartitionMap(source));
      await typedAsync('readMbr', () => readMbr(source));
      await typedAsync('readGpt', () => readGpt(source));
    }, 0.4);
  }, PROPERTY_TIMEOUT_MS);

  it('random sectors from nowhere', async () => {
    const arb = fc.tuple(fc.integer({ min: 1, max: 80 }), fc.nat()).map(([sectors, seed]) => {
      // Cheap pseudo-random fill: fast-check's byte arrays of this size would dominate the run.
      const bytes = new Uint8Array(sectors * 2048);
      let x = seed | 1;
      for (let i = 0; i < bytes.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        bytes[i] = x & 0xff;
      }
      return bytes;
    });
    await checkAsync(arb, async (bytes) => {
      const source = createMemorySource(bytes);
      await typedAsync('detectFileSystems', () => detectFileSystems(source));
      for (const [name, open] of OPENERS) {
        const reader = await typedAsync(`open ${name}`, () => open(source));
        if (reader) await typedAsync(`walk ${name}`, () => walkAndRead(reader, source));
      }
    }, 0.2);
  }, PROPERTY_TIMEOUT_MS);
});
