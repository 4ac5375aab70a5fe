/**
 * Hand-built volumes: Rock Ridge entries in all their forms, High Sierra, and hostile
 * structures (a directory containing itself, extents past the end, continuation loops, names
 * that try to climb out of the destination). The reader warns and carries on; nothing hangs.
 */

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../../lib/errors.js';
import { deepVerify } from '../../../lib/fs/deep-verify.js';
import { extractTree } from '../../../lib/fs/extract.js';
import { parseBootCatalog } from '../../../lib/fs/iso9660/el-torito.js';
import { openIso9660 } from '../../../lib/fs/iso9660/reader.js';
import { FsReadError } from '../../../lib/fs/read-bytes.js';
import type { FsNode } from '../../../lib/fs/types.js';
import { walkTree } from '../../../lib/fs/walk.js';
import { createMemorySource } from '../../../lib/sources/memory-source.js';
import { both32, buildIso, concat, nm, px, record, rockRidgeRoot, suEntry, type RecordSpec } from './iso9660-build.js';

const work = mkdtempSync(join(tmpdir(), 'discrescue-iso-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const dot = (extent: number, su?: Uint8Array): RecordSpec => ({ name: '\0', extent, size: 2048, flags: 2, ...(su ? { systemUse: su } : {}) });
const dotDot = (extent: number): RecordSpec => ({ name: '\x01', extent, size: 2048, flags: 2 });

async function listAll(image: Uint8Array, names?: 'iso' | 'rr'): Promise<{ nodes: FsNode[]; codes: string[] }> {
  const reader = await openIso9660(createMemorySource(image), names ? { names } : {});
  const nodes: FsNode[] = [];
  for await (const step of walkTree(reader)) nodes.push(...(step.entries ?? []));
  return { nodes, codes: reader.warnings.map((w) => w.code) };
}

describe('Rock Ridge entries', () => {
  it('NM continued over two entries and a CE area, PX, TF long form, SL with continued components', async () => {
    // The file's System Use area: NM part 1 (CONTINUE), then CE to block 25 for the rest.
    const ceArea = concat(
      nm('-name.txt'),
      suEntry('TF', [0x80 | 0x02 | 0x04, ...Buffer.from('2019010203040500'), 8, ...Buffer.from('2019010203040600'), 0]),
    );
    const fileSu = concat(
      nm('a-very-long', 1),
      px(0o100640, 1, 1234, 56),
      suEntry('CE', [...both32(25), ...both32(100), ...both32(ceArea.length)]),
    );
    // Symlink /usr/lib/x: root component, "us" continued by "r" in the next SL entry, "lib", "x".
    const linkSu = concat(
      nm('ln'),
      px(0o120777),
      suEntry('SL', [1, 0x08, 0, 0x01, 2, ...Buffer.from('us')]),
      suEntry('SL', [0, 0, 1, ...Buffer.from('r'), 0, 3, ...Buffer.from('lib'), 0, 1, ...Buffer.from('x')]),
    );
    const parentLinkSu = concat(nm('up'), px(0o120777), suEntry('SL', [0, 0x04, 0, 0, 4, ...Buffer.from('file')]));
    const image = buildIso({
      sectors: 30,
      rootExtent: 20,
      directories: [{
        block: 20,
        records: [
          dot(20, concat(rockRidgeRoot(), px(0o40755, 2))),
          dotDot(20),
          { name: 'A_VERY_L.TXT;1', extent: 26, size: 5, systemUse: fileSu },
          { name: 'LN.;1', extent: 0, size: 0, systemUse: linkSu },
          { name: 'UP.;1', extent: 0, size: 0, systemUse: parentLinkSu },
        ],
      }],
      files: [{ block: 26, data: Buffer.from('hello') }],
      raw: [{ at: 25 * 2048 + 100, bytes: ceArea }],
    });
    const reader = await openIso9660(createMemorySource(image));
    expect(reader.names).toBe('rr');
    expect(reader.descriptors.rockRidge).toMatchObject({ present: true, extensions: ['RRIP_1991A'], skip: 0 });
    const root = await reader.root();
    expect(root.mode?.toString(8)).toBe('40755');
    const [file, link, up] = await reader.readDir(root);
    expect(file).toMatchObject({ name: 'a-very-long-name.txt', path: '/a-very-long-name.txt', kind: 'file', size: 5, uid: 1234, gid: 56, nlink: 1 });
    expect(file!.mode?.toString(8)).toBe('100640');
    // Long-form TF: modify 2019-01-02 03:04:05.00 at GMT+8 × 15 minutes, access 03:04:06 at GMT.
    expect(file!.mtime?.toISOString()).toBe('2019-01-02T01:04:05.000Z');
    expect(file!.atime?.toISOString()).toBe('2019-01-02T03:04:06.000Z');
    expect(link).toMatchObject({ name: 'ln', kind: 'symlink', linkTarget: '/usr/lib/x' });
    expect(up).toMatchObject({ name: 'up', kind: 'symlink', linkTarget: '../file' });
    expect(reader.warnings).toEqual([]);
    // The same volume with plain names: no Rock Ridge attributes at all.
    const plain = await openIso9660(createMemorySource(image), { names: 'iso' });
    const names = (await plain.readDir(await plain.root())).map((n) => [n.name, n.kind, n.mode]);
    expect(names).toEqual([['A_VERY_L.TXT;1', 'file', undefined], ['LN.;1', 'file', undefined], ['UP.;1', 'file', undefined]]);
  });

  it('asks for a namespace the volume does not have: FormatError', async () => {
    const image = buildIso({ sectors: 24, rootExtent: 20, directories: [{ block: 20, records: [dot(20), dotDot(20)] }] });
    await expect(openIso9660(createMemorySource(image), { names: 'rr' })).rejects.toBeInstanceOf(FormatError);
    await expect(openIso9660(createMemorySource(image), { names: 'joliet' })).rejects.toBeInstanceOf(FormatError);
    const reader = await openIso9660(createMemorySource(image));
    expect(reader.names).toBe('iso');
  });

  it('a continuation area pointing at itself stops with a warning', async () => {
    const ceSelf = suEntry('CE', [...both32(25), ...both32(0), ...both32(28)]);
    const image = buildIso({
      sectors: 30,
      rootExtent: 20,
      directories: [{ block: 20, records: [dot(20, rockRidgeRoot()), dotDot(20), { name: 'F.;1', extent: 26, size: 1, systemUse: concat(nm('f'), ceSelf) }] }],
      raw: [{ at: 25 * 2048, bytes: ceSelf }],
    });
    const { nodes, codes } = await listAll(image);
    expect(nodes.map((n) => n.name)).toEqual(['f']);
    expect(codes).toEqual(['SUSP_CE_LOOP']);
  });
});

describe('hostile directories', () => {
  it('a directory that contains itself, and one that contains its parent: warnings, no endless walk', async () => {
    const image = buildIso({
      sectors: 30,
      rootExtent: 20,
      directories: [
        { block: 20, records: [dot(20), dotDot(20), { name: 'SELF', extent: 20, size: 2048, flags: 2 }, { name: 'SUB', extent: 21, size: 2048, flags: 2 }] },
        { block: 21, records: [dot(21), dotDot(20), { name: 'BACK', extent: 20, size: 2048, flags: 2 }, { name: 'X.;1', extent: 26, size: 3 }] },
      ],
      files: [{ block: 26, data: Buffer.from('xyz') }],
    });
    const source = createMemorySource(image);
    const reader = await openIso9660(source);
    const nodes: FsNode[] = [];
    for await (const step of walkTree(reader)) nodes.push(...(step.entries ?? []));
    expect(nodes.map((n) => n.path)).toEqual(['/SELF', '/SUB', '/SUB/BACK', '/SUB/X.;1']);
    expect(reader.warnings.filter((w) => w.code === 'ISO_DIRECTORY_LOOP').map((w) => w.path)).toEqual(['/SELF', '/SUB/BACK']);
    const self = nodes[0]!;
    expect(await reader.readDir(self)).toEqual([]);
    const report = await deepVerify(reader, { sourceBytes: image.length });
    expect(report.problems.map((p) => [p.code, p.path])).toEqual([['loop', '/SELF'], ['loop', '/SUB/BACK']]);
    expect(report).toMatchObject({ directories: 2, files: 1, bytes: 3, ok: false });
    const dest = join(work, 'loops');
    const extracted = await extractTree(source, reader, '/', dest);
    expect(extracted.files).toBe(1);
    expect(extracted.skipped.map((s) => s.path)).toEqual(['/SELF', '/SUB/BACK']);
    expect(readFileSync(join(dest, 'SUB', 'X.;1'), 'utf8')).toBe('xyz');
  });

  it('an extent past the end: a warning, a deep-verify error, and zeros in the extracted file', async () => {
    const image = buildIso({
      sectors: 24,
      rootExtent: 20,
      directories: [{ block: 20, records: [dot(20), dotDot(20), { name: 'GONE.;1', extent: 1000, size: 3000 }, { name: 'OK.;1', extent: 22, size: 2 }] }],
      files: [{ block: 22, data: Buffer.from('ok') }],
    });
    const source = createMemorySource(image);
    const reader = await openIso9660(source);
    const [gone] = await reader.readDir(await reader.root());
    expect(reader.warnings.map((w) => [w.code, w.path])).toEqual([['ISO_EXTENT_PAST_END', '/GONE.;1']]);
    const report = await deepVerify(reader, { sourceBytes: image.length });
    expect(report.problems.map((p) => [p.code, p.path])).toEqual([['extent-outside-image', '/GONE.;1']]);
    const dest = join(work, 'past-end');
    const extracted = await extractTree(source, reader, '/', dest);
    expect(extracted.damaged).toEqual([{ path: '/GONE.;1', ranges: [{ start: 0, length: 3000 }] }]);
    expect(readFileSync(join(dest, 'GONE.;1'))).toEqual(Buffer.alloc(3000));
    expect(gone!.size).toBe(3000);
  });

  it('short, odd-length and cut-off records: warnings, the rest still read', async () => {
    // The directory ends 20 bytes into its last record.
    const size = 2048 + 38 + 39 + 20;
    const image = buildIso({ sectors: 30, rootExtent: 20, rootSize: size, directories: [{ block: 20, records: [dot(20), dotDot(20)] }] });
    const dir = image.subarray(20 * 2048, 22 * 2048);
    let at = 68;
    const put = (bytes: Uint8Array): void => {
      dir.set(bytes, at);
      at += bytes.length;
    };
    put(record({ name: 'A.;1', extent: 26, size: 1 }));
    // A short record (length 20): skip to the next sector, where the rest continues.
    dir[at] = 20;
    at = 2048;
    put(record({ name: 'B.;1', extent: 26, size: 1 }));
    // An odd-length record, then one cut off by the end of the directory.
    const odd = record({ name: 'CC.;1', extent: 26, size: 1 });
    const oddBytes = new Uint8Array(odd.length + 1);
    oddBytes.set(odd);
    oddBytes[0] = odd.length + 1;
    put(oddBytes);
    expect(at).toBe(size - 20);
    put(record({ name: 'D.;1', extent: 26, size: 1 }).subarray(0, 20));
    const { nodes, codes } = await listAll(image);
    expect(nodes.map((n) => n.name)).toEqual(['A.;1', 'B.;1', 'CC.;1']);
    expect(codes).toEqual(['ISO_SHORT_RECORD', 'ISO_ODD_RECORD_LENGTH', 'ISO_RECORD_PAST_END']);
  });

  it('a record that crosses a sector boundary is read, with a warning', async () => {
    const image = buildIso({ sectors: 30, rootExtent: 20, rootSize: 4096, directories: [{ block: 20, records: [dot(20), dotDot(20)] }] });
    const crossing = record({ name: 'CROSS.;1', extent: 26, size: 1 });
    image.set(crossing, 20 * 2048 + 2048 - 10);
    image.fill(0, 20 * 2048 + 68, 20 * 2048 + 2048 - 10);
    // Pad between '..' and the crossing record with one long dummy record so no zero byte intervenes.
    const filler = record({ name: 'F'.repeat(200), extent: 26, size: 1 });
    let at = 20 * 2048 + 68;
    while (at + filler.length <= 20 * 2048 + 2048 - 10) {
      image.set(filler, at);
      at += filler.length;
    }
    const gap = 20 * 2048 + 2048 - 10 - at;
    if (gap > 0) {
      // Shorten the crossing record's predecessor space with a record of exactly `gap` bytes.
      const pad = record({ name: 'P'.repeat(Math.max(1, gap - 34)), extent: 26, size: 1 });
      expect(pad.length).toBe(gap);
      image.set(pad, at);
    }
    const { nodes, codes } = await listAll(image);
    expect(nodes[nodes.length - 1]!.name).toBe('CROSS.;1');
    expect(codes).toContain('ISO_RECORD_CROSSES_SECTOR');
  });

  it('a directory of absurd size is a typed error for that directory only', async () => {
    const image = buildIso({
      sectors: 24,
      rootExtent: 20,
      directories: [{ block: 20, records: [dot(20), dotDot(20), { name: 'HUGE', extent: 21, size: 0xfffff800, flags: 2 }] }],
    });
    const reader = await openIso9660(createMemorySource(image));
    const [huge] = await reader.readDir(await reader.root());
    await expect(reader.readDir(huge!)).rejects.toBeInstanceOf(FormatError);
    const report = await deepVerify(reader, { sourceBytes: image.length });
    expect(report.problems.map((p) => [p.code, p.path])).toEqual([
      ['extent-outside-image', '/HUGE'],
      ['unreadable-directory', '/HUGE'],
    ]);
  });

  it('an unreadable directory sector is an FsReadError, and an unreadable-directory problem', async () => {
    const image = buildIso({
      sectors: 24,
      rootExtent: 20,
      directories: [{ block: 20, records: [dot(20), dotDot(20), { name: 'DIR', extent: 21, size: 2048, flags: 2 }] }, { block: 21, records: [dot(21), dotDot(20)] }],
    });
    const source = createMemorySource(image, { badLbas: [21] });
    const reader = await openIso9660(source);
    const [dir] = await reader.readDir(await reader.root());
    await expect(reader.readDir(dir!)).rejects.toBeInstanceOf(FsReadError);
    const report = await deepVerify(reader, { sourceBytes: image.length });
    expect(report.problems.map((p) => [p.code, p.path])).toEqual([['unreadable-directory', '/DIR']]);
  });

  it('a multi-extent file whose last record is missing: a warning, the extents found are kept', async () => {
    const image = buildIso({
      sectors: 30,
      rootExtent: 20,
      directories: [{
        block: 20,
        records: [dot(20), dotDot(20), { name: 'M.;1', extent: 24, size: 2048, flags: 0x80 }, { name: 'N.;1', extent: 25, size: 10 }],
      }],
    });
    const { nodes, codes } = await listAll(image);
    expect(nodes.map((n) => [n.name, n.size])).toEqual([['M.;1', 2048], ['N.;1', 10]]);
    expect(codes).toEqual(['ISO_MULTI_EXTENT_BROKEN']);
  });

  it('no volume descriptor: FormatError; a 2352-byte source: UnsupportedError', async () => {
    await expect(openIso9660(createMemorySource(new Uint8Array(40 * 2048)))).rejects.toBeInstanceOf(FormatError);
    await expect(openIso9660(createMemorySource(new Uint8Array(40 * 2352), { sectorSize: 2352 }))).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' });
  });
});

describe('names that try to escape', () => {
  it('"../../evil", "..", "a/b" and NUL in Rock Ridge names: flagged, and extraction stays inside dest', async () => {
    const file = (iso: string, name: string | Uint8Array): RecordSpec => ({ name: iso, extent: 26, size: 4, systemUse: concat(nm(name), px(0o104777)) });
    const image = buildIso({
      sectors: 30,
      rootExtent: 20,
      directories: [
        {
          block: 20,
          records: [
            dot(20, rockRidgeRoot()), dotDot(20),
            file('A.;1', '../../evil'),
            file('B.;1', '..'),
            file('C.;1', 'a/b'),
            file('D.;1', new Uint8Array([0x6e, 0, 0x6c])),
            { name: 'E', extent: 21, size: 2048, flags: 2, systemUse: nm('.') },
          ],
        },
        { block: 21, records: [dot(21), dotDot(20), file('F.;1', '../../../evil2')] },
      ],
      files: [{ block: 26, data: Buffer.from('evil') }],
    });
    const source = createMemorySource(image);
    const reader = await openIso9660(source);
    const names = (await reader.readDir(await reader.root())).map((n) => n.name);
    expect(names).toEqual(['../../evil', '..', 'a/b', 'n\0l', '.']);
    expect(reader.warnings.filter((w) => w.code === 'ISO_UNSAFE_NAME')).toHaveLength(5);
    const box = join(work, 'box');
    mkdirSync(box);
    const dest = join(box, 'dest');
    const report = await extractTree(source, reader, '/', dest);
    expect(readdirSync(box)).toEqual(['dest']);
    expect(readdirSync(dest).sort()).toEqual(['.._.._evil', '_.', '_..', 'a_b', 'n_l'].sort());
    expect(readdirSync(join(dest, '_.'))).toEqual(['.._.._.._evil2']);
    expect(report.renamed.map((r) => r.as).sort()).toEqual(['.._.._.._evil2', '.._.._evil', '_.', '_..', 'a_b', 'n_l'].sort());
    expect(report.files).toBe(5);
    expect(existsSync(join(work, 'evil'))).toBe(false);
    // setuid is never applied: mode masked to 0o777.
    expect(readFileSync(join(dest, 'a_b'), 'utf8')).toBe('evil');
  });
});

describe('High Sierra', () => {
  it('a CDROM-signature volume: type high-sierra, flags at byte 24, dates without zone', async () => {
    const image = new Uint8Array(30 * 2048);
    const vd = image.subarray(16 * 2048, 17 * 2048);
    vd.set(both32(16), 0);
    vd[8] = 1;
    vd.set(Buffer.from('CDROM'), 9);
    vd[14] = 1;
    vd.fill(0x20, 16, 80);
    vd.set(Buffer.from('HSF_VOLUME'), 48);
    vd.set(both32(30), 88);
    vd.set([1, 0, 0, 1], 128);
    vd.set([1, 0, 0, 1], 132);
    vd.set([0, 8, 8, 0], 136);
    const hsfRecord = (spec: RecordSpec): Uint8Array => {
      const r = record(spec);
      r[24] = spec.flags ?? 0;
      r[25] = 0;
      return r;
    };
    vd.set(hsfRecord({ name: '\0', extent: 20, size: 2048, flags: 2 }), 180);
    vd.set(Buffer.from('1990010203040500'), 790);
    image.subarray(17 * 2048)[8] = 255;
    image.subarray(17 * 2048).set(Buffer.from('CDROM'), 9);
    let at = 20 * 2048;
    for (const r of [hsfRecord({ name: '\0', extent: 20, size: 2048, flags: 2 }), hsfRecord({ name: '\x01', extent: 20, size: 2048, flags: 2 }),
      hsfRecord({ name: 'SUBDIR', extent: 21, size: 2048, flags: 2, date: [90, 1, 2, 3, 4, 5, 2] }), hsfRecord({ name: 'FILE.TXT;1', extent: 22, size: 3 })]) {
      image.set(r, at);
      at += r.length;
    }
    image.set(hsfRecord({ name: '\0', extent: 21, size: 2048, flags: 2 }), 21 * 2048);
    image.set(Buffer.from('hsf'), 22 * 2048);
    const source = createMemorySource(image);
    const reader = await openIso9660(source);
    expect(reader.type).toBe('high-sierra');
    expect(reader.label).toBe('HSF_VOLUME');
    expect(reader.descriptors.primary.creation.date?.toISOString()).toBe('1990-01-02T03:04:05.000Z');
    const entries = await reader.readDir(await reader.root());
    expect(entries.map((n) => [n.name, n.kind, n.size])).toEqual([['SUBDIR', 'directory', 2048], ['FILE.TXT;1', 'file', 3]]);
    // Byte 24 is the flags byte, so the date has no zone: 03:04:05 stays as recorded.
    expect(entries[0]!.mtime?.toISOString()).toBe('1990-01-02T03:04:05.000Z');
  });
});

describe('flags, dates and El Torito sections', () => {
  it('hidden and associated files are flagged hidden; a bad record date and a lowercase ISO name are warnings', async () => {
    const image = buildIso({
      sectors: 30,
      rootExtent: 20,
      directories: [{
        block: 20,
        records: [
          dot(20), dotDot(20),
          { name: 'ASSOC.;1', extent: 24, size: 1, flags: 0x04 },
          { name: 'HIDDEN.;1', extent: 24, size: 1, flags: 0x01 },
          { name: 'BADDATE.;1', extent: 24, size: 1, date: [120, 13, 40, 0, 0, 0, 0] },
          { name: 'lower.txt;1', extent: 24, size: 1 },
        ],
      }],
    });
    const { nodes, codes } = await listAll(image);
    expect(nodes.map((n) => [n.name, n.hidden ?? false, n.mtime?.toISOString()])).toEqual([
      ['ASSOC.;1', true, '2020-05-06T07:08:09.000Z'],
      ['HIDDEN.;1', true, '2020-05-06T07:08:09.000Z'],
      ['BADDATE.;1', false, undefined],
      ['lower.txt;1', false, '2020-05-06T07:08:09.000Z'],
    ]);
    expect(codes).toEqual(['ISO_BAD_DATE', 'ISO_NAME_CHARACTERS']);
  });

  it('a boot catalog with a default entry and an EFI section', () => {
    const catalog = new Uint8Array(2048);
    catalog[0] = 1;
    catalog.set(Buffer.from('TEST ID'), 4);
    catalog[30] = 0x55;
    catalog[31] = 0xaa;
    let sum = 0;
    for (let i = 0; i < 32; i += 2) sum = (sum + (catalog[i]! | (catalog[i + 1]! << 8))) & 0xffff;
    const check = (0x10000 - sum) & 0xffff;
    catalog[28] = check & 0xff;
    catalog[29] = check >> 8;
    catalog.set([0x88, 0, 0xc0, 0x07, 0, 0, 4, 0, 0x21, 0, 0, 0], 32);
    catalog.set([0x91, 0xef, 1, 0], 64);
    catalog.set([0x88, 2, 0, 0, 0, 0, 0x40, 0x0b, 0x30, 0, 0, 0, 0], 96);
    const warnings: string[] = [];
    const parsed = parseBootCatalog(catalog, 33, (w) => warnings.push(w.code));
    expect(warnings).toEqual([]);
    expect(parsed).toMatchObject({ sector: 33, platform: 0, platformName: 'x86', id: 'TEST ID', checksumValid: true, keyValid: true });
    expect(parsed.defaultEntry).toEqual({
      bootable: true, bootIndicator: 0x88, emulation: 0, emulationName: 'no emulation', loadSegment: 0x7c0, systemType: 0,
      sectorCount: 4, loadRba: 0x21, selectionCriteria: 0,
    });
    expect(parsed.sections).toEqual([{
      platform: 0xef,
      platformName: 'EFI',
      id: '',
      entries: [{ bootable: true, bootIndicator: 0x88, emulation: 2, emulationName: '1.44 MB floppy', loadSegment: 0, systemType: 0, sectorCount: 0xb40, loadRba: 0x30, selectionCriteria: 0 }],
    }]);
    catalog[28] ^= 1;
    const bad: string[] = [];
    expect(parseBootCatalog(catalog, 33, (w) => bad.push(w.code)).checksumValid).toBe(false);
    expect(bad).toEqual(['ELTORITO_BAD_CHECKSUM']);
  });
});
