/**
 * Replacing a file atomically: write a temporary file in the same directory, fsync it, rename it
 * over the target, fsync the directory. A crash at any point leaves either the old or the new
 * content under the target name, never a partial file. This is what lets a mapfile be trusted
 * after a power cut (docs/mapfile.md, "Guarantees").
 */

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface WriteFileAtomicOptions {
  /**
   * Permission bits of the new file. Default: those of the file being replaced, else 0o644
   * (reduced by the umask, like any new file).
   */
  mode?: number;
}

/** Mode for files that do not exist yet. */
const DEFAULT_MODE = 0o644;

/**
 * Atomically replaces `path` with `data`. The temporary file (`.NAME.PID.RANDOM.tmp` next to the
 * target) is removed if anything fails before the rename. A symbolic link is followed, so the file
 * it points to is replaced and the link stays. Ownership is not preserved (the new file belongs to
 * the writer).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  checkArguments(path, data, options);
  const target = await resolveTarget(path);
  const exactMode = options.mode ?? (await modeOf(target));
  const temp = tempPathFor(target);
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(temp, 'wx', exactMode ?? DEFAULT_MODE);
    // open() applied the umask; an explicit or inherited mode must be kept exactly.
    if (exactMode !== undefined) await handle.chmod(exactMode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fsp.rename(temp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fsp.unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(target));
}

/**
 * Synchronous `writeFileAtomic`, for the last save on the way out of a signal handler or an
 * `exit` listener, where no more promises run.
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): void {
  checkArguments(path, data, options);
  const target = resolveTargetSync(path);
  const exactMode = options.mode ?? modeOfSync(target);
  const temp = tempPathFor(target);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', exactMode ?? DEFAULT_MODE);
    if (exactMode !== undefined) fs.fchmodSync(fd, exactMode);
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (error) {
    if (fd !== undefined) ignoreErrors(() => fs.closeSync(fd!));
    ignoreErrors(() => fs.unlinkSync(temp));
    throw error;
  }
  syncDirectorySync(dirname(target));
}

function checkArguments(path: unknown, data: unknown, options: WriteFileAtomicOptions): void {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`Expected "path" to be a non-empty string, got ${String(path)}`);
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) throw new TypeError('Expected "data" to be a string or a Uint8Array');
  const mode = options.mode;
  if (mode !== undefined && (!Number.isInteger(mode) || mode < 0 || mode > 0o7777)) {
    throw new RangeError(`Expected "mode" to be an integer from 0 to 0o7777, got ${String(mode)}`);
  }
}

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Errors from fsync on a directory that only mean "this file system cannot do that". */
function isUnsupportedSync(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EINVAL' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EISDIR';
}

function ignoreErrors(action: () => void): void {
  try {
    action();
  } catch {
    // Cleanup after a failure: the first error is the one to report.
  }
}

async function resolveTarget(path: string): Promise<string> {
  try {
    return await fsp.realpath(path);
  } catch (error) {
    if (isNotFound(error)) return path;
    throw error;
  }
}

function resolveTargetSync(path: string): string {
  try {
    return fs.realpathSync(path);
  } catch (error) {
    if (isNotFound(error)) return path;
    throw error;
  }
}

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await fsp.stat(path)).mode & 0o7777;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function modeOfSync(path: string): number | undefined {
  try {
    return fs.statSync(path).mode & 0o7777;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Makes the rename itself durable: the new directory entry is on disc when this returns. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await fsp.open(directory, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if (!isUnsupportedSync(error)) throw error;
  } finally {
    await handle.close();
  }
}

function syncDirectorySync(directory: string): void {
  const fd = fs.openSync(directory, 'r');
  try {
    fs.fsyncSync(fd);
  } catch (error) {
    if (!isUnsupportedSync(error)) throw error;
  } finally {
    fs.closeSync(fd);
  }
}
