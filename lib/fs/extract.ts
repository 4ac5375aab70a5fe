/**
 * Copies files or whole trees out of a filesystem onto the local disk, for an archivist: keep
 * everything that can be read (unreadable sectors become zeros and are reported), keep times
 * and permission bits, and never write outside the destination whatever the names on the
 * volume say: no '..', no '/', no writing through a symlink made earlier.
 */

import { constants } from 'node:fs';
import { chmod, lstat, lutimes, mkdir, open, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { DiscError, FormatError } from '../errors.js';
import type { SectorSource } from '../sources/sector-source.js';
import { FsReadError, readBytes } from './read-bytes.js';
import type { FileSystemReader, FsNode } from './types.js';
import { findNode } from './walk.js';
import type { ByteRange } from './deep-verify.js';

export interface ExtractOptions {
  /** Apply POSIX permission bits from the volume (masked to 0o777). Default true. */
  modes?: boolean;
  /** Stop after this many nodes (default 1,000,000). */
  maxNodes?: number;
  signal?: AbortSignal;
  /** Called after each file is written. */
  onFile?: (path: string, bytes: number) => void;
}

export interface ExtractReport {
  files: number;
  directories: number;
  symlinks: number;
  /** Bytes of file data written (zeros for unreadable sectors included). */
  bytes: number;
  /** Files written with zeros where the source could not be read: file-relative byte ranges. */
  damaged: { path: string; ranges: ByteRange[] }[];
  /** Names changed to stay inside the destination. */
  renamed: { path: string; as: string }[];
  /** Nodes not written, and why (duplicates, devices, errors). */
  skipped: { path: string; reason: string }[];
}

/** Bytes read per request. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Extracts the node at `path` of `reader` (reading data from `source`) to `dest`. A directory's
 * contents go into `dest` (created when absent); a file or symlink goes to `dest`, or into it
 * when `dest` is an existing directory. Existing files are never overwritten.
 */
export async function extractTree(
  source: SectorSource, reader: FileSystemReader, path: string, dest: string, options: ExtractOptions = {},
): Promise<ExtractReport> {
  const node = await findNode(reader, path);
  if (!node) throw new FormatError(`${path}: no such file or directory on the volume`);
  const report: ExtractReport = { files: 0, directories: 0, symlinks: 0, bytes: 0, damaged: [], renamed: [], skipped: [] };
  const ctx: Context = { source, reader, options, report, maxNodes: options.maxNodes ?? 1_000_000, nodes: 0 };
  if (node.kind === 'directory') {
    // A destination that existed is the user's: its own mode and times stay as they are.
    const existed = (await lstat(dest).catch(() => undefined)) !== undefined;
    if (!existed) await mkdir(dest, { recursive: true, mode: 0o700 });
    await requireDirectory(dest);
    await extractDirectory(ctx, node, dest, !existed);
    return report;
  }
  let target = dest;
  const existing = await lstat(dest).catch(() => undefined);
  if (existing?.isDirectory()) target = join(dest, safeName(ctx, node));
  await extractLeaf(ctx, node, target);
  return report;
}

interface Context {
  source: SectorSource;
  reader: FileSystemReader;
  options: ExtractOptions;
  report: ExtractReport;
  maxNodes: number;
  nodes: number;
}

interface PendingDirectory {
  node: FsNode;
  local: string;
  /** Entries not yet handled; undefined until read. */
  entries: FsNode[] | undefined;
  next: number;
}

/** Depth-first with an explicit stack; a directory's mode and times are set after its contents. */
async function extractDirectory(ctx: Context, top: FsNode, local: string, finishTop: boolean): Promise<void> {
  const stack: PendingDirectory[] = [{ node: top, local, entries: undefined, next: 0 }];
  const seen = new Set<string>([top.id]);
  while (stack.length > 0) {
    ctx.options.signal?.throwIfAborted();
    const frame = stack[stack.length - 1]!;
    if (frame.entries === undefined) {
      try {
        frame.entries = await ctx.reader.readDir(frame.node);
      } catch (error) {
        ctx.report.skipped.push({ path: frame.node.path, reason: `directory unreadable: ${message(error)}` });
        frame.entries = [];
      }
      frame.next = 0;
      ctx.report.directories++;
    }
    if (frame.next >= frame.entries.length) {
      stack.pop();
      if (stack.length > 0 || finishTop) await finishNode(ctx, frame.node, frame.local);
      continue;
    }
    const entry = frame.entries[frame.next++]!;
    if (++ctx.nodes > ctx.maxNodes) {
      ctx.report.skipped.push({ path: entry.path, reason: `more than ${ctx.maxNodes} nodes; stopped` });
      frame.next = frame.entries.length;
      stack.length = 0;
      break;
    }
    const target = join(frame.local, safeName(ctx, entry));
    if (entry.kind !== 'directory') {
      await extractLeaf(ctx, entry, target);
      continue;
    }
    if (seen.has(entry.id)) {
      ctx.report.skipped.push({ path: entry.path, reason: 'the directory was already extracted (a loop or a directory hard link)' });
      continue;
    }
    try {
      await mkdir(target, { mode: 0o700 });
      await requireDirectory(target);
    } catch (error) {
      ctx.report.skipped.push({ path: entry.path, reason: duplicateOr(error) });
      continue;
    }
    seen.add(entry.id);
    stack.push({ node: entry, local: target, entries: undefined, next: 0 });
  }
}

/** A file, symlink or special node. */
async function extractLeaf(ctx: Context, node: FsNode, target: string): Promise<void> {
  try {
    if (node.kind === 'symlink') {
      if (node.linkTarget === undefined || node.linkTarget.includes('\0')) {
        ctx.report.skipped.push({ path: node.path, reason: 'symbolic link without a usable target' });
        return;
      }
      // The target is stored as text only; nothing is ever written through it.
      await symlink(node.linkTarget, target);
      ctx.report.symlinks++;
      await finishNode(ctx, node, target);
      return;
    }
    if (node.kind !== 'file') {
      ctx.report.skipped.push({ path: node.path, reason: `${node.kind} nodes are not created` });
      return;
    }
    await writeFileData(ctx, node, target);
    ctx.report.files++;
    await finishNode(ctx, node, target);
  } catch (error) {
    ctx.report.skipped.push({ path: node.path, reason: duplicateOr(error) });
  }
}

async function writeFileData(ctx: Context, node: FsNode, target: string): Promise<void> {
  // O_EXCL refuses existing names (duplicates, earlier runs); O_NOFOLLOW refuses symlinks.
  const handle = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  const damaged: ByteRange[] = [];
  const source = ctx.source;
  const sourceEnd = (source.firstLba + source.sectorCount) * source.sectorSize;
  let written = 0;
  try {
    if (node.inline && node.extents.length === 0) {
      const data = node.inline.subarray(0, node.size);
      await handle.write(data, 0, data.length, 0);
      written = data.length;
    }
    for (const extent of node.extents) {
      // Bytes past the end of the source are left as a hole (zeros) instead of being read and
      // written: a hostile size field must not fill the disk.
      const readable = Math.max(0, Math.min(extent.length, sourceEnd - extent.start));
      let done = 0;
      while (done < readable) {
        ctx.options.signal?.throwIfAborted();
        const length = Math.min(CHUNK_BYTES, readable - done);
        const data = await readTolerant(source, extent.start + done, length, written, damaged);
        await handle.write(data, 0, data.length, written);
        written += data.length;
        done += length;
      }
      if (readable < extent.length) {
        addRange(damaged, written, extent.length - readable);
        written += extent.length - readable;
        await handle.truncate(written);
      }
    }
  } finally {
    await handle.close();
  }
  ctx.report.bytes += written;
  if (damaged.length > 0) ctx.report.damaged.push({ path: node.path, ranges: damaged });
  ctx.options.onFile?.(node.path, written);
}

/**
 * Reads a chunk; when that fails, sector by sector, with zeros for what stays unreadable
 * (recorded in `damaged` at file offset `fileOffset` + …).
 */
async function readTolerant(source: SectorSource, start: number, length: number, fileOffset: number, damaged: ByteRange[]): Promise<Uint8Array> {
  try {
    return await readBytes(source, start, length);
  } catch (error) {
    if (!(error instanceof FsReadError)) throw error;
  }
  const out = new Uint8Array(length);
  const size = source.sectorSize;
  let at = start;
  while (at < start + length) {
    const next = Math.min(start + length, (Math.floor(at / size) + 1) * size);
    try {
      out.set(await readBytes(source, at, next - at), at - start);
    } catch (error) {
      if (!(error instanceof FsReadError)) throw error;
      addRange(damaged, fileOffset + (at - start), next - at);
    }
    at = next;
  }
  return out;
}

/** Appends a range, merged with the last one when they touch. */
function addRange(ranges: ByteRange[], start: number, length: number): void {
  const last = ranges[ranges.length - 1];
  if (last && last.start + last.length === start) last.length += length;
  else ranges.push({ start, length });
}

/** Mode and times, never following a symlink. */
async function finishNode(ctx: Context, node: FsNode, local: string): Promise<void> {
  const mtime = node.mtime;
  const atime = node.atime ?? mtime;
  try {
    if (node.kind === 'symlink') {
      if (mtime && atime) await lutimes(local, atime, mtime);
      return;
    }
    if (ctx.options.modes !== false && node.mode !== undefined) await chmod(local, node.mode & 0o777);
    else if (node.kind === 'directory') await chmod(local, 0o755);
    if (mtime && atime) await utimes(local, atime, mtime);
  } catch (error) {
    ctx.report.skipped.push({ path: node.path, reason: `times or mode not set: ${message(error)}` });
  }
}

/** The node's name made into one safe path component; renames are reported. */
function safeName(ctx: Context, node: FsNode): string {
  let name = node.name.replace(/[/\0]/gu, '_');
  if (name === '' || name === '.' || name === '..') name = `_${name}`;
  if (Buffer.byteLength(name) > 255) name = Buffer.from(name).subarray(0, 240).toString('utf8').replace(/\uFFFD+$/u, '') + '_';
  if (name !== node.name) ctx.report.renamed.push({ path: node.path, as: name });
  return name;
}

async function requireDirectory(path: string): Promise<void> {
  const stat = await lstat(path);
  if (!stat.isDirectory()) throw new DiscError(`${path} is not a directory`);
}

function duplicateOr(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EEXIST') return 'the name exists already (a duplicate name on the volume, or an earlier extraction): not overwritten';
  if (code === 'ELOOP') return 'the destination is a symbolic link: not written through';
  return message(error);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
