/** CD audio: WAV headers, verification data (AccurateRip, CRC-32), disc ids, drive offsets. */

export * from './wav.js';
export * from './checksums.js';
export * from './accuraterip.js';
export * from './disc-id.js';
export * from './drive-offsets.js';
export * from './flac/index.js';
export * from './rip/index.js';
