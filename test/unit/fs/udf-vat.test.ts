/** UDF virtual partitions (CD-R, UDF 1.50+): the VAT found in the last sector and walked; udfinfo as oracle. */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../../lib/errors.js';
import { openUdf } from '../../../lib/fs/udf/udf.js';
import { checkImageSize } from '../../../lib/fs/size-check.js';
import { openFileSource } from '../../../lib/sources/file-source.js';
import { createMemorySource } from '../../../lib/sources/memory-source.js';

const HAVE_MKUDFFS = spawnSync('mkudffs', ['--help']).error === undefined && spawnSync('udfinfo', ['--help']).error === undefined;
const work = mkdtempSync(join(tmpdir(), 'discrescue-vat-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function udfinfo(path: string): Record<string, string> {
  const out = spawnSync('udfinfo', [path], { encoding: 'utf8' }).stdout;
  return Object.fromEntries(out.split('\n').filter((l) => /^[a-z]+=/u.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe.skipIf(!HAVE_MKUDFFS)('mkudffs --media-type=cdr VAT volumes (skipped without udftools)', () => {
  for (const revision of ['1.50', '2.01', '2.50']) {
    it(`UDF ${revision}: the VAT is where udfinfo says and the root is read through it`, async () => {
      const image = join(work, `cdr-${revision}.img`);
      const made = spawnSync('mkudffs', ['--media-type=cdr', `--udfrev=${revision}`, '--label=VATDISC', '--new-file', image, '2000']);
      expect(made.status).toBe(0);
      const oracle = udfinfo(image);
      const source = await openFileSource(image);
      try {
        const reader = await openUdf(source);
        expect(reader.vat?.location).toBe(Number(oracle.vatblock));
        expect(reader.vat!.entries).toBeGreaterThan(0);
        expect(reader.label).toBe('VATDISC');
        expect(reader.volume.revisionText).toBe(revision);
        // The root's file entry lives in the virtual partition: reading it needs the VAT.
        const virtualRef = reader.volume.partitionMaps.findIndex((m) => m.identifier === '*UDF Virtual Partition');
        expect(virtualRef).toBeGreaterThanOrEqual(0);
        const root = await reader.root();
        expect((root as { icb?: { partition: number } }).icb?.partition).toBe(virtualRef);
        expect(root.kind).toBe('directory');
        expect(await reader.readDir(root)).toEqual([]);
        expect(reader.warnings).toEqual([]);
      } finally {
        await source.close();
      }
    });
  }

  it('without its VAT (last sector blanked) the volume is refused with a reason, not misread', async () => {
    const image = join(work, 'cdr-2.01.img');
    const bytes = new Uint8Array(readFileSync(image));
    const vat = Number(udfinfo(image).vatblock);
    bytes.fill(0, vat * 2048, (vat + 1) * 2048);
    const reader = openUdf(createMemorySource(bytes, { sectorSize: 2048 }));
    await expect(reader).rejects.toThrow(FormatError);
    await expect(reader).rejects.toThrow('the virtual partition has no readable VAT');
  });
  it('the size check ends a VAT volume at its VAT (udfinfo blocks=), and a cut one is short', async () => {
    const image = join(work, 'cdr-2.50.img');
    const whole = new Uint8Array(readFileSync(image));
    const blocks = Number(udfinfo(image).blocks);
    expect(whole.length).toBe(blocks * 2048);
    const complete = await checkImageSize(createMemorySource(whole, { sectorSize: 2048 }));
    expect([complete.sizeExpected, complete.sizeRequired, complete.sizeAsExpected]).toEqual([blocks * 2048, blocks * 2048, true]);
    expect(complete.volumes[0]?.rule).toBe(`write-once volume: ends at its VAT (sector ${blocks - 1})`);
    for (const cut of [1, 7]) {
      const short = await checkImageSize(createMemorySource(whole.subarray(0, whole.length - cut * 2048), { sectorSize: 2048 }));
      expect(short.smallerThanExpected).toBe(true);
      expect(short.sizeAsExpected).toBe(false);
    }
  });
});
