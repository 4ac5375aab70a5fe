/**
 * Shared pieces of the rescue tests: temporary folders, seeded bytes, defect maps, expected
 * mapfile bodies, GNU ddrescue as an oracle, and SectorSource wrappers that count, abort, make
 * sectors flaky or hide the retry-level control.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiscError } from '../../lib/errors.js';
import type { ReadOptions, ReadOutcome, RetryLevel, SectorSource } from '../../lib/sources/sector-source.js';

export const SECTOR = 2048;

export const HAVE_DDRESCUE = spawnSync('ddrescue', ['--version']).status === 0;
export const HAVE_DDRESCUELOG = spawnSync('ddrescuelog', ['--version']).status === 0;
/** Suffix for test names that need the oracles. */
export const ORACLE_NOTE = HAVE_DDRESCUE && HAVE_DDRESCUELOG ? '' : ' (SKIPPED: GNU ddrescue/ddrescuelog not installed)';

/** A fresh temporary folder and a function that removes it. */
export function tempFolder(prefix: string): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `discrescue-${prefix}-`));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

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

export function randomBytes(length: number, seed: number): Uint8Array {
  const random = prng(seed);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 4) {
    const word = Math.floor(random() * 0x1_0000_0000);
    for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
  }
  return out;
}

/** LBAs of [start, end). */
export function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}

function hex(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(8, '0')}`;
}

/** Block lines of a map whose sector `lba` has `statusOf(lba)`, as ddrescue writes them. */
export function blockLines(sectorCount: number, statusOf: (lba: number) => string, sectorSize = SECTOR): string {
  const lines: string[] = [];
  for (let lba = 0; lba < sectorCount; ) {
    const status = statusOf(lba);
    let end = lba + 1;
    while (end < sectorCount && statusOf(end) === status) end++;
    lines.push(`${hex(lba * sectorSize)}  ${hex((end - lba) * sectorSize)}  ${status}`);
    lba = end;
  }
  return lines.join('\n');
}

/** Block lines from runs given as [startLba, endLba, status]. */
export function runsToLines(runs: Array<[number, number, string]>, sectorSize = SECTOR): string {
  return runs.map(([start, end, status]) => `${hex(start * sectorSize)}  ${hex((end - start) * sectorSize)}  ${status}`).join('\n');
}

/** The status line as ddrescue writes it. */
export function statusLine(pos: number, status: string, pass: number): string {
  return `${hex(pos)}     ${status}               ${pass}`;
}

/** A mapfile's text without its comment lines: the status line and the block lines. */
export function mapBody(text: string): string {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0 && !line.trimStart().startsWith('#'))
    .join('\n');
}

/** Block lines only. */
export function mapBlocks(text: string): string {
  return mapBody(text).split('\n').slice(1).join('\n');
}

/** Parsed block lines of a mapfile on disk: [pos, size, status] in bytes. */
export function readBlocks(path: string): Array<[number, number, string]> {
  return mapBlocks(readFileSync(path, 'latin1'))
    .split('\n')
    .map((line) => {
      const [pos, size, status] = line.trim().split(/\s+/u);
      return [Number(pos), Number(size), status!] as [number, number, string];
    });
}

/**
 * A defect map for `--test-mode` and `emulator.defects`: bad sectors '-', the rest '+', always
 * ending with a '+' block (in test mode ddrescue's input ends at the last finished block).
 */
export function defectMap(sectorCount: number, bad: ReadonlySet<number>, sectorSize = SECTOR): string {
  if (bad.has(sectorCount - 1)) throw new Error('the last sector of a defect map must be good');
  return `# defects\n0x00000000     +               1\n${blockLines(sectorCount, (lba) => (bad.has(lba) ? '-' : '+'), sectorSize)}\n`;
}

/** The source bytes with the bad sectors zeroed: what a fresh image holds after a full rescue. */
export function expectedImage(data: Uint8Array, bad: Iterable<number>, sectorSize = SECTOR): Uint8Array {
  const out = data.slice();
  for (const lba of bad) out.fill(0, lba * sectorSize, (lba + 1) * sectorSize);
  return out;
}

/** Runs a tool synchronously; returns its status and output. */
export function runTool(command: string, args: string[], cwd?: string): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'latin1', maxBuffer: 1 << 26 });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** `ddrescuelog -p a b`: exit status 0 when both maps say the same about every byte. */
export function sameMaps(a: string, b: string): { same: boolean; output: string } {
  const r = runTool('ddrescuelog', ['-p', a, b]);
  return { same: r.status === 0, output: r.stdout + r.stderr };
}

/** One read as a wrapped source saw it. */
export interface ReadRecord {
  lba: number;
  count: number;
  level: RetryLevel;
  ok: boolean;
  failedLba: number | undefined;
}

export interface WrapOptions {
  /** Called before each read with how many reads came before it. */
  beforeRead?: (readsBefore: number, lba: number, count: number) => void;
  /** Replaces the outcome (a flaky sector, say). */
  transform?: (lba: number, count: number, outcome: ReadOutcome) => ReadOutcome;
  /** Hide setRetryLevel: a drive that keeps its own read-retry count. */
  noRetryLevel?: boolean;
}

export interface WrappedSource extends SectorSource {
  readonly log: ReadRecord[];
  readonly level: RetryLevel;
}

/** Wraps a source: records every read with the retry level in force, and applies the hooks. */
export function wrapSource(inner: SectorSource, options: WrapOptions = {}): WrappedSource {
  const log: ReadRecord[] = [];
  let level: RetryLevel = 'default';
  const wrapped: WrappedSource = {
    get name() {
      return inner.name;
    },
    get sectorSize() {
      return inner.sectorSize;
    },
    get firstLba() {
      return inner.firstLba;
    },
    get sectorCount() {
      return inner.sectorCount;
    },
    get maxSectorsPerRead() {
      return inner.maxSectorsPerRead;
    },
    get simulation() {
      return inner.simulation;
    },
    get log() {
      return log;
    },
    get level() {
      return level;
    },
    async read(lba: number, count: number, readOptions?: ReadOptions): Promise<ReadOutcome> {
      options.beforeRead?.(log.length, lba, count);
      let outcome = await inner.read(lba, count, readOptions);
      if (options.transform) outcome = options.transform(lba, count, outcome);
      log.push({ lba, count, level, ok: outcome.ok, failedLba: outcome.ok ? undefined : outcome.failedLba });
      return outcome;
    },
    close: () => inner.close(),
  };
  if (!options.noRetryLevel && inner.setRetryLevel) {
    const set = inner.setRetryLevel.bind(inner);
    (wrapped as { setRetryLevel?: (l: RetryLevel) => Promise<boolean> }).setRetryLevel = async (l: RetryLevel) => {
      const accepted = await set(l);
      if (accepted) level = l;
      return accepted;
    };
  }
  return wrapped;
}

/**
 * Sectors that fail their first `failures` reads, then read fine (weak sectors whose luck turns
 * on a retry pass). Reports the failing sector like a drive's sense INFORMATION.
 */
export function flaky(failures: ReadonlyMap<number, number>): WrapOptions['transform'] {
  const left = new Map(failures);
  return (lba, count, outcome) => {
    for (let i = lba; i < lba + count; i++) {
      const n = left.get(i) ?? 0;
      if (n <= 0) continue;
      left.set(i, n - 1);
      return { ok: false, failedLba: i, error: new DiscError(`flaky sector ${i}`), fatal: false };
    }
    return outcome;
  };
}

/** An AbortController that aborts before read number `n` (counting from 0). */
export function abortAfterReads(n: number): { controller: AbortController; beforeRead: NonNullable<WrapOptions['beforeRead']> } {
  const controller = new AbortController();
  return {
    controller,
    beforeRead: (readsBefore) => {
      if (readsBefore >= n) controller.abort();
    },
  };
}
