/**
 * Partitioned Rice coding of prediction residuals (RFC 9639 §9.2.7): the choice of partition order
 * and of each partition's parameter (or an escape to fixed-width samples) from per-partition sums
 * of the zigzag-folded residuals, and the bit-exact writing of the chosen coding.
 */

import type { BitWriter } from './bit-writer.js';

/** A parameter entry with this bit set is an escaped partition; the low byte is the sample width. */
export const ESCAPED = 0x100;
/** Largest partition order the 4-bit field can hold. */
export const MAX_PARTITION_ORDER = 15;

const INVERSE_POWERS = new Float64Array(32);
for (let k = 0; k < 32; k++) INVERSE_POWERS[k] = 2 ** -k;

let chosenParameter = 0;

/**
 * Estimated bits of `count` residuals whose folded values sum to `sum` with the best Rice parameter
 * near log2(mean); the parameter is left in {@link lastRiceParameter}. The estimate is within
 * count/2 bits of the exact size (each ⌊u/2^k⌋ is short of u/2^k by less than one).
 */
export function riceEstimate(sum: number, count: number): number {
  if (count === 0) {
    chosenParameter = 0;
    return 0;
  }
  const mean = Math.floor(sum / count);
  let k = mean > 0 ? 31 - Math.clz32(mean) : 0;
  if (k > 30) k = 30;
  const half = count / 2;
  let bestBits = count * (k + 1) + sum * INVERSE_POWERS[k]! - (k > 0 ? half : 0);
  let best = k;
  if (k > 0) {
    const bits = count * k + sum * INVERSE_POWERS[k - 1]! - (k > 1 ? half : 0);
    if (bits < bestBits) {
      bestBits = bits;
      best = k - 1;
    }
  }
  if (k < 30) {
    const bits = count * (k + 2) + sum * INVERSE_POWERS[k + 1]! - half;
    if (bits < bestBits) {
      bestBits = bits;
      best = k + 1;
    }
  }
  chosenParameter = best;
  return bestBits;
}

/** The parameter the last {@link riceEstimate} chose. */
export function lastRiceParameter(): number {
  return chosenParameter;
}

/** How a residual is coded: filled by {@link RicePlanner.plan}. */
export interface RicePlan {
  /** 0: 4-bit parameters; 1: 5-bit parameters. */
  method: number;
  partitionOrder: number;
  /** Per partition: the Rice parameter, or ESCAPED | width. */
  params: Int32Array;
}

/**
 * Chooses the partition order and parameters of residuals. Holds the per-partition sums of every
 * order, so planning allocates nothing.
 */
export class RicePlanner {
  private readonly sums: Float64Array;
  private readonly ors: Int32Array;

  constructor(private readonly maxPartitionOrder: number) {
    this.sums = new Float64Array(2 << maxPartitionOrder);
    this.ors = new Int32Array(2 << maxPartitionOrder);
  }

  /**
   * Plans the coding of `residual[order, n)` into `plan`; returns its estimated size in bits with
   * the 6-bit method and order fields, or Infinity when a residual does not fit 31 bits.
   */
  plan(residual: Int32Array, n: number, order: number, plan: RicePlan): number {
    let top = 0;
    // Every partition holds n/2^p samples, the first one less `order` warm-up samples (kept ≥ 1).
    while (top < this.maxPartitionOrder && (n & ((2 << top) - 1)) === 0 && n >> (top + 1) > order) top++;
    const sums = this.sums;
    const ors = this.ors;
    const parts = 1 << top;
    const size = n >> top;
    let base = parts - 1;
    let i = order;
    let overflow = 0;
    for (let j = 0; j < parts; j++) {
      const end = (j + 1) * size;
      let sum = 0;
      let or = 0;
      for (; i < end; i++) {
        const r = residual[i]!;
        const u = (r << 1) ^ (r >> 31);
        sum += u;
        or |= u;
        // Rice and escape widths need |r| < 2^30 (folded value < 2^31).
        overflow |= r + 0x40000000;
      }
      sums[base + j] = sum;
      ors[base + j] = or;
    }
    if (overflow < 0 || overflow > 0x7fffffff) return Infinity;
    for (let p = top - 1; p >= 0; p--) {
      const level = (1 << p) - 1;
      const below = (2 << p) - 1;
      for (let j = 0; j < 1 << p; j++) {
        sums[level + j] = sums[below + 2 * j]! + sums[below + 2 * j + 1]!;
        ors[level + j] = ors[below + 2 * j]! | ors[below + 2 * j + 1]!;
      }
    }
    let bestBits = Infinity;
    for (let p = top; p >= 0; p--) {
      const level = (1 << p) - 1;
      const count = 1 << p;
      const partSize = n >> p;
      let bits = 0;
      let maxParameter = 0;
      for (let j = 0; j < count; j++) {
        const m = j === 0 ? partSize - order : partSize;
        const rice = riceEstimate(sums[level + j]!, m);
        const width = 32 - Math.clz32(ors[level + j]!);
        const escape = 5 + m * width;
        if (escape < rice) bits += escape;
        else {
          bits += rice;
          const k = lastRiceParameter();
          if (k > maxParameter) maxParameter = k;
        }
      }
      bits += count * (maxParameter >= 15 ? 5 : 4);
      if (bits < bestBits) {
        bestBits = bits;
        plan.partitionOrder = p;
        plan.method = maxParameter >= 15 ? 1 : 0;
        const params = plan.params;
        for (let j = 0; j < count; j++) {
          const m = j === 0 ? partSize - order : partSize;
          const rice = riceEstimate(sums[level + j]!, m);
          const width = 32 - Math.clz32(ors[level + j]!);
          params[j] = 5 + m * width < rice ? ESCAPED | width : lastRiceParameter();
        }
      }
    }
    return bestBits + 6;
  }
}

/** Writes `residual[order, n)` as `plan` says. */
export function writeResidual(writer: BitWriter, residual: Int32Array, n: number, order: number, plan: RicePlan): void {
  const parameterBits = plan.method === 1 ? 5 : 4;
  const escapeCode = plan.method === 1 ? 31 : 15;
  writer.write(plan.method, 2);
  writer.write(plan.partitionOrder, 4);
  const parts = 1 << plan.partitionOrder;
  const size = n >> plan.partitionOrder;
  let start = order;
  for (let j = 0; j < parts; j++) {
    const end = (j + 1) * size;
    const parameter = plan.params[j]!;
    if (parameter & ESCAPED) {
      const width = parameter & 0xff;
      writer.write(escapeCode, parameterBits);
      writer.write(width, 5);
      if (width > 0) for (let i = start; i < end; i++) writer.writeSigned(residual[i]!, width);
    } else {
      writer.write(parameter, parameterBits);
      writeRiceCodes(writer, residual, start, end, parameter);
    }
    start = end;
  }
}

/**
 * Rice codes of `residual[start, end)` with parameter k: the folded value's high part in unary
 * (zeros ended by a one), then its low k bits. The writer's steps are inlined on locals.
 */
function writeRiceCodes(writer: BitWriter, residual: Int32Array, start: number, end: number, k: number): void {
  const buf = writer.buf;
  let acc = writer.acc;
  let pending = writer.pending;
  let pos = writer.pos;
  const top = 1 << k;
  const mask = top - 1;
  for (let i = start; i < end; i++) {
    const r = residual[i]!;
    const u = (r << 1) ^ (r >> 31);
    let quotient = u >>> k;
    const value = top | (u & mask);
    let bits = quotient + 1 + k;
    if (bits > 32) {
      // Long unary run: emit the zeros first, then the terminating one and the low bits.
      while (quotient > 0) {
        const run = quotient > 31 ? 31 : quotient;
        const total = pending + run;
        if (total < 32) {
          acc <<= run;
          pending = total;
        } else {
          const rest = total - 32;
          const word = pending === 0 ? 0 : acc << (32 - pending);
          buf[pos] = word >>> 24;
          buf[pos + 1] = word >>> 16;
          buf[pos + 2] = word >>> 8;
          buf[pos + 3] = word;
          pos += 4;
          acc = 0;
          pending = rest;
        }
        quotient -= run;
      }
      bits = k + 1;
    }
    const total = pending + bits;
    if (total < 32) {
      acc = (acc << bits) | value;
      pending = total;
    } else {
      const rest = total - 32;
      const word = pending === 0 ? value : (acc << (32 - pending)) | (value >>> rest);
      buf[pos] = word >>> 24;
      buf[pos + 1] = word >>> 16;
      buf[pos + 2] = word >>> 8;
      buf[pos + 3] = word;
      pos += 4;
      acc = value;
      pending = rest;
    }
  }
  writer.acc = acc;
  writer.pending = pending;
  writer.pos = pos;
}
