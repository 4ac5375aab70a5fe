/**
 * Every native entry point fed wrong types and values must throw (or reject), never crash. Device
 * methods run on the test build's openUnchecked('/dev/null'), since no drive exists here.
 */

import { describe, expect, it } from 'vitest';
import { TransportClosedError } from '../../lib/errors.js';
import { loadNativeBinding, type NativeBinding, type NativeDevice } from '../../lib/transport/native-binding.js';
import { NativeTransport, openNativeTransport } from '../../lib/transport/native-transport.js';
import { completionFor, deferred, fakeBinding, settle, type FakeCall } from './fake-binding.js';
import { loadTestingAddon } from './testing-addon.js';

const onLinux = process.platform === 'linux';
const testing = onLinux ? loadTestingAddon() : { reason: 'the addon is Linux-only' };
if (testing.reason) console.warn(`abuse.test.ts: Device tests skipped: ${testing.reason}`);

const cdb6 = new Uint8Array(6);
const garbage: unknown[] = [undefined, null, 0, -1, 1.5, NaN, Infinity, 2 ** 53, 'x', '', true, {}, [], () => {}, Symbol('s'), 10n, new Uint16Array(6), new Uint8ClampedArray(6), new ArrayBuffer(6), new DataView(new ArrayBuffer(6))];

function describeValue(value: unknown): string {
  if (typeof value === 'symbol' || typeof value === 'bigint' || typeof value === 'function') return typeof value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.constructor.name;
  return JSON.stringify(value) ?? String(value);
}

/** Calls fn; it must throw synchronously a TypeError or RangeError. */
function expectArgumentError(fn: () => unknown): void {
  let thrown: unknown;
  try {
    const result = fn();
    if (result instanceof Promise) result.catch(() => {});
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a synchronous throw').toBeDefined();
  expect(thrown instanceof TypeError || thrown instanceof RangeError, String(thrown)).toBe(true);
}

describe.skipIf(!onLinux)('handles abuse without crashing', () => {
  describe('open()', () => {
    const binding = onLinux ? (loadNativeBinding() as NativeBinding & { open: (...args: unknown[]) => Promise<NativeDevice> }) : undefined;

    it('rejects every non-string path with TypeError', () => {
      for (const value of garbage.filter((v) => typeof v !== 'string')) {
        expectArgumentError(() => binding!.open(value as string));
      }
      expectArgumentError(() => (binding!.open as () => unknown)());
    });

    it('rejects empty paths and paths with NUL bytes', () => {
      expectArgumentError(() => binding!.open(''));
      expectArgumentError(() => binding!.open('/dev/null\0/etc/passwd'));
    });

    it('rejects bad options', () => {
      for (const options of [0, 'x', true, [], () => {}, Symbol('o'), 5n]) {
        expectArgumentError(() => binding!.open('/dev/null', options as never));
      }
      for (const exclusive of [0, 1, 'true', null, {}, []]) {
        expectArgumentError(() => binding!.open('/dev/null', { exclusive } as never));
      }
      for (const writable of [0, 1, 'true', 'yes', null, {}, []]) {
        expectArgumentError(() => binding!.open('/dev/null', { writable } as never));
      }
    });

    it('propagates an exception thrown by an options getter', () => {
      const options = Object.defineProperty({}, 'exclusive', {
        get() {
          throw new Error('getter boom');
        },
      });
      expect(() => binding!.open('/dev/null', options)).toThrow('getter boom');
    });

    it('accepts null options and still rejects /dev/null as not a SCSI device', async () => {
      await expect(binding!.open('/dev/null', null as never)).rejects.toMatchObject({ code: 'ENOTTY' });
      await expect(binding!.open('/dev/null', { exclusive: true, writable: false })).rejects.toMatchObject({ code: 'ENOTTY' });
    });

    it('survives a burst of concurrent opens', async () => {
      const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => binding!.open(i % 2 ? '/dev/null' : '/dev/sr99')));
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
    });
  });

  describe('the Device class', () => {
    const Device = onLinux ? (loadNativeBinding() as unknown as { Device: new (...args: unknown[]) => NativeDevice }).Device : undefined;

    it('cannot be constructed or called from script', () => {
      expect(() => new Device!()).toThrow(TypeError);
      expect(() => new Device!({ fd: 0 })).toThrow(TypeError);
      expect(() => (Device as unknown as () => void)()).toThrow(TypeError);
      const Base = Device!;
      class Sub extends Base {}
      expect(() => new Sub()).toThrow(TypeError);
    });

    it('refuses methods and getters called on a foreign receiver', () => {
      const proto = Device!.prototype as NativeDevice;
      expect(() => proto.execute.call({}, cdb6, 'none', undefined, 1000)).toThrow();
      expect(() => proto.close.call(Object.create(proto))).toThrow();
      for (const name of ['path', 'writable', 'exclusive', 'maxTransferBytes', 'closed', 'kind']) {
        const getter = Object.getOwnPropertyDescriptor(proto, name)?.get;
        expect(getter, name).toBeTypeOf('function');
        expect(() => getter!.call({})).toThrow();
        expect(() => getter!.call(7)).toThrow();
        expect(() => (proto as unknown as Record<string, unknown>)[name]).toThrow();
      }
    });
  });

  describe.skipIf(!testing.addon)('Device methods (test build over /dev/null)', () => {
    const open = (): Promise<NativeDevice> => testing.addon!.openUnchecked('/dev/null');

    it('reports its properties', async () => {
      const device = await open();
      expect(device.path).toBe('/dev/null');
      expect(device.kind).toBe('sg');
      expect(device.exclusive).toBe(false);
      expect(device.writable).toBeTypeOf('boolean');
      expect(device.maxTransferBytes).toBe(65536);
      expect(device.closed).toBe(false);
      device.close();
    });

    it('rejects a well-formed command with the ioctl errno, Node-style', async () => {
      const device = await open();
      const error = await device.execute(Uint8Array.of(0x12, 0, 0, 0, 36, 0), 'in', 36, 1000).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ code: 'ENOTTY', errno: -25, syscall: 'ioctl', path: '/dev/null' });
      expect((error as Error).message).toMatch(/^ENOTTY: .*, ioctl '\/dev\/null'/);
      await expect(device.execute(cdb6, 'none', undefined, 1)).rejects.toMatchObject({ code: 'ENOTTY' });
      await expect(device.execute(new Uint8Array(16), 'out', new Uint8Array(512), 2 ** 31 - 1)).rejects.toMatchObject({ code: 'ENOTTY' });
      await expect(device.execute(new Uint8Array(12), 'in', 0, 5)).rejects.toMatchObject({ code: 'ENOTTY' });
      // A Buffer is a Uint8Array; a view with an offset is read from its offset.
      await expect(device.execute(Buffer.alloc(20).subarray(4, 14), 'none', null as never, 5)).rejects.toMatchObject({ code: 'ENOTTY' });
      device.close();
    });

    it('throws TypeError or RangeError for every bad execute() argument', async () => {
      const device = await open();
      const execute = device.execute.bind(device) as (...args: unknown[]) => unknown;
      for (const value of garbage) {
        expectArgumentError(() => execute(value, 'none', undefined, 1000));
        if (typeof value !== 'string' || !['none', 'in', 'out'].includes(value)) {
          expectArgumentError(() => execute(cdb6, value, undefined, 1000));
        }
        if (value !== undefined && value !== null) expectArgumentError(() => execute(cdb6, 'none', value, 1000));
        if (!(value instanceof Uint8Array)) expectArgumentError(() => execute(cdb6, 'out', value, 1000));
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 16 * 1024 * 1024) {
          expectArgumentError(() => execute(cdb6, 'in', value, 1000));
        }
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) {
          expectArgumentError(() => execute(cdb6, 'none', undefined, value));
        }
      }
      expectArgumentError(() => execute());
      for (const length of [0, 1, 5, 17, 32, 4096]) expectArgumentError(() => execute(new Uint8Array(length), 'none', undefined, 1000));
      for (const direction of ['NONE', 'In', 'read', 'inout', ' in']) expectArgumentError(() => execute(cdb6, direction, undefined, 1000));
      for (const length of [-1, 0.5, 16 * 1024 * 1024 + 1, 2 ** 32, Number.MAX_VALUE]) expectArgumentError(() => execute(cdb6, 'in', length, 1000));
      for (const timeout of [0, -1, 0.5, 2 ** 31, 2 ** 32, -0.5]) expectArgumentError(() => execute(cdb6, 'none', undefined, timeout));
      expectArgumentError(() => execute(cdb6, 'out', new Uint8Array(16 * 1024 * 1024 + 1), 1000));
      expectArgumentError(() => execute(cdb6, 'none', 0, 1000));
      // A detached buffer reads as zero bytes long.
      const detached = new Uint8Array(10);
      structuredClone(detached.buffer, { transfer: [detached.buffer] });
      expectArgumentError(() => execute(detached, 'none', undefined, 1000));
      expect(device.closed).toBe(false);
      device.close();
    });

    it('closes twice without complaint and refuses use after close', async () => {
      const device = await open();
      device.close();
      device.close();
      expect(device.closed).toBe(true);
      expect(device.path).toBe('/dev/null');
      expect(() => device.execute(cdb6, 'none', undefined, 1000)).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_CLOSED' }));
      // A closed device is checked before the arguments.
      expect(() => (device.execute as (...args: unknown[]) => unknown)()).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_CLOSED' }));
      for (const name of ['writable', 'exclusive', 'maxTransferBytes', 'kind'] as const) {
        expect(() => device[name], name).toThrow(expect.objectContaining({ code: 'ERR_TRANSPORT_CLOSED' }));
      }
    });

    it('lets commands in flight finish on their own descriptor when closed under them', async () => {
      const device = await open();
      const pending = Array.from({ length: 50 }, () => device.execute(cdb6, 'in', 4096, 1000));
      device.close();
      const results = await Promise.allSettled(pending);
      // Each ran to its ioctl (ENOTTY from /dev/null), none hit a closed or reused descriptor.
      for (const result of results) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'ENOTTY', syscall: 'ioctl' });
      }
    });

    it('survives devices dropped without close() while commands run', async () => {
      for (let i = 0; i < 20; i += 1) {
        const device = await open();
        void device.execute(cdb6, 'none', undefined, 1000).catch(() => {});
      }
      (globalThis as { gc?: () => void }).gc?.();
      await settle();
      const device = await open();
      await expect(device.execute(cdb6, 'none', undefined, 1000)).rejects.toMatchObject({ code: 'ENOTTY' });
      device.close();
    });

    it('opens a directory read-only and rejects it as not a SCSI device', async () => {
      await expect(testing.addon!.openUnchecked('/tmp')).rejects.toMatchObject({ code: 'ENOTTY', syscall: 'fstat' });
      await expect(testing.addon!.openUnchecked('/tmp', { writable: true })).rejects.toMatchObject({ code: 'EISDIR', syscall: 'open' });
    });
  });

  describe('NativeTransport (fake binding)', () => {
    it('closes while a command is in flight: the command completes, the device closes after it', async () => {
      const gate = deferred<void>();
      const binding = fakeBinding((device) => {
        device.handler = async (call: FakeCall) => {
          await gate.promise;
          return completionFor(call);
        };
      });
      const transport = await openNativeTransport('/dev/sr0', { nativeBinding: binding });
      const device = binding.devices[0]!;
      const inFlight = transport.execute({ cdb: Uint8Array.of(0x12, 0, 0, 0, 36, 0), direction: 'in', dataLength: 36 });
      const queued = transport.execute({ cdb: cdb6, direction: 'none' });
      await settle();
      const closing = transport.close();
      const closingTwice = transport.close();
      await settle();
      expect(device.closeCount).toBe(0);
      expect(transport.closed).toBe(true);
      gate.resolve();
      await expect(inFlight).resolves.toMatchObject({ status: 0, residual: 0 });
      await expect(queued).rejects.toBeInstanceOf(TransportClosedError);
      await closing;
      await closingTwice;
      expect(device.closeCount).toBe(1);
      expect(device.calls).toHaveLength(1);
      await expect(transport.execute({ cdb: cdb6, direction: 'none' })).rejects.toBeInstanceOf(TransportClosedError);
    });

    it('rejects bad execute() arguments with TypeError or RangeError, never reaching the device', async () => {
      const binding = fakeBinding();
      const transport = await openNativeTransport('/dev/sr0', { nativeBinding: binding });
      const execute = transport.execute.bind(transport) as (...args: unknown[]) => Promise<unknown>;
      for (const value of garbage) {
        const rejection = await execute(value).catch((e: unknown) => e);
        expect(rejection instanceof TypeError || rejection instanceof RangeError, describeValue(value)).toBe(true);
        const badCdb = await execute({ cdb: value, direction: 'none' }).catch((e: unknown) => e);
        expect(badCdb instanceof TypeError || badCdb instanceof RangeError, describeValue(value)).toBe(true);
      }
      for (const options of [null, 0, 'x', true, Symbol('o'), 10n, () => {}, { signal: 'x' }, { signal: {} }, { signal: new EventTarget() }]) {
        const rejection = await execute({ cdb: cdb6, direction: 'none' }, options).catch((e: unknown) => e);
        expect(rejection, describeValue(options)).toBeInstanceOf(TypeError);
      }
      expect(binding.devices[0]!.calls).toHaveLength(0);
      await transport.close();
    });

    it('is a Transport class that owns its device', () => {
      expect(typeof NativeTransport).toBe('function');
    });
  });
});
