/**
 * Is the image as long as its filesystems say? The result uses isolyzer's field names and, on
 * complete images, its numbers; where isolyzer's estimate would call a truncated image complete
 * (UDF trailing descriptors, HFS alternate MDB, block 0 that only looks like an Apple map), the
 * filesystem's own structures decide. docs/verify.md has the rules and the cases behind them.
 */

import { openFileSource, type FileSource } from '../sources/file-source.js';
import type { SectorSource } from '../sources/sector-source.js';
import { detectFileSystems, withOffset, type DetectedFileSystem, type DetectedPartitionMap, type FsDisplayName } from './detect.js';
import { hfsAllocationEnd, parseMdb, type HfsMdb } from './hfs/hfs.js';
import { parseHfsPlusHeader } from './hfsplus/hfsplus.js';
import type { ApplePartitionMap } from './partition/apm.js';
import { tryRead } from './partition/apm.js';
import type { FsWarning } from './types.js';
import { TAG, checkTag } from './udf/descriptors.js';
import type { UdfVolume } from './udf/volume.js';
import { openUdf, type UdfReader } from './udf/udf.js';
import { FsReadError } from './read-bytes.js';
import { FormatError } from '../errors.js';

export interface SizeCheckOptions {
  /** LBA of the image's first sector on the disc (isolyzer's --offset). Default 0. */
  offset?: number;
  /** Actual size in bytes, when the source is not a file (default: the file size, or whole sectors). */
  sizeBytes?: number;
}

/** One filesystem's (or the Apple map's) part in the verdict. */
export interface VolumeSizeCheck {
  /** 'ISO 9660', 'UDF', 'HFS', 'HFS+' or 'Apple Partition Map'. */
  name: FsDisplayName | 'Apple Partition Map';
  label: string;
  /** Byte address of the volume in the image. */
  at: number;
  /** isolyzer's estimate of the image size from this volume (bytes). */
  sizeExpected: number;
  /** Bytes the image must hold for this volume to be complete, from its own structures. */
  sizeRequired: number;
  /** Which structure set sizeRequired. */
  rule: string;
  /** sizeActual ≥ sizeRequired. */
  complete: boolean;
}

/** isolyzer's `tests` fields, plus the per-volume reasoning. */
export interface ImageSizeCheck {
  /** isolyzer's file system names, in detection order. */
  fileSystems: FsDisplayName[];
  containsKnownFileSystem: boolean;
  sectorOffset: number;
  sizeExpected: number;
  sizeActual: number;
  sizeDifference: number;
  /** sizeDifference / 2048, not rounded. */
  sizeDifferenceSectors: number;
  sizeAsExpected: boolean;
  smallerThanExpected: boolean;
  /** The largest sizeRequired: below it the image is certainly incomplete. */
  sizeRequired: number;
  volumes: VolumeSizeCheck[];
  detected: DetectedFileSystem[];
  partitionMaps: DetectedPartitionMap[];
  warnings: FsWarning[];
}

/** Sectors scanned backwards for a UDF closing anchor at most. */
const MAX_ANCHOR_SCAN = 65536;
/** Largest HFS alternate-MDB window read (one allocation block). */
const MAX_HFS_WINDOW = 16 * 1024 * 1024;

/**
 * Checks an image (a path, opened as a 2048-byte FileSource, or a source) against the sizes its
 * filesystems declare. The actual size of a file is its size in bytes, partial sector included.
 */
export async function checkImageSize(image: string | SectorSource, options: SizeCheckOptions = {}): Promise<ImageSizeCheck> {
  if (typeof image === 'string') {
    const source = await openFileSource(image);
    try {
      return await checkImageSize(source, options);
    } finally {
      await source.close();
    }
  }
  const offset = options.offset ?? 0;
  const fileBytes = (image as Partial<FileSource>).sizeBytes;
  const sizeActual = options.sizeBytes ?? (typeof fileBytes === 'number' ? fileBytes : image.sectorCount * image.sectorSize);
  const detection = await detectFileSystems(image, { offset });
  const view = withOffset(image, offset);
  const warnings = [...detection.warnings];
  const volumes: VolumeSizeCheck[] = [];
  for (const fs of detection.fileSystems) {
    volumes.push(await volumeCheck(view, fs, sizeActual, warnings));
  }
  const apm = detection.partitionMaps.find((m) => m.kind === 'apm');
  if (apm !== undefined) {
    const table = apm.table as ApplePartitionMap;
    volumes.push({
      name: 'Apple Partition Map', label: '', at: 0, sizeExpected: table.sizeBytes, sizeRequired: table.sizeBytes,
      rule: 'end of the last map entry', complete: sizeActual >= table.sizeBytes,
    });
  }
  const estimate = Math.max(0, ...volumes.map((v) => v.sizeExpected));
  const sizeRequired = Math.max(0, ...volumes.map((v) => v.sizeRequired));
  // isolyzer's estimate, unless a volume proves the image shorter than it needs to be.
  const sizeExpected = sizeActual < sizeRequired ? Math.max(estimate, sizeRequired) : estimate;
  const sizeDifference = sizeActual - sizeExpected;
  const names: FsDisplayName[] = [];
  for (const fs of detection.fileSystems) if (!names.includes(fs.name)) names.push(fs.name);
  return {
    fileSystems: names,
    containsKnownFileSystem: names.length > 0,
    sectorOffset: offset,
    sizeExpected,
    sizeActual,
    sizeDifference,
    sizeDifferenceSectors: sizeDifference / 2048,
    sizeAsExpected: sizeDifference === 0 && sizeExpected !== 0,
    smallerThanExpected: sizeDifference < 0,
    sizeRequired,
    volumes,
    detected: detection.fileSystems,
    partitionMaps: detection.partitionMaps,
    warnings,
  };
}

async function volumeCheck(view: SectorSource, fs: DetectedFileSystem, sizeActual: number, warnings: FsWarning[]): Promise<VolumeSizeCheck> {
  const base = { name: fs.name, label: fs.label, at: fs.at };
  const done = (sizeExpected: number, sizeRequired: number, rule: string): VolumeSizeCheck => ({
    ...base, sizeExpected, sizeRequired, rule, complete: sizeActual >= sizeRequired,
  });
  switch (fs.type) {
    case 'iso9660':
      return done(fs.sizeBytes, fs.sizeBytes, 'volume space size × logical block size');
    case 'udf': {
      const volume = fs.details as UdfVolume;
      const vatEnd = await udfVatEnd(view, volume);
      if (vatEnd !== undefined) return done(vatEnd.bytes, vatEnd.bytes, vatEnd.rule);
      // isolyzer sizes UDF only when it could read the integrity descriptor.
      const expected = volume.integrity === undefined ? 0 : fs.sizeBytes;
      const end = await udfVolumeEnd(view, volume, warnings);
      return done(expected, Math.max(0, end.sector - view.firstLba) * view.sectorSize, end.rule);
    }
    case 'hfs': {
      const expected = fs.at + fs.sizeBytes;
      const end = await hfsVolumeEnd(view, fs.at, fs.details as HfsMdb, sizeActual, warnings);
      return done(expected, end.bytes, end.rule);
    }
    case 'hfsplus': {
      const end = fs.at + fs.sizeBytes;
      const base0 = view.firstLba * view.sectorSize;
      if (end <= sizeActual && end >= 1024) {
        const backup = await tryRead(view, base0 + end - 1024, 512);
        if (backup !== undefined && parseHfsPlusHeader(backup) === undefined) {
          warnings.push({ code: 'hfsplus-no-alternate-header', message: `HFS+ volume at byte ${fs.at}: no alternate volume header at its end` });
        }
      }
      return done(end, end, 'total blocks × block size');
    }
  }
}

/**
 * A write-once volume with a virtual partition (UDF 1.50+ on CD-R) ends at its VAT, the last
 * sector written; its partition declares the blank disc's capacity, which says nothing of what
 * was recorded. Without a readable VAT the usual rules apply (and the image counts as cut short).
 */
async function udfVatEnd(view: SectorSource, volume: UdfVolume): Promise<{ bytes: number; rule: string } | undefined> {
  if (!volume.partitionMaps.some((m) => m.type === 2 && m.identifier === '*UDF Virtual Partition')) return undefined;
  let reader: UdfReader;
  try {
    reader = await openUdf(view);
  } catch (error) {
    if (error instanceof FormatError || error instanceof FsReadError) return undefined;
    throw error;
  }
  if (reader.vat === undefined) return undefined;
  const end = reader.vat.location + 1;
  return { bytes: Math.max(0, end - view.firstLba) * view.sectorSize, rule: `write-once volume: ends at its VAT (sector ${reader.vat.location})` };
}

/**
 * Where a UDF volume ends (exclusive absolute sector). The closing anchor at N−1 decides; when
 * the last sector holds none, the highest anchor found further back is taken as N−1 when it
 * follows every other structure, else as N−256. A volume with no closing anchor at all (not
 * write-once) lost it: it ends at least one sector past both its structures and the image.
 */
async function udfVolumeEnd(view: SectorSource, volume: UdfVolume, warnings: FsWarning[]): Promise<{ sector: number; rule: string }> {
  const first = view.firstLba;
  const imageEnd = first + view.sectorCount;
  const structures = volume.structuresEnd;
  const tail = Math.max(...volume.anchors.map((a) => a.location));
  if (tail === imageEnd - 1 && tail > first + 256) return { sector: Math.max(imageEnd, structures), rule: 'anchor at the last sector (N−1)' };
  const lowest = Math.max(first + 257, Math.min(imageEnd, structures) - 300, imageEnd - MAX_ANCHOR_SCAN);
  const found = await scanForAnchor(view, imageEnd - 1, lowest);
  if (found !== undefined) {
    if (found + 1 >= structures) return { sector: found + 1, rule: `closing anchor at sector ${found} (N−1)` };
    return { sector: Math.max(found + 257, structures), rule: `anchor at sector ${found} taken as N−256` };
  }
  const writeOnce = volume.partitions.some((p) => p.accessType === 2);
  if (writeOnce) return { sector: structures, rule: 'write-once volume without a closing anchor: end of its structures' };
  warnings.push({
    code: 'udf-closing-anchor-missing',
    message: 'no anchor at N−1 or N−256: the end of the volume is missing (a UDF volume records two of the anchors at 256, N−256, N−1)',
  });
  return { sector: Math.max(structures + 1, imageEnd + 1), rule: 'closing anchor missing: at least one sector past the image' };
}

/** The highest sector in [lowest, from] holding an AVDP tagged with its own location. */
async function scanForAnchor(view: SectorSource, from: number, lowest: number): Promise<number | undefined> {
  const size = view.sectorSize;
  const chunk = Math.max(1, Math.min(view.maxSectorsPerRead, 64));
  for (let hi = from; hi >= lowest; hi -= chunk) {
    const lo = Math.max(lowest, hi - chunk + 1);
    const bytes = await tryRead(view, lo * size, (hi - lo + 1) * size);
    if (bytes === undefined) continue;
    for (let s = hi; s >= lo; s--) {
      const at = (s - lo) * size;
      const check = checkTag(bytes.subarray(at, at + 512), s);
      if (check.ok && check.tag.id === TAG.AVDP) return s;
    }
  }
  return undefined;
}

/**
 * Where an HFS volume ends (bytes from the image start): 1024 bytes past its alternate MDB,
 * which lies in the allocation block's worth of 512-byte sectors after the last allocation
 * block. Missing there while the image covers that window: a hybrid without one, trust the
 * allocation blocks; cut off by the image end: the image is short.
 */
async function hfsVolumeEnd(view: SectorSource, at: number, mdb: HfsMdb, sizeActual: number, warnings: FsWarning[]): Promise<{ bytes: number; rule: string }> {
  const allocEnd = at + hfsAllocationEnd(mdb);
  const window = Math.min(mdb.allocationBlockSize, MAX_HFS_WINDOW);
  const readable = Math.min(window, Math.floor((sizeActual - allocEnd) / 512) * 512);
  const base = view.firstLba * view.sectorSize;
  if (readable >= 512) {
    const bytes = await tryRead(view, base + allocEnd, readable);
    if (bytes !== undefined) {
      for (let p = 0; p + 512 <= bytes.length; p += 512) {
        const alt = parseMdb(bytes.subarray(p, p + 512));
        if (alt !== undefined && alt.created?.getTime() === mdb.created?.getTime() && alt.allocationBlocks === mdb.allocationBlocks) {
          return { bytes: allocEnd + p + 1024, rule: `alternate MDB at byte ${allocEnd + p}` };
        }
      }
    }
  }
  if (readable >= window) {
    warnings.push({ code: 'hfs-no-alternate-mdb', message: `HFS volume at byte ${at}: no alternate MDB after its allocation blocks` });
    return { bytes: allocEnd, rule: 'end of the allocation blocks (no alternate MDB)' };
  }
  const firstMissing = Math.max(0, Math.floor((sizeActual - allocEnd - 512) / 512) + 1);
  return { bytes: allocEnd + 512 * firstMissing + 1024, rule: 'alternate MDB cut off by the end of the image' };
}
