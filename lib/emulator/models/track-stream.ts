/**
 * A track's bytes as an image lays them out: one stream of `stride`-byte sectors, pregap first,
 * made of file pieces; whatever no piece covers is generated (PREGAP, POSTGAP, SILENCE, ZERO).
 * The content provider cuts sector after sector out of that stream.
 */

import type { ContentFill, TrackContent } from '../synthetic-disc.js';
import type { ByteSource } from './byte-source.js';

/** Bytes of a file placed in the track stream. */
export interface StreamPiece {
  /** Byte position in the track stream (sector i covers [i × stride, (i + 1) × stride)). */
  start: number;
  length: number;
  source: ByteSource;
  /** Position of the piece's first byte in the file. */
  sourceOffset: number;
  /** Swap the bytes of each 16-bit word: big-endian audio to the little-endian a drive returns. */
  swap16?: boolean;
}

/** Whole raw 2352-byte sectors taken from a file, outside the stream (cdrdao FILE in a data track). */
export interface RawSectorPiece {
  /** First sector, counted from the track's first pregap sector. */
  firstSector: number;
  sectorCount: number;
  source: ByteSource;
  sourceOffset: number;
}

/** A track's stream: its file pieces, sector size and what each sector's bytes are. */
export interface TrackStreamOptions {
  /** File pieces, ascending and not overlapping. */
  pieces: readonly StreamPiece[];
  /** Bytes per sector in the stream (2048, 2324, 2336, 2352, or 2448 with 96 sub-channel bytes). */
  stride: number;
  /**
   * What the first bytes of each stride are: 'raw' 2352-byte sectors (audio, or data with sync and
   * header), 'user' data (as many bytes as the sector's user data), 'mode2-body' (2336 bytes from
   * the subheader on).
   */
  format: 'raw' | 'user' | 'mode2-body';
  rawSectors?: readonly RawSectorPiece[];
}

const RAW_BYTES = 2352;
const MODE2_BODY_BYTES = 2336;

/** The TrackContent that serves a track stream. */
export function trackStreamContent(options: TrackStreamOptions): TrackContent {
  const { pieces, stride, format } = options;
  const rawSectors = options.rawSectors ?? [];
  let scratch = new Uint8Array(0);
  const readPiece = (piece: StreamPiece, from: number, to: number, target: Uint8Array, targetOffset: number): void => {
    if (!piece.swap16) {
      piece.source.readAt(piece.sourceOffset + from - piece.start, target.subarray(targetOffset, targetOffset + to - from));
      return;
    }
    // Swap whole words: read from the even byte at or before `from` to the odd one after `to`.
    const relativeFrom = from - piece.start;
    const relativeTo = to - piece.start;
    const alignedFrom = relativeFrom & ~1;
    const alignedTo = Math.min(piece.length, (relativeTo + 1) & ~1);
    const length = alignedTo - alignedFrom;
    if (scratch.length < length) scratch = new Uint8Array(length);
    const words = scratch.subarray(0, length);
    piece.source.readAt(piece.sourceOffset + alignedFrom, words);
    for (let i = 0; i + 1 < length; i += 2) {
      const low = words[i] ?? 0;
      words[i] = words[i + 1] ?? 0;
      words[i + 1] = low;
    }
    target.set(words.subarray(relativeFrom - alignedFrom, relativeTo - alignedFrom), targetOffset);
  };
  return {
    fill(_lba: number, sectorIndex: number, sector: Uint8Array, userData: Uint8Array): ContentFill {
      for (const raw of rawSectors) {
        const k = sectorIndex - raw.firstSector;
        if (k >= 0 && k < raw.sectorCount) {
          raw.source.readAt(raw.sourceOffset + k * RAW_BYTES, sector.subarray(0, RAW_BYTES));
          return 'raw';
        }
      }
      const target = format === 'raw' ? sector.subarray(0, RAW_BYTES) : format === 'user' ? userData : sector.subarray(16, 16 + MODE2_BODY_BYTES);
      const from = sectorIndex * stride;
      const to = from + target.length;
      let found = false;
      for (let i = firstEndingAfter(pieces, from); i < pieces.length; i++) {
        const piece = pieces[i];
        if (piece === undefined || piece.start >= to) break;
        const a = Math.max(from, piece.start);
        const b = Math.min(to, piece.start + piece.length);
        if (b <= a) continue;
        readPiece(piece, a, b, target, a - from);
        found = true;
      }
      return found ? format : 'absent';
    },
  };
}

/** Index of the first piece that ends after `position` (binary search). */
function firstEndingAfter(pieces: readonly StreamPiece[], position: number): number {
  let low = 0;
  let high = pieces.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    const piece = pieces[middle];
    if (piece !== undefined && piece.start + piece.length <= position) low = middle + 1;
    else high = middle;
  }
  return low;
}
