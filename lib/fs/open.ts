/**
 * Opens the filesystems an image holds, from what detection found: one reader per volume, each
 * read through the same source. Volumes that fail to open are reported, not thrown.
 */

import { DiscError } from '../errors.js';
import { openFileSource, type FileSource } from '../sources/file-source.js';
import type { SectorSource } from '../sources/sector-source.js';
import type { VolumeSizeCheck } from './size-check.js';
import { openHfs } from './hfs/hfs.js';
import { openHfsPlus } from './hfsplus/hfsplus.js';
import { openIso9660 } from './iso9660/reader.js';
import type { FileSystemReader } from './types.js';
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
