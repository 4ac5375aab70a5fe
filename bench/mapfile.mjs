// Mapfile and interval-map timings. Run after `npm run build:ts`:  node bench/mapfile.mjs
// Targets (docs/mapfile.md): load, query and save a 1,000,000-run map in under 1 s each; set()
// stays O(log n): the time per update on a 100,000-run map is close to that on a 1,000-run map.
// When GNU ddrescuelog is installed, its time to read and rewrite the same file is the oracle.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IntervalMap, formatMapfile, mapfileStats, readMapfile, saveMapfile } from '../dist/rescue/index.js';

const SECTOR = 2048;

/** mulberry32, so every run measures the same workload. */
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

function time(label, action, target) {
  const start = performance.now();
  const result = action();
  const ms = performance.now() - start;
  const verdict = target === undefined ? '' : ms < target ? `  (target < ${target} ms: ok)` : `  (target < ${target} ms: MISSED)`;
  console.log(`${label.padEnd(58)} ${ms.toFixed(1).padStart(9)} ms${verdict}`);
  return { result, ms };
}

async function timeAsync(label, action, target) {
  const start = performance.now();
  await action();
  const ms = performance.now() - start;
  const verdict = target === undefined ? '' : ms < target ? `  (target < ${target} ms: ok)` : `  (target < ${target} ms: MISSED)`;
  console.log(`${label.padEnd(58)} ${ms.toFixed(1).padStart(9)} ms${verdict}`);
  return ms;
}

/** A damaged-disc map: finished stretches separated by small bad, non-trimmed and non-tried areas. */
function damagedMap(runs, seed) {
  const random = prng(seed);
  const pattern = ['+', '-', '+', '*', '+', '?', '+', '/'];
  const blocks = [];
  let pos = 0;
  for (let i = 0; i < runs; i++) {
    const status = pattern[i % pattern.length];
    const size = SECTOR * (status === '+' ? 1 + Math.floor(random() * 64) : 1 + Math.floor(random() * 4));
    blocks.push({ pos, size, status });
    pos += size;
  }
  return IntervalMap.fromRuns(blocks);
}

/**
 * A rescue-like update stream: a cursor walks forwards through the map writing the outcome of
 * each read (mostly finished, sometimes bad, non-trimmed or non-tried again), with an occasional
 * jump (skipping after an error, a new pass). The mix keeps the number of runs roughly where it
 * started, so the map really has that many runs while it is updated. Returns ns per set().
 */
function updateWorkload(map, updates, seed) {
  const random = prng(seed);
  const sectors = Math.floor(map.size / SECTOR);
  let lba = 0;
  const start = performance.now();
  for (let i = 0; i < updates; i++) {
    if (random() < 0.001) lba = Math.floor(random() * sectors);
    const roll = random();
    const status = roll < 0.55 ? '+' : roll < 0.7 ? '-' : roll < 0.85 ? '*' : '?';
    const count = status === '+' ? 1 + Math.floor(random() * 48) : 1 + Math.floor(random() * 4);
    if (lba + count > sectors) lba = 0;
    map.set(lba * SECTOR, count * SECTOR, status);
    lba += count;
  }
  return ((performance.now() - start) * 1e6) / updates;
}

/**
 * The obvious alternative, as the oracle for set(): one sorted array of run starts, updated with
 * splice, so every update moves O(n) elements.
 */
class FlatArrayMap {
  constructor(map) {
    this.size = map.size;
    this.starts = [];
    this.statuses = [];
    for (const run of map.runs()) {
      this.starts.push(run.pos);
      this.statuses.push(run.status);
    }
  }
  indexOf(pos) {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.starts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  splitAt(pos) {
    if (pos >= this.size) return this.starts.length;
    const i = this.indexOf(pos);
    if (this.starts[i] === pos) return i;
    this.starts.splice(i + 1, 0, pos);
    this.statuses.splice(i + 1, 0, this.statuses[i]);
    return i + 1;
  }
  set(pos, size, status) {
    const first = this.splitAt(pos);
    const end = this.splitAt(pos + size);
    this.starts.splice(first, end - first, pos);
    this.statuses.splice(first, end - first, status);
    if (this.statuses[first + 1] === status) {
      this.starts.splice(first + 1, 1);
      this.statuses.splice(first + 1, 1);
    }
    if (first > 0 && this.statuses[first - 1] === status) {
      this.starts.splice(first, 1);
      this.statuses.splice(first, 1);
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), 'discrescue-bench-'));
try {
  console.log('discrescue mapfile benchmark');
  console.log(`node ${process.version}, ${process.platform}/${process.arch}\n`);

  // 1,000,000 runs: format, load, query, save.
  const big = damagedMap(1_000_000, 1);
  const mapfile = { currentPos: 0, currentStatus: '?', currentPass: 1, map: big };
  const options = { version: 'bench', commandLine: 'bench', startTime: new Date(), currentTime: new Date() };
  const { result: text } = time('format 1,000,000 runs (formatMapfile)', () => formatMapfile(mapfile, options), 1000);
  console.log(`${''.padEnd(58)} ${(text.length / 1e6).toFixed(1).padStart(9)} MB of text`);
  const { result: loaded } = time('load 1,000,000 runs (readMapfile)', () => readMapfile(text), 1000);
  if (loaded.map.runCount !== big.runCount || !loaded.map.equals(big)) throw new Error('load did not round-trip');

  const random = prng(2);
  time(
    'query: 1,000,000 statusAt + 100,000 nextRun/prevRun + stats',
    () => {
      let finished = 0;
      for (let i = 0; i < 1_000_000; i++) if (loaded.map.statusAt(Math.floor(random() * big.size)) === '+') finished++;
      for (let i = 0; i < 50_000; i++) {
        const at = Math.floor(random() * big.size);
        loaded.map.nextRun(at, '-');
        loaded.map.prevRun(at, '?*/');
      }
      return [finished, mapfileStats(loaded.map)];
    },
    1000,
  );
  time('query: walk all runs with runs()', () => {
    let n = 0;
    for (const run of loaded.map.runs()) n += run.size > 0 ? 1 : 0;
    return n;
  }, 1000);

  const path = join(dir, 'big.map');
  await timeAsync('save 1,000,000 runs (saveMapfile: format, write, fsync)', () => saveMapfile(path, mapfile, options), 1000);

  try {
    time('oracle: GNU ddrescuelog -C (read + write the same file)', () => execFileSync('ddrescuelog', ['-C', path], { maxBuffer: 1 << 30 }));
  } catch {
    console.log('oracle: GNU ddrescuelog not installed, skipped');
  }

  // Update workload: O(log n) per set().
  console.log('');
  const updates = 2_000_000;
  updateWorkload(damagedMap(10_000, 9), 200_000, 9); // JIT warm-up
  const perRunCount = [];
  for (const runs of [1_000, 100_000, 1_000_000]) {
    const map = damagedMap(runs, 3);
    const ns = updateWorkload(map, updates, 4);
    perRunCount.push(ns);
    console.log(`${`set() x ${updates.toLocaleString('en')} on ${runs.toLocaleString('en')} runs (rescue-like, local)`.padEnd(58)} ${ns.toFixed(0).padStart(9)} ns/op  (${map.runCount.toLocaleString('en')} runs at the end)`);
  }
  console.log(`${'ratio 100,000 runs / 1,000 runs (O(log n): close to 1)'.padEnd(58)} ${(perRunCount[1] / perRunCount[0]).toFixed(2).padStart(9)}`);
  const flat = new FlatArrayMap(damagedMap(100_000, 3));
  const flatNs = updateWorkload(flat, 100_000, 4);
  console.log(`${'oracle: one flat sorted array + splice, 100,000 runs'.padEnd(58)} ${flatNs.toFixed(0).padStart(9)} ns/op  (${(flatNs / perRunCount[1]).toFixed(1)}x slower)`);

  const map = damagedMap(100_000, 5);
  const random2 = prng(6);
  const start = performance.now();
  for (let i = 0; i < 200_000; i++) {
    const pos = Math.floor(random2() * (map.size - SECTOR * 8));
    map.set(pos - (pos % SECTOR), SECTOR * (1 + Math.floor(random2() * 8)), random2() < 0.5 ? '+' : '-');
  }
  const ns = ((performance.now() - start) * 1e6) / 200_000;
  console.log(`${'set() x 200,000 at random places on 100,000 runs'.padEnd(58)} ${ns.toFixed(0).padStart(9)} ns/op  (${map.runCount.toLocaleString('en')} runs after)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
