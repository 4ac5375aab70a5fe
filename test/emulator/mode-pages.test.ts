import { describe, expect, test } from 'vitest';
import { Drive } from '../../lib/drive/drive.js';
import { PermissionError } from '../../lib/errors.js';
import { createDataCd, createEmulatedDrive } from '../../lib/emulator/index.js';
import * as scsi from '../../lib/scsi/index.js';
import { be, cdb, expectGood, expectSense, send } from './helpers.js';

function modeSense(pageControl: number, pageCode: number, allocation = 256): number[] {
  return be(cdb(10, 0x5a, 0x08, (pageControl << 6) | pageCode), 7, 2, allocation);
}

function modeSelect(list: number[], b1 = 0x10): { cdb: number[]; data: Uint8Array } {
  return { cdb: be(cdb(10, 0x55, b1), 7, 2, list.length), data: Uint8Array.from(list) };
}

const HEADER = [0, 0, 0, 0, 0, 0, 0, 0];

describe('MODE SENSE(10) / MODE SELECT(10)', () => {
  test('page 01h: current, changeable and default values', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    const current = await send(emu, modeSense(0, 0x01), 256);
    expect(Array.from(current.data)).toEqual([0, 18, 0, 0, 0, 0, 0, 0, 0x01, 0x0a, 0x00, 17, 0, 0, 0, 0, 0, 0, 0, 0]);
    const changeable = await send(emu, modeSense(1, 0x01), 256);
    expect(Array.from(changeable.data.subarray(8))).toEqual([0x01, 0x0a, 0xff, 0xff, 0, 0, 0, 0, 0xff, 0, 0xff, 0xff]);
    const defaults = await send(emu, modeSense(2, 0x01), 256);
    expect(defaults.data[11]).toBe(17);
    expectSense(await send(emu, modeSense(3, 0x01), 256), 5, 0x39, 0x00);
    expectSense(await send(emu, modeSense(0, 0x0e), 256), 5, 0x24, 0x00);
  });

  test('page 3Fh returns 01h then 2Ah; the allocation length truncates, the length field does not', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    const all = scsi.parseModeSense10((await send(emu, modeSense(0, 0x3f), 256)).data);
    expect(all.pages.map((p) => [p.pageCode, p.bytes.length])).toEqual([
      [0x01, 12],
      [0x2a, 32],
    ]);
    expect(all.modeDataLength).toBe(50);
    const short = await send(emu, modeSense(0, 0x3f, 24), 256);
    expect(short.data.length).toBe(24);
    expect(scsi.parseModeSense10(short.data)).toMatchObject({ modeDataLength: 50, truncated: true });
    expect(scsi.parseModeSense10(short.data).pages.map((p) => p.pageCode)).toEqual([0x01]);
    const changeable = scsi.parseModeSense10((await send(emu, modeSense(1, 0x2a), 256)).data);
    expect(Array.from(changeable.pages[0]!.bytes.subarray(2)).every((b) => b === 0)).toBe(true);
  });

  test('page 2Ah reflects the lock and the current speed', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    const drive = Drive.fromTransport(emu);
    await drive.lock(true);
    await drive.setReadSpeed('max');
    const page = scsi.parseCapabilitiesPage(await drive.modeSensePage(0x2a));
    expect(page).toMatchObject({ lock: true, lockState: true, eject: true, loadingMechanismType: 1, currentReadSpeedKBps: 8467, c2PointersSupported: true, cddaStreamIsAccurate: true, isrc: true, upc: true });
    const defaults = scsi.parseCapabilitiesPage(await drive.modeSensePage(0x2a, { pageControl: 2 }));
    expect(defaults).toMatchObject({ lockState: false, currentReadSpeedKBps: 4234 });
  });

  test('MODE SELECT: changes the read retry count; PF=0 or SP=1 is an invalid CDB field', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    const page = [0x01, 0x0a, 0x00, 3, 0, 0, 0, 0, 0, 0, 0, 0];
    const ok = modeSelect([...HEADER, ...page]);
    expectGood(await send(emu, ok.cdb, 0, ok.data));
    expect(emu.readRetryCount).toBe(3);
    const noPf = modeSelect([...HEADER, ...page], 0x00);
    expectSense(await send(emu, noPf.cdb, 0, noPf.data), 5, 0x24, 0);
    const save = modeSelect([...HEADER, ...page], 0x11);
    expectSense(await send(emu, save.cdb, 0, save.data), 5, 0x24, 0);
    // The old 8-byte page form is accepted too.
    const old = modeSelect([...HEADER, 0x01, 0x06, 0x00, 9, 0, 0, 0, 0]);
    expectGood(await send(emu, old.cdb, 0, old.data));
    expect(emu.readRetryCount).toBe(9);
  });

  test('MODE SELECT rejects bad parameter lists with 05/26/00 (pointing at the byte) and changes nothing', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    const bad = async (list: number[], pointer: number): Promise<void> => {
      const command = modeSelect(list);
      const result = await send(emu, command.cdb, 0, command.data);
      expectSense(result, 5, 0x26, 0x00);
      expect(scsi.decodeSense(result.sense)?.senseKeySpecific).toBe(pointer);
      expect(emu.readRetryCount).toBe(17);
    };
    // Page 2Ah is read-only; an unknown page; a non-changeable byte; a wrong page length; PS set; block descriptors.
    await bad([...HEADER, 0x2a, 0x02, 0, 0], 8);
    await bad([...HEADER, 0x0e, 0x02, 0, 0], 8);
    await bad([...HEADER, 0x01, 0x0a, 0x00, 3, 0x10, 0, 0, 0, 0, 0, 0, 0], 12);
    await bad([...HEADER, 0x01, 0x08, 0x00, 3, 0, 0, 0, 0, 0, 0], 9);
    await bad([...HEADER, 0x81, 0x0a, 0x00, 3, 0, 0, 0, 0, 0, 0, 0, 0], 8);
    await bad([0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x0a, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0], 6);
    // Valid first page, bad second page: nothing applied.
    await bad([...HEADER, 0x01, 0x0a, 0x00, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0x2a, 0x02, 0, 0], 20);
    // A list cut short: 05/1A/00.
    const cut = modeSelect([...HEADER, 0x01, 0x0a, 0x00, 3]);
    expectSense(await send(emu, cut.cdb, 0, cut.data), 5, 0x1a, 0x00);
    const longer = { cdb: be(cdb(10, 0x55, 0x10), 7, 2, 40), data: new Uint8Array(20) };
    expectSense(await send(emu, longer.cdb, 0, longer.data), 5, 0x1a, 0x00);
  });

  test('the kernel command filter: read-only descriptors cannot send MODE SELECT, SET CD SPEED, PREVENT ALLOW', async () => {
    const readOnly = createEmulatedDrive({ disc: createDataCd(10), access: 'read-only' });
    const drive = Drive.fromTransport(readOnly);
    const page = await drive.modeSensePage(0x01);
    const error = await drive.modeSelectPage(scsi.withReadRetryCount(page, 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    expect(error).toMatchObject({ errnoCode: 'EPERM', syscall: 'ioctl' });
    await expect(drive.setReadSpeed(1764)).rejects.toBeInstanceOf(PermissionError);
    await expect(drive.lock(true)).rejects.toBeInstanceOf(PermissionError);
    expect((await drive.readSectors(0, 1)).length).toBe(2048);
    await drive.eject(); // START STOP UNIT is read-safe
    const readWrite = createEmulatedDrive({ disc: createDataCd(10), access: 'read-write' });
    expectGood(await send(readWrite, [0x1e, 0, 0, 0, 1, 0]));
    await expect(send(readWrite, cdb(12, 0xd8), 2352)).rejects.toBeInstanceOf(PermissionError);
    const rawio = createEmulatedDrive({ disc: createDataCd(10) });
    expectSense(await send(rawio, cdb(12, 0xd8), 2352), 5, 0x20, 0);
  });
});
