import { describe, expect, test } from 'vitest';
import { Drive } from '../../lib/drive/drive.js';
import { IllegalRequestError } from '../../lib/errors.js';
import {
  createAudioCd,
  createCdExtra,
  createDataCd,
  createDvd,
  createEmulatedDrive,
  createSyntheticDisc,
  syntheticUserData,
} from '../../lib/emulator/index.js';
import * as scsi from '../../lib/scsi/index.js';
import { be, cdb, expectGood, expectSense, send } from './helpers.js';

function expectedUserData(lba: number, count: number): Uint8Array {
  const out = new Uint8Array(count * 2048);
  for (let i = 0; i < count; i++) out.set(syntheticUserData(lba + i), i * 2048);
  return out;
}

describe('READ(10) / READ(12)', () => {
  test('Drive.readSectors returns the Mode 1 user data, split by maxTransferBytes', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(300), maxTransferBytes: 16 * 2048 });
    const drive = Drive.fromTransport(emu);
    expect(await drive.readSectors(100, 50)).toEqual(expectedUserData(100, 50));
    expect(emu.stats.commands).toBe(4);
    expect(emu.stats.sectorsRead).toBe(50);
  });

  test('READ(12) with a 32-bit transfer length', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(300) });
    const result = await send(emu, be(be(cdb(12, 0xa8), 2, 4, 7), 6, 4, 3), 3 * 2048);
    expectGood(result);
    expect(result.data).toEqual(expectedUserData(7, 3));
  });

  test('a transfer length of 0 is GOOD with no data', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(300) });
    const result = await send(emu, be(cdb(10, 0x28), 2, 4, 7), 2048);
    expectGood(result);
    expect(result.data.length).toBe(0);
    expect(result.residual).toBe(2048);
  });

  test('an audio track is refused: 05/64/00 (illegal mode for this track)', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createAudioCd([100]) }));
    const error = await drive.readSectors(10, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IllegalRequestError);
    expect(error).toMatchObject({ senseKey: 5, asc: 0x64, ascq: 0x00, lba: 10 });
    expect(String((error as Error).message)).toBe('READ(10) (0x28) at LBA 10: ILLEGAL REQUEST, illegal mode for this track (05/64/00)');
  });

  test('Mode 2 Form 2 and formless sectors are refused; Form 1 reads (CD-ROM XA)', async () => {
    const disc = createSyntheticDisc({
      tracks: [
        { mode: 'mode2-xa', sectors: 20, form2: (lba) => lba >= 10 },
        { mode: 'mode2-formless', sectors: 10 },
      ],
    });
    const emu = createEmulatedDrive({ disc });
    expect((await send(emu, be(be(cdb(10, 0x28), 2, 4, 0), 7, 2, 10), 20480)).data).toEqual(expectedUserData(0, 10));
    expectSense(await send(emu, be(be(cdb(10, 0x28), 2, 4, 9), 7, 2, 2), 4096), 5, 0x64, 0);
    expectSense(await send(emu, be(be(cdb(10, 0x28), 2, 4, 25), 7, 2, 1), 2048), 5, 0x64, 0);
  });

  test('beyond the last readable sector: 05/21/00, also when the transfer crosses it', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(300) });
    expectSense(await send(emu, be(be(cdb(10, 0x28), 2, 4, 300), 7, 2, 1), 2048), 5, 0x21, 0);
    expectSense(await send(emu, be(be(cdb(10, 0x28), 2, 4, 299), 7, 2, 2), 4096), 5, 0x21, 0);
    expectSense(await send(emu, be(be(cdb(10, 0x28), 2, 4, 0xffffff00), 7, 2, 1), 2048), 5, 0x21, 0);
    expectGood(await send(emu, be(be(cdb(10, 0x28), 2, 4, 299), 7, 2, 1), 2048));
  });

  test('CD-Extra: the data session reads, the gap between sessions is 05/21/00', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createCdExtra([1000], 300) }));
    expect(await drive.readSectors(12_400, 4)).toEqual(expectedUserData(12_400, 4));
    await expect(drive.readSectors(5000, 1)).rejects.toMatchObject({ asc: 0x21 });
  });

  test('DVD and BD blocks are the 2048 user bytes', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createDvd(5000), profile: 'dvd-bd' }));
    expect(await drive.readSectors(4990, 10)).toEqual(expectedUserData(4990, 10));
    await expect(drive.readSectors(4999, 2)).rejects.toMatchObject({ asc: 0x21 });
    await expect(drive.readCd(0, 1)).rejects.toMatchObject({ senseKey: 5, asc: 0x30, ascq: 0x02 });
  });

  test('a drive refusing READ CD (like QEMU scsi-cd) answers 05/20/00, readSectors still works', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(100), profile: 'qemu-scsi-cd' });
    const drive = Drive.fromTransport(emu);
    await expect(drive.readCd(0, 1)).rejects.toMatchObject({ code: 'ERR_SCSI_ILLEGAL_REQUEST', asc: 0x20, ascq: 0x00 });
    expectSense(await send(emu, scsi.buildReadCdMsf({ start: { minute: 0, second: 2, frame: 0 }, end: { minute: 0, second: 2, frame: 1 } }).cdb, 2352), 5, 0x20, 0);
    expect(await drive.readSectors(0, 5)).toEqual(expectedUserData(0, 5));
    expect((await drive.inquiry()).product).toBe('QEMU CD-ROM');
  });

  test('RelAdr (obsolete) is an invalid field', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    expectSense(await send(emu, be(be(cdb(10, 0x28, 0x01), 2, 4, 0), 7, 2, 1), 2048), 5, 0x24, 0);
  });
});
