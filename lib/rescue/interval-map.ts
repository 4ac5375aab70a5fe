/**
 * The status of every byte of [0, size) as runs of ddrescue block status characters (ddrescue
 * manual, "Mapfile structure"): '?' non-tried, '*' non-trimmed, '/' non-scraped, '-' bad
 * sector(s), '+' finished. Adjacent runs of equal status are always merged, as ddrescue does when
 * it reads a mapfile, so the runs are exactly the block lines of the mapfile.
 *
 * Storage: run starts and status codes in chunks of at most CHUNK_MAX runs, found by binary search
 * over the chunks' first positions. An update touches one or two chunks (O(log n) search plus an
 * O(CHUNK_MAX) splice), so millions of local updates stay fast on maps with 10^5 to 10^6 runs.
 * Per-status byte and run totals are kept up to date, so `count()` and `countRuns()` are O(1),
 * and per-chunk status counts let `nextRun()` skip chunks that cannot match.
 */

import type { MapfileBlockStatus } from './mapfile-parse.js';

/** Status of a block of bytes: '?' non-tried, '*' non-trimmed, '/' non-scraped, '-' bad sector, '+' finished. */
export type BlockStatus = MapfileBlockStatus;

/** A maximal run of bytes of one status: [pos, pos + size). */
export interface Run {
  readonly pos: number;
  readonly size: number;
  readonly status: BlockStatus;
}

/** A range of bytes [pos, pos + size). */
export interface ByteRange {
  readonly pos: number;
  readonly size: number;
}

/**
 * Which statuses an operation applies to: a string of status characters (e.g. '-' bad sectors,
 * '?-' non-tried or bad), or a predicate.
 */
export type StatusSelector = string | ((status: BlockStatus) => boolean);

/** Logic operations of `combine`, as `ddrescuelog --and-mapfile / --or-mapfile / --xor-mapfile`. */
export type CombineOperation = 'and' | 'or' | 'xor';

/** Status characters indexed by internal code; code order is the order of the ddrescue phases. */
const STATUS_BY_CODE: readonly BlockStatus[] = ['?', '*', '/', '-', '+'];
const CODE_COUNT = 5;

/** Runs per chunk: large enough that the chunk index stays small, small enough that a splice is cheap. */
const CHUNK_MAX = 512;
/** Fill of chunks built in bulk, leaving room for local updates before the first split. */
const CHUNK_FILL = 256;
/** Chunks below this merge with a neighbour so deletions cannot leave thousands of tiny chunks. */
const CHUNK_MIN = 64;

function codeOf(status: string): number {
  switch (status) {
    case '?':
      return 0;
    case '*':
      return 1;
    case '/':
      return 2;
    case '-':
      return 3;
    case '+':
      return 4;
    default:
      return -1;
  }
}

function statusCode(status: unknown, name = 'status'): number {
  const code = typeof status === 'string' ? codeOf(status) : -1;
  if (code < 0) throw new RangeError(`Expected "${name}" to be one of ? * / - +, got ${JSON.stringify(status)}`);
  return code;
}

/** Bit mask of the codes a selector accepts. */
function selectorMask(selector: StatusSelector): number {
  if (typeof selector === 'function') {
    let mask = 0;
    for (let code = 0; code < CODE_COUNT; code++) if (selector(STATUS_BY_CODE[code]!)) mask |= 1 << code;
    return mask;
  }
  if (typeof selector !== 'string' || selector.length === 0) {
    throw new TypeError(`Expected a status selector (a string of ? * / - + or a predicate), got ${JSON.stringify(selector)}`);
  }
  let mask = 0;
  for (const char of selector) {
    const code = codeOf(char);
    if (code < 0) throw new RangeError(`Expected status characters ? * / - +, got ${JSON.stringify(selector)}`);
    mask |= 1 << code;
  }
  return mask;
}

function checkPosition(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Expected "${name}" to be a non-negative safe integer, got ${String(value)}`);
  }
  return value;
}

/** Runs of one chunk: starts ascending, codes never equal for neighbours (also across chunks). */
class Chunk {
  readonly pos: number[];
  readonly code: number[];
  /** Runs per status code, for skipping chunks in searches. */
  readonly counts: number[];
  constructor(pos: number[], code: number[]) {
    this.pos = pos;
    this.code = code;
    this.counts = [0, 0, 0, 0, 0];
    for (const c of code) this.counts[c]!++;
  }
  mask(): number {
    const counts = this.counts;
    let mask = 0;
    for (let code = 0; code < CODE_COUNT; code++) if (counts[code]! > 0) mask |= 1 << code;
    return mask;
  }
}

/** Module-private factory: lets the builder hand its chunks to a map without copying. */
let adoptChunks: (size: number, chunks: Chunk[]) => IntervalMap;

/**
 * Status of every byte of [0, size). Positions and sizes are bytes (ddrescue's unit); use the
 * sector helpers of mapfile.ts to convert. Do not modify a map while iterating `runs()`,
 * `ranges()` or `intersect()` over it; use `nextRun()` to walk and update.
 */
export class IntervalMap {
  #size = 0;
  #chunks: Chunk[] = [];
  readonly #bytes: number[] = [0, 0, 0, 0, 0];
  readonly #runs: number[] = [0, 0, 0, 0, 0];
  /** Last chunk found: updates are mostly local, so the next lookup usually hits it. */
  #hint = 0;
  // Scratch results of #locate and the replacement entries of set(), to avoid allocations.
  #foundChunk = 0;
  #foundIndex = 0;
  readonly #newPos: number[] = [0, 0, 0];
  readonly #newCode: number[] = [0, 0, 0];

  static {
    adoptChunks = (size, chunks) => {
      const map = new IntervalMap();
      map.#adopt(size, chunks);
      return map;
    };
  }

  /** A map of `size` bytes, all of one status (default non-tried). */
  constructor(size = 0, status: BlockStatus = '?') {
    checkPosition(size, 'size');
    const code = statusCode(status);
    if (size > 0) this.#adopt(size, [new Chunk([0], [code])]);
  }

  /**
   * Builds a map from runs that are contiguous from 0 (adjacent equal runs are merged, runs of
   * size 0 skipped). Throws RangeError on a gap or overlap.
   */
  static fromRuns(runs: Iterable<Run>): IntervalMap {
    const builder = new IntervalMapBuilder();
    for (const run of runs) builder.append(run.pos, run.size, run.status);
    return builder.finish();
  }

  /** Size of the map in bytes (the mapfile extent). */
  get size(): number {
    return this.#size;
  }

  /** Number of runs (block lines of the mapfile). */
  get runCount(): number {
    const runs = this.#runs;
    return runs[0]! + runs[1]! + runs[2]! + runs[3]! + runs[4]!;
  }

  /** Status of the byte at `pos` (0 <= pos < size). */
  statusAt(pos: number): BlockStatus {
    this.#checkInside(pos, 'pos');
    this.#locate(pos);
    return STATUS_BY_CODE[this.#chunks[this.#foundChunk]!.code[this.#foundIndex]!]!;
  }

  /** The whole run containing the byte at `pos`. */
  runAt(pos: number): Run {
    this.#checkInside(pos, 'pos');
    this.#locate(pos);
    const c = this.#foundChunk;
    const i = this.#foundIndex;
    const chunk = this.#chunks[c]!;
    const start = chunk.pos[i]!;
    return { pos: start, size: this.#runEnd(c, i) - start, status: STATUS_BY_CODE[chunk.code[i]!]! };
  }

  /**
   * Marks [pos, pos + size) with `status`, splitting and merging runs. The range must lie
   * inside the map (`setSize` grows it). O(log n) plus the number of runs it replaces.
   */
  set(pos: number, size: number, status: BlockStatus): void {
    checkPosition(pos, 'pos');
    checkPosition(size, 'size');
    const code = statusCode(status);
    const end = pos + size;
    if (end > this.#size) {
      throw new RangeError(`Range 0x${pos.toString(16)}+0x${size.toString(16)} ends beyond the map size 0x${this.#size.toString(16)}`);
    }
    if (size === 0) return;
    const chunks = this.#chunks;
    this.#locate(pos);
    const c1 = this.#foundChunk;
    const i1 = this.#foundIndex;
    const first = chunks[c1]!;
    const firstStart = first.pos[i1]!;
    const firstCode = first.code[i1]!;
    let c2 = c1;
    let i2 = i1;
    if (end > this.#runEnd(c1, i1)) {
      this.#locate(end - 1);
      c2 = this.#foundChunk;
      i2 = this.#foundIndex;
    } else if (firstCode === code) {
      return; // already that status
    }
    const lastCode = chunks[c2]!.code[i2]!;
    const lastEnd = this.#runEnd(c2, i2);

    // Bytes leave their old statuses.
    const bytes = this.#bytes;
    for (let c = c1, i = i1; ; ) {
      const chunk = chunks[c]!;
      bytes[chunk.code[i]!]! -= Math.min(this.#runEnd(c, i), end) - Math.max(chunk.pos[i]!, pos);
      if (c === c2 && i === i2) break;
      if (++i >= chunk.pos.length) {
        c++;
        i = 0;
      }
    }
    bytes[code]! += size;

    // Replace runs (c1,i1)..(c2,i2) by: left remainder, the new run, right remainder, merging
    // the new run into equal neighbours.
    const newPos = this.#newPos;
    const newCode = this.#newCode;
    let count = 0;
    let previousCode: number;
    if (firstStart < pos) {
      newPos[count] = firstStart;
      newCode[count++] = firstCode;
      previousCode = firstCode;
    } else {
      previousCode = this.#codeBefore(c1, i1);
    }
    if (previousCode !== code) {
      newPos[count] = pos;
      newCode[count++] = code;
    }
    let endChunk = c2;
    let endIndex = i2 + 1;
    if (endIndex >= chunks[endChunk]!.pos.length) {
      endChunk++;
      endIndex = 0;
    }
    if (end < lastEnd) {
      if (lastCode !== code) {
        newPos[count] = end;
        newCode[count++] = lastCode;
      }
    } else if (endChunk < chunks.length && chunks[endChunk]!.code[endIndex] === code) {
      // The following run has the new status: it disappears into the new run.
      if (++endIndex >= chunks[endChunk]!.pos.length) {
        endChunk++;
        endIndex = 0;
      }
    }
    this.#replace(c1, i1, endChunk, endIndex, count);
  }

  /**
   * Runs overlapping [start, end), clipped to it, in ascending order. Default: the whole map.
   */
  *runs(start = 0, end = this.#size): Generator<Run> {
    checkPosition(start, 'start');
    checkPosition(end, 'end');
    end = Math.min(end, this.#size);
    if (start >= end) return;
    const chunks = this.#chunks;
    this.#locate(start);
    let c = this.#foundChunk;
    let i = this.#foundIndex;
    let pos = start;
    while (pos < end) {
      const chunk = chunks[c]!;
      const runEnd = Math.min(this.#runEnd(c, i), end);
      yield { pos, size: runEnd - pos, status: STATUS_BY_CODE[chunk.code[i]!]! };
      pos = runEnd;
      if (++i >= chunk.pos.length) {
        c++;
        i = 0;
      }
    }
  }

  /** Calls `visit(pos, size, status)` for every run, without allocating (for formatting big maps). */
  forEachRun(visit: (pos: number, size: number, status: BlockStatus) => void): void {
    const chunks = this.#chunks;
    for (let c = 0; c < chunks.length; c++) {
      const { pos, code } = chunks[c]!;
      const last = pos.length - 1;
      for (let i = 0; i < last; i++) visit(pos[i]!, pos[i + 1]! - pos[i]!, STATUS_BY_CODE[code[i]!]!);
      const next = c + 1 < chunks.length ? chunks[c + 1]!.pos[0]! : this.#size;
      visit(pos[last]!, next - pos[last]!, STATUS_BY_CODE[code[last]!]!);
    }
  }

  /**
   * Maximal ranges whose bytes all match `selector` (neighbouring runs of different matching
   * statuses form one range), clipped to [start, end).
   */
  *ranges(selector: StatusSelector, start = 0, end = this.#size): Generator<ByteRange> {
    const mask = selectorMask(selector);
    let rangeStart = -1;
    let rangeEnd = -1;
    for (const run of this.runs(start, end)) {
      if (((mask >>> codeOf(run.status)) & 1) === 0) continue;
      if (run.pos !== rangeEnd) {
        if (rangeStart >= 0) yield { pos: rangeStart, size: rangeEnd - rangeStart };
        rangeStart = run.pos;
      }
      rangeEnd = run.pos + run.size;
    }
    if (rangeStart >= 0) yield { pos: rangeStart, size: rangeEnd - rangeStart };
  }

  /**
   * The first run at or after `from` whose status matches, clipped to start at `from`; with a
   * domain, also clipped to the first part of it inside the domain (bytes whose status in
   * `domain` matches `domainSelector`, default finished, as `--domain-mapfile`). Undefined if none.
   */
  nextRun(from: number, selector: StatusSelector, domain?: IntervalMap, domainSelector: StatusSelector = '+'): Run | undefined {
    checkPosition(from, 'from');
    const mask = selectorMask(selector);
    if (domain === undefined) return this.#nextRun(from, mask);
    const domainMask = selectorMask(domainSelector);
    for (let pos = from; ; ) {
      const run = this.#nextRun(pos, mask);
      if (run === undefined) return undefined;
      const inside = domain.#nextRun(run.pos, domainMask);
      if (inside === undefined) return undefined;
      const runEnd = run.pos + run.size;
      if (inside.pos < runEnd) {
        const clippedEnd = Math.min(runEnd, inside.pos + inside.size);
        return { pos: inside.pos, size: clippedEnd - inside.pos, status: run.status };
      }
      pos = inside.pos;
    }
  }

  /**
   * The last run that has bytes before `before` and whose status matches, clipped to end at
   * `before` (and to the last part of the domain, if given). For reverse passes.
   */
  prevRun(before: number, selector: StatusSelector, domain?: IntervalMap, domainSelector: StatusSelector = '+'): Run | undefined {
    checkPosition(before, 'before');
    const mask = selectorMask(selector);
    if (domain === undefined) return this.#prevRun(before, mask);
    const domainMask = selectorMask(domainSelector);
    for (let pos = before; ; ) {
      const run = this.#prevRun(pos, mask);
      if (run === undefined) return undefined;
      const inside = domain.#prevRun(run.pos + run.size, domainMask);
      if (inside === undefined) return undefined;
      const insideEnd = inside.pos + inside.size;
      if (insideEnd > run.pos) {
        const clippedStart = Math.max(run.pos, inside.pos);
        return { pos: clippedStart, size: insideEnd - clippedStart, status: run.status };
      }
      pos = insideEnd;
    }
  }

  /** First run at or after `from` (clipped) that is not finished: any status but '+'. */
  firstNotFinished(from = 0, domain?: IntervalMap): Run | undefined {
    return this.nextRun(from, notFinished, domain);
  }

  /** Last run before `before` (clipped) that is not finished: any status but '+'. */
  lastNotFinished(before = this.#size, domain?: IntervalMap): Run | undefined {
    return this.prevRun(before, notFinished, domain);
  }

  /** Bytes whose status matches (O(1)). */
  count(selector: StatusSelector): number {
    const mask = selectorMask(selector);
    let total = 0;
    for (let code = 0; code < CODE_COUNT; code++) if ((mask >>> code) & 1) total += this.#bytes[code]!;
    return total;
  }

  /** Runs whose status matches (O(1)). */
  countRuns(selector: StatusSelector): number {
    const mask = selectorMask(selector);
    let total = 0;
    for (let code = 0; code < CODE_COUNT; code++) if ((mask >>> code) & 1) total += this.#runs[code]!;
    return total;
  }

  /** Grows the map with `fill` (default non-tried) or truncates it. */
  setSize(newSize: number, fill: BlockStatus = '?'): void {
    checkPosition(newSize, 'newSize');
    const code = statusCode(fill, 'fill');
    const oldSize = this.#size;
    if (newSize === oldSize) return;
    if (newSize > oldSize) {
      const chunks = this.#chunks;
      const last = chunks[chunks.length - 1];
      if (last === undefined) {
        this.#adopt(newSize, [new Chunk([0], [code])]);
        return;
      }
      if (last.code[last.code.length - 1] !== code) {
        last.pos.push(oldSize);
        last.code.push(code);
        last.counts[code]!++;
        this.#runs[code]!++;
        this.#fixChunk(chunks.length - 1);
      }
      this.#bytes[code]! += newSize - oldSize;
      this.#size = newSize;
      return;
    }
    for (const run of this.runs(newSize, oldSize)) this.#bytes[codeOf(run.status)]! -= run.size;
    if (newSize === 0) {
      this.#adopt(0, []);
      return;
    }
    this.#locate(newSize);
    let c = this.#foundChunk;
    let i = this.#foundIndex;
    if (this.#chunks[c]!.pos[i]! < newSize && ++i >= this.#chunks[c]!.pos.length) {
      c++;
      i = 0;
    }
    if (c < this.#chunks.length) this.#replace(c, i, this.#chunks.length, 0, 0);
    this.#size = newSize;
  }

  /** A deep copy. */
  clone(): IntervalMap {
    const copy = new IntervalMap();
    copy.#size = this.#size;
    copy.#chunks = this.#chunks.map((chunk) => new Chunk(chunk.pos.slice(), chunk.code.slice()));
    for (let code = 0; code < CODE_COUNT; code++) {
      copy.#bytes[code] = this.#bytes[code]!;
      copy.#runs[code] = this.#runs[code]!;
    }
    return copy;
  }

  /**
   * True if both maps have the same status for every byte. With a domain, only bytes inside it
   * are compared (as `ddrescuelog --compare-mapfile` with `--domain-mapfile`); a domain byte
   * that one map covers and the other does not is a difference.
   */
  equals(other: IntervalMap, domain?: IntervalMap, domainSelector: StatusSelector = '+'): boolean {
    if (domain === undefined) {
      if (this.#size !== other.#size || this.runCount !== other.runCount) return false;
      const a = this.runs();
      const b = other.runs();
      for (let x = a.next(), y = b.next(); !x.done; x = a.next(), y = b.next()) {
        if (y.done || x.value.pos !== y.value.pos || x.value.status !== y.value.status) return false;
      }
      return true;
    }
    const covered = Math.min(this.#size, other.#size);
    for (const range of domain.ranges(domainSelector)) {
      const rangeEnd = range.pos + range.size;
      if (rangeEnd > covered && this.#size !== other.#size) return false;
      const a = this.runs(range.pos, rangeEnd);
      const b = other.runs(range.pos, rangeEnd);
      for (let x = a.next(), y = b.next(); !x.done || !y.done; x = a.next(), y = b.next()) {
        if (x.done || y.done) return false;
        if (x.value.pos !== y.value.pos || x.value.size !== y.value.size || x.value.status !== y.value.status) return false;
      }
    }
    return true;
  }

  /**
   * Runs of this map clipped to the domain: the bytes whose status in `domain` matches
   * `domainSelector` (default finished: `--domain-mapfile` uses only the finished blocks of
   * the domain mapfile). Bytes beyond the domain map's size are outside the domain.
   */
  *intersect(domain: IntervalMap, domainSelector: StatusSelector = '+'): Generator<Run> {
    for (const range of domain.ranges(domainSelector, 0, this.#size)) yield* this.runs(range.pos, range.pos + range.size);
  }

  /**
   * Changes every byte whose status matches `selector` to `status` (as `ddrescuelog
   * --change-types`, or `ddrescue --try-again` / `--retrim`), only inside `domain` if given.
   */
  changeStatus(selector: StatusSelector, status: BlockStatus, domain?: IntervalMap, domainSelector: StatusSelector = '+'): void {
    const mask = selectorMask(selector);
    statusCode(status);
    const matching: Run[] = [];
    const source = domain === undefined ? this.runs() : this.intersect(domain, domainSelector);
    for (const run of source) if ((mask >>> codeOf(run.status)) & 1) matching.push(run);
    for (const run of matching) this.set(run.pos, run.size, status);
  }

  #checkInside(pos: number, name: string): void {
    checkPosition(pos, name);
    if (pos >= this.#size) throw new RangeError(`Expected "${name}" below the map size 0x${this.#size.toString(16)}, got 0x${pos.toString(16)}`);
  }

  #adopt(size: number, chunks: Chunk[]): void {
    this.#size = size;
    this.#chunks = chunks;
    this.#hint = 0;
    this.#bytes.fill(0);
    this.#runs.fill(0);
    for (let code = 0; code < CODE_COUNT; code++) for (const chunk of chunks) this.#runs[code]! += chunk.counts[code]!;
    this.forEachRun((_pos, runSize, status) => {
      this.#bytes[codeOf(status)]! += runSize;
    });
  }

  /** Sets #foundChunk/#foundIndex to the run containing `pos` (0 <= pos < size). */
  #locate(pos: number): void {
    const chunks = this.#chunks;
    let c = this.#hint;
    if (!(c < chunks.length && chunks[c]!.pos[0]! <= pos && (c + 1 === chunks.length || chunks[c + 1]!.pos[0]! > pos))) {
      let lo = 0;
      let hi = chunks.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (chunks[mid]!.pos[0]! <= pos) lo = mid;
        else hi = mid - 1;
      }
      c = lo;
      this.#hint = c;
    }
    const starts = chunks[c]!.pos;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    this.#foundChunk = c;
    this.#foundIndex = lo;
  }

  #runEnd(c: number, i: number): number {
    const chunks = this.#chunks;
    const starts = chunks[c]!.pos;
    if (i + 1 < starts.length) return starts[i + 1]!;
    return c + 1 < chunks.length ? chunks[c + 1]!.pos[0]! : this.#size;
  }

  /** Status code of the run before (c, i), or -1 at the start of the map. */
  #codeBefore(c: number, i: number): number {
    if (i > 0) return this.#chunks[c]!.code[i - 1]!;
    if (c === 0) return -1;
    const previous = this.#chunks[c - 1]!.code;
    return previous[previous.length - 1]!;
  }

  /**
   * Deletes the runs from (c1, i1) up to, not including, (endChunk, endIndex) and inserts the
   * first `count` entries of #newPos/#newCode in their place.
   */
  #replace(c1: number, i1: number, endChunk: number, endIndex: number, count: number): void {
    const chunks = this.#chunks;
    const runs = this.#runs;
    const newPos = this.#newPos;
    const newCode = this.#newCode;
    const first = chunks[c1]!;
    const lastInFirst = c1 === endChunk ? endIndex : first.pos.length;
    for (let i = i1; i < lastInFirst; i++) {
      const code = first.code[i]!;
      first.counts[code]!--;
      runs[code]!--;
    }
    for (let k = 0; k < count; k++) {
      first.counts[newCode[k]!]!++;
      runs[newCode[k]!]!++;
    }
    const removed = lastInFirst - i1;
    const kept = Math.min(removed, count);
    for (let k = 0; k < kept; k++) {
      first.pos[i1 + k] = newPos[k]!;
      first.code[i1 + k] = newCode[k]!;
    }
    if (removed > count) {
      first.pos.splice(i1 + count, removed - count);
      first.code.splice(i1 + count, removed - count);
    } else if (count > removed) {
      first.pos.splice(i1 + removed, 0, ...newPos.slice(removed, count));
      first.code.splice(i1 + removed, 0, ...newCode.slice(removed, count));
    }
    if (endChunk > c1) {
      for (let c = c1 + 1; c < endChunk; c++) {
        for (const code of chunks[c]!.code) runs[code]!--;
      }
      const last = chunks[endChunk];
      if (last !== undefined && endIndex > 0) {
        for (let i = 0; i < endIndex; i++) {
          const code = last.code[i]!;
          last.counts[code]!--;
          runs[code]!--;
        }
        last.pos.splice(0, endIndex);
        last.code.splice(0, endIndex);
      }
      if (endChunk > c1 + 1) chunks.splice(c1 + 1, endChunk - c1 - 1);
      this.#fixChunk(c1 + 1);
    }
    this.#fixChunk(c1);
  }

  /** Removes chunk k if empty, splits it if too big, merges it with a neighbour if too small. */
  #fixChunk(k: number): void {
    const chunks = this.#chunks;
    const chunk = chunks[k];
    if (chunk === undefined) return;
    const length = chunk.pos.length;
    if (length === 0) {
      chunks.splice(k, 1);
    } else if (length > CHUNK_MAX) {
      const half = length >>> 1;
      const tail = new Chunk(chunk.pos.splice(half), chunk.code.splice(half));
      for (let code = 0; code < CODE_COUNT; code++) chunk.counts[code]! -= tail.counts[code]!;
      chunks.splice(k + 1, 0, tail);
    } else if (length < CHUNK_MIN) {
      const next = chunks[k + 1];
      const previous = chunks[k - 1];
      if (next !== undefined && length + next.pos.length <= CHUNK_MAX) {
        chunks[k] = new Chunk(chunk.pos.concat(next.pos), chunk.code.concat(next.code));
        chunks.splice(k + 1, 1);
      } else if (previous !== undefined && length + previous.pos.length <= CHUNK_MAX) {
        chunks[k - 1] = new Chunk(previous.pos.concat(chunk.pos), previous.code.concat(chunk.code));
        chunks.splice(k, 1);
      }
    }
  }

  #nextRun(from: number, mask: number): Run | undefined {
    if (from >= this.#size || mask === 0) return undefined;
    const chunks = this.#chunks;
    this.#locate(from);
    let i = this.#foundIndex;
    for (let c = this.#foundChunk; c < chunks.length; c++, i = 0) {
      const chunk = chunks[c]!;
      if ((chunk.mask() & mask) === 0) continue;
      const codes = chunk.code;
      for (; i < codes.length; i++) {
        if ((mask >>> codes[i]!) & 1) {
          const start = Math.max(chunk.pos[i]!, from);
          return { pos: start, size: this.#runEnd(c, i) - start, status: STATUS_BY_CODE[codes[i]!]! };
        }
      }
    }
    return undefined;
  }

  #prevRun(before: number, mask: number): Run | undefined {
    before = Math.min(before, this.#size);
    if (before === 0 || mask === 0) return undefined;
    const chunks = this.#chunks;
    this.#locate(before - 1);
    let i = this.#foundIndex;
    for (let c = this.#foundChunk; c >= 0; c--) {
      const chunk = chunks[c]!;
      if (c !== this.#foundChunk) i = chunk.pos.length - 1;
      if ((chunk.mask() & mask) === 0) continue;
      const codes = chunk.code;
      for (; i >= 0; i--) {
        if ((mask >>> codes[i]!) & 1) {
          const start = chunk.pos[i]!;
          return { pos: start, size: Math.min(this.#runEnd(c, i), before) - start, status: STATUS_BY_CODE[codes[i]!]! };
        }
      }
    }
    return undefined;
  }
}

const notFinished: StatusSelector = '?*/-';

/**
 * Appends runs in order to build a map in O(n), merging adjacent equal runs: the fast way to
 * load a mapfile.
 */
export class IntervalMapBuilder {
  #end = 0;
  readonly #chunks: Chunk[] = [];
  // The chunk being filled; small arrays grow far cheaper than one array of a million runs.
  #pos: number[] = [];
  #code: number[] = [];
  #lastCode = -1;

  /** Bytes appended so far (the next run must start here). */
  get size(): number {
    return this.#end;
  }

  /** Appends [pos, pos + size); pos must equal the current end. */
  append(pos: number, size: number, status: BlockStatus): this {
    const code = statusCode(status);
    if (pos !== this.#end) {
      checkPosition(pos, 'pos');
      throw new RangeError(`Run at 0x${pos.toString(16)} is not contiguous: the map so far ends at 0x${this.#end.toString(16)}`);
    }
    checkPosition(size, 'size');
    if (!Number.isSafeInteger(pos + size)) throw new RangeError(`Run at 0x${pos.toString(16)} ends beyond 2^53 - 1`);
    if (size === 0) return this;
    if (code !== this.#lastCode) {
      if (this.#pos.length === CHUNK_FILL) {
        this.#chunks.push(new Chunk(this.#pos, this.#code));
        this.#pos = [];
        this.#code = [];
      }
      this.#pos.push(pos);
      this.#code.push(code);
      this.#lastCode = code;
    }
    this.#end = pos + size;
    return this;
  }

  /** The map; the builder must not be used afterwards. */
  finish(): IntervalMap {
    if (this.#pos.length > 0) this.#chunks.push(new Chunk(this.#pos, this.#code));
    this.#pos = [];
    this.#code = [];
    return adoptChunks(this.#end, this.#chunks);
  }
}

/**
 * Logic operation on the finished blocks of two maps, exactly as `ddrescuelog -y/-z/-x b a`
 * (GNU ddrescue 1.27) changes `a`: the result has `a`'s size; bytes beyond `b` keep `a`'s
 * status. Elsewhere, with A = finished in a, B = finished in b:
 * - and: A∧B → '+'; A∧¬B → '-'; ¬A → a's status
 * - or:  A∨B → '+'; otherwise a's status
 * - xor: A⊕B → '+'; A∧B → '-'; otherwise a's status
 */
export function combine(a: IntervalMap, b: IntervalMap, op: CombineOperation): IntervalMap {
  if (op !== 'and' && op !== 'or' && op !== 'xor') throw new RangeError(`Expected "op" to be and, or or xor, got ${JSON.stringify(op)}`);
  const builder = new IntervalMapBuilder();
  const other = b.runs(0, a.size);
  let current = other.next();
  for (const run of a.runs()) {
    let pos = run.pos;
    const runEnd = run.pos + run.size;
    while (pos < runEnd) {
      if (current.done) {
        builder.append(pos, runEnd - pos, run.status);
        break;
      }
      const otherEnd = current.value.pos + current.value.size;
      const pieceEnd = Math.min(runEnd, otherEnd);
      builder.append(pos, pieceEnd - pos, combineStatus(run.status, current.value.status, op));
      pos = pieceEnd;
      if (otherEnd === pieceEnd) current = other.next();
    }
  }
  return builder.finish();
}

function combineStatus(a: BlockStatus, b: BlockStatus, op: CombineOperation): BlockStatus {
  const finishedA = a === '+';
  const finishedB = b === '+';
  switch (op) {
    case 'and':
      return finishedA ? (finishedB ? '+' : '-') : a;
    case 'or':
      return finishedA || finishedB ? '+' : a;
    case 'xor':
      return finishedA !== finishedB ? '+' : finishedA ? '-' : a;
  }
}
