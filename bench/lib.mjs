// Shared helpers of the benchmarks (bench/run.mjs): a seeded PRNG, tables, child processes
// measured with GNU time, and defect maps as GNU ddrescue mapfile text.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';

export const SECTOR = 2048;

/** mulberry32: a small seeded PRNG, so every run measures the same workload. */
export function prng(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  /** Integer in [lo, hi], both included. */
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  return next;
}

// ---- formatting ----

export function fmt(value, digits) {
  if (value === undefined || value === null || Number.isNaN(value)) return 'n/a';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'NO';
  const d = digits ?? (Number.isInteger(value) ? 0 : 1);
  return value.toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d });
}

export function ratio(ours, theirs) {
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || theirs === 0) return undefined;
  return ours / theirs;
}

/** Prints a table: `columns` are [header, align ('l'|'r')], rows arrays of already formatted cells. */
export function printTable(title, columns, rows) {
  const widths = columns.map(([header], i) => Math.max(header.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) =>
    cells
      .map((cell, i) => (columns[i][1] === 'l' ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i])))
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(columns.map(([header]) => header)));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

export function mib(bytes) {
  return bytes / (1024 * 1024);
}

// ---- child processes ----

/** Whether /usr/bin/time is GNU time (it takes -f with %M). */
export const GNU_TIME = (() => {
  if (!existsSync('/usr/bin/time')) return false;
  const probe = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' });
  return probe.status === 0 && /^\d+\s*$/m.test(probe.stderr);
})();

/**
 * Runs a command to completion and measures it: wall time (measured here), user and system CPU
 * seconds and peak RSS (KiB) of the child from GNU time when it is there, else from bash's
 * `times` (CPU only, no RSS). stdout is discarded unless `captureStdout`; stderr is kept for
 * error messages.
 */
export async function runMeasured(command, args, options = {}) {
  const marker = '@@bench-time@@';
  let file;
  let fileArgs;
  if (GNU_TIME) {
    file = '/usr/bin/time';
    fileArgs = ['-f', `${marker} %e %U %S %M`, command, ...args];
  } else {
    file = 'bash';
    const quoted = [command, ...args].map((a) => `'${String(a).replaceAll("'", "'\\''")}'`).join(' ');
    fileArgs = ['-c', `${quoted} >/dev/null; rc=$?; t=$(times | tail -1); echo "${marker} 0 $t" >&2; exit $rc`];
  }
  const { captureStdout = false, ...spawnOptions } = options;
  const start = performance.now();
  const child = spawn(file, fileArgs, { stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'], ...spawnOptions });
  let stdout = '';
  if (captureStdout) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => (stdout += chunk));
  }
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (stderr.length > 1 << 20) stderr = stderr.slice(-65536);
  });
  const code = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve(status));
  });
  const wallSeconds = (performance.now() - start) / 1000;
  const line = stderr.split('\n').reverse().find((l) => l.startsWith(marker));
  let userSeconds;
  let systemSeconds;
  let maxRssKiB;
  if (line && GNU_TIME) {
    const [, , user, sys, rss] = line.split(/\s+/);
    userSeconds = Number(user);
    systemSeconds = Number(sys);
    maxRssKiB = Number(rss);
  } else if (line) {
    // bash `times` children line: "0m1.234s 0m0.123s"
    const parts = line.split(/\s+/).slice(2);
    const seconds = (s) => {
      const m = /^(\d+)m([\d.]+)s$/.exec(s ?? '');
      return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
    };
    userSeconds = seconds(parts[0]);
    systemSeconds = seconds(parts[1]);
  }
  const messages = stderr
    .split('\n')
    .filter((l) => !l.startsWith(marker) && !l.startsWith('Command exited with non-zero status'))
    .join('\n');
  return { code, wallSeconds, userSeconds, systemSeconds, maxRssKiB, stdout, stderr: messages };
}

/** Runs a command that must succeed; returns its stdout. */
export function runChecked(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${(result.stderr ?? '').slice(-2000)}`);
  }
  return result.stdout;
}

export function haveCommand(command) {
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return !probe.error && probe.status === 0;
}

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Bytes a file really occupies on disk (st_blocks × 512), and its apparent size. */
export function diskUsage(path) {
  const info = statSync(path);
  return { apparent: info.size, allocated: info.blocks * 512 };
}

// ---- defect maps ----

/**
 * Normalizes bad areas ([startSector, sectorCount] pairs, any order, may overlap or touch) into
 * sorted, disjoint, non-adjacent areas clipped to [0, totalSectors).
 */
export function normalizeAreas(areas, totalSectors) {
  const sorted = areas
    .map(([start, count]) => [Math.max(0, start), Math.min(totalSectors, start + count)])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged.map(([start, end]) => [start, end - start]);
}

/**
 * A GNU ddrescue mapfile (what `--test-mode` and the emulator's faults.defectMap read): the bad
 * areas as '-', everything else '+', the last block reaching the end of the disc.
 */
export function defectMapText(areas, totalSectors, title) {
  const hex = (n) => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
  const lines = [`# Defect map: ${title}`, '# Generated by discrescue bench/run.mjs', '# current_pos  current_status  current_pass', '0x00000000     +               1', '#      pos        size  status'];
  let cursor = 0;
  for (const [start, count] of areas) {
    if (start > cursor) lines.push(`${hex(cursor * SECTOR)}  ${hex((start - cursor) * SECTOR)}  +`);
    lines.push(`${hex(start * SECTOR)}  ${hex(count * SECTOR)}  -`);
    cursor = start + count;
  }
  if (cursor < totalSectors) lines.push(`${hex(cursor * SECTOR)}  ${hex((totalSectors - cursor) * SECTOR)}  +`);
  return `${lines.join('\n')}\n`;
}

export function badSectorCount(areas) {
  return areas.reduce((sum, [, count]) => sum + count, 0);
}

/** `count` random bad areas of 1..maxLength sectors, never touching each other. */
export function randomSmallAreas(random, totalSectors, count, minLength, maxLength, from = 0, to = totalSectors) {
  const taken = new Set();
  const areas = [];
  let guard = 0;
  while (areas.length < count) {
    if (++guard > count * 50) throw new Error(`cannot place ${count} areas in ${to - from} sectors`);
    const length = random.int(minLength, maxLength);
    const start = random.int(from, to - length);
    // Keep one good sector on each side so the areas stay separate.
    let free = true;
    for (let s = start - 1; s <= start + length; s++) if (taken.has(s)) free = false;
    if (!free) continue;
    for (let s = start; s < start + length; s++) taken.add(s);
    areas.push([start, length]);
  }
  return areas;
}

export function readText(path) {
  return readFileSync(path, 'utf8');
}

/** "GNU ddrescue 1.27", or undefined. */
export function ddrescueVersion() {
  const probe = spawnSync('ddrescue', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return undefined;
  return probe.stdout.split('\n')[0].trim();
}

/** Benchmark 3b's defect map: `badAreas` areas of 1-4 sectors on a BD of `sectors`, written to `path`. */
export function writeBdDefects(path, sectors, badAreas, seed) {
  const areas = normalizeAreas(randomSmallAreas(prng(seed), sectors, badAreas, 1, 4, 0, sectors - 1), sectors);
  writeFileSync(path, defectMapText(areas, sectors, `${badAreas} small bad areas on a BD`));
}
