import { describe, expect, test } from 'vitest';
import { Drive } from '../../lib/drive/drive.js';
import {
  TICKS_PER_SECOND,
  VirtualClock,
  createDataCd,
  createDvd,
  createEmulatedDrive,
  failureTicks,
  readTicks,
  seekTicks,
} from '../../lib/emulator/index.js';
import * as scsi from '../../lib/scsi/index.js';
import { be, cdb, expectGood, expectSense, send } from './helpers.js';

function read10(lba: number, count: number): number[] {
  return be(be(cdb(10, 0x28), 2, 4, lba), 7, 2, count);
}

describe('the cost model (docs/emulator.md; exact numbers)', () => {
  test('the formulas: 1/1800 s per sector at 24×, seek 0.080 s + 0.120 s × d / 360000, failure 0.3 s + 0.1 s × retries', () => {
    expect(TICKS_PER_SECOND).toBe(9_000_000);
    expect(readTicks(1800, 24)).toBe(TICKS_PER_SECOND);
    expect(readTicks(1800, 48)).toBe(TICKS_PER_SECOND / 2);
    expect(seekTicks(0)).toBe(0.08 * TICKS_PER_SECOND);
    expect(seekTicks(360_000)).toBe(0.2 * TICKS_PER_SECOND);
    expect(seekTicks(-360_000)).toBe(0.2 * TICKS_PER_SECOND);
    expect(failureTicks(17)).toBe(2 * TICKS_PER_SECOND);
    expect(failureTicks(1)).toBe(0.4 * TICKS_PER_SECOND);
  });

  test('1800 sequential sectors at the default speed: 1.0 s + one initial seek', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(4000) });
    await Drive.fromTransport(emu).readSectors(0, 1800);
    expect(emu.stats).toEqual({ commands: 57, sectorsRead: 1800, failedReads: 0, simulatedSeconds: 1.08 });
    expect(emu.clock.ticks).toBe(9_720_000);
  });

  test('a read that does not continue the previous one seeks; CommandResult.durationMs is the simulated time', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(400_000) });
    expect((await send(emu, read10(0, 18), 18 * 2048)).durationMs).toBe(90); // 80 ms seek + 10 ms
    expect((await send(emu, read10(18, 18), 18 * 2048)).durationMs).toBe(10);
    expect((await send(emu, read10(360_036, 18), 18 * 2048)).durationMs).toBe(210); // 200 ms seek
    expect((await send(emu, read10(360_040, 1), 2048)).durationMs).toBe(1); // from the cache
    // The distant read flushed the cache: sector 36 comes from the medium again, after a seek
    // from 360 054 (a cache hit does not move the head).
    expect((await send(emu, read10(36, 1), 2048)).durationMs * 9000).toBe(720_000 + 360_018 * 3 + 5000);
    expect((await send(emu, cdb(6, 0))).durationMs).toBe(1);
  });

  test('a failed read costs the sectors before the bad one + 0.3 s + 0.1 s × retries (17 → 2.0 s); MODE SELECT lowers it', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(1000), faults: { badSectors: [35] } });
    expectGood(await send(emu, read10(0, 30), 30 * 2048)); // head at 30
    const failed = await send(emu, read10(30, 10), 10 * 2048);
    expectSense(failed, 3, 0x11, 0, 35);
    expect(failed.durationMs * 9000).toBe(5 * 5000 + 18_000_000);
    expect(emu.clock.ticks).toBe(720_000 + 30 * 5000 + 5 * 5000 + 18_000_000);

    const drive = Drive.fromTransport(emu);
    const page = await drive.modeSensePage(scsi.ModePage.READ_WRITE_ERROR_RECOVERY);
    expect(scsi.parseErrorRecoveryPage(page).readRetryCount).toBe(17);
    await drive.modeSelectPage(scsi.withReadRetryCount(page, 1));
    expect(emu.readRetryCount).toBe(1);
    expectGood(await send(emu, read10(34, 1), 2048)); // reposition: head at 35
    const start = emu.clock.ticks;
    expectSense(await send(emu, read10(35, 1), 2048), 3, 0x11, 0, 35);
    expect(emu.clock.ticks - start).toBe(0.4 * TICKS_PER_SECOND);
    expect(emu.stats.failedReads).toBe(2);
  });

  test('SET CD SPEED scales the transfer time relative to 24×; the profile caps it', async () => {
    const time = async (profile: 'good' | 'cheap', kbps: number | 'max'): Promise<number> => {
      const emu = createEmulatedDrive({ disc: createDataCd(4000), profile });
      const drive = Drive.fromTransport(emu);
      await drive.setReadSpeed(kbps);
      const before = emu.clock.ticks;
      await drive.readSectors(0, 1800);
      return (emu.clock.ticks - before) / TICKS_PER_SECOND;
    };
    expect(await time('good', 8467)).toBe(0.08 + 0.5);
    expect(await time('good', 'max')).toBe(0.08 + 0.5);
    expect(await time('good', 2117)).toBe(0.08 + 2);
    expect(await time('good', 4234)).toBe(0.08 + 1);
    expect(await time('cheap', 8467)).toBe(0.08 + 1);
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    await Drive.fromTransport(emu).setReadSpeed(1764);
    expect(emu.speedFactor).toBe(10);
    const page = scsi.parseCapabilitiesPage(await Drive.fromTransport(emu).modeSensePage(0x2a));
    expect(page.currentReadSpeedKBps).toBe(1764);
  });

  test('SET STREAMING sets the speed on DVD media (read size / read time), RDD restores the default', async () => {
    const emu = createEmulatedDrive({ disc: createDvd(10_000), profile: 'dvd-bd' });
    const drive = Drive.fromTransport(emu);
    await drive.setReadSpeed(2117);
    expect(emu.speedFactor).toBe(12);
    const restore = scsi.buildSetStreaming({ endLba: 9999, readSizeKB: 0, restoreDefaults: true });
    await drive.execute(restore);
    expect(emu.speedFactor).toBe(24);
    const bad = scsi.buildSetStreaming({ endLba: 9999, readSizeKB: 1000 });
    bad.data![16] = 0;
    bad.data![17] = 0;
    bad.data![18] = 0;
    bad.data![19] = 0;
    expectSense(await emu.execute(bad), 5, 0x26, 0);
  });

  test('spin-up after load: 2 s, refused commands answer 02/04/01 at 250 ms each, then 06/28/00 once', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10) });
    const drive = Drive.fromTransport(emu);
    await drive.eject();
    await drive.load();
    const start = emu.clock.ticks;
    const answers: string[] = [];
    for (let i = 0; i < 11; i++) {
      const result = await send(emu, cdb(6, 0));
      const sense = scsi.decodeSense(result.sense);
      answers.push(sense ? `${sense.senseKey}/${sense.asc.toString(16)}/${sense.ascq}` : 'GOOD');
    }
    expect(answers).toEqual([...new Array(8).fill('2/4/1'), '6/28/0', 'GOOD', 'GOOD']);
    expect(emu.clock.ticks - start).toBe(2 * TICKS_PER_SECOND + 3 * 9000);
  });

  test('realTimeScale makes the emulator sleep for real', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(100), clock: new VirtualClock({ realTimeScale: 1 }) });
    const started = performance.now();
    await send(emu, read10(0, 18), 18 * 2048); // 90 ms simulated
    expect(performance.now() - started).toBeGreaterThanOrEqual(80);
    expect(() => new VirtualClock({ realTimeScale: -1 })).toThrow(/realTimeScale/);
  });

  test('a shared clock adds both drives’ time; stats keep each drive’s own', async () => {
    const clock = new VirtualClock();
    const a = createEmulatedDrive({ disc: createDataCd(100), clock });
    const b = createEmulatedDrive({ disc: createDataCd(100), clock });
    await send(a, cdb(6, 0));
    await send(b, read10(0, 18), 18 * 2048);
    expect(a.stats.simulatedSeconds).toBe(0.001);
    expect(b.stats.simulatedSeconds).toBe(0.09);
    expect(clock.seconds).toBe(0.091);
    clock.advance(1);
    expect(clock.seconds).toBe(1.091);
  });
});
