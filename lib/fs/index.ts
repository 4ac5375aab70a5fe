/**
 * Filesystems and partition maps, read-only over a SectorSource: ISO 9660 (Joliet, Rock Ridge,
 * El Torito, High Sierra), UDF, HFS, HFS+, Apple partition map, MBR, GPT; detection, the image
 * size check, deep verification, extraction.
 */

export * from './types.js';
export { readBytes, FsReadError, MAX_STRUCTURE_BYTES } from './read-bytes.js';
export { openIso9660, Iso9660Reader } from './iso9660/reader.js';
export type { IsoNames, OpenIso9660Options, Iso9660Descriptors, IsoRecordInfo, IsoDirectoryListing, IsoRockRidgeInfo } from './iso9660/reader.js';
export { openUdf } from './udf/udf.js';
export type { UdfReader, UdfNode, UdfOpenOptions, UdfVat } from './udf/udf.js';
export { openHfs, parseMdb } from './hfs/hfs.js';
export type { HfsNode, HfsMdb, HfsOpenOptions, ResourceFork } from './hfs/hfs.js';
export { openHfsPlus, parseHfsPlusHeader } from './hfsplus/hfsplus.js';
export type { HfsPlusReader, HfsPlusHeader, HfsPlusOpenOptions } from './hfsplus/hfsplus.js';
export { readApplePartitionMap } from './partition/apm.js';
export type { ApplePartitionMap, ApmEntry } from './partition/apm.js';
export { readMbr, parseMbr, mbrTypeName } from './partition/mbr.js';
export type { MbrTable, MbrEntry } from './partition/mbr.js';
export { readGpt, gptTypeName } from './partition/gpt.js';
export type { GptTable, GptEntry } from './partition/gpt.js';
export { detectFileSystems, withOffset } from './detect.js';
export type { Detection, DetectedFileSystem, DetectedPartitionMap, DetectOptions, FsDisplayName } from './detect.js';
export { checkImageSize } from './size-check.js';
export type { ImageSizeCheck, VolumeSizeCheck, SizeCheckOptions } from './size-check.js';
export { deepVerify } from './deep-verify.js';
export type { DeepVerifyReport, DeepVerifyOptions, DeepVerifyProblem, DamagedFile, ByteRange } from './deep-verify.js';
export { extractTree } from './extract.js';
export type { ExtractOptions, ExtractReport } from './extract.js';
export { walkTree, findNode } from './walk.js';
export type { WalkStep, WalkOptions } from './walk.js';
export { openFileSystems, openFileSystem } from './open.js';
export type { OpenedFileSystem, FsChoice, OpenFileSystemOptions, OpenedReader } from './open.js';
