/**
 * Extraction from crafted volumes never writes outside its destination: Rock Ridge names with
 * '..', '/', NUL and absolute paths, symlinks pointing out of the destination, and names that
 * repeat (a file of the same name after a symlink must not be written through it). After each
 * extraction the scratch tree around the destination must hold exactly what it held before.
 */

import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { extractTree } from '../../lib/fs/extract.js';
import { openIso9660 } from '../../lib/fs/iso9660/reader.js';
import { walkTree } from '../../lib/fs/walk.js';
import { createMemorySource } from '../../lib/sources/memory-source.js';
import { buildIso, concat, nm, px, rockRidgeRoot, suEntry, type RecordSpec } from '../unit/fs/iso9660-build.js';
import { PROPERTY_TIMEOUT_MS, checkAsync, typedAsync } from './harness.js';

const work = mkdtempSync(join(tmpdir(), 'discrescue-fuzz-extract-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
/** Deep enough that a few '..' stay inside `work` even if a name were not sanitized. */
const DEPTH = ['1', '2', '3', '4', '5', '6', '7', '8'];
const OUTSIDE = join(work, 'outside');
mkdirSync(OUTSIDE);
writeFileSync(join(OUTSIDE, 'keep'), 'untouched');

const nameArb = fc.oneof(
  fc.constantFrom('..', '.', '/', '//', '../x', '../../../x', 'a/../../x', 'a/b', '\0', 'n\0l', '..\0', '', ' ', '...', 'dup', 'dup', `${OUTSIDE}/pwned`, `${OUTSIDE}`, 'C:\\x', 'x'.repeat(255)),
  fc.array(fc.constantFrom('..', '/', '\0', 'a', '.', 'dup', '\\'), { minLength: 1, maxLength: 8 }).map((p) => p.join('')),
);
const targetArb = fc.constantFrom(OUTSIDE, '../outside', '../../../../../../../../../outside', '..', '.', `${OUTSIDE}/keep`, 'dup');

interface EntrySpec {
  kind: 'file' | 'dir' | 'symlink';
  name: string;
  target: string;
  children: { kind: 'file' | 'symlink'; name: string; target: string }[];
}
const leafArb = fc.record({ kind: fc.constantFrom('file' as const, 'symlink' as const), name: nameArb, target: targetArb });
const entryArb: fc.Arbitrary<EntrySpec> = fc.record({
  kind: fc.constantFrom('file' as const, 'dir' as const, 'symlink' as const),
  name: nameArb,
  target: targetArb,
  children: fc.array(leafArb, { maxLength: 4 }),
});

const S_IFREG = 0o100644;
const S_IFDIR = 0o040755;
const S_IFLNK = 0o120777;

/** SL with one component: the whole target as text (slashes and all, as a hostile writer may). */
function sl(target: string): Uint8Array {
  const bytes = Buffer.from(target);
  return suEntry('SL', [0, 0, bytes.length, ...bytes]);
}

function rrFor(kind: 'file' | 'dir' | 'symlink', name: string, target: string): Uint8Array {
  const mode = kind === 'dir' ? S_IFDIR : kind === 'symlink' ? S_IFLNK : S_IFREG;
  const parts = [nm(Buffer.from(name, 'utf8')), px(mode)];
  if (kind === 'symlink') parts.push(sl(target));
  return concat(...parts);
}

/** An image: root at block 20, sub-directories from 21, one data block per file from 60. */
function craft(entries: EntrySpec[]): Uint8Array {
  const FILE_BLOCK = 60;
  const files: { block: number; data: Uint8Array }[] = [];
  let nextFile = FILE_BLOCK;
  const fileRecord = (kind: 'file' | 'symlink', isoName: string, name: string, target: string): RecordSpec => {
    const block = nextFile++;
    files.push({ block, data: Buffer.from(`data of ${isoName}\n`) });
    return { name: isoName, extent: block, size: kind === 'file' ? 16 : 0, flags: 0, systemUse: rrFor(kind, name, target) };
  };
  const rootRecords: RecordSpec[] = [
    { name: '\0', extent: 20, size: 2048, flags: 2, systemUse: rockRidgeRoot() },
    { name: '\x01', extent: 20, size: 2048, flags: 2 },
  ];
  const directories: { block: number; records: RecordSpec[] }[] = [{ block: 20, records: rootRecords }];
  entries.forEach((entry, i) => {
    const isoName = `E${i}`;
    if (entry.kind !== 'dir') {
      rootRecords.push(fileRecord(entry.kind, `${isoName}.;1`, entry.name, entry.target));
      return;
    }
    const block = 21 + i;
    rootRecords.push({ name: isoName, extent: block, size: 2048, flags: 2, systemUse: rrFor('dir', entry.name, '') });
    const records: RecordSpec[] = [
      { name: '\0', extent: block, size: 2048, flags: 2 },
      { name: '\x01', extent: 20, size: 2048, flags: 2 },
    ];
    entry.children.forEach((child, j) => records.push(fileRecord(child.kind, `C${i}_${j}.;1`, child.name, child.target)));
    directories.push({ block, records });
  });
  return buildIso({ sectors: FILE_BLOCK + 40, rootExtent: 20, directories, files });
}

/** Every path under `root`, not following symlinks. */
function listTree(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      out.push(path);
      if (lstatSync(path).isDirectory()) visit(path);
    }
  };
  visit(root);
  return out.sort();
}

let run = 0;

describe('fuzz: extraction stays inside its destination', () => {
  it('crafted Rock Ridge names and symlinks never place anything outside dest', async () => {
    let extractedSomething = 0;
    let renamed = 0;
    await checkAsync(fc.array(entryArb, { minLength: 1, maxLength: 8 }), async (entries) => {
      const base = join(work, `r${run++}`);
      const dest = join(base, ...DEPTH, 'dest');
      mkdirSync(join(base, ...DEPTH), { recursive: true });
      const outsideBase = (p: string): boolean => p !== base && !p.startsWith(`${base}/`);
      const before = listTree(work).filter(outsideBase);
      try {
        const image = craft(entries);
        const source = createMemorySource(image);
        const reader = await openIso9660(source);
        // Sanity: the hostile names reach the extractor as names.
        for await (const _ of walkTree(reader)) void _;
        const report = await typedAsync('extractTree', () => extractTree(source, reader, '/', dest), [], 5000);
        if (report && report.files + report.symlinks + report.directories > 0) extractedSomething++;
        if (report && report.renamed.length > 0) renamed++;
        // Only the chain of directories leading to dest, and dest's own contents, under base.
        const chain = DEPTH.map((_, i) => join(base, ...DEPTH.slice(0, i + 1)));
        const stray = listTree(base).filter((p) => !chain.includes(p) && p !== dest && !p.startsWith(`${dest}/`));
        expect(stray).toEqual([]);
        // Nothing changed elsewhere in the scratch tree, and the sentinel file is intact.
        expect(listTree(work).filter(outsideBase)).toEqual(before);
        expect(readFileSync(join(OUTSIDE, 'keep'), 'utf8')).toBe('untouched');
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    }, 0.3);
    // The hostile names did reach the extractor (it had to rename some) and files were written.
    expect(extractedSomething).toBeGreaterThan(0);
    expect(renamed).toBeGreaterThan(0);
  }, PROPERTY_TIMEOUT_MS);
});
