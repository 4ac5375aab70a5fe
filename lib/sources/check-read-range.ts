/** Argument checks every SectorSource.read() shares. */

/** What the check needs to know about a source. */
export interface SourceExtent {
  readonly name: string;
  readonly firstLba: number;
  readonly sectorCount: number;
}

/** TypeError/RangeError unless [lba, lba + count) is a non-empty range inside the source. */
export function checkReadRange(source: SourceExtent, lba: number, count: number): void {
  if (typeof lba !== 'number' || !Number.isInteger(lba)) throw new TypeError(`Expected "lba" to be an integer, got ${String(lba)}`);
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new RangeError(`Expected "count" to be a positive integer, got ${String(count)}`);
  }
  const end = source.firstLba + source.sectorCount;
  if (lba < source.firstLba || lba + count > end) {
    throw new RangeError(`Expected sectors ${lba}..${lba + count - 1} to lie within ${source.name}'s sectors ${source.firstLba}..${end - 1}`);
  }
}
