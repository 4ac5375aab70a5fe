/**
 * A SectorSource over an image file or a block device (another medium, or a comparison with GNU
 * ddrescue reading /dev/sr0 through the kernel). Reads go through the page cache: the kernel's
 * read-ahead may fail a larger range than the bad sector, which the rescue engine trims.
 */

import { open, type FileHandle } from 'node:fs/promises';
import { readSync } from 'node:fs';
import { DiscError, NoMediumTransportError, PermissionError, systemErrorReason, TransportClosedError, TransportError, UnsupportedError } from '../errors.js';
import { checkInteger } from '../scsi/bytes.js';
import { checkReadRange } from './check-read-range.js';
import { blockDeviceSizeBytes, type BlockDeviceSizeOptions } from './block-device-size.js';
import type { ReadOptions, ReadOutcome, SectorSource } from './sector-source.js';

/** How many bytes one read should ask for. */
const READ_CHUNK_BYTES = 1024 * 1024;

export interface FileSourceOptions {
  /** Bytes per sector: 2048 (ISO) or 2352 (BIN). Default 2048. */
  sectorSize?: number;
  /** LBA of the file's first sector (an image of a session that starts later). Default 0. */
  firstLba?: number;
  /** Name for reports. Default the path. */
  name?: string;
  /** Where sysfs is mounted, to size block devices (tests). Default '/sys'. */
  sysRoot?: BlockDeviceSizeOptions['sysRoot'];
}

/** A file-backed source; the file is opened read-only. */
export interface FileSource extends SectorSource {
  readonly path: string;
  readonly kind: 'file' | 'block-device';
  /** Size in bytes when opened. */
  readonly sizeBytes: number;
  /**
   * Bytes of a trailing partial sector (size not a multiple of sectorSize): not counted in
   * sectorCount and never read, so a rescue copies whole sectors only.
   */
  readonly partialTailBytes: number;
}

/**
 * Opens `path` read-only: a regular file (size from fstat) or a block device (size from sysfs,
 * see blockDeviceSizeBytes). Anything else is UnsupportedError.
 *
 * Reads: EIO is a bad range ({ok: false, failedLba: undefined} — the engine trims it; a
 * one-sector read names its sector); a file shorter than when opened ends the read early with
 * failedLba = the first missing sector; ENOMEDIUM and other errors are fatal.
 */
export async function openFileSource(path: string, options: FileSourceOptions = {}): Promise<FileSource> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('Expected "path" to be a non-empty string');
  if (typeof options !== 'object' || options === null) throw new TypeError('Expected "options" to be an object');
  const sectorSize = checkInteger('sectorSize', options.sectorSize ?? 2048, 1, 1 << 20);
  const firstLba = checkInteger('firstLba', options.firstLba ?? 0, -45150, 0x7fffffff);
  const name = options.name ?? path;
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileError(error, path, 'open');
  }
  try {
    const stat = await handle.stat({ bigint: true });
    let kind: FileSource['kind'];
    let sizeBytes: number;
    if (stat.isFile()) {
      kind = 'file';
      sizeBytes = Number(stat.size);
    } else if (stat.isBlockDevice()) {
      kind = 'block-device';
      sizeBytes = await blockDeviceSizeBytes(path, stat.rdev, options.sysRoot === undefined ? {} : { sysRoot: options.sysRoot });
    } else {
      throw new UnsupportedError(`${path}: not a regular file or a block device; open drives by their /dev/sr* or /dev/sg* path`);
    }
    return new FileSectorSource(handle, { path, name, kind, sizeBytes, sectorSize, firstLba });
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error instanceof DiscError ? error : fileError(error, path, 'fstat');
  }
}

interface FileSettings {
  path: string;
  name: string;
  kind: FileSource['kind'];
  sizeBytes: number;
  sectorSize: number;
  firstLba: number;
}

class FileSectorSource implements FileSource {
  readonly path: string;
  readonly name: string;
  readonly kind: FileSource['kind'];
  readonly sizeBytes: number;
  readonly sectorSize: number;
  readonly firstLba: number;
  readonly sectorCount: number;
  readonly partialTailBytes: number;
  readonly maxSectorsPerRead: number;
  readonly simulation = undefined;
  readonly #handle: FileHandle;
  #closing: Promise<void> | undefined;

  constructor(handle: FileHandle, settings: FileSettings) {
    this.#handle = handle;
    this.path = settings.path;
    this.name = settings.name;
    this.kind = settings.kind;
    this.sizeBytes = settings.sizeBytes;
    this.sectorSize = settings.sectorSize;
    this.firstLba = settings.firstLba;
    this.sectorCount = Math.floor(settings.sizeBytes / settings.sectorSize);
    this.partialTailBytes = settings.sizeBytes % settings.sectorSize;
    this.maxSectorsPerRead = Math.max(1, Math.floor(READ_CHUNK_BYTES / settings.sectorSize));
  }

  async read(lba: number, count: number, options: ReadOptions = {}): Promise<ReadOutcome> {
    checkReadRange(this, lba, count);
    options.signal?.throwIfAborted();
    if (this.#closing !== undefined) {
      return { ok: false, failedLba: undefined, error: new TransportClosedError(`${this.name}: the source is closed`, { path: this.path }), fatal: true };
    }
    const length = count * this.sectorSize;
    // Not zero-filled: every byte is read into, and a short read reports only what came in.
    const into = options.into;
    const data = into !== undefined && into.length >= length ? into.subarray(0, length) : new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
    const position = (lba - this.firstLba) * this.sectorSize;
    let done = 0;
    try {
      while (done < length) {
        // A regular file reads from the page cache: synchronously, without a thread hop per read.
        // A block device may block for seconds on a bad sector, so it stays off the event loop.
        const bytesRead =
          this.kind === 'file'
            ? readSync(this.#handle.fd, data, done, length - done, position + done)
            : (await this.#handle.read(data, done, length - done, position + done)).bytesRead;
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const wrapped = fileError(error, this.path, 'read');
      if (code === 'EIO') return { ok: false, failedLba: count === 1 ? lba : undefined, error: wrapped, fatal: false };
      return { ok: false, failedLba: undefined, error: wrapped, fatal: true };
    }
    if (done < length) {
      const failedLba = lba + Math.floor(done / this.sectorSize);
      const error = new DiscError(`${this.name}: the file ends at byte ${position + done}, before sector ${failedLba} (it shrank after it was opened)`);
      return { ok: false, failedLba, error, fatal: false };
    }
    return { ok: true, data };
  }

  close(): Promise<void> {
    this.#closing ??= this.#handle.close();
    return this.#closing;
  }
}

/** A failed file system call as a TransportError subclass with errno, syscall and path. */
function fileError(error: unknown, path: string, what: string): TransportError {
  const e = error as { code?: unknown; errno?: unknown; syscall?: unknown };
  const errnoCode = typeof e.code === 'string' ? e.code : undefined;
  const details = {
    errnoCode,
    errno: typeof e.errno === 'number' ? e.errno : undefined,
    syscall: typeof e.syscall === 'string' ? e.syscall : what,
    path,
    cause: error,
  };
  const message = `${path}: ${what} failed: ${systemErrorReason(error)}${errnoCode ? ` (${errnoCode})` : ''}`;
  if (errnoCode === 'EACCES' || errnoCode === 'EPERM') return new PermissionError(message, details);
  if (errnoCode === 'ENOMEDIUM') return new NoMediumTransportError(message, details);
  return new TransportError(message, details);
}
