/**
 * Finding a UDF volume: the Volume Recognition Sequence, the anchors at 256, N−256 and N−1,
 * the main and reserve Volume Descriptor Sequences and the integrity descriptor.
 */

import type { SectorSource } from '../../sources/sector-source.js';
import { FsReadError, readBytes } from '../read-bytes.js';
import type { FsWarning } from '../types.js';
import {
  TAG, checkTag, decodeDstring, formatRevision, le16, le32, parseExtentAd, parseLongAd, parseRegId, parseTimestamp, udfRevision,
  type ExtentAd, type LongAd,
} from './descriptors.js';

/** Most descriptors followed in one sequence, VDP continuations included. */
const MAX_VDS_DESCRIPTORS = 256;
const MAX_VRS_DESCRIPTORS = 64;

export interface VrsInfo {
  /** Identifiers in order from sector 16: 'CD001', 'BEA01', 'NSR03', 'TEA01'… */
  identifiers: string[];
  /** 2 for NSR02 (UDF ≤ 1.50), 3 for NSR03, undefined without NSR. */
  nsr: 2 | 3 | undefined;
}

export interface AnchorInfo {
  location: number;
  mainVds: ExtentAd;
  reserveVds: ExtentAd;
}

export interface PartitionMap {
  /** 1 physical, 2 virtual/sparable/metadata (by `identifier`). */
  type: 1 | 2;
  identifier: string;
  partitionNumber: number;
  /** Metadata partition: file locations (blocks in the physical partition). */
  metadataFile?: number;
  metadataMirror?: number;
}

export interface PartitionDescriptor {
  number: number;
  contents: string;
  accessType: number;
  /** Absolute sector of the partition's block 0. */
  start: number;
  /** Sectors. */
  length: number;
}

export interface IntegrityInfo {
  location: number;
  recorded: Date | undefined;
  /** 'open' (a writer did not close it) or 'closed'. */
  state: 'open' | 'closed' | 'unknown';
  partitionSizes: number[];
  freeSpace: number[];
  files: number | undefined;
  directories: number | undefined;
  minReadRevision: number | undefined;
  minWriteRevision: number | undefined;
  maxWriteRevision: number | undefined;
}

export interface UdfVolume {
  vrs: VrsInfo;
  anchors: AnchorInfo[];
  /** Which VDS the descriptors came from. */
  vdsUsed: 'main' | 'reserve';
  volumeIdentifier: string;
  volumeSetIdentifier: string;
  recorded: Date | undefined;
  logicalVolumeIdentifier: string;
  blockSize: number;
  domain: string;
  /** UDF revision from the domain identifier (0x0102 … 0x0260). */
  revision: number;
  revisionText: string;
  fileSetLocation: LongAd;
  integrityExtent: ExtentAd;
  integrity: IntegrityInfo | undefined;
  partitionMaps: PartitionMap[];
  partitions: PartitionDescriptor[];
  implementation: string;
  /** From the Implementation Use Volume Descriptor's LVInfo. */
  lvInfo: { charset: string; logicalVolume: string; info: string[]; implementation: string } | undefined;
  /** Last sector (exclusive) of every structure found: the volume cannot end before it. */
  structuresEnd: number;
}

/** Descriptor identifiers of the recognition sequence that continue it. */
const VRS_IDS = new Set(['CD001', 'BEA01', 'NSR02', 'NSR03', 'TEA01', 'BOOT2', 'CDW02']);

async function tryRead(source: SectorSource, at: number, length: number): Promise<Uint8Array | undefined> {
  try {
    return await readBytes(source, at, length);
  } catch (error) {
    if (error instanceof FsReadError) return undefined;
    throw error;
  }
}

/** The recognition sequence from sector `sessionStart` + 16 (2048-byte descriptors). */
export async function readVrs(source: SectorSource, sessionStart = source.firstLba): Promise<VrsInfo> {
  const identifiers: string[] = [];
  let nsr: VrsInfo['nsr'];
  for (let i = 0; i < MAX_VRS_DESCRIPTORS; i++) {
    const d = await tryRead(source, (sessionStart + 16) * 2048 + i * 2048, 7);
    if (d === undefined) break;
    const id = String.fromCharCode(...d.subarray(1, 6));
    if (!VRS_IDS.has(id)) break;
    identifiers.push(id);
    if (id === 'NSR02') nsr = 2;
    if (id === 'NSR03') nsr = 3;
  }
  return { identifiers, nsr };
}

/** The AVDP at `sector`, if one is recorded there (checksum, CRC and location checked). */
export async function readAnchor(source: SectorSource, sector: number): Promise<AnchorInfo | undefined> {
  if (sector < source.firstLba || sector >= source.firstLba + source.sectorCount) return undefined;
  const b = await tryRead(source, sector * source.sectorSize, 512);
  if (b === undefined) return undefined;
  const check = checkTag(b, sector);
  if (!check.ok || check.tag.id !== TAG.AVDP) return undefined;
  return { location: sector, mainVds: parseExtentAd(b, 16), reserveVds: parseExtentAd(b, 24) };
}

/** Anchors at session start + 256, N − 256 and N − 1, N being the source's sector count end. */
export async function findAnchors(source: SectorSource, sessionStart = source.firstLba): Promise<AnchorInfo[]> {
  const end = source.firstLba + source.sectorCount;
  const places = [...new Set([sessionStart + 256, end - 256, end - 1])].filter((s) => s >= sessionStart + 256);
  const out: AnchorInfo[] = [];
  for (const place of places) {
    const anchor = await readAnchor(source, place);
    if (anchor !== undefined) out.push(anchor);
  }
  return out;
}

interface VdsContents {
  pvd?: Uint8Array;
  lvd?: Uint8Array;
  iuvd?: Uint8Array;
  pds: Uint8Array[];
  complete: boolean;
}

async function readVds(source: SectorSource, extent: ExtentAd, warnings: FsWarning[], which: string): Promise<VdsContents> {
  const out: VdsContents = { pds: [], complete: false };
  const size = source.sectorSize;
  let location = extent.location;
  let left = Math.min(Math.floor(extent.length / size), MAX_VDS_DESCRIPTORS);
  let budget = MAX_VDS_DESCRIPTORS;
  const best = new Map<string, number>();
  // Of several descriptors of one kind, the one with the highest sequence number prevails.
  const keep = (key: string, d: Uint8Array): boolean => {
    const vdsNumber = le32(d, 16);
    const prev = best.get(key);
    if (prev !== undefined && prev > vdsNumber) return false;
    best.set(key, vdsNumber);
    return true;
  };
  while (left > 0 && budget-- > 0) {
    const d = await tryRead(source, location * size, size);
    if (d === undefined) {
      warnings.push({ code: 'udf-vds-unreadable', message: `${which} VDS: sector ${location} is unreadable or past the end` });
      return out;
    }
    const check = checkTag(d, location);
    if (!check.ok) {
      if (check.reason !== 'blank') warnings.push({ code: 'udf-tag', message: `${which} VDS: sector ${location}: ${check.reason}` });
      location++;
      left--;
      continue;
    }
    const id = check.tag.id;
    if (id === TAG.TD) {
      out.complete = true;
      return out;
    }
    if (id === TAG.VDP) {
      const next = parseExtentAd(d, 20);
      location = next.location;
      left = Math.min(Math.floor(next.length / size), MAX_VDS_DESCRIPTORS);
      continue;
    }
    if (id === TAG.PVD && keep('pvd', d)) out.pvd = d;
    else if (id === TAG.LVD && keep('lvd', d)) out.lvd = d;
    else if (id === TAG.IUVD && keep('iuvd', d)) out.iuvd = d;
    else if (id === TAG.PD) out.pds.push(d);
    location++;
    left--;
  }
  // Ending without a terminator is allowed when the extent is used up.
  out.complete = left <= 0;
  return out;
}

function parsePartitionMaps(lvd: Uint8Array, warnings: FsWarning[]): PartitionMap[] {
  const tableLength = le32(lvd, 264);
  const count = le32(lvd, 268);
  const maps: PartitionMap[] = [];
  let o = 440;
  const end = Math.min(440 + tableLength, lvd.length);
  for (let i = 0; i < count && i < 64 && o + 2 <= end; i++) {
    const type = lvd[o] ?? 0;
    const length = lvd[o + 1] ?? 0;
    if (length < 6 || o + length > end) {
      warnings.push({ code: 'udf-partition-map', message: `partition map ${i} has length ${length}` });
      break;
    }
    if (type === 1) maps.push({ type: 1, identifier: '', partitionNumber: le16(lvd, o + 4) });
    else if (type === 2 && length >= 64) {
      const identifier = parseRegId(lvd, o + 4).identifier;
      const map: PartitionMap = { type: 2, identifier, partitionNumber: le16(lvd, o + 38) };
      if (identifier === '*UDF Metadata Partition') {
        map.metadataFile = le32(lvd, o + 40);
        map.metadataMirror = le32(lvd, o + 44);
      }
      maps.push(map);
    } else warnings.push({ code: 'udf-partition-map', message: `partition map ${i} has unknown type ${type}` });
    o += length;
  }
  return maps;
}

function parsePd(d: Uint8Array): PartitionDescriptor {
  return { number: le16(d, 22), contents: parseRegId(d, 24).identifier, accessType: le32(d, 184), start: le32(d, 188), length: le32(d, 192) };
}

async function readIntegrity(source: SectorSource, extent: ExtentAd, warnings: FsWarning[]): Promise<IntegrityInfo | undefined> {
  if (extent.length === 0) return undefined;
  let location = extent.location;
  let left = Math.floor(extent.length / source.sectorSize);
  let last: IntegrityInfo | undefined;
  // The last LVID of the sequence is the current one; next-extent links continue it.
  for (let budget = 0; left > 0 && budget < MAX_VDS_DESCRIPTORS; budget++) {
    const d = await tryRead(source, location * source.sectorSize, source.sectorSize);
    if (d === undefined) {
      warnings.push({ code: 'udf-lvid-unreadable', message: `integrity descriptor at sector ${location} is unreadable or past the end` });
      break;
    }
    const check = checkTag(d, location);
    if (!check.ok || check.tag.id !== TAG.LVID) {
      if (check.ok && check.tag.id === TAG.TD) break;
      if (last === undefined) warnings.push({ code: 'udf-lvid', message: `no integrity descriptor at sector ${location}${check.ok ? '' : `: ${check.reason}`}` });
      break;
    }
    const partitions = Math.min(le32(d, 72), 64);
    const impUseLength = le32(d, 76);
    const freeSpace: number[] = [];
    const partitionSizes: number[] = [];
    for (let i = 0; i < partitions; i++) {
      freeSpace.push(le32(d, 80 + 4 * i));
      partitionSizes.push(le32(d, 80 + 4 * (partitions + i)));
    }
    const iu = 80 + 8 * partitions;
    const hasIu = impUseLength >= 46 && iu + 46 <= d.length;
    const type = le32(d, 28);
    last = {
      location,
      recorded: parseTimestamp(d, 16),
      state: type === 1 ? 'closed' : type === 0 ? 'open' : 'unknown',
      partitionSizes,
      freeSpace,
      files: hasIu ? le32(d, iu + 32) : undefined,
      directories: hasIu ? le32(d, iu + 36) : undefined,
      minReadRevision: hasIu ? le16(d, iu + 40) : undefined,
      minWriteRevision: hasIu ? le16(d, iu + 42) : undefined,
      maxWriteRevision: hasIu ? le16(d, iu + 44) : undefined,
    };
    const next = parseExtentAd(d, 32);
    if (next.length > 0) {
      location = next.location;
      left = Math.floor(next.length / source.sectorSize);
    } else {
      location++;
      left--;
    }
  }
  return last;
}

/**
 * Reads the UDF volume of the session starting at `sessionStart` (absolute sector; default the
 * source's first): undefined without an NSR descriptor or without any valid anchor. Descriptors
 * come from the main VDS, or from the reserve VDS when the main one lacks the LVD or a PD.
 */
export async function readUdfVolume(source: SectorSource, warnings: FsWarning[] = [], sessionStart = source.firstLba): Promise<UdfVolume | undefined> {
  const vrs = await readVrs(source, sessionStart);
  if (vrs.nsr === undefined) return undefined;
  const anchors = await findAnchors(source, sessionStart);
  const anchor = anchors[0];
  if (anchor === undefined) {
    warnings.push({ code: 'udf-no-anchor', message: 'NSR descriptor present but no anchor at sector 256, N−256 or N−1' });
    return undefined;
  }
  let vds = await readVds(source, anchor.mainVds, warnings, 'main');
  let vdsUsed: UdfVolume['vdsUsed'] = 'main';
  if (vds.lvd === undefined || vds.pds.length === 0) {
    const reserve = await readVds(source, anchor.reserveVds, warnings, 'reserve');
    if (reserve.lvd !== undefined && reserve.pds.length > 0) {
      vds = reserve;
      vdsUsed = 'reserve';
      warnings.push({ code: 'udf-main-vds', message: 'the main VDS is incomplete; using the reserve VDS' });
    }
  }
  const lvd = vds.lvd;
  if (lvd === undefined) {
    warnings.push({ code: 'udf-no-lvd', message: 'no Logical Volume Descriptor in either VDS' });
    return undefined;
  }
  const domain = parseRegId(lvd, 216);
  const revision = udfRevision(domain.suffix);
  const partitionMaps = parsePartitionMaps(lvd, warnings);
  const partitions = vds.pds.map(parsePd);
  const integrityExtent = parseExtentAd(lvd, 432);
  const integrity = await readIntegrity(source, integrityExtent, warnings);
  const pvd = vds.pvd;
  const iuvd = vds.iuvd;
  let lvInfo: UdfVolume['lvInfo'];
  if (iuvd !== undefined && parseRegId(iuvd, 20).identifier === '*UDF LV Info') {
    lvInfo = {
      charset: '',
      logicalVolume: decodeDstring(iuvd, 116, 128, warnings),
      info: [decodeDstring(iuvd, 244, 36, warnings), decodeDstring(iuvd, 280, 36, warnings), decodeDstring(iuvd, 316, 36, warnings)],
      implementation: parseRegId(iuvd, 352).identifier,
    };
  }
  const blockSize = le32(lvd, 212);
  const bs = source.sectorSize;
  const ends = [
    ...anchors.map((a) => a.location + 1),
    ...[anchor.mainVds, anchor.reserveVds].filter((e) => e.length > 0).map((e) => e.location + Math.ceil(e.length / bs)),
    ...partitions.map((p) => p.start + p.length),
  ];
  if (integrityExtent.length > 0 && integrity !== undefined) ends.push(integrity.location + 1);
  return {
    vrs,
    anchors,
    vdsUsed,
    volumeIdentifier: pvd === undefined ? '' : decodeDstring(pvd, 24, 32, warnings),
    volumeSetIdentifier: pvd === undefined ? '' : decodeDstring(pvd, 72, 128, warnings),
    recorded: pvd === undefined ? undefined : parseTimestamp(pvd, 376),
    logicalVolumeIdentifier: decodeDstring(lvd, 84, 128, warnings),
    blockSize,
    domain: domain.identifier,
    revision,
    revisionText: formatRevision(revision),
    fileSetLocation: parseLongAd(lvd, 248),
    integrityExtent,
    integrity,
    partitionMaps,
    partitions,
    implementation: pvd === undefined ? '' : parseRegId(pvd, 388).identifier,
    lvInfo,
    structuresEnd: Math.max(...ends),
  };
}
