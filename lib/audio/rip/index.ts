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
export type * from './types.js';
