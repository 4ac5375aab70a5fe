/**
 * Reading a UDF volume's tree: the File Set Descriptor, (Extended) File Entries with short,
 * long, extended or embedded allocation descriptors, File Identifier Descriptors, and the
 * metadata partition of UDF 2.50+.
 */

import { FormatError } from '../../errors.js';
import type { SectorSource } from '../../sources/sector-source.js';
import { FsReadError, MAX_STRUCTURE_BYTES, readBytes } from '../read-bytes.js';
import type { FileSystemReader, FsExtent, FsNode, FsNodeKind, FsWarning } from '../types.js';
import { TAG, checkTag, decodeCs0, decodeDstring, le16, le32, le64, parseLongAd, parseRegId, parseTimestamp, type LongAd } from './descriptors.js';
import { readUdfVolume, type PartitionMap, type UdfVolume } from './volume.js';

/** Allocation descriptor chains longer than this are corrupt. */
const MAX_AD_EXTENTS = 1 << 16;
const MAX_DIRECTORY_ENTRIES = 1 << 20;
/** Sectors searched backwards from the end for the VAT (run-out and link blocks may follow it). */
const MAX_VAT_SEARCH = 64;
/** A VAT maps at most one entry per block of a CD or DVD: 16 MiB is far beyond any. */
const MAX_VAT_BYTES = 16 * 1024 * 1024;

export interface UdfOpenOptions {
  /** Absolute sector where the session holding the volume starts. Default the source's first sector. */
  sessionStart?: number;
}

/** An FsNode from a UDF volume. */
export interface UdfNode extends FsNode {
  /** Where its (Extended) File Entry is. */
  icb: LongAd;
  fileType: number;
}

/** A Virtual Allocation Table: virtual block i is block table[i] of the physical partition. */
export interface UdfVat {
  /** Absolute sector of the VAT's file entry. */
  location: number;
  entries: number;
  table: Uint32Array;
}

export interface UdfReader extends FileSystemReader {
  readonly type: 'udf';
  readonly volume: UdfVolume;
  /** The VAT of a virtual partition, when the volume has one (its entry count and place). */
  readonly vat: Omit<UdfVat, 'table'> | undefined;
  readonly warnings: FsWarning[];
  root(): Promise<UdfNode>;
  readDir(dir: FsNode): Promise<UdfNode[]>;
}

interface Entry {
  fileType: number;
  size: number;
  extents: FsExtent[];
  inline?: Uint8Array;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  atime: Date | undefined;
  mtime: Date | undefined;
  ctime: Date | undefined;
  birthtime: Date | undefined;
}

/** Maps logical blocks of a partition reference to absolute byte extents. */
class BlockMapper {
  readonly #volume: UdfVolume;
  readonly #bs: number;
  /** Metadata partitions: the metadata file's extents (absolute bytes), by reference. */
  readonly #metadata = new Map<number, FsExtent[]>();

  constructor(volume: UdfVolume, bs: number) {
    this.#volume = volume;
    this.#bs = bs;
  }

  setMetadata(ref: number, extents: FsExtent[]): void {
    this.#metadata.set(ref, extents);
  }

  /** Virtual partitions (UDF 1.50+ on CD-R): their blocks are VAT entries, blocks of a physical partition. */
  readonly #virtual = new Map<number, { table: Uint32Array; physical: PartitionMap }>();

  setVirtual(ref: number, table: Uint32Array, physical: PartitionMap): void {
    this.#virtual.set(ref, { table, physical });
  }

  physicalStart(map: PartitionMap): number {
    const pd = this.#volume.partitions.find((p) => p.number === map.partitionNumber);
    if (pd === undefined) throw new FormatError(`no Partition Descriptor for partition ${map.partitionNumber}`);
    return pd.start;
  }

  /** Bytes `length` from block `block` of partition reference `ref`, as absolute extents. */
  map(ref: number, block: number, length: number): FsExtent[] {
    const map = this.#volume.partitionMaps[ref];
    if (map === undefined) throw new FormatError(`partition reference ${ref} does not exist`);
    const metadata = this.#metadata.get(ref);
    if (metadata !== undefined) return sliceExtents(metadata, block * this.#bs, length);
    const virtual = this.#virtual.get(ref);
    if (virtual !== undefined) return this.#mapVirtual(virtual.table, this.physicalStart(virtual.physical), block, length);
    if (map.type === 2 && map.identifier === '*UDF Virtual Partition') throw new FormatError('the virtual partition has no readable VAT');
    return [{ start: (this.physicalStart(map) + block) * this.#bs, length }];
  }

  /** Each virtual block on its own (they need not be contiguous), merged where they are. */
  #mapVirtual(table: Uint32Array, start: number, block: number, length: number): FsExtent[] {
    const out: FsExtent[] = [];
    const blocks = Math.ceil(length / this.#bs);
    if (block + blocks > table.length) throw new FormatError(`virtual blocks ${block}–${block + blocks - 1} lie past the VAT's ${table.length} entries`);
    for (let i = 0; i < blocks; i++) {
      const physical = table[block + i]!;
      if (physical === 0xffffffff) throw new FormatError(`virtual block ${block + i} is not recorded (VAT entry unused)`);
      const bytes = Math.min(this.#bs, length - i * this.#bs);
      const at = (start + physical) * this.#bs;
      const last = out[out.length - 1];
      if (last !== undefined && last.start + last.length === at) last.length += bytes;
      else out.push({ start: at, length: bytes });
    }
    return out;
  }
}

/** The part [offset, offset + length) of data laid out in `extents`. */
function sliceExtents(extents: FsExtent[], offset: number, length: number): FsExtent[] {
  const out: FsExtent[] = [];
  let base = 0;
  let left = length;
  for (const e of extents) {
    if (left <= 0) break;
    const from = offset + (length - left);
    if (from < base + e.length && from >= base) {
      const take = Math.min(base + e.length - from, left);
      out.push({ start: e.start + (from - base), length: take });
      left -= take;
    }
    base += e.length;
  }
  if (left > 0) throw new FormatError(`bytes ${offset}–${offset + length - 1} lie past the end of the metadata file`);
  return out;
}

async function readExtents(source: SectorSource, extents: FsExtent[], max = MAX_STRUCTURE_BYTES): Promise<Uint8Array> {
  const total = extents.reduce((n, e) => n + e.length, 0);
  if (total > max) throw new FormatError(`a ${total}-byte directory or metadata structure is not plausible`);
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of extents) {
    out.set(await readBytes(source, e.start, e.length), at);
    at += e.length;
  }
  return out;
}

function posixMode(permissions: number, fileType: number): number {
  const bits = (((permissions >> 10) & 7) << 6) | (((permissions >> 5) & 7) << 3) | (permissions & 7);
  const types: Record<number, number> = { 4: 0o040000, 5: 0o100000, 6: 0o060000, 7: 0o020000, 9: 0o010000, 10: 0o140000, 12: 0o120000 };
  return (types[fileType] ?? 0o100000) | bits;
}

function kindOf(fileType: number): FsNodeKind {
  switch (fileType) {
    case 4: return 'directory';
    case 5: case 0: return 'file';
    case 6: case 7: return 'device';
    case 9: return 'fifo';
    case 10: return 'socket';
    case 12: return 'symlink';
    default: return 'other';
  }
}

/**
 * Opens the UDF volume of a source (or of the session at `options.sessionStart`). Throws
 * FormatError without a usable volume.
 */
export async function openUdf(source: SectorSource, options: UdfOpenOptions = {}): Promise<UdfReader> {
  const warnings: FsWarning[] = [];
  const volume = await readUdfVolume(source, warnings, options.sessionStart ?? source.firstLba);
  if (volume === undefined) throw new FormatError('no UDF volume (recognition sequence, anchor and logical volume descriptor)');
  const bs = source.sectorSize;
  if (volume.blockSize !== bs) throw new FormatError(`UDF logical block size ${volume.blockSize} differs from the ${bs}-byte sectors`);
  const mapper = new BlockMapper(volume, bs);

  async function readEntry(icb: LongAd, what: string): Promise<Entry> {
    const [at] = mapper.map(icb.partition, icb.block, bs);
    if (at === undefined) throw new FormatError(`${what}: no location`);
    const d = await readBytes(source, at.start, bs);
    const check = checkTag(d);
    if (!check.ok) throw new FormatError(`${what}: file entry at block ${icb.block}: ${check.reason}`);
    const extended = check.tag.id === TAG.EFE;
    if (check.tag.id !== TAG.FE && !extended) throw new FormatError(`${what}: block ${icb.block} holds descriptor ${check.tag.id}, not a file entry`);
    const fileType = d[27] ?? 0;
    const flags = le16(d, 34);
    const size = le64(d, 56);
    const eaLength = le32(d, extended ? 208 : 168);
    const adLength = le32(d, extended ? 212 : 172);
    const adStart = (extended ? 216 : 176) + eaLength;
    if (adStart + adLength > d.length) throw new FormatError(`${what}: allocation descriptors run past the file entry`);
    const entry: Entry = {
      fileType, size, extents: [],
      mode: posixMode(le32(d, 44), fileType), uid: le32(d, 36), gid: le32(d, 40), nlink: le16(d, 48),
      atime: parseTimestamp(d, extended ? 80 : 72), mtime: parseTimestamp(d, extended ? 92 : 84),
      ctime: parseTimestamp(d, extended ? 116 : 96), birthtime: extended ? parseTimestamp(d, 104) : undefined,
    };
    const adType = flags & 7;
    if (adType === 3) {
      entry.inline = d.slice(adStart, adStart + Math.min(adLength, size));
      return entry;
    }
    entry.extents = await allocation(d.subarray(adStart, adStart + adLength), adType, icb.partition, size, what);
    return entry;
  }

  async function allocation(ads: Uint8Array, adType: number, partition: number, size: number, what: string): Promise<FsExtent[]> {
    const step = adType === 0 ? 8 : adType === 1 ? 16 : adType === 2 ? 20 : 0;
    if (step === 0) throw new FormatError(`${what}: unknown allocation descriptor type ${adType}`);
    const out: FsExtent[] = [];
    let left = size;
    let current = ads;
    for (let count = 0; count < MAX_AD_EXTENTS; ) {
      let next: { block: number; partition: number; length: number } | undefined;
      for (let o = 0; o + step <= current.length && left > 0; o += step, count++) {
        const raw = le32(current, o);
        const length = raw & 0x3fffffff;
        const type = Math.floor(raw / 0x40000000);
        if (length === 0) break;
        const block = adType === 2 ? le32(current, o + 12) : le32(current, o + 4);
        const ref = adType === 0 ? partition : le16(current, adType === 2 ? o + 16 : o + 8);
        if (type === 3) {
          next = { block, partition: ref, length };
          break;
        }
        const take = Math.min(length, left);
        // Type 1/2: allocated or not, but unrecorded: reads as zeros, no extent.
        if (type === 0) out.push(...mapper.map(ref, block, take));
        left -= take;
      }
      if (next === undefined || left <= 0) break;
      const [at] = mapper.map(next.partition, next.block, bs);
      if (at === undefined) break;
      const aed = await readBytes(source, at.start, Math.min(next.length, bs));
      const check = checkTag(aed);
      if (!check.ok || check.tag.id !== TAG.AED) {
        warnings.push({ code: 'udf-aed', message: `${what}: allocation extent descriptor at block ${next.block} is not valid` });
        break;
      }
      current = aed.subarray(24, 24 + Math.min(le32(aed, 20), aed.length - 24));
    }
    return mergeExtents(out);
  }

  // Metadata partition (2.50+): its blocks are those of the metadata file, or of its mirror.
  for (const [ref, map] of volume.partitionMaps.entries()) {
    if (map.metadataFile === undefined) continue;
    const physicalRef = volume.partitionMaps.findIndex((m) => m.type === 1 && m.partitionNumber === map.partitionNumber);
    if (physicalRef < 0) throw new FormatError('the metadata partition has no physical partition');
    let done = false;
    for (const [block, name] of [[map.metadataFile, 'metadata file'], [map.metadataMirror, 'metadata mirror file']] as const) {
      if (block === undefined || done) continue;
      try {
        const entry = await readEntry({ block, partition: physicalRef, length: bs, type: 0 }, name);
        mapper.setMetadata(ref, entry.extents);
        done = true;
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        warnings.push({ code: 'udf-metadata', message: `${name}: ${error.message}` });
      }
    }
    if (!done) throw new FormatError('neither the metadata file nor its mirror is readable');
  }

  // Virtual partition (UDF 1.50+ on CD-R): the VAT, in the last recorded sector, maps its blocks.
  let vat: UdfVat | undefined;
  for (const [ref, map] of volume.partitionMaps.entries()) {
    if (map.type !== 2 || map.identifier !== '*UDF Virtual Partition') continue;
    const physicalRef = volume.partitionMaps.findIndex((m) => m.type === 1 && m.partitionNumber === map.partitionNumber);
    const physical = volume.partitionMaps[physicalRef];
    if (physical === undefined) throw new FormatError('the virtual partition has no physical partition');
    vat = await findVat(physicalRef, mapper.physicalStart(physical));
    if (vat === undefined) {
      warnings.push({ code: 'udf-vat', message: 'no Virtual Allocation Table in the last sectors: the virtual partition cannot be read' });
      continue;
    }
    mapper.setVirtual(ref, vat.table, physical);
  }

  /**
   * The VAT's file entry: the last recorded sector (of an image: its last sector), or a few
   * before it when run-out blocks follow. UDF 2.00+ marks it with file type 248; UDF 1.50 with
   * a "*UDF Virtual Alloc Tbl" entity identifier after the table.
   */
  async function findVat(physicalRef: number, partitionStart: number): Promise<UdfVat | undefined> {
    const last = source.firstLba + source.sectorCount - 1;
    for (let sector = last; sector >= Math.max(partitionStart, last - MAX_VAT_SEARCH); sector--) {
      const head = await readBytes(source, sector * bs, bs).catch(() => undefined);
      if (head === undefined) continue;
      const check = checkTag(head, sector - partitionStart);
      if (!check.ok || (check.tag.id !== TAG.FE && check.tag.id !== TAG.EFE)) continue;
      const fileType = head[27] ?? 0;
      if (fileType !== 248 && fileType !== 0) continue;
      let entry: Entry;
      let data: Uint8Array;
      try {
        entry = await readEntry({ block: sector - partitionStart, partition: physicalRef, length: bs, type: 0 }, 'VAT');
        data = entry.inline ?? (await readExtents(source, entry.extents, MAX_VAT_BYTES));
      } catch (error) {
        if (!(error instanceof FormatError) && !(error instanceof FsReadError)) throw error;
        continue;
      }
      let from: number;
      let to: number;
      if (fileType === 248) {
        from = le16(data, 0);
        to = data.length;
        if (from < 152 || from > data.length) continue;
      } else {
        // UDF 1.50: the table, then the identifier (32 bytes) and the previous VAT's block (4).
        if (data.length < 36 || parseRegId(data, data.length - 36).identifier !== '*UDF Virtual Alloc Tbl') continue;
        from = 0;
        to = data.length - 36;
      }
      const count = Math.floor((to - from) / 4);
      const table = new Uint32Array(count);
      for (let i = 0; i < count; i++) table[i] = le32(data, from + 4 * i);
      return { location: sector, entries: count, table };
    }
    return undefined;
  }

  const fsdAt = mapper.map(volume.fileSetLocation.partition, volume.fileSetLocation.block, bs)[0];
  if (fsdAt === undefined) throw new FormatError('no File Set Descriptor location');
  const fsd = await readBytes(source, fsdAt.start, bs);
  const fsdCheck = checkTag(fsd);
  if (!fsdCheck.ok || fsdCheck.tag.id !== TAG.FSD) throw new FormatError(`no File Set Descriptor at block ${volume.fileSetLocation.block}${fsdCheck.ok ? '' : `: ${fsdCheck.reason}`}`);
  const fileSetIdentifier = decodeDstring(fsd, 304, 32, warnings);
  const rootIcb = parseLongAd(fsd, 400);

  function toNode(entry: Entry, icb: LongAd, name: string, path: string, hidden: boolean): UdfNode {
    const node: UdfNode = {
      name, path, kind: kindOf(entry.fileType), size: entry.size, extents: entry.extents,
      mode: entry.mode, nlink: entry.nlink,
      id: `udf:${icb.partition}:${icb.block}`, icb, fileType: entry.fileType,
    };
    // 2^32 − 1 means "not recorded" (UDF 2.01 3.3.3.1), as when genisoimage writes the tree.
    if (entry.uid !== 0xffffffff) node.uid = entry.uid;
    if (entry.gid !== 0xffffffff) node.gid = entry.gid;
    if (entry.inline !== undefined) node.inline = entry.inline;
    if (entry.atime) node.atime = entry.atime;
    if (entry.mtime) node.mtime = entry.mtime;
    if (entry.ctime) node.ctime = entry.ctime;
    if (entry.birthtime) node.birthtime = entry.birthtime;
    if (hidden) node.hidden = true;
    return node;
  }

  async function dataOf(node: FsNode): Promise<Uint8Array> {
    if (node.inline !== undefined) return node.inline;
    return readExtents(source, node.extents);
  }

  const rootEntry = await readEntry(rootIcb, 'root directory');
  const root = toNode(rootEntry, rootIcb, '', '/', false);
  const label = volume.logicalVolumeIdentifier || fileSetIdentifier;

  return {
    type: 'udf',
    label,
    volume,
    vat: vat === undefined ? undefined : { location: vat.location, entries: vat.entries },
    warnings,
    root: async () => root,
    readDir: async (dir: FsNode) => {
      if (dir.kind !== 'directory') return [];
      const data = await dataOf(dir);
      const prefix = dir.path === '/' ? '/' : `${dir.path}/`;
      const out: UdfNode[] = [];
      let o = 0;
      while (o + 38 <= data.length && out.length < MAX_DIRECTORY_ENTRIES) {
        const check = checkTag(data.subarray(o, o + 38 + 65535 + 255));
        if (!check.ok || check.tag.id !== TAG.FID) {
          warnings.push({ code: 'udf-fid', message: `${dir.path}: bad file identifier at byte ${o}${check.ok ? '' : `: ${check.reason}`}`, path: dir.path });
          break;
        }
        const characteristics = data[o + 18] ?? 0;
        const nameLength = data[o + 19] ?? 0;
        const icb = parseLongAd(data, o + 20);
        const iuLength = le16(data, o + 36);
        const nameAt = o + 38 + iuLength;
        const total = 4 * Math.ceil((38 + iuLength + nameLength) / 4);
        const nameBytes = data.subarray(nameAt, nameAt + nameLength);
        o += total;
        // Parent entries and deleted entries are not children.
        if (characteristics & 0x0c) continue;
        const name = decodeCs0(nameBytes, warnings);
        const path = prefix + name;
        try {
          const entry = await readEntry(icb, path);
          const node = toNode(entry, icb, name, path, (characteristics & 1) !== 0);
          if (node.kind === 'symlink') node.linkTarget = await symlinkTarget(await dataOf(node));
          out.push(node);
        } catch (error) {
          if (!(error instanceof FormatError)) throw error;
          warnings.push({ code: 'udf-entry', message: error.message, path });
        }
      }
      return out;
    },
  };
}

/** A symlink's path components (ECMA-167 4/14.16) joined with '/'. */
async function symlinkTarget(data: Uint8Array): Promise<string> {
  const parts: string[] = [];
  let absolute = false;
  for (let o = 0; o + 4 <= data.length; ) {
    const type = data[o] ?? 0;
    const length = data[o + 1] ?? 0;
    const body = data.subarray(o + 4, o + 4 + length);
    if (type === 1 || type === 2) {
      absolute = true;
      parts.length = 0;
    } else if (type === 3) parts.push('..');
    else if (type === 4) parts.push('.');
    else if (type === 5) parts.push(decodeCs0(body));
    o += 4 + length;
  }
  return (absolute ? '/' : '') + parts.join('/');
}

function mergeExtents(extents: FsExtent[]): FsExtent[] {
  const out: FsExtent[] = [];
  for (const e of extents) {
    const last = out[out.length - 1];
    if (last !== undefined && last.start + last.length === e.start) last.length += e.length;
    else out.push({ ...e });
  }
  return out;
}
