/**
 * The rescue engine: copies what a SectorSource can read into an image, keeping a GNU
 * ddrescue-compatible mapfile, in phases (copying → trimming → scraping → retrying).
 *
 * Strategy for optical drives: the early phases run with the drive's read-retry count lowered to
 * 0 and use the sense INFORMATION field (the exact failing LBA) so that a bad sector costs one
 * quick failure and the good sectors around it are read at once; areas that keep failing are
 * skipped with growing steps and approached again from their far end. Only then does every
 * sector not yet rescued get one read at the drive's default retry count (scraping), and retry
 * passes follow if asked for. Data is written and flushed to the image before the mapfile claims
 * it; the mapfile is replaced atomically; finished data is never overwritten.
 */

import { constants as fsConstants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { AbortError, DiscError, FormatError } from '../errors.js';
import type { ReadOutcome, SectorSource } from '../sources/sector-source.js';
import { IntervalMap, type BlockStatus } from './interval-map.js';
import { readMapfile, saveMapfile, type Mapfile } from './mapfile.js';

export type RescuePhase = 'copying' | 'trimming' | 'scraping' | 'retrying' | 'finished';

/** ddrescue's current_status character for each phase. */
const PHASE_STATUS: Record<RescuePhase, Mapfile['currentStatus']> = {
  copying: '?',
  trimming: '*',
  scraping: '/',
  retrying: '-',
  finished: '+',
};

export interface RescueProgress {
  phase: RescuePhase;
  pass: number;
  /** Byte position in the image of the current read. */
  pos: number;
  bytesTotal: number;
  rescuedBytes: number;
  nonTriedBytes: number;
  nonTrimmedBytes: number;
  nonScrapedBytes: number;
  badSectorBytes: number;
  /** Number of runs that are not finished (ddrescue's "error areas" minus non-tried). */
  errorAreas: number;
  readErrors: number;
  /** Bytes per second over the last interval and since the start (real time). */
  currentRate: number;
  averageRate: number;
  /** Seconds since the last successful read (real time). */
  sinceLastSuccessSeconds: number;
  /** Virtual clock of an emulated drive. */
  simulatedSeconds?: number | undefined;
}

export interface RescueOptions {
  source: SectorSource;
  imagePath: string;
  mapfilePath: string;
  /** Retry passes over bad sectors after scraping (ddrescue -r). Default 0. */
  retryPasses?: number;
  /** Run the first copying pass backwards. */
  reverse?: boolean;
  /** Bypass the drive cache on every read (FUA). */
  direct?: boolean;
  /** Skip the trimming phase. */
  noTrim?: boolean;
  /** Skip the scraping phase. */
  noScrape?: boolean;
  /** Which copying passes to run (ddrescue --cpass), from 1-3. Default all. */
  copyPasses?: number[];
  /** Only the areas finished ('+') in this map are rescued (ddrescue --domain-mapfile). */
  domain?: IntervalMap;
  /** Sectors per read in the copying phase. Default min(32, source.maxSectorsPerRead). */
  clusterSectors?: number;
  /** Upper bound of the skip after consecutive errors, in sectors. Default 1% of the source, ≥ 64. */
  maxSkipSectors?: number;
  /** Throttle reads to this many bytes per second (real time). */
  maxReadRate?: number;
  /** Write the mapfile at most this often while running (ms). Default 5000. */
  mapfileIntervalMs?: number;
  /** Start even though the image exists without a mapfile, or the output is a block device. */
  force?: boolean;
  /** Recorded in the mapfile's comment lines. */
  commandLine?: string;
  signal?: AbortSignal;
  onProgress?: (progress: RescueProgress) => void;
  /** Minimum real time between progress events (ms). Default 250. */
  progressIntervalMs?: number;
}

export interface BadArea {
  lba: number;
  sectorCount: number;
  status: BlockStatus;
}

export interface RescueResult {
  /** Every sector in the domain is rescued. */
  complete: boolean;
  sectorSize: number;
  firstLba: number;
  sectorCount: number;
  rescuedBytes: number;
  nonTriedBytes: number;
  nonTrimmedBytes: number;
  nonScrapedBytes: number;
  badSectorBytes: number;
  errorAreas: number;
  readErrors: number;
  badAreas: BadArea[];
  /** Whether the drive accepted the lowered read-retry count. */
  fastRetries: boolean;
  /** Resumed from an existing mapfile. */
  resumed: boolean;
  elapsedMs: number;
  simulation?: {
    commands: number;
    sectorsRead: number;
    failedReads: number;
    simulatedSeconds: number;
    /** Virtual time when the last rescued sector came in. */
    simulatedSecondsAtLastRescue: number;
  };
}

/** The rescue cannot start: its inputs contradict each other or would lose data. */
export class RescueSetupError extends DiscError {
  override readonly code = 'ERR_RESCUE_SETUP';
}

export async function rescue(options: RescueOptions): Promise<RescueResult> {
  const engine = await RescueEngine.create(options);
  return engine.run();
}

class RescueEngine {
  readonly #o: RescueOptions;
  readonly #source: SectorSource;
  readonly #sectorSize: number;
  readonly #map: IntervalMap;
  readonly #image: FileHandle;
  readonly #resumed: boolean;
  readonly #startTime = new Date();
  readonly #cluster: number;
  readonly #maxSkip: number;
  #phase: RescuePhase = 'copying';
  #pass = 1;
  #pos = 0;
  #readErrors = 0;
  #dirty = false;
  #lastSave = Date.now();
  #lastProgress = 0;
  #lastSuccess = Date.now();
  #started = Date.now();
  #rateWindow = { time: Date.now(), bytes: 0 };
  #currentRate = 0;
  #fastRetries = false;
  #simulatedAtLastRescue = 0;
  #readBytes = 0;

  private constructor(o: RescueOptions, map: IntervalMap, image: FileHandle, resumed: boolean, mapfile: Mapfile | undefined) {
    this.#o = o;
    this.#source = o.source;
    this.#sectorSize = o.source.sectorSize;
    this.#map = map;
    this.#image = image;
    this.#resumed = resumed;
    this.#cluster = Math.max(1, Math.min(o.clusterSectors ?? 32, o.source.maxSectorsPerRead));
    this.#maxSkip = o.maxSkipSectors ?? Math.max(64, Math.floor(o.source.sectorCount / 100));
    if (mapfile) {
      this.#pos = mapfile.currentPos;
      this.#pass = mapfile.currentPass;
    }
  }

  static async create(o: RescueOptions): Promise<RescueEngine> {
    const source = o.source;
    const size = source.sectorCount * source.sectorSize;
    const imageInfo = await stat(o.imagePath).catch(() => undefined);
    const mapText = await readText(o.mapfilePath);
    if (imageInfo?.isBlockDevice() && !o.force) {
      throw new RescueSetupError(`${o.imagePath} is a block device: writing onto it destroys its contents; use --force if you mean it`);
    }
    if (imageInfo && imageInfo.isDirectory()) throw new RescueSetupError(`${o.imagePath} is a directory`);
    if (imageInfo && mapText === undefined && imageInfo.size > 0 && !o.force) {
      throw new RescueSetupError(
        `${o.imagePath} exists but ${o.mapfilePath} does not: continuing would not know which data is good; use --force to start over on it`,
      );
    }
    let mapfile: Mapfile | undefined;
    let map: IntervalMap;
    if (mapText !== undefined && mapText.trim().length > 0) {
      mapfile = readMapfile(mapText, { fileName: o.mapfilePath });
      map = mapfile.map;
      if (map.size > size) {
        if (map.count('+') > 0 && lastFinishedEnd(map) > size) {
          throw new RescueSetupError(
            `${o.mapfilePath} describes ${map.size} bytes but the source has ${size}: is this the same disc?`,
          );
        }
        map.setSize(size);
      } else if (map.size < size) {
        map.setSize(size, '?');
      }
    } else {
      map = new IntervalMap(size, '?');
    }
    const flags = fsConstants.O_RDWR | fsConstants.O_CREAT;
    const image = await open(o.imagePath, flags, 0o644);
    return new RescueEngine(o, map, image, mapfile !== undefined, mapfile);
  }

  async run(): Promise<RescueResult> {
    try {
      this.#fastRetries = (await this.#source.setRetryLevel?.('fast')) ?? false;
      await this.#copying();
      if (!this.#o.noTrim) await this.#trimming();
      if (this.#fastRetries) await this.#source.setRetryLevel?.('default');
      if (!this.#o.noScrape) await this.#scraping();
      await this.#retrying();
      this.#phase = 'finished';
      await this.#save(true);
      this.#emitProgress(true);
      return this.#result();
    } catch (error) {
      await this.#save(true).catch(() => undefined);
      throw error;
    } finally {
      if (this.#fastRetries) await this.#source.setRetryLevel?.('default').catch(() => false);
      await this.#image.close().catch(() => undefined);
    }
  }

  // ---- phases ----

  async #copying(): Promise<void> {
    this.#phase = 'copying';
    const passes = this.#o.copyPasses ?? [1, 2, 3];
    const reverseFirst = this.#o.reverse ?? false;
    const lastPass = Math.max(...passes);
    for (const pass of [1, 2, 3]) {
      if (!passes.includes(pass)) continue;
      if (!this.#hasStatus('?')) return;
      this.#pass = pass;
      const backwards = pass === 2 ? !reverseFirst : reverseFirst;
      // The last pass gives up on areas that keep failing, leaving them to trimming and scraping.
      await this.#copyPass(backwards, pass === lastPass ? '*' : '?');
    }
  }

  /** One pass over the non-tried areas, skipping ahead after errors. */
  async #copyPass(backwards: boolean, skippedStatus: BlockStatus): Promise<void> {
    let errors = 0;
    let cursor = backwards ? this.#map.size : 0;
    for (;;) {
      this.#checkAbort();
      const run = backwards ? this.#map.prevRun(cursor, '?', this.#o.domain) : this.#map.nextRun(cursor, '?', this.#o.domain);
      if (!run) return;
      const runStart = this.#lbaOf(run.pos);
      const runEnd = this.#lbaOf(run.pos + run.size);
      let start: number;
      let count: number;
      if (backwards) {
        const end = Math.min(runEnd, this.#lbaOf(cursor));
        start = Math.max(runStart, end - this.#cluster);
        count = end - start;
      } else {
        start = Math.max(runStart, this.#lbaOf(cursor));
        count = Math.min(this.#cluster, runEnd - start);
      }
      if (count <= 0) {
        cursor = backwards ? run.pos : run.pos + run.size;
        continue;
      }
      const failure = await this.#readRange(start, count, 'fast');
      if (failure === undefined) {
        errors = 0;
        cursor = this.#offsetOf(backwards ? start : start + count);
        continue;
      }
      errors++;
      const skip = errors <= 1 ? 0 : Math.min(this.#maxSkip, 2 ** (errors - 1));
      if (backwards) {
        // The sectors after the failing one lie towards the good side: read them before stepping back.
        const end = start + count;
        for (let next = failure + 1; next < end; ) {
          const again = await this.#readRange(next, end - next, 'fast');
          if (again === undefined) break;
          next = again + 1;
        }
        const resume = Math.max(runStart, failure - skip);
        if (skip > 0) this.#mark(resume, failure - resume, skippedStatus, '?');
        cursor = this.#offsetOf(resume);
      } else {
        const resume = Math.min(runEnd, failure + 1 + skip);
        if (skip > 0) this.#mark(failure + 1, resume - failure - 1, skippedStatus, '?');
        cursor = this.#offsetOf(resume);
      }
    }
  }

  /**
   * Trimming: non-trimmed areas (failed without a known failing sector, or given up in the last
   * copying pass) are read sector by sector from both edges until each edge fails.
   */
  async #trimming(): Promise<void> {
    if (!this.#hasStatus('*')) return;
    this.#phase = 'trimming';
    this.#pass = 1;
    let cursor = 0;
    for (;;) {
      this.#checkAbort();
      const run = this.#map.nextRun(cursor, '*', this.#o.domain);
      if (!run) return;
      let first = this.#lbaOf(run.pos);
      let last = this.#lbaOf(run.pos + run.size) - 1;
      while (first <= last) {
        const failed = await this.#readOne(first, 'fast', '/');
        first++;
        if (failed) break;
      }
      while (last >= first) {
        const failed = await this.#readOne(last, 'fast', '/');
        last--;
        if (failed) break;
      }
      if (first <= last) this.#mark(first, last - first + 1, '/', '*');
      cursor = run.pos + run.size;
    }
  }

  /** Scraping: every sector not rescued yet gets one read at the drive's default retry count. */
  async #scraping(): Promise<void> {
    if (!this.#hasStatus('*/')) return;
    this.#phase = 'scraping';
    this.#pass = 1;
    await this.#sweep('*/', false);
  }

  /** Retry passes over bad sectors, alternating direction like ddrescue. */
  async #retrying(): Promise<void> {
    const passes = this.#o.retryPasses ?? 0;
    for (let pass = 1; pass <= passes; pass++) {
      if (!this.#hasStatus('-')) return;
      this.#phase = 'retrying';
      this.#pass = pass;
      await this.#sweep('-', pass % 2 === 0);
    }
  }

  /** Reads every sector of the selected runs at default retries; failures become bad sectors. */
  async #sweep(selector: string, backwards: boolean): Promise<void> {
    let cursor = backwards ? this.#map.size : 0;
    for (;;) {
      this.#checkAbort();
      const run = backwards ? this.#map.prevRun(cursor, selector, this.#o.domain) : this.#map.nextRun(cursor, selector, this.#o.domain);
      if (!run) return;
      const runStart = this.#lbaOf(run.pos);
      const runEnd = this.#lbaOf(run.pos + run.size);
      if (backwards) {
        for (let lba = runEnd - 1; lba >= runStart; lba--) await this.#readOne(lba, 'default', '-');
        cursor = run.pos;
      } else {
        let lba = runStart;
        while (lba < runEnd) {
          const count = Math.min(this.#cluster, runEnd - lba);
          const failure = await this.#readRange(lba, count, 'default');
          lba = failure === undefined ? lba + count : failure + 1;
        }
        cursor = run.pos + run.size;
      }
    }
  }

  // ---- reading ----

  /**
   * Reads [lba, lba+count). On success marks it rescued. On a failure with a known failing
   * sector, reads the good prefix again and marks the failing sector; returns its LBA. On a
   * failure without one, marks the whole range non-trimmed and returns the last LBA of the range.
   */
  async #readRange(lba: number, count: number, level: 'fast' | 'default'): Promise<number | undefined> {
    let start = lba;
    let remaining = count;
    while (remaining > 0) {
      const outcome = await this.#read(start, remaining);
      if (outcome.ok) {
        await this.#store(start, outcome.data);
        return undefined;
      }
      const failed = outcome.failedLba;
      const failStatus: BlockStatus = level === 'fast' ? '/' : '-';
      if (failed === undefined || failed < start || failed >= start + remaining) {
        if (remaining === 1) {
          this.#mark(start, 1, failStatus);
          return start;
        }
        if (level === 'fast') {
          // No usable failing LBA: leave the range to trimming, as ddrescue does.
          this.#mark(start, remaining, '*');
          return start + remaining - 1;
        }
        // At default retries every sector gets its own read.
        let firstFailed: number | undefined;
        for (let one = start; one < start + remaining; one++) {
          if ((await this.#readOne(one, level, '-')) && firstFailed === undefined) firstFailed = one;
        }
        return firstFailed;
      }
      if (failed > start) {
        const prefix = await this.#read(start, failed - start);
        if (prefix.ok) await this.#store(start, prefix.data);
        else if (prefix.failedLba !== undefined && prefix.failedLba >= start && prefix.failedLba < failed) {
          // A sector before the reported one failed on the re-read: handle it first.
          remaining = failed - start;
          continue;
        }
      }
      this.#mark(failed, 1, failStatus);
      return failed;
    }
    return undefined;
  }

  /** Reads one sector; marks it rescued or `failStatus`. Returns true when it failed. */
  async #readOne(lba: number, _level: 'fast' | 'default', failStatus: BlockStatus): Promise<boolean> {
    const outcome = await this.#read(lba, 1);
    if (outcome.ok) {
      await this.#store(lba, outcome.data);
      return false;
    }
    this.#mark(lba, 1, failStatus);
    return true;
  }

  async #read(lba: number, count: number): Promise<ReadOutcome> {
    this.#checkAbort();
    this.#pos = this.#offsetOf(lba);
    await this.#throttle(count);
    const outcome = await this.#source.read(lba, count, {
      ...(this.#o.direct ? { fua: true } : {}),
      ...(this.#o.signal ? { signal: this.#o.signal } : {}),
    });
    if (!outcome.ok) {
      this.#readErrors++;
      if (outcome.fatal) {
        await this.#save(true).catch(() => undefined);
        throw outcome.error;
      }
    }
    this.#emitProgress(false);
    return outcome;
  }

  /** Writes rescued data, never over sectors already finished, then marks them. */
  async #store(lba: number, data: Uint8Array): Promise<void> {
    const size = this.#sectorSize;
    const count = data.length / size;
    let i = 0;
    while (i < count) {
      const offset = this.#offsetOf(lba + i);
      if (this.#map.statusAt(offset) === '+') {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < count && this.#map.statusAt(this.#offsetOf(lba + j)) !== '+') j++;
      await writeAll(this.#image, data.subarray(i * size, j * size), offset);
      this.#map.set(offset, (j - i) * size, '+');
      i = j;
    }
    this.#dirty = true;
    this.#readBytes += data.length;
    this.#lastSuccess = Date.now();
    const simulation = this.#source.simulation;
    if (simulation) this.#simulatedAtLastRescue = simulation.simulatedSeconds;
    await this.#maybeSave();
  }

  /** Sets the status of sectors, never touching finished ones; `only` limits it to one status. */
  #mark(lba: number, count: number, status: BlockStatus, only?: BlockStatus): void {
    const end = lba + count;
    for (let cursor = lba; cursor < end; ) {
      const offset = this.#offsetOf(cursor);
      const run = this.#map.runAt(offset);
      const runEndLba = Math.min(end, this.#lbaOf(run.pos + run.size));
      if (run.status !== '+' && (only === undefined || run.status === only)) {
        this.#map.set(offset, (runEndLba - cursor) * this.#sectorSize, status);
      }
      cursor = runEndLba;
    }
    this.#dirty = true;
  }

  // ---- persistence and reporting ----

  async #maybeSave(): Promise<void> {
    if (Date.now() - this.#lastSave >= (this.#o.mapfileIntervalMs ?? 5000)) await this.#save(false);
  }

  async #save(force: boolean): Promise<void> {
    if (!force && !this.#dirty) return;
    // The image must hold the data before the mapfile says it does.
    await this.#image.datasync();
    await saveMapfile(
      this.#o.mapfilePath,
      {
        currentPos: this.#pos,
        currentStatus: PHASE_STATUS[this.#phase],
        currentPass: this.#pass,
        map: this.#map,
      },
      {
        commandLine: this.#o.commandLine ?? 'discrescue rescue',
        startTime: this.#startTime,
        currentTime: new Date(),
        finished: this.#phase === 'finished',
      },
    );
    this.#dirty = false;
    this.#lastSave = Date.now();
  }

  #emitProgress(force: boolean): void {
    const listener = this.#o.onProgress;
    const now = Date.now();
    if (!listener || (!force && now - this.#lastProgress < (this.#o.progressIntervalMs ?? 250))) return;
    const windowMs = now - this.#rateWindow.time;
    if (windowMs >= 1000 || force) {
      this.#currentRate = windowMs > 0 ? ((this.#readBytes - this.#rateWindow.bytes) * 1000) / windowMs : 0;
      this.#rateWindow = { time: now, bytes: this.#readBytes };
    }
    this.#lastProgress = now;
    const counts = this.#counts();
    listener({
      phase: this.#phase,
      pass: this.#pass,
      pos: this.#pos,
      bytesTotal: this.#map.size,
      ...counts,
      readErrors: this.#readErrors,
      currentRate: this.#currentRate,
      averageRate: now > this.#started ? (this.#readBytes * 1000) / (now - this.#started) : 0,
      sinceLastSuccessSeconds: (now - this.#lastSuccess) / 1000,
      simulatedSeconds: this.#source.simulation?.simulatedSeconds,
    });
  }

  #counts() {
    const domain = this.#o.domain;
    const inDomain = (selector: string) => (domain ? countInDomain(this.#map, selector, domain) : this.#map.count(selector));
    return {
      rescuedBytes: inDomain('+'),
      nonTriedBytes: inDomain('?'),
      nonTrimmedBytes: inDomain('*'),
      nonScrapedBytes: inDomain('/'),
      badSectorBytes: inDomain('-'),
      errorAreas: this.#map.countRuns('*/-'),
    };
  }

  #result(): RescueResult {
    const counts = this.#counts();
    const badAreas: BadArea[] = [];
    this.#map.forEachRun((pos, size, status) => {
      if (status === '+') return;
      badAreas.push({ lba: this.#lbaOf(pos), sectorCount: size / this.#sectorSize, status });
    });
    const simulation = this.#source.simulation;
    return {
      complete: counts.rescuedBytes === (this.#o.domain ? countInDomain(this.#map, '?*/-+', this.#o.domain) : this.#map.size),
      sectorSize: this.#sectorSize,
      firstLba: this.#source.firstLba,
      sectorCount: this.#source.sectorCount,
      ...counts,
      readErrors: this.#readErrors,
      badAreas,
      fastRetries: this.#fastRetries,
      resumed: this.#resumed,
      elapsedMs: Date.now() - this.#started,
      ...(simulation ? { simulation: { ...simulation, simulatedSecondsAtLastRescue: this.#simulatedAtLastRescue } } : {}),
    };
  }

  // ---- helpers ----

  #hasStatus(selector: string): boolean {
    return this.#map.nextRun(0, selector, this.#o.domain) !== undefined;
  }

  #lbaOf(offset: number): number {
    return this.#source.firstLba + Math.floor(offset / this.#sectorSize);
  }

  #offsetOf(lba: number): number {
    return (lba - this.#source.firstLba) * this.#sectorSize;
  }

  #checkAbort(): void {
    const signal = this.#o.signal;
    if (signal?.aborted) {
      throw signal.reason instanceof Error ? signal.reason : new AbortError('The rescue was interrupted');
    }
  }

  async #throttle(count: number): Promise<void> {
    const rate = this.#o.maxReadRate;
    if (!rate || rate <= 0) return;
    const elapsed = Date.now() - this.#started;
    const due = ((this.#readBytes + count * this.#sectorSize) * 1000) / rate;
    if (due > elapsed) await new Promise((resolve) => setTimeout(resolve, Math.min(due - elapsed, 1000)));
  }
}

function countInDomain(map: IntervalMap, selector: string, domain: IntervalMap): number {
  let total = 0;
  let cursor = 0;
  for (;;) {
    const run = map.nextRun(cursor, selector, domain);
    if (!run) return total;
    total += run.size;
    cursor = run.pos + run.size;
  }
}

function lastFinishedEnd(map: IntervalMap): number {
  const run = map.prevRun(map.size, '+');
  return run ? run.pos + run.size : 0;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    const handle = await open(path, 'r');
    try {
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FormatError(`cannot read the mapfile: ${(error as Error).message}`, { file: path, cause: error });
  }
}

async function writeAll(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    if (bytesWritten <= 0) throw new DiscError(`short write to the image at byte ${position + done}`);
    done += bytesWritten;
  }
}
