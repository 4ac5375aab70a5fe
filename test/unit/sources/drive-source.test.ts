import { describe, expect, test } from 'vitest';
import { Drive } from '../../../lib/drive/drive.js';
import {
  DeviceNotFoundError,
  HardwareError,
  IllegalRequestError,
  MediumError,
  NotReadyError,
  TransportError,
  UnitAttentionError,
  UnsupportedError,
} from '../../../lib/errors.js';
import {
  createAudioCd,
  createCdExtra,
  createDataCd,
  createDvd,
  createEmulatedDrive,
  createSyntheticDisc,
  driveProfileFromJson,
  syntheticUserData,
  type DiscModel,
  type EmulatedDrive,
  type EmulatedDriveOptions,
} from '../../../lib/emulator/index.js';
import { encodeSense, type SenseFields } from '../../../lib/emulator/sense-data.js';
import { parseErrorRecoveryPage } from '../../../lib/scsi/mode.js';
import { fromBcd } from '../../../lib/scsi/msf.js';
import { createDriveSource, type DriveSource, type DriveSourceOptions } from '../../../lib/sources/drive-source.js';
import type { ReadOutcome } from '../../../lib/sources/sector-source.js';
import {
  DriverStatus,
  HostStatus,
  ScsiStatus,
  type CommandResult,
  type ExecuteOptions,
  type ScsiCommand,
  type Transport,
} from '../../../lib/transport/transport.js';

const READ_10 = 0x28;
const READ_CD = 0xbe;

/** An emulated drive behind a transport that records CDBs and can answer the next reads with given sense. */
class ScriptedTransport implements Transport {
  readonly cdbs: Uint8Array[] = [];
  /** Sense for the next read commands, in order. */
  readonly senseForReads: SenseFields[] = [];
  readonly inner: EmulatedDrive;

  constructor(inner: EmulatedDrive) {
    this.inner = inner;
  }
  get path(): string {
    return this.inner.path;
  }
  get maxTransferBytes(): number {
    return this.inner.maxTransferBytes;
  }
  get closed(): boolean {
    return this.inner.closed;
  }
  get stats() {
    return this.inner.stats;
  }
  async execute(command: ScsiCommand, options?: ExecuteOptions): Promise<CommandResult> {
    this.cdbs.push(command.cdb.slice());
    const opcode = command.cdb[0];
    const sense = opcode === READ_10 || opcode === READ_CD ? this.senseForReads.shift() : undefined;
    if (sense === undefined) return this.inner.execute(command, options);
    return {
      status: ScsiStatus.CHECK_CONDITION,
      sense: encodeSense(sense),
      data: new Uint8Array(0),
      residual: command.dataLength ?? 0,
      hostStatus: HostStatus.DID_OK,
      driverStatus: DriverStatus.DRIVER_SENSE,
      durationMs: 1,
    };
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  reads(): Uint8Array[] {
    return this.cdbs.filter((c) => c[0] === READ_10 || c[0] === READ_CD);
  }
}

function emulate(disc: DiscModel, options: Omit<EmulatedDriveOptions, 'disc'> = {}) {
  const emulated = createEmulatedDrive({ disc, ...options });
  return { emulated, drive: Drive.fromTransport(emulated) };
}

async function open(disc: DiscModel, options: Omit<EmulatedDriveOptions, 'disc'> = {}, sourceOptions: DriveSourceOptions = {}) {
  const { emulated, drive } = emulate(disc, options);
  const source = await createDriveSource(drive, sourceOptions);
  return { emulated, drive, source };
}

async function scripted(disc: DiscModel, sourceOptions: DriveSourceOptions = {}) {
  const transport = new ScriptedTransport(createEmulatedDrive({ disc }));
  const drive = Drive.fromTransport(transport);
  const source = await createDriveSource(drive, sourceOptions);
  return { transport, drive, source };
}

function userData(firstLba: number, count: number): Uint8Array {
  const out = new Uint8Array(count * 2048);
  for (let i = 0; i < count; i++) out.set(syntheticUserData(firstLba + i), i * 2048);
  return out;
}

function expectData(outcome: ReadOutcome): Uint8Array {
  if (!outcome.ok) throw new Error(`expected data, got ${outcome.error.message}`);
  return outcome.data;
}

function expectFailure(outcome: ReadOutcome) {
  if (outcome.ok) throw new Error('expected a failed read');
  return outcome;
}

async function retryCount(drive: Drive): Promise<number> {
  return parseErrorRecoveryPage(await drive.modeSensePage(0x01)).readRetryCount;
}

describe('createDriveSource: extent', () => {
  test('a data CD: the data track from the TOC, READ(10) in transfer-sized commands', async () => {
    const { source, drive } = await open(createDataCd(1000));
    expect(source).toMatchObject({
      name: drive.path,
      mode: 'data',
      sectorSize: 2048,
      firstLba: 0,
      sectorCount: 1000,
      maxSectorsPerRead: 32,
      extentSource: 'toc',
    });
    expect(source.layout.medium).toBe('cd');
    expect(expectData(await source.read(0, 40))).toEqual(userData(0, 40));
    expect(expectData(await source.read(999, 1))).toEqual(userData(999, 1));
  });

  test('a CD-Extra in data mode: the data session (Mode 2 Form 1 user data)', async () => {
    const { source } = await open(createCdExtra([3000, 2000], 1500));
    // Session 2 starts 11 400 sectors after session 1's lead-out (MMC-FACTS §3.4).
    expect(source).toMatchObject({ firstLba: 16_400, sectorCount: 1500, extentSource: 'toc' });
    expect(source.layout.gaps).toEqual([{ startLba: 5000, endLba: 16_400 }]);
    expect(expectData(await source.read(16_400, 3))).toEqual(userData(16_400, 3));
    expect(expectData(await source.read(17_899, 1))).toEqual(userData(17_899, 1));
  });

  test('a multisession data disc in data mode covers the first session only', async () => {
    const disc = createSyntheticDisc({ tracks: [{ mode: 'mode1', sectors: 1000 }, { mode: 'mode1', sectors: 500, session: 2 }] });
    const { source } = await open(disc);
    expect(source).toMatchObject({ firstLba: 0, sectorCount: 1000 });
  });

  test('a Mixed Mode disc: the data track ends where the audio pregap begins, not at the TOC entry', async () => {
    const disc = createSyntheticDisc({
      tracks: [
        { mode: 'mode1', sectors: 3000 },
        { mode: 'audio', sectors: 2250, pregap: 150 },
      ],
    });
    const { source } = await open(disc);
    expect(source).toMatchObject({ firstLba: 0, sectorCount: 3000 });
    expect(expectData(await source.read(2990, 10))).toEqual(userData(2990, 10));
  });

  test('a DVD: READ CAPACITY', async () => {
    const { source } = await open(createDvd(5000), { profile: 'dvd-bd' });
    expect(source).toMatchObject({ firstLba: 0, sectorCount: 5000, sectorSize: 2048, extentSource: 'read-capacity' });
    expect(source.layout).toMatchObject({ medium: 'block', profile: 0x10 });
    expect(expectData(await source.read(4990, 10))).toEqual(userData(4990, 10));
  });

  test('explicit firstLba and sectorCount override the TOC', async () => {
    const { source } = await open(createDataCd(1000), {}, { firstLba: 100, sectorCount: 50 });
    expect(source).toMatchObject({ firstLba: 100, sectorCount: 50, extentSource: 'options' });
    const partial = await open(createDataCd(1000), {}, { firstLba: 900 });
    expect(partial.source).toMatchObject({ firstLba: 900, sectorCount: 100, extentSource: 'toc' });
    await expect(open(createDataCd(1000), {}, { firstLba: 1000 })).rejects.toThrow(RangeError);
  });

  test('an audio CD has no data extent', async () => {
    await expect(open(createAudioCd([1000]))).rejects.toThrow(UnsupportedError);
    await expect(open(createAudioCd([1000]))).rejects.toThrow(/mode 'raw'/);
  });

  test('argument errors', async () => {
    const { drive } = emulate(createDataCd(100));
    await expect(createDriveSource(drive, { mode: 'cooked' as 'raw' })).rejects.toThrow(RangeError);
    await expect(createDriveSource(drive, { firstLba: -1 })).rejects.toThrow(RangeError);
    await expect(createDriveSource(drive, { sectorCount: 0 })).rejects.toThrow(RangeError);
    const source = await createDriveSource(drive);
    await expect(source.read(99, 2)).rejects.toThrow(RangeError);
    await expect(source.read(0, 0)).rejects.toThrow(RangeError);
    await expect(source.read(0.5, 1)).rejects.toThrow(TypeError);
  });
});

describe('createDriveSource: raw mode', () => {
  test('2352-byte sectors with sync and a header that matches the LBA', async () => {
    const { source } = await open(createDataCd(200), {}, { mode: 'raw' });
    expect(source).toMatchObject({ sectorSize: 2352, firstLba: 0, sectorCount: 200, maxSectorsPerRead: 27 });
    const data = expectData(await source.read(70, 30));
    for (let i = 0; i < 30; i++) {
      const lba = 70 + i;
      const sector = data.subarray(i * 2352, (i + 1) * 2352);
      expect(Array.from(sector.subarray(0, 12))).toEqual([0, ...new Array<number>(10).fill(0xff), 0]);
      const absolute = lba + 150;
      expect([fromBcd(sector[12]!), fromBcd(sector[13]!), fromBcd(sector[14]!)]).toEqual([
        Math.floor(absolute / 4500),
        Math.floor(absolute / 75) % 60,
        absolute % 75,
      ]);
      expect(sector[15]).toBe(1);
      expect(sector.subarray(16, 16 + 2048)).toEqual(syntheticUserData(lba));
    }
  });

  test('READ CD with byte 9 = F8h and expected sector type ANY; FUA is not sent', async () => {
    const { transport, source } = await scripted(createDataCd(100), { mode: 'raw' });
    expectData(await source.read(5, 2, { fua: true }));
    const cdb = transport.reads().at(-1)!;
    expect([cdb[0], cdb[1], cdb[9], cdb[10]]).toEqual([0xbe, 0x00, 0xf8, 0x00]);
  });

  test('the whole disc, audio included; reads crossing audio/data boundaries are split', async () => {
    const disc = createSyntheticDisc({
      tracks: [
        { mode: 'mode1', sectors: 3000 },
        { mode: 'audio', sectors: 2250, pregap: 150 },
      ],
    });
    const { source } = await open(disc, {}, { mode: 'raw' });
    expect(source).toMatchObject({ firstLba: 0, sectorCount: 5400, extentSource: 'toc' });
    // The real boundary is at 3000 (the audio pregap), the TOC's at 3150: both inside one read.
    const data = expectData(await source.read(2990, 170));
    const hasSync = (i: number) => data[i * 2352] === 0 && data[i * 2352 + 1] === 0xff && data[i * 2352 + 11] === 0;
    expect(Array.from({ length: 170 }, (_, i) => hasSync(i))).toEqual(Array.from({ length: 170 }, (_, i) => i < 10));
  });

  test('a CD-Extra: the session gap fails as out of range, with failedLba at the gap', async () => {
    const { source } = await open(createCdExtra([3000, 2000], 1500), {}, { mode: 'raw' });
    expect(source).toMatchObject({ firstLba: 0, sectorCount: 17_900 });
    const failure = expectFailure(await source.read(4990, 20));
    expect(failure).toMatchObject({ failedLba: 5000, fatal: false });
    expect(failure.error).toBeInstanceOf(IllegalRequestError);
    expect(expectData(await source.read(4990, 10)).length).toBe(10 * 2352);
  });

  test('a drive that refuses READ CD (qemu-scsi-cd) cannot make a raw source; data mode still works', async () => {
    const { drive } = emulate(createDataCd(100), { profile: 'qemu-scsi-cd' });
    await expect(createDriveSource(drive, { mode: 'raw' })).rejects.toThrow(UnsupportedError);
    await expect(createDriveSource(drive, { mode: 'raw' })).rejects.toThrow(/refuses READ CD.*mode 'data'/);
    const source = await createDriveSource(drive);
    expect(expectData(await source.read(0, 4))).toEqual(userData(0, 4));
  });

  test('a DVD cannot be read raw', async () => {
    const { drive } = emulate(createDvd(100), { profile: 'dvd-bd' });
    await expect(createDriveSource(drive, { mode: 'raw' })).rejects.toThrow(UnsupportedError);
  });
});

describe('createDriveSource: bad sectors are values', () => {
  test('MEDIUM ERROR: failedLba is the sense INFORMATION', async () => {
    const { source } = await open(createDataCd(1000), { faults: { badSectors: [{ startLba: 100, endLba: 104 }] } });
    const failure = expectFailure(await source.read(96, 16));
    expect(failure).toMatchObject({ failedLba: 100, fatal: false });
    expect(failure.error).toBeInstanceOf(MediumError);
    expect(expectFailure(await source.read(102, 1))).toMatchObject({ failedLba: 102, fatal: false });
    // A later command of a split read reports its own LBA.
    expect(expectFailure(await source.read(64, 40))).toMatchObject({ failedLba: 100 });
    expect(expectData(await source.read(104, 10))).toEqual(userData(104, 10));
  });

  test('FUA reaches READ(10)', async () => {
    const { transport, source } = await scripted(createDataCd(100));
    expectData(await source.read(0, 1, { fua: true }));
    expectData(await source.read(1, 1));
    const [withFua, without] = transport.reads().slice(-2);
    expect(withFua![1]! & 0x08).toBe(0x08);
    expect(without![1]! & 0x08).toBe(0);
  });

  test('sense without a usable INFORMATION field', async () => {
    const { transport, source } = await scripted(createDataCd(1000));
    transport.senseForReads.push({ senseKey: 3, asc: 0x11, ascq: 0x05 });
    expect(expectFailure(await source.read(10, 8))).toMatchObject({ failedLba: undefined, fatal: false });
    transport.senseForReads.push({ senseKey: 3, asc: 0x11, ascq: 0x00, information: 500 });
    expect(expectFailure(await source.read(10, 8))).toMatchObject({ failedLba: undefined, fatal: false });
    // One sector: the failing sector is known anyway.
    transport.senseForReads.push({ senseKey: 3, asc: 0x11, ascq: 0x05 });
    expect(expectFailure(await source.read(10, 1))).toMatchObject({ failedLba: 10, fatal: false });
  });

  test('HARDWARE ERROR: a bad sector with an LBA or a medium-related code, else fatal', async () => {
    const { transport, source } = await scripted(createDataCd(1000));
    transport.senseForReads.push({ senseKey: 4, asc: 0x3e, ascq: 0x02, information: 12 });
    const withLba = expectFailure(await source.read(10, 8));
    expect(withLba).toMatchObject({ failedLba: 12, fatal: false });
    expect(withLba.error).toBeInstanceOf(HardwareError);
    transport.senseForReads.push({ senseKey: 4, asc: 0x09, ascq: 0x00 });
    expect(expectFailure(await source.read(10, 8))).toMatchObject({ failedLba: undefined, fatal: false });
    transport.senseForReads.push({ senseKey: 4, asc: 0x44, ascq: 0x00 });
    expect(expectFailure(await source.read(10, 8))).toMatchObject({ failedLba: undefined, fatal: true });
  });

  test('05/64/00 in data mode is a bad sector; other ILLEGAL REQUESTs are fatal', async () => {
    const { transport, source } = await scripted(createDataCd(1000));
    transport.senseForReads.push({ senseKey: 5, asc: 0x64, ascq: 0x00 });
    expect(expectFailure(await source.read(10, 8))).toMatchObject({ failedLba: undefined, fatal: false });
    transport.senseForReads.push({ senseKey: 5, asc: 0x24, ascq: 0x00 });
    expect(expectFailure(await source.read(10, 8))).toMatchObject({ fatal: true });
  });

  test('05/21/00 past the end of the disc: failedLba is the first LBA beyond it', async () => {
    const { source } = await open(createDataCd(1000), {}, { firstLba: 990, sectorCount: 20 });
    expect(expectFailure(await source.read(995, 10))).toMatchObject({ failedLba: 1000, fatal: false });
    expect(expectData(await source.read(995, 5))).toEqual(userData(995, 5));
  });

  test('a passing condition (ABORTED COMMAND, another UNIT ATTENTION) is retried once', async () => {
    const { transport, source } = await scripted(createDataCd(1000));
    transport.senseForReads.push({ senseKey: 0x0b, asc: 0x00, ascq: 0x00 });
    expect(expectData(await source.read(10, 2))).toEqual(userData(10, 2));
    transport.senseForReads.push({ senseKey: 6, asc: 0x2a, ascq: 0x01 });
    expect(expectData(await source.read(10, 2))).toEqual(userData(10, 2));
    transport.senseForReads.push({ senseKey: 0x0b, asc: 0x00, ascq: 0x00 }, { senseKey: 0x0b, asc: 0x00, ascq: 0x00 });
    expect(expectFailure(await source.read(10, 2))).toMatchObject({ fatal: true });
  });
});

describe('createDriveSource: fatal conditions', () => {
  test('a disc change mid-rescue (06/28/00) is fatal, and stays fatal', async () => {
    const { emulated, source } = await open(createDataCd(1000));
    expectData(await source.read(0, 8));
    emulated.insertDisc(createDataCd(1000));
    emulated.clock.advance(3);
    const failure = expectFailure(await source.read(8, 8));
    expect(failure.fatal).toBe(true);
    expect(failure.error).toBeInstanceOf(UnitAttentionError);
    expect(failure.error.message).toMatch(/the disc was changed.*never mixes two discs/);
    // The attention is consumed, the new disc would read fine: the source refuses anyway.
    expect(expectFailure(await source.read(8, 8))).toMatchObject({ fatal: true });
    expect(await source.setRetryLevel('fast')).toBe(false);
  });

  test('a disc change seen while the drive spins up is fatal too', async () => {
    const { emulated, source } = await open(createDataCd(1000), {}, { waitReady: { pollIntervalMs: 1 } });
    emulated.insertDisc(createDataCd(1000));
    const failure = expectFailure(await source.read(0, 8));
    expect(failure.fatal).toBe(true);
    expect(failure.error.message).toMatch(/the disc was changed/);
  });

  test('a disc change consumed by setRetryLevel still stops the next read', async () => {
    const { emulated, source } = await open(createDataCd(1000));
    emulated.insertDisc(createDataCd(1000));
    emulated.clock.advance(3);
    expect(await source.setRetryLevel('fast')).toBe(false);
    expect(expectFailure(await source.read(0, 1))).toMatchObject({ fatal: true });
  });

  test('a removed disc is fatal', async () => {
    const { emulated, source } = await open(createDataCd(1000));
    emulated.removeDisc();
    const failure = expectFailure(await source.read(0, 8));
    expect(failure.fatal).toBe(true);
    expect(failure.error).toBeInstanceOf(NotReadyError);
    expect(failure.error.message).toMatch(/the disc was removed/);
  });

  test('a drive reset (06/29/00) is fatal', async () => {
    const { transport, source } = await scripted(createDataCd(1000));
    transport.senseForReads.push({ senseKey: 6, asc: 0x29, ascq: 0x00 });
    const failure = expectFailure(await source.read(0, 8));
    expect(failure.fatal).toBe(true);
    expect(failure.error.message).toMatch(/reset/);
  });

  test('a vanished drive is fatal', async () => {
    // Count the commands creation takes, then let the drive vanish after one more read.
    const probe = await open(createDataCd(1000));
    const creationCommands = probe.emulated.stats.commands;
    const { source } = await open(createDataCd(1000), { faults: { vanishAfterCommands: creationCommands + 1 } });
    expectData(await source.read(0, 8));
    const failure = expectFailure(await source.read(8, 8));
    expect(failure.fatal).toBe(true);
    expect(failure.error).toBeInstanceOf(TransportError);
    expect(failure.error).toBeInstanceOf(DeviceNotFoundError);
  });

  test('a timeout is fatal', async () => {
    const { source } = await open(createDataCd(1000), { faults: { timeouts: { ranges: [500] } }, defaultTimeoutMs: 1000 });
    expect(expectFailure(await source.read(496, 8))).toMatchObject({ fatal: true });
  });

  test('cancellation rejects with the signal reason', async () => {
    const { source } = await open(createDataCd(1000));
    const controller = new AbortController();
    controller.abort();
    await expect(source.read(0, 1, { signal: controller.signal })).rejects.toThrow(/abort/i);
  });
});

describe('createDriveSource: retry level and close', () => {
  async function failedReadSeconds(source: DriveSource, badLba: number): Promise<number> {
    // Put the head right before the bad sector, so the failure costs exactly its penalty.
    expectData(await source.read(badLba - 1, 1));
    const before = source.simulation!.simulatedSeconds;
    expectFailure(await source.read(badLba, 1));
    return source.simulation!.simulatedSeconds - before;
  }

  test("'fast' sets read retry count 0 (a failed read costs 0.3 s), 'default' restores 17 (2.0 s)", async () => {
    const { source, drive, emulated } = await open(createDataCd(1000), { faults: { badSectors: [500] } });
    expect(await failedReadSeconds(source, 500)).toBeCloseTo(2.0, 9);
    expect(await source.setRetryLevel('fast')).toBe(true);
    expect(emulated.readRetryCount).toBe(0);
    expect(await failedReadSeconds(source, 500)).toBeCloseTo(0.3, 9);
    expect(await source.setRetryLevel('default')).toBe(true);
    expect(await retryCount(drive)).toBe(17);
    expect(await failedReadSeconds(source, 500)).toBeCloseTo(2.0, 9);
    expect(source.simulation).toEqual(drive.simulation);
    expect(source.simulation?.failedReads).toBe(3);
  });

  test('close() restores page 01h, is idempotent, and leaves the drive open', async () => {
    const { source, drive, emulated } = await open(createDataCd(1000));
    expect(await source.setRetryLevel('fast')).toBe(true);
    expect(await retryCount(drive)).toBe(0);
    await source.close();
    await source.close();
    expect(await retryCount(drive)).toBe(17);
    expect(emulated.closed).toBe(false);
    expect(expectFailure(await source.read(0, 1))).toMatchObject({ fatal: true });
  });

  test('close() restores page 01h even after a fatal error', async () => {
    const { source, drive, emulated } = await open(createDataCd(1000));
    expect(await source.setRetryLevel('fast')).toBe(true);
    emulated.insertDisc(createDataCd(1000));
    emulated.clock.advance(3);
    expect(expectFailure(await source.read(0, 1)).fatal).toBe(true);
    await source.close();
    expect(await retryCount(drive)).toBe(17);
  });

  test('closeDrive: true closes the drive too', async () => {
    const { source, emulated } = await open(createDataCd(100), {}, { closeDrive: true });
    await source.close();
    expect(emulated.closed).toBe(true);
  });

  test('a read-only descriptor: setRetryLevel returns false and reads go on', async () => {
    const { source, emulated } = await open(createDataCd(100), { access: 'read-only' });
    expect(await source.setRetryLevel('fast')).toBe(false);
    expect(emulated.readRetryCount).toBe(17);
    expect(await source.setRetryLevel('default')).toBe(true);
    expect(expectData(await source.read(0, 2))).toEqual(userData(0, 2));
    await source.close();
  });

  test('a drive that refuses MODE SELECT: setRetryLevel returns false', async () => {
    const profile = driveProfileFromJson({ refusedCommands: ['MODE_SELECT_10'] });
    const { source } = await open(createDataCd(100), { profile });
    expect(await source.setRetryLevel('fast')).toBe(false);
    await expect(source.setRetryLevel('slow' as 'fast')).rejects.toThrow(TypeError);
  });
});
