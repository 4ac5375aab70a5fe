/**
 * An ISO 9660 (and High Sierra) volume as a FileSystemReader, in one of three namespaces: the
 * plain ISO names ('iso', versions kept as `isoinfo -f` shows them), Joliet's UCS-2 tree, or
 * Rock Ridge ('rr': POSIX names, modes, times, symlinks and relocated deep directories presented
 * where they belong, as Linux does).
 */

import { FormatError, UnsupportedError } from '../../errors.js';
import type { SectorSource } from '../../sources/sector-source.js';
import { readBytes } from '../read-bytes.js';
import type { FileSystemReader, FsNode, FsNodeKind, FsWarning } from '../types.js';
import {
  descriptorFlavor, descriptorType, parseBootRecord, parseVolumeDescriptor,
  VD_BOOT, VD_PRIMARY, VD_SUPPLEMENTARY, VD_TERMINATOR,
  type IsoBootRecord, type IsoFlavor, type IsoVolumeDescriptor,
} from './descriptors.js';
import {
  DIRECTORY_SECTOR, FLAG_ASSOCIATED, FLAG_DIRECTORY, FLAG_HIDDEN, FLAG_MULTI_EXTENT, parseDirectory, parseRecord,
  type DirectoryRecord,
} from './directory-records.js';
import { parseBootCatalog, type ElToritoCatalog } from './el-torito.js';
import { isInvalidRecordDate, type IsoRecordDate } from './fields.js';
import { parseSystemUse, parseSystemUseFast, type SystemUseInfo, type SystemUseOptions } from './rock-ridge.js';

export type IsoNames = 'iso' | 'joliet' | 'rr';

export interface OpenIso9660Options {
  /**
   * Base sector (2048-byte units) of the session to open: its volume descriptors are at
   * offset + 16. Extents stay absolute, as a later session of a multisession disc records them.
   * Default: the source's first LBA (0 for images; the data track of a CD-Extra drive source).
   */
  offset?: number;
  /** Namespace; default 'rr' when Rock Ridge is present, else 'joliet' when a Joliet SVD exists, else 'iso'. */
  names?: IsoNames;
  /** Warnings kept (default 1000); later ones are counted in `droppedWarnings`. */
  maxWarnings?: number;
}

export interface IsoRockRidgeInfo {
  present: boolean;
  /** 'RRIP_1991A', 'IEEE_P1282' … from ER entries of the root '.' record. */
  extensions: string[];
  /** An RR entry (RRIP 1.09) was seen. */
  rrEntry: boolean;
  /** SUSP LEN_SKP from SP. */
  skip: number;
}

/** Every volume descriptor of the session, decoded. */
export interface Iso9660Descriptors {
  flavor: IsoFlavor;
  primary: IsoVolumeDescriptor;
  supplementary: IsoVolumeDescriptor[];
  /** The SVD used for Joliet names (highest UCS-2 level), if any. */
  joliet: IsoVolumeDescriptor | undefined;
  bootRecords: IsoBootRecord[];
  elTorito: ElToritoCatalog | undefined;
  rockRidge: IsoRockRidgeInfo;
  /** A terminator descriptor ended the set. */
  terminated: boolean;
}

/** What the directory record of a node said, for listings in the style of `isoinfo -l`. */
export interface IsoRecordInfo {
  /** First logical block of the (first) extent, as recorded. */
  extent: number;
  /** File flags of the last record of the node. */
  flags: number;
  date: IsoRecordDate;
  /** The identifier as recorded in this namespace's tree (before Rock Ridge). */
  recordName: string;
  extendedAttributeLength: number;
  fileUnitSize: number;
  interleaveGap: number;
  /** Records that make up the node (more than 1 for multi-extent files). */
  records: number;
  /** Rock Ridge relocation: the placeholder's block when this directory was reached through CL. */
  relocatedFrom?: number;
}

/** '.' and '..' of a directory, as `isoinfo -l` lists them. */
export interface IsoDirectoryListing {
  dot: FsNode | undefined;
  dotDot: FsNode | undefined;
  entries: FsNode[];
}

interface NodeState {
  info: IsoRecordInfo;
  /** Directory blocks from the root down to this node (itself included for directories). */
  ancestors: ReadonlySet<number>;
  loop: boolean;
}

const MAX_DESCRIPTORS = 64;
const S_IFMT = 0o170000;

/**
 * Opens the ISO 9660 or High Sierra volume of `source` (2048-byte or smaller sectors). Throws
 * FormatError when there is no volume descriptor set, FsReadError when it is unreadable.
 */
export async function openIso9660(source: SectorSource, options: OpenIso9660Options = {}): Promise<Iso9660Reader> {
  if (source.sectorSize > 2048 || 2048 % source.sectorSize !== 0) {
    throw new UnsupportedError(`${source.name}: ISO 9660 needs 2048-byte user data, not ${source.sectorSize}-byte sectors`);
  }
  const offset = options.offset ?? source.firstLba;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`Expected "offset" to be a sector number, got ${offset}`);
  const warnings: FsWarning[] = [];
  const maxWarnings = options.maxWarnings ?? 1000;
  const state = { dropped: 0, maxWarnings };
  const warn = (w: FsWarning): void => {
    if (warnings.length < maxWarnings) warnings.push(w);
    else state.dropped++;
  };
  let flavor: IsoFlavor | undefined;
  let primary: IsoVolumeDescriptor | undefined;
  const supplementary: IsoVolumeDescriptor[] = [];
  const bootRecords: IsoBootRecord[] = [];
  let terminated = false;
  const end = source.firstLba * source.sectorSize + source.sectorCount * source.sectorSize;
  for (let i = 0; i < MAX_DESCRIPTORS; i++) {
    const at = (offset + 16 + i) * 2048;
    if (at + 2048 > end) break;
    const sector = await readBytes(source, at, 2048);
    const f = descriptorFlavor(sector);
    if (f === undefined) {
      if (i === 0) throw new FormatError(`${source.name}: no ISO 9660 volume descriptor at sector ${offset + 16}`);
      warn({ code: 'ISO_NO_TERMINATOR', message: `sector ${offset + 16 + i} ends the descriptor set without a terminator` });
      break;
    }
    flavor ??= f;
    const type = descriptorType(sector, f);
    const sectorNumber = offset + 16 + i;
    if (type === VD_TERMINATOR) {
      terminated = true;
      break;
    }
    if (type === VD_PRIMARY) {
      if (primary === undefined) primary = parseVolumeDescriptor(sector, sectorNumber, f, warn);
    } else if (type === VD_SUPPLEMENTARY) supplementary.push(parseVolumeDescriptor(sector, sectorNumber, f, warn));
    else if (type === VD_BOOT) bootRecords.push(parseBootRecord(sector, sectorNumber));
  }
  if (primary === undefined || flavor === undefined) {
    throw new FormatError(`${source.name}: the volume descriptor set at sector ${offset + 16} has no primary volume descriptor`);
  }
  const blockSize = primary.logicalBlockSize;
  if (blockSize !== 512 && blockSize !== 1024 && blockSize !== 2048) {
    throw new FormatError(`${source.name}: logical block size ${blockSize} is not supported`);
  }
  if (primary.volumeSpaceSize * blockSize > end) {
    warn({ code: 'ISO_VOLUME_PAST_END', message: `the volume claims ${primary.volumeSpaceSize} blocks but the source ends at byte ${end}` });
  }
  let elTorito: ElToritoCatalog | undefined;
  const boot = bootRecords.find((b) => b.elToritoCatalog !== undefined);
  if (boot?.elToritoCatalog !== undefined) {
    try {
      const bytes = await readBytes(source, boot.elToritoCatalog * 2048, 2048);
      elTorito = parseBootCatalog(bytes, boot.elToritoCatalog, warn);
    } catch (error) {
      warn({ code: 'ELTORITO_UNREADABLE', message: `boot catalog at sector ${boot.elToritoCatalog}: ${(error as Error).message}` });
    }
  }
  const joliet = supplementary
    .filter((d) => d.jolietLevel !== undefined)
    .sort((a, b) => (b.jolietLevel ?? 0) - (a.jolietLevel ?? 0))[0];

  // Rock Ridge is announced by SP (and ER) in the root '.' record of the primary tree.
  const rockRidge: IsoRockRidgeInfo = { present: false, extensions: [], rrEntry: false, skip: 0 };
  const highSierra = flavor === 'high-sierra';
  let rootDot: DirectoryRecord | undefined;
  let rootSu: SystemUseInfo | undefined;
  if (!highSierra) {
    try {
      const first = await readBytes(source, primary.rootExtent * blockSize, Math.min(DIRECTORY_SECTOR, Math.max(34, primary.rootSize)));
      // Quietly: readDir reports the root's problems when it reads it in full.
      rootDot = parseDirectory(first, { joliet: false, highSierra, path: '/', warn: () => {}, maxRecords: 1 })[0];
      if (rootDot?.isDot) {
        rootSu = await parseSystemUse(rootDot.systemUse, {
          skip: 0,
          path: '/',
          warn,
          readContinuation: (block, off, length) => readBytes(source, block * blockSize + off, length),
        });
        rockRidge.extensions = rootSu.extensions;
        rockRidge.rrEntry = rootSu.rr;
        rockRidge.skip = rootSu.sp?.skip ?? 0;
        rockRidge.present = rootSu.sp !== undefined && (rootSu.rockRidge || rootSu.rr ||
          rootSu.extensions.some((id) => /^(RRIP_1991A|IEEE_P1282|IEEE_1282)$/u.test(id)));
      }
    } catch (error) {
      warn({ code: 'ISO_ROOT_UNREADABLE', message: `the root directory is unreadable: ${(error as Error).message}`, path: '/' });
    }
  }
  const names = options.names ?? (rockRidge.present ? 'rr' : joliet ? 'joliet' : 'iso');
  if (names === 'rr' && !rockRidge.present) throw new FormatError(`${source.name}: the volume has no Rock Ridge extensions`);
  if (names === 'joliet' && !joliet) throw new FormatError(`${source.name}: the volume has no Joliet tree`);
  const descriptors: Iso9660Descriptors = { flavor, primary, supplementary, joliet, bootRecords, elTorito, rockRidge, terminated };
  const reader = new Iso9660Reader(source, descriptors, names, blockSize, offset, warnings, state);
  await reader.init(rootDot, rootSu);
  return reader;
}

/** A mounted ISO 9660 volume; see openIso9660. */
export class Iso9660Reader implements FileSystemReader {
  readonly type: 'iso9660' | 'high-sierra';
  readonly label: string;
  readonly names: IsoNames;
  readonly descriptors: Iso9660Descriptors;
  /** Logical block size of the volume (extent numbers are in these units). */
  readonly blockSize: number;
  /** Base sector the volume was opened at. */
  readonly offset: number;
  /** Conformance problems and odd structures found so far (grows as directories are read). */
  readonly warnings: FsWarning[];
  readonly #source: SectorSource;
  readonly #dropped: { dropped: number; maxWarnings: number };
  /**
   * Each node's record facts ride on the node itself under this reader's own symbol, as a
   * non-enumerable property (invisible to JSON, spreads and equality checks). A WeakMap did the
   * same job but cost a quarter of the CPU time of listing 100,000 files, most of it in GC.
   */
  readonly #stateKey = Symbol('iso9660 node state');
  readonly #states = {
    get: (node: FsNode): NodeState | undefined => (node as unknown as Record<symbol, NodeState | undefined>)[this.#stateKey],
    set: (node: FsNode, state: NodeState): void => {
      Object.defineProperty(node, this.#stateKey, { value: state, enumerable: false, writable: false, configurable: false });
    },
  };
  readonly #sourceEnd: number;
  readonly #warnBound = (w: FsWarning): void => this.#warn(w);
  readonly #readContinuation = (block: number, offset: number, length: number): Promise<Uint8Array> =>
    readBytes(this.#source, block * this.blockSize + offset, length);
  #root: FsNode | undefined;
  #nameWarned = false;
  #dateWarned = false;

  /** Use openIso9660. */
  constructor(
    source: SectorSource, descriptors: Iso9660Descriptors, names: IsoNames, blockSize: number, offset: number,
    warnings: FsWarning[], dropped: { dropped: number; maxWarnings: number },
  ) {
    this.#source = source;
    this.descriptors = descriptors;
    this.names = names;
    this.blockSize = blockSize;
    this.offset = offset;
    this.warnings = warnings;
    this.#dropped = dropped;
    this.type = descriptors.flavor;
    const tree = names === 'joliet' && descriptors.joliet ? descriptors.joliet : descriptors.primary;
    this.label = tree.volumeId;
    this.#sourceEnd = (source.firstLba + source.sectorCount) * source.sectorSize;
  }

  /** Warnings that did not fit in `warnings`. */
  get droppedWarnings(): number {
    return this.#dropped.dropped;
  }

  /** Builds the root node; openIso9660 calls it once, before handing the reader out. @internal */
  async init(rootDot: DirectoryRecord | undefined, rootSu: SystemUseInfo | undefined): Promise<void> {
    const tree = this.#tree();
    const highSierra = this.type === 'high-sierra';
    const warnOnce = (code: string, message: string): void => this.#warn({ code, message, path: '/' });
    let record = parseRecord(tree.rootRecord, 0, { joliet: false, highSierra }, warnOnce);
    if (!record) throw new FormatError(`${this.#source.name}: the root directory record is malformed`);
    if (this.names === 'rr' && rootDot) record = { ...record, date: rootDot.date };
    const su = this.names === 'rr' ? rootSu : undefined;
    const root = this.#makeNode([record], '', '/', su, new Set(), '/');
    root.kind = 'directory';
    this.#root = root;
  }

  async root(): Promise<FsNode> {
    if (!this.#root) throw new FormatError('the volume has no root');
    return this.#root;
  }

  async readDir(dir: FsNode): Promise<FsNode[]> {
    return (await this.readDirWithDots(dir)).entries;
  }

  /** Entries of a directory together with its '.' and '..' records. */
  async readDirWithDots(dir: FsNode): Promise<IsoDirectoryListing> {
    if (dir.kind !== 'directory') throw new TypeError(`${dir.path} is not a directory`);
    const state = this.#states.get(dir);
    if (state?.loop) return { dot: undefined, dotDot: undefined, entries: [] };
    const extent = dir.extents[0];
    if (!extent) return { dot: undefined, dotDot: undefined, entries: [] };
    const data = await readBytes(this.#source, extent.start, dir.size);
    const joliet = this.names === 'joliet';
    const highSierra = this.type === 'high-sierra';
    const records = parseDirectory(data, { joliet, highSierra, path: dir.path, warn: (w) => this.#warn(w) });
    const ancestors = state?.ancestors ?? new Set([extent.start / this.blockSize]);
    let dot: FsNode | undefined;
    let dotDot: FsNode | undefined;
    const entries: FsNode[] = [];
    for (let i = 0; i < records.length; i++) {
      const first = records[i]!;
      const group = [first];
      // Multi-extent files: records with bit 7 set continue in the next record of the same name.
      while ((group[group.length - 1]!.flags & FLAG_MULTI_EXTENT) !== 0 && i + 1 < records.length) {
        const next = records[i + 1]!;
        if (next.name !== first.name) {
          this.#warn({ code: 'ISO_MULTI_EXTENT_BROKEN', message: `the multi-extent file "${first.name}" ends without a final record`, path: dir.path });
          break;
        }
        group.push(next);
        i++;
      }
      const dirBlock = extent.start / this.blockSize;
      const idPrefix = `${dirBlock}:${first.offset}`;
      let su: SystemUseInfo | undefined;
      if (this.names === 'rr') {
        const parsed = this.#systemUse(first, dir.path);
        su = parsed instanceof Promise ? await parsed : parsed;
      }
      if (first.isDot || first.isDotDot) {
        const node = this.#makeNode(group, first.name, first.isDot ? dir.path : parentPath(dir.path), su, ancestors, idPrefix);
        node.kind = 'directory';
        if (first.isDot) dot = node;
        else dotDot = node;
        continue;
      }
      // A directory moved into rr_moved shows up where its CL placeholder is, not here.
      if (su?.relocated) continue;
      let name = this.names === 'rr' && su?.name !== undefined ? su.name : first.name;
      if (joliet) name = name.replace(/;\d*$/u, '');
      const path = dir.path === '/' ? `/${name}` : `${dir.path}/${name}`;
      this.#checkName(name, first, path);
      let node: FsNode;
      if (su?.childLink !== undefined) node = await this.#relocated(group, name, path, su, ancestors, idPrefix);
      else node = this.#makeNode(group, name, path, su, ancestors, idPrefix);
      entries.push(node);
    }
    return { dot, dotDot, entries };
  }

  /** The directory record facts of a node this reader made (undefined for others). */
  recordInfo(node: FsNode): IsoRecordInfo | undefined {
    return this.#states.get(node)?.info;
  }

  #tree(): IsoVolumeDescriptor {
    return this.names === 'joliet' && this.descriptors.joliet ? this.descriptors.joliet : this.descriptors.primary;
  }

  #warn(w: FsWarning): void {
    if (this.warnings.length < this.#dropped.maxWarnings) this.warnings.push(w);
    else this.#dropped.dropped++;
  }

  #systemUse(record: DirectoryRecord, path: string): SystemUseInfo | Promise<SystemUseInfo> {
    const options: SystemUseOptions = {
      skip: record.isDot && path === '/' ? 0 : this.descriptors.rockRidge.skip,
      path,
      warn: this.#warnBound,
      readContinuation: this.#readContinuation,
    };
    return parseSystemUseFast(record.systemUse, options);
  }


  /** A CL placeholder: the directory it points to, with that directory's own '.' attributes. */
  async #relocated(
    group: DirectoryRecord[], name: string, path: string, su: SystemUseInfo, ancestors: ReadonlySet<number>, idPrefix: string,
  ): Promise<FsNode> {
    const target = su.childLink!;
    try {
      const first = await readBytes(this.#source, target * this.blockSize, DIRECTORY_SECTOR);
      const dotRecord = parseDirectory(first, { joliet: false, highSierra: false, path, warn: (w) => this.#warn(w), maxRecords: 1 })[0];
      if (dotRecord?.isDot) {
        const dotSu = await this.#systemUse(dotRecord, path);
        const record: DirectoryRecord = { ...dotRecord, flags: dotRecord.flags | FLAG_DIRECTORY };
        const node = this.#makeNode([record], name, path, { ...dotSu, name }, ancestors, idPrefix);
        const state = this.#states.get(node);
        if (state) state.info.relocatedFrom = group[0]!.extent;
        return node;
      }
      this.#warn({ code: 'RR_BAD_CL', message: `the relocated directory at block ${target} has no '.' record`, path });
    } catch (error) {
      this.#warn({ code: 'RR_BAD_CL', message: `the relocated directory at block ${target} is unreadable: ${(error as Error).message}`, path });
    }
    return this.#makeNode(group, name, path, su, ancestors, idPrefix);
  }

  #makeNode(
    group: DirectoryRecord[], name: string, path: string, su: SystemUseInfo | undefined, ancestors: ReadonlySet<number>, idPrefix: string,
  ): FsNode {
    const first = group[0]!;
    const last = group[group.length - 1]!;
    const isDirectory = (first.flags & FLAG_DIRECTORY) !== 0;
    const extents = [];
    let size = 0;
    for (const r of group) {
      size += r.dataLength;
      if (r.dataLength === 0 && !isDirectory) continue;
      extents.push({ start: (r.extent + r.extendedAttributeLength) * this.blockSize, length: r.dataLength });
    }
    let kind: FsNodeKind = isDirectory ? 'directory' : 'file';
    if (!isDirectory && su) {
      if (su.linkTarget !== undefined) kind = 'symlink';
      else if (su.mode !== undefined) kind = kindOfMode(su.mode);
    }
    const node: FsNode = { name, path, kind, size, extents, id: '' };
    const times = su?.times;
    const mtime = times?.modify ?? first.date.date;
    if (mtime) node.mtime = mtime;
    if (times?.access) node.atime = times.access;
    if (times?.attributes) node.ctime = times.attributes;
    if (times?.creation) node.birthtime = times.creation;
    if (su?.mode !== undefined) node.mode = su.mode;
    if (su?.uid !== undefined) node.uid = su.uid;
    if (su?.gid !== undefined) node.gid = su.gid;
    if (su?.nlink !== undefined) node.nlink = su.nlink;
    if (su?.linkTarget !== undefined && kind === 'symlink') node.linkTarget = su.linkTarget;
    if ((first.flags & (FLAG_HIDDEN | FLAG_ASSOCIATED)) !== 0) node.hidden = true;
    const block = first.extent + first.extendedAttributeLength;
    node.id = isDirectory ? `iso:d:${block}` : `iso:f:${idPrefix}`;
    let loop = false;
    let chain = ancestors;
    if (isDirectory && name !== '' && name !== '.' && name !== '..') {
      if (ancestors.has(block)) {
        loop = true;
        this.#warn({ code: 'ISO_DIRECTORY_LOOP', message: `directory at block ${block} contains itself; not descending`, path });
      } else chain = new Set([...ancestors, block]);
    } else if (name === '') chain = new Set([block]);
    for (const e of extents) {
      if (e.start + e.length > this.#sourceEnd) {
        this.#warn({ code: 'ISO_EXTENT_PAST_END', message: `data at byte ${e.start} (${e.length} bytes) lies past the end of the source`, path });
        break;
      }
    }
    if (!this.#dateWarned && isInvalidRecordDate(first.date)) {
      this.#dateWarned = true;
      this.#warn({ code: 'ISO_BAD_DATE', message: 'a directory record has an invalid date', path });
    }
    this.#states.set(node, {
      info: {
        extent: first.extent,
        flags: last.flags,
        date: first.date,
        recordName: first.name,
        extendedAttributeLength: first.extendedAttributeLength,
        fileUnitSize: first.fileUnitSize,
        interleaveGap: first.interleaveGap,
        records: group.length,
      },
      ancestors: chain,
      loop,
    });
    return node;
  }

  #checkName(name: string, record: DirectoryRecord, path: string): void {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
      this.#warn({ code: 'ISO_UNSAFE_NAME', message: `the name ${JSON.stringify(name)} cannot be a file name as it is`, path });
      return;
    }
    if (this.names === 'iso' && !this.#nameWarned && this.type === 'iso9660' && !/^[A-Z0-9_.]*(;\d+)?$/u.test(record.name)) {
      this.#nameWarned = true;
      this.#warn({ code: 'ISO_NAME_CHARACTERS', message: `"${record.name}" has characters outside the d-characters`, path });
    }
  }
}

/** File kind from POSIX st_mode type bits. */
export function kindOfMode(mode: number): FsNodeKind {
  switch (mode & S_IFMT) {
    case 0o040000: return 'directory';
    case 0o100000: return 'file';
    case 0o120000: return 'symlink';
    case 0o020000:
    case 0o060000: return 'device';
    case 0o010000: return 'fifo';
    case 0o140000: return 'socket';
    default: return 'file';
  }
}

function parentPath(path: string): string {
  if (path === '/') return '/';
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}
