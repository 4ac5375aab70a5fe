/**
 * A SectorSource over a Drive (real or emulated): user data with READ(10), or whole 2352-byte CD
 * sectors with READ CD, turning sense data into bad-sector values and stopping for good when the
 * disc or the drive goes away.
 */

import type { Drive, SimulationStats, WaitReadyOptions } from '../drive/drive.js';
import {
  DiscError,
  IllegalRequestError,
  NotReadyError,
  PermissionError,
  ScsiError,
  TransportClosedError,
  TransportError,
  UnitAttentionError,
  UnsupportedError,
} from '../errors.js';
import { ModePage, parseErrorRecoveryPage, withReadRetryCount } from '../scsi/mode.js';
import { buildRead10 } from '../scsi/read.js';
import { buildReadCd } from '../scsi/read-cd.js';
import { checkBoolean, checkInteger, toHex } from '../scsi/bytes.js';
import { SenseKey } from '../scsi/sense.js';
import type { ScsiCommand } from '../transport/transport.js';
import { checkReadRange } from './check-read-range.js';
import { classifyReadError, discChangedError, discRemovedError, type ReadErrorVerdict } from './drive-read-errors.js';
import {
  dataRunEndsAtAudio,
  defaultExtent,
  modeBoundaries,
  readDiscLayout,
  trimDataBeforeAudio,
  type DiscLayout,
  type ExtentSource,
} from './drive-extent.js';
import type { ReadOptions, ReadOutcome, RetryLevel, SectorSource } from './sector-source.js';

/** Bytes of a whole CD sector as READ CD returns it with byte 9 = F8h (MMC-FACTS §2.5). */
export const RAW_SECTOR_SIZE = 2352;

/** The largest TRANSFER LENGTH of READ(10) (MMC-FACTS §2.4). */
const MAX_READ10_SECTORS = 0xffff;
/** The lowest LBA READ CD addresses in a normal disc: track 1's pregap (MSF 00:00:00). */
const FIRST_PREGAP_LBA = -150;
/** CD profiles are 0008h–000Ah; 0010h and up are DVD, BD and HD DVD. */
const FIRST_NON_CD_PROFILE = 0x10;
const INVALID_OPCODE_ASC = 0x20;
const INVALID_FIELD_ASC = 0x24;
const INCOMPATIBLE_MEDIUM_ASC = 0x30;
const NO_MEDIUM_ASC = 0x3a;
const MEDIUM_CHANGED_ASC = 0x28;
const RESET_ASC = 0x29;

export type DriveSourceMode = 'data' | 'raw';

export interface DriveSourceOptions {
  /**
   * 'data' (default): user data of Mode 1 / Mode 2 Form 1 sectors and DVD/BD blocks with READ(10).
   * 'raw': whole 2352-byte CD sectors (audio included) with READ CD, expected sector type ANY.
   */
  mode?: DriveSourceMode;
  /** First LBA of the extent. Default: see defaultExtent (lib/sources/drive-extent.ts). */
  firstLba?: number;
  /** Sectors in the extent. Default: to the end of the default extent. */
  sectorCount?: number;
  /** Bytes per block for 'data' reads. Default 2048. */
  blockLength?: number;
  /** Close the Drive too when the source is closed. Default false: the caller owns the Drive. */
  closeDrive?: boolean;
  /** Name for reports. Default the drive's path. */
  name?: string;
  /** How to wait for a drive that is spinning up (at creation, and when a read meets 02/04/xx). */
  waitReady?: Pick<WaitReadyOptions, 'timeoutMs' | 'pollIntervalMs'>;
}

/** A SectorSource reading a drive; setRetryLevel is always there (it may still return false). */
export interface DriveSource extends SectorSource {
  readonly drive: Drive;
  readonly mode: DriveSourceMode;
  /** Where the extent came from: the TOC, READ CAPACITY, or the caller's firstLba/sectorCount. */
  readonly extentSource: ExtentSource;
  /** The disc layout read at creation. */
  readonly layout: DiscLayout;
  setRetryLevel(level: RetryLevel): Promise<boolean>;
  readonly simulation: SimulationStats | undefined;
}

/**
 * Creates a source reading `drive`. Waits until the drive is ready (absorbing the UNIT ATTENTION
 * of a freshly loaded disc), reads the layout and settles the extent (defaultExtent); for 'raw'
 * checks with a zero-length READ CD (no medium access) that the drive accepts the command, else
 * UnsupportedError — QEMU's scsi-cd, for one, refuses it.
 *
 * - read(): one command per maxSectorsPerRead sectors (data: min(65535, maxTransferBytes /
 *   blockLength), so READ(12) is never needed; raw: maxTransferBytes / 2352). `fua` sets FUA in
 *   READ(10) (MMC-FACTS §2.4); READ CD has no FUA bit and ignores it. Sense data becomes a value
 *   as classifyReadError says. A fatal outcome (disc changed or removed, drive reset or gone) is
 *   sticky: every later read returns it too, so a rescue never continues on another disc.
 * - setRetryLevel('fast'): MODE SENSE(10) page 01h (current values, remembered once), then MODE
 *   SELECT(10) of it with read retry count 0 (MMC-FACTS §2.13); 'default' selects the remembered
 *   bytes again. False, never an exception, when the drive refuses (ILLEGAL REQUEST) or the
 *   descriptor is read-only (PermissionError).
 * - close(): restores page 01h when the source changed it, even after errors; closes the Drive
 *   only with `closeDrive` (which also closes it when creation fails).
 */
export async function createDriveSource(drive: Drive, options: DriveSourceOptions = {}): Promise<DriveSource> {
  if (typeof options !== 'object' || options === null) throw new TypeError('Expected "options" to be an object');
  try {
    return await openDriveSource(drive, options);
  } catch (error) {
    // With closeDrive the source owns the drive, even when it could not be created.
    if (options.closeDrive === true) await drive.close().catch(() => undefined);
    throw error;
  }
}

async function openDriveSource(drive: Drive, options: DriveSourceOptions): Promise<DriveSource> {
  const mode = options.mode ?? 'data';
  if (mode !== 'data' && mode !== 'raw') throw new RangeError(`Expected "mode" to be 'data' or 'raw', got ${JSON.stringify(mode)}`);
  const blockLength = checkInteger('blockLength', options.blockLength ?? 2048, 1, 0xffff);
  if (options.firstLba !== undefined) checkInteger('firstLba', options.firstLba, mode === 'raw' ? FIRST_PREGAP_LBA : 0, 0x7fffffff);
  if (options.sectorCount !== undefined) checkInteger('sectorCount', options.sectorCount, 1, 0x7fffffff);
  const closeDrive = checkBoolean('closeDrive', options.closeDrive ?? false);
  const name = options.name ?? drive.path;
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('Expected "name" to be a non-empty string');
  const waitReadyOptions = options.waitReady ?? {};

  await drive.waitReady(waitReadyOptions);
  const layout = await readDiscLayout(drive);
  if (mode === 'raw' && layout.profile !== undefined && layout.profile >= FIRST_NON_CD_PROFILE) {
    throw new UnsupportedError(
      `${name}: mode 'raw' reads 2352-byte CD sectors; this medium (profile ${toHex(layout.profile, 4)}h) has 2048-byte blocks only: use mode 'data'`,
    );
  }

  let firstLba = options.firstLba;
  let sectorCount = options.sectorCount;
  let extentSource: ExtentSource = 'options';
  if (firstLba === undefined || sectorCount === undefined) {
    const extent = defaultExtent(layout, mode, name);
    extentSource = extent.source;
    let endLba = extent.endLba;
    if (mode === 'data' && sectorCount === undefined && layout.toc !== undefined && dataRunEndsAtAudio(layout.toc)) {
      endLba = await trimDataBeforeAudio(drive, firstLba ?? extent.startLba, endLba, blockLength);
    }
    if (firstLba === undefined) firstLba = extent.startLba;
    if (sectorCount === undefined) {
      sectorCount = endLba - firstLba;
      if (sectorCount < 1) throw new RangeError(`Expected "firstLba" to be before the end of the ${mode} extent (LBA ${endLba}), got ${firstLba}`);
    }
  }
  if (mode === 'raw') await checkReadCd(drive, firstLba, name);
  return new DriveSectorSource(drive, {
    name,
    mode,
    blockLength,
    firstLba,
    sectorCount,
    extentSource,
    layout,
    closeDrive,
    waitReady: waitReadyOptions,
  });
}

/** A zero-length READ CD: MMC says it transfers nothing and is no error, so the drive only checks the CDB. */
async function checkReadCd(drive: Drive, lba: number, name: string): Promise<void> {
  const command = buildReadCd({ lba, sectorCount: 1 });
  command.cdb.fill(0, 6, 9);
  try {
    await drive.execute({ cdb: command.cdb, direction: 'none' });
  } catch (error) {
    if (!(error instanceof IllegalRequestError)) throw error;
    const asc = error.asc;
    if (asc === INVALID_OPCODE_ASC || asc === INVALID_FIELD_ASC || asc === INCOMPATIBLE_MEDIUM_ASC) {
      throw new UnsupportedError(
        `${name}: the drive refuses READ CD (${error.message}); mode 'raw' needs it to read whole 2352-byte sectors: use mode 'data' (2048-byte user data, READ(10))`,
        { cause: error },
      );
    }
    // Out of range or a wrong mode at that LBA: the command itself is supported.
  }
}

interface SourceSettings {
  name: string;
  mode: DriveSourceMode;
  blockLength: number;
  firstLba: number;
  sectorCount: number;
  extentSource: ExtentSource;
  layout: DiscLayout;
  closeDrive: boolean;
  waitReady: Pick<WaitReadyOptions, 'timeoutMs' | 'pollIntervalMs'>;
}

class DriveSectorSource implements DriveSource {
  readonly drive: Drive;
  readonly name: string;
  readonly mode: DriveSourceMode;
  readonly sectorSize: number;
  readonly firstLba: number;
  readonly sectorCount: number;
  readonly maxSectorsPerRead: number;
  readonly extentSource: ExtentSource;
  readonly layout: DiscLayout;
  readonly #closeDrive: boolean;
  readonly #waitReady: Pick<WaitReadyOptions, 'timeoutMs' | 'pollIntervalMs'>;
  readonly #boundaries: number[];
  /** Page 01h as it was before the source first changed it. */
  #originalPage: Uint8Array | undefined;
  /** Whether the drive may hold a page 01h other than the original. */
  #pageChanged = false;
  #fatal: DiscError | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(drive: Drive, settings: SourceSettings) {
    this.drive = drive;
    this.name = settings.name;
    this.mode = settings.mode;
    this.sectorSize = settings.mode === 'raw' ? RAW_SECTOR_SIZE : settings.blockLength;
    this.firstLba = settings.firstLba;
    this.sectorCount = settings.sectorCount;
    const perTransfer = Math.floor(drive.transport.maxTransferBytes / this.sectorSize);
    this.maxSectorsPerRead = Math.max(1, settings.mode === 'raw' ? perTransfer : Math.min(MAX_READ10_SECTORS, perTransfer));
    this.extentSource = settings.extentSource;
    this.layout = settings.layout;
    this.#closeDrive = settings.closeDrive;
    this.#waitReady = settings.waitReady;
    this.#boundaries = settings.mode === 'raw' ? modeBoundaries(settings.layout.toc) : [];
  }

  get simulation(): SimulationStats | undefined {
    return this.drive.simulation;
  }

  async read(lba: number, count: number, options: ReadOptions = {}): Promise<ReadOutcome> {
    checkReadRange(this, lba, count);
    if (this.#closed) return this.#fatalOutcome(new TransportClosedError(`${this.name}: the source is closed`, { path: this.drive.path }));
    if (this.#fatal !== undefined) return { ok: false, failedLba: undefined, error: this.#fatal, fatal: true };
    const out = new Uint8Array(count * this.sectorSize);
    for (const [start, end] of this.#segments(lba, count)) {
      for (let chunk = start; chunk < end; chunk += this.maxSectorsPerRead) {
        const chunkCount = Math.min(this.maxSectorsPerRead, end - chunk);
        const outcome = await this.#readCommand(chunk, chunkCount, options, false);
        if (!outcome.ok) return outcome;
        out.set(outcome.data, (chunk - lba) * this.sectorSize);
      }
    }
    return { ok: true, data: out };
  }

  async setRetryLevel(level: RetryLevel): Promise<boolean> {
    if (level !== 'fast' && level !== 'default') throw new TypeError(`Expected "level" to be 'fast' or 'default', got ${JSON.stringify(level)}`);
    if (this.#closed || this.#fatal !== undefined) return false;
    try {
      if (this.#originalPage === undefined) {
        const page = await this.#modeCommand(() => this.drive.modeSensePage(ModePage.READ_WRITE_ERROR_RECOVERY));
        this.#originalPage = parseErrorRecoveryPage(page).bytes.slice();
      }
      const original = this.#originalPage;
      if (level === 'default') {
        if (this.#pageChanged) await this.#modeCommand(() => this.drive.modeSelectPage(original));
        this.#pageChanged = false;
        return true;
      }
      if (parseErrorRecoveryPage(original).readRetryCount === 0) return true;
      this.#pageChanged = true;
      try {
        await this.#modeCommand(() => this.drive.modeSelectPage(withReadRetryCount(original, 0)));
      } catch (error) {
        // Refused commands change nothing; after anything else close() restores to be sure.
        if (isRefusal(error)) this.#pageChanged = false;
        throw error;
      }
      return true;
    } catch (error) {
      if (!(error instanceof DiscError)) throw error;
      return false;
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    try {
      const original = this.#originalPage;
      if (this.#pageChanged && original !== undefined) {
        await this.#modeCommand(() => this.drive.modeSelectPage(original)).then(
          () => (this.#pageChanged = false),
          () => undefined,
        );
      }
    } finally {
      if (this.#closeDrive) await this.drive.close();
    }
  }

  /** The read split where READ CD with type ANY would stop (audio/data boundaries from the TOC). */
  #segments(lba: number, count: number): Array<[number, number]> {
    const segments: Array<[number, number]> = [];
    let start = lba;
    for (const boundary of this.#boundaries) {
      if (boundary > start && boundary < lba + count) {
        segments.push([start, boundary]);
        start = boundary;
      }
    }
    segments.push([start, lba + count]);
    return segments;
  }

  #build(lba: number, count: number, fua: boolean): ScsiCommand {
    if (this.mode === 'raw') return buildReadCd({ lba, sectorCount: count });
    return buildRead10({ lba, sectorCount: count, blockLength: this.sectorSize, fua });
  }

  /** One command (at most maxSectorsPerRead sectors), with the error handling of classifyReadError. */
  async #readCommand(lba: number, count: number, options: ReadOptions, retried: boolean): Promise<ReadOutcome> {
    const signal = options.signal;
    let data: Uint8Array;
    try {
      data = await this.drive.execute(this.#build(lba, count, options.fua ?? false), signal ? { signal } : {});
    } catch (error) {
      if (signal?.aborted || !(error instanceof DiscError)) throw error;
      const verdict: ReadErrorVerdict = classifyReadError(
        error,
        { lba, count, endLba: this.layout.endLba, gaps: this.layout.gaps },
        this.name,
      );
      switch (verdict.kind) {
        case 'bad-sector':
          return badOutcome(verdict.failedLba, error, lba, count);
        case 'wrong-mode':
          if (this.mode === 'raw' && count > 1 && verdict.failedLba === undefined) return this.#readHalves(lba, count, options);
          return badOutcome(verdict.failedLba, error, lba, count);
        case 'retry': {
          if (retried) return this.#fatalOutcome(new DiscError(`${this.name}: ${error.message}, again after a retry`, { cause: error }));
          if (verdict.waitReady) {
            const problem = await this.#waitUntilReady();
            if (problem !== undefined) return this.#fatalOutcome(problem);
          }
          return this.#readCommand(lba, count, options, true);
        }
        case 'fatal':
          return this.#fatalOutcome(verdict.error);
      }
    }
    const expected = count * this.sectorSize;
    if (data.length !== expected) {
      return this.#fatalOutcome(
        new TransportError(`${this.name}: a read at LBA ${lba} returned ${data.length} of ${expected} bytes`, { path: this.drive.path }),
      );
    }
    return { ok: true, data };
  }

  /** READ CD crossed a boundary the TOC does not show (a pregap of the other kind): read each half. */
  async #readHalves(lba: number, count: number, options: ReadOptions): Promise<ReadOutcome> {
    const half = Math.floor(count / 2);
    const first = await this.#readCommand(lba, half, options, false);
    if (!first.ok) return first;
    const second = await this.#readCommand(lba + half, count - half, options, false);
    if (!second.ok) return second;
    const out = new Uint8Array(count * this.sectorSize);
    out.set(first.data, 0);
    out.set(second.data, half * this.sectorSize);
    return { ok: true, data: out };
  }

  /** After 02/04/xx: waits; a medium change seen meanwhile, or no disc at all, is fatal. */
  async #waitUntilReady(): Promise<DiscError | undefined> {
    try {
      const result = await this.drive.waitReady(this.#waitReady);
      if (result.mediumChanged) {
        return discChangedError(new DiscError('UNIT ATTENTION while the drive became ready'), this.name);
      }
      return undefined;
    } catch (error) {
      if (error instanceof NotReadyError && error.asc === NO_MEDIUM_ASC) return discRemovedError(error, this.name);
      if (error instanceof DiscError) return error;
      throw error;
    }
  }

  /** A MODE SENSE/SELECT, repeated once after a passing UNIT ATTENTION; a disc change becomes sticky. */
  async #modeCommand<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isDiscGone(error)) {
        const verdict = classifyReadError(error, { lba: 0, count: 0, endLba: undefined, gaps: [] }, this.name);
        if (verdict.kind === 'fatal') this.#fatal ??= verdict.error;
        throw error;
      }
      if (error instanceof UnitAttentionError) return run();
      throw error;
    }
  }

  #fatalOutcome(error: DiscError): ReadOutcome {
    this.#fatal ??= error;
    return { ok: false, failedLba: undefined, error, fatal: true };
  }
}

function badOutcome(failedLba: number | undefined, error: DiscError, lba: number, count: number): ReadOutcome {
  // A one-sector read names its sector even when the drive does not.
  return { ok: false, failedLba: failedLba ?? (count === 1 ? lba : undefined), error, fatal: false };
}

/** UNIT ATTENTION 28/00 or 29/xx, or NOT READY 3A: the disc in the drive may not be ours any more. */
function isDiscGone(error: unknown): error is ScsiError {
  if (error instanceof UnitAttentionError) return error.asc === MEDIUM_CHANGED_ASC || error.asc === RESET_ASC;
  return error instanceof NotReadyError && error.asc === NO_MEDIUM_ASC;
}

/** The drive or the kernel refused the command before doing anything. */
function isRefusal(error: unknown): boolean {
  return (error instanceof ScsiError && error.senseKey === SenseKey.ILLEGAL_REQUEST) || error instanceof PermissionError;
}
