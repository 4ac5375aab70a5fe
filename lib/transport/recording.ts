/**
 * Record a session with a real drive to JSON, and replay it later: how users send captures from
 * drives we do not own, and how tests run on them.
 */

import {
  CommandTimeoutError,
  DeviceBusyError,
  DeviceNotFoundError,
  DiscError,
  FormatError,
  NoMediumTransportError,
  NotScsiDeviceError,
  PermissionError,
  TransportClosedError,
  TransportError,
} from '../errors.js';
import { CommandQueue } from './command-queue.js';
import type { CommandResult, DataDirection, ExecuteOptions, ScsiCommand, Transport } from './transport.js';

export const RECORDING_FORMAT = 'discrescue-recording';
export const RECORDING_VERSION = 1;

export interface RecordedError {
  name: string;
  code: string | undefined;
  message: string;
  errnoCode?: string | undefined;
}

export interface RecordedExchange {
  /** CDB as lowercase hex. */
  cdb: string;
  direction: DataDirection;
  dataLength?: number;
  /** Data sent ('out' commands), hex. */
  dataOut?: string;
  result?: {
    status: number;
    sense: string;
    /** Received data, base64. */
    data: string;
    residual: number;
    hostStatus: number;
    driverStatus: number;
    durationMs: number;
  };
  /** A TransportError the command raised instead of a result. */
  error?: RecordedError;
}

export interface Recording {
  format: typeof RECORDING_FORMAT;
  version: typeof RECORDING_VERSION;
  path: string;
  maxTransferBytes: number;
  exchanges: RecordedExchange[];
}

/** The replayed command is not the one the recording expected next. */
export class ReplayMismatchError extends DiscError {
  override readonly code = 'ERR_REPLAY_MISMATCH';
}

/** Wraps a transport and keeps every command with its answer. */
export class RecordingTransport implements Transport {
  readonly #inner: Transport;
  readonly #exchanges: RecordedExchange[] = [];

  constructor(inner: Transport) {
    this.#inner = inner;
  }

  get path(): string {
    return this.#inner.path;
  }
  get maxTransferBytes(): number {
    return this.#inner.maxTransferBytes;
  }
  get closed(): boolean {
    return this.#inner.closed;
  }
  /** The wrapped transport's virtual-clock counters, when it is an emulated drive. */
  get stats(): unknown {
    return (this.#inner as { stats?: unknown }).stats;
  }

  async execute(command: ScsiCommand, options?: ExecuteOptions): Promise<CommandResult> {
    const exchange: RecordedExchange = {
      cdb: hex(command.cdb),
      direction: command.direction,
      ...(command.dataLength === undefined ? {} : { dataLength: command.dataLength }),
      ...(command.data === undefined ? {} : { dataOut: hex(command.data) }),
    };
    try {
      const result = await this.#inner.execute(command, options);
      exchange.result = {
        status: result.status,
        sense: hex(result.sense),
        data: Buffer.from(result.data.buffer, result.data.byteOffset, result.data.byteLength).toString('base64'),
        residual: result.residual,
        hostStatus: result.hostStatus,
        driverStatus: result.driverStatus,
        durationMs: result.durationMs,
      };
      this.#exchanges.push(exchange);
      return result;
    } catch (error) {
      if (error instanceof TransportError) {
        exchange.error = { name: error.name, code: error.code, message: error.message, errnoCode: error.errnoCode };
        this.#exchanges.push(exchange);
      }
      throw error;
    }
  }

  /** The session so far, ready for JSON.stringify. */
  recording(): Recording {
    return {
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      path: this.#inner.path,
      maxTransferBytes: this.#inner.maxTransferBytes,
      exchanges: this.#exchanges.map((e) => ({ ...e })),
    };
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

export interface ReplayOptions {
  /**
   * 'sequential' (default): commands must come in the recorded order. 'lookup': each command is
   * answered by the first unused exchange with the same CDB and data, whatever the order.
   */
  order?: 'sequential' | 'lookup';
}

/** Recorded transport failures come back as the class they were recorded as (by their stable code). */
const REPLAYED_ERRORS: Readonly<Record<string, typeof TransportError>> = {
  ERR_DEVICE_NOT_FOUND: DeviceNotFoundError,
  ERR_DEVICE_BUSY: DeviceBusyError,
  ERR_PERMISSION: PermissionError,
  ERR_NOT_SCSI_DEVICE: NotScsiDeviceError,
  ERR_NO_MEDIUM: NoMediumTransportError,
  ERR_COMMAND_TIMEOUT: CommandTimeoutError,
  ERR_TRANSPORT_CLOSED: TransportClosedError,
};

/** Answers commands from a recording; a command it does not expect is a ReplayMismatchError. */
export class ReplayTransport implements Transport {
  readonly path: string;
  readonly maxTransferBytes: number;
  readonly #exchanges: RecordedExchange[];
  readonly #used: boolean[];
  readonly #order: 'sequential' | 'lookup';
  readonly #queue: CommandQueue;
  #next = 0;

  constructor(recording: unknown, options: ReplayOptions = {}) {
    const parsed = validateRecording(recording);
    this.path = `replay:${parsed.path}`;
    this.maxTransferBytes = parsed.maxTransferBytes;
    this.#exchanges = parsed.exchanges;
    this.#used = parsed.exchanges.map(() => false);
    this.#order = options.order ?? 'sequential';
    this.#queue = new CommandQueue(this.path);
  }

  get closed(): boolean {
    return this.#queue.closed;
  }

  /** Exchanges not replayed yet. */
  get remaining(): number {
    return this.#used.filter((u) => !u).length;
  }

  execute(command: ScsiCommand, options?: ExecuteOptions): Promise<CommandResult> {
    return this.#queue.run(async () => this.#answer(command), options?.signal);
  }

  #answer(command: ScsiCommand): CommandResult {
    const cdb = hex(command.cdb);
    const dataOut = command.data === undefined ? undefined : hex(command.data);
    const matches = (e: RecordedExchange) =>
      e.cdb === cdb && e.direction === command.direction && e.dataOut === dataOut && (e.dataLength ?? 0) === (command.dataLength ?? 0);
    let index: number;
    if (this.#order === 'sequential') {
      index = this.#next;
      const expected = this.#exchanges[index];
      if (!expected) throw new ReplayMismatchError(`${this.path}: command ${cdb} after the end of the recording`);
      if (!matches(expected)) {
        throw new ReplayMismatchError(`${this.path}: exchange ${index} expected CDB ${expected.cdb}, got ${cdb}`);
      }
      this.#next++;
    } else {
      index = this.#exchanges.findIndex((e, i) => !this.#used[i] && matches(e));
      if (index < 0) throw new ReplayMismatchError(`${this.path}: no unused recorded exchange for CDB ${cdb}`);
    }
    this.#used[index] = true;
    const exchange = this.#exchanges[index]!;
    if (exchange.error) {
      const e = exchange.error;
      const ErrorClass = REPLAYED_ERRORS[e.code ?? ''] ?? TransportError;
      throw new ErrorClass(e.message, { path: this.path, errnoCode: e.errnoCode });
    }
    const r = exchange.result!;
    return {
      status: r.status,
      sense: fromHex(r.sense),
      data: new Uint8Array(Buffer.from(r.data, 'base64')),
      residual: r.residual,
      hostStatus: r.hostStatus,
      driverStatus: r.driverStatus,
      durationMs: r.durationMs,
    };
  }

  close(): Promise<void> {
    return this.#queue.close();
  }
}

function validateRecording(value: unknown): Recording {
  const fail = (message: string) => new FormatError(`not a discrescue recording: ${message}`);
  if (typeof value !== 'object' || value === null) throw fail('expected an object');
  const r = value as Partial<Recording>;
  if (r.format !== RECORDING_FORMAT) throw fail(`format is ${JSON.stringify(r.format)}`);
  if (r.version !== RECORDING_VERSION) throw fail(`unsupported version ${JSON.stringify(r.version)}`);
  if (typeof r.path !== 'string') throw fail('path missing');
  if (typeof r.maxTransferBytes !== 'number' || !Number.isInteger(r.maxTransferBytes) || r.maxTransferBytes <= 0) {
    throw fail('maxTransferBytes must be a positive integer');
  }
  if (!Array.isArray(r.exchanges)) throw fail('exchanges must be an array');
  r.exchanges.forEach((e, i) => {
    const where = `exchange ${i}`;
    if (typeof e !== 'object' || e === null) throw fail(`${where} is not an object`);
    if (typeof e.cdb !== 'string' || !/^([0-9a-f]{2}){6,16}$/u.test(e.cdb)) throw fail(`${where}: bad cdb`);
    if (!['none', 'in', 'out'].includes(e.direction)) throw fail(`${where}: bad direction`);
    if (e.result === undefined && e.error === undefined) throw fail(`${where}: neither result nor error`);
    if (e.result) {
      const res = e.result;
      for (const key of ['status', 'residual', 'hostStatus', 'driverStatus', 'durationMs'] as const) {
        if (typeof res[key] !== 'number' || !Number.isFinite(res[key])) throw fail(`${where}: result.${key} must be a number`);
      }
      if (typeof res.sense !== 'string' || !/^([0-9a-f]{2})*$/u.test(res.sense)) throw fail(`${where}: bad sense`);
      if (typeof res.data !== 'string') throw fail(`${where}: bad data`);
    }
  });
  return r as Recording;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}
