/**
 * Byte-addressed reads over a SectorSource, for filesystem readers: structures sit at byte
 * offsets (HFS 512-byte blocks, UDF descriptors) that need not start on a sector.
 */

import { DiscError, FormatError } from '../errors.js';
import type { SectorSource } from '../sources/sector-source.js';

/** The bytes a structure needs are unreadable or past the end of the source. */
export class FsReadError extends DiscError {
  override readonly code = 'ERR_FS_READ';
  /** First unreadable byte address, when known. */
  readonly byte: number | undefined;
  constructor(message: string, byte: number | undefined, cause?: unknown) {
    super(message, { cause });
    this.byte = byte;
  }
}

/** Largest single structure read: a size field beyond this is malformed, not an allocation. */
export const MAX_STRUCTURE_BYTES = 64 * 1024 * 1024;

/**
 * Reads `length` bytes at absolute byte address `start` (LBA × sectorSize). Throws FsReadError
 * for unreadable sectors or a range outside the source, FormatError for an absurd length.
 */
export async function readBytes(source: SectorSource, start: number, length: number): Promise<Uint8Array> {
  if (!Number.isSafeInteger(start) || start < 0) throw new FormatError(`byte address ${start} is not valid`);
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_STRUCTURE_BYTES) {
    throw new FormatError(`a structure of ${length} bytes at byte ${start} is not plausible`);
  }
  const out = new Uint8Array(length);
  if (length === 0) return out;
  const size = source.sectorSize;
  const first = Math.floor(start / size);
  const last = Math.floor((start + length - 1) / size);
  const begin = source.firstLba;
  const end = source.firstLba + source.sectorCount;
  if (first < begin || last >= end) {
    throw new FsReadError(
      `bytes ${start}–${start + length - 1} lie outside ${source.name} (sectors ${begin}–${end - 1})`,
      first < begin ? start : end * size,
    );
  }
  let lba = first;
  while (lba <= last) {
    const count = Math.min(last - lba + 1, source.maxSectorsPerRead);
    const outcome = await source.read(lba, count);
    if (!outcome.ok) {
      const bad = outcome.failedLba ?? lba;
      throw new FsReadError(`sector ${bad} of ${source.name} is unreadable: ${outcome.error.message}`, bad * size, outcome.error);
    }
    const chunkStart = lba * size;
    const from = Math.max(start, chunkStart);
    const to = Math.min(start + length, chunkStart + count * size);
    out.set(outcome.data.subarray(from - chunkStart, to - chunkStart), from - start);
    lba += count;
  }
  return out;
}
