/**
 * NativeTransport over a fake NativeBinding (the `nativeBinding` seam): argument checks, how
 * completions are judged, serialization, close and cancellation. Runs on any OS.
 */

import diagnosticsChannel from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  CommandTimeoutError,
  DeviceBusyError,
  DeviceNotFoundError,
  NoMediumTransportError,
  NotScsiDeviceError,
  PermissionError,
  TransportClosedError,
  TransportError,
  UnsupportedError,
} from '../../lib/errors.js';
import { loadNativeBinding } from '../../lib/transport/native-binding.js';
import { COMMAND_CHANNEL, DEFAULT_TIMEOUT_MS, openNativeTransport, type CommandEvent } from '../../lib/transport/native-transport.js';
import type { ScsiCommand } from '../../lib/transport/transport.js';
import { completionFor, deferred, fakeBinding, settle, systemError, type FakeBinding, type FakeCall } from './fake-binding.js';
import { repoRoot } from './testing-addon.js';

const inquiry: ScsiCommand = { cdb: Uint8Array.of(0x12, 0, 0, 0, 36, 0), direction: 'in', dataLength: 36 };
const testUnitReady: ScsiCommand = { cdb: new Uint8Array(6), direction: 'none' };

async function open(binding: FakeBinding = fakeBinding(), options = {}) {
  const transport = await openNativeTransport('/dev/sr0', { nativeBinding: binding, ...options });
  return { transport, binding, device: binding.devices[0]! };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a rejection').toBeInstanceOf(Error);
  return error as Error;
}

describe('openNativeTransport (fake binding)', () => {
  it('opens through the seam with the options and exposes the device properties', async () => {
    const binding = fakeBinding((device) => {
      device.maxTransferBytes = 32768;
      device.kind = 'sg';
      device.writable = false;
    });
    const { transport } = await open(binding, { exclusive: true, writable: false });
    expect(binding.openCalls).toEqual([{ path: '/dev/sr0', options: { exclusive: true, writable: false } }]);
    expect(transport).toMatchObject({ path: '/dev/sr0', maxTransferBytes: 32768, kind: 'sg', writable: false, exclusive: true, closed: false });
    expect(transport.defaultTimeoutMs).toBe(DEFAULT_TIMEOUT_MS);
    await transport.close();
  });

  it("defaults to writable 'auto', not exclusive", async () => {
    const { binding, transport } = await open();
    expect(binding.openCalls[0]!.options).toEqual({ exclusive: false, writable: 'auto' });
    await transport.close();
  });

  it.each([
    ['ENOENT', 2, DeviceNotFoundError],
    ['ENXIO', 6, DeviceNotFoundError],
    ['ENODEV', 19, DeviceNotFoundError],
    ['EACCES', 13, PermissionError],
    ['EPERM', 1, PermissionError],
    ['EBUSY', 16, DeviceBusyError],
    ['ENOTTY', 25, NotScsiDeviceError],
    ['EISDIR', 21, NotScsiDeviceError],
    ['ENOMEDIUM', 123, NoMediumTransportError],
    ['EIO', 5, TransportError],
  ] as const)('maps %s from open() to %s', async (code, errno, errorClass) => {
    const binding = fakeBinding();
    binding.openError = systemError(code, errno, 'open', '/dev/sr0');
    const error = await failure(openNativeTransport('/dev/sr0', { nativeBinding: binding }));
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ errnoCode: code, errno: -errno, syscall: 'open', path: '/dev/sr0' });
    expect(error.cause).toBe(binding.openError);
  });

  it('says what to do about permissions and busy drives', async () => {
    const binding = fakeBinding();
    binding.openError = systemError('EACCES', 13, 'open', '/dev/sr0');
    expect((await failure(openNativeTransport('/dev/sr0', { nativeBinding: binding }))).message).toContain('cdrom');
    binding.openError = systemError('EBUSY', 16, 'open', '/dev/sr0');
    expect((await failure(openNativeTransport('/dev/sr0', { nativeBinding: binding }))).message).toMatch(/mounted.*unmount/);
  });

  it('explains EPERM on an exclusive open (the sg driver refuses O_RDONLY|O_EXCL)', async () => {
    const binding = fakeBinding();
    binding.openError = systemError('EPERM', 1, 'open', '/dev/sg0');
    const error = await failure(openNativeTransport('/dev/sg0', { nativeBinding: binding, exclusive: true, writable: false }));
    expect(error).toBeInstanceOf(PermissionError);
    expect(error.message).toMatch(/O_EXCL.*writing/);
  });

  it('passes argument errors from the binding through unchanged', async () => {
    const binding = fakeBinding();
    binding.openError = new TypeError('bad');
    expect(await failure(openNativeTransport('/dev/sr0', { nativeBinding: binding }))).toBe(binding.openError);
  });

  it('checks its own arguments before loading anything', async () => {
    const binding = fakeBinding();
    for (const path of ['', 5, undefined, null]) {
      await expect(openNativeTransport(path as never, { nativeBinding: binding })).rejects.toThrow(TypeError);
    }
    await expect(openNativeTransport('/dev/sr0', null as never)).rejects.toThrow(TypeError);
    await expect(openNativeTransport('/dev/sr0', { nativeBinding: binding, exclusive: 'yes' as never })).rejects.toThrow(TypeError);
    await expect(openNativeTransport('/dev/sr0', { nativeBinding: binding, writable: 'always' as never })).rejects.toThrow(TypeError);
    for (const defaultTimeoutMs of [0, -5, 1.5, NaN, 2 ** 31]) {
      await expect(openNativeTransport('/dev/sr0', { nativeBinding: binding, defaultTimeoutMs })).rejects.toThrow(RangeError);
    }
    await expect(openNativeTransport('/dev/sr0', { nativeBinding: binding, defaultTimeoutMs: '5' as never })).rejects.toThrow(
      'Expected "defaultTimeoutMs" to be a positive integer',
    );
    await expect(openNativeTransport('/dev/sr0', { nativeBinding: { open: 5 } as never })).rejects.toThrow(TypeError);
    await expect(openNativeTransport('/dev/sr0', { nativeBinding: 42 as never })).rejects.toThrow(TypeError);
    expect(binding.openCalls).toHaveLength(0);
  });
});

describe('NativeTransport.execute (fake binding)', () => {
  it('sends a copy of the command with the default timeout and returns the data', async () => {
    const { transport, device } = await open();
    const cdb = Uint8Array.from(inquiry.cdb);
    const result = await transport.execute({ ...inquiry, cdb });
    expect(result).toMatchObject({ status: 0, residual: 0, hostStatus: 0, driverStatus: 0, durationMs: 1 });
    expect(result.data).toHaveLength(36);
    expect(device.calls[0]).toMatchObject({ direction: 'in', dataLengthOrBuffer: 36, timeoutMs: 30000 });
    expect(device.calls[0]!.cdb).toEqual(cdb);
    expect(device.calls[0]!.cdb).not.toBe(cdb);
    await transport.close();
  });

  it('uses the command timeout, then the transport default', async () => {
    const { transport, device } = await open(fakeBinding(), { defaultTimeoutMs: 1234 });
    await transport.execute(testUnitReady);
    await transport.execute({ ...testUnitReady, timeoutMs: 99 });
    expect(device.calls.map((call) => call.timeoutMs)).toEqual([1234, 99]);
    await transport.close();
  });

  it("sends 'out' data as a private copy taken when execute() is called", async () => {
    const gate = deferred<void>();
    const { transport, device } = await open();
    device.handler = async (call) => {
      await gate.promise;
      return completionFor(call);
    };
    const first = transport.execute(testUnitReady);
    const data = Uint8Array.of(1, 2, 3, 4);
    const second = transport.execute({ cdb: Uint8Array.of(0x55, 0x10, 0, 0, 0, 0, 0, 0, 4, 0), direction: 'out', data });
    data.fill(0xee);
    gate.resolve();
    await first;
    await expect(second).resolves.toMatchObject({ status: 0 });
    expect(device.calls[1]!.direction).toBe('out');
    expect(device.calls[1]!.dataLengthOrBuffer).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect((await transport.execute({ cdb: new Uint8Array(10), direction: 'out', data: new Uint8Array(0) })).data).toHaveLength(0);
    await transport.close();
  });

  it('returns CHECK CONDITION as a value with its sense bytes', async () => {
    const { transport, device } = await open();
    const sense = Uint8Array.of(0x70, 0, 0x02, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3a, 0x00, 0, 0, 0, 0);
    device.handler = () => ({ status: 2, sense, driverStatus: 0x08, data: new Uint8Array(0), residual: 36 });
    const result = await transport.execute(inquiry);
    expect(result.status).toBe(2);
    expect(result.sense).toEqual(sense);
    expect(result.driverStatus).toBe(0x08);
    expect(result.residual).toBe(36);
    expect(result.data).toHaveLength(0);
    await transport.close();
  });

  it('returns a short transfer with its residual', async () => {
    const { transport, device } = await open();
    device.handler = () => ({ data: new Uint8Array(20), residual: 16 });
    const result = await transport.execute(inquiry);
    expect(result.residual).toBe(16);
    expect(result.data).toHaveLength(20);
    await transport.close();
  });

  it('throws CommandTimeoutError for host status DID_TIME_OUT', async () => {
    const { transport, device } = await open();
    device.handler = () => ({ hostStatus: 0x03, data: new Uint8Array(0), residual: 36 });
    const error = await failure(transport.execute(inquiry));
    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect(error).toMatchObject({ code: 'ERR_COMMAND_TIMEOUT', hostStatus: 0x03, path: '/dev/sr0' });
    expect(error.message).toContain('DID_TIME_OUT');
    await transport.close();
  });

  it('throws TransportError for other host statuses', async () => {
    const { transport, device } = await open();
    device.handler = () => ({ hostStatus: 0x01 });
    const error = await failure(transport.execute(testUnitReady));
    expect(error.constructor).toBe(TransportError);
    expect(error.message).toContain('DID_NO_CONNECT');
    await transport.close();
  });

  it('throws for driver status errors: DRIVER_TIMEOUT as a timeout, others as TransportError', async () => {
    const { transport, device } = await open();
    device.handler = () => ({ driverStatus: 0x06 });
    expect(await failure(transport.execute(testUnitReady))).toBeInstanceOf(CommandTimeoutError);
    device.handler = () => ({ driverStatus: 0x07 | 0x08 });
    const hard = await failure(transport.execute(testUnitReady));
    expect(hard.constructor).toBe(TransportError);
    expect(hard).toMatchObject({ driverStatus: 0x0f });
    // The obsolete upper nibble alone is not a failure.
    device.handler = () => ({ driverStatus: 0x20 });
    await expect(transport.execute(testUnitReady)).resolves.toMatchObject({ status: 0 });
    await transport.close();
  });

  it('throws TransportError when the residual is larger than the request, or negative', async () => {
    const { transport, device } = await open();
    device.handler = () => ({ residual: 40, data: new Uint8Array(0) });
    expect((await failure(transport.execute(inquiry))).message).toContain('residual 40 for a transfer of 36 bytes');
    device.handler = () => ({ residual: -4, data: new Uint8Array(36) });
    expect(await failure(transport.execute(inquiry))).toBeInstanceOf(TransportError);
    device.handler = () => ({ residual: 1 });
    expect(await failure(transport.execute(testUnitReady))).toBeInstanceOf(TransportError);
    await transport.close();
  });

  it('maps errno failures of the ioctl', async () => {
    const { transport, device } = await open();
    device.handler = () => {
      throw systemError('EPERM', 1, 'ioctl', '/dev/sr0');
    };
    const filtered = await failure(transport.execute(testUnitReady));
    expect(filtered).toBeInstanceOf(PermissionError);
    expect(filtered.message).toMatch(/writable descriptor or CAP_SYS_RAWIO/);
    device.handler = () => {
      throw systemError('EIO', 5, 'ioctl', '/dev/sr0');
    };
    expect(await failure(transport.execute(inquiry))).toMatchObject({ code: 'ERR_TRANSPORT', errnoCode: 'EIO', syscall: 'ioctl' });
    device.handler = () => {
      throw systemError('ENODEV', 19, 'ioctl', '/dev/sr0');
    };
    expect(await failure(transport.execute(inquiry))).toBeInstanceOf(DeviceNotFoundError);
    device.handler = () => {
      throw systemError('ETIMEDOUT', 110, 'ioctl', '/dev/sr0');
    };
    expect(await failure(transport.execute(inquiry))).toBeInstanceOf(CommandTimeoutError);
    await transport.close();
  });

  it('maps a device closed underneath it to TransportClosedError', async () => {
    const { transport, device } = await open();
    device.close();
    expect(await failure(transport.execute(testUnitReady))).toBeInstanceOf(TransportClosedError);
  });

  it('never has two commands in flight, and keeps their order', async () => {
    const { transport, device } = await open();
    const order: number[] = [];
    device.handler = async (call: FakeCall) => {
      // Later commands finish faster: overlap would reorder them.
      await new Promise((resolve) => setTimeout(resolve, 20 - (call.cdb[1] ?? 0) * 3));
      order.push(call.cdb[1] ?? -1);
      return completionFor(call);
    };
    const commands = Array.from({ length: 6 }, (_, i) => transport.execute({ cdb: Uint8Array.of(0, i, 0, 0, 0, 0), direction: 'none' }));
    await Promise.all(commands);
    expect(device.maxInFlight).toBe(1);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    await transport.close();
  });

  it('keeps going after a command fails', async () => {
    const { transport, device } = await open();
    let calls = 0;
    device.handler = (call) => {
      calls += 1;
      if (calls === 1) throw systemError('EIO', 5, 'ioctl', '/dev/sr0');
      return completionFor(call);
    };
    const [first, second] = await Promise.allSettled([transport.execute(testUnitReady), transport.execute(testUnitReady)]);
    expect(first.status).toBe('rejected');
    expect(second.status).toBe('fulfilled');
    expect(device.maxInFlight).toBe(1);
    await transport.close();
  });
});

describe('NativeTransport.close (fake binding)', () => {
  it('waits for the command in flight; queued and later commands reject with TransportClosedError', async () => {
    const gate = deferred<void>();
    const { transport, device } = await open();
    device.handler = async (call) => {
      await gate.promise;
      return completionFor(call);
    };
    const inFlight = transport.execute(inquiry);
    const queued = transport.execute(testUnitReady);
    await settle();
    let closed = false;
    const closing = transport.close().then(() => {
      closed = true;
    });
    await settle();
    expect(closed).toBe(false);
    expect(device.closeCount).toBe(0);
    expect(transport.closed).toBe(true);
    await expect(transport.execute(testUnitReady)).rejects.toBeInstanceOf(TransportClosedError);
    gate.resolve();
    await expect(inFlight).resolves.toMatchObject({ status: 0 });
    const queuedError = await failure(queued);
    expect(queuedError).toBeInstanceOf(TransportClosedError);
    expect(queuedError).toMatchObject({ code: 'ERR_TRANSPORT_CLOSED', path: '/dev/sr0' });
    await closing;
    expect(device.closeCount).toBe(1);
    expect(device.calls).toHaveLength(1);
    await transport.close();
    expect(device.closeCount).toBe(1);
    await expect(transport.execute(inquiry)).rejects.toBeInstanceOf(TransportClosedError);
  });
});

describe('cancellation with AbortSignal (fake binding)', () => {
  it('cancels a queued command at once; it never reaches the device', async () => {
    const gate = deferred<void>();
    const { transport, device } = await open();
    device.handler = async (call) => {
      await gate.promise;
      return completionFor(call);
    };
    const inFlight = transport.execute(inquiry);
    const controller = new AbortController();
    const queued = transport.execute(testUnitReady, { signal: controller.signal });
    await settle();
    controller.abort();
    const error = await failure(queued);
    expect(error.name).toBe('AbortError');
    expect(device.calls).toHaveLength(1);
    gate.resolve();
    await expect(inFlight).resolves.toMatchObject({ status: 0 });
    await settle();
    expect(device.calls).toHaveLength(1);
    await transport.close();
  });

  it('rejects with the abort reason, or AbortError, when the signal is already aborted', async () => {
    const { transport, device } = await open();
    const reason = new Error('user pressed stop');
    await expect(transport.execute(testUnitReady, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    const controller = new AbortController();
    controller.abort('not an error');
    await expect(transport.execute(testUnitReady, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(device.calls).toHaveLength(0);
    await transport.close();
  });

  it('lets a command already sent run to completion', async () => {
    const gate = deferred<void>();
    const { transport, device } = await open();
    device.handler = async (call) => {
      await gate.promise;
      return completionFor(call);
    };
    const controller = new AbortController();
    const sent = transport.execute(inquiry, { signal: controller.signal });
    await settle();
    expect(device.calls).toHaveLength(1);
    controller.abort();
    gate.resolve();
    await expect(sent).resolves.toMatchObject({ status: 0 });
    await transport.close();
  });
});

describe('argument checks (fake binding)', () => {
  it.each([
    [{ ...testUnitReady, timeoutMs: 0 }, RangeError, 'Expected "timeoutMs" to be a positive integer'],
    [{ ...testUnitReady, timeoutMs: -1 }, RangeError, 'Expected "timeoutMs" to be a positive integer'],
    [{ ...testUnitReady, timeoutMs: 2.5 }, RangeError, 'Expected "timeoutMs" to be a positive integer'],
    [{ ...testUnitReady, timeoutMs: '1000' }, TypeError, 'Expected "timeoutMs" to be a positive integer'],
    [{ ...testUnitReady, timeoutMs: 2 ** 31 }, RangeError, 'Expected "timeoutMs" to be at most 2147483647'],
    [{ cdb: new Uint8Array(5), direction: 'none' }, RangeError, 'Expected "cdb" to be 6 to 16 bytes long, got 5'],
    [{ cdb: new Uint8Array(17), direction: 'none' }, RangeError, 'Expected "cdb" to be 6 to 16 bytes long, got 17'],
    [{ cdb: [0, 0, 0, 0, 0, 0], direction: 'none' }, TypeError, 'Expected "cdb" to be a Uint8Array'],
    [{ cdb: new Uint8Array(6), direction: 'sideways' }, TypeError, `Expected "direction" to be 'none', 'in' or 'out'`],
    [{ cdb: new Uint8Array(6), direction: 'in' }, TypeError, 'Expected "dataLength" to be an integer from 0 to 65536'],
    [{ cdb: new Uint8Array(6), direction: 'in', dataLength: -1 }, RangeError, 'Expected "dataLength"'],
    [{ cdb: new Uint8Array(6), direction: 'in', dataLength: 65537 }, RangeError, "(the device's maxTransferBytes)"],
    [{ cdb: new Uint8Array(6), direction: 'in', dataLength: 36, data: new Uint8Array(36) }, TypeError, 'not "data"'],
    [{ cdb: new Uint8Array(6), direction: 'none', data: new Uint8Array(1) }, TypeError, `Expected no "data" for direction 'none'`],
    [{ cdb: new Uint8Array(6), direction: 'none', dataLength: 8 }, TypeError, `Expected no "dataLength"`],
    [{ cdb: new Uint8Array(6), direction: 'out' }, TypeError, `Expected "data" to be a Uint8Array for direction 'out'`],
    [{ cdb: new Uint8Array(6), direction: 'out', data: new Uint8Array(65537) }, RangeError, 'Expected "data.length"'],
    [{ cdb: new Uint8Array(6), direction: 'out', data: new Uint8Array(4), dataLength: 8 }, RangeError, 'to equal data.length (4)'],
  ])('rejects %o', async (command, errorClass, message) => {
    const { transport, device } = await open();
    const error = await failure(transport.execute(command as unknown as ScsiCommand));
    expect(error).toBeInstanceOf(errorClass);
    expect(error.message).toContain(message);
    expect(device.calls).toHaveLength(0);
    await transport.close();
  });
});

describe('observability (fake binding)', () => {
  it(`publishes every command on the '${COMMAND_CHANNEL}' diagnostics channel`, async () => {
    const events: CommandEvent[] = [];
    const listener = (message: unknown): void => {
      events.push(message as CommandEvent);
    };
    diagnosticsChannel.subscribe(COMMAND_CHANNEL, listener);
    try {
      const { transport, device } = await open();
      await transport.execute(testUnitReady);
      device.handler = () => ({ status: 2, sense: Uint8Array.of(0x70, 0, 0x06, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x28, 0), durationMs: 7 });
      await transport.execute(testUnitReady);
      device.handler = () => ({ hostStatus: 0x03, durationMs: 30000 });
      await transport.execute(testUnitReady).catch(() => {});
      device.handler = () => {
        throw systemError('EIO', 5, 'ioctl', '/dev/sr0');
      };
      await transport.execute(testUnitReady).catch(() => {});
      await transport.close();
    } finally {
      diagnosticsChannel.unsubscribe(COMMAND_CHANNEL, listener);
    }
    expect(events).toHaveLength(4);
    expect(events[0]).toEqual({ path: '/dev/sr0', cdb: new Uint8Array(6), status: 0, durationMs: 1 });
    expect(events[1]).toMatchObject({ status: 2, senseKey: 6, durationMs: 7 });
    expect(events[2]).toMatchObject({ status: 0, durationMs: 30000 });
    expect(events[2]!.error).toBeInstanceOf(CommandTimeoutError);
    expect(events[3]).toMatchObject({ status: undefined });
    expect(events[3]!.error).toBeInstanceOf(TransportError);
  });
});

describe('loadNativeBinding', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'discrescue-binding-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('uses an object as-is', () => {
    const binding = fakeBinding();
    expect(loadNativeBinding(binding)).toBe(binding);
  });

  it('refuses values that are neither a binding nor a path', () => {
    for (const value of [{}, { open: 'x' }, 5, true, '']) {
      expect(() => loadNativeBinding(value as never)).toThrow(TypeError);
    }
  });

  it('throws UnsupportedError with the cause and a rebuild hint when a path does not load', () => {
    const missing = join(scratch, 'missing.node');
    let error: unknown;
    try {
      loadNativeBinding(missing);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as Error).message).toContain('npm rebuild discrescue');
    expect((error as Error).message).toContain(process.platform);
    expect((error as Error).cause).toBeInstanceOf(Error);

    const garbage = join(scratch, 'garbage.node');
    writeFileSync(garbage, 'not an ELF file');
    expect(() => loadNativeBinding(garbage)).toThrow(UnsupportedError);
  });

  it('throws UnsupportedError for a module without open()', () => {
    const notAddon = join(scratch, 'not-addon.cjs');
    writeFileSync(notAddon, 'module.exports = { hello: 1 };');
    expect(() => loadNativeBinding(notAddon)).toThrow(/not the discrescue native addon/);
  });

  it.skipIf(process.platform !== 'linux')('loads the built addon by default, and from its path', async () => {
    const binding = loadNativeBinding();
    expect(typeof binding.open).toBe('function');
    await expect(binding.open('/dev/null')).rejects.toMatchObject({ code: 'ENOTTY' });
    const file = (createRequire(import.meta.url)('node-gyp-build') as { resolve: (dir: string) => string }).resolve(repoRoot);
    const fromPath = loadNativeBinding(file);
    await expect(fromPath.open('/dev/null')).rejects.toMatchObject({ code: 'ENOTTY' });
  });
});
