/** Our FLAC encoder: lossless, streaming, for CD audio and other 8/16/24-bit PCM. */

export { FlacEncoder, encodeFlac, type FlacEncoderOptions, type FlacStreamEnd, type FlacSummary } from './encoder.js';
export { createFlacWriter, type FlacWriter } from './writer.js';
export { flacVendorString, STREAMINFO_LENGTH, STREAMINFO_OFFSET, type FlacTags } from './metadata.js';
export { flacCrc8, flacCrc16 } from './crc.js';
