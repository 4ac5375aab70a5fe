/**
 * What is on an image or disc: partition maps (Apple, MBR, GPT) and filesystems (ISO 9660,
 * UDF, HFS, HFS+), hybrids included, each with its name, declared size and where it starts.
 */

import { DiscError } from '../errors.js';
import type { ReadOptions, ReadOutcome, SectorSource } from '../sources/sector-source.js';
import { embeddedHfsPlus, parseMdb, type HfsMdb } from './hfs/hfs.js';
import { findHfsPlus, openHfsPlus, type HfsPlusHeader } from './hfsplus/hfsplus.js';
import { readApplePartitionMap, tryRead, type ApplePartitionMap } from './partition/apm.js';
import { gptTypeName, readGpt, type GptTable } from './partition/gpt.js';
import { mbrTypeName, readMbr, type MbrTable } from './partition/mbr.js';
import type { FsType, FsWarning } from './types.js';
import { readUdfVolume, type UdfVolume } from './udf/volume.js';

export interface DetectOptions {
  /**
   * LBA of the source's first sector on the disc (an image of a later session): ISO 9660 and
   * UDF addresses are absolute, so they are read `offset` sectors lower. Default 0.
   */
  offset?: number;
}

/** The names isolyzer gives filesystems. */
export type FsDisplayName = 'ISO 9660' | 'UDF' | 'HFS' | 'HFS+';

export interface DetectedFileSystem {
  type: Exclude<FsType, 'high-sierra'>;
  name: FsDisplayName;
  label: string;
  /** Byte address of the volume's first byte, from the source's first byte. */
  at: number;
  /** Bytes the volume declares (its own size fields). */
  sizeBytes: number;
  /** The same in 2048-byte sectors, rounded up. */
  sizeSectors: number;
  blockSize: number;
  blockCount: number;
  /** Version or revision: 'UDF 2.01', 'HFS+ 4', 'HFSX 5', 'ISO 9660 + Joliet', 'High Sierra'. */
  version: string;
  /** The partition holding it, when found through a map. */
  partition?: { map: 'apm' | 'mbr' | 'gpt'; index: number; type: string };
  /** Details of the volume's structures, per filesystem. */
  details: IsoDetails | UdfVolume | HfsMdb | HfsPlusDetails;
}

export interface IsoDetails {
  volumeSpaceSize: number;
  logicalBlockSize: number;
  systemIdentifier: string;
  volumeSetIdentifier: string;
  publisher: string;
  dataPreparer: string;
  application: string;
  created: string;
  joliet: string | undefined;
  elTorito: boolean;
  /** 'CD-XA001' at byte 1024 of the PVD. */
  xa: boolean;
  /** A High Sierra volume ('CDROM' descriptors), not ISO 9660 proper. */
  highSierra: boolean;
}

export interface HfsPlusDetails extends HfsPlusHeader {
  /** Byte address of the HFS wrapper around it, if any. */
  wrapperAt: number | undefined;
}

export interface DetectedPartitionMap {
  kind: 'apm' | 'mbr' | 'gpt';
  at: number;
  /** Apple map block size, or 512 for MBR and GPT. */
  blockSize: number;
  entries: { index: number; name: string; type: string; start: number; length: number; bootable?: boolean }[];
  table: ApplePartitionMap | MbrTable | GptTable;
}

export interface Detection {
  /** Bytes readable from the source (whole sectors). */
  sourceBytes: number;
  partitionMaps: DetectedPartitionMap[];
  fileSystems: DetectedFileSystem[];
  warnings: FsWarning[];
}

/**
 * A view of `source` whose first sector is LBA `offset` (plus its own first LBA): absolute disc
 * addresses read from the right sectors of an image of a later session.
 */
export function withOffset(source: SectorSource, offset: number): SectorSource {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`Expected "offset" to be a non-negative integer, got ${String(offset)}`);
  if (offset === 0) return source;
  return {
    name: source.name,
    sectorSize: source.sectorSize,
    firstLba: source.firstLba + offset,
    sectorCount: source.sectorCount,
    maxSectorsPerRead: source.maxSectorsPerRead,
    read: (lba: number, count: number, options?: ReadOptions): Promise<ReadOutcome> =>
      shift(source.read(lba - offset, count, options), offset),
    close: () => source.close(),
  };
}

async function shift(outcome: Promise<ReadOutcome>, offset: number): Promise<ReadOutcome> {
  const result = await outcome;
  if (result.ok || result.failedLba === undefined) return result;
  return { ...result, failedLba: result.failedLba + offset };
}

function le32(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16)) + (b[o + 3] ?? 0) * 0x1000000;
}

function text(b: Uint8Array, o: number, n: number): string {
  return String.fromCharCode(...b.subarray(o, o + n)).replace(/[\0 ]+$/u, '');
}

function ucs2(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = 0; i + 1 < n; i += 2) s += String.fromCharCode(((b[o + i] ?? 0) << 8) | (b[o + i + 1] ?? 0));
  return s.replace(/[\0 ]+$/u, '');
}

const MAX_VOLUME_DESCRIPTORS = 64;

/**
 * ISO 9660: the PVD (and Joliet/El Torito presence) of the session at the source's first LBA.
 * A High Sierra volume (ISO 9660's predecessor, 'CDROM' at byte 9) is reported as ISO 9660 with
 * version 'High Sierra': the same sizing rule applies and the same reader lists it.
 */
export async function detectIso9660(source: SectorSource): Promise<DetectedFileSystem | undefined> {
  const size = source.sectorSize;
  let pvd: Uint8Array | undefined;
  let joliet: string | undefined;
  let elTorito = false;
  let highSierra = false;
  for (let i = 0; i < MAX_VOLUME_DESCRIPTORS; i++) {
    const d = await tryRead(source, (source.firstLba + 16 + i) * size, 2048);
    if (d === undefined) break;
    if (text(d, 1, 5) !== 'CD001') {
      // High Sierra: only its primary descriptor matters here (no Joliet, no El Torito).
      if (i === 0 && text(d, 9, 5) === 'CDROM' && d[8] === 1) {
        pvd = d;
        highSierra = true;
      }
      break;
    }
    const type = d[0];
    if (type === 1 && pvd === undefined) pvd = d;
    if (type === 0 && text(d, 7, 32).startsWith('EL TORITO')) elTorito = true;
    if (type === 2 && d[88] === 0x25 && d[89] === 0x2f && [0x40, 0x43, 0x45].includes(d[90] ?? 0)) joliet = ucs2(d, 40, 32);
    if (type === 255) break;
  }
  if (pvd === undefined) return undefined;
  // High Sierra's fields sit 8 bytes further (a sector number comes first), 24 after the root
  // record; its dates are 16 digits without a zone.
  const at = highSierra ? HIGH_SIERRA_FIELDS : ISO_FIELDS;
  const volumeSpaceSize = le32(pvd, at.spaceSize);
  const logicalBlockSize = (pvd[at.blockSize] ?? 0) | ((pvd[at.blockSize + 1] ?? 0) << 8);
  const details: IsoDetails = {
    volumeSpaceSize,
    logicalBlockSize,
    systemIdentifier: text(pvd, at.system, 32),
    volumeSetIdentifier: text(pvd, at.volumeSet, 128),
    publisher: text(pvd, at.publisher, 128),
    dataPreparer: text(pvd, at.preparer, 128),
    application: text(pvd, at.application, 128),
    created: text(pvd, at.created, 16),
    joliet,
    elTorito,
    xa: !highSierra && text(pvd, 1024, 8) === 'CD-XA001',
    highSierra,
  };
  // The volume ends at absolute sector volumeSpaceSize: bytes from this session's start.
  const sizeBytes = Math.max(0, volumeSpaceSize - source.firstLba) * logicalBlockSize;
  return {
    type: 'iso9660',
    name: 'ISO 9660',
    label: text(pvd, at.volume, 32),
    at: 0,
    sizeBytes,
    sizeSectors: Math.ceil(sizeBytes / 2048),
    blockSize: logicalBlockSize,
    blockCount: volumeSpaceSize,
    version: highSierra ? 'High Sierra' : ['ISO 9660', joliet !== undefined ? 'Joliet' : '', elTorito ? 'El Torito' : ''].filter(Boolean).join(' + '),
    details,
  };
}

/** PVD field offsets used by detection (ECMA-119 8.4; High Sierra's layout for the other). */
const ISO_FIELDS = { system: 8, volume: 40, spaceSize: 80, blockSize: 128, volumeSet: 190, publisher: 318, preparer: 446, application: 574, created: 813 };
const HIGH_SIERRA_FIELDS = { system: 16, volume: 48, spaceSize: 88, blockSize: 136, volumeSet: 214, publisher: 342, preparer: 470, application: 598, created: 790 };

/** UDF in the session at the source's first LBA, sized as its Partition Descriptor declares. */
export async function detectUdf(source: SectorSource, warnings: FsWarning[]): Promise<DetectedFileSystem | undefined> {
  const volume = await readUdfVolume(source, warnings);
  if (volume === undefined) return undefined;
  const pd = volume.partitions[volume.partitions.length - 1];
  const blockCount = pd === undefined ? 0 : pd.start + pd.length - source.firstLba;
  const sizeBytes = Math.max(0, blockCount) * volume.blockSize;
  return {
    type: 'udf',
    name: 'UDF',
    label: volume.logicalVolumeIdentifier || volume.volumeIdentifier,
    at: 0,
    sizeBytes,
    sizeSectors: Math.ceil(sizeBytes / 2048),
    blockSize: volume.blockSize,
    blockCount: Math.max(0, blockCount),
    version: `UDF ${volume.revisionText}`,
    details: volume,
  };
}

/** HFS or HFS+ (possibly wrapped) whose volume starts at byte `at` of the source. */
export async function detectAppleVolumes(source: SectorSource, at: number): Promise<DetectedFileSystem[]> {
  const base = source.firstLba * source.sectorSize;
  const block = await tryRead(source, base + at + 1024, 512);
  if (block === undefined) return [];
  const out: DetectedFileSystem[] = [];
  const mdb = parseMdb(block);
  if (mdb !== undefined) {
    const sizeBytes = mdb.allocationBlocks * mdb.allocationBlockSize;
    out.push({
      type: 'hfs', name: 'HFS', label: mdb.volumeName, at, sizeBytes, sizeSectors: Math.ceil(sizeBytes / 2048),
      blockSize: mdb.allocationBlockSize, blockCount: mdb.allocationBlocks,
      version: embeddedHfsPlus(mdb) ? 'HFS wrapper' : 'HFS', details: mdb,
    });
  }
  const plus = await findHfsPlus(source, base + at);
  if (plus !== undefined) {
    const h = plus.header;
    const sizeBytes = h.totalBlocks * h.blockSize;
    out.push({
      type: 'hfsplus', name: 'HFS+', label: await hfsPlusVolumeName(source, plus.start), at: plus.start - base, sizeBytes,
      sizeSectors: Math.ceil(sizeBytes / 2048), blockSize: h.blockSize, blockCount: h.totalBlocks,
      version: `${h.signature === 'HX' ? 'HFSX' : 'HFS+'} ${h.version}`,
      details: { ...h, wrapperAt: plus.wrapperStart === undefined ? undefined : plus.wrapperStart - base },
    });
  }
  return out;
}

/** The HFS+ volume name (its root folder's name), or '' when the catalog cannot be read. */
async function hfsPlusVolumeName(source: SectorSource, start: number): Promise<string> {
  try {
    return (await openHfsPlus(source, { start })).label;
  } catch (error) {
    if (error instanceof DiscError) return '';
    throw error;
  }
}

/**
 * Everything recognisable on the source: partition maps first, then filesystems in the order
 * ISO 9660, UDF, HFS/HFS+ at the start, HFS/HFS+ inside partitions. Unreadable or missing
 * structures leave things out (and add warnings); only a failing source throws.
 */
export async function detectFileSystems(source: SectorSource, options: DetectOptions = {}): Promise<Detection> {
  const view = withOffset(source, options.offset ?? 0);
  const warnings: FsWarning[] = [];
  const partitionMaps: DetectedPartitionMap[] = [];
  const base = view.firstLba * view.sectorSize;
  const apm = await readApplePartitionMap(view, base);
  if (apm !== undefined) {
    warnings.push(...apm.warnings);
    partitionMaps.push({
      kind: 'apm', at: 0, blockSize: apm.blockSize,
      entries: apm.entries.map((e) => ({ index: e.index, name: e.name, type: e.type, start: e.start - base, length: e.length })),
      table: apm,
    });
  }
  const mbr = await readMbr(view, base);
  if (mbr !== undefined) {
    partitionMaps.push({
      kind: 'mbr', at: 0, blockSize: 512,
      entries: mbr.entries.map((e) => ({ index: e.index, name: '', type: mbrTypeName(e.type), start: e.start - base, length: e.length, bootable: e.bootable })),
      table: mbr,
    });
  }
  const gpt = await readGpt(view, base);
  if (gpt !== undefined) {
    warnings.push(...gpt.warnings);
    partitionMaps.push({
      kind: 'gpt', at: 512, blockSize: 512,
      entries: gpt.entries.map((e) => ({ index: e.index, name: e.name, type: gptTypeName(e.typeGuid), start: e.start - base, length: e.length })),
      table: gpt,
    });
  }
  const fileSystems: DetectedFileSystem[] = [];
  const iso = await detectIso9660(view);
  if (iso !== undefined) fileSystems.push(iso);
  const udf = await detectUdf(view, warnings);
  if (udf !== undefined) fileSystems.push(udf);
  fileSystems.push(...(await detectAppleVolumes(view, 0)));
  const seen = new Set(fileSystems.map((f) => `${f.type}@${f.at}`));
  for (const map of partitionMaps) {
    for (const entry of map.entries) {
      if (entry.start <= 0 || entry.length < 2048 || entry.type === 'Apple_partition_map' || entry.type === 'Apple_Free') continue;
      for (const fs of await detectAppleVolumes(view, entry.start)) {
        const key = `${fs.type}@${fs.at}`;
        if (seen.has(key)) continue;
        seen.add(key);
        fs.partition = { map: map.kind, index: entry.index, type: entry.type };
        fileSystems.push(fs);
      }
    }
  }
  const sourceBytes = view.sectorCount * view.sectorSize;
  return { sourceBytes, partitionMaps, fileSystems, warnings };
}
