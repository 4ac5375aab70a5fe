import { describe, expect, test } from 'vitest';
import { Drive } from '../../lib/drive/drive.js';
import { CommandTimeoutError, DeviceNotFoundError, MediumError, TransportError } from '../../lib/errors.js';
import {
  createAudioCd,
  createDataCd,
  createEmulatedDrive,
  driveProfileFromJson,
  syntheticAudioSample,
  syntheticUserData,
  type FaultOptions,
} from '../../lib/emulator/index.js';
import * as scsi from '../../lib/scsi/index.js';
import { be, cdb, expectGood, expectSense, send } from './helpers.js';

const noCache = driveProfileFromJson({ name: 'plain', readOffsetSamples: 0, cacheSectors: 0 });

/** First sample of a sector as returned: the synthetic sample index + 1 it encodes. */
function firstSample(data: Uint8Array, offset = 0): number {
  return (data[offset]! | (data[offset + 1]! << 8) | (data[offset + 2]! << 16) | (data[offset + 3]! << 24)) >>> 0;
}

function read10(lba: number, count: number, fua = false): number[] {
  return be(be(cdb(10, 0x28, fua ? 0x08 : 0), 2, 4, lba), 7, 2, count);
}

describe('defect map (ddrescue mapfile)', () => {
  // The map covers sectors 0-102 (× 2048 bytes): 40 and 41 bad, a 512-byte non-scraped patch in 102.
  const mapfile = `# Mapfile
0x00000000     +               1
#      pos        size  status
0x00000000  0x00014000  +
0x00014000  0x00001000  -
0x00015000  0x0001E000  +
0x00033000  0x00000200  *
0x00033200  0x00000600  +
`;
  const faults: FaultOptions = { defectMap: { mapfile } };

  test('a sector outside the + blocks fails: MEDIUM ERROR 03/11/00, VALID, INFORMATION = LBA', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(200), faults });
    const result = await send(emu, read10(40, 1), 2048);
    expectSense(result, 3, 0x11, 0x00, 40);
    expect(Array.from(result.sense.subarray(0, 8))).toEqual([0xf0, 0, 0x03, 0, 0, 0, 40, 10]);
    const error = await Drive.fromTransport(emu).readSectors(41, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediumError);
    expect(error).toMatchObject({ lba: 41, senseKey: 3, asc: 0x11, ascq: 0 });
    expect((error as Error).message).toBe('READ(10) (0x28) at LBA 41: MEDIUM ERROR, unrecovered read error (03/11/00)');
  });

  test('a multi-sector read fails at the first bad sector and transfers nothing', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(200), faults });
    const result = await send(emu, read10(35, 10), 20480);
    expectSense(result, 3, 0x11, 0x00, 40);
    expect(result.data.length).toBe(0);
    expect(result.residual).toBe(20480);
    expect(emu.stats).toMatchObject({ failedReads: 1, sectorsRead: 0 });
    expect((await send(emu, read10(30, 10), 20480)).data).toEqual(Uint8Array.from([...Array(10).keys()].flatMap((i) => [...syntheticUserData(30 + i)])));
  });

  test('part of a sector not + makes the whole sector bad; LBAs past the end of the map are bad too', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(200), faults });
    // 0x33000 / 2048 = 102: the 512-byte non-scraped block lies in sector 102.
    expectGood(await send(emu, read10(101, 1), 2048));
    expectSense(await send(emu, read10(102, 1), 2048), 3, 0x11, 0, 102);
    expectSense(await send(emu, read10(103, 1), 2048), 3, 0x11, 0, 103);
  });

  test('raw units: sectorSize 2352 and a start LBA', async () => {
    const raw = '0 +\n0 0x24c00 +\n0x24c00 0x930 -\n0x25530 0x930 +\n';
    // 0x24c00 / 2352 = 64: sector 64 of the map = LBA 164 with startLba 100.
    const emu = createEmulatedDrive({ disc: createDataCd(200), faults: { defectMap: { mapfile: raw, sectorSize: 2352, startLba: 100 } } });
    expectGood(await send(emu, read10(163, 1), 2048));
    expectSense(await send(emu, read10(164, 1), 2048), 3, 0x11, 0, 164);
    expectGood(await send(emu, read10(165, 1), 2048));
    expectSense(await send(emu, read10(99, 1), 2048), 3, 0x11, 0, 99);
  });

  test('badSectors: explicit ranges', async () => {
    const emu = createEmulatedDrive({ disc: createAudioCd([300]), faults: { badSectors: [7, { startLba: 100, endLba: 110 }] } });
    const drive = Drive.fromTransport(emu);
    await expect(drive.readCd(5, 5)).rejects.toMatchObject({ lba: 7, asc: 0x11 });
    await expect(drive.readCd(95, 10)).rejects.toMatchObject({ lba: 100 });
    await expect(drive.readCd(109, 1)).rejects.toMatchObject({ lba: 109 });
    expect((await drive.readCd(110, 1)).data.length).toBe(2352);
  });
});

describe('weak sectors', () => {
  async function outcomes(seed: number, profile = noCache): Promise<string> {
    const emu = createEmulatedDrive({ disc: createDataCd(100), profile, seed, faults: { weakSectors: [{ ranges: [50], successProbability: 0.5 }] } });
    let s = '';
    for (let i = 0; i < 24; i++) s += (await send(emu, read10(50, 1), 2048)).status === 0 ? '+' : '-';
    return s;
  }

  test('succeed with probability p per attempt, deterministically per seed', async () => {
    const a = await outcomes(1);
    expect(a).toBe(await outcomes(1));
    expect(a).toMatch(/\+/);
    expect(a).toMatch(/-/);
    expect(await outcomes(2)).not.toBe(a);
  });

  test('FUA defeats the cache: without it a weak sector once read comes back from the cache', async () => {
    const profile = driveProfileFromJson({ name: 'cached', cacheSectors: 64 });
    const emu = createEmulatedDrive({ disc: createDataCd(100), profile, seed: 1, faults: { weakSectors: [{ ranges: [50], successProbability: 0.5 }] } });
    let first = await send(emu, read10(50, 1, true), 2048);
    while (first.status !== 0) first = await send(emu, read10(50, 1, true), 2048);
    for (let i = 0; i < 10; i++) expectGood(await send(emu, read10(50, 1), 2048));
    const fua: number[] = [];
    for (let i = 0; i < 20; i++) fua.push((await send(emu, read10(50, 1, true), 2048)).status);
    expect(fua).toContain(2);
  });

  test('readable only by the profiles named: a second drive reads what the first cannot', async () => {
    const disc = createDataCd(100);
    const faults: FaultOptions = { weakSectors: [{ ranges: [{ startLba: 60, endLba: 62 }], readableBy: ['dvd-bd'] }] };
    const first = Drive.fromTransport(createEmulatedDrive({ disc, faults, profile: 'good' }));
    const second = Drive.fromTransport(createEmulatedDrive({ disc, faults, profile: 'dvd-bd' }));
    for (let i = 0; i < 5; i++) await expect(first.readSectors(60, 2, { fua: true })).rejects.toMatchObject({ lba: 60 });
    expect(await second.readSectors(60, 2)).toEqual(Uint8Array.from([...syntheticUserData(60), ...syntheticUserData(61)]));
  });
});

describe('audio: read offset, jitter, C2 errors, silent corruption', () => {
  test('the read offset shifts audio: +6 returns the disc from 6 samples earlier; data is unaffected', async () => {
    const disc = createAudioCd([200]);
    const drive = Drive.fromTransport(createEmulatedDrive({ disc, profile: 'good' }));
    const { data } = await drive.readCd(50, 2);
    expect(firstSample(data)).toBe(syntheticAudioSample(50 * 588 - 6));
    expect(firstSample(data, 2352)).toBe(syntheticAudioSample(51 * 588 - 6));
    const cheap = Drive.fromTransport(createEmulatedDrive({ disc, profile: 'cheap' }));
    expect(firstSample((await cheap.readCd(50, 1)).data)).toBe(syntheticAudioSample(50 * 588 - 667));
    // At the very start the offset reads into the (silent) pregap.
    expect(firstSample((await drive.readCd(0, 1)).data)).toBe(0);
    expect(firstSample((await drive.readCd(0, 1)).data, 24)).toBe(syntheticAudioSample(0));
  });

  test('jitter moves audio reads by up to ±k samples, seeded, only without an accurate stream', async () => {
    const disc = createAudioCd([200]);
    const faults: FaultOptions = { audioJitter: { maxSamples: 10 } };
    const shifts = async (profile: ReturnType<typeof driveProfileFromJson>, seed: number): Promise<number[]> => {
      const drive = Drive.fromTransport(createEmulatedDrive({ disc, profile, faults, seed }));
      const out: number[] = [];
      for (let i = 0; i < 16; i++) out.push(50 * 588 - (firstSample((await drive.readCd(50, 1)).data) - 1));
      return out;
    };
    const jittery = driveProfileFromJson({ name: 'jittery', accurateStream: false, readOffsetSamples: 0, cacheSectors: 0 });
    const a = await shifts(jittery, 3);
    expect(a.every((s) => Math.abs(s) <= 10)).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(3);
    expect(await shifts(jittery, 3)).toEqual(a);
    expect(await shifts(noCache, 3)).toEqual(new Array(16).fill(0));
    // Whole frames: every displacement a multiple of 588.
    const frames = await (async () => {
      const drive = Drive.fromTransport(createEmulatedDrive({ disc, profile: jittery, faults: { audioJitter: { maxSamples: 1176, step: 588 } }, seed: 9 }));
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push(50 * 588 - (firstSample((await drive.readCd(50, 1)).data) - 1));
      return out;
    })();
    expect(frames.every((s) => s % 588 === 0 && Math.abs(s) <= 1176)).toBe(true);
    expect(new Set(frames).size).toBeGreaterThan(1);
    // Data sectors are found by their header: jitter does not touch them.
    const data = Drive.fromTransport(createEmulatedDrive({ disc: createDataCd(100), profile: jittery, faults, seed: 3 }));
    const reference = (await data.readCd(10, 1)).data;
    for (let i = 0; i < 5; i++) expect((await data.readCd(10, 1)).data).toEqual(reference);
  });

  test('C2 errors: corrupted bytes flagged in C2 per c2Accuracy; the block error byte is their OR', async () => {
    const disc = createAudioCd([200]);
    const clean = (await Drive.fromTransport(createEmulatedDrive({ disc, profile: noCache })).readCd(50, 1)).data;
    const faults: FaultOptions = { c2Errors: { ranges: [50], bytesPerSector: 40 } };
    for (const [accuracy, flagged] of [[1, 40], [0.5, 20], [0, 0]] as const) {
      const profile = driveProfileFromJson({ name: `c2-${accuracy}`, readOffsetSamples: 0, cacheSectors: 0, c2Accuracy: accuracy });
      const drive = Drive.fromTransport(createEmulatedDrive({ disc, profile, faults, seed: 5 }));
      const { data } = await drive.readCd(50, 1, { c2: 296 });
      const audio = data.subarray(0, 2352);
      const c2 = data.subarray(2354, 2648);
      const corrupted = [...audio.keys()].filter((i) => audio[i] !== clean[i]);
      const flags = [...audio.keys()].filter((i) => (c2[i >> 3]! & (0x80 >> (i & 7))) !== 0);
      expect(corrupted.length).toBe(40);
      expect(flags.length).toBe(flagged);
      expect(flags.every((i) => corrupted.includes(i))).toBe(true);
      expect(data[2352]).toBe(c2.reduce((a, b) => a | b, 0));
    }
    // Each read of a bad sector is damaged differently; a clean neighbour has no C2 bits.
    const drive = Drive.fromTransport(createEmulatedDrive({ disc, profile: noCache, faults, seed: 5 }));
    const first = (await drive.readCd(50, 1)).data;
    expect((await drive.readCd(50, 1)).data).not.toEqual(first);
    expect((await drive.readCd(52, 1, { c2: 294 })).data.subarray(2352).every((b) => b === 0)).toBe(true);
  });

  test('a drive that serves audio from its cache repeats the same damage until FUA or a distant read', async () => {
    const disc = createAudioCd([2000]);
    const profile = driveProfileFromJson({ name: 'cache', readOffsetSamples: 0, audioFromCache: true, cacheSectors: 100 });
    const emu = createEmulatedDrive({ disc, profile, faults: { c2Errors: { ranges: [50] } }, seed: 1 });
    const drive = Drive.fromTransport(emu);
    const first = (await drive.readCd(50, 1)).data;
    expect((await drive.readCd(50, 1)).data).toEqual(first);
    await drive.readCd(1500, 1); // a distant read refills the cache elsewhere
    expect((await drive.readCd(50, 1)).data).not.toEqual(first);
    const again = (await drive.readCd(50, 1)).data;
    await send(emu, read10(0, 1, true), 2048); // FUA (refused on audio) still drops the cache
    expect((await drive.readCd(50, 1)).data).not.toEqual(again);
  });

  test('silent corruption: the same wrong bytes on every read, never flagged', async () => {
    const disc = createAudioCd([200]);
    const clean = (await Drive.fromTransport(createEmulatedDrive({ disc, profile: noCache })).readCd(60, 1)).data;
    const drive = Drive.fromTransport(createEmulatedDrive({ disc, profile: noCache, faults: { silentCorruption: { ranges: [60], bytesPerSector: 6 } } }));
    const a = await drive.readCd(60, 1, { c2: 294 });
    const b = await drive.readCd(60, 1, { c2: 294 });
    expect(a.data).toEqual(b.data);
    expect([...clean.keys()].filter((i) => a.data[i] !== clean[i]).length).toBe(6);
    expect(a.data.subarray(2352).every((x) => x === 0)).toBe(true);
  });
});

describe('transport-level faults and readiness', () => {
  test('a drive that vanishes after K commands: every later command throws TransportError ENODEV', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10), faults: { vanishAfterCommands: 2 } });
    expectGood(await send(emu, cdb(6, 0)));
    expectGood(await send(emu, cdb(6, 0)));
    for (let i = 0; i < 2; i++) {
      const error = await send(emu, cdb(6, 0)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toBeInstanceOf(DeviceNotFoundError);
      expect(error).toMatchObject({ errnoCode: 'ENODEV', syscall: 'ioctl', path: emu.path });
    }
    await expect(Drive.fromTransport(emu).readSectors(0, 1)).rejects.toMatchObject({ errnoCode: 'ENODEV' });
  });

  test('timeouts: reads touching a range throw CommandTimeoutError and cost their timeout', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(100), faults: { timeouts: { ranges: [{ startLba: 20, endLba: 30 }] } } });
    const drive = Drive.fromTransport(emu);
    expect((await drive.readSectors(0, 20)).length).toBe(40960);
    const before = emu.clock.ticks;
    const error = await drive.readSectors(25, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect(error).toMatchObject({ hostStatus: 3, code: 'ERR_COMMAND_TIMEOUT' });
    expect(emu.clock.ticks - before).toBe(30 * 9_000_000);
    await expect(drive.readSectors(29, 2, { timeoutMs: 5000 })).rejects.toBeInstanceOf(CommandTimeoutError);
    expect(emu.clock.ticks - before).toBe(35 * 9_000_000);
    expect((await drive.readSectors(30, 1)).length).toBe(2048);
  });

  test('timeouts after K commands', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(100), faults: { timeouts: { afterCommands: 1 } } });
    expectGood(await send(emu, cdb(6, 0)));
    await expect(send(emu, cdb(6, 0))).rejects.toBeInstanceOf(CommandTimeoutError);
  });

  test('no medium: tray closed 02/3A/01 or open 02/3A/02; GESN and GET CONFIGURATION say so', async () => {
    const closed = Drive.fromTransport(createEmulatedDrive({ disc: createDataCd(10), faults: { noMedium: true } }));
    expect(await closed.testUnitReady()).toMatchObject({ ready: false, error: { asc: 0x3a, ascq: 0x01 } });
    expect((await closed.mediaStatus()).media).toMatchObject({ doorOpen: false, mediaPresent: false });
    const open = Drive.fromTransport(createEmulatedDrive({ faults: { noMedium: 'tray-open' } }));
    await expect(open.readSectors(0, 1)).rejects.toMatchObject({ code: 'ERR_SCSI_NOT_READY', asc: 0x3a, ascq: 0x02 });
    expect((await open.mediaStatus()).media).toMatchObject({ doorOpen: true, mediaPresent: false });
    expect(await open.currentProfile()).toBe(0);
    await expect(open.waitReady({ pollIntervalMs: 0 })).rejects.toMatchObject({ asc: 0x3a });
  });

  test('becoming ready for N commands: 02/04/01, then ready; waitReady rides it out', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10), faults: { becomingReadyCommands: 2 } });
    expectSense(await send(emu, cdb(6, 0)), 2, 0x04, 0x01);
    // INQUIRY does not need the medium and does not use up the count.
    expectGood(await send(emu, [0x12, 0, 0, 0, 36, 0], 36));
    expect(await Drive.fromTransport(emu).waitReady({ pollIntervalMs: 0 })).toEqual({ mediumChanged: false, polls: 2 });
  });

  test('medium changed: UNIT ATTENTION 06/28/00 once; INQUIRY passes without consuming it', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10), faults: { mediumChanged: true, powerOnReset: true } });
    expectGood(await send(emu, [0x12, 0, 0, 0, 36, 0], 36));
    expectSense(await send(emu, cdb(6, 0)), 6, 0x29, 0x00);
    expectSense(await send(emu, read10(0, 1), 2048), 6, 0x28, 0x00);
    expectGood(await send(emu, cdb(6, 0)));
  });

  test('fault options are validated, naming the field', () => {
    expect(() => createEmulatedDrive({ faults: { badSectors: [{ startLba: 5, endLba: 5 }] } })).toThrow(/"faults.badSectors\[0\].endLba"/);
    expect(() => createEmulatedDrive({ faults: { weakSectors: [{ ranges: [1], successProbability: 2 }] } })).toThrow(RangeError);
    expect(() => createEmulatedDrive({ faults: { audioJitter: { maxSamples: -1 } } })).toThrow(/maxSamples/);
    expect(() => createEmulatedDrive({ faults: { defectMap: { mapfile: '0 +\n0 0x10 +\n0x20 0x10 +\n' } } })).toThrow(/faults.defectMap:3/);
    expect(() => createEmulatedDrive({ faults: { noMedium: 'maybe' as 'tray-open' } })).toThrow(/noMedium/);
    expect(() => createEmulatedDrive({ seed: 1.5 })).toThrow(/"seed"/);
  });

  test('READ SUB-CHANNEL and others answer from the model even while a read would fail', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10), faults: { badSectors: [0] } });
    expectGood(await send(emu, scsi.buildReadToc({ format: 0 }).cdb, 100));
  });
});
