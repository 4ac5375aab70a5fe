/**
 * One entry point from an address to a SectorSource: a drive path, an `emu:` address, or an image
 * file / block device.
 */

import { Drive, type OpenOptions } from '../drive/drive.js';
import type { EmulatedAddressOptions } from '../emulator/address.js';
import { createDriveSource, RAW_SECTOR_SIZE, type DriveSourceMode, type DriveSourceOptions } from './drive-source.js';
import { openFileSource } from './file-source.js';
import type { SectorSource } from './sector-source.js';

export interface OpenSectorSourceOptions {
  /** 'data' (default): 2048-byte user data; 'raw': 2352-byte sectors (READ CD, or a BIN file). */
  mode?: DriveSourceMode;
  /**
   * Bytes per sector. Files: default 2352 in 'raw' mode, else 2048. Drives: READ(10) block length
   * in 'data' mode; 'raw' is always 2352.
   */
  sectorSize?: number;
  /** Extent override for drives (default: see createDriveSource); the first LBA of a file. */
  firstLba?: number;
  sectorCount?: number;
  /**
   * 'auto' (default): `/dev/…` and `emu:…` are drives, anything else a file. 'file' reads a
   * block device through the kernel (a hard disk, a USB stick, or /dev/sr0 like GNU ddrescue).
   */
  kind?: 'auto' | 'drive' | 'file';
  /** For `emu:` addresses: defect map, drive profile, seed, faults. */
  emulator?: EmulatedAddressOptions;
  /** How to open a real drive (exclusive, writable, timeout …). */
  drive?: Omit<OpenOptions, 'emulator'>;
  /** Drive sources: how to wait for a drive that is spinning up. */
  waitReady?: DriveSourceOptions['waitReady'];
}

/** Whether `address` names a drive rather than a file under 'auto'. */
export function isDriveAddress(address: string): boolean {
  return address.startsWith('/dev/') || address.startsWith('emu:') || address.startsWith('replay:');
}

/**
 * Opens `address` as a SectorSource. Drives are opened with Drive.open and owned by the source
 * (closing the source closes the drive); files with openFileSource.
 */
export async function openSectorSource(address: string, options: OpenSectorSourceOptions = {}): Promise<SectorSource> {
  if (typeof address !== 'string' || address.length === 0) throw new TypeError('Expected "address" to be a non-empty string');
  if (typeof options !== 'object' || options === null) throw new TypeError('Expected "options" to be an object');
  const mode = options.mode ?? 'data';
  if (mode !== 'data' && mode !== 'raw') throw new RangeError(`Expected "mode" to be 'data' or 'raw', got ${JSON.stringify(mode)}`);
  const kind = options.kind ?? 'auto';
  if (kind !== 'auto' && kind !== 'drive' && kind !== 'file') {
    throw new RangeError(`Expected "kind" to be 'auto', 'drive' or 'file', got ${JSON.stringify(kind)}`);
  }
  const asDrive = kind === 'drive' || (kind === 'auto' && isDriveAddress(address));
  if (!asDrive) {
    return openFileSource(address, {
      sectorSize: options.sectorSize ?? (mode === 'raw' ? RAW_SECTOR_SIZE : 2048),
      ...(options.firstLba === undefined ? {} : { firstLba: options.firstLba }),
    });
  }
  if (mode === 'raw' && options.sectorSize !== undefined && options.sectorSize !== RAW_SECTOR_SIZE) {
    throw new RangeError(`Expected "sectorSize" to be ${RAW_SECTOR_SIZE} for a drive in 'raw' mode, got ${options.sectorSize}`);
  }
  const drive = await Drive.open(address, {
    ...options.drive,
    ...(options.emulator === undefined ? {} : { emulator: options.emulator }),
  });
  return createDriveSource(drive, {
    mode,
    closeDrive: true,
    ...(mode === 'data' && options.sectorSize !== undefined ? { blockLength: options.sectorSize } : {}),
    ...(options.firstLba === undefined ? {} : { firstLba: options.firstLba }),
    ...(options.sectorCount === undefined ? {} : { sectorCount: options.sectorCount }),
    ...(options.waitReady === undefined ? {} : { waitReady: options.waitReady }),
  });
}
