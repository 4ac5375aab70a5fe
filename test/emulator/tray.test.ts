import { describe, expect, test } from 'vitest';
import { Drive } from '../../lib/drive/drive.js';
import { IllegalRequestError } from '../../lib/errors.js';
import { createAudioCd, createDataCd, createEmulatedDrive } from '../../lib/emulator/index.js';
import { cdb, expectGood, expectSense, send } from './helpers.js';

describe('tray, lock and medium changes', () => {
  test('eject opens the tray (02/3A/02); load closes it, spins up, then UNIT ATTENTION once', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    const drive = Drive.fromTransport(emu);
    await drive.eject();
    expect(emu.trayOpen).toBe(true);
    expectSense(await send(emu, cdb(6, 0)), 2, 0x3a, 0x02);
    expect((await drive.mediaStatus()).media).toMatchObject({ eventName: 'MediaRemoval', doorOpen: true, mediaPresent: false });
    expect((await drive.mediaStatus()).media).toMatchObject({ eventName: 'NoChg' });
    await drive.load();
    expect(emu.trayOpen).toBe(false);
    expect((await drive.mediaStatus()).media).toMatchObject({ eventName: 'NewMedia', doorOpen: false, mediaPresent: true });
    expectSense(await send(emu, cdb(6, 0)), 2, 0x04, 0x01);
    expect(await drive.waitReady({ pollIntervalMs: 0 })).toEqual({ mediumChanged: true, polls: 9 });
    expectGood(await send(emu, cdb(6, 0)));
  });

  test('an empty tray closes to 02/3A/01', async () => {
    const emu = createEmulatedDrive({ faults: { noMedium: 'tray-open' } });
    await Drive.fromTransport(emu).load();
    expectSense(await send(emu, cdb(6, 0)), 2, 0x3a, 0x01);
  });

  test('a locked tray refuses to eject: 05/53/02; the button only raises an eject request', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    const drive = Drive.fromTransport(emu);
    await drive.lock(true);
    expect(emu.locked).toBe(true);
    const error = await drive.eject().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IllegalRequestError);
    expect(error).toMatchObject({ asc: 0x53, ascq: 0x02 });
    emu.pressEjectButton();
    expect(emu.trayOpen).toBe(false);
    expect((await drive.mediaStatus()).media).toMatchObject({ eventName: 'EjectRequest', mediaPresent: true });
    await drive.lock(false);
    await drive.eject();
    expect(emu.trayOpen).toBe(true);
  });

  test('insertDisc / removeDisc: a person changes the disc', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    const drive = Drive.fromTransport(emu);
    emu.removeDisc();
    expectSense(await send(emu, cdb(6, 0)), 2, 0x3a, 0x02);
    emu.insertDisc(createAudioCd([300, 400]));
    expect(await drive.waitReady({ pollIntervalMs: 0 })).toMatchObject({ mediumChanged: true });
    expect((await drive.toc()).lastTrack).toBe(2);
    expect(() => emu.insertDisc({} as never)).toThrow(TypeError);
  });

  test('START STOP: stop, then the next medium access spins up again (2 s)', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    expectGood(await send(emu, [0x1b, 0, 0, 0, 0x00, 0]));
    const result = await send(emu, cdb(6, 0));
    expectGood(result);
    expect(result.durationMs).toBe(2000);
    // START with IMMED: returns at once, the spin-up continues: 02/04/01 meanwhile, no UNIT ATTENTION.
    expectGood(await send(emu, [0x1b, 0, 0, 0, 0x00, 0]));
    expectGood(await send(emu, [0x1b, 1, 0, 0, 0x01, 0]));
    expectSense(await send(emu, cdb(6, 0)), 2, 0x04, 0x01);
    expect(await Drive.fromTransport(emu).waitReady({ pollIntervalMs: 0 })).toMatchObject({ mediumChanged: false });
    // START without IMMED takes the 2 s itself.
    expectGood(await send(emu, [0x1b, 0, 0, 0, 0x00, 0]));
    expect((await send(emu, [0x1b, 0, 0, 0, 0x01, 0])).durationMs).toBe(2000);
    // Power conditions are accepted and ignored.
    expectGood(await send(emu, [0x1b, 0, 0, 0, 0x30, 0]));
  });

  test('GET EVENT STATUS NOTIFICATION needs Polled; other classes get NEA', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    expectSense(await send(emu, [0x4a, 0, 0, 0, 0x10, 0, 0, 0, 8, 0], 8), 5, 0x24, 0);
    expect(Array.from((await send(emu, [0x4a, 1, 0, 0, 0x02, 0, 0, 0, 8, 0], 8)).data)).toEqual([0, 2, 0x80, 0x10]);
  });
});
