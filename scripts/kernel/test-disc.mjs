// The test disc: a small ISO 9660 image (genisoimage, Rock Ridge and Joliet) whose data file
// has a recognizable 2048-byte block at every position, so a misplaced sector shows.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const README_MARKER = 'discrescue kernel test disc';

/**
 * Builds `<workDir>/test.iso` with about `dataBytes` of data, padded with zero sectors to
 * `sectorCount` when given; returns its path, size and sha256.
 */
export function buildTestDisc(workDir, { dataBytes = 4 * 1024 * 1024, sectorCount } = {}) {
  const tree = join(workDir, 'disc-tree');
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  writeFileSync(join(tree, 'README.TXT'), `${README_MARKER}\nEvery 2048-byte block of DATA.BIN starts with its number.\n`);
  writeFileSync(join(tree, 'DATA.BIN'), patternedBlocks(dataBytes / 2048));
  const isoPath = join(workDir, 'test.iso');
  const r = spawnSync('genisoimage', ['-quiet', '-r', '-J', '-V', 'DISCRESCUE_KT', '-o', isoPath, tree], { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`genisoimage failed: ${r.stderr}`);
  rmSync(tree, { recursive: true, force: true });
  let iso = readFileSync(isoPath);
  if (iso.length % 2048 !== 0) throw new Error(`${isoPath}: ${iso.length} bytes is not a whole number of sectors`);
  if (sectorCount !== undefined) {
    if (sectorCount * 2048 < iso.length) throw new RangeError(`the test disc needs at least ${iso.length / 2048} sectors`);
    iso = Buffer.concat([iso, Buffer.alloc(sectorCount * 2048 - iso.length)]);
    writeFileSync(isoPath, iso);
  }
  return { isoPath, sectorCount: iso.length / 2048, sha256: createHash('sha256').update(iso).digest('hex') };
}

function patternedBlocks(count) {
  const data = Buffer.alloc(count * 2048);
  for (let n = 0; n < count; n++) {
    const block = data.subarray(n * 2048, (n + 1) * 2048);
    block.write(`DATA.BIN block ${String(n).padStart(6, '0')}\n`, 'latin1');
    let x = (n + 1) * 2654435761 >>> 0; // xorshift32, one seed per block
    for (let i = 32; i < 2048; i += 4) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      block.writeUInt32LE(x, i);
    }
  }
  return data;
}
