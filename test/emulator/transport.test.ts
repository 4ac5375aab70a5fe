import diagnosticsChannel from 'node:diagnostics_channel';
import { describe, expect, test } from 'vitest';
import { TransportClosedError } from '../../lib/errors.js';
import { readBe16, readBe32 } from '../../lib/scsi/bytes.js';
import { COMMAND_CHANNEL, type CommandEvent } from '../../lib/transport/native-transport.js';
import { createDataCd, createEmulatedDrive } from '../../lib/emulator/index.js';
import * as scsi from '../../lib/scsi/index.js';
import { be, cdb, expectGood, expectSense, send } from './helpers.js';

describe('EmulatedDrive as a Transport', () => {
  test('unknown opcode: CHECK CONDITION with 18-byte fixed sense 70/05/20/00, nothing transferred', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(100) });
    const result = await send(emu, cdb(10, 0xd8), 2352);
    expect(result.status).toBe(2);
    expect(result.driverStatus).toBe(8);
    expect(result.hostStatus).toBe(0);
    expect(result.data.length).toBe(0);
    expect(result.residual).toBe(2352);
    expect(Array.from(result.sense)).toEqual([0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x20, 0x00, 0, 0, 0, 0]);
  });

  test('invalid field in CDB carries a sense-key specific field pointer to the byte', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(100) });
    // READ TOC format 3 (PMA) on a pressed disc.
    const result = await send(emu, be(cdb(10, 0x43, 0, 3), 7, 2, 100), 100);
    expectSense(result, 5, 0x24, 0x00);
    expect(Array.from(result.sense.subarray(15, 18))).toEqual([0xc0, 0x00, 0x02]);
    expect(scsi.decodeSense(result.sense)?.senseKeySpecific).toBe(0x400002);
  });

  test('allocation length: copies min(allocation, response), residual is the rest, length field stays full', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(100) });
    // INQUIRY with allocation 36 in the CDB and a 96-byte buffer: 36 bytes arrive, residual 60.
    const small = await send(emu, [0x12, 0, 0, 0, 36, 0], 96);
    expectGood(small);
    expect(small.data.length).toBe(36);
    expect(small.residual).toBe(60);
    expect(small.data[4]).toBe(91);
    // READ TOC with allocation 4: header only, but the data length says the whole TOC (2 descriptors).
    const toc = await send(emu, be(cdb(10, 0x43, 0, 0), 7, 2, 4), 4);
    expectGood(toc);
    expect(Array.from(toc.data)).toEqual([0x00, 0x12, 1, 1]);
    expect(toc.residual).toBe(0);
    // Buffer larger than the response: residual = buffer − response.
    const full = await send(emu, be(cdb(10, 0x43, 0, 0), 7, 2, 1000), 1000);
    expect(full.data.length).toBe(20);
    expect(full.residual).toBe(980);
    // A buffer smaller than the CDB allocation truncates to the buffer.
    const tiny = await send(emu, be(cdb(10, 0x43, 0, 0), 7, 2, 1000), 6);
    expect(tiny.data.length).toBe(6);
    expect(tiny.residual).toBe(0);
  });

  test('GET CONFIGURATION allocation 8: the header with the full data length and the current profile', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(100) });
    const result = await send(emu, be(cdb(10, 0x46, 0), 7, 2, 8), 8);
    expectGood(result);
    const full = await send(emu, be(cdb(10, 0x46, 0), 7, 2, 4096), 4096);
    expect(readBe32(result.data, 0)).toBe(full.data.length - 4);
    expect(readBe16(result.data, 6)).toBe(0x0008);
  });

  test('argument checks mirror the native transport', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10), maxTransferBytes: 4096 });
    await expect(emu.execute({ cdb: new Uint8Array(3), direction: 'none' })).rejects.toThrow(RangeError);
    await expect(emu.execute({ cdb: new Uint8Array(10), direction: 'in', dataLength: 8192 })).rejects.toThrow(/maxTransferBytes/);
    await expect(emu.execute({ cdb: [0] as unknown as Uint8Array, direction: 'none' })).rejects.toThrow(TypeError);
    await expect(emu.execute({ cdb: new Uint8Array(6), direction: 'sideways' as 'in' })).rejects.toThrow(TypeError);
    expect(emu.maxTransferBytes).toBe(4096);
  });

  test('close(): idempotent; later commands reject with TransportClosedError', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    await emu.close();
    await emu.close();
    expect(emu.closed).toBe(true);
    await expect(send(emu, cdb(6, 0))).rejects.toBeInstanceOf(TransportClosedError);
  });

  test('an aborted signal rejects a command still waiting its turn', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    const controller = new AbortController();
    const first = emu.execute({ cdb: new Uint8Array(6), direction: 'none' });
    const second = emu.execute({ cdb: new Uint8Array(6), direction: 'none' }, { signal: controller.signal });
    controller.abort();
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    expectGood(await first);
    expect(emu.stats.commands).toBe(1);
  });

  test('publishes a CommandEvent per command on the diagnostics channel', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10), path: 'emulated:events' });
    const events: CommandEvent[] = [];
    const listener = (message: unknown): void => {
      events.push(message as CommandEvent);
    };
    diagnosticsChannel.subscribe(COMMAND_CHANNEL, listener);
    try {
      await send(emu, cdb(6, 0));
      await send(emu, cdb(10, 0xff), 0);
    } finally {
      diagnosticsChannel.unsubscribe(COMMAND_CHANNEL, listener);
    }
    expect(events.map((e) => [e.path, e.cdb[0], e.status, e.senseKey])).toEqual([
      ['emulated:events', 0x00, 0, undefined],
      ['emulated:events', 0xff, 2, 5],
    ]);
    expect(events[0]?.durationMs).toBe(1);
  });

  test('REQUEST SENSE returns NO SENSE when all is well, the pending condition otherwise', async () => {
    const ready = createEmulatedDrive({ disc: createDataCd(10) });
    const good = await send(ready, [0x03, 0, 0, 0, 252, 0], 252);
    expectGood(good);
    expect(good.data.length).toBe(18);
    expect(Array.from(good.data.subarray(0, 3))).toEqual([0x70, 0, 0]);
    const empty = createEmulatedDrive({ faults: { noMedium: 'tray-open' } });
    const sense = await send(empty, [0x03, 0, 0, 0, 252, 0], 252);
    expectGood(sense);
    expect(scsi.decodeSense(sense.data)).toMatchObject({ senseKey: 2, asc: 0x3a, ascq: 0x02 });
    // Allocation 8 in the CDB: 8 bytes.
    expect((await send(empty, [0x03, 0, 0, 0, 8, 0], 252)).data.length).toBe(8);
  });

  test('INQUIRY: standard data from the profile; EVPD pages 00h and 80h; other pages 05/24/00', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10), profile: 'good' });
    const data = (await send(emu, [0x12, 0, 0, 0, 96, 0], 96)).data;
    expect(Array.from(data.subarray(0, 5))).toEqual([0x05, 0x80, 0x05, 0x02, 91]);
    expect(scsi.parseInquiry(data)).toMatchObject({ vendor: 'EMULATED', product: 'ACCURATE READER', revision: '1.00', deviceType: 5, removable: true });
    expect(Array.from((await send(emu, [0x12, 1, 0, 0, 96, 0], 96)).data)).toEqual([0x05, 0, 0, 2, 0x00, 0x80]);
    const serial = (await send(emu, [0x12, 1, 0x80, 0, 96, 0], 96)).data;
    expect(Buffer.from(serial.subarray(4)).toString('ascii')).toBe('EMU0000001');
    expectSense(await send(emu, [0x12, 1, 0x83, 0, 96, 0], 96), 5, 0x24, 0);
    expectSense(await send(emu, [0x12, 0, 0x80, 0, 96, 0], 96), 5, 0x24, 0);
  });
});
