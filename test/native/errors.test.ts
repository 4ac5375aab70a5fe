/**
 * Open failures through the real addon: the raw Node-style system error, then the TransportError
 * subclass openNativeTransport maps it to.
 */

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeviceNotFoundError, NotScsiDeviceError, PermissionError, TransportError } from '../../lib/errors.js';
import { loadNativeBinding, type NativeBinding } from '../../lib/transport/native-binding.js';
import { openNativeTransport } from '../../lib/transport/native-transport.js';
import { repoRoot } from './testing-addon.js';

const onLinux = process.platform === 'linux';

async function rawError(binding: NativeBinding, path: string, options?: Parameters<NativeBinding['open']>[1]): Promise<Error & Record<string, unknown>> {
  const error: unknown = await binding.open(path, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `open('${path}') should fail`).toBeInstanceOf(Error);
  return error as Error & Record<string, unknown>;
}

async function transportError(path: string, options?: Parameters<typeof openNativeTransport>[1]): Promise<TransportError> {
  const error: unknown = await openNativeTransport(path, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `openNativeTransport('${path}') should fail`).toBeInstanceOf(TransportError);
  return error as TransportError;
}

describe.skipIf(!onLinux)('open errors', () => {
  const binding = onLinux ? loadNativeBinding() : (undefined as never);
  const scratch = mkdtempSync(join(tmpdir(), 'discrescue-errors-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('a missing node is ENOENT from open(), then DeviceNotFoundError', async () => {
    const raw = await rawError(binding, '/dev/sr99');
    expect(raw).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'open', path: '/dev/sr99' });
    expect(raw.message).toBe("ENOENT: no such file or directory, open '/dev/sr99'");

    const error = await transportError('/dev/sr99');
    expect(error).toBeInstanceOf(DeviceNotFoundError);
    expect(error).toMatchObject({ code: 'ERR_DEVICE_NOT_FOUND', errnoCode: 'ENOENT', errno: -2, syscall: 'open', path: '/dev/sr99' });
    expect(error.message).toContain('/dev/sr99');
    expect(error.cause).toMatchObject({ code: 'ENOENT', syscall: 'open' });
  });

  it('/dev/null is ENOTTY from the SG_GET_VERSION_NUM ioctl, then NotScsiDeviceError', async () => {
    const raw = await rawError(binding, '/dev/null');
    expect(raw).toMatchObject({ code: 'ENOTTY', errno: -25, syscall: 'ioctl', path: '/dev/null' });
    expect(raw.message).toMatch(/^ENOTTY: not a SCSI device/);

    const error = await transportError('/dev/null');
    expect(error).toBeInstanceOf(NotScsiDeviceError);
    expect(error).toMatchObject({ code: 'ERR_NOT_SCSI_DEVICE', errnoCode: 'ENOTTY', syscall: 'ioctl', path: '/dev/null' });
    for (const options of [{ writable: false }, { writable: true }, { exclusive: true }, { exclusive: true, writable: false }] as const) {
      expect(await transportError('/dev/null', options)).toBeInstanceOf(NotScsiDeviceError);
    }
  });

  it('a regular file is refused after fstat, then NotScsiDeviceError', async () => {
    const file = join(scratch, 'image.iso');
    writeFileSync(file, Buffer.alloc(2048));
    const raw = await rawError(binding, file);
    expect(raw).toMatchObject({ code: 'ENOTTY', errno: -25, syscall: 'fstat', path: file });
    expect(raw.message).toContain('not a SCSI device (a regular file)');
    expect(await transportError(file)).toBeInstanceOf(NotScsiDeviceError);
    expect(await transportError(file, { writable: false })).toBeInstanceOf(NotScsiDeviceError);
  });

  it('a directory is refused, read-only (fstat) or read-write (EISDIR), as NotScsiDeviceError', async () => {
    const raw = await rawError(binding, scratch);
    expect(raw).toMatchObject({ code: 'ENOTTY', syscall: 'fstat', path: scratch });
    expect(raw.message).toContain('a directory');
    expect(await rawError(binding, scratch, { writable: true })).toMatchObject({ code: 'EISDIR', errno: -21, syscall: 'open' });
    expect(await transportError(scratch)).toBeInstanceOf(NotScsiDeviceError);
    expect(await transportError(scratch, { writable: true })).toBeInstanceOf(NotScsiDeviceError);
  });

  it('a path through a regular file is ENOTDIR, a plain TransportError', async () => {
    const file = join(scratch, 'plain');
    writeFileSync(file, '');
    const raw = await rawError(binding, join(file, 'sr0'));
    expect(raw).toMatchObject({ code: 'ENOTDIR', errno: -20, syscall: 'open' });
    const error = await transportError(join(file, 'sr0'));
    expect(error.constructor).toBe(TransportError);
    expect(error).toMatchObject({ code: 'ERR_TRANSPORT', errnoCode: 'ENOTDIR' });
  });

  it.skipIf(!existsSync('/dev/loop0'))('a block device without SG_IO (loop) is NotScsiDeviceError', async () => {
    const error = await transportError('/dev/loop0', { writable: false });
    expect(error).toBeInstanceOf(NotScsiDeviceError);
  });

  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  it('an unreadable node is EACCES with the cdrom-group hint', async () => {
    const file = join(scratch, 'locked');
    writeFileSync(file, '');
    chmodSync(file, 0o000);
    if (!root) {
      const raw = await rawError(binding, file);
      expect(raw).toMatchObject({ code: 'EACCES', errno: -13, syscall: 'open' });
      expect(raw.message).toContain('cdrom');
      expect(await transportError(file)).toBeInstanceOf(PermissionError);
      return;
    }
    // root ignores file modes: ask an unprivileged child, with a copy of the addon it can read.
    const addonPath = (createRequire(import.meta.url)('node-gyp-build') as { resolve: (dir: string) => string }).resolve(repoRoot);
    const readable = mkdtempSync(join(tmpdir(), 'discrescue-addon-'));
    try {
      const copy = join(readable, 'discrescue.node');
      writeFileSync(copy, readFileSync(addonPath));
      chmodSync(readable, 0o755);
      chmodSync(copy, 0o755);
      chmodSync(scratch, 0o755);
      const script = `require(${JSON.stringify(copy)}).open(${JSON.stringify(file)}).then(
        () => console.log('{}'),
        (e) => console.log(JSON.stringify({ code: e.code, errno: e.errno, syscall: e.syscall, message: e.message })))`;
      const child = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: '/' });
      expect(child.status, child.stderr).toBe(0);
      const raw = JSON.parse(child.stdout) as Record<string, unknown>;
      expect(raw).toMatchObject({ code: 'EACCES', errno: -13, syscall: 'open' });
      expect(raw.message).toContain("EACCES: permission denied, open '");
      expect(raw.message).toContain('add your user to the "cdrom" group');
    } finally {
      rmSync(readable, { recursive: true, force: true });
    }
  });
});
