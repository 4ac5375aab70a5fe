/**
 * The drive's read cache: a window of the most recently read sectors, contiguous like a drive's
 * read-ahead buffer. A media read that does not continue the window (a seek) flushes it first, so
 * "a distant read flushes the cache" falls out of the model. Audio sectors keep the bytes as
 * delivered (offset, jitter and corruption included): a drive that serves audio re-reads from
 * cache repeats its mistakes.
 */

/** What the cache holds for one sector. Data sectors need no copy (the medium does not change). */
export interface CachedSector {
  /** Audio as delivered, 2352 bytes. */
  audio?: Uint8Array;
  /** Per-byte C2 flags as delivered, 2352 entries. */
  flags?: Uint8Array;
}

export class SectorCache {
  readonly capacity: number;
  #start = 0;
  #end = 0;
  readonly #entries = new Map<number, CachedSector>();

  constructor(capacitySectors: number) {
    this.capacity = capacitySectors;
  }

  /** True when every sector of [lba, lba + count) is cached. */
  covers(lba: number, count: number): boolean {
    return this.capacity > 0 && count > 0 && lba >= this.#start && lba + count <= this.#end;
  }

  get(lba: number): CachedSector | undefined {
    return this.#entries.get(lba);
  }

  /** Records a media read of consecutive sectors starting at `lba`. */
  record(lba: number, sectors: readonly CachedSector[]): void {
    if (this.capacity === 0 || sectors.length === 0) return;
    if (lba !== this.#end || this.#entries.size === 0) this.flush();
    if (this.#entries.size === 0) this.#start = lba;
    sectors.forEach((sector, i) => this.#entries.set(lba + i, sector));
    this.#end = lba + sectors.length;
    while (this.#end - this.#start > this.capacity) {
      this.#entries.delete(this.#start);
      this.#start++;
    }
  }

  flush(): void {
    this.#entries.clear();
    this.#start = 0;
    this.#end = 0;
  }
}
