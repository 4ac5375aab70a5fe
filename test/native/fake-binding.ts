/**
 * A scriptable NativeBinding for testing NativeTransport without a drive: each execute() goes to a
 * handler, and the fake records calls and how many were in flight at once.
 */

import type { NativeBinding, NativeCompletion, NativeDevice, NativeDirection, NativeOpenOptions } from '../../lib/transport/native-binding.js';

export interface FakeCall {
  cdb: Uint8Array;
  direction: NativeDirection;
  dataLengthOrBuffer: number | Uint8Array | undefined;
  timeoutMs: number;
}

export type FakeHandler = (call: FakeCall) => Promise<Partial<NativeCompletion>> | Partial<NativeCompletion>;

/** A GOOD completion, with the requested bytes for 'in', overridden by `fields`. */
export function completionFor(call: FakeCall, fields: Partial<NativeCompletion> = {}): NativeCompletion {
  const length = call.direction === 'in' && typeof call.dataLengthOrBuffer === 'number' ? call.dataLengthOrBuffer : 0;
  return {
    status: 0,
    sense: new Uint8Array(0),
    data: new Uint8Array(length).fill(0xab),
    residual: 0,
    hostStatus: 0,
    driverStatus: 0,
    durationMs: 1,
    info: 0,
    ...fields,
  };
}

/** A Node-style system error like the addon rejects with. */
export function systemError(code: string, errno: number, syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: failed, ${syscall} '${path}'`), { code, errno: -errno, syscall, path });
}

export class FakeDevice implements NativeDevice {
  readonly path: string;
  writable = true;
  exclusive = false;
  maxTransferBytes = 65536;
  kind: 'sg' | 'block' = 'block';
  closed = false;
  closeCount = 0;
  inFlight = 0;
  maxInFlight = 0;
  readonly calls: FakeCall[] = [];
  handler: FakeHandler = (call) => completionFor(call);

  constructor(path: string) {
    this.path = path;
  }

  async execute(
    cdb: Uint8Array,
    direction: NativeDirection,
    dataLengthOrBuffer: number | Uint8Array | undefined,
    timeoutMs: number,
  ): Promise<NativeCompletion> {
    if (this.closed) throw Object.assign(new Error(`${this.path}: the device is closed`), { code: 'ERR_TRANSPORT_CLOSED' });
    const call = { cdb, direction, dataLengthOrBuffer, timeoutMs };
    this.calls.push(call);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return completionFor(call, await this.handler(call));
    } finally {
      this.inFlight -= 1;
    }
  }

  close(): void {
    this.closeCount += 1;
    this.closed = true;
  }
}

export interface FakeBinding extends NativeBinding {
  readonly devices: FakeDevice[];
  readonly openCalls: { path: string; options: NativeOpenOptions | undefined }[];
  /** When set, open() rejects with it. */
  openError: Error | undefined;
  /** Applied to each device before open() resolves. */
  configure: (device: FakeDevice) => void;
}

export function fakeBinding(configure: (device: FakeDevice) => void = () => {}): FakeBinding {
  const binding: FakeBinding = {
    devices: [],
    openCalls: [],
    openError: undefined,
    configure,
    async open(path: string, options?: NativeOpenOptions): Promise<NativeDevice> {
      binding.openCalls.push({ path, options });
      if (binding.openError) throw binding.openError;
      const device = new FakeDevice(path);
      device.exclusive = options?.exclusive ?? false;
      binding.configure(device);
      binding.devices.push(device);
      return device;
    },
  };
  return binding;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets queued promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}
