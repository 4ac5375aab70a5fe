/**
 * Re-reads a disc and compares it with an image: which sectors differ, which could not be read.
 * With a mapfile only the finished sectors are compared (the others are known to be missing).
 */

import type { ReadOptions, SectorSource } from '../sources/sector-source.js';
import { open } from 'node:fs/promises';
import type { IntervalMap } from './interval-map.js';

export interface CompareOptions {
  source: SectorSource;
  image: string;
  map?: IntervalMap | undefined;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface CompareResult {
  sectorsCompared: number;
  /** LBAs whose image bytes differ from the disc. */
  differing: number[];
  /** LBAs the source could not read this time. */
  unreadable: number[];
  /** LBAs past the end of the image file. */
  missingFromImage: number[];
  identical: boolean;
}

export async function compareWithSource(o: CompareOptions): Promise<CompareResult> {
  const { source } = o;
  const size = source.sectorSize;
  const image = await open(o.image, 'r');
  const result: CompareResult = { sectorsCompared: 0, differing: [], unreadable: [], missingFromImage: [], identical: true };
  const readOptions: ReadOptions = o.signal ? { signal: o.signal } : {};
  try {
    const ranges = selectRanges(source, o.map);
    const total = ranges.reduce((n, r) => n + r.count, 0);
    let done = 0;
    for (const range of ranges) {
      for (let lba = range.lba; lba < range.lba + range.count; ) {
        o.signal?.throwIfAborted();
        const count = Math.min(source.maxSectorsPerRead, range.lba + range.count - lba);
        const outcome = await source.read(lba, count, readOptions);
        if (!outcome.ok) {
          if (outcome.fatal) throw outcome.error;
          const failed = outcome.failedLba ?? lba;
          // Compare the good prefix on the next turn, skip the failing sector.
          if (failed > lba) {
            const prefix = await source.read(lba, failed - lba, readOptions);
            if (prefix.ok) await compareChunk(prefix.data, lba);
          }
          result.unreadable.push(failed);
          done += failed + 1 - lba;
          lba = failed + 1;
          continue;
        }
        await compareChunk(outcome.data, lba);
        done += count;
        lba += count;
        o.onProgress?.(done, total);
      }
    }
  } finally {
    await image.close();
  }
  result.identical = result.differing.length === 0 && result.unreadable.length === 0 && result.missingFromImage.length === 0;
  return result;

  async function compareChunk(data: Uint8Array, lba: number): Promise<void> {
    const count = data.length / size;
    const buffer = Buffer.alloc(data.length);
    const { bytesRead } = await image.read(buffer, 0, data.length, (lba - source.firstLba) * size);
    for (let i = 0; i < count; i++) {
      result.sectorsCompared++;
      if ((i + 1) * size > bytesRead) {
        result.missingFromImage.push(lba + i);
        continue;
      }
      if (!buffer.subarray(i * size, (i + 1) * size).equals(data.subarray(i * size, (i + 1) * size))) result.differing.push(lba + i);
    }
  }
}

function selectRanges(source: SectorSource, map: IntervalMap | undefined): Array<{ lba: number; count: number }> {
  if (!map) return [{ lba: source.firstLba, count: source.sectorCount }];
  const ranges: Array<{ lba: number; count: number }> = [];
  map.forEachRun((pos, size, status) => {
    if (status !== '+') return;
    const first = Math.ceil(pos / source.sectorSize);
    const end = Math.min(source.sectorCount, Math.floor((pos + size) / source.sectorSize));
    if (end > first) ranges.push({ lba: source.firstLba + first, count: end - first });
  });
  return ranges;
}
