/**
 * The Transport over the native SG_IO addon: one command in flight per device, arguments checked
 * here before the addon sees them, completions judged by classifyCompletion (MMC-FACTS §1.3).
 */

import diagnosticsChannel from 'node:diagnostics_channel';
import { types, debuglog } from 'node:util';
import { PermissionError, TransportClosedError, TransportError } from '../errors.js';
import { classifyCompletion, transportErrorFromSystemError, type SystemErrorLike } from './classify.js';
import { CommandQueue } from './command-queue.js';
import { loadNativeBinding, type NativeBinding, type NativeDevice } from './native-binding.js';
import type { CommandResult, ExecuteOptions, ScsiCommand, Transport } from './transport.js';

/** Timeout of a command that names none. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** sg_io_hdr.timeout is an unsigned int of milliseconds; the addon keeps it to a positive int32. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** The addon's bound on one transfer, whatever the device allows. */
const MAX_DATA_BYTES = 16 * 1024 * 1024;

/** Name of the diagnostics_channel that receives a CommandEvent after each command. */
export const COMMAND_CHANNEL = 'discrescue:command';

/** Published on COMMAND_CHANNEL after each command, whether it succeeded or threw. */
export interface CommandEvent {
  path: string;
  cdb: Uint8Array;
  /** SCSI status byte; undefined when the ioctl itself failed. */
  status: number | undefined;
  /** The kernel's measurement, or wall time when the ioctl failed. */
  durationMs: number;
  /** Sense key of the returned sense data, when there was any. */
  senseKey?: number;
  /** The TransportError the command was thrown as, if it was. */
  error?: Error;
}

const commandChannel = diagnosticsChannel.channel(COMMAND_CHANNEL);
const debug = debuglog('discrescue:scsi');

export interface NativeTransportOptions {
  /** O_EXCL: refuse to share the drive (EBUSY while mounted or open elsewhere). Default false. */
  exclusive?: boolean;
  /** true: read-write or fail; false: read-only; 'auto' (default): read-write, else read-only. */
  writable?: boolean | 'auto';
  /** Timeout of commands that name none, in ms. Default 30000. */
  defaultTimeoutMs?: number;
  /** The addon to use: an object (tests, bundlers) or a path to a .node file. */
  nativeBinding?: NativeBinding | string;
}

/**
 * Opens a drive node (`/dev/srN` or `/dev/sgN`) through the addon. Open failures are
 * TransportErrors: DeviceNotFoundError, PermissionError, DeviceBusyError, NotScsiDeviceError,
 * NoMediumTransportError. Throws UnsupportedError off Linux or when the addon cannot be loaded.
 */
export async function openNativeTransport(path: string, options: NativeTransportOptions = {}): Promise<NativeTransport> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('Expected "path" to be a non-empty string');
  if (typeof options !== 'object' || options === null) throw new TypeError('Expected "options" to be an object');
  const exclusive = options.exclusive ?? false;
  if (typeof exclusive !== 'boolean') throw new TypeError('Expected "exclusive" to be a boolean');
  const writable = options.writable ?? 'auto';
  if (typeof writable !== 'boolean' && writable !== 'auto') {
    throw new TypeError(`Expected "writable" to be a boolean or 'auto'`);
  }
  const defaultTimeoutMs = checkTimeout(options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS, 'defaultTimeoutMs');
  const binding = loadNativeBinding(options.nativeBinding);
  let device: NativeDevice;
  try {
    device = await binding.open(path, { exclusive, writable });
  } catch (error) {
    throw openError(error, path, exclusive);
  }
  return new NativeTransport(device, { defaultTimeoutMs });
}

interface PreparedCommand {
  /** A private copy: callers may reuse their buffers while the command waits its turn. */
  command: ScsiCommand;
  dataArgument: number | Uint8Array | undefined;
  timeoutMs: number;
}

/** Owns one native Device. Create it with openNativeTransport(). */
export class NativeTransport implements Transport {
  readonly path: string;
  readonly maxTransferBytes: number;
  /** Opened O_RDWR: the kernel lets write-safe commands through (MODE SELECT, SET CD SPEED…). */
  readonly writable: boolean;
  readonly exclusive: boolean;
  /** 'sg' for /dev/sgN, 'block' for /dev/srN. */
  readonly kind: 'sg' | 'block';
  readonly defaultTimeoutMs: number;
  readonly #device: NativeDevice;
  readonly #queue: CommandQueue;
  #closing: Promise<void> | undefined;

  constructor(device: NativeDevice, options: { defaultTimeoutMs?: number } = {}) {
    this.#device = device;
    this.path = device.path;
    this.maxTransferBytes = device.maxTransferBytes;
    this.writable = device.writable;
    this.exclusive = device.exclusive;
    this.kind = device.kind;
    this.defaultTimeoutMs = checkTimeout(options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS, 'defaultTimeoutMs');
    this.#queue = new CommandQueue(this.path);
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Sends one command after those already queued. CHECK CONDITION comes back as a result; errno,
   * host or driver failures and impossible residuals throw TransportError. An aborted signal
   * rejects a command still waiting its turn at once; one already sent runs to completion.
   */
  async execute(command: ScsiCommand, options: ExecuteOptions = {}): Promise<CommandResult> {
    if (typeof options !== 'object' || options === null) throw new TypeError('Expected "options" to be an object');
    const { signal } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError('Expected "signal" to be an AbortSignal');
    }
    const prepared = prepareCommand(command, this.maxTransferBytes, this.defaultTimeoutMs);
    return this.#queue.runAbortable(() => this.#send(prepared), signal);
  }

  /** Waits for the command in flight, refuses queued and later ones, then releases the device. */
  close(): Promise<void> {
    this.#closing ??= this.#queue.close().then(() => this.#device.close());
    return this.#closing;
  }

  async #send(prepared: PreparedCommand): Promise<CommandResult> {
    const { command } = prepared;
    const startedAt = performance.now();
    let raw;
    try {
      raw = await this.#device.execute(command.cdb, command.direction, prepared.dataArgument, prepared.timeoutMs);
    } catch (error) {
      const failure = this.#executeError(error);
      this.#report({ path: this.path, cdb: command.cdb, status: undefined, durationMs: performance.now() - startedAt, error: failure });
      throw failure;
    }
    const event: CommandEvent = { path: this.path, cdb: command.cdb, status: raw.status, durationMs: raw.durationMs };
    const senseKey = senseKeyOf(raw.sense);
    if (senseKey !== undefined) event.senseKey = senseKey;
    try {
      const result = classifyCompletion(command, raw, this.path);
      this.#report(event, raw.residual);
      return result;
    } catch (error) {
      if (error instanceof Error) event.error = error;
      this.#report(event, raw.residual);
      throw error;
    }
  }

  #executeError(error: unknown): Error {
    if (error instanceof TypeError || error instanceof RangeError) return error;
    if (isSystemError(error)) return transportErrorFromSystemError(error, this.path);
    if (hasCode(error, 'ERR_TRANSPORT_CLOSED')) {
      return new TransportClosedError(`${this.path}: the transport is closed`, { path: this.path, cause: error });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new TransportError(`${this.path}: ${message}`, { path: this.path, cause: error });
  }

  #report(event: CommandEvent, residual?: number): void {
    if (debug.enabled) {
      const outcome = event.status === undefined ? 'failed' : `status 0x${hexByte(event.status)}`;
      const sense = event.senseKey === undefined ? '' : ` sense key 0x${event.senseKey.toString(16)}`;
      const resid = residual === undefined ? '' : ` resid ${residual}`;
      const error = event.error ? `: ${event.error.message}` : '';
      debug('%s [%s] %s%s%s %dms%s', event.path, hexBytes(event.cdb), outcome, sense, resid, Math.round(event.durationMs), error);
    }
    if (commandChannel.hasSubscribers) commandChannel.publish(event);
  }
}

function prepareCommand(command: unknown, maxTransferBytes: number, defaultTimeoutMs: number): PreparedCommand {
  if (typeof command !== 'object' || command === null) throw new TypeError('Expected "command" to be an object');
  const { cdb, direction, dataLength, data, timeoutMs } = command as Record<keyof ScsiCommand, unknown>;
  if (!types.isUint8Array(cdb)) throw new TypeError('Expected "cdb" to be a Uint8Array');
  if (cdb.length < 6 || cdb.length > 16) throw new RangeError(`Expected "cdb" to be 6 to 16 bytes long, got ${cdb.length}`);
  const limit = Math.min(maxTransferBytes, MAX_DATA_BYTES);
  const timeout = checkTimeout(timeoutMs ?? defaultTimeoutMs, 'timeoutMs');
  const cdbCopy = new Uint8Array(cdb);
  switch (direction) {
    case 'none':
      if (data !== undefined) throw new TypeError(`Expected no "data" for direction 'none'`);
      if (dataLength !== undefined && dataLength !== 0) throw new TypeError(`Expected no "dataLength" for direction 'none'`);
      return { command: { cdb: cdbCopy, direction, timeoutMs: timeout }, dataArgument: undefined, timeoutMs: timeout };
    case 'in': {
      if (data !== undefined) throw new TypeError(`Expected "dataLength", not "data", for direction 'in'`);
      const length = checkLength(dataLength, 'dataLength', limit);
      return { command: { cdb: cdbCopy, direction, dataLength: length, timeoutMs: timeout }, dataArgument: length, timeoutMs: timeout };
    }
    case 'out': {
      if (!types.isUint8Array(data)) throw new TypeError(`Expected "data" to be a Uint8Array for direction 'out'`);
      if (dataLength !== undefined && dataLength !== data.length) {
        throw new RangeError(`Expected "dataLength" to equal data.length (${data.length}) for direction 'out'`);
      }
      checkLength(data.length, 'data.length', limit);
      const dataCopy = new Uint8Array(data);
      return { command: { cdb: cdbCopy, direction, data: dataCopy, timeoutMs: timeout }, dataArgument: dataCopy, timeoutMs: timeout };
    }
    default:
      throw new TypeError(`Expected "direction" to be 'none', 'in' or 'out'`);
  }
}

function checkLength(value: unknown, name: string, limit: number): number {
  const expectation = `Expected "${name}" to be an integer from 0 to ${limit} (the device's maxTransferBytes)`;
  if (typeof value !== 'number') throw new TypeError(expectation);
  if (!Number.isInteger(value) || value < 0 || value > limit) throw new RangeError(expectation);
  return value;
}

function checkTimeout(value: unknown, name: string): number {
  if (typeof value !== 'number') throw new TypeError(`Expected "${name}" to be a positive integer`);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`Expected "${name}" to be a positive integer`);
  if (value > MAX_TIMEOUT_MS) throw new RangeError(`Expected "${name}" to be at most ${MAX_TIMEOUT_MS}`);
  return value;
}

function openError(error: unknown, path: string, exclusive: boolean): Error {
  if (!isSystemError(error)) {
    if (error instanceof Error) return error;
    return new TransportError(`${path}: ${String(error)}`, { path, cause: error });
  }
  if (exclusive && error.code === 'EPERM' && error.syscall === 'open') {
    // The sg driver refuses O_RDONLY|O_EXCL outright (MMC-FACTS §1.8).
    return new PermissionError(
      `${path}: exclusive open refused (EPERM): on an sg node O_EXCL needs a descriptor opened for writing; ` +
        `get write access to the node (the "cdrom" group) or open it without exclusive`,
      { errnoCode: 'EPERM', errno: numberOrUndefined(error.errno), syscall: 'open', path, cause: error },
    );
  }
  return transportErrorFromSystemError(error, path);
}

function isSystemError(error: unknown): error is SystemErrorLike & { code: string; syscall: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as SystemErrorLike).code === 'string' &&
    typeof (error as SystemErrorLike).syscall === 'string'
  );
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** Sense key of fixed (0x70/0x71) or descriptor (0x72/0x73) sense data (MMC-FACTS §1.5). */
function senseKeyOf(sense: Uint8Array): number | undefined {
  const responseCode = (sense[0] ?? 0) & 0x7f;
  if (responseCode === 0x70 || responseCode === 0x71) return sense.length > 2 ? (sense[2] ?? 0) & 0x0f : undefined;
  if (responseCode === 0x72 || responseCode === 0x73) return sense.length > 1 ? (sense[1] ?? 0) & 0x0f : undefined;
  return undefined;
}

function hexByte(value: number): string {
  return value.toString(16).padStart(2, '0');
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, hexByte).join(' ');
}
