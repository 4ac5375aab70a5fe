/**
 * HFS (Mac OS Standard) volumes: the Master Directory Block at byte 1024 of the volume, the
 * catalog B-tree (512-byte nodes) for the tree of files, MacRoman names.
 */

import { FormatError } from '../../errors.js';
import { readBe16, readBe32 } from '../../scsi/bytes.js';
import type { SectorSource } from '../../sources/sector-source.js';
import { readBytes } from '../read-bytes.js';
import type { FileSystemReader, FsExtent, FsNode, FsWarning } from '../types.js';
import { decodeMacRoman, forkExtents, macDate, readBtreeHeader, readLeafRecords, type AllocationGeometry, type BlockRun } from './btree.js';

/** Master Directory Block fields used for detection, sizing and reading. */
export interface HfsMdb {
  /** 'BD' for HFS, 'RW' ... (MFS 0xD2D7 is recognised but not read). */
  signature: number;
  created: Date | undefined;
  modified: Date | undefined;
  fileCount: number;
  directoryCount: number;
  /** drNmAlBlks. */
  allocationBlocks: number;
  /** drAlBlkSiz, bytes. */
  allocationBlockSize: number;
  /** drAlBlSt, in 512-byte sectors from the volume start. */
  firstAllocationSector: number;
  freeBlocks: number;
  volumeName: string;
  /** drEmbedSigWord: 0x482B when an HFS+ volume is wrapped inside. */
  embedSignature: number;
  embedStartBlock: number;
  embedBlockCount: number;
  extentsFileSize: number;
  extentsFileRuns: BlockRun[];
  catalogFileSize: number;
  catalogFileRuns: BlockRun[];
}

export const HFS_SIGNATURE = 0x4244;
export const MFS_SIGNATURE = 0xd2d7;

function runs(b: Uint8Array, at: number): BlockRun[] {
  const out: BlockRun[] = [];
  for (let i = 0; i < 3; i++) out.push({ startBlock: readBe16(b, at + 4 * i), blockCount: readBe16(b, at + 4 * i + 2) });
  return out;
}

/** Parses a 512-byte MDB; undefined without the 'BD' signature or with impossible sizes. */
export function parseMdb(b: Uint8Array): HfsMdb | undefined {
  if (b.length < 162 || readBe16(b, 0) !== HFS_SIGNATURE) return undefined;
  const allocationBlockSize = readBe32(b, 20);
  if (allocationBlockSize === 0 || allocationBlockSize % 512 !== 0) return undefined;
  const nameLength = Math.min(b[36] ?? 0, 27);
  return {
    signature: HFS_SIGNATURE,
    created: macDate(readBe32(b, 2)),
    modified: macDate(readBe32(b, 6)),
    fileCount: readBe32(b, 84),
    directoryCount: readBe32(b, 88),
    allocationBlocks: readBe16(b, 18),
    allocationBlockSize,
    firstAllocationSector: readBe16(b, 28),
    freeBlocks: readBe16(b, 34),
    volumeName: decodeMacRoman(b.subarray(37, 37 + nameLength)),
    embedSignature: readBe16(b, 124),
    embedStartBlock: readBe16(b, 126),
    embedBlockCount: readBe16(b, 128),
    extentsFileSize: readBe32(b, 130),
    extentsFileRuns: runs(b, 134),
    catalogFileSize: readBe32(b, 146),
    catalogFileRuns: runs(b, 150),
  };
}

/** Byte length from the volume start to the end of the last allocation block. */
export function hfsAllocationEnd(mdb: HfsMdb): number {
  return mdb.firstAllocationSector * 512 + mdb.allocationBlocks * mdb.allocationBlockSize;
}

/** Where an HFS+ volume wrapped in this HFS volume starts (bytes from the HFS volume start), if any. */
export function embeddedHfsPlus(mdb: HfsMdb): { offset: number; length: number } | undefined {
  if (mdb.embedSignature !== 0x482b) return undefined;
  return {
    offset: mdb.firstAllocationSector * 512 + mdb.embedStartBlock * mdb.allocationBlockSize,
    length: mdb.embedBlockCount * mdb.allocationBlockSize,
  };
}

export interface HfsOpenOptions {
  /** Absolute byte address of the volume's first byte. Default: the source's first byte. */
  start?: number;
}

/** Resource fork of an HFS or HFS+ file (the data fork is the node's extents). */
export interface ResourceFork {
  size: number;
  extents: FsExtent[];
}

/** An FsNode from an HFS or HFS+ volume. */
export interface HfsNode extends FsNode {
  /** Catalog node id. */
  cnid: number;
  /** Finder type and creator codes of files, e.g. 'TEXT' 'ttxt'. */
  fileType?: string;
  creator?: string;
  resourceFork?: ResourceFork;
}

/** An open HFS volume. */
export interface HfsReader extends FileSystemReader {
  readonly type: 'hfs';
  readonly mdb: HfsMdb;
  /** Absolute byte address of the volume start. */
  readonly start: number;
  readonly warnings: FsWarning[];
  root(): Promise<HfsNode>;
  readDir(dir: FsNode): Promise<HfsNode[]>;
}

/** A catalog record as a node and the folder it is in. */
export interface CatalogEntry {
  parent: number;
  name: string;
  node: Omit<HfsNode, 'path'>;
}

/**
 * Groups parsed catalog records by parent folder and finds the root (CNID 2 in parent 1), the
 * same for HFS and HFS+ (`rootName` is the root folder's own name, HFS+'s volume name);
 * `childrenOf` lists a folder's nodes with their paths. Records the
 * parser skips (threads, damaged ones) are left out.
 */
export function groupCatalog(
  records: Uint8Array[],
  maxRecords: number,
  parse: (record: Uint8Array) => CatalogEntry | undefined,
  what: string,
): { childrenOf: (dir: FsNode) => HfsNode[]; root: HfsNode; rootName: string } {
  if (records.length > maxRecords) throw new FormatError(`the catalog holds ${records.length} records`);
  const children = new Map<number, CatalogEntry[]>();
  let rootNode: Omit<HfsNode, 'path'> | undefined;
  for (const record of records) {
    const entry = parse(record);
    if (entry === undefined) continue;
    if (entry.parent === 1 && entry.node.cnid === 2) rootNode = entry.node;
    const list = children.get(entry.parent) ?? [];
    list.push(entry);
    children.set(entry.parent, list);
  }
  if (rootNode === undefined) throw new FormatError(`the ${what} catalog has no root folder`);
  const childrenOf = (dir: FsNode): HfsNode[] => {
    const cnid = (dir as HfsNode).cnid;
    if (dir.kind !== 'directory' || typeof cnid !== 'number') return [];
    const prefix = dir.path === '/' ? '/' : `${dir.path}/`;
    return (children.get(cnid) ?? []).map((e) => ({ ...e.node, name: e.name, path: prefix + e.name }));
  };
  return { childrenOf, root: { ...rootNode, name: '', path: '/' }, rootName: rootNode.name };
}

/** Largest catalog read in one go: 64 MiB covers any real HFS volume (max 65535 blocks). */
const MAX_CATALOG_RECORDS = 1_000_000;

/**
 * Opens the HFS volume at `options.start`: reads the MDB and the whole catalog (leaf records,
 * bounded), so readDir is a lookup. Throws FormatError when there is no HFS volume or its
 * catalog is unusable.
 */
export async function openHfs(source: SectorSource, options: HfsOpenOptions = {}): Promise<HfsReader> {
  const start = options.start ?? source.firstLba * source.sectorSize;
  const mdb = parseMdb(await readBytes(source, start + 1024, 512));
  if (mdb === undefined) throw new FormatError(`no HFS Master Directory Block at byte ${start + 1024}`);
  const warnings: FsWarning[] = [];
  const geometry: AllocationGeometry = {
    firstBlockByte: start + mdb.firstAllocationSector * 512,
    blockSize: mdb.allocationBlockSize,
    totalBlocks: mdb.allocationBlocks,
  };
  const overflow = await readOverflowExtents(source, geometry, mdb, warnings);
  const fork = (id: number, type: number, first: BlockRun[]): BlockRun[] => [...first, ...(overflow.get(`${id}:${type}`) ?? [])];
  const catalogExtents = forkExtents(geometry, fork(4, 0, mdb.catalogFileRuns), mdb.catalogFileSize, warnings, 'catalog file');
  const header = await readBtreeHeader(source, catalogExtents, 512);
  const records = await readLeafRecords(source, catalogExtents, header);
  const { childrenOf, root } = groupCatalog(records, MAX_CATALOG_RECORDS, (record) => parseCatalogRecord(record, geometry, fork, warnings), 'HFS');
  return {
    type: 'hfs',
    label: mdb.volumeName,
    mdb,
    start,
    warnings,
    root: async () => root,
    readDir: async (dir: FsNode) => childrenOf(dir),
  };
}

/** Extents overflow records, by "fileId:forkType" (0 data, 0xFF resource), in key order. */
async function readOverflowExtents(source: SectorSource, geometry: AllocationGeometry, mdb: HfsMdb, warnings: FsWarning[]): Promise<Map<string, BlockRun[]>> {
  const out = new Map<string, BlockRun[]>();
  if (mdb.extentsFileSize === 0) return out;
  try {
    const extents = forkExtents(geometry, mdb.extentsFileRuns, mdb.extentsFileSize, warnings, 'extents overflow file');
    const header = await readBtreeHeader(source, extents, 512);
    if (header.firstLeaf === 0) return out;
    for (const record of await readLeafRecords(source, extents, header)) {
      const keyLength = record[0] ?? 0;
      if (keyLength < 7 || record.length < 1 + keyLength + 12) continue;
      const key = `${readBe32(record, 2)}:${record[1]}`;
      const data = record.subarray(1 + keyLength + ((1 + keyLength) % 2));
      out.set(key, [...(out.get(key) ?? []), ...runs(data, 0)]);
    }
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    warnings.push({ code: 'hfs-extents-file', message: `extents overflow file: ${error.message}` });
  }
  return out;
}

function parseCatalogRecord(
  record: Uint8Array,
  geometry: AllocationGeometry,
  fork: (id: number, type: number, first: BlockRun[]) => BlockRun[],
  warnings: FsWarning[],
): CatalogEntry | undefined {
  const keyLength = record[0] ?? 0;
  if (keyLength < 6 || record.length < keyLength + 2) return undefined;
  const parent = readBe32(record, 2);
  const nameLength = Math.min(record[6] ?? 0, 31, keyLength - 6);
  const name = decodeMacRoman(record.subarray(7, 7 + nameLength));
  // Data starts on an even byte after the key.
  const dataAt = (keyLength + 2) & ~1;
  const d = record.subarray(dataAt);
  const type = d[0] ?? 0;
  if (type === 1 && d.length >= 70) {
    const cnid = readBe32(d, 6);
    return {
      parent,
      name,
      node: {
        name, kind: 'directory', size: 0, extents: [], cnid, id: `hfs:${cnid}`,
        // dirVal (offset 4) counts the folder's items; it is not a link count.
        birthtime: macDate(readBe32(d, 10)), mtime: macDate(readBe32(d, 14)),
      },
    };
  }
  if (type === 2 && d.length >= 102) {
    const cnid = readBe32(d, 20);
    const size = readBe32(d, 26);
    const resourceSize = readBe32(d, 36);
    const what = `file ${JSON.stringify(name)}`;
    const extents = forkExtents(geometry, fork(cnid, 0, runs(d, 74)), size, warnings, what);
    const resourceExtents = forkExtents(geometry, fork(cnid, 0xff, runs(d, 86)), resourceSize, warnings, `${what} (resource fork)`);
    const node: Omit<HfsNode, 'path'> = {
      name, kind: 'file', size, extents, cnid, id: `hfs:${cnid}`,
      fileType: decodeMacRoman(d.subarray(4, 8)), creator: decodeMacRoman(d.subarray(8, 12)),
      birthtime: macDate(readBe32(d, 44)), mtime: macDate(readBe32(d, 48)),
      hidden: ((d[12] ?? 0) & 0x40) !== 0,
    };
    if (resourceSize > 0) node.resourceFork = { size: resourceSize, extents: resourceExtents };
    return { parent, name, node };
  }
  return undefined;
}
