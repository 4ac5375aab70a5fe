import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findDrive, listDrives, parseMountinfo } from '../../../lib/drive/discovery.js';

let root: string;

async function scsiDevice(address: string, type: number, vendor: string, model: string, rev: string): Promise<string> {
  const dir = join(root, 'sys/devices/pci0000:00/host0', address);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'type'), `${type}\n`);
  await writeFile(join(dir, 'vendor'), `${vendor}\n`);
  await writeFile(join(dir, 'model'), `${model}\n`);
  await writeFile(join(dir, 'rev'), `${rev}\n`);
  return dir;
}

async function blockNode(name: string, deviceDir: string, dev: string): Promise<void> {
  const dir = join(root, 'sys/class/block', name);
  await mkdir(dir, { recursive: true });
  await symlink(deviceDir, join(dir, 'device'));
  await writeFile(join(dir, 'dev'), `${dev}\n`);
}

async function genericNode(name: string, deviceDir: string): Promise<void> {
  await mkdir(join(deviceDir, 'scsi_generic', name), { recursive: true });
  const dir = join(root, 'sys/class/scsi_generic', name);
  await mkdir(dir, { recursive: true });
  await symlink(deviceDir, join(dir, 'device'));
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'discrescue-sysfs-'));
  await mkdir(join(root, 'sys/class/block'), { recursive: true });
  await mkdir(join(root, 'sys/class/scsi_generic'), { recursive: true });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const options = () => ({
  sysRoot: join(root, 'sys'),
  mountinfoPath: join(root, 'mountinfo'),
  devRoot: '/dev',
});

describe('listDrives', () => {
  it('returns an empty list when sysfs has no optical drive', async () => {
    expect(await listDrives(options())).toEqual([]);
  });

  it('pairs sr and sg nodes, skips disks, and reports mounts', async () => {
    const cd = await scsiDevice('1:0:0:0', 5, 'HL-DT-ST', 'BD-RE  WH16NS40', '1.05');
    await blockNode('sr0', cd, '11:0');
    await genericNode('sg1', cd);
    const disk = await scsiDevice('0:0:0:0', 0, 'ATA', 'SSD', '1');
    await blockNode('sda', disk, '8:0');
    await genericNode('sg0', disk);
    const usb = await scsiDevice('6:0:0:0', 5, 'ASUS', 'SDRW-08D2S-U', 'B901');
    await genericNode('sg2', usb);
    await writeFile(
      join(root, 'mountinfo'),
      [
        '22 26 0:21 / /sys rw,relatime - sysfs sysfs rw',
        '99 26 11:0 / /media/user/MY\\040DISC ro,nosuid - iso9660 /dev/sr0 ro,norock',
        '',
      ].join('\n'),
    );

    const drives = await listDrives(options());
    expect(drives).toEqual([
      {
        blockDevice: '/dev/sr0',
        genericDevice: '/dev/sg1',
        path: '/dev/sr0',
        scsiAddress: '1:0:0:0',
        vendor: 'HL-DT-ST',
        model: 'BD-RE  WH16NS40',
        revision: '1.05',
        devNumber: '11:0',
        mountPoints: ['/media/user/MY DISC'],
        mounted: true,
      },
      {
        blockDevice: undefined,
        genericDevice: '/dev/sg2',
        path: '/dev/sg2',
        scsiAddress: '6:0:0:0',
        vendor: 'ASUS',
        model: 'SDRW-08D2S-U',
        revision: 'B901',
        devNumber: undefined,
        mountPoints: [],
        mounted: false,
      },
    ]);
    expect((await findDrive('/dev/sg1', options()))?.blockDevice).toBe('/dev/sr0');
    expect(await findDrive('/dev/sr5', options())).toBeUndefined();
  });
});

describe('parseMountinfo', () => {
  it('reads optional fields and octal escapes', () => {
    const entries = parseMountinfo('36 35 98:0 /mnt1 /mnt/a\\011b rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n');
    expect(entries).toEqual([{ devNumber: '98:0', mountPoint: '/mnt/a\tb', fsType: 'ext3', source: '/dev/root' }]);
  });
  it('ignores malformed lines', () => {
    expect(parseMountinfo('garbage\n1 2 3\n')).toEqual([]);
  });
});
