/**
 * Images made by genisoimage and xorriso, read back and compared with isoinfo (cdrkit) as the
 * oracle: `ls` against `isoinfo -f` / `-l` (plain, Joliet, Rock Ridge), descriptor fields
 * against `isoinfo -d`, El Torito, a second session at --offset N, and extraction against the
 * tree the image was made from. Never used at runtime.
 */

import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../helpers/cli.js';
import { extractTree } from '../../../lib/fs/extract.js';
import { openIso9660 } from '../../../lib/fs/iso9660/reader.js';
import { openFileSource } from '../../../lib/sources/file-source.js';

const has = (tool: string, arg = '--version'): boolean => spawnSync(tool, [arg]).status === 0;
const HAVE_GENISOIMAGE = has('genisoimage') && has('isoinfo', '-version');
const HAVE_XORRISO = has('xorriso') && has('isoinfo', '-version');

const work = mkdtempSync(join(tmpdir(), 'discrescue-iso-tools-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tool(command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd: work, encoding: 'latin1', maxBuffer: 1 << 26 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** A tree with nested directories (breadth-first order matters), long names, a symlink, odd modes. */
function makeTree(root: string): void {
  mkdirSync(join(root, 'alpha', 'inner', 'core'), { recursive: true });
  mkdirSync(join(root, 'beta', 'sub'), { recursive: true });
  writeFileSync(join(root, 'readme.txt'), 'read me\n');
  writeFileSync(join(root, 'alpha', 'a file with a long name.text'), Buffer.alloc(5000, 0x61));
  writeFileSync(join(root, 'alpha', 'inner', 'core', 'deep.bin'), Buffer.from(Array.from({ length: 7000 }, (_, i) => (i * 7) & 0xff)));
  writeFileSync(join(root, 'beta', 'sub', 'empty'), '');
  writeFileSync(join(root, 'beta', 'script.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(root, 'beta', 'script.sh'), 0o750);
  symlinkSync('../readme.txt', join(root, 'beta', 'link-to-readme'));
  const when = new Date('2021-03-04T05:06:07Z');
  for (const p of ['readme.txt', 'beta/script.sh', 'alpha/inner/core/deep.bin']) utimesSync(join(root, p), when, when);
}

describe.skipIf(!HAVE_GENISOIMAGE)('ISO 9660 against isoinfo on genisoimage images (skipped without genisoimage/isoinfo)', () => {
  const tree = join(work, 'tree');
  const images: Record<string, string> = {};
  beforeAll(() => {
    makeTree(tree);
    images.plain = join(work, 'plain.iso');
    images.joliet = join(work, 'joliet.iso');
    images.rr = join(work, 'rr.iso');
    // -R keeps owners and modes as they are; a symlink goes into the Rock Ridge tree only.
    tool('genisoimage', ['-quiet', '-V', 'PLAIN_VOL', '-o', images.plain, tree]);
    tool('genisoimage', ['-quiet', '-J', '-V', 'Joliet Vol', '-o', images.joliet, tree]);
    tool('genisoimage', ['-quiet', '-R', '-J', '-V', 'RR_VOL', '-publisher', 'Some Publisher', '-p', 'A Preparer', '-o', images.rr, tree]);
  });

  const cases: [string, string, string[], string[]][] = [
    ['plain', 'iso names', ['-f'], []],
    ['plain', 'iso names, long', ['-l'], ['-l']],
    ['joliet', 'Joliet names', ['-J', '-f'], []],
    ['joliet', 'Joliet names, long', ['-J', '-l'], ['-l']],
    ['joliet', 'iso names of a Joliet image', ['-f'], ['--names', 'iso']],
    ['rr', 'Rock Ridge names', ['-R', '-f'], []],
    ['rr', 'Rock Ridge names, long', ['-R', '-l'], ['-l']],
    ['rr', 'Joliet names of a Rock Ridge image', ['-J', '-f'], ['--names', 'joliet']],
    ['rr', 'iso names of a Rock Ridge image, long', ['-l'], ['-l', '--names', 'iso']],
  ];
  for (const [image, what, isoinfoArgs, ourArgs] of cases) {
    it(`ls ${ourArgs.join(' ')} equals isoinfo ${isoinfoArgs.join(' ')}: ${image} image, ${what}`, async () => {
      const expected = tool('isoinfo', [...isoinfoArgs, '-i', images[image]!]);
      const got = await cli(['ls', images[image]!, ...ourArgs]);
      expect(got.err).toBe('');
      expect(got.code).toBe(0);
      expect(got.out).toBe(expected);
    });
  }

  it('descriptor fields equal isoinfo -d', async () => {
    const info = tool('isoinfo', ['-d', '-i', images.rr!]);
    const field = (name: string): string => new RegExp(`^${name}: ?(.*)$`, 'mu').exec(info)?.[1] ?? '<missing>';
    const source = await openFileSource(images.rr!);
    try {
      const reader = await openIso9660(source);
      const pvd = reader.descriptors.primary;
      expect(pvd.systemId).toBe(field('System id'));
      expect(pvd.volumeId).toBe(field('Volume id'));
      expect(pvd.volumeId).toBe('RR_VOL');
      expect(pvd.volumeSetId).toBe(field('Volume set id'));
      expect(pvd.publisherId).toBe(field('Publisher id'));
      expect(pvd.publisherId).toBe('Some Publisher');
      expect(pvd.dataPreparerId).toBe(field('Data preparer id'));
      expect(pvd.applicationId).toBe(field('Application id'));
      expect(pvd.copyrightFileId).toBe(field('Copyright File id'));
      expect(pvd.abstractFileId).toBe(field('Abstract File id'));
      expect(pvd.bibliographicFileId).toBe(field('Bibliographic File id'));
      expect(String(pvd.volumeSetSize)).toBe(field('Volume set size is'));
      expect(String(pvd.volumeSequenceNumber)).toBe(field('Volume set sequence number is'));
      expect(String(pvd.logicalBlockSize)).toBe(field('Logical block size is'));
      expect(String(pvd.volumeSpaceSize)).toBe(field('Volume size is'));
      expect(info).toContain(`Joliet with UCS level ${reader.descriptors.joliet?.jolietLevel} found`);
      expect(info).toContain('Rock Ridge signatures version 1 found');
      expect(reader.descriptors.rockRidge.present).toBe(true);
      // The volume was made just now: its creation date is within a day of the clock.
      const created = pvd.creation.date!.getTime();
      expect(Math.abs(created - Date.now())).toBeLessThan(86_400_000);
      expect(pvd.creation.text).toMatch(/^\d{16}$/u);
      expect(reader.descriptors.joliet?.volumeId).toBe('RR_VOL');
    } finally {
      await source.close();
    }
  });

  it('El Torito: the boot catalog fields equal isoinfo -d', async () => {
    const bootTree = join(work, 'boottree');
    mkdirSync(join(bootTree, 'boot'), { recursive: true });
    writeFileSync(join(bootTree, 'boot', 'boot.img'), Buffer.alloc(2048, 0xeb));
    writeFileSync(join(bootTree, 'hello.txt'), 'hello\n');
    const image = join(work, 'boot.iso');
    tool('genisoimage', ['-quiet', '-R', '-b', 'boot/boot.img', '-c', 'boot/boot.cat', '-no-emul-boot', '-boot-load-size', '4', '-o', image, bootTree]);
    const info = tool('isoinfo', ['-d', '-i', image]);
    const nsect = Number(/Nsect (\w+)/u.exec(info)![1]!);
    const bootoff = Number.parseInt(/Bootoff (\w+)/u.exec(info)![1]!, 16);
    const source = await openFileSource(image);
    try {
      const reader = await openIso9660(source);
      const boot = reader.descriptors.bootRecords[0]!;
      expect(boot.bootSystemId).toBe('EL TORITO SPECIFICATION');
      const catalog = reader.descriptors.elTorito!;
      expect(catalog.sector).toBe(boot.elToritoCatalog);
      expect(catalog).toMatchObject({ platform: 0, platformName: 'x86', id: '', checksumValid: true, keyValid: true, sections: [] });
      expect(catalog.defaultEntry).toMatchObject({ bootable: true, bootIndicator: 0x88, emulation: 0, emulationName: 'no emulation', loadSegment: 0, systemType: 0 });
      expect(catalog.defaultEntry!.sectorCount).toBe(nsect);
      expect(catalog.defaultEntry!.sectorCount).toBe(4);
      expect(catalog.defaultEntry!.loadRba).toBe(bootoff);
      // The boot image file is where the catalog says.
      const entries = await reader.readDir((await reader.readDir(await reader.root())).find((n) => n.name === 'boot')!);
      const img = entries.find((n) => n.name === 'boot.img')!;
      expect(img.extents[0]!.start).toBe(bootoff * 2048);
      const cat = entries.find((n) => n.name === 'boot.cat')!;
      expect(cat.extents[0]!.start).toBe(catalog.sector * 2048);
    } finally {
      await source.close();
    }
  });

  it('extract of the whole Rock Ridge tree reproduces the files, modes, times and symlinks', async () => {
    const dest = join(work, 'out-rr');
    const got = await cli(['extract', images.rr!, '/', dest]);
    expect(got.err).toBe('');
    expect(got.out).toMatch(/^5 files, 6 directories, 1 symlinks, /u);
    expect(got.code).toBe(0);
    const list = (dir: string, base = ''): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
        const rel = `${base}/${d.name}`;
        return d.isDirectory() ? [rel, ...list(join(dir, d.name), rel)] : [rel];
      }).sort();
    expect(list(dest)).toEqual(list(tree));
    for (const rel of list(tree)) {
      const a = lstatSync(join(tree, rel));
      const b = lstatSync(join(dest, rel));
      if (a.isSymbolicLink()) {
        expect(b.isSymbolicLink()).toBe(true);
        expect(readlinkSync(join(dest, rel))).toBe(readlinkSync(join(tree, rel)));
        continue;
      }
      expect(b.mode & 0o777).toBe(a.mode & 0o777);
      expect(Math.floor(b.mtimeMs / 1000)).toBe(Math.floor(a.mtimeMs / 1000));
      if (a.isFile()) expect(readFileSync(join(dest, rel))).toEqual(readFileSync(join(tree, rel)));
    }
    expect(statSync(join(dest, 'readme.txt')).mtime.toISOString()).toBe('2021-03-04T05:06:07.000Z');
  });

  it('genisoimage -R relocates beyond depth 8: the tree reads back as it was, rr_moved left empty (as Linux shows it)', async () => {
    const deepTree = join(work, 'deeptree');
    const parts = Array.from({ length: 11 }, (_, i) => `d${i + 1}`);
    mkdirSync(join(deepTree, ...parts), { recursive: true });
    writeFileSync(join(deepTree, ...parts, 'bottom.txt'), 'bottom\n');
    writeFileSync(join(deepTree, ...parts.slice(0, 9), 'nine.txt'), 'nine\n');
    const image = join(work, 'deep.iso');
    tool('genisoimage', ['-quiet', '-R', '-o', image, deepTree]);
    // The physical tree has rr_moved; isoinfo -R shows it that way.
    expect(tool('isoinfo', ['-R', '-f', '-i', image])).toContain('/rr_moved/');
    const got = await cli(['ls', image]);
    const expected: string[] = [];
    for (let depth = 1; depth <= 11; depth++) {
      expected.push(`/${parts.slice(0, depth).join('/')}`);
      if (depth === 9) expected.push(`/${parts.slice(0, 9).join('/')}/nine.txt`);
    }
    expected.push(`/${parts.join('/')}/bottom.txt`);
    // genisoimage marks the moved directories with RE but not rr_moved itself.
    expected.push('/rr_moved');
    expect(got.out.trim().split('\n').sort()).toEqual(expected.sort());
    const dest = join(work, 'deep-out');
    expect((await cli(['extract', image, `/${parts.join('/')}/bottom.txt`, dest])).code).toBe(0);
    expect(readFileSync(dest, 'utf8')).toBe('bottom\n');
  });
});

describe.skipIf(!HAVE_XORRISO)('ISO 9660 on xorriso images (skipped without xorriso/isoinfo)', () => {
  it('a second session appended with -C 0,N lists with --offset N like isoinfo -N N', async () => {
    const one = join(work, 'ms-one');
    const two = join(work, 'ms-two');
    mkdirSync(one, { recursive: true });
    mkdirSync(two, { recursive: true });
    writeFileSync(join(one, 'first.txt'), 'first session\n');
    writeFileSync(join(two, 'second.txt'), 'second session\n');
    const s1 = join(work, 's1.iso');
    const s2 = join(work, 's2.iso');
    tool('xorriso', ['-as', 'mkisofs', '-R', '-J', '-o', s1, one]);
    const n = statSync(s1).size / 2048;
    tool('xorriso', ['-as', 'mkisofs', '-R', '-J', '-C', `0,${n}`, '-M', s1, '-o', s2, two]);
    // The disc as a whole: session 1 at 0, session 2 right after it.
    const disc = join(work, 'disc.iso');
    writeFileSync(disc, Buffer.concat([readFileSync(s1), readFileSync(s2)]));
    for (const [flags, ours] of [[['-R', '-l'], ['-l']], [['-R', '-f'], []], [['-J', '-l'], ['-l', '--names', 'joliet']]] as const) {
      const expected = tool('isoinfo', ['-N', String(n), ...flags, '-i', s2]);
      const got = await cli(['ls', disc, '--offset', String(n), ...ours]);
      expect(got.code).toBe(0);
      expect(got.out).toBe(expected);
    }
    expect((await cli(['ls', disc])).out).toBe('/first.txt\n');
    expect((await cli(['ls', disc, '--offset', String(n)])).out).toBe('/first.txt\n/second.txt\n');
    const dest = join(work, 'ms-out');
    expect((await cli(['extract', disc, '/', dest, '--offset', String(n)])).code).toBe(0);
    expect(readFileSync(join(dest, 'first.txt'), 'utf8')).toBe('first session\n');
    expect(readFileSync(join(dest, 'second.txt'), 'utf8')).toBe('second session\n');
  });

  it('xorriso -R -J image with a symlink lists like isoinfo -R -l', async () => {
    const tree = join(work, 'xtree');
    mkdirSync(join(tree, 'dir'), { recursive: true });
    writeFileSync(join(tree, 'dir', 'file.dat'), Buffer.alloc(3000, 1));
    symlinkSync('dir/file.dat', join(tree, 'shortcut'));
    const image = join(work, 'x.iso');
    tool('xorriso', ['-as', 'mkisofs', '-R', '-J', '-o', image, tree]);
    for (const [flags, ours] of [[['-R', '-l'], ['-l']], [['-R', '-f'], []], [['-J', '-f'], ['--names', 'joliet']]] as const) {
      expect((await cli(['ls', image, ...ours])).out).toBe(tool('isoinfo', [...flags, '-i', image]));
    }
    const source = await openFileSource(image);
    try {
      const reader = await openIso9660(source);
      const link = (await reader.readDir(await reader.root())).find((n) => n.name === 'shortcut')!;
      expect(link).toMatchObject({ kind: 'symlink', linkTarget: 'dir/file.dat' });
      const dest = join(work, 'x-out');
      const report = await extractTree(source, reader, '/', dest);
      expect(report).toMatchObject({ files: 1, symlinks: 1, directories: 2, damaged: [], skipped: [] });
      expect(readlinkSync(join(dest, 'shortcut'))).toBe('dir/file.dat');
    } finally {
      await source.close();
    }
  });
});
