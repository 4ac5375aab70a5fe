/**
 * The verification core: rips a span of disc samples into a value and a state per sample. Reads
 * are placed at their nominal position (accurate stream) or aligned by matching the samples they
 * share with what is already proven (jitter correction); a sample is proven when at least two
 * independent, unflagged reads agree on it and outnumber every other value two to one (three reads
 * in a sector that shows damage). Samples not proven get targeted re-reads of their sectors only,
 * up to maxRetries rounds.
 */

import type { RipMode } from './types.js';
import { SAMPLES_PER_SECTOR } from '../accuraterip.js';
import type { AudioReader, RawRead } from './reader.js';

/** Per-sample state of a span. */
export const SampleState = {
  /** Not proven: reads disagreed, were flagged, or could not be aligned. */
  UNPROVEN: 0,
  PROVEN: 1,
  /** No read of its sector ever succeeded. */
  UNREADABLE: 2,
  /** Outside the sectors the drive can address: zero. */
  ZERO_FILLED: 3,
  /** Read once (burst), flagged by C2. */
  C2: 4,
  /** Proven relative to reads placed after an alignment break (jitter correction only). */
  UNALIGNED: 5,
  /** Read once (burst), unflagged. */
  SINGLE: 6,
} as const;

export interface SpanOptions {
  /** Disc samples [start, end) to produce. */
  start: number;
  end: number;
  /** Read offset correction in samples: disc sample p is at drive stream position p + offset. */
  offset: number;
  /** Largest jitter to correct, in samples; 0 trusts the drive's positioning (accurate stream). */
  jitter: number;
  mode: RipMode;
  maxRetries: number;
  /** Sectors per verification window when jitter is 0. */
  chunkSectors: number;
  /** Called after each window with the number of samples of the span finished. */
  onWindow?: ((doneSamples: number) => void) | undefined;
}

export interface SpanResult {
  values: Uint32Array;
  state: Uint8Array;
  rereadSectors: number;
  rereadCommands: number;
  mismatchedSectors: Set<number>;
  c2Sectors: Set<number>;
  /** Unflagged reads that lost a vote against a proven value: the drive's C2 missed errors. */
  c2Missed: number;
  /** First sample placed after jitter correction lost its anchor; undefined when it never did. */
  alignmentBreak: number | undefined;
}

/** A read placed on the disc sample axis. */
interface Placed {
  start: number;
  values: Uint32Array;
  /** 1 where the value is determined; absent when every value is. */
  valid?: Uint8Array | undefined;
  flags?: Uint8Array | undefined;
  lba: number;
}

/** Anchoring: compare at most this many proven samples, and need at least this many. */
const MAX_COMPARE = 1176;
const MIN_COMPARE = 64;
/** Reads whose overlap differs from proven samples in more than 10% are not aligned at all. */
const ANCHOR_TOLERANCE = 0.1;
/** Candidate shifts within 2% of the best are kept: all of them must agree on a sample to place it. */
const ANCHOR_MARGIN = 0.02;
/** Votes kept per sample. */
const MAX_VOTES = 64;

/** Rips one span; see the module comment and docs/audio.md. */
export async function ripSpan(reader: AudioReader, o: SpanOptions): Promise<SpanResult> {
  const length = o.end - o.start;
  const values = new Uint32Array(length);
  const state = new Uint8Array(length);
  const result: SpanResult = {
    values,
    state,
    rereadSectors: 0,
    rereadCommands: 0,
    mismatchedSectors: new Set(),
    c2Sectors: new Set(),
    c2Missed: 0,
    alignmentBreak: undefined,
  };
  const { perCommand } = reader.options;
  // Bounds may shrink during the rip (a refused overread): always read them from the reader.
  const bounds = reader.options;
  // Reads are aligned to the first read of the span, itself off by up to ±jitter: relative to it,
  // another read may be off by twice that.
  const J = 2 * o.jitter;
  const burst = o.mode === 'burst';
  const sectorOf = (p: number) => Math.floor((p + o.offset) / SAMPLES_PER_SECTOR);
  const sectorStart = (lba: number) => lba * SAMPLES_PER_SECTOR - o.offset;
  const addressable = (p: number) => {
    const s = sectorOf(p);
    return s >= bounds.minLba && s < bounds.endLba;
  };
  // Context sectors read before (and after) the samples wanted, so a jittered read still overlaps
  // proven samples by MIN_COMPARE or more whatever its displacement.
  const context = J > 0 ? Math.ceil((2 * J + 2 * MIN_COMPARE) / SAMPLES_PER_SECTOR) : 0;
  if (J > 0 && perCommand < 2 * context + 2) {
    throw new RangeError(`jitter correction of ±${o.jitter} samples needs at least ${2 * context + 2} sectors per command, the drive transfers ${perCommand}`);
  }
  const failures = new Map<number, number>();
  const votes = new Uint32Array(MAX_VOTES);
  const counts = new Uint32Array(MAX_VOTES);

  let reads: Placed[] = [];
  let provisional: Placed | undefined;
  let placements = 0;

  const known = (p: number): number | undefined => {
    const i = p - o.start;
    if (i >= 0 && i < length && state[i] === SampleState.PROVEN) return values[i];
    if (provisional) {
      const k = p - provisional.start;
      if (k >= 0 && k < provisional.values.length && (!provisional.valid || provisional.valid[k])) return provisional.values[k];
    }
    return undefined;
  };

  /** Places a raw read: at its nominal position, or aligned by the samples it shares with known ones. */
  const place = (raw: RawRead): Placed | undefined => {
    const nominal = sectorStart(raw.lba);
    if (J === 0) return { start: nominal, values: raw.samples, flags: raw.flags, lba: raw.lba };
    const len = raw.samples.length;
    const positions: number[] = [];
    const expected: number[] = [];
    // Compare where the signal changes: a run of equal samples (silence) fits any shift. In
    // silence throughout, compare it all: every shift fits, and only samples all shifts agree on
    // are placed.
    for (const informative of [true, false]) {
      let previous: number | undefined;
      positions.length = 0;
      expected.length = 0;
      for (let p = nominal + J; p < nominal + len - J && positions.length < MAX_COMPARE; p++) {
        const v = known(p);
        if (v === undefined || (informative && v === previous)) continue;
        previous = v;
        positions.push(p);
        expected.push(v);
      }
      if (positions.length >= MIN_COMPARE) break;
    }
    if (positions.length < MIN_COMPARE) {
      // Nothing to align with: the read is placed where the drive says, as a new reference.
      if (provisional === undefined) {
        const placed: Placed = { start: nominal, values: raw.samples, flags: raw.flags, lba: raw.lba };
        provisional = placed;
        // Not the span's first read: what follows is aligned to a new, unrelated reference.
        if (placements > 0 && result.alignmentBreak === undefined) result.alignmentBreak = Math.max(o.start, nominal);
        placements++;
        return placed;
      }
      return undefined;
    }
    const compared = positions.length;
    const limit = Math.floor(compared * ANCHOR_TOLERANCE);
    const mismatches = new Int32Array(2 * J + 1);
    let best = Number.MAX_SAFE_INTEGER;
    for (let j = -J; j <= J; j++) {
      let bad = 0;
      const base = j - nominal;
      for (let i = 0; i < compared; i++) {
        if (raw.samples[positions[i]! + base] !== expected[i]) {
          bad++;
          if (bad > limit) break;
        }
      }
      mismatches[j + J] = bad;
      if (bad < best) best = bad;
    }
    if (best > limit) return undefined;
    const accept = Math.min(limit, best + Math.floor(compared * ANCHOR_MARGIN));
    const shifts: number[] = [];
    for (let j = -J; j <= J; j++) if (mismatches[j + J]! <= accept) shifts.push(j);
    placements++;
    if (shifts.length === 1) {
      const j = shifts[0]!;
      return { start: nominal - j, values: raw.samples, flags: raw.flags, lba: raw.lba };
    }
    // Several shifts fit (silence): keep the samples on which all of them agree.
    const jMin = shifts[0]!;
    const jMax = shifts[shifts.length - 1]!;
    const start = nominal - jMax;
    const span = len + jMax - jMin;
    const placedValues = new Uint32Array(span);
    const valid = new Uint8Array(span);
    for (let q = 0; q < span; q++) {
      const p = start + q;
      let value: number | undefined;
      let ok = true;
      for (const j of shifts) {
        const k = p - nominal + j;
        if (k < 0 || k >= len) {
          ok = false;
          break;
        }
        const v = raw.samples[k]!;
        if (value === undefined) value = v;
        else if (v !== value) {
          ok = false;
          break;
        }
      }
      if (ok && value !== undefined) {
        placedValues[q] = value;
        valid[q] = 1;
      }
    }
    return { start, values: placedValues, valid, lba: raw.lba };
  };

  const ingest = async (lba: number, count: number, reread: boolean): Promise<void> => {
    const { reads: raws, failed } = await reader.read(lba, count);
    for (const bad of failed) failures.set(bad, (failures.get(bad) ?? 0) + 1);
    if (reread) {
      result.rereadSectors += Math.max(0, Math.min(lba + count, bounds.endLba) - Math.max(lba, bounds.minLba));
      result.rereadCommands += raws.length + failed.length;
    }
    for (const raw of raws) {
      const placed = place(raw);
      if (placed) reads.push(placed);
    }
  };

  /**
   * Votes on every sample of [from, to) not yet proven; returns the sectors still wanted. Two
   * passes: the first counts votes and marks sectors showing damage (reads that disagree, C2
   * flags); the second decides, asking for three agreeing reads in a damaged sector, since two
   * damaged reads can agree on a wrong value by chance.
   */
  const evaluate = (from: number, to: number): Set<number> => {
    const wanted = new Set<number>();
    const active = reads.filter((r) => r.start < to && r.start + r.values.length > from);
    const n = to - from;
    const topValue = new Uint32Array(n);
    const topCount = new Uint16Array(n);
    const secondCount = new Uint16Array(n);
    const totalCount = new Uint16Array(n);
    const flaggedValue = new Uint32Array(n);
    const hasFlagged = new Uint8Array(n);
    for (let q = 0; q < n; q++) {
      const p = from + q;
      const i = p - o.start;
      if (state[i] === SampleState.PROVEN) continue;
      if (!addressable(p)) {
        state[i] = SampleState.ZERO_FILLED;
        values[i] = 0;
        continue;
      }
      let distinct = 0;
      for (const r of active) {
        const k = p - r.start;
        if (k < 0 || k >= r.values.length) continue;
        if (r.valid && !r.valid[k]) continue;
        const v = r.values[k]!;
        if (r.flags && r.flags[k]) {
          if (!hasFlagged[q]) flaggedValue[q] = v;
          hasFlagged[q] = 1;
          continue;
        }
        let d = 0;
        while (d < distinct && votes[d] !== v) d++;
        if (d === distinct) {
          if (distinct === MAX_VOTES) continue;
          votes[d] = v;
          counts[d] = 0;
          distinct++;
        }
        counts[d]!++;
      }
      let best = 0;
      let second = 0;
      let total = 0;
      for (let d = 0; d < distinct; d++) {
        const c = counts[d]!;
        total += c;
        if (c > best) {
          second = best;
          best = c;
          topValue[q] = votes[d]!;
        } else if (c > second) second = c;
      }
      topCount[q] = best;
      secondCount[q] = second;
      totalCount[q] = total;
      const sector = sectorOf(p);
      if (hasFlagged[q]) result.c2Sectors.add(sector);
      if (distinct > 1) result.mismatchedSectors.add(sector);
    }
    for (let q = 0; q < n; q++) {
      const p = from + q;
      const i = p - o.start;
      if (state[i] === SampleState.PROVEN || state[i] === SampleState.ZERO_FILLED) continue;
      const sector = sectorOf(p);
      const best = topCount[q]!;
      if (burst) {
        if (best > 0) {
          values[i] = topValue[q]!;
          state[i] = SampleState.SINGLE;
        } else if (hasFlagged[q]) {
          values[i] = flaggedValue[q]!;
          state[i] = SampleState.C2;
        } else {
          values[i] = 0;
          wanted.add(sector);
        }
        continue;
      }
      const damaged = result.mismatchedSectors.has(sector) || result.c2Sectors.has(sector);
      if (best >= (damaged ? 3 : 2) && best >= 2 * secondCount[q]!) {
        values[i] = topValue[q]!;
        state[i] = SampleState.PROVEN;
        if (reader.options.c2 && J === 0) result.c2Missed += totalCount[q]! - best;
        continue;
      }
      values[i] = best > 0 ? topValue[q]! : hasFlagged[q] ? flaggedValue[q]! : 0;
      wanted.add(sector);
      // A jittered read may cover the sample from the neighbouring sector.
      if (J > 0) wanted.add(sector + (((p + o.offset) % SAMPLES_PER_SECTOR) < SAMPLES_PER_SECTOR / 2 ? -1 : 1));
    }
    return wanted;
  };

  /**
   * When the proven samples just before `frontier` are one repeated value (silence), reads starting
   * there fit any shift: start the window before the silence, at the last change, if a read still
   * reaches past the frontier from there.
   */
  const bridgeSilence = (frontier: number): number => {
    const i = frontier - o.start;
    const limit = Math.max(0, i - (perCommand - 2 * context - 2) * SAMPLES_PER_SECTOR);
    if (i < 2 || state[i - 1] !== SampleState.PROVEN) return Number.POSITIVE_INFINITY;
    const v = values[i - 1];
    let k = i - 1;
    while (k > limit && state[k - 1] === SampleState.PROVEN && values[k - 1] === v) k--;
    if (k - i > -(context * SAMPLES_PER_SECTOR) || k <= limit || state[k - 1] !== SampleState.PROVEN) return Number.POSITIVE_INFINITY;
    return sectorOf(o.start + k - 1) - context;
  };

  let frontier = o.start;
  const lastSector = sectorOf(o.end - 1) + 1 + Math.ceil(J / SAMPLES_PER_SECTOR);
  // Bounded: every window moves the frontier forward by at least one sample.
  while (frontier < o.end) {
    let first = sectorOf(frontier) - context;
    if (J > 0) first = Math.min(first, bridgeSilence(frontier));
    const windowSectors = J > 0 ? perCommand : Math.max(1, o.chunkSectors);
    const windowEnd = Math.min(first + windowSectors, lastSector);
    const targetEnd = windowEnd >= lastSector ? o.end : Math.max(frontier + 1, Math.min(o.end, sectorStart(windowEnd) - (J > 0 ? J + MIN_COMPARE : 0)));
    reads = reads.filter((r) => r.start + r.values.length > frontier - 2 * J - SAMPLES_PER_SECTOR);
    provisional = undefined;
    const passes = burst ? 1 : 2;
    for (let pass = 0; pass < passes; pass++) {
      if (pass > 0) await reader.defeatCache(first, windowEnd - first);
      await ingest(first, windowEnd - first, false);
    }
    let wanted = evaluate(frontier, targetEnd);
    for (let round = 0; round < o.maxRetries && wanted.size > 0; round++) {
      const sectors = [...wanted].filter((s) => s >= bounds.minLba && s < bounds.endLba).sort((a, b) => a - b);
      if (sectors.length === 0) break;
      for (const [a, b] of runs(sectors, Math.max(1, perCommand - 2 * context))) {
        // A failing sector makes the drive discard the whole command: read failing runs one sector
        // at a time, so each attempt at a weak sector counts (jitter correction needs the context).
        const single = J === 0 && b - a > 1 && sectors.some((s) => s >= a && s < b && failures.has(s));
        for (const [x, y] of single ? Array.from({ length: b - a }, (_, k): [number, number] => [a + k, a + k + 1]) : [[a, b] as [number, number]]) {
          const lo = Math.max(bounds.minLba, x - context);
          const hi = Math.min(bounds.endLba, y + context);
          await reader.defeatCache(lo, hi - lo);
          await ingest(lo, hi - lo, true);
        }
      }
      wanted = evaluate(frontier, targetEnd);
    }
    for (let p = frontier; p < targetEnd; p++) {
      const i = p - o.start;
      const s = state[i];
      if (s === SampleState.UNPROVEN && (failures.get(sectorOf(p)) ?? 0) > 0 && !reads.some((r) => coversValid(r, p))) {
        state[i] = SampleState.UNREADABLE;
        values[i] = 0;
      }
    }
    frontier = targetEnd;
    o.onWindow?.(frontier - o.start);
  }
  if (result.alignmentBreak !== undefined) {
    for (let i = result.alignmentBreak - o.start; i < length; i++) if (state[i] === SampleState.PROVEN) state[i] = SampleState.UNALIGNED;
  }
  return result;
}

function coversValid(r: Placed, p: number): boolean {
  const k = p - r.start;
  return k >= 0 && k < r.values.length && (!r.valid || r.valid[k] === 1);
}

/** Consecutive sectors grouped into [start, end) runs of at most `max`. */
function runs(sorted: number[], max: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s === last[1] && last[1] - last[0] < max) last[1] = s + 1;
    else if (!last || s >= last[1]) out.push([s, s + 1]);
  }
  return out;
}
