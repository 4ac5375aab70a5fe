/**
 * The native addon's surface (native/addon.cc, documented in docs/native.md) and its lazy loader.
 * Importing this module loads nothing, so the pure modules work on every platform; the addon is
 * loaded by the first `loadNativeBinding()` call.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnsupportedError } from '../errors.js';

/** SG_IO dxfer_direction as the addon spells it: NONE, FROM_DEV ('in'), TO_DEV ('out'). */
export type NativeDirection = 'none' | 'in' | 'out';

export interface NativeOpenOptions {
  /** Open with O_EXCL: fails with EBUSY while anyone else has the node open (or it is mounted). */
  exclusive?: boolean;
  /** true requires O_RDWR, false opens O_RDONLY, 'auto' tries O_RDWR then falls back. */
  writable?: boolean | 'auto';
}

/** One SG_IO completion, uninterpreted (sg_io_hdr output fields). */
export interface NativeCompletion {
  /** SCSI status byte. */
  status: number;
  /** The sb_len_wr bytes of sense the device wrote. */
  sense: Uint8Array;
  /** For 'in': the dataLength − residual bytes received (within bounds). Empty otherwise. */
  data: Uint8Array;
  /** sg_io_hdr.resid, as the kernel reported it (not clamped). */
  residual: number;
  hostStatus: number;
  driverStatus: number;
  durationMs: number;
  /** sg_io_hdr.info; bit 0 SG_INFO_CHECK. */
  info: number;
}

/** An open drive node. Getters other than `path` and `closed` throw ERR_TRANSPORT_CLOSED after close(). */
export interface NativeDevice {
  readonly path: string;
  readonly writable: boolean;
  readonly exclusive: boolean;
  readonly maxTransferBytes: number;
  readonly closed: boolean;
  readonly kind: 'sg' | 'block';
  /**
   * One SG_IO on a worker thread. `dataLengthOrBuffer` is the byte count for 'in', the bytes to
   * send for 'out' (copied at the call) and undefined for 'none'. Argument errors throw
   * synchronously; errno failures reject with a Node-style system error.
   */
  execute(
    cdb: Uint8Array,
    direction: NativeDirection,
    dataLengthOrBuffer: number | Uint8Array | undefined,
    timeoutMs: number,
  ): Promise<NativeCompletion>;
  /** Releases the node; a command in flight keeps it until it completes. Idempotent. */
  close(): void;
}

/** What the addon exports, and what a test double or a bundler's substitute must provide. */
export interface NativeBinding {
  open(path: string, options?: NativeOpenOptions): Promise<NativeDevice>;
}

type NodeGypBuild = (directory: string) => unknown;

const PACKAGE_NAME = 'discrescue';

// One per module instance (so one per worker thread, as the addon expects).
let defaultBinding: NativeBinding | undefined;

/**
 * Returns the addon to use. An object is used as-is (the seam for tests and bundlers); a string is
 * the path of a .node file (relative to the working directory); without an argument the addon is found next to this package with
 * node-gyp-build (a prebuild in prebuilds/, or build/Release after `node-gyp rebuild`).
 * Throws UnsupportedError off Linux or when no addon loads.
 */
export function loadNativeBinding(option?: NativeBinding | string): NativeBinding {
  if (option !== undefined && option !== null && typeof option === 'object') {
    if (typeof option.open !== 'function') {
      throw new TypeError('Expected "nativeBinding" to be an object with an open() function or a path to a .node file');
    }
    return option;
  }
  if (typeof option === 'string') {
    if (option.length === 0) throw new TypeError('Expected "nativeBinding" to be a non-empty path');
    const file = resolve(option);
    return checked(requireAddon(() => createRequire(import.meta.url)(file), file), file);
  }
  if (option !== undefined) {
    throw new TypeError('Expected "nativeBinding" to be an object with an open() function or a path to a .node file');
  }
  if (defaultBinding) return defaultBinding;
  if (process.platform !== 'linux') {
    throw new UnsupportedError(
      `discrescue talks to drives through Linux SG_IO; this platform (${process.platform}-${process.arch}) is not supported`,
    );
  }
  const root = findPackageRoot();
  const require = createRequire(import.meta.url);
  const nodeGypBuild = require('node-gyp-build') as NodeGypBuild;
  defaultBinding = checked(requireAddon(() => nodeGypBuild(root), root), root);
  return defaultBinding;
}

function requireAddon(load: () => unknown, where: string): unknown {
  try {
    return load();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UnsupportedError(
      `Could not load the discrescue native addon for ${process.platform}-${process.arch} ` +
        `(Node.js ${process.versions.node}) from ${where}: ${reason}. ` +
        `Run "npm rebuild discrescue" to build it (needs python3, make and a C++ compiler)`,
      { cause: error },
    );
  }
}

function checked(addon: unknown, where: string): NativeBinding {
  if (addon === null || typeof addon !== 'object' || typeof (addon as { open?: unknown }).open !== 'function') {
    throw new UnsupportedError(`${where} is not the discrescue native addon (no open() function)`);
  }
  return addon as NativeBinding;
}

/**
 * The directory holding discrescue's package.json: this file runs from lib/transport/ (tests) and
 * from dist/transport/ (the package), so walk up rather than count levels.
 */
function findPackageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (packageNameAt(directory) === PACKAGE_NAME) return directory;
    const parent = dirname(directory);
    if (parent === directory) {
      throw new UnsupportedError(`Could not find the ${PACKAGE_NAME} package root above ${fileURLToPath(import.meta.url)}`);
    }
    directory = parent;
  }
}

function packageNameAt(directory: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
    const name = (parsed as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}
