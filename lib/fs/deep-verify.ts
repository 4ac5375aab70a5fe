/**
 * Deep verification of a filesystem on a (possibly damaged) image: every directory is read,
 * every extent checked against the image, loops and cross-linked data found, and each file
 * touching an unfinished area of a rescue is listed with the byte ranges of the file that are
 * affected. Works on any FileSystemReader.
 */

import type { FileSystemReader, FsExtent, FsNode, FsWarning } from './types.js';
import { walkTree } from './walk.js';

export interface ByteRange {
  start: number;
  length: number;
}

export interface DeepVerifyOptions {
  /** Size of the image in bytes: extents must end inside it. */
  sourceBytes: number;
  /** Sector size of mapfile positions (default 2048); bad ranges are widened to whole sectors. */
  sectorSize?: number;
  /** Byte ranges of the image that are not rescued ('-', '*', '/', '?' in a mapfile). */
  badRanges?: ByteRange[];
  /** Stop after this many nodes (default 1,000,000). */
  maxNodes?: number;
  /** Stop listing problems after this many (default 10,000). */
  maxProblems?: number;
  signal?: AbortSignal;
}

export type DeepVerifyProblemCode =
  | 'extent-outside-image'
  | 'loop'
  | 'cross-link'
  | 'unreadable-directory'
  | 'damaged-directory'
  | 'too-many-nodes';

export interface DeepVerifyProblem {
  code: DeepVerifyProblemCode;
  message: string;
  path: string;
  /** The other node of a cross-link. */
  otherPath?: string;
}

export interface DamagedFile {
  path: string;
  size: number;
  /** Byte ranges of the file's data (offsets within the file) lying in bad areas, merged, in order. */
  ranges: ByteRange[];
  damagedBytes: number;
}

export interface DeepVerifyReport {
  directories: number;
  /** Every node that is not a directory. */
  files: number;
  /** Sum of the sizes of regular files. */
  bytes: number;
  problems: DeepVerifyProblem[];
  /** The reader's warnings (when it keeps a `warnings` list) and the walk's own. */
  warnings: FsWarning[];
  damagedFiles: DamagedFile[];
  /** No problems and no damaged files. */
  ok: boolean;
}

interface Claim {
  start: number;
  end: number;
  node: FsNode;
}

/** Walks the whole tree of `reader`; see DeepVerifyReport. */
export async function deepVerify(reader: FileSystemReader, options: DeepVerifyOptions): Promise<DeepVerifyReport> {
  const sourceBytes = options.sourceBytes;
  if (!Number.isSafeInteger(sourceBytes) || sourceBytes < 0) throw new RangeError(`Expected "sourceBytes" to be a byte count, got ${sourceBytes}`);
  const sectorSize = options.sectorSize ?? 2048;
  const maxProblems = options.maxProblems ?? 10_000;
  const bad = normalizeRanges(options.badRanges ?? [], sectorSize);
  const report: DeepVerifyReport = { directories: 0, files: 0, bytes: 0, problems: [], warnings: [], damagedFiles: [], ok: true };
  let dropped = 0;
  const problem = (p: DeepVerifyProblem): void => {
    if (report.problems.length < maxProblems) report.problems.push(p);
    else dropped++;
  };
  const claims: Claim[] = [];
  const seenDirectories = new Map<string, string>();

  const check = (node: FsNode): void => {
    const inside: FsExtent[] = [];
    for (const extent of node.extents) {
      if (extent.length === 0) continue;
      if (extent.start < 0 || extent.start + extent.length > sourceBytes) {
        problem({
          code: 'extent-outside-image',
          message: `bytes ${extent.start}–${extent.start + extent.length - 1} lie outside the image of ${sourceBytes} bytes`,
          path: node.path,
        });
        continue;
      }
      inside.push(extent);
      claims.push({ start: extent.start, end: extent.start + extent.length, node });
    }
    const ranges = damagedRanges(node.extents, bad);
    if (ranges.length === 0) return;
    if (node.kind === 'directory') {
      problem({ code: 'damaged-directory', message: 'the directory lies partly in unrescued sectors; entries may be missing', path: node.path });
    } else {
      report.damagedFiles.push({ path: node.path, size: node.size, ranges, damagedBytes: ranges.reduce((n, r) => n + r.length, 0) });
    }
  };

  const root = await reader.root();
  report.directories++;
  check(root);
  const walk = walkTree(reader, { start: root, ...(options.maxNodes === undefined ? {} : { maxNodes: options.maxNodes }), ...(options.signal ? { signal: options.signal } : {}) });
  for (;;) {
    const step = await walk.next();
    if (step.done) {
      if (step.value.truncated) problem({ code: 'too-many-nodes', message: `the walk stopped after ${options.maxNodes ?? 1_000_000} nodes`, path: '/' });
      break;
    }
    const { dir, entries, error } = step.value;
    if (step.value.revisit) continue;
    if (error !== undefined) {
      problem({ code: 'unreadable-directory', message: error instanceof Error ? error.message : String(error), path: dir.path });
      continue;
    }
    seenDirectories.set(dir.id, dir.path);
    for (const entry of entries ?? []) {
      if (entry.kind === 'directory') {
        const earlier = seenDirectories.get(entry.id);
        if (earlier !== undefined || entry.id === dir.id) {
          problem({ code: 'loop', message: `the directory is reached again (first seen at ${earlier ?? dir.path})`, path: entry.path, otherPath: earlier ?? dir.path });
          continue;
        }
        seenDirectories.set(entry.id, entry.path);
        report.directories++;
      } else {
        report.files++;
        if (entry.kind === 'file') report.bytes += entry.size;
      }
      check(entry);
    }
  }
  findCrossLinks(claims, problem);
  const readerWarnings = (reader as { warnings?: unknown }).warnings;
  if (Array.isArray(readerWarnings)) report.warnings.push(...(readerWarnings as FsWarning[]));
  if (dropped > 0) report.warnings.push({ code: 'DEEP_VERIFY_PROBLEMS_DROPPED', message: `${dropped} more problems were not listed` });
  report.ok = report.problems.length === 0 && report.damagedFiles.length === 0;
  return report;
}

/**
 * Overlapping claims of different nodes. Hard links are not cross-links: the same extents
 * claimed by nodes with a link count above 1, or by nodes with the same id.
 */
function findCrossLinks(claims: Claim[], problem: (p: DeepVerifyProblem) => void): void {
  claims.sort((a, b) => a.start - b.start || a.end - b.end);
  const reported = new Set<string>();
  let widest: Claim | undefined;
  for (const claim of claims) {
    if (widest && claim.start < widest.end && claim.node !== widest.node && !sameObject(claim.node, widest.node)) {
      const key = `${widest.node.path}\0${claim.node.path}`;
      if (!reported.has(key)) {
        reported.add(key);
        problem({
          code: 'cross-link',
          message: `shares bytes ${claim.start}–${Math.min(claim.end, widest.end) - 1} with ${widest.node.path}`,
          path: claim.node.path,
          otherPath: widest.node.path,
        });
      }
    }
    if (!widest || claim.end > widest.end) widest = claim;
  }
}

function sameObject(a: FsNode, b: FsNode): boolean {
  if (a.id === b.id) return true;
  if ((a.nlink ?? 1) > 1 && (b.nlink ?? 1) > 1 && a.kind === b.kind && a.extents.length === b.extents.length) {
    return a.extents.every((e, i) => e.start === b.extents[i]!.start && e.length === b.extents[i]!.length);
  }
  return false;
}

/** Sorted, merged, widened to whole sectors. */
function normalizeRanges(ranges: ByteRange[], sectorSize: number): ByteRange[] {
  const widened = ranges
    .filter((r) => r.length > 0)
    .map((r) => {
      const start = Math.floor(r.start / sectorSize) * sectorSize;
      const end = Math.ceil((r.start + r.length) / sectorSize) * sectorSize;
      return { start, length: end - start };
    })
    .sort((a, b) => a.start - b.start);
  const merged: ByteRange[] = [];
  for (const r of widened) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.start + last.length) last.length = Math.max(last.length, r.start + r.length - last.start);
    else merged.push({ ...r });
  }
  return merged;
}

/** File-relative ranges of `extents` that fall into `bad` (which must be sorted and not overlap); merged, in file order. */
export function damagedRanges(extents: FsExtent[], bad: ByteRange[]): ByteRange[] {
  const out: ByteRange[] = [];
  let fileOffset = 0;
  for (const extent of extents) {
    const end = extent.start + extent.length;
    // Binary search for the first bad range that may overlap.
    let lo = 0;
    let hi = bad.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bad[mid]!.start + bad[mid]!.length <= extent.start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < bad.length && bad[i]!.start < end; i++) {
      const from = Math.max(extent.start, bad[i]!.start);
      const to = Math.min(end, bad[i]!.start + bad[i]!.length);
      if (to <= from) continue;
      const start = fileOffset + (from - extent.start);
      const last = out[out.length - 1];
      if (last && last.start + last.length === start) last.length += to - from;
      else out.push({ start, length: to - from });
    }
    fileOffset += extent.length;
  }
  return out;
}
