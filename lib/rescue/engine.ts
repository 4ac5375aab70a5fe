/**
 * The rescue engine: copies what a SectorSource can read into an image, keeping a GNU
 * ddrescue-compatible mapfile, in phases (copying → trimming → scraping → retrying).
 *
 * Strategy for optical drives: the early phases run with the drive's read-retry count lowered to
 * 0 (mode page 01h) and use the sense INFORMATION field (the exact failing LBA), so that a bad
 * sector costs one quick failure and reading goes on right after it; the good sectors before it
 * (which the failed command did not transfer) are read again at once, or, forwards in a pass that
 * another follows, by that pass. Areas that keep failing are skipped with growing steps and
 * approached again from their far end. A sector that failed at the lowered count stays
 * non-scraped: scraping gives every sector not yet rescued one read at the drive's default retry
 * count, and retry passes follow if asked for. Statuses mean what they mean to ddrescue, so either
 * tool can continue the other's mapfile, and a full run ends with ddrescue's final map.
 *
 * Data is written and flushed to the image before the mapfile claims it; the mapfile is replaced
 * atomically (a new rescue saves one before writing any data); finished data is never overwritten.
 * docs/rescue.md tells the whole story.
 */

import { constants as fsConstants, writeSync } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { AbortError, DiscError, FormatError, OutputWriteError, systemErrorReason } from '../errors.js';
import type { ReadOutcome, RetryLevel, SectorSource } from '../sources/sector-source.js';
import { IntervalMap, type BlockStatus } from './interval-map.js';
import { readMapfile, saveMapfile, type Mapfile } from './mapfile.js';
import { checksumFile, StreamingChecksums, type ImageChecksums } from './checksums.js';

/** The phase a rescue is in, as ddrescue names them. */
export type RescuePhase = 'copying' | 'trimming' | 'scraping' | 'retrying' | 'finished';

/** ddrescue's current_status character for each phase. */
const PHASE_STATUS: Record<RescuePhase, Mapfile['currentStatus']> = {
  copying: '?',
  trimming: '*',
  scraping: '/',
  retrying: '-',
  finished: '+',
};

/** A plain, serializable progress report (see RescueOptions.onProgress). */
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

/** What to rescue where, and how; ddrescue's option names where they apply. */
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
  /**
   * Start even though the image exists without a mapfile (or with an empty one), the output is a
   * block device, or the mapfile claims data the image is too short to hold.
   */
  force?: boolean;
  /** Recorded in the mapfile's comment lines. */
  commandLine?: string;
  signal?: AbortSignal;
  onProgress?: (progress: RescueProgress) => void;
  /** Minimum real time between progress events (ms). Default 250. */
  progressIntervalMs?: number;
  /**
   * MD5, SHA-1 and SHA-256 of the finished image file in the result: hashed while writing when
   * the run writes it in order from the start, otherwise read back at the end. Default false.
   */
  checksums?: boolean;
}

/** A run of sectors not rescued, with its mapfile status. */
export interface BadArea {
  lba: number;
  sectorCount: number;
  status: BlockStatus;
}

/** What a finished rescue run achieved (partial success is a result, not an error). */
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
  /** With `checksums`, when the image is a regular file: its hashes (unrescued sectors are zeros). */
  checksums?: ImageChecksums;
}

/** The rescue cannot start: its inputs contradict each other or would lose data. */
export class RescueSetupError extends DiscError {
  override readonly code = 'ERR_RESCUE_SETUP';
}

/**
 * Rescues `source` into `imagePath`, resuming from `mapfilePath` when it exists.
 *
 * Rejects with RescueSetupError before touching anything when the inputs would lose data: an
 * image without its mapfile, a directory or block device as image, a mapfile of a larger source
 * with rescued data past this one's end, a mapfile claiming data the image lacks (`force`
 * overrides all but the directory and the larger source). Rejects with the signal's reason on
 * abort and with the source's error when the source fails (a disc changed or removed, a drive
 * gone); in both cases the mapfile is saved first and a later run resumes.
 */
export async function rescue(options: RescueOptions): Promise<RescueResult> {
  const engine = await RescueEngine.create(options);
  return engine.run();
}

/** What a read that failed dealt with. */
interface ReadFailure {
  /** Every sector up to this LBA (from the start of the read) was read or marked. */
  last: number;
  /** Good data lay before the failing sector: it came in, or the drive read past it (deferred). */
  gotData: boolean;
  /** The source named the failing sector of a read of several (a drive's sense data). */
  named?: boolean;
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
  #backwards = false;
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
  readonly #hasher: StreamingChecksums | undefined;
  /** Every successful read is stored before the next one, so one buffer serves them all. */
  readonly #buffer: Uint8Array;
  #head: number | undefined;

  private constructor(o: RescueOptions, map: IntervalMap, image: FileHandle, mapfile: Mapfile | undefined) {
    this.#o = o;
    this.#source = o.source;
    this.#sectorSize = o.source.sectorSize;
    this.#map = map;
    this.#image = image;
    this.#resumed = mapfile !== undefined;
    // A resumed image already holds data this run does not write: hash it at the end.
    this.#hasher = o.checksums && !this.#resumed ? new StreamingChecksums() : undefined;
    this.#cluster = Math.max(1, Math.min(o.clusterSectors ?? 32, o.source.maxSectorsPerRead));
    this.#buffer = new Uint8Array(this.#cluster * this.#sectorSize);
    this.#maxSkip = Math.max(1, o.maxSkipSectors ?? Math.max(64, Math.floor(o.source.sectorCount / 100)));
    if (mapfile) {
      this.#pos = Math.min(mapfile.currentPos, map.size);
      this.#pass = mapfile.currentPass;
    }
  }

  static async create(o: RescueOptions): Promise<RescueEngine> {
    const source = o.source;
    const size = source.sectorCount * source.sectorSize;
    const imageInfo = await stat(o.imagePath).catch(() => undefined);
    const mapText = await readText(o.mapfilePath);
    const hasMapfile = mapText !== undefined && mapText.trim().length > 0;
    if (imageInfo?.isDirectory()) throw new RescueSetupError(`${o.imagePath} is a directory: name the image file to write`);
    if (imageInfo?.isBlockDevice() && !o.force) {
      throw new RescueSetupError(`${o.imagePath} is a block device: writing onto it destroys its contents; use --force if you mean it`);
    }
    if (imageInfo?.isFile() && !hasMapfile && imageInfo.size > 0 && !o.force) {
      throw new RescueSetupError(
        `${o.imagePath} exists but ${o.mapfilePath} ${mapText === undefined ? 'does not' : 'is empty'}: continuing would not know which data is good; use --force to start over on it`,
      );
    }
    let mapfile: Mapfile | undefined;
    let map: IntervalMap;
    if (hasMapfile) {
      mapfile = readMapfile(mapText, { fileName: o.mapfilePath });
      map = mapfile.map;
      const finishedEnd = lastFinishedEnd(map);
      if (map.size > size) {
        if (finishedEnd > size) {
          throw new RescueSetupError(
            `${o.mapfilePath} describes ${map.size} bytes with rescued data up to byte ${finishedEnd}, but the source has ${size}: is this the same disc?`,
          );
        }
        map.setSize(size);
      } else if (map.size < size) {
        map.setSize(size, '?');
      }
      // A mapfile that claims data the image does not hold belongs to another image.
      const imageSize = imageInfo?.isFile() ? imageInfo.size : imageInfo === undefined ? 0 : Number.POSITIVE_INFINITY;
      if (finishedEnd > 0 && imageSize < Math.min(finishedEnd, size) && !o.force) {
        throw new RescueSetupError(
          `${o.mapfilePath} says data up to byte ${finishedEnd} is rescued, but ${o.imagePath} ${imageInfo === undefined ? 'does not exist' : `has only ${imageSize} bytes`}: is this the right image? Use --force to go on (those areas stay marked rescued)`,
        );
      }
    } else {
      map = new IntervalMap(size, '?');
    }
    const image = await open(o.imagePath, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o644);
    return new RescueEngine(o, map, image, mapfile);
  }

  async run(): Promise<RescueResult> {
    try {
      // A new rescue gets its mapfile before the image gets data: a crash in between must not
      // leave an image that a resume refuses for want of a mapfile.
      if (!this.#resumed) await this.#save(true);
      this.#fastRetries = (await this.#source.setRetryLevel?.('fast')) ?? false;
      await this.#copying();
      if (!this.#o.noTrim) await this.#trimming();
      if (this.#fastRetries) await this.#source.setRetryLevel?.('default');
      if (!this.#o.noScrape) await this.#scraping();
      await this.#retrying();
      await this.#extendImage();
      this.#phase = 'finished';
      await this.#save(true);
      this.#emitProgress(true);
      const result = this.#result();
      if (this.#o.checksums) {
        const checksums = await this.#checksums();
        if (checksums) result.checksums = checksums;
      }
      return result;
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
    const passes = [1, 2, 3].filter((pass) => (this.#o.copyPasses ?? [1, 2, 3]).includes(pass));
    const reverseFirst = this.#o.reverse ?? false;
    for (const [i, pass] of passes.entries()) {
      if (!this.#hasStatus('?')) return;
      this.#pass = pass;
      const backwards = pass === 2 ? !reverseFirst : reverseFirst;
      await this.#copyPass(backwards, pass === 3, i < passes.length - 1);
    }
  }

  /**
   * One pass over the non-tried areas, skipping ahead after consecutive errors; skipped sectors
   * stay non-tried for the next pass. The sweeping pass 3 skips only the rest of a failing cluster,
   * marking it non-trimmed. Forwards, when another pass follows, the good sectors before a failing
   * one are left to it: the head is past them, and reading on from the failing sector costs no seek.
   */
  async #copyPass(backwards: boolean, sweeping: boolean, morePasses: boolean): Promise<void> {
    this.#backwards = backwards;
    const skippedStatus: BlockStatus = sweeping ? '*' : '?';
    let errors = 0;
    let careful = 0;
    let cursor = backwards ? this.#map.size : 0;
    for (;;) {
      this.#checkAbort();
      const run = backwards ? this.#map.prevRun(cursor, '?', this.#o.domain) : this.#map.nextRun(cursor, '?', this.#o.domain);
      if (!run) return;
      const runStart = this.#lbaOf(run.pos);
      const runEnd = this.#endLbaOf(run.pos + run.size);
      if (backwards) {
        const end = Math.min(runEnd, this.#endLbaOf(cursor));
        const start = Math.max(runStart, end - this.#cluster);
        const failure = await this.#readUntilFailure(start, end - start, 'fast', false);
        if (failure === undefined) {
          errors = 0;
          cursor = this.#offsetOf(start);
          continue;
        }
        // The sectors after the failing one lie towards the data already read: one read for them;
        // if it fails too, they are read one by one down from the top until one fails (the edge
        // of a bad area met from its far end), and what remains goes to trimming.
        if (failure.last + 1 < end) {
          const rest = await this.#readUntilFailure(failure.last + 1, end - failure.last - 1, 'fast', false);
          if (rest !== undefined) {
            let top = end - 1;
            while (top > rest.last && !(await this.#readOne(top, this.#failStatus('fast')))) top--;
            if (top - 1 > rest.last) this.#mark(rest.last + 1, top - rest.last - 1, '*', '?');
          }
        }
        errors = failure.gotData ? 1 : errors + 1;
        const skip = skipAfter(errors, this.#maxSkip);
        const resume = Math.max(runStart, start - skip);
        if (resume < start) this.#mark(resume, start - resume, skippedStatus, '?');
        cursor = this.#offsetOf(resume);
      } else {
        const start = Math.max(runStart, this.#lbaOf(cursor));
        // Just after a failure, one sector per read: a read that meets the next bad sector then
        // has delivered everything before it, instead of leaving it for a later pass and a seek
        // back. Once a cluster's worth came in without errors, whole clusters again.
        const count = Math.min(careful > 0 ? 1 : this.#cluster, runEnd - start);
        const failure = await this.#readUntilFailure(start, count, 'fast', morePasses);
        if (failure === undefined) {
          errors = 0;
          careful -= count;
          cursor = this.#offsetOf(start + count);
          continue;
        }
        // The sweeping pass reads whole clusters: it skips by the rest of a failing cluster.
        if (!sweeping && (failure.named || careful > 0)) careful = this.#cluster;
        errors = failure.gotData ? 1 : errors + 1;
        // The sweeping pass tries every cluster: after a failure it leaves the rest of the cluster
        // to trimming, whatever came before (ddrescue's last pass does not skip either).
        // One-sector reads meet a run of two bad sectors as two errors: skip only from the third.
        const skip = sweeping ? (errors <= 1 ? 0 : start + count - failure.last - 1) : skipAfter(count === 1 ? errors - 1 : errors, this.#maxSkip);
        const resume = Math.min(runEnd, failure.last + 1 + skip);
        if (resume > failure.last + 1) this.#mark(failure.last + 1, resume - failure.last - 1, skippedStatus, '?');
        cursor = this.#offsetOf(resume);
      }
    }
  }

  /**
   * Trimming: each non-trimmed area is read sector by sector from its leading edge until a sector
   * fails, then from its trailing edge; the rest becomes non-scraped. An edge next to a bad sector
   * counts as trimmed already, as in ddrescue; next to one that only failed at fast retries it is
   * read, which costs little and brings good sectors in before scraping.
   */
  async #trimming(): Promise<void> {
    if (!this.#hasStatus('*')) return;
    this.#phase = 'trimming';
    this.#pass = 1;
    this.#backwards = false;
    const failStatus = this.#failStatus('fast');
    let cursor = 0;
    for (;;) {
      this.#checkAbort();
      const run = this.#map.nextRun(cursor, '*', this.#o.domain);
      if (!run) return;
      let first = this.#lbaOf(run.pos);
      let last = this.#endLbaOf(run.pos + run.size) - 1;
      let leadingDone = this.#badAt(run.pos - 1);
      let trailingDone = this.#badAt(run.pos + run.size);
      while (!leadingDone && first <= last) {
        leadingDone = await this.#readOne(first, failStatus);
        first++;
      }
      while (!trailingDone && last >= first) {
        trailingDone = await this.#readOne(last, failStatus);
        last--;
      }
      if (first <= last) this.#mark(first, last - first + 1, '/', '*');
      cursor = run.pos + run.size;
    }
  }

  /** Scraping: every non-scraped sector gets one read at the drive's default retry count. */
  async #scraping(): Promise<void> {
    if (!this.#hasStatus('/')) return;
    this.#phase = 'scraping';
    this.#pass = 1;
    await this.#sweep('/', false);
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

  /** Reads every sector of the selected runs once at default retries; failures become bad sectors. */
  async #sweep(selector: string, backwards: boolean): Promise<void> {
    this.#backwards = backwards;
    let cursor = backwards ? this.#map.size : 0;
    for (;;) {
      this.#checkAbort();
      const run = backwards ? this.#map.prevRun(cursor, selector, this.#o.domain) : this.#map.nextRun(cursor, selector, this.#o.domain);
      if (!run) return;
      const runStart = this.#lbaOf(run.pos);
      const runEnd = this.#endLbaOf(run.pos + run.size);
      if (backwards) {
        for (let lba = runEnd - 1; lba >= runStart; lba--) await this.#readOne(lba, '-');
        cursor = run.pos;
      } else {
        let lba = runStart;
        if (await this.#bridgeTo(runStart)) lba++;
        for (; lba < runEnd; lba += this.#cluster) {
          await this.#readAll(lba, Math.min(this.#cluster, runEnd - lba), 'default');
        }
        cursor = run.pos + run.size;
      }
    }
  }

  // ---- reading ----

  /**
   * Reads [lba, lba+count) and stops at the first failure. With a known failing sector, marks it
   * and gets the sectors before it (the failed command transferred nothing) unless `deferPrefix`
   * leaves them non-tried; everything after it is left as it was. Without one, fast reads mark the
   * whole range non-trimmed; default reads try each sector on its own. Undefined when all came in.
   */
  async #readUntilFailure(lba: number, count: number, level: RetryLevel, deferPrefix: boolean): Promise<ReadFailure | undefined> {
    const outcome = await this.#read(lba, count);
    if (outcome.ok) {
      await this.#store(lba, outcome.data);
      return undefined;
    }
    const failStatus = this.#failStatus(level);
    const failed = outcome.failedLba;
    if (count === 1) {
      this.#mark(lba, 1, failStatus);
      return { last: lba, gotData: false };
    }
    if (failed === undefined || failed < lba || failed >= lba + count) {
      if (level === 'fast') {
        // No failing sector named: leave the range to trimming, as ddrescue does.
        this.#mark(lba, count, '*', '?');
        return { last: lba + count - 1, gotData: false };
      }
      let gotData = false;
      let anyFailed = false;
      for (let one = lba; one < lba + count; one++) {
        if (await this.#readOne(one, failStatus)) anyFailed = true;
        else gotData = true;
      }
      return anyFailed ? { last: lba + count - 1, gotData } : undefined;
    }
    let gotData = failed > lba;
    if (failed > lba && !deferPrefix) gotData = await this.#readAll(lba, failed - lba, level);
    this.#mark(failed, 1, failStatus);
    return { last: failed, gotData, named: count > 1 };
  }

  /** Reads every sector of [lba, lba+count), going on after failures. True when any data came in. */
  async #readAll(lba: number, count: number, level: RetryLevel): Promise<boolean> {
    let gotData = false;
    for (let next = lba; next < lba + count; ) {
      const failure = await this.#readUntilFailure(next, lba + count - next, level, false);
      if (failure === undefined) return true;
      gotData ||= failure.gotData;
      next = failure.last + 1;
    }
    return gotData;
  }

  /**
   * Reads sector `target` at default retries together with the rescued sectors between the head
   * and it, when they are few: reading through a short gap costs less than a seek, and the data
   * of the gap is already in the image (the store skips it). False when it did not apply, or the
   * read failed without naming `target`, leaving `target` to an ordinary read.
   */
  async #bridgeTo(target: number): Promise<boolean> {
    const head = this.#head;
    // A resumed run reads only what is missing: the gap may have come from another drive.
    if (this.#resumed || head === undefined || head >= target || target - head > BRIDGE_SECTORS) return false;
    if (this.#map.nextRun(this.#offsetOf(head), '?*/-')?.pos !== this.#offsetOf(target)) return false;
    const outcome = await this.#read(head, target - head + 1);
    if (outcome.ok) {
      await this.#store(head, outcome.data);
      return true;
    }
    if (outcome.failedLba !== target) return false;
    this.#mark(target, 1, '-');
    return true;
  }

  /** Reads one sector; marks it rescued or `failStatus`. Returns true when it failed. */
  async #readOne(lba: number, failStatus: BlockStatus): Promise<boolean> {
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
    await this.#maybeSave();
    this.#pos = this.#offsetOf(lba);
    await this.#throttle(count);
    const outcome = await this.#source.read(lba, count, {
      ...(count <= this.#cluster ? { into: this.#buffer } : {}),
      ...(this.#o.direct ? { fua: true } : {}),
      ...(this.#o.signal ? { signal: this.#o.signal } : {}),
    });
    if (!outcome.ok) {
      this.#readErrors++;
      if (outcome.fatal) throw outcome.error;
    }
    // Where the drive's head is now: past the data, or just past the sector that failed.
    this.#head = outcome.ok ? lba + count : outcome.failedLba === undefined ? undefined : outcome.failedLba + 1;
    this.#emitProgress(false);
    return outcome;
  }

  /**
   * A sector that failed at fast retries is non-scraped: it still gets its read at the default
   * count. When the drive kept its own count, every read was one at the default count.
   */
  #failStatus(level: RetryLevel): BlockStatus {
    return level === 'fast' && this.#fastRetries ? '/' : '-';
  }

  /** Whether the byte at `pos` (inside the map) belongs to a bad sector: one tried at default retries. */
  #badAt(pos: number): boolean {
    return pos >= 0 && pos < this.#map.size && this.#map.statusAt(pos) === '-';
  }

  /** Writes rescued data, never over bytes already finished, then marks them finished. */
  async #store(lba: number, data: Uint8Array): Promise<void> {
    const start = this.#offsetOf(lba);
    const end = start + data.length;
    const pieces: Array<[number, number]> = [];
    for (let cursor = start; cursor < end; ) {
      const run = this.#map.runAt(cursor);
      const runEnd = Math.min(end, run.pos + run.size);
      if (run.status !== '+') {
        const previous = pieces[pieces.length - 1];
        if (previous !== undefined && previous[1] === cursor) previous[1] = runEnd;
        else pieces.push([cursor, runEnd]);
      }
      cursor = runEnd;
    }
    for (const [from, to] of pieces) {
      const piece = data.subarray(from - start, to - start);
      try {
        writeAll(this.#image.fd, piece, from);
      } catch (error) {
        throw outputError(error, this.#o.imagePath, `cannot write ${piece.length} bytes to the image at byte ${from}`);
      }
      this.#hasher?.add(from, piece);
      this.#map.set(from, to - from, '+');
    }
    this.#readBytes += data.length;
    // Data read again (a bridged gap) rescues nothing new.
    if (pieces.length === 0) return;
    this.#dirty = true;
    this.#lastSuccess = Date.now();
    const simulation = this.#source.simulation;
    if (simulation) this.#simulatedAtLastRescue = simulation.simulatedSeconds;
  }

  /** Sets the status of sectors, never touching finished bytes; `only` limits it to one status. */
  #mark(lba: number, count: number, status: BlockStatus, only?: BlockStatus): void {
    const end = this.#offsetOf(lba + count);
    for (let cursor = this.#offsetOf(lba); cursor < end; ) {
      const run = this.#map.runAt(cursor);
      const runEnd = Math.min(end, run.pos + run.size);
      if (run.status !== '+' && run.status !== status && (only === undefined || run.status === only)) {
        this.#map.set(cursor, runEnd - cursor, status);
        this.#dirty = true;
      }
      cursor = runEnd;
    }
  }

  /** A fresh image ends where its last good sector does: bad sectors at the end must read as zeros too. */
  async #extendImage(): Promise<void> {
    const info = await this.#image.stat();
    if (info.isFile() && info.size < this.#map.size) await this.#image.truncate(this.#map.size);
  }

  // ---- persistence and reporting ----

  /** Hashes of the image file (a regular file only), from the writes when they were linear. */
  async #checksums(): Promise<ImageChecksums | undefined> {
    const info = await this.#image.stat();
    if (!info.isFile()) return undefined;
    return this.#hasher?.result(info.size) ?? (await checksumFile(this.#o.imagePath, this.#o.signal));
  }

  async #maybeSave(): Promise<void> {
    if (this.#dirty && Date.now() - this.#lastSave >= (this.#o.mapfileIntervalMs ?? 5000)) await this.#save(false);
  }

  async #save(force: boolean): Promise<void> {
    if (!force && !this.#dirty) return;
    // The image must hold the data before the mapfile says it does.
    await this.#image.datasync().catch((error: unknown) => {
      // /dev/null and other character devices cannot be synced: there is nothing to keep.
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw outputError(error, this.#o.imagePath, 'cannot flush the image to disk');
    });
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
        direction: this.#backwards ? 'backwards' : 'forwards',
      },
    ).catch((error: unknown) => {
      throw outputError(error, this.#o.mapfilePath, 'cannot save the mapfile (the previous one is intact)');
    });
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
      errorAreas: domain ? countRunsInDomain(this.#map, '*/-', domain) : this.#map.countRuns('*/-'),
    };
  }

  #result(): RescueResult {
    const counts = this.#counts();
    const badAreas: BadArea[] = [];
    const domain = this.#o.domain;
    for (let cursor = 0; ; ) {
      const run = this.#map.nextRun(cursor, '?*/-', domain);
      if (!run) break;
      const lba = this.#lbaOf(run.pos);
      badAreas.push({ lba, sectorCount: this.#endLbaOf(run.pos + run.size) - lba, status: run.status });
      cursor = run.pos + run.size;
    }
    const simulation = this.#source.simulation;
    return {
      complete: counts.nonTriedBytes + counts.nonTrimmedBytes + counts.nonScrapedBytes + counts.badSectorBytes === 0,
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

  /** The sector holding the byte at `offset`. */
  #lbaOf(offset: number): number {
    return this.#source.firstLba + Math.floor(offset / this.#sectorSize);
  }

  /** The first sector after the byte range ending at `offset` (a mapfile from elsewhere may split sectors). */
  #endLbaOf(offset: number): number {
    return this.#source.firstLba + Math.ceil(offset / this.#sectorSize);
  }

  #offsetOf(lba: number): number {
    return (lba - this.#source.firstLba) * this.#sectorSize;
  }

  #checkAbort(): void {
    const signal = this.#o.signal;
    if (signal?.aborted) {
      throw signal.reason instanceof Error ? signal.reason : new AbortError('The rescue was interrupted', { cause: signal.reason });
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

/** Sectors to skip after `errors` consecutive failed reads: none after the first, then doubling. */
/** A failed write as OutputWriteError, naming the file and the reason ("no space left on device"). */
function outputError(error: unknown, path: string, what: string): OutputWriteError {
  if (error instanceof OutputWriteError) return error;
  const code = (error as { code?: unknown }).code;
  return new OutputWriteError(`${path}: ${what}: ${systemErrorReason(error)}${typeof code === 'string' ? ` (${code})` : ''}`, path, error);
}

/** Longest run of rescued sectors a read goes through instead of seeking over it (128 KiB). */
const BRIDGE_SECTORS = 64;

function skipAfter(errors: number, maxSkip: number): number {
  return errors <= 1 ? 0 : Math.min(maxSkip, 2 ** Math.min(errors - 1, 30));
}

function countRunsInDomain(map: IntervalMap, selector: string, domain: IntervalMap): number {
  let runs = 0;
  for (let cursor = 0; ; ) {
    const run = map.nextRun(cursor, selector, domain);
    if (!run) return runs;
    runs++;
    cursor = run.pos + run.size;
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

/** Synchronous: a write to a file lands in the page cache, and a thread hop per cluster costs more than it. */
function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) {
    const bytesWritten = writeSync(fd, data, done, data.length - done, position + done);
    if (bytesWritten <= 0) throw new DiscError(`short write to the image at byte ${position + done}`);
    done += bytesWritten;
  }
}
