/**
 * Opens the filesystems an image holds, from what detection found: one reader per volume, each
 * read through the same source. Volumes that fail to open are reported, not thrown.
 */

import { DiscError, FormatError } from '../errors.js';
import { openFileSource, type FileSource } from '../sources/file-source.js';
import type { SectorSource } from '../sources/sector-source.js';
import type { VolumeSizeCheck } from './size-check.js';
import { detectFileSystems } from './detect.js';
import { openHfs } from './hfs/hfs.js';
import { openHfsPlus } from './hfsplus/hfsplus.js';
import { openIso9660, type IsoNames } from './iso9660/reader.js';
import type { FileSystemReader, FsWarning } from './types.js';
import { openUdf } from './udf/udf.js';

export interface OpenedFileSystem {
  /** isolyzer's name: 'ISO 9660', 'UDF', 'HFS', 'HFS+'. */
  name: string;
  /** Byte address of the volume. */
  at: number;
  reader?: FileSystemReader;
  /** Why it could not be opened. */
  error?: string;
}

/** Readers for the volumes of a size check (or of detection), in its order. */
export async function openFileSystems(source: SectorSource, volumes: Pick<VolumeSizeCheck, 'name' | 'at'>[], offset?: number): Promise<OpenedFileSystem[]> {
  const opened: OpenedFileSystem[] = [];
  for (const volume of volumes) {
    if (volume.name === 'Apple Partition Map') continue;
    const entry: OpenedFileSystem = { name: volume.name, at: volume.at };
    try {
      if (volume.name === 'ISO 9660') entry.reader = await openIso9660(source, offset === undefined ? {} : { offset });
      else if (volume.name === 'UDF') entry.reader = await openUdf(source, offset === undefined ? {} : { sessionStart: offset });
      else if (volume.name === 'HFS+') entry.reader = await openHfsPlus(source, { start: volume.at });
      else if (volume.name === 'HFS') entry.reader = await openHfs(source, { start: volume.at });
    } catch (error) {
      if (!(error instanceof DiscError)) throw error;
      entry.error = error.message;
    }
    opened.push(entry);
  }
  return opened;
}

/** The filesystems `openFileSystem` can be asked for by name. */
export type FsChoice = 'iso' | 'udf' | 'hfs' | 'hfsplus';

export interface OpenFileSystemOptions {
  /** Which filesystem of a hybrid; default ISO 9660 when present (as isoinfo), else UDF, else HFS+, else HFS. */
  fs?: FsChoice;
  /** ISO 9660 namespace (implies ISO 9660 when `fs` is not given). */
  names?: IsoNames;
  /** Sector where the session starts (ISO 9660 and UDF address the disc absolutely). */
  offset?: number;
}

/** A reader together with the warnings it collects while it reads. */
export type OpenedReader = FileSystemReader & { readonly warnings: FsWarning[] };

/**
 * Opens one filesystem of `source` for reading: the one asked for, or the first of ISO 9660,
 * UDF, HFS+ and HFS that is there. Apple volumes are found at the start of the source or
 * inside a partition map (a hybrid's HFS side). Throws FormatError when there is none.
 */
export async function openFileSystem(source: SectorSource, options: OpenFileSystemOptions = {}): Promise<OpenedReader> {
  const { offset, names } = options;
  const fs = options.fs ?? (names === undefined ? undefined : 'iso');
  if (names !== undefined && fs !== 'iso') throw new FormatError(`name spaces (${names}) are an ISO 9660 choice, not one of ${fs}`);
  const tried: string[] = [];
  if (fs === undefined || fs === 'iso') {
    try {
      return await openIso9660(source, { ...(names ? { names } : {}), ...(offset === undefined ? {} : { offset }) });
    } catch (error) {
      if (fs === 'iso' || !(error instanceof FormatError)) throw error;
      // A descriptor set that is there but broken is worth naming; an absent one is not.
      if (!error.message.includes('no ISO 9660 volume descriptor')) tried.push(`ISO 9660: ${error.message}`);
    }
  }
  if (fs === undefined || fs === 'udf') {
    try {
      return await openUdf(source, offset === undefined ? {} : { sessionStart: offset });
    } catch (error) {
      if (fs === 'udf' || !(error instanceof FormatError)) throw error;
      if (!error.message.startsWith('no UDF volume')) tried.push(`UDF: ${error.message}`);
    }
  }
  // Apple volumes address their own blocks, not the disc: found from the source's start.
  const detection = await detectFileSystems(source);
  const base = source.firstLba * source.sectorSize;
  const order: ('hfsplus' | 'hfs')[] = fs === 'hfs' ? ['hfs'] : fs === 'hfsplus' ? ['hfsplus'] : ['hfsplus', 'hfs'];
  for (const type of order) {
    const found = detection.fileSystems.filter((f) => f.type === type);
    // An HFS wrapper only holds a notice; its HFS+ volume is what it is for.
    const volume = found.find((f) => f.version !== 'HFS wrapper') ?? found[0];
    if (volume === undefined) continue;
    return type === 'hfs' ? openHfs(source, { start: base + volume.at }) : openHfsPlus(source, { start: base + volume.at });
  }
  const wanted = { iso: 'ISO 9660', udf: 'UDF', hfs: 'HFS', hfsplus: 'HFS+' };
  throw new FormatError(fs === undefined
    ? `${source.name}: no ISO 9660, UDF, HFS+ or HFS volume${tried.length > 0 ? ` (${tried.join('; ')})` : ''}`
    : `${source.name}: no ${wanted[fs]} volume`);
}

/**
 * Opens an image file for a filesystem that starts at disc sector `offset` (a later session).
 * Two layouts are common: the whole disc from sector 0 (a dump), where the session's volume
 * descriptors are at file sector offset + 16; or the session alone (`mkisofs -C`, isolyzer's
 * and `isoinfo -N`'s view), whose first byte is disc sector `offset`. The descriptors tell which:
 * the source returned addresses disc sectors either way.
 */
export async function openImageAt(path: string, offset: number | undefined): Promise<FileSource> {
  const whole = await openFileSource(path);
  if (!offset) return whole;
  if (await hasVolumeDescriptor(whole, offset + 16)) return whole;
  if (!(await hasVolumeDescriptor(whole, 16))) return whole;
  await whole.close();
  return openFileSource(path, { firstLba: offset });
}

/** ISO 9660 ('CD001'), High Sierra ('CDROM') or UDF (BEA01/NSR0x) volume descriptor at `lba`. */
async function hasVolumeDescriptor(source: SectorSource, lba: number): Promise<boolean> {
  if (lba < source.firstLba || lba >= source.firstLba + source.sectorCount) return false;
  const outcome = await source.read(lba, 1);
  if (!outcome.ok) return false;
  const id = new TextDecoder('latin1').decode(outcome.data.subarray(1, 6));
  const hsId = new TextDecoder('latin1').decode(outcome.data.subarray(9, 14));
  return id === 'CD001' || id === 'BEA01' || id.startsWith('NSR0') || hsId === 'CDROM';
}
