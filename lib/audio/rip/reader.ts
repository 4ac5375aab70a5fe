/**
 * Raw CD-DA reading for the ripping engine: one READ CD command per call of readCommand (so jitter
 * is constant within what it returns), C2 pointers unpacked to one flag per sample, MEDIUM ERRORs
 * split around the failing sector, and cache defeat by a distant read.
 */

import type { Drive } from '../../drive/drive.js';
import { IllegalRequestError, MediumError } from '../../errors.js';
import { ExpectedSectorType } from '../../scsi/read-cd.js';
import { SAMPLES_PER_SECTOR } from '../accuraterip.js';

const SECTOR_BYTES = 2352;
const C2_BYTES = 294;

/** What one READ CD command returned. */
export interface RawRead {
  lba: number;
  count: number;
  /** count × 588 stereo samples as 32-bit words (L | R << 16). */
  samples: Uint32Array;
  /** One entry per sample: 1 when C2 flagged any of its 4 bytes. Absent without C2. */
  flags?: Uint8Array | undefined;
}

export interface AudioReaderOptions {
  /** Ask for C2 error pointers (294 bytes). */
  c2: boolean;
  /** Sectors per READ CD command. */
  perCommand: number;
  /**
   * Audio sectors to try: [minLba, endLba). When they reach beyond [safeMinLba, safeEndLba) (the
   * TOC's audio area: overreading into lead-in or lead-out) and the drive refuses, the bounds
   * shrink to the safe ones and the samples there are zero-filled.
   */
  minLba: number;
  endLba: number;
  safeMinLba: number;
  safeEndLba: number;
  /** Read a distant sector before reading again what may sit in the drive's cache. */
  cacheDefeat: boolean;
  signal?: AbortSignal | undefined;
}

/** Counters of what the reader sent. */
export interface ReaderStats {
  commands: number;
  sectorsRequested: number;
  failedCommands: number;
  cacheDefeatReads: number;
}

/** Reads audio sectors; see the module comment. */
export class AudioReader {
  readonly drive: Drive;
  readonly options: AudioReaderOptions;
  readonly stats: ReaderStats = { commands: 0, sectorsRequested: 0, failedCommands: 0, cacheDefeatReads: 0 };
  /** Sides where the drive refused to overread. */
  readonly overreadRefused: Array<'lead-in' | 'lead-out'> = [];
  /** The contiguous run of sectors read last: what a read-ahead cache may hold. */
  #windowStart = 0;
  #windowEnd = 0;

  constructor(drive: Drive, options: AudioReaderOptions) {
    this.drive = drive;
    this.options = options;
  }

  /**
   * Reads [lba, lba + count) in commands of at most perCommand sectors. Returns what was read, one
   * RawRead per successful command, and the sectors that failed this time. Sectors outside the
   * addressable range are skipped silently (the caller zero-fills them).
   */
  async read(lba: number, count: number): Promise<{ reads: RawRead[]; failed: number[] }> {
    const reads: RawRead[] = [];
    const failed: number[] = [];
    let start = Math.max(lba, this.options.minLba);
    const end = Math.min(lba + count, this.options.endLba);
    // Bounded: every pass of the loop moves `start` forward by at least one sector.
    while (start < end) {
      const n = Math.min(this.options.perCommand, end - start);
      let outcome: { read?: RawRead; badLba?: number | undefined };
      try {
        outcome = await this.#command(start, n);
      } catch (error) {
        if (!(error instanceof IllegalRequestError) || !this.#shrinkOverread(start, n)) throw error;
        const rest = await this.read(start, end - start);
        reads.push(...rest.reads);
        failed.push(...rest.failed);
        break;
      }
      if (outcome.read) {
        reads.push(outcome.read);
        start += n;
        continue;
      }
      const bad = outcome.badLba !== undefined && outcome.badLba >= start && outcome.badLba < start + n ? outcome.badLba : start;
      if (bad > start) {
        const before = await this.read(start, bad - start);
        reads.push(...before.reads);
        failed.push(...before.failed);
      }
      failed.push(bad);
      start = bad + 1;
    }
    return { reads, failed };
  }

  /**
   * Before re-reading [lba, lba + count): when it may be in the cache (the last contiguous run),
   * read one sector elsewhere so the next read comes from the medium. Returns whether it did.
   */
  async defeatCache(lba: number, count: number): Promise<boolean> {
    if (!this.options.cacheDefeat) return false;
    if (lba + count <= this.#windowStart || lba >= this.#windowEnd) return false;
    // Only sectors the TOC says are audio: an overread the drive refuses would evict nothing.
    const minLba = Math.max(this.options.minLba, this.options.safeMinLba);
    const endLba = Math.min(this.options.endLba, this.options.safeEndLba);
    const inWindow = (x: number) => x >= this.#windowStart && x < this.#windowEnd;
    // The far end of the audio first (a real cache is flushed by a long seek); else just beyond the
    // window, which breaks the read-ahead run.
    const candidates = [endLba - 1, minLba, this.#windowEnd + 1, this.#windowStart - 2];
    // When the whole audio area fits in the window, a sector before it (track 1's pregap) is the only
    // place left; two before, so the next read does not continue from it as one run.
    const before = Math.min(minLba, this.#windowStart) - 2;
    const target =
      candidates.filter((x) => x >= minLba && x < endLba && !inWindow(x) && x !== this.#windowEnd).sort((a, b) => distance(b, lba) - distance(a, lba))[0] ??
      (before >= -150 ? before : undefined);
    if (target === undefined) return false;
    this.stats.cacheDefeatReads++;
    await this.#command(target, 1).catch((error: unknown) => {
      if (!(error instanceof IllegalRequestError)) throw error;
    });
    return true;
  }

  /** The drive refused a read that overreads: stop overreading on that side. */
  #shrinkOverread(lba: number, count: number): boolean {
    const o = this.options;
    let changed = false;
    if (lba < o.safeMinLba && o.minLba < o.safeMinLba) {
      o.minLba = o.safeMinLba;
      this.overreadRefused.push('lead-in');
      changed = true;
    }
    if (lba + count > o.safeEndLba && o.endLba > o.safeEndLba) {
      o.endLba = o.safeEndLba;
      this.overreadRefused.push('lead-out');
      changed = true;
    }
    return changed;
  }

  async #command(lba: number, count: number): Promise<{ read?: RawRead; badLba?: number | undefined }> {
    this.options.signal?.throwIfAborted();
    this.stats.commands++;
    this.stats.sectorsRequested += count;
    try {
      const result = await this.drive.readCd(lba, count, {
        expectedSectorType: ExpectedSectorType.CDDA,
        ...(this.options.c2 ? { c2: 294 as const } : {}),
        ...(this.options.signal ? { signal: this.options.signal } : {}),
      });
      this.#noteRead(lba, count);
      return { read: unpack(lba, count, result.data, result.bytesPerSector, this.options.c2) };
    } catch (error) {
      if (!(error instanceof MediumError)) throw error;
      this.stats.failedCommands++;
      // The drive stopped at the failing sector: the cache holds nothing useful after a failure.
      this.#windowStart = this.#windowEnd = 0;
      return { badLba: error.lba };
    }
  }

  /** Moves to the bounds of another audio area (the next track); the cache window is kept. */
  setBounds(bounds: Pick<AudioReaderOptions, 'minLba' | 'endLba' | 'safeMinLba' | 'safeEndLba'>): void {
    Object.assign(this.options, bounds);
    this.overreadRefused.length = 0;
  }

  #noteRead(lba: number, count: number): void {
    // A read inside the window may have come from the cache: it leaves the window as it was.
    if (lba >= this.#windowStart && lba + count <= this.#windowEnd) return;
    if (lba === this.#windowEnd && this.#windowEnd > this.#windowStart) this.#windowEnd = lba + count;
    else {
      this.#windowStart = lba;
      this.#windowEnd = lba + count;
    }
  }
}

function distance(x: number, lba: number): number {
  return Math.abs(x - lba);
}

/** Splits READ CD data into samples and per-sample C2 flags. */
function unpack(lba: number, count: number, data: Uint8Array, bytesPerSector: number, c2: boolean): RawRead {
  const samples = new Uint32Array(count * SAMPLES_PER_SECTOR);
  const flags = c2 ? new Uint8Array(count * SAMPLES_PER_SECTOR) : undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let s = 0; s < count; s++) {
    const base = s * bytesPerSector;
    const out = s * SAMPLES_PER_SECTOR;
    for (let i = 0; i < SAMPLES_PER_SECTOR; i++) samples[out + i] = view.getUint32(base + i * 4, true);
    if (flags) {
      const c2Base = base + SECTOR_BYTES;
      for (let b = 0; b < C2_BYTES; b++) {
        const bits = data[c2Base + b] ?? 0;
        if (bits === 0) continue;
        // Bit 7 of C2 byte b covers sector byte 8b: the high nibble is one sample, the low the next.
        if (bits & 0xf0) flags[out + b * 2] = 1;
        if (bits & 0x0f) flags[out + b * 2 + 1] = 1;
      }
    }
  }
  return { lba, count, samples, flags };
}
