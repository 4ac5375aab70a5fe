/** Secure audio ripping: the engine, its sinks, index scanning and logs. */

export { ripAudio, pcmBytes } from './rip.js';
export type { RipOptions, RipResult } from './rip.js';
export { ripSpan, SampleState } from './engine.js';
export type { SpanOptions, SpanResult } from './engine.js';
export { AudioReader } from './reader.js';
export type { AudioReaderOptions, RawRead, ReaderStats } from './reader.js';
export { scanIndexes } from './index-scan.js';
export type { ScanInput, ScanResult, ScannedTrack } from './index-scan.js';
export { createWavTrackSink, createImageSink, imageCue, formatTrackName, DEFAULT_NAME_FORMAT, CDPARANOIA_NAME_FORMAT } from './sinks.js';
export type { ImageSink, ImageCueInfo } from './sinks.js';
export { formatRipLog, describeRip } from './log.js';
export { createFlacTrackSink, createFlacImageSink, flacNameFormat, DEFAULT_FLAC_NAME_FORMAT, CDPARANOIA_FLAC_NAME_FORMAT } from './flac-sink.js';
export type { FlacTrackSink, FlacTrackSinkOptions, FlacImageSink, FlacImageSinkOptions } from './flac-sink.js';
export { ripTrackTags, ripImageTags, ripDiscTags, readRipTagSource } from './tags.js';
export type { RipTagSource, RipTagSourceRead } from './tags.js';
export { accurateRipHook, crc32Hook, checkAccurateRipResponse, ACCURATERIP_HOOK_NAME, CRC32_HOOK_NAME } from './verify-hooks.js';
export type { AccurateRipHookOptions, AccurateRipChecksumResult, Crc32ChecksumResult } from './verify-hooks.js';
export { findDriveOffset, lookupDriveOffsetOf } from './offset.js';
export type { FindOffsetOptions, OffsetSearchResult, OffsetCandidate, OffsetTrackMatch, DriveOffsetLookup } from './offset.js';
export type { RipLogOptions } from './log.js';
export type * from './types.js';
