export * from './errors.js';
export * from './transport/transport.js';
export { CommandQueue } from './transport/command-queue.js';
export { classifyCompletion, transportErrorFromSystemError } from './transport/classify.js';
export { openNativeTransport, NativeTransport, COMMAND_CHANNEL } from './transport/native-transport.js';
export type { NativeTransportOptions, CommandEvent } from './transport/native-transport.js';
export { loadNativeBinding } from './transport/native-binding.js';
export type { NativeBinding, NativeDevice, NativeCompletion, NativeOpenOptions, NativeDirection } from './transport/native-binding.js';
export * as scsi from './scsi/index.js';
export { Drive } from './drive/drive.js';
export type {
  OpenOptions,
  CommandOptions,
  WaitReadyOptions,
  WaitReadyResult,
  ReadSectorsOptions,
  ReadCdOptions,
  ReadCdResult,
} from './drive/drive.js';
export type { DriveCapabilities } from './drive/capabilities.js';
export type { DiscToc, TocSession, TocTrack } from './drive/toc.js';
export { listDrives, findDrive, parseMountinfo } from './drive/discovery.js';
export type { DriveInfo, DiscoveryOptions, MountEntry } from './drive/discovery.js';
export { RecordingTransport, ReplayTransport, ReplayMismatchError, RECORDING_FORMAT, RECORDING_VERSION } from './transport/recording.js';
export type { Recording, RecordedExchange, ReplayOptions } from './transport/recording.js';
export * as image from './image/index.js';
export * as emulator from './emulator/index.js';
export { createEmulatedDrive, EmulatedDrive, driveProfiles, createSyntheticDisc } from './emulator/index.js';
export type { EmulatedDriveOptions, DriveProfile, FaultOptions, DiscModel } from './emulator/index.js';
export * as sources from './sources/index.js';
export {
  IntervalMap,
  combine as combineMaps,
  readMapfile,
  loadMapfile,
  formatMapfile,
  saveMapfile,
  mapfileStats,
  listBlocks,
  writeFileAtomic,
} from './rescue/index.js';
export type { Mapfile, MapfileStats, BlockStatus } from './rescue/index.js';
export { mergeRescues } from './rescue/merge.js';
export { compareWithSource } from './rescue/compare.js';
export { renderMapSvg } from './rescue/map-svg.js';
export { rescue, RescueSetupError } from './rescue/engine.js';
export type { RescueOptions, RescueResult, RescueProgress, BadArea } from './rescue/engine.js';
export { openSectorSource } from './sources/open-source.js';
export type { SectorSource, ReadOutcome } from './sources/sector-source.js';
export * as fs from './fs/index.js';
export { openIso9660, openUdf, openHfs, openHfsPlus, detectFileSystems, checkImageSize, deepVerify, extractTree } from './fs/index.js';
export type { FileSystemReader, FsNode, FsExtent, ImageSizeCheck, DeepVerifyReport } from './fs/index.js';
export { splitImage } from './image/split.js';
export { verifyRawImage } from './cd/verify-raw.js';
export type { RawVerifyReport } from './cd/verify-raw.js';
export { dumpDisc } from './dump/index.js';
export type { DumpOptions, DumpResult } from './dump/index.js';
export { analyzeDisc } from './analysis/disc-analysis.js';
export type { DiscAnalysis, DiscType } from './analysis/disc-analysis.js';
export * as audio from './audio/index.js';
export { computeDiscIds, loadDiscIdLayout, discIdLayoutFromToc, parseAccurateRipResponse, matchAccurateRip, accurateRipCrcs, trackCrc32 } from './audio/index.js';
export type { DiscIds, DiscIdLayout } from './audio/index.js';
export { createFlacWriter, encodeFlac, FlacEncoder } from './audio/flac/index.js';
export type { FlacWriter, FlacSummary, FlacEncoderOptions, FlacTags } from './audio/flac/index.js';
export { ripAudio, createWavTrackSink, createImageSink, formatRipLog, describeRip } from './audio/rip/index.js';
export type { RipOptions, RipResult, AudioSink, ChecksumHook } from './audio/rip/index.js';
export { createFlacTrackSink, createFlacImageSink, accurateRipHook, crc32Hook, findDriveOffset } from './audio/rip/index.js';
