/**
 * The size of a Linux block device. Node has no ioctl(BLKGETSIZE64), and fstat reports 0 for a
 * device, so it comes from sysfs: `size` counts 512-byte units whatever the logical block size.
 */

import { readFile, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UnsupportedError } from '../errors.js';

/** sysfs `size` files count 512-byte units (include/linux/blk_types.h SECTOR_SHIFT). */
const SYSFS_UNIT_BYTES = 512;

export interface BlockDeviceSizeOptions {
  /** Where sysfs is mounted (tests). Default '/sys'. */
  sysRoot?: string;
}

/** Major and minor number of a Linux dev_t, as glibc's gnu_dev_major/minor split it. */
export function splitDeviceNumber(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

/**
 * Bytes of the block device at `path` whose device number is `rdev`: tries
 * /sys/dev/block/<major>:<minor>/size (right for symlinks such as /dev/cdrom), then
 * /sys/class/block/<name>/size for the name the path resolves to. UnsupportedError when neither
 * can be read (no sysfs: not Linux, or a container without it).
 */
export async function blockDeviceSizeBytes(path: string, rdev: bigint, options: BlockDeviceSizeOptions = {}): Promise<number> {
  const sysRoot = options.sysRoot ?? '/sys';
  const { major, minor } = splitDeviceNumber(rdev);
  const candidates = [join(sysRoot, 'dev/block', `${major}:${minor}`, 'size')];
  const name = await realpath(path).then(basename, () => basename(path));
  candidates.push(join(sysRoot, 'class/block', name, 'size'));
  for (const file of candidates) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const units = Number(text.trim());
    if (Number.isSafeInteger(units) && units >= 0) return units * SYSFS_UNIT_BYTES;
  }
  throw new UnsupportedError(
    `${path}: cannot learn the size of this block device: none of ${candidates.join(', ')} is readable (Node has no BLKGETSIZE64; sysfs is needed)`,
  );
}
