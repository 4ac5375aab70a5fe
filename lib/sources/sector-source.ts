/**
 * SectorSource: what rescue, imaging, verification and filesystem code read through — a drive
 * (real or emulated), an image file, or a block device. Bad sectors are values, not exceptions:
 * a read either returns every sector asked for, or says which one failed first when it can.
 */

import type { DiscError } from '../errors.js';

export interface ReadOptions {
  /** Bypass the drive's cache (FUA); ignored by sources without one. */
  fua?: boolean;
  signal?: AbortSignal;
  /**
   * Scratch space the caller lends for the data (at least count × sectorSize bytes): a source
   * may read into it and return a view of it, saving an allocation per read. The caller must be
   * done with the data before it lends the buffer again. Sources are free to ignore it.
   */
  into?: Uint8Array;
}

export type ReadOutcome =
  | { ok: true; data: Uint8Array }
  | {
      ok: false;
      /**
       * The first unreadable sector when the source knows it (a drive's sense INFORMATION field,
       * or the only sector of a one-sector read); undefined when only "somewhere in the range" is
       * known.
       */
      failedLba: number | undefined;
      /** The error as the source saw it (MediumError, TransportError, EIO …). */
      error: DiscError;
      /** A failure of the source itself, not of the medium: stop the rescue rather than marking sectors bad. */
      fatal: boolean;
    };

/** How hard the drive tries before reporting a bad sector (mode page 01h read retry count). */
export type RetryLevel = 'fast' | 'default';

export interface SectorSource {
  /** What the source is, for reports: `/dev/sr0`, `emu:demo-data`, `disc.iso`. */
  readonly name: string;
  /** Bytes per sector: 2048 (user data) or 2352 (raw). */
  readonly sectorSize: number;
  /** First readable LBA (0 for images; a track or session start for partial reads). */
  readonly firstLba: number;
  /** Number of sectors from firstLba. */
  readonly sectorCount: number;
  /** Largest number of sectors one read should ask for. */
  readonly maxSectorsPerRead: number;
  /**
   * Read `count` sectors starting at `lba` (absolute, ≥ firstLba). Rejects only for a range
   * outside the source (TypeError/RangeError) and for cancellation (the signal's reason): what
   * the medium or the device does is an outcome. After a fatal outcome every read is fatal.
   */
  read(lba: number, count: number, options?: ReadOptions): Promise<ReadOutcome>;
  /**
   * Ask the drive to give up on bad sectors quickly ('fast': read retry count 0) or to use its
   * own default again. Returns false when the source cannot change it. Always safe to call.
   */
  setRetryLevel?(level: RetryLevel): Promise<boolean>;
  /** Counters of an emulated drive's virtual clock, when there is one. */
  readonly simulation?: { commands: number; sectorsRead: number; failedReads: number; simulatedSeconds: number } | undefined;
  /**
   * Restores drive settings changed by the source (even after errors), then releases what the
   * source owns — a drive source closes its Drive only when created with `closeDrive`.
   * Idempotent; later reads are fatal outcomes.
   */
  close(): Promise<void>;
}
