/**
 * A SectorSource over bytes in memory, with unreadable sectors on demand: the bench for rescue
 * engine tests, where a drive's timing and sense data are beside the point.
 */

import { DiscError, TransportClosedError } from '../errors.js';
import { checkBoolean, checkInteger } from '../scsi/bytes.js';
import { checkReadRange } from './check-read-range.js';
import type { ReadOptions, ReadOutcome, RetryLevel, SectorSource } from './sector-source.js';

export interface MemorySourceOptions {
  /** Bytes per sector. Default 2048. */
  sectorSize?: number;
  /** LBA of the first sector. Default 0. */
  firstLba?: number;
  /** Sectors that fail every read (absolute LBAs). Change them later through `badLbas`. */
  badLbas?: Iterable<number>;
  /**
   * Name the first bad sector in failures (as a drive's sense INFORMATION does). Default true;
   * false imitates sources that only know "somewhere in this range" (even for one sector).
   */
  reportFailedLba?: boolean;
  /** Default 32. */
  maxSectorsPerRead?: number;
  /** Default 'memory'. */
  name?: string;
}

/** Counters of what was asked of the source. */
export interface MemorySourceStats {
  reads: number;
  sectorsRead: number;
  failedReads: number;
  /** FUA reads among `reads`. */
  fuaReads: number;
}

export interface MemorySource extends SectorSource {
  /** The bad sectors, live: add or delete to change what later reads see. */
  readonly badLbas: Set<number>;
  /** The last level set by setRetryLevel ('default' until then). */
  readonly retryLevel: RetryLevel;
  readonly stats: MemorySourceStats;
  readonly closed: boolean;
  setRetryLevel(level: RetryLevel): Promise<boolean>;
}

/**
 * A source serving `bytes` (whose length must be a multiple of sectorSize; the bytes are not
 * copied). A read touching a bad sector fails with fatal: false and failedLba = the first bad
 * one; reads after close() fail with fatal: true.
 */
export function createMemorySource(bytes: Uint8Array, options: MemorySourceOptions = {}): MemorySource {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('Expected "bytes" to be a Uint8Array');
  if (typeof options !== 'object' || options === null) throw new TypeError('Expected "options" to be an object');
  const sectorSize = checkInteger('sectorSize', options.sectorSize ?? 2048, 1, 1 << 20);
  if (bytes.length % sectorSize !== 0) {
    throw new RangeError(`Expected "bytes" to hold whole sectors of ${sectorSize} bytes, got ${bytes.length} bytes`);
  }
  const firstLba = checkInteger('firstLba', options.firstLba ?? 0, -45150, 0x7fffffff);
  const badLbas = new Set<number>();
  for (const lba of options.badLbas ?? []) badLbas.add(checkInteger('badLbas[]', lba, -45150, 0x7fffffff));
  return new MemorySectorSource(bytes, {
    sectorSize,
    firstLba,
    badLbas,
    reportFailedLba: checkBoolean('reportFailedLba', options.reportFailedLba ?? true),
    maxSectorsPerRead: checkInteger('maxSectorsPerRead', options.maxSectorsPerRead ?? 32, 1, 0x7fffffff),
    name: options.name ?? 'memory',
  });
}

interface MemorySettings {
  sectorSize: number;
  firstLba: number;
  badLbas: Set<number>;
  reportFailedLba: boolean;
  maxSectorsPerRead: number;
  name: string;
}

class MemorySectorSource implements MemorySource {
  readonly name: string;
  readonly sectorSize: number;
  readonly firstLba: number;
  readonly sectorCount: number;
  readonly maxSectorsPerRead: number;
  readonly badLbas: Set<number>;
  readonly stats: MemorySourceStats = { reads: 0, sectorsRead: 0, failedReads: 0, fuaReads: 0 };
  readonly simulation = undefined;
  readonly #bytes: Uint8Array;
  readonly #reportFailedLba: boolean;
  #retryLevel: RetryLevel = 'default';
  #closed = false;

  constructor(bytes: Uint8Array, settings: MemorySettings) {
    this.#bytes = bytes;
    this.name = settings.name;
    this.sectorSize = settings.sectorSize;
    this.firstLba = settings.firstLba;
    this.sectorCount = bytes.length / settings.sectorSize;
    this.maxSectorsPerRead = settings.maxSectorsPerRead;
    this.badLbas = settings.badLbas;
    this.#reportFailedLba = settings.reportFailedLba;
  }

  get retryLevel(): RetryLevel {
    return this.#retryLevel;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async read(lba: number, count: number, options: ReadOptions = {}): Promise<ReadOutcome> {
    checkReadRange(this, lba, count);
    options.signal?.throwIfAborted();
    if (this.#closed) {
      return { ok: false, failedLba: undefined, error: new TransportClosedError(`${this.name}: the source is closed`), fatal: true };
    }
    this.stats.reads++;
    if (options.fua) this.stats.fuaReads++;
    for (let i = lba; i < lba + count; i++) {
      if (!this.badLbas.has(i)) continue;
      this.stats.failedReads++;
      return {
        ok: false,
        failedLba: this.#reportFailedLba ? i : undefined,
        error: new DiscError(`${this.name}: sector ${i} is unreadable`),
        fatal: false,
      };
    }
    this.stats.sectorsRead += count;
    const start = (lba - this.firstLba) * this.sectorSize;
    return { ok: true, data: this.#bytes.slice(start, start + count * this.sectorSize) };
  }

  async setRetryLevel(level: RetryLevel): Promise<boolean> {
    if (level !== 'fast' && level !== 'default') throw new TypeError(`Expected "level" to be 'fast' or 'default', got ${JSON.stringify(level)}`);
    this.#retryLevel = level;
    return true;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
