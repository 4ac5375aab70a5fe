/** `verify`: is an image as long as its filesystems say (isolyzer's test, made strict). */

import { readFile } from 'node:fs/promises';
import { deepVerify, type DeepVerifyReport } from '../../fs/deep-verify.js';
import { openFileSystems, openImageAt } from '../../fs/open.js';
import { checkImageSize, type ImageSizeCheck } from '../../fs/size-check.js';
import { readMapfile } from '../../rescue/mapfile.js';
import { printJson, type CliContext } from '../io.js';
import { verifyRawCommand } from './verify-raw.js';

export interface VerifyCommandOptions {
  image: string;
  /** LBA of the image's first sector on the disc. */
  offset: number | undefined;
  /** Rescue mapfile: its unfinished areas name the damaged files (filled in by the deep check). */
  mapfile: string | undefined;
  json: boolean;
}

/** The JSON document of `verify --json`: isolyzer's `tests` names at the top. */
export interface VerifyReport extends ImageSizeCheck {
  image: string;
  mapfile: string | null;
  /** Deep verification: every directory tree walked, every extent checked, damaged files listed. */
  deep: DeepCheck[];
}

/** The deep check of one filesystem. */
export interface DeepCheck extends Partial<DeepVerifyReport> {
  fileSystem: string;
  at: number;
  /** The volume could not be opened for the walk. */
  error?: string;
}

/**
 * Exit 0 when the image holds a known filesystem and is not smaller than it should be, 1 when
 * it is smaller or nothing could be recognised.
 */
export async function verifyCommand(ctx: CliContext, o: VerifyCommandOptions): Promise<number> {
  // A BIN/CUE (or cdrdao TOC) image: raw sector verification of every data track.
  if (/\.(cue|toc)$/iu.test(o.image)) return verifyRawCommand(ctx, { cue: o.image, json: o.json });
  const check = await checkImageSize(o.image, o.offset === undefined ? {} : { offset: o.offset });
  const badRanges = o.mapfile === undefined ? undefined : await unfinishedRanges(o.mapfile);
  const deep = await deepChecks(o.image, check, o.offset, badRanges);
  const report: VerifyReport = { image: o.image, ...check, mapfile: o.mapfile ?? null, deep };
  const ok = check.containsKnownFileSystem && !check.smallerThanExpected && deep.every((d) => d.error === undefined && d.ok !== false);
  if (o.json) {
    printJson(ctx, report);
    return ok ? 0 : 1;
  }
  const w = (line: string): void => void ctx.stdout.write(`${line}\n`);
  w(`${o.image}: ${check.sizeActual} bytes`);
  if (!check.containsKnownFileSystem) w('  no known filesystem (ISO 9660, UDF, HFS, HFS+) found');
  for (const v of check.volumes) {
    const label = v.label ? ` "${v.label}"` : '';
    w(`  ${v.name}${label} at byte ${v.at}: needs ${v.sizeRequired} bytes (${v.rule})${v.complete ? '' : ' — MISSING DATA'}`);
  }
  const sectors = Number.isInteger(check.sizeDifferenceSectors) ? String(check.sizeDifferenceSectors) : check.sizeDifferenceSectors.toFixed(3);
  w(`  expected ${check.sizeExpected} bytes, difference ${check.sizeDifference} bytes (${sectors} sectors)`);
  for (const warning of check.warnings) w(`  warning: ${warning.message}`);
  for (const d of deep) printDeep(w, d);
  w(verdict(check, deep));
  return ok ? 0 : 1;
}

function verdict(check: ImageSizeCheck, deep: DeepCheck[]): string {
  if (!check.containsKnownFileSystem) return 'UNKNOWN: nothing to compare the size with';
  if (check.smallerThanExpected) return `INCOMPLETE: ${-check.sizeDifference} bytes missing`;
  const damaged = deep.reduce((n, d) => n + (d.damagedFiles?.length ?? 0), 0);
  if (damaged > 0) return `DAMAGED: ${damaged} file(s) contain unreadable sectors`;
  if (deep.some((d) => d.error !== undefined || (d.problems?.length ?? 0) > 0)) return 'PROBLEMS: the filesystem structures are inconsistent (see above)';
  if (check.sizeAsExpected) return 'COMPLETE: exactly the expected size';
  return `COMPLETE: ${check.sizeDifference} bytes more than expected (padding or trailing descriptors)`;
}

/** Byte ranges of the image that a rescue mapfile does not call finished. */
async function unfinishedRanges(path: string): Promise<Array<{ start: number; length: number }>> {
  const { map } = readMapfile(await readFile(path, 'utf8'), { fileName: path });
  return [...map.ranges('?*/-')].map((range) => ({ start: range.pos, length: range.size }));
}

/** Walks every filesystem the size check found (a file beyond the image or unreadable is a problem). */
async function deepChecks(
  image: string,
  check: ImageSizeCheck,
  offset: number | undefined,
  badRanges: Array<{ start: number; length: number }> | undefined,
): Promise<DeepCheck[]> {
  const source = await openImageAt(image, offset);
  try {
    const checks: DeepCheck[] = [];
    for (const opened of await openFileSystems(source, check.volumes, offset)) {
      if (!opened.reader) {
        checks.push({ fileSystem: opened.name, at: opened.at, error: opened.error ?? 'cannot be opened' });
        continue;
      }
      // Extents are disc addresses: the image ends at its first sector's address plus its size.
      const base = source.firstLba * source.sectorSize;
      const sourceBytes = base + source.sizeBytes;
      // A mapfile counts from the image's first byte.
      const shifted = badRanges?.map((r) => ({ start: r.start + base, length: r.length }));
      const report = await deepVerify(opened.reader, { sourceBytes, ...(shifted ? { badRanges: shifted } : {}) });
      checks.push({ fileSystem: opened.name, at: opened.at, ...report });
    }
    return checks;
  } finally {
    await source.close();
  }
}

function printDeep(w: (line: string) => void, d: DeepCheck): void {
  if (d.error !== undefined) {
    w(`  ${d.fileSystem}: cannot walk the tree: ${d.error}`);
    return;
  }
  w(`  ${d.fileSystem}: ${d.directories} directories, ${d.files} files, ${d.bytes} bytes of file data walked`);
  for (const p of (d.problems ?? []).slice(0, 20)) w(`    problem: ${p.message}`);
  if ((d.problems?.length ?? 0) > 20) w(`    … ${d.problems!.length - 20} more problems`);
  for (const f of (d.damagedFiles ?? []).slice(0, 50)) {
    w(`    damaged: ${f.path}: ${f.damagedBytes} of ${f.size} bytes (${f.ranges.map((r) => `bytes ${r.start}-${r.start + r.length - 1}`).join(', ')})`);
  }
  if ((d.damagedFiles?.length ?? 0) > 50) w(`    … ${d.damagedFiles!.length - 50} more damaged files`);
}
