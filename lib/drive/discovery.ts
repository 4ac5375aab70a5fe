/**
 * Finds optical drives from sysfs (no device is opened) and tells whether their medium is
 * mounted, from /proc/self/mountinfo. Linux only; elsewhere the list is empty.
 */

import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** SCSI peripheral device type of CD/DVD/BD drives (SPC, "MMC device"). */
const TYPE_MMC = 5;

export interface DriveInfo {
  /** Block device (`/dev/sr0`), or undefined when only the sg node exists (sr_mod not loaded). */
  blockDevice: string | undefined;
  /** SCSI generic node (`/dev/sg1`), or undefined when sg is not loaded. */
  genericDevice: string | undefined;
  /** The node to open: the block device when there is one. */
  path: string;
  /** SCSI address host:channel:target:lun. */
  scsiAddress: string | undefined;
  vendor: string;
  model: string;
  revision: string;
  /** major:minor of the block device. */
  devNumber: string | undefined;
  /** Mount points of the medium (empty when not mounted). */
  mountPoints: string[];
  mounted: boolean;
}

export interface DiscoveryOptions {
  /** sysfs root, for tests. Default `/sys`. */
  sysRoot?: string;
  /** mountinfo file, for tests. Default `/proc/self/mountinfo`. */
  mountinfoPath?: string;
  /** Directory device nodes live in. Default `/dev`. */
  devRoot?: string;
}

export interface MountEntry {
  devNumber: string;
  mountPoint: string;
  fsType: string;
  source: string;
}

/** Lists optical drives, sorted by block device then sg node. */
export async function listDrives(options: DiscoveryOptions = {}): Promise<DriveInfo[]> {
  const sysRoot = options.sysRoot ?? '/sys';
  const devRoot = options.devRoot ?? '/dev';
  const mounts = await readMountinfo(options.mountinfoPath ?? '/proc/self/mountinfo');
  const byAddress = new Map<string, DriveInfo>();

  for (const name of await listDir(join(sysRoot, 'class/block'))) {
    if (!/^sr\d+$/u.test(name)) continue;
    const deviceDir = join(sysRoot, 'class/block', name, 'device');
    if ((await readNumber(join(deviceDir, 'type'))) !== TYPE_MMC) continue;
    const address = await scsiAddressOf(deviceDir);
    const generic = (await listDir(join(deviceDir, 'scsi_generic')))[0];
    const devNumber = await readTrimmed(join(sysRoot, 'class/block', name, 'dev'));
    const info = await describe(deviceDir, {
      blockDevice: join(devRoot, name),
      genericDevice: generic === undefined ? undefined : join(devRoot, generic),
      scsiAddress: address,
      devNumber,
    });
    byAddress.set(address ?? info.path, info);
  }

  for (const name of await listDir(join(sysRoot, 'class/scsi_generic'))) {
    if (!/^sg\d+$/u.test(name)) continue;
    const deviceDir = join(sysRoot, 'class/scsi_generic', name, 'device');
    if ((await readNumber(join(deviceDir, 'type'))) !== TYPE_MMC) continue;
    const address = await scsiAddressOf(deviceDir);
    const known = address === undefined ? undefined : byAddress.get(address);
    if (known) {
      known.genericDevice ??= join(devRoot, name);
      continue;
    }
    const info = await describe(deviceDir, {
      blockDevice: undefined,
      genericDevice: join(devRoot, name),
      scsiAddress: address,
      devNumber: undefined,
    });
    byAddress.set(address ?? info.path, info);
  }

  const drives = [...byAddress.values()];
  for (const drive of drives) {
    drive.mountPoints = mountPointsFor(drive, mounts);
    drive.mounted = drive.mountPoints.length > 0;
  }
  return drives.sort(
    (a, b) => Number(a.blockDevice === undefined) - Number(b.blockDevice === undefined) || naturalCompare(a.path, b.path),
  );
}

/** Finds the drive that owns a device node (sr or sg path), if sysfs knows it. */
export async function findDrive(path: string, options: DiscoveryOptions = {}): Promise<DriveInfo | undefined> {
  const drives = await listDrives(options);
  return drives.find((d) => d.blockDevice === path || d.genericDevice === path);
}

/** Parses mountinfo (proc(5)): `id parent major:minor root mountpoint options… - fstype source super`. */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 3) continue;
    const devNumber = fields[2];
    const mountPoint = fields[4];
    if (devNumber === undefined || mountPoint === undefined) continue;
    entries.push({
      devNumber,
      mountPoint: unescapeMountField(mountPoint),
      fsType: fields[dash + 1] ?? '',
      source: unescapeMountField(fields[dash + 2] ?? ''),
    });
  }
  return entries;
}

function unescapeMountField(value: string): string {
  return value.replace(/\\([0-7]{3})/gu, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

function mountPointsFor(drive: DriveInfo, mounts: MountEntry[]): string[] {
  return mounts
    .filter(
      (m) =>
        (drive.devNumber !== undefined && m.devNumber === drive.devNumber) ||
        (drive.blockDevice !== undefined && m.source === drive.blockDevice),
    )
    .map((m) => m.mountPoint);
}

async function readMountinfo(path: string): Promise<MountEntry[]> {
  try {
    return parseMountinfo(await readFile(path, 'utf8'));
  } catch {
    return [];
  }
}

async function describe(
  deviceDir: string,
  nodes: Pick<DriveInfo, 'blockDevice' | 'genericDevice' | 'scsiAddress' | 'devNumber'>,
): Promise<DriveInfo> {
  const path = nodes.blockDevice ?? nodes.genericDevice ?? deviceDir;
  return {
    ...nodes,
    path,
    vendor: (await readTrimmed(join(deviceDir, 'vendor'))) ?? '',
    model: (await readTrimmed(join(deviceDir, 'model'))) ?? '',
    revision: (await readTrimmed(join(deviceDir, 'rev'))) ?? '',
    mountPoints: [],
    mounted: false,
  };
}

async function scsiAddressOf(deviceDir: string): Promise<string | undefined> {
  try {
    const target = basename(await readlink(deviceDir));
    return /^\d+:\d+:\d+:\d+$/u.test(target) ? target : undefined;
  } catch {
    return undefined;
  }
}

async function listDir(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).sort(naturalCompare);
  } catch {
    return [];
  }
}

async function readTrimmed(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function readNumber(path: string): Promise<number | undefined> {
  const text = await readTrimmed(path);
  if (text === undefined || !/^\d+$/u.test(text)) return undefined;
  return Number(text);
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
