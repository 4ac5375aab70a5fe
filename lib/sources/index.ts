/** SectorSource and its implementations: what rescue, imaging and verification read through. */

export type { ReadOptions, ReadOutcome, RetryLevel, SectorSource } from './sector-source.js';
export { createDriveSource, RAW_SECTOR_SIZE } from './drive-source.js';
export type { DriveSource, DriveSourceMode, DriveSourceOptions } from './drive-source.js';
export { defaultExtent, readDiscLayout, trimDataBeforeAudio } from './drive-extent.js';
export type { DefaultExtent, DiscLayout, ExtentSource, LbaSpan } from './drive-extent.js';
export { classifyReadError } from './drive-read-errors.js';
export type { ReadErrorVerdict, ReadTarget } from './drive-read-errors.js';
export { openFileSource } from './file-source.js';
export type { FileSource, FileSourceOptions } from './file-source.js';
export { blockDeviceSizeBytes, splitDeviceNumber } from './block-device-size.js';
export { createMemorySource } from './memory-source.js';
export type { MemorySource, MemorySourceOptions, MemorySourceStats } from './memory-source.js';
export { openSectorSource, isDriveAddress } from './open-source.js';
export type { OpenSectorSourceOptions } from './open-source.js';
export { checkReadRange } from './check-read-range.js';
