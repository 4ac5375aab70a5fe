/**
 * EAC-style CRC-32 of CD audio: the standard CRC-32 (zlib, ISO-HDLC) over a track's PCM bytes, and
 * the same CRC "without null samples", where 16-bit sample values of zero (in either channel) are
 * left out. EAC prints one of these as a track's "Test CRC" and "Copy CRC" (which one depends on
 * its settings); CUETools compares a log's CRC against both. Streaming: feed the track in chunks of
 * any size, e.g. 2352-byte sectors in order.
 */

import { CRC32_TABLE, crc32 } from '../crc32.js';

export { crc32 };

/** The two CRCs of a track. */
export interface TrackCrc32 {
  /** CRC-32 of every PCM byte. */
  crc32: number;
  /** CRC-32 of the bytes of the non-zero 16-bit samples only. */
  crc32WithoutNulls: number;
  /** Bytes fed. */
  bytes: number;
}

/**
 * Streaming CRC-32 and CRC-32 without null samples of little-endian 16-bit PCM. Chunks may split a
 * sample; the pending byte is kept for the next chunk.
 */
export class Crc32Accumulator {
  // Both registers are kept inverted (zlib's pre/post conditioning) while feeding.
  private all = 0xffffffff;
  private noNulls = 0xffffffff;
  private pending = -1;
  private fed = 0;

  /** Feeds the next bytes of the track. */
  update(pcm: Uint8Array): void {
    const t = CRC32_TABLE;
    let all = this.all;
    let nn = this.noNulls;
    let i = 0;
    const n = pcm.length;
    if (this.pending >= 0 && n > 0) {
      const lo = this.pending;
      const hi = pcm[0]!;
      all = t[(all ^ hi) & 0xff]! ^ (all >>> 8);
      if ((lo | hi) !== 0) {
        nn = t[(nn ^ lo) & 0xff]! ^ (nn >>> 8);
        nn = t[(nn ^ hi) & 0xff]! ^ (nn >>> 8);
      }
      this.pending = -1;
      i = 1;
    }
    for (; i + 1 < n; i += 2) {
      const lo = pcm[i]!;
      const hi = pcm[i + 1]!;
      all = t[(all ^ lo) & 0xff]! ^ (all >>> 8);
      all = t[(all ^ hi) & 0xff]! ^ (all >>> 8);
      if ((lo | hi) !== 0) {
        nn = t[(nn ^ lo) & 0xff]! ^ (nn >>> 8);
        nn = t[(nn ^ hi) & 0xff]! ^ (nn >>> 8);
      }
    }
    if (i < n) {
      // Half a sample: the plain CRC takes the byte now, the null test needs its partner.
      const lo = pcm[i]!;
      all = t[(all ^ lo) & 0xff]! ^ (all >>> 8);
      this.pending = lo;
    }
    this.all = all >>> 0;
    this.noNulls = nn >>> 0;
    this.fed += n;
  }

  /** Bytes fed so far. */
  get bytes(): number {
    return this.fed;
  }

  /**
   * The CRCs of what was fed. A trailing odd byte counts in `crc32`; in `crc32WithoutNulls` only
   * when non-zero (as the low byte of a sample whose high byte never came).
   */
  digest(): TrackCrc32 {
    let nn = this.noNulls;
    if (this.pending > 0) nn = CRC32_TABLE[(nn ^ this.pending) & 0xff]! ^ (nn >>> 8);
    return { crc32: ~this.all >>> 0, crc32WithoutNulls: ~nn >>> 0, bytes: this.fed };
  }
}

/** Both CRCs of a whole track in one call. */
export function trackCrc32(pcm: Uint8Array): TrackCrc32 {
  const accumulator = new Crc32Accumulator();
  accumulator.update(pcm);
  return accumulator.digest();
}

/** An unsigned 32-bit value as 8 upper-case hex digits, the way rip logs print CRCs. */
export function formatCrc(value: number): string {
  return (value >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
