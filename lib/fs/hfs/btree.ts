/**
 * What HFS and HFS+ share: fork extents (allocation-block runs) mapped to byte extents, and
 * the B-tree node format (a 14-byte descriptor, records located by offsets at the node's end).
 */

import { FormatError } from '../../errors.js';
import { readBe16, readBe32 } from '../../scsi/bytes.js';
import type { SectorSource } from '../../sources/sector-source.js';
import { readBytes } from '../read-bytes.js';
import type { FsExtent, FsWarning } from '../types.js';

/** A run of allocation blocks. */
export interface BlockRun {
  startBlock: number;
  blockCount: number;
}

/** How allocation blocks map to bytes on the source. */
export interface AllocationGeometry {
  /** Absolute byte address of allocation block 0. */
  firstBlockByte: number;
  blockSize: number;
  totalBlocks: number;
}

/** Largest number of nodes walked in one tree: beyond it the tree is corrupt (or loops). */
export const MAX_NODES = 1 << 20;

/**
 * The byte extents of `length` bytes of a fork stored in `runs`. Runs outside the volume or
 * too short for the length produce a warning and a shorter list, not an exception.
 */
export function forkExtents(geometry: AllocationGeometry, runs: BlockRun[], length: number, warnings: FsWarning[], what: string): FsExtent[] {
  const extents: FsExtent[] = [];
  let left = length;
  for (const run of runs) {
    if (left <= 0) break;
    if (run.blockCount === 0) continue;
    if (run.startBlock + run.blockCount > geometry.totalBlocks) {
      warnings.push({ code: 'hfs-extent-range', message: `${what}: blocks ${run.startBlock}+${run.blockCount} lie past the volume's ${geometry.totalBlocks} blocks` });
      break;
    }
    const bytes = Math.min(left, run.blockCount * geometry.blockSize);
    const start = geometry.firstBlockByte + run.startBlock * geometry.blockSize;
    const last = extents[extents.length - 1];
    if (last !== undefined && last.start + last.length === start) last.length += bytes;
    else extents.push({ start, length: bytes });
    left -= bytes;
  }
  if (left > 0) warnings.push({ code: 'hfs-fork-short', message: `${what}: the extents hold ${length - left} of ${length} bytes` });
  return extents;
}

/** Reads `length` bytes at `offset` of a fork laid out in `extents`. */
export async function readFork(source: SectorSource, extents: FsExtent[], offset: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  let base = 0;
  for (const extent of extents) {
    if (done >= length) break;
    const from = offset + done;
    if (from < base + extent.length) {
      const inside = from - base;
      const take = Math.min(extent.length - inside, length - done);
      out.set(await readBytes(source, extent.start + inside, take), done);
      done += take;
    }
    base += extent.length;
  }
  if (done < length) throw new FormatError(`bytes ${offset}–${offset + length - 1} lie past the end of the B-tree file`);
  return out;
}

export interface BtreeNode {
  kind: number;
  height: number;
  forward: number;
  records: Uint8Array[];
}

/** Splits a node into its records (offsets at the node's end, checked against the node). */
export function parseNode(node: Uint8Array): BtreeNode {
  const size = node.length;
  const count = readBe16(node, 10);
  if (count * 2 + 14 > size) throw new FormatError(`B-tree node claims ${count} records`);
  const kind = ((node[8] ?? 0) << 24) >> 24;
  const records: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const start = readBe16(node, size - 2 * (i + 1));
    const end = readBe16(node, size - 2 * (i + 2));
    if (start < 14 || end > size - 2 * (count + 1) || end < start) {
      throw new FormatError(`B-tree record ${i} has offsets ${start}–${end} outside its node`);
    }
    records.push(node.subarray(start, end));
  }
  return { kind, height: node[9] ?? 0, forward: readBe32(node, 0), records };
}

export interface BtreeHeader {
  depth: number;
  root: number;
  leafRecords: number;
  firstLeaf: number;
  lastLeaf: number;
  nodeSize: number;
  maxKeyLength: number;
  totalNodes: number;
  /** HFSX key comparison (0xBC binary, 0xCF case folding), 0 for HFS. */
  keyCompareType: number;
}

/** The node size recorded in the header node (its header record starts at byte 14 of node 0). */
export async function probeNodeSize(source: SectorSource, extents: FsExtent[]): Promise<number> {
  const start = await readFork(source, extents, 0, 34);
  if (start[8] !== 1) throw new FormatError('the B-tree header node is missing');
  return readBe16(start, 32);
}

/** Reads the header node (node 0) of a B-tree file; `nodeSize` is the size to read it with. */
export async function readBtreeHeader(source: SectorSource, extents: FsExtent[], nodeSize: number): Promise<BtreeHeader> {
  if (![512, 1024, 2048, 4096, 8192, 16384, 32768].includes(nodeSize)) throw new FormatError(`B-tree node size ${nodeSize} is not valid`);
  const first = await readFork(source, extents, 0, nodeSize);
  const node = parseNode(first);
  const rec = node.records[0];
  if (node.kind !== 1 || rec === undefined || rec.length < 32) throw new FormatError('the B-tree header node is missing');
  return {
    depth: readBe16(rec, 0),
    root: readBe32(rec, 2),
    leafRecords: readBe32(rec, 6),
    firstLeaf: readBe32(rec, 10),
    lastLeaf: readBe32(rec, 14),
    nodeSize: readBe16(rec, 18),
    maxKeyLength: readBe16(rec, 20),
    totalNodes: readBe32(rec, 22),
    keyCompareType: rec.length > 37 ? (rec[37] ?? 0) : 0,
  };
}

/**
 * Every leaf record in order, following the leaf chain from the first leaf. Bounded by the
 * node count: a loop or a node outside the file is a FormatError.
 */
export async function readLeafRecords(source: SectorSource, extents: FsExtent[], header: BtreeHeader): Promise<Uint8Array[]> {
  const { nodeSize } = header;
  if (![512, 1024, 2048, 4096, 8192, 16384, 32768].includes(nodeSize)) throw new FormatError(`B-tree node size ${nodeSize} is not valid`);
  const fileBytes = extents.reduce((n, e) => n + e.length, 0);
  const nodes = Math.min(Math.floor(fileBytes / nodeSize), MAX_NODES);
  const out: Uint8Array[] = [];
  const seen = new Set<number>();
  let next = header.firstLeaf;
  while (next !== 0) {
    if (next >= nodes || seen.has(next)) throw new FormatError(`B-tree leaf chain reaches node ${next} (of ${nodes}) twice or out of the file`);
    seen.add(next);
    const node = parseNode(await readFork(source, extents, next * nodeSize, nodeSize));
    if (node.kind !== -1) throw new FormatError(`B-tree node ${next} in the leaf chain is not a leaf`);
    out.push(...node.records);
    next = node.forward;
  }
  return out;
}

const MAC_EPOCH_OFFSET = 2082844800;

/** Seconds since 1904-01-01 as a Date (HFS+ counts in UTC, HFS in local time: read as UTC). Undefined for 0. */
export function macDate(seconds: number): Date | undefined {
  return seconds === 0 ? undefined : new Date((seconds - MAC_EPOCH_OFFSET) * 1000);
}

// MacRoman 0x80–0xFF.
const MAC_ROMAN_HIGH =
  'ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø¿¡¬√ƒ≈∆«»…\u00a0ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\uf8ffÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ';

/** MacRoman bytes as a string; HFS names may hold any byte but ':'. */
export function decodeMacRoman(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b < 0x80 ? String.fromCharCode(b) : MAC_ROMAN_HIGH[b - 0x80];
  return s;
}
