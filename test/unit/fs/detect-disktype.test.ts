/** detectFileSystems against disktype's findings on the same images (values, not format). */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFileSystems } from '../../../lib/fs/detect.js';
import { openFileSource } from '../../../lib/sources/file-source.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/isolyzer/testFiles/', import.meta.url));
const HAVE_CORPUS = existsSync(join(CORPUS, 'hfs.iso'));
const HAVE_DISKTYPE = spawnSync('disktype', [CORPUS]).error === undefined;
const HAVE_XORRISO = spawnSync('xorriso', ['--version']).error === undefined;

const work = mkdtempSync(join(tmpdir(), 'discrescue-detect-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface DisktypeView {
  /** [filesystem, volume name, size in bytes] as disktype prints them. */
  fileSystems: [string, string, number | undefined][];
  apmEntries: [number, string, number][];
}

/** The facts in disktype's text: filesystems with their names and sizes, Apple map entries. */
function disktype(path: string): DisktypeView {
  const text = spawnSync('disktype', [path], { encoding: 'latin1' }).stdout;
  const view: DisktypeView = { fileSystems: [], apmEntries: [] };
  let current: [string, string, number | undefined] | undefined;
  for (const line of text.split('\n')) {
    const fs = /^\s*(HFS Plus|HFS|ISO9660|UDF) file system/u.exec(line);
    if (fs) {
      current = [fs[1]!, '', undefined];
      view.fileSystems.push(current);
      continue;
    }
    const part = /^Partition (\d+): .*\((\d+) bytes, \d+ sectors from (\d+)\)/u.exec(line);
    if (part) view.apmEntries.push([Number(part[1]), '', Number(part[3]) * 512]);
    // A partition's own lines are indented by two spaces, its filesystem's by four.
    const type = /^ {2}Type "(.*)"/u.exec(line);
    if (type && view.apmEntries.length > 0) view.apmEntries[view.apmEntries.length - 1]![1] = type[1]!;
    if (!current) continue;
    const name = /^\s*Volume name "(.*)"/u.exec(line);
    if (name && current[1] === '') current[1] = name[1]!;
    const size = /^\s*(?:Volume|Data) size .*\((\d+) bytes/u.exec(line);
    if (size) current[2] = Number(size[1]);
  }
  return view;
}

const NAMES: Record<string, string> = { iso9660: 'ISO9660', udf: 'UDF', hfs: 'HFS', hfsplus: 'HFS Plus' };

async function ours(path: string): Promise<DisktypeView> {
  const source = await openFileSource(path);
  try {
    const d = await detectFileSystems(source);
    return {
      fileSystems: d.fileSystems.map((f) => [NAMES[f.type]!, f.label, f.type === 'udf' ? undefined : f.sizeBytes]),
      apmEntries: (d.partitionMaps.find((m) => m.kind === 'apm')?.entries ?? []).map((e) => [e.index, e.type, e.start]),
    };
  } finally {
    await source.close();
  }
}

function sorted(v: DisktypeView): DisktypeView {
  return { fileSystems: [...v.fileSystems].sort(), apmEntries: v.apmEntries };
}

describe.skipIf(!HAVE_DISKTYPE || !HAVE_CORPUS)('the same filesystems, names and sizes as disktype (skipped without disktype)', () => {
  for (const name of ['hfs.iso', 'hfsplus.iso', 'iso9660.iso', 'iso9660_hfs.iso', 'iso9660_hfs_part.iso', 'iso9660_udf.iso', 'udf.iso', 'iso9660_nopvd.iso']) {
    it(name, async () => {
      const path = join(CORPUS, name);
      const theirs = disktype(path);
      // disktype prints no size for UDF.
      for (const fs of theirs.fileSystems) if (fs[0] === 'UDF') fs[2] = undefined;
      expect(sorted(await ours(path))).toEqual(sorted(theirs));
    });
  }

  it.skipIf(!HAVE_XORRISO)('an xorriso ISO + HFS+ hybrid: the Apple map, the ISO and the HFS+ volume in partition 3', async () => {
    const dir = join(work, 'tree');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'f.txt'), 'x');
    const image = join(work, 'hyb.iso');
    expect(spawnSync('xorriso', ['-as', 'mkisofs', '-hfsplus', '-V', 'HYB', '-o', image, dir]).status).toBe(0);
    expect(sorted(await ours(image))).toEqual(sorted(disktype(image)));
    const source = await openFileSource(image);
    try {
      const d = await detectFileSystems(source);
      expect(d.fileSystems.find((f) => f.type === 'hfsplus')).toMatchObject({ at: 128 * 512, partition: { map: 'apm', index: 3, type: 'Apple_HFS' }, version: 'HFS+ 4' });
    } finally {
      await source.close();
    }
  });
});
