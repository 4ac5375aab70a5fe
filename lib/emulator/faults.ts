/**
 * Seeded, deterministic faults for the emulated drive: unreadable and weak sectors, audio jitter,
 * C2 errors, silent corruption, readiness and medium-change conditions, a drive that vanishes, and
 * command timeouts. Every random choice comes from the seed (never Math.random), and per-sector
 * outcomes depend only on (seed, LBA, attempt number), not on what else was read.
 */

import { checkBoolean, checkInteger } from '../scsi/bytes.js';
import { parseMapfile, type Mapfile } from '../rescue/mapfile-parse.js';
import { Prng, hash32, hashUnit } from './prng.js';

/** Sectors [startLba, endLba): end exclusive, like TocTrack.endLba. */
export interface LbaRange {
  startLba: number;
  endLba: number;
}

/** A range, or one LBA. */
export type LbaRangeInput = LbaRange | number;

/** Unreadable sectors described by a GNU ddrescue mapfile: only `+` blocks are readable. */
export interface DefectMapFault {
  /** Mapfile text or a parsed mapfile (lib/rescue/mapfile-parse). */
  mapfile: string | Mapfile;
  /** Bytes per sector of the map: 2048 (default, user data) or 2352 when the map is in raw units. */
  sectorSize?: number;
  /** LBA of byte 0 of the map. Default 0. */
  startLba?: number;
}

/** Sectors that read only sometimes, or only on some drives. */
export interface WeakSectorFault {
  ranges: LbaRangeInput[];
  /**
   * Probability that one read attempt succeeds (0..1). Default 0 when `readableBy` is given (the
   * other drives never read it), else 0.5.
   */
  successProbability?: number;
  /** Profile names that always read these sectors (a better drive reads what this one cannot). */
  readableBy?: string[];
}

/** Audio reads that land off target, on drives without an accurate CD-DA stream. */
export interface AudioJitterFault {
  /** Largest displacement, in samples, either way. */
  maxSamples: number;
  /** Displacements are multiples of this many samples: 1 (default), 588 for whole frames. */
  step?: number;
}

/** Damaged audio: each read returns some bytes corrupted, flagged in C2 per the drive's c2Accuracy. */
export interface C2ErrorFault {
  ranges: LbaRangeInput[];
  /** Corrupted bytes per sector per read. Default 32. */
  bytesPerSector?: number;
}

/** Audio corrupted the same way on every read and never flagged (only a checksum finds it). */
export interface SilentCorruptionFault {
  ranges: LbaRangeInput[];
  /** Corrupted bytes per sector. Default 4. */
  bytesPerSector?: number;
}

/** Commands that time out (CommandTimeoutError), costing their timeout in simulated time. */
export interface TimeoutFault {
  /** Reads touching these sectors time out. */
  ranges?: LbaRangeInput[];
  /** Every command after this many commands times out. */
  afterCommands?: number;
}

export interface FaultOptions {
  defectMap?: DefectMapFault;
  /** Unreadable sectors (MEDIUM ERROR 03/11/00), as ranges. */
  badSectors?: LbaRangeInput[];
  weakSectors?: WeakSectorFault[];
  audioJitter?: AudioJitterFault;
  c2Errors?: C2ErrorFault;
  silentCorruption?: SilentCorruptionFault;
  /** Start without a disc: tray closed (true, 'tray-closed') or open ('tray-open'). */
  noMedium?: boolean | 'tray-open' | 'tray-closed';
  /** The first N medium-access commands answer 02/04/01. */
  becomingReadyCommands?: number;
  /** The first command answers UNIT ATTENTION 06/28/00 (medium may have changed). */
  mediumChanged?: boolean;
  /** The first command answers UNIT ATTENTION 06/29/00 (power on or reset). */
  powerOnReset?: boolean;
  /** After this many commands every command throws TransportError ENODEV. */
  vanishAfterCommands?: number;
  timeouts?: TimeoutFault;
}

const SECTOR_BYTES = 2352;

interface WeakRule {
  ranges: LbaRange[];
  successProbability: number;
  readableBy: readonly string[];
}

/** The validated faults and their running state (attempt counters, jitter stream). */
export class FaultInjector {
  readonly seed: number;
  readonly options: Readonly<FaultOptions>;
  readonly #goodBytes: Array<[number, number]> | undefined;
  readonly #defectSectorSize: number;
  readonly #defectStartLba: number;
  readonly #bad: LbaRange[];
  readonly #weak: WeakRule[];
  readonly #c2: LbaRange[];
  readonly #c2Bytes: number;
  readonly #silent: LbaRange[];
  readonly #silentBytes: number;
  readonly #timeoutRanges: LbaRange[];
  readonly #jitter: Required<AudioJitterFault> | undefined;
  readonly #jitterRng: Prng;
  readonly #attempts = new Map<number, number>();

  constructor(options: FaultOptions = {}, seed = 0) {
    if (typeof options !== 'object' || options === null) throw new TypeError('Expected "faults" to be an object');
    this.seed = checkInteger('seed', seed, -0x8000_0000, 0xffff_ffff);
    this.options = options;
    const map = options.defectMap;
    if (map !== undefined) {
      if (typeof map !== 'object' || map === null) throw new TypeError('Expected "faults.defectMap" to be an object');
      const parsed = typeof map.mapfile === 'string' ? parseMapfile(map.mapfile, { file: 'faults.defectMap' }) : map.mapfile;
      if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.blocks)) {
        throw new TypeError('Expected "faults.defectMap.mapfile" to be mapfile text or a parsed mapfile');
      }
      this.#goodBytes = mergeGood(parsed);
      this.#defectSectorSize = checkInteger('faults.defectMap.sectorSize', map.sectorSize ?? 2048, 1, 1 << 20);
      this.#defectStartLba = checkInteger('faults.defectMap.startLba', map.startLba ?? 0, -45150, 0x7fffffff);
    } else {
      this.#goodBytes = undefined;
      this.#defectSectorSize = 2048;
      this.#defectStartLba = 0;
    }
    this.#bad = checkRanges('faults.badSectors', options.badSectors ?? []);
    if (options.weakSectors !== undefined && !Array.isArray(options.weakSectors)) {
      throw new TypeError('Expected "faults.weakSectors" to be an array');
    }
    this.#weak = (options.weakSectors ?? []).map((w, i) => checkWeak(`faults.weakSectors[${i}]`, w));
    this.#c2 = checkRanges('faults.c2Errors.ranges', options.c2Errors?.ranges ?? []);
    this.#c2Bytes = checkInteger('faults.c2Errors.bytesPerSector', options.c2Errors?.bytesPerSector ?? 32, 1, SECTOR_BYTES);
    this.#silent = checkRanges('faults.silentCorruption.ranges', options.silentCorruption?.ranges ?? []);
    this.#silentBytes = checkInteger('faults.silentCorruption.bytesPerSector', options.silentCorruption?.bytesPerSector ?? 4, 1, SECTOR_BYTES);
    this.#timeoutRanges = checkRanges('faults.timeouts.ranges', options.timeouts?.ranges ?? []);
    if (options.timeouts?.afterCommands !== undefined) checkInteger('faults.timeouts.afterCommands', options.timeouts.afterCommands, 0, Number.MAX_SAFE_INTEGER);
    if (options.vanishAfterCommands !== undefined) checkInteger('faults.vanishAfterCommands', options.vanishAfterCommands, 0, Number.MAX_SAFE_INTEGER);
    if (options.becomingReadyCommands !== undefined) checkInteger('faults.becomingReadyCommands', options.becomingReadyCommands, 0, Number.MAX_SAFE_INTEGER);
    if (options.mediumChanged !== undefined) checkBoolean('faults.mediumChanged', options.mediumChanged);
    if (options.powerOnReset !== undefined) checkBoolean('faults.powerOnReset', options.powerOnReset);
    const noMedium = options.noMedium;
    if (noMedium !== undefined && typeof noMedium !== 'boolean' && noMedium !== 'tray-open' && noMedium !== 'tray-closed') {
      throw new RangeError(`Expected "faults.noMedium" to be a boolean, 'tray-open' or 'tray-closed', got ${JSON.stringify(noMedium)}`);
    }
    const jitter = options.audioJitter;
    if (jitter !== undefined) {
      const step = checkInteger('faults.audioJitter.step', jitter.step ?? 1, 1, 588 * 75);
      this.#jitter = { maxSamples: checkInteger('faults.audioJitter.maxSamples', jitter.maxSamples, 0, 588 * 75), step };
    }
    this.#jitterRng = new Prng(hash32(this.seed, 0x717e));
  }

  /** Readable at all? A defect-map or bad-sector hit is permanent; weak sectors consume an attempt. */
  readSucceeds(lba: number, profileName: string): boolean {
    if (this.#goodBytes !== undefined && !this.#inGoodBlock(lba)) return false;
    if (inRanges(this.#bad, lba)) return false;
    for (const rule of this.#weak) {
      if (!inRanges(rule.ranges, lba)) continue;
      if (rule.readableBy.includes(profileName)) continue;
      const attempt = this.#nextAttempt(lba);
      if (hashUnit(this.seed, 0x3eac, lba, attempt) >= rule.successProbability) return false;
    }
    return true;
  }

  /** Jitter of the next audio read, in samples (0 without the fault). */
  nextJitterSamples(): number {
    const jitter = this.#jitter;
    if (!jitter) return 0;
    const steps = Math.floor(jitter.maxSamples / jitter.step);
    return this.#jitterRng.nextInt(-steps, steps) * jitter.step;
  }

  /**
   * Corrupts one physical audio sector as this read sees it. `flags` gets 1 for each byte the
   * drive reports in C2: of the C2-error bytes, round(count × c2Accuracy); silent ones never.
   */
  corruptAudio(lba: number, audio: Uint8Array, flags: Uint8Array, c2Accuracy: number, readIndex: number): void {
    if (inRanges(this.#silent, lba)) {
      const rng = new Prng(hash32(this.seed, 0x51e7, lba));
      for (const position of pickPositions(rng, this.#silentBytes)) {
        audio[position] = (audio[position] ?? 0) ^ rng.nextInt(1, 255);
      }
    }
    if (inRanges(this.#c2, lba)) {
      const rng = new Prng(hash32(this.seed, 0xc2e0, lba, readIndex));
      const positions = pickPositions(rng, this.#c2Bytes);
      const flagged = Math.round(positions.length * c2Accuracy);
      positions.forEach((position, i) => {
        audio[position] = (audio[position] ?? 0) ^ rng.nextInt(1, 255);
        if (i < flagged) flags[position] = 1;
      });
    }
  }

  /** Whether audio corruption of any kind touches `lba`. */
  affectsAudio(lba: number): boolean {
    return inRanges(this.#c2, lba) || inRanges(this.#silent, lba);
  }

  /** Does a command after `commandsBefore` commands, touching [startLba, endLba), time out? */
  timesOut(commandsBefore: number, range: LbaRange | undefined): boolean {
    const after = this.options.timeouts?.afterCommands;
    if (after !== undefined && commandsBefore >= after) return true;
    if (range === undefined || range.endLba <= range.startLba) return false;
    return this.#timeoutRanges.some((r) => r.startLba < range.endLba && range.startLba < r.endLba);
  }

  /** Has the drive vanished before a command sent after `commandsBefore` commands? */
  vanished(commandsBefore: number): boolean {
    const after = this.options.vanishAfterCommands;
    return after !== undefined && commandsBefore >= after;
  }

  #nextAttempt(lba: number): number {
    const attempt = this.#attempts.get(lba) ?? 0;
    this.#attempts.set(lba, attempt + 1);
    return attempt;
  }

  #inGoodBlock(lba: number): boolean {
    const good = this.#goodBytes ?? [];
    const start = (lba - this.#defectStartLba) * this.#defectSectorSize;
    const end = start + this.#defectSectorSize;
    if (start < 0) return false;
    // Binary search for the last good interval starting at or before `start`.
    let lo = 0;
    let hi = good.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const interval = good[mid];
      if (interval && interval[0] <= start) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const interval = good[found];
    return interval !== undefined && end <= interval[1];
  }
}

/** `count` distinct byte positions in a 2352-byte sector. */
function pickPositions(rng: Prng, count: number): number[] {
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(rng.nextInt(0, SECTOR_BYTES - 1));
  return [...chosen];
}

/** The `+` blocks of a map as merged [start, end) byte intervals. */
function mergeGood(map: Mapfile): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const block of map.blocks) {
    if (block.status !== '+' || block.size <= 0) continue;
    const last = out[out.length - 1];
    if (last && last[1] === block.pos) last[1] = block.pos + block.size;
    else out.push([block.pos, block.pos + block.size]);
  }
  return out;
}

function inRanges(ranges: readonly LbaRange[], lba: number): boolean {
  return ranges.some((r) => lba >= r.startLba && lba < r.endLba);
}

/** Validates ranges: integers, startLba < endLba; a number is a one-sector range. */
export function checkRanges(name: string, ranges: unknown): LbaRange[] {
  if (!Array.isArray(ranges)) throw new TypeError(`Expected "${name}" to be an array of LBA ranges`);
  return ranges.map((range: unknown, i) => {
    if (typeof range === 'number') {
      const lba = checkInteger(`${name}[${i}]`, range, -45150, 0x7fffffff);
      return { startLba: lba, endLba: lba + 1 };
    }
    if (typeof range !== 'object' || range === null) {
      throw new TypeError(`Expected "${name}[${i}]" to be an LBA or {startLba, endLba}`);
    }
    const r = range as Partial<LbaRange>;
    const startLba = checkInteger(`${name}[${i}].startLba`, r.startLba, -45150, 0x7fffffff);
    const endLba = checkInteger(`${name}[${i}].endLba`, r.endLba, startLba + 1, 0x80000000);
    return { startLba, endLba };
  });
}

function checkWeak(name: string, rule: unknown): WeakRule {
  if (typeof rule !== 'object' || rule === null) throw new TypeError(`Expected "${name}" to be an object`);
  const w = rule as WeakSectorFault;
  const readableBy = w.readableBy ?? [];
  if (!Array.isArray(readableBy) || readableBy.some((n) => typeof n !== 'string')) {
    throw new TypeError(`Expected "${name}.readableBy" to be an array of profile names`);
  }
  const p = w.successProbability ?? (w.readableBy ? 0 : 0.5);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new RangeError(`Expected "${name}.successProbability" to be between 0 and 1, got ${String(p)}`);
  }
  return { ranges: checkRanges(`${name}.ranges`, w.ranges), successProbability: p, readableBy };
}
