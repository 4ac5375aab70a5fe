/**
 * Shared pieces of the property-based fuzz suite: run counts from the environment, the "typed
 * error or a value" check with a time bound per call, a resident-memory bound per property, and
 * arbitraries that mutate valid samples (flip, overwrite, length fields, truncate, splice).
 */

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { DiscError } from '../../lib/errors.js';

/** Runs per property: FUZZ_RUNS (default 300; `npm run fuzz` sets 20000). */
export const RUNS = positiveInt(process.env.FUZZ_RUNS, 300);
/** Replay: FUZZ_SEED (and FUZZ_PATH) as fast-check printed them for a failure. */
export const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const PATH = process.env.FUZZ_PATH;
/** One parser call may take at most this long. */
export const CALL_LIMIT_MS = 2000;
/** A property run may grow the resident set by at most this much. */
export const RSS_LIMIT_BYTES = 200 * 1024 * 1024;
/** Time allowed to one property: generous, so `npm run fuzz` with many runs also fits. */
export const PROPERTY_TIMEOUT_MS = Math.max(60_000, RUNS * 40);

function positiveInt(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

/** fast-check parameters for one property: RUNS (scaled by `weight`), seed/path when replaying. */
export function params(weight = 1): fc.Parameters<unknown> {
  return {
    numRuns: Math.max(1, Math.round(RUNS * weight)),
    ...(SEED === undefined ? {} : { seed: SEED }),
    ...(PATH === undefined ? {} : { path: PATH }),
  };
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** The outcome a parser call may have: a value, or an error of the library's own classes. */
export function isTypedError(error: unknown, extra: readonly ErrorClass[] = []): boolean {
  return error instanceof DiscError || extra.some((c) => error instanceof c);
}

/** Fails unless one sync call returns or throws a typed error, within CALL_LIMIT_MS. */
export function typed<T>(what: string, fn: () => T, extra: readonly ErrorClass[] = []): T | undefined {
  const started = performance.now();
  let value: T | undefined;
  try {
    value = fn();
  } catch (error) {
    if (!isTypedError(error, extra)) throw new Error(`${what}: untyped ${describe(error)}`, { cause: error });
  }
  const took = performance.now() - started;
  if (took > CALL_LIMIT_MS) throw new Error(`${what}: one call took ${Math.round(took)} ms`);
  sampleRss();
  return value;
}

/** As `typed`, for async calls; a call still pending after CALL_LIMIT_MS fails (no hang). */
export async function typedAsync<T>(what: string, fn: () => Promise<T>, extra: readonly ErrorClass[] = [], limitMs = CALL_LIMIT_MS): Promise<T | undefined> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HangError(`${what}: still running after ${limitMs} ms`)), limitMs);
  });
  let value: T | undefined;
  try {
    value = await Promise.race([fn(), timeout]);
  } catch (error) {
    if (error instanceof HangError || !isTypedError(error, extra)) {
      throw error instanceof HangError ? error : new Error(`${what}: untyped ${describe(error)}`, { cause: error });
    }
  } finally {
    clearTimeout(timer);
  }
  const took = performance.now() - started;
  if (took > limitMs) throw new Error(`${what}: one call took ${Math.round(took)} ms`);
  sampleRss();
  return value;
}

class HangError extends Error {}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${error.message}`;
  return `throw of ${typeof error} ${String(error)}`;
}

let rssPeak = 0;
function sampleRss(): void {
  const rss = process.memoryUsage.rss();
  if (rss > rssPeak) rssPeak = rss;
}

/**
 * Runs a property and fails when the resident set grew by more than RSS_LIMIT_BYTES during it:
 * a size field turned into a giant allocation shows here even when the call returned.
 */
export async function withRssBound(run: () => Promise<void> | void, limitBytes = RSS_LIMIT_BYTES): Promise<void> {
  const before = process.memoryUsage.rss();
  rssPeak = before;
  await run();
  sampleRss();
  const growth = rssPeak - before;
  if (growth > limitBytes) throw new Error(`resident memory grew by ${Math.round(growth / 2 ** 20)} MiB during the property`);
}

/**
 * fc.assert for a sync property, bounded in memory. Runs as an async property that yields to
 * the event loop now and then: thousands of sync runs in one tick starve the test runner's RPC.
 */
export async function check<T>(arb: fc.Arbitrary<T>, body: (value: T) => void, weight = 1): Promise<void> {
  let calls = 0;
  const yielding = async (value: T): Promise<void> => {
    if (++calls % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    body(value);
  };
  await withRssBound(() => fc.assert(fc.asyncProperty(arb, yielding), params(weight)));
}

/** fc.assert for an async property, bounded in memory. */
export async function checkAsync<T>(arb: fc.Arbitrary<T>, body: (value: T) => Promise<void>, weight = 1): Promise<void> {
  await withRssBound(() => fc.assert(fc.asyncProperty(arb, body), params(weight)));
}

// ---------------------------------------------------------------------------------------------
// Mutations of valid samples

/** Values a length or count field is most likely to break on. */
const FIELD_VALUES = [0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xfe, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'field'; at: number; width: 1 | 2 | 4; littleEndian: boolean; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; at: number; from: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number };

const position = fc.nat({ max: 0x7fffffff });

const inPlaceMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('field' as const),
    at: position,
    width: fc.constantFrom(1 as const, 2 as const, 4 as const),
    littleEndian: fc.boolean(),
    value: fc.oneof(fc.constantFrom(...FIELD_VALUES), fc.nat({ max: 0xffffffff })),
  }),
  fc.record({ kind: fc.constant('splice' as const), at: position, from: position, length: fc.integer({ min: 1, max: 64 }) }),
);

const resizingMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 32 }) }),
);

export interface MutateOptions {
  /** Keep the length (filesystem images over a memory source need whole sectors). */
  inPlace?: boolean;
  /** Mutate only bytes below this offset (e.g. the first 64 sectors of an image). */
  window?: number;
  /** Most mutations per case. Default 6. */
  maxMutations?: number;
}

/** Applies mutations to a copy of `sample`; positions wrap into the sample (or the window). */
export function mutate(sample: Uint8Array, mutations: readonly Mutation[], window = Infinity): Uint8Array {
  let bytes = Uint8Array.from(sample);
  for (const m of mutations) {
    const span = Math.min(bytes.length, window);
    if (span === 0) {
      if (m.kind === 'insert') bytes = Uint8Array.from(m.bytes);
      continue;
    }
    const at = m.at % span;
    switch (m.kind) {
      case 'flip':
        bytes[at] = bytes[at]! ^ (1 << m.bit);
        break;
      case 'set':
        bytes[at] = m.value;
        break;
      case 'field': {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
        if (at + m.width > bytes.length) break;
        if (m.width === 1) view.setUint8(at, m.value & 0xff);
        else if (m.width === 2) view.setUint16(at, m.value & 0xffff, m.littleEndian);
        else view.setUint32(at, m.value >>> 0, m.littleEndian);
        break;
      }
      case 'splice': {
        const from = m.from % bytes.length;
        const piece = bytes.slice(from, from + m.length);
        bytes.set(piece.subarray(0, Math.max(0, bytes.length - at)), at);
        break;
      }
      case 'truncate':
        bytes = bytes.slice(0, at);
        break;
      case 'insert': {
        const out = new Uint8Array(bytes.length + m.bytes.length);
        out.set(bytes.subarray(0, at));
        out.set(m.bytes, at);
        out.set(bytes.subarray(at), at + m.bytes.length);
        bytes = out;
        break;
      }
      case 'delete': {
        const out = new Uint8Array(Math.max(0, bytes.length - Math.min(m.length, bytes.length - at)));
        out.set(bytes.subarray(0, at));
        out.set(bytes.subarray(at + m.length), at);
        bytes = out;
        break;
      }
    }
  }
  return bytes;
}

/** Mutated copies of one of `samples`. */
export function mutatedBytes(samples: readonly Uint8Array[], options: MutateOptions = {}): fc.Arbitrary<Uint8Array> {
  if (samples.length === 0) throw new Error('mutatedBytes needs at least one sample');
  const one = options.inPlace ? inPlaceMutation : fc.oneof({ weight: 3, arbitrary: inPlaceMutation }, { weight: 1, arbitrary: resizingMutation });
  return fc
    .tuple(fc.nat({ max: samples.length - 1 }), fc.array(one, { minLength: 1, maxLength: options.maxMutations ?? 6 }))
    .map(([i, mutations]) => mutate(samples[i]!, mutations, options.window));
}

/**
 * Mutations aimed at structures: each case picks one of the sample's non-zero blocks inside
 * `window` bytes and mutates only inside it (uniform positions over a large image mostly hit
 * file data or zero padding, which no parser reads). Keeps the length.
 */
export function focusedMutations(samples: readonly Uint8Array[], blockSize: number, window: number, maxMutations = 6): fc.Arbitrary<Uint8Array> {
  const blocks = samples.map((sample) => {
    const found: number[] = [];
    for (let at = 0; at + blockSize <= Math.min(sample.length, window); at += blockSize) {
      if (sample.subarray(at, at + blockSize).some((b) => b !== 0)) found.push(at);
    }
    return found.length > 0 ? found : [0];
  });
  return fc
    .tuple(fc.nat({ max: samples.length - 1 }), fc.nat(), fc.array(inPlaceMutation, { minLength: 1, maxLength: maxMutations }))
    .map(([i, pick, mutations]) => {
      const sample = samples[i]!;
      const base = blocks[i]![pick % blocks[i]!.length]!;
      const out = Uint8Array.from(sample);
      // Mutate the block as a sample of its own, then put it back.
      out.set(mutate(sample.subarray(base, base + blockSize), mutations), base);
      return out;
    });
}

/** Bytes from nowhere, and mutated samples, in one arbitrary. */
export function hostileBytes(samples: readonly Uint8Array[], maxLength = 4096): fc.Arbitrary<Uint8Array> {
  return fc.oneof(fc.uint8Array({ maxLength }), mutatedBytes(samples));
}

/** Words a text format's parser is likely to trip on. */
const HOSTILE_TOKENS = [
  '', '0', '-1', '-0', '+5', '1e308', 'NaN', 'Infinity', '0x7fffffff', '99999999999999999999999', '4294967296',
  '9007199254740993', '00:00:00', '99:99:99', '74:59:74', '-1:00:00', '1:2:3:4', '"', '""', '"unterminated', '\\', '\0',
  '\r', '\t', '\uFEFF', '#', '//', '/*', '*/', '{', '}', ':', ',', 'x'.repeat(300), 'é', '\u{1F600}',
];

export type TextMutation =
  | { kind: 'bytes'; mutations: Mutation[] }
  | { kind: 'token'; at: number; token: string }
  | { kind: 'dupLine'; at: number }
  | { kind: 'dropLine'; at: number }
  | { kind: 'swapLines'; at: number; other: number };

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('bytes' as const), mutations: fc.array(fc.oneof(inPlaceMutation, resizingMutation), { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('token' as const), at: position, token: fc.oneof(fc.constantFrom(...HOSTILE_TOKENS), fc.string({ maxLength: 12 })) }),
  fc.record({ kind: fc.constant('dupLine' as const), at: position }),
  fc.record({ kind: fc.constant('dropLine' as const), at: position }),
  fc.record({ kind: fc.constant('swapLines' as const), at: position, other: position }),
);

/** Applies text mutations: byte-level ones through UTF-8, token and line edits on whitespace/line splits. */
export function mutateText(text: string, mutations: readonly TextMutation[]): string {
  let out = text;
  for (const m of mutations) {
    if (m.kind === 'bytes') {
      out = new TextDecoder('utf-8').decode(mutate(new TextEncoder().encode(out), m.mutations));
      continue;
    }
    if (m.kind === 'token') {
      const parts = out.split(/(\s+)/u);
      if (parts.length === 0) continue;
      parts[m.at % parts.length] = m.token;
      out = parts.join('');
      continue;
    }
    const lines = out.split('\n');
    const at = m.at % lines.length;
    if (m.kind === 'dupLine') lines.splice(at, 0, lines[at]!);
    else if (m.kind === 'dropLine') lines.splice(at, 1);
    else {
      const other = m.other % lines.length;
      [lines[at], lines[other]] = [lines[other]!, lines[at]!];
    }
    out = lines.join('\n');
  }
  return out;
}

/** Arbitrary text, and mutated copies of `samples`. */
export function hostileText(samples: readonly string[]): fc.Arbitrary<string> {
  const mutated = fc
    .tuple(fc.nat({ max: Math.max(0, samples.length - 1) }), fc.array(textMutation, { minLength: 1, maxLength: 6 }))
    .map(([i, mutations]) => mutateText(samples[i] ?? '', mutations));
  return fc.oneof(
    { weight: 1, arbitrary: fc.string({ maxLength: 400 }) },
    { weight: 1, arbitrary: fc.fullUnicodeString({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...HOSTILE_TOKENS, '\n', ' ', 'TRACK', 'INDEX', 'FILE'), { maxLength: 60 }).map((t) => t.join(' ')) },
    { weight: 6, arbitrary: mutated },
  );
}

// ---------------------------------------------------------------------------------------------
// Corpus

/** Absolute path of a file in the shared corpus (test/fuzz is two levels below the repository). */
export function corpusPath(relative: string): string {
  return fileURLToPath(new URL(`../../../shared/corpus/${relative}`, import.meta.url));
}

/** The corpus files that exist, read as bytes. */
export function corpusFiles(relatives: readonly string[]): { name: string; bytes: Uint8Array }[] {
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const relative of relatives) {
    const path = corpusPath(relative);
    if (existsSync(path)) out.push({ name: relative, bytes: new Uint8Array(readFileSync(path)) });
  }
  return out;
}

/** The corpus files that exist, read as UTF-8 text. */
export function corpusTexts(relatives: readonly string[]): string[] {
  return corpusFiles(relatives).map((f) => new TextDecoder('utf-8').decode(f.bytes));
}
