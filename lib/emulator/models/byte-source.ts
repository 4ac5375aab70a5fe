/**
 * Random access to the bytes of an image file, synchronously (a DiscModel's readSector is
 * synchronous): a file opened once and read with fs.readSync through a small read-ahead window,
 * or a buffer in memory.
 */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DiscError } from '../../errors.js';

/** Bytes of one image file. */
export interface ByteSource {
  /** Where the bytes come from (a path, or a name for in-memory data), for messages. */
  readonly name: string;
  readonly sizeBytes: number;
  /** Copies bytes [position, position + out.length) into `out`; bytes past the end read as zero. */
  readAt(position: number, out: Uint8Array): void;
  /** Releases the file; later reads throw. */
  close(): void;
}

/** Read-ahead window: sequential sector reads cost one read(2) per 64 KiB. */
const WINDOW_BYTES = 64 * 1024;

/** A source over a file opened now, read-only. Errors from open/fstat (ENOENT…) propagate. */
export function openFileByteSource(path: string): ByteSource {
  const fd = openSync(path, 'r');
  let sizeBytes: number;
  try {
    sizeBytes = fstatSync(fd).size;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  const window = new Uint8Array(WINDOW_BYTES);
  let windowStart = 0;
  let windowLength = 0;
  let closed = false;
  const fill = (position: number): void => {
    windowStart = position;
    windowLength = 0;
    while (windowLength < WINDOW_BYTES && windowStart + windowLength < sizeBytes) {
      const n = readSync(fd, window, windowLength, WINDOW_BYTES - windowLength, windowStart + windowLength);
      if (n === 0) break;
      windowLength += n;
    }
  };
  return {
    name: path,
    sizeBytes,
    readAt(position: number, out: Uint8Array): void {
      if (closed) throw new DiscError(`${path}: the image file is closed`);
      let done = 0;
      while (done < out.length) {
        const at = position + done;
        if (at >= sizeBytes || at < 0) {
          out.fill(0, done);
          return;
        }
        if (at < windowStart || at >= windowStart + windowLength) fill(at);
        const from = at - windowStart;
        const n = Math.min(out.length - done, windowLength - from);
        if (n <= 0) {
          out.fill(0, done);
          return;
        }
        out.set(window.subarray(from, from + n), done);
        done += n;
      }
    },
    close(): void {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

/** A source over bytes in memory (not copied). */
export function memoryByteSource(bytes: Uint8Array, name = 'memory'): ByteSource {
  return {
    name,
    sizeBytes: bytes.length,
    readAt(position: number, out: Uint8Array): void {
      const start = Math.max(0, Math.min(position, bytes.length));
      const end = Math.max(start, Math.min(position + out.length, bytes.length));
      out.fill(0);
      if (end > start) out.set(bytes.subarray(start, end), start - position);
    },
    close(): void {},
  };
}
