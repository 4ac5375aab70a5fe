/**
 * RIFF/WAVE headers for CD audio: 16-bit stereo 44.1 kHz little-endian PCM. The writer emits the
 * canonical 44-byte header; the parser accepts any chunk order and skips unknown chunks, but
 * never trusts a size field beyond the bytes it was given.
 */

import { FormatError } from '../errors.js';

/** Size of the header {@link wavHeader} writes. */
export const WAV_HEADER_SIZE = 44;
/** Largest data chunk a 44-byte-header WAV can declare (RIFF sizes are 32-bit). */
export const MAX_WAV_DATA = 0xffffffff - 36;

/** A 44-byte RIFF/WAVE header for `dataBytes` bytes of CD audio. */
export function wavHeader(dataBytes: number): Uint8Array {
  if (!Number.isInteger(dataBytes) || dataBytes < 0 || dataBytes > MAX_WAV_DATA) {
    throw new RangeError(`WAV data size ${dataBytes} is outside 0..${MAX_WAV_DATA}`);
  }
  const header = new Uint8Array(WAV_HEADER_SIZE);
  const view = new DataView(header.buffer);
  writeAscii(header, 0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  writeAscii(header, 8, 'WAVE');
  writeAscii(header, 12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 2, true);
  view.setUint32(24, 44_100, true);
  view.setUint32(28, 44_100 * 4, true);
  view.setUint16(32, 4, true);
  view.setUint16(34, 16, true);
  writeAscii(header, 36, 'data');
  view.setUint32(40, dataBytes, true);
  return header;
}

/** What {@link parseWavHeader} found. */
export interface WavInfo {
  /** 1 = PCM, 0xFFFE = WAVE_FORMAT_EXTENSIBLE. */
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /**
   * Bytes of sample data: the data chunk's declared size, cut to what the file holds when
   * `fileSize` says it is shorter (a truncated file), and rounded down to whole frames.
   */
  dataBytes: number;
  /** The data chunk declares more bytes than the file holds. */
  truncated: boolean;
  /** True when the format is 16-bit stereo 44.1 kHz PCM, i.e. CD audio. */
  cdAudio: boolean;
}

const MAX_CHUNKS = 1024;

/**
 * Parses the header of a WAV file. `head` holds the file's first bytes (at least up to the data
 * chunk's header; 64 KiB is plenty for real files); `fileSize` is the whole file's size when known.
 * Throws FormatError for anything that is not a PCM RIFF/WAVE file.
 */
export function parseWavHeader(head: Uint8Array, fileSize: number = head.length, file?: string): WavInfo {
  const fail = (message: string): never => {
    throw new FormatError(`not a usable WAV file: ${message}`, file === undefined ? {} : { file });
  };
  if (head.length < 12) fail('shorter than a RIFF header');
  if (readAscii(head, 0) !== 'RIFF') fail(readAscii(head, 0) === 'RIFX' ? 'big-endian RIFX is not supported' : 'no RIFF signature');
  if (readAscii(head, 8) !== 'WAVE') fail('RIFF form type is not WAVE');
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let offset = 12;
  let format: Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'truncated' | 'cdAudio'> | undefined;
  for (let chunk = 0; chunk < MAX_CHUNKS; chunk++) {
    if (offset + 8 > head.length) fail(offset + 8 > fileSize ? 'no data chunk' : 'chunk headers extend past the bytes given');
    const id = readAscii(head, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > head.length) fail('fmt chunk is too short');
      format = {
        formatTag: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (format === undefined) fail('data chunk before fmt chunk');
      const f = format!;
      if (f.formatTag !== 1 && f.formatTag !== 0xfffe) fail(`format tag ${f.formatTag} is not PCM`);
      if (f.channels === 0 || f.blockAlign === 0 || f.bitsPerSample === 0) fail('fmt chunk has zero channels, block size or sample size');
      const available = Math.max(0, fileSize - body);
      const truncated = size > available;
      const bytes = Math.min(size, available);
      return {
        ...f,
        dataOffset: body,
        dataBytes: bytes - (bytes % f.blockAlign),
        truncated,
        cdAudio: f.channels === 2 && f.sampleRate === 44_100 && f.bitsPerSample === 16 && f.blockAlign === 4,
      };
    }
    // Chunks are padded to even sizes.
    offset = body + size + (size & 1);
    if (offset > fileSize) fail(`chunk "${printable(id)}" extends past the end of the file`);
  }
  return fail(`more than ${MAX_CHUNKS} chunks before the data chunk`);
}

function writeAscii(target: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) target[offset + i] = text.charCodeAt(i);
}

function readAscii(source: Uint8Array, offset: number): string {
  return String.fromCharCode(source[offset] ?? 0, source[offset + 1] ?? 0, source[offset + 2] ?? 0, source[offset + 3] ?? 0);
}

function printable(id: string): string {
  return id.replace(/[^\x20-\x7e]/g, '?');
}
