/**
 * High Sierra volumes (the 1986 predecessor of ISO 9660): made in the test by rewriting the
 * descriptors and directory records of a small genisoimage image into the High Sierra layout,
 * then detected, identified, listed and checked for size.
 */

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../../helpers/cli.js';
import { detectFileSystems, type IsoDetails } from '../../../lib/fs/detect.js';
import { openIso9660 } from '../../../lib/fs/iso9660/reader.js';
import { checkImageSize } from '../../../lib/fs/size-check.js';
import { createMemorySource } from '../../../lib/sources/memory-source.js';

const HAVE_GENISOIMAGE = spawnSync('genisoimage', ['--version']).error === undefined;
const work = mkdtempSync(join(tmpdir(), 'discrescue-hsf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A descriptor sector in High Sierra form: its sector number (both byte orders), type, 'CDROM', version 1. */
function hsHeader(iso: Buffer, lba: number, type: number): Buffer {
  const out = Buffer.alloc(2048);
  out.writeUInt32LE(lba, 0);
  out.writeUInt32BE(lba, 4);
  out[8] = type;
  out.write('CDROM', 9, 'latin1');
  out[14] = 1;
  void iso;
  return out;
}

/**
 * Rewrites a plain ISO 9660 image (no Joliet, no Rock Ridge) into High Sierra: the PVD's fields
 * move to their High Sierra offsets, the terminator gets the new header, and every directory
 * record's flags move from byte 25 to byte 24 (High Sierra dates have no zone byte).
 */
function toHighSierra(iso: Buffer): Buffer {
  const out = Buffer.from(iso);
  const pvd = iso.subarray(16 * 2048, 17 * 2048);
  expect([pvd[0], pvd.toString('latin1', 1, 6)]).toEqual([1, 'CD001']);
  const hs = hsHeader(iso, 16, 1);
  pvd.copy(hs, 16, 8, 156); // system id … type L path table
  pvd.copy(hs, 180, 156, 190); // root directory record
  pvd.copy(hs, 214, 190, 702); // volume set, publisher, preparer, application
  for (let i = 0; i < 4; i++) pvd.copy(hs, 790 + 16 * i, 813 + 17 * i, 813 + 17 * i + 16);
  hs[854] = 1;
  // The root record keeps its date's 7th byte as flags in High Sierra.
  hs[180 + 24] = hs[180 + 25]!;
  hs[180 + 25] = 0;
  hs.copy(out, 16 * 2048);
  let lba = 17;
  for (; lba < 32 && iso[lba * 2048] !== 255; lba++);
  expect(iso[lba * 2048]).toBe(255);
  hsHeader(iso, lba, 255).copy(out, lba * 2048);
  // Directory records: every directory reachable from the root.
  const queue = [{ extent: pvd.readUInt32LE(156 + 2), size: pvd.readUInt32LE(156 + 10) }];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const { extent, size } = queue.shift()!;
    if (seen.has(extent)) continue;
    seen.add(extent);
    let pos = extent * 2048;
    const end = pos + size;
    while (pos < end) {
      const length = out[pos]!;
      if (length === 0) {
        pos = (Math.floor(pos / 2048) + 1) * 2048;
        continue;
      }
      const flags = out[pos + 25]!;
      out[pos + 24] = flags;
      out[pos + 25] = 0;
      const nameLength = out[pos + 32]!;
      const dotOrDotDot = nameLength === 1 && out[pos + 33]! <= 1;
      if ((flags & 2) !== 0 && !dotOrDotDot) queue.push({ extent: out.readUInt32LE(pos + 2), size: out.readUInt32LE(pos + 10) });
      pos += length;
    }
  }
  return out;
}

describe.skipIf(!HAVE_GENISOIMAGE)('High Sierra volumes (skipped without genisoimage)', () => {
  const tree = join(work, 'tree');
  mkdirSync(join(tree, 'DOCS'), { recursive: true });
  writeFileSync(join(tree, 'README.TXT'), 'high sierra\n');
  writeFileSync(join(tree, 'DOCS', 'NOTE.TXT'), Buffer.alloc(3000, 0x41));
  const isoPath = join(work, 'plain.iso');
  const hsPath = join(work, 'hsf.iso');
  let hsBytes: Buffer;

  it('is detected and identified as High Sierra with the PVD fields at their own offsets', async () => {
    const r = spawnSync('genisoimage', ['-quiet', '-V', 'HSF_VOLUME', '-publisher', 'PUB', '-A', 'APP', '-o', isoPath, tree]);
    expect(r.status).toBe(0);
    const iso = readFileSync(isoPath);
    hsBytes = toHighSierra(iso);
    writeFileSync(hsPath, hsBytes);
    const detection = await detectFileSystems(createMemorySource(hsBytes, { sectorSize: 2048 }));
    expect(detection.fileSystems).toHaveLength(1);
    const fs = detection.fileSystems[0]!;
    const blocks = iso.readUInt32LE(16 * 2048 + 80);
    expect(blocks).toBe(iso.length / 2048);
    expect([fs.type, fs.name, fs.version, fs.label, fs.blockCount, fs.blockSize, fs.sizeBytes]).toEqual(
      ['iso9660', 'ISO 9660', 'High Sierra', 'HSF_VOLUME', blocks, 2048, iso.length],
    );
    const details = fs.details as IsoDetails;
    expect([details.highSierra, details.publisher, details.application, details.xa, details.created]).toEqual(
      [true, 'PUB', 'APP', false, iso.toString('latin1', 16 * 2048 + 813, 16 * 2048 + 829)],
    );
    // The original is plain ISO 9660.
    const plain = await detectFileSystems(createMemorySource(iso, { sectorSize: 2048 }));
    expect([plain.fileSystems[0]!.version, (plain.fileSystems[0]!.details as IsoDetails).highSierra]).toEqual(['ISO 9660', false]);

    const identify = await cli(['identify', hsPath]);
    expect(identify.code).toBe(0);
    expect(identify.out).toContain('\nHigh Sierra file system at byte 0\n  volume name "HSF_VOLUME"\n');
  });

  it('lists like the ISO 9660 image it was made from, and is sized by its volume space size', async () => {
    const reader = await openIso9660(createMemorySource(hsBytes, { sectorSize: 2048 }));
    expect([reader.type, reader.label]).toEqual(['high-sierra', 'HSF_VOLUME']);
    const hs = await cli(['ls', hsPath]);
    const iso = await cli(['ls', isoPath]);
    expect(hs.out).toBe('/DOCS\n/README.TXT;1\n/DOCS/NOTE.TXT;1\n');
    expect(hs.out).toBe(iso.out);
    const dest = join(work, 'out');
    expect((await cli(['extract', hsPath, '/', dest])).code).toBe(0);
    expect(readFileSync(join(dest, 'DOCS', 'NOTE.TXT;1'))).toEqual(Buffer.alloc(3000, 0x41));

    const whole = await checkImageSize(createMemorySource(hsBytes, { sectorSize: 2048 }));
    expect([whole.sizeAsExpected, whole.sizeExpected]).toEqual([true, hsBytes.length]);
    const short = await checkImageSize(createMemorySource(hsBytes.subarray(0, hsBytes.length - 2048), { sectorSize: 2048 }));
    expect([short.sizeAsExpected, short.smallerThanExpected, short.sizeDifferenceSectors]).toEqual([false, true, -1]);
  });
});
