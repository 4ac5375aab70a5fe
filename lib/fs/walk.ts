/**
 * A bounded, iterative walk over any FileSystemReader, breadth first (the order `isoinfo -f`
 * lists a volume in), and path lookup. A directory reached a second time (a loop, or a
 * directory hard link) is reported once and not read again.
 */

import type { FileSystemReader, FsNode } from './types.js';

export interface WalkStep {
  /** The directory read in this step. */
  dir: FsNode;
  /** Its entries, or undefined when reading failed (see `error`) or it was seen before. */
  entries: FsNode[] | undefined;
  error?: unknown;
  /** The directory's id was already walked: not read again. */
  revisit?: boolean;
}

export interface WalkOptions {
  /** Stop after this many nodes in all (default 1,000,000). */
  maxNodes?: number;
  /** Start here instead of the root. */
  start?: FsNode;
  signal?: AbortSignal;
}

/** Yields each directory with its entries, breadth first; `truncated` is set when maxNodes stopped it. */
export async function* walkTree(reader: FileSystemReader, options: WalkOptions = {}): AsyncGenerator<WalkStep, { truncated: boolean }> {
  const maxNodes = options.maxNodes ?? 1_000_000;
  const start = options.start ?? (await reader.root());
  const seen = new Set<string>();
  const queue: FsNode[] = [start];
  let nodes = 1;
  let head = 0;
  while (head < queue.length) {
    options.signal?.throwIfAborted();
    const dir = queue[head++]!;
    // The queue holds what is still to do; drop what is done so a huge walk does not keep it all.
    if (head > 4096) {
      queue.splice(0, head);
      head = 0;
    }
    if (seen.has(dir.id)) {
      yield { dir, entries: undefined, revisit: true };
      continue;
    }
    seen.add(dir.id);
    let entries: FsNode[];
    try {
      entries = await reader.readDir(dir);
    } catch (error) {
      yield { dir, entries: undefined, error };
      continue;
    }
    if (nodes + entries.length > maxNodes) {
      yield { dir, entries: entries.slice(0, Math.max(0, maxNodes - nodes)) };
      return { truncated: true };
    }
    nodes += entries.length;
    yield { dir, entries };
    for (const entry of entries) if (entry.kind === 'directory') queue.push(entry);
  }
  return { truncated: false };
}

/**
 * Finds the node at `path` ('/'-separated). A component matches a name exactly, else without an
 * ISO 9660 version suffix (';1') and trailing dot, else case-insensitively. Undefined when absent.
 */
export async function findNode(reader: FileSystemReader, path: string): Promise<FsNode | undefined> {
  let node = await reader.root();
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length > 4096) return undefined;
  for (const part of parts) {
    if (node.kind !== 'directory') return undefined;
    const entries = await reader.readDir(node);
    const bare = (name: string): string => name.replace(/;\d*$/u, '').replace(/\.$/u, '');
    const match = entries.find((e) => e.name === part) ??
      entries.find((e) => bare(e.name) === bare(part)) ??
      entries.find((e) => bare(e.name).toLowerCase() === bare(part).toLowerCase());
    if (!match) return undefined;
    node = match;
  }
  return node;
}
