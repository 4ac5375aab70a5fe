/**
 * Test doubles for the interval map: a seeded PRNG and a naive model that stores one status per
 * byte, so every IntervalMap answer can be checked against the obvious one.
 */

import type { BlockStatus, Run } from '../../../lib/rescue/interval-map.js';

export const STATUSES: readonly BlockStatus[] = ['?', '*', '/', '-', '+'];

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: () => number, below: number): number {
  return Math.floor(random() * below);
}

export function randomStatus(random: () => number): BlockStatus {
  return STATUSES[randomInt(random, STATUSES.length)]!;
}

/** One status per byte. */
export class NaiveMap {
  bytes: BlockStatus[];
  constructor(size: number, status: BlockStatus = '?') {
    this.bytes = new Array<BlockStatus>(size).fill(status);
  }
  get size(): number {
    return this.bytes.length;
  }
  set(pos: number, size: number, status: BlockStatus): void {
    for (let i = pos; i < pos + size; i++) this.bytes[i] = status;
  }
  setSize(size: number, fill: BlockStatus = '?'): void {
    if (size < this.bytes.length) this.bytes.length = size;
    else while (this.bytes.length < size) this.bytes.push(fill);
  }
  runs(): Run[] {
    const runs: Run[] = [];
    let start = 0;
    for (let i = 1; i <= this.bytes.length; i++) {
      if (i === this.bytes.length || this.bytes[i] !== this.bytes[start]) {
        runs.push({ pos: start, size: i - start, status: this.bytes[start]! });
        start = i;
      }
    }
    return runs;
  }
  count(selector: string): number {
    return this.bytes.filter((s) => selector.includes(s)).length;
  }
  countRuns(selector: string): number {
    return this.runs().filter((r) => selector.includes(r.status)).length;
  }
}

/** Whether byte `i` is in the domain: finished in the domain map, and inside it. */
export function inDomain(domain: NaiveMap | undefined, i: number): boolean {
  return domain === undefined || (i < domain.size && domain.bytes[i] === '+');
}

/** nextRun as specified: first matching byte at or after `from`, up to a status or domain change. */
export function naiveNextRun(map: NaiveMap, from: number, selector: string, domain?: NaiveMap): Run | undefined {
  for (let p = from; p < map.size; p++) {
    const status = map.bytes[p]!;
    if (!selector.includes(status) || !inDomain(domain, p)) continue;
    let e = p + 1;
    while (e < map.size && map.bytes[e] === status && inDomain(domain, e)) e++;
    return { pos: p, size: e - p, status };
  }
  return undefined;
}

/** prevRun as specified: last matching byte before `before`, back to a status or domain change. */
export function naivePrevRun(map: NaiveMap, before: number, selector: string, domain?: NaiveMap): Run | undefined {
  for (let q = Math.min(before, map.size) - 1; q >= 0; q--) {
    const status = map.bytes[q]!;
    if (!selector.includes(status) || !inDomain(domain, q)) continue;
    let s = q;
    while (s > 0 && map.bytes[s - 1] === status && inDomain(domain, s - 1)) s--;
    return { pos: s, size: q + 1 - s, status };
  }
  return undefined;
}
