/**
 * HFS+ and HFSX volumes: the volume header at byte 1024, the catalog B-tree (node size from its
 * header node), UTF-16BE names; also when wrapped inside an HFS volume (drEmbedSigWord 'H+').
 */

import { FormatError } from '../../errors.js';
import { readBe16, readBe32 } from '../../scsi/bytes.js';
import type { SectorSource } from '../../sources/sector-source.js';
import { readBytes } from '../read-bytes.js';
import type { FileSystemReader, FsNode, FsNodeKind, FsWarning } from '../types.js';
import { forkExtents, macDate, probeNodeSize, readBtreeHeader, readFork, readLeafRecords, type AllocationGeometry, type BlockRun } from '../hfs/btree.js';
import { embeddedHfsPlus, groupCatalog, parseMdb, type CatalogEntry, type HfsNode } from '../hfs/hfs.js';

export const HFSPLUS_SIGNATURE = 0x482b;
export const HFSX_SIGNATURE = 0x4858;

export interface ForkData {
  logicalSize: number;
  totalBlocks: number;
  runs: BlockRun[];
}

export interface HfsPlusHeader {
  /** 'H+' or 'HX'. */
  signature: 'H+' | 'HX';
  version: number;
  attributes: number;
  lastMountedVersion: string;
  created: Date | undefined;
  modified: Date | undefined;
  fileCount: number;
  folderCount: number;
  blockSize: number;
  totalBlocks: number;
  freeBlocks: number;
  extentsFile: ForkData;
  catalogFile: ForkData;
}

function forkData(b: Uint8Array, at: number): ForkData {
  const high = readBe32(b, at);
  const runs: BlockRun[] = [];
  for (let i = 0; i < 8; i++) runs.push({ startBlock: readBe32(b, at + 16 + 8 * i), blockCount: readBe32(b, at + 20 + 8 * i) });
  return { logicalSize: high * 0x100000000 + readBe32(b, at + 4), totalBlocks: readBe32(b, at + 12), runs };
}

/** Parses a 512-byte volume header; undefined without 'H+'/'HX' or with an impossible block size. */
export function parseHfsPlusHeader(b: Uint8Array): HfsPlusHeader | undefined {
  if (b.length < 512) return undefined;
  const sig = readBe16(b, 0);
  if (sig !== HFSPLUS_SIGNATURE && sig !== HFSX_SIGNATURE) return undefined;
  const blockSize = readBe32(b, 40);
  // A power of two from 512 bytes (TN1150).
  if (blockSize < 512 || (blockSize & (blockSize - 1)) !== 0) return undefined;
  return {
    signature: sig === HFSPLUS_SIGNATURE ? 'H+' : 'HX',
    version: readBe16(b, 2),
    attributes: readBe32(b, 4),
    lastMountedVersion: String.fromCharCode(...b.subarray(8, 12)),
    created: macDate(readBe32(b, 16)),
    modified: macDate(readBe32(b, 20)),
    fileCount: readBe32(b, 32),
    folderCount: readBe32(b, 36),
    blockSize,
    totalBlocks: readBe32(b, 44),
    freeBlocks: readBe32(b, 48),
    extentsFile: forkData(b, 192),
    catalogFile: forkData(b, 272),
  };
}

export interface HfsPlusOpenOptions {
  /** Absolute byte address of the volume (or of its HFS wrapper). Default: the source's first byte. */
  start?: number;
}

export interface HfsPlusReader extends FileSystemReader {
  readonly type: 'hfsplus';
  readonly header: HfsPlusHeader;
  /** Absolute byte address of the HFS+ volume (inside the wrapper, if any). */
  readonly start: number;
  /** Absolute byte address of the HFS wrapper around it, when there is one. */
  readonly wrapperStart: number | undefined;
  readonly warnings: FsWarning[];
  root(): Promise<HfsNode>;
  readDir(dir: FsNode): Promise<HfsNode[]>;
}

/**
 * Finds the HFS+ volume header at `start` + 1024, or inside an HFS wrapper there. Returns the
 * header and the volume's absolute start, or undefined.
 */
export async function findHfsPlus(source: SectorSource, start: number): Promise<{ header: HfsPlusHeader; start: number; wrapperStart: number | undefined } | undefined> {
  let block: Uint8Array;
  try {
    block = await readBytes(source, start + 1024, 512);
  } catch {
    return undefined;
  }
  const header = parseHfsPlusHeader(block);
  if (header !== undefined) return { header, start, wrapperStart: undefined };
  const mdb = parseMdb(block);
  const embedded = mdb === undefined ? undefined : embeddedHfsPlus(mdb);
  if (embedded === undefined) return undefined;
  try {
    const inner = parseHfsPlusHeader(await readBytes(source, start + embedded.offset + 1024, 512));
    return inner === undefined ? undefined : { header: inner, start: start + embedded.offset, wrapperStart: start };
  } catch {
    return undefined;
  }
}

const MAX_CATALOG_RECORDS = 5_000_000;
const S_IFMT = 0o170000;


/**
 * Opens the HFS+/HFSX volume at `options.start` (directly or in an HFS wrapper) and reads its
 * catalog. Throws FormatError when there is none or the catalog is unusable.
 */
export async function openHfsPlus(source: SectorSource, options: HfsPlusOpenOptions = {}): Promise<HfsPlusReader> {
  const at = options.start ?? source.firstLba * source.sectorSize;
  const found = await findHfsPlus(source, at);
  if (found === undefined) throw new FormatError(`no HFS+ volume header at byte ${at + 1024}`);
  const { header, start } = found;
  const warnings: FsWarning[] = [];
  const geometry: AllocationGeometry = { firstBlockByte: start, blockSize: header.blockSize, totalBlocks: header.totalBlocks };
  const overflow = await readOverflow(source, geometry, header, warnings);
  const fork = (id: number, type: number, data: ForkData): BlockRun[] => [...data.runs, ...(overflow.get(`${id}:${type}`) ?? [])];
  const catalogExtents = forkExtents(geometry, fork(4, 0, header.catalogFile), header.catalogFile.logicalSize, warnings, 'catalog file');
  // The header node's own size field is what matters; read node 0 with the smallest size first.
  const btree = await readBtreeHeader(source, catalogExtents, await probeNodeSize(source, catalogExtents));
  const records = await readLeafRecords(source, catalogExtents, btree);
  const { childrenOf, root, rootName: label } = groupCatalog(records, MAX_CATALOG_RECORDS, (record) => parseRecord(record, geometry, fork, warnings), 'HFS+');
  return {
    type: 'hfsplus',
    label,
    header,
    start,
    wrapperStart: found.wrapperStart,
    warnings,
    root: async () => root,
    readDir: async (dir: FsNode) => {
      const out = childrenOf(dir);
      for (const node of out) {
        if (node.kind === 'symlink' && node.size > 0 && node.size <= 4096) {
          try {
            node.linkTarget = new TextDecoder().decode(await readFork(source, node.extents, 0, node.size));
          } catch (error) {
            if (!(error instanceof FormatError)) throw error;
          }
        }
      }
      return out;
    },
  };
}

/** Extents overflow records, by "fileId:forkType" (0 data, 0xFF resource), in key order. */
async function readOverflow(source: SectorSource, geometry: AllocationGeometry, header: HfsPlusHeader, warnings: FsWarning[]): Promise<Map<string, BlockRun[]>> {
  const out = new Map<string, BlockRun[]>();
  if (header.extentsFile.logicalSize === 0) return out;
  try {
    const extents = forkExtents(geometry, header.extentsFile.runs, header.extentsFile.logicalSize, warnings, 'extents overflow file');
    const btree = await readBtreeHeader(source, extents, await probeNodeSize(source, extents));
    if (btree.firstLeaf === 0) return out;
    for (const record of await readLeafRecords(source, extents, btree)) {
      const keyLength = readBe16(record, 0);
      if (keyLength < 10 || record.length < 2 + keyLength + 64) continue;
      const key = `${readBe32(record, 4)}:${record[2]}`;
      const runs: BlockRun[] = [];
      for (let i = 0; i < 8; i++) runs.push({ startBlock: readBe32(record, 2 + keyLength + 8 * i), blockCount: readBe32(record, 6 + keyLength + 8 * i) });
      out.set(key, [...(out.get(key) ?? []), ...runs]);
    }
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    warnings.push({ code: 'hfs-extents-file', message: `extents overflow file: ${error.message}` });
  }
  return out;
}

function utf16be(b: Uint8Array, at: number, chars: number): string {
  let s = '';
  for (let i = 0; i < chars; i++) s += String.fromCharCode(readBe16(b, at + 2 * i));
  // HFS+ stores names decomposed (NFD); present them composed, as macOS tools do.
  return s.normalize('NFC');
}

function kindOfMode(mode: number): FsNodeKind {
  switch (mode & S_IFMT) {
    case 0o120000: return 'symlink';
    case 0o020000: case 0o060000: return 'device';
    case 0o010000: return 'fifo';
    case 0o140000: return 'socket';
    default: return 'file';
  }
}

function parseRecord(
  record: Uint8Array,
  geometry: AllocationGeometry,
  fork: (id: number, type: number, data: ForkData) => BlockRun[],
  warnings: FsWarning[],
): CatalogEntry | undefined {
  const keyLength = readBe16(record, 0);
  if (keyLength < 6 || record.length < keyLength + 4) return undefined;
  const parent = readBe32(record, 2);
  const nameLength = Math.min(readBe16(record, 6), 255, Math.floor((keyLength - 6) / 2));
  const name = utf16be(record, 8, nameLength);
  const d = record.subarray(2 + keyLength);
  const type = readBe16(d, 0);
  const common = (cnid: number): Omit<HfsNode, 'path' | 'kind' | 'size' | 'extents'> => {
    const modeBits = readBe16(d, 42);
    const base: Omit<HfsNode, 'path' | 'kind' | 'size' | 'extents'> = {
      name, cnid, id: `hfsplus:${cnid}`,
      birthtime: macDate(readBe32(d, 12)), mtime: macDate(readBe32(d, 16)),
      ctime: macDate(readBe32(d, 20)), atime: macDate(readBe32(d, 24)),
    };
    // Permissions are valid only when the mode's type bits are set (TN1150).
    if ((modeBits & S_IFMT) !== 0) {
      base.mode = modeBits;
      base.uid = readBe32(d, 32);
      base.gid = readBe32(d, 36);
    }
    return base;
  };
  if (type === 1 && d.length >= 88) {
    const cnid = readBe32(d, 8);
    // The folder's valence (offset 4) counts its items; it is not a link count.
    return { parent, name, node: { ...common(cnid), kind: 'directory', size: 0, extents: [] } };
  }
  if (type === 2 && d.length >= 248) {
    const cnid = readBe32(d, 8);
    const data = forkData(d, 88);
    const resource = forkData(d, 168);
    const what = `file ${JSON.stringify(name)}`;
    const base = common(cnid);
    const node: Omit<HfsNode, 'path'> = {
      ...base,
      kind: base.mode === undefined ? 'file' : kindOfMode(base.mode),
      size: data.logicalSize,
      extents: forkExtents(geometry, fork(cnid, 0, data), data.logicalSize, warnings, what),
      fileType: String.fromCharCode(...d.subarray(48, 52)),
      creator: String.fromCharCode(...d.subarray(52, 56)),
      hidden: ((d[56] ?? 0) & 0x40) !== 0,
    };
    if (resource.logicalSize > 0) {
      node.resourceFork = { size: resource.logicalSize, extents: forkExtents(geometry, fork(cnid, 0xff, resource), resource.logicalSize, warnings, `${what} (resource fork)`) };
    }
    return { parent, name, node };
  }
  return undefined;
}
