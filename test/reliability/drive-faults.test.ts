/**
 * A drive that vanishes (ENODEV), times out, or reports a medium change (UNIT ATTENTION 06/28/00)
 * in the middle of `rescue` and `dump`, through the public API and through the CLI: the run stops
 * with a message that says why and a non-zero exit; the mapfile parses, calls finished only bytes
 * the image holds and bad only real defects; the same command on a healthy drive finishes with
 * the image of a clean run. The CLI meets the faults through recordings (`replay:`) of the faulty
 * sessions, since its emulated drives take no fault options.
 */

import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run } from '../../lib/cli/run.js';
import { Drive } from '../../lib/drive/drive.js';
import { dumpDisc } from '../../lib/dump/index.js';
import type { EmulatedDrive } from '../../lib/emulator/emulated-drive.js';
import type { FaultOptions } from '../../lib/emulator/faults.js';
import { CommandTimeoutError, DeviceNotFoundError, DiscError, UnitAttentionError } from '../../lib/errors.js';
import { rescue } from '../../lib/rescue/engine.js';
import { readMapfile } from '../../lib/rescue/mapfile.js';
import { createDriveSource } from '../../lib/sources/drive-source.js';
import { RecordingTransport } from '../../lib/transport/recording.js';
import { ScsiStatus, type CommandResult, type ExecuteOptions, type ScsiCommand, type Transport } from '../../lib/transport/transport.js';
import { blockLines, defectMap, expectedImage, mapBlocks, randomBytes, SECTOR, tempFolder } from '../rescue/helpers.js';

const folder = tempFolder('faults');
afterAll(() => folder.remove());

type Fault = 'vanish' | 'timeout' | 'medium-change';
const FAULTS: Fault[] = ['vanish', 'timeout', 'medium-change'];

/**
 * What each fault's message must say, the error class the run rejects with, and the code the CLI
 * prints for the replayed session (a recording replays a transport error as the class it was).
 */
const EXPECTED: Record<Fault, { message: RegExp; errorClass: new (...args: never[]) => DiscError; code: string; cliCode: string }> = {
  vanish: { message: /: no such device \(ENODEV, ioctl\)/u, errorClass: DeviceNotFoundError, code: 'ERR_DEVICE_NOT_FOUND', cliCode: 'ERR_DEVICE_NOT_FOUND' },
  timeout: {
    message: /: opcode 0x[0-9A-F]{2} timed out \(host status DID_TIME_OUT\)/u,
    errorClass: CommandTimeoutError,
    code: 'ERR_COMMAND_TIMEOUT',
    cliCode: 'ERR_COMMAND_TIMEOUT',
  },
  'medium-change': {
    message: /: the disc was changed \(.*UNIT ATTENTION.*\(06\/28\/00\)\): a rescue never mixes two discs — start a new one for this disc/u,
    errorClass: UnitAttentionError,
    code: 'ERR_SCSI_UNIT_ATTENTION',
    cliCode: 'ERR_SCSI_UNIT_ATTENTION',
  },
};

const READ_OPCODES = new Set([0x28, 0xa8, 0xbe]);

/**
 * Passes commands to an emulated drive, counting them and the reads among them; from read number
 * `changeAtRead` on (once) it answers CHECK CONDITION 06/28/00, as a drive whose tray was opened
 * and closed does.
 */
class CountingTransport implements Transport {
  commands = 0;
  reads = 0;
  firstReadCommand: number | undefined;
  readonly #inner: EmulatedDrive;
  readonly #changeAtRead: number | undefined;
  #changed = false;

  constructor(inner: EmulatedDrive, changeAtRead?: number) {
    this.#inner = inner;
    this.#changeAtRead = changeAtRead;
  }
  get path(): string {
    return this.#inner.path;
  }
  get maxTransferBytes(): number {
    return this.#inner.maxTransferBytes;
  }
  get closed(): boolean {
    return this.#inner.closed;
  }
  get stats(): unknown {
    return this.#inner.stats;
  }
  async execute(command: ScsiCommand, options?: ExecuteOptions): Promise<CommandResult> {
    const isRead = READ_OPCODES.has(command.cdb[0] ?? 0);
    if (isRead) {
      this.firstReadCommand ??= this.commands;
      this.reads++;
    }
    this.commands++;
    if (isRead && !this.#changed && this.#changeAtRead !== undefined && this.reads > this.#changeAtRead) {
      this.#changed = true;
      const sense = new Uint8Array(18);
      sense.set([0x70, 0, 0x06, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x28, 0x00]);
      const allocated = command.direction === 'in' ? (command.dataLength ?? 0) : 0;
      return { status: ScsiStatus.CHECK_CONDITION, sense, data: new Uint8Array(0), residual: allocated, hostStatus: 0, driverStatus: 0x08, durationMs: 1 };
    }
    return this.#inner.execute(command, options);
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** Emulator faults (vanish, timeout) that start `readsIn` reads after the first read of a healthy run. */
function faultOptions(fault: Fault, firstReadCommand: number, readsIn: number, base: FaultOptions): FaultOptions {
  if (fault === 'vanish') return { ...base, vanishAfterCommands: firstReadCommand + readsIn };
  if (fault === 'timeout') return { ...base, timeouts: { afterCommands: firstReadCommand + readsIn } };
  return base;
}

/** The error a run rejected with; fails the test when it did not reject. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome, 'the run must stop with an error').toBeInstanceOf(Error);
  return outcome as Error;
}

/** Parses the mapfile (as a resume would) and checks what it claims against the expected image. */
function expectTruthfulMapfile(mapPath: string, imagePath: string, expected: Uint8Array, badByte: (pos: number) => boolean): { finished: number; open: number } {
  const map = readMapfile(readFileSync(mapPath, 'utf8'), { fileName: mapPath }).map;
  const image = readFileSync(imagePath);
  let finished = 0;
  let open = 0;
  for (const r of map.runs()) {
    if (r.status === '+') {
      finished += r.size;
      expect(image.subarray(r.pos, r.pos + r.size).equals(Buffer.from(expected.subarray(r.pos, r.pos + r.size))), `finished block at ${r.pos}`).toBe(true);
    } else if (r.status === '-') {
      for (let pos = r.pos; pos < r.pos + r.size; pos += 512) expect(badByte(pos), `byte ${pos} marked bad`).toBe(true);
    } else {
      open += r.size;
    }
  }
  return { finished, open };
}

function cliContext(): { ctx: { stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean } }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    ctx: { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) } },
    out: () => out,
    err: () => err,
  };
}

// ---- rescue ------------------------------------------------------------------------------------

const SECTORS = 1500;
const DATA = randomBytes(SECTORS * SECTOR, 71);
const BAD = [200, 201, 202, 640, 1100];
const isoPath = folder.path('disc.iso');
const defectsPath = folder.path('defects.map');
const rescueBase: FaultOptions = { defectMap: { mapfile: defectMap(SECTORS, new Set(BAD)) } };
const finalRescueBlocks = blockLines(SECTORS, (lba) => (BAD.includes(lba) ? '-' : '+'));
const finalRescueImage = expectedImage(DATA, BAD);
const rescueBadByte = (pos: number) => BAD.includes(Math.floor(pos / SECTOR));
let rescueFirstRead = 0;

/** The emulated drive the CLI's `emu:disc.iso --defects defects.map` opens, with more faults. */
async function rescueDrive(faults: FaultOptions): Promise<EmulatedDrive> {
  const drive = await Drive.open(`emu:${isoPath}`, { emulator: { faults } });
  return drive.transport as EmulatedDrive;
}

/** A rescue on a drive with `fault` 12 reads in; the error it stopped with and, if asked, the session recorded. */
async function faultyRescue(fault: Fault, imagePath: string, mapfilePath: string, record: boolean): Promise<{ error: Error; recording?: unknown }> {
  const counting = new CountingTransport(await rescueDrive(faultOptions(fault, rescueFirstRead, 12, rescueBase)), fault === 'medium-change' ? 12 : undefined);
  const recorder = record ? new RecordingTransport(counting) : undefined;
  const source = await createDriveSource(Drive.fromTransport(recorder ?? counting), { closeDrive: true });
  const error = await rejection(rescue({ source, imagePath, mapfilePath }));
  await source.close().catch(() => undefined);
  return { error, ...(recorder ? { recording: recorder.recording() } : {}) };
}

beforeAll(async () => {
  writeFileSync(isoPath, DATA);
  writeFileSync(defectsPath, defectMap(SECTORS, new Set(BAD)));
  // Where reads start on a healthy drive: the faults are placed after it.
  const counting = new CountingTransport(await rescueDrive(rescueBase));
  const source = await createDriveSource(Drive.fromTransport(counting), { closeDrive: true });
  await rescue({ source, imagePath: folder.path('healthy.img'), mapfilePath: folder.path('healthy.map') });
  await source.close();
  rescueFirstRead = counting.firstReadCommand!;
  expect(rescueFirstRead).toBeGreaterThan(0);
});

describe('rescue: a drive that fails mid-run', () => {
  test.each(FAULTS)('%s, through the API: stops saying why; the mapfile is truthful; a healthy drive finishes it', async (fault) => {
    const dir = folder.path(`rescue-api-${fault}`);
    mkdirSync(dir);
    const imagePath = join(dir, 'out.img');
    const mapfilePath = join(dir, 'out.map');
    const { error } = await faultyRescue(fault, imagePath, mapfilePath, false);
    expect(error).toBeInstanceOf(EXPECTED[fault].errorClass);
    expect(error.message).toMatch(EXPECTED[fault].message);
    const { finished, open } = expectTruthfulMapfile(mapfilePath, imagePath, finalRescueImage, rescueBadByte);
    expect(finished).toBeGreaterThan(0);
    expect(open).toBeGreaterThan(0);

    const healthy = await createDriveSource(Drive.fromTransport(await rescueDrive(rescueBase)), { closeDrive: true });
    const result = await rescue({ source: healthy, imagePath, mapfilePath });
    await healthy.close();
    expect(result.resumed).toBe(true);
    expect(mapBlocks(readFileSync(mapfilePath, 'latin1'))).toBe(finalRescueBlocks);
    expect(readFileSync(imagePath).equals(Buffer.from(finalRescueImage))).toBe(true);
  });

  test.each(FAULTS)('%s, through the CLI: exit 1, the message and code on stderr; the same command on a healthy drive finishes', async (fault) => {
    const dir = folder.path(`rescue-cli-${fault}`);
    mkdirSync(dir);
    const { recording } = await faultyRescue(fault, join(dir, 'recorded.img'), join(dir, 'recorded.map'), true);
    const replay = join(dir, 'session.json');
    writeFileSync(replay, JSON.stringify(recording));
    const imagePath = join(dir, 'out.img');
    const mapfilePath = join(dir, 'out.map');
    const failed = cliContext();
    expect(await run(['rescue', `replay:${replay}`, imagePath, mapfilePath, '--json'], failed.ctx)).toBe(1);
    expect(failed.out()).toBe('');
    expect(failed.err()).toMatch(new RegExp(`^discrescue: (replay:)?emu:${escape(isoPath)}${EXPECTED[fault].message.source}.* \\[${EXPECTED[fault].cliCode}\\]\\n$`, 'u'));
    const { finished, open } = expectTruthfulMapfile(mapfilePath, imagePath, finalRescueImage, rescueBadByte);
    expect(finished).toBeGreaterThan(0);
    expect(open).toBeGreaterThan(0);

    const resumed = cliContext();
    expect(await run(['rescue', `emu:${isoPath}`, imagePath, mapfilePath, '--defects', defectsPath, '--json'], resumed.ctx)).toBe(1);
    expect(resumed.err()).toBe('');
    expect(JSON.parse(resumed.out())).toMatchObject({ resumed: true, complete: false, badSectorBytes: BAD.length * SECTOR, nonTriedBytes: 0 });
    expect(mapBlocks(readFileSync(mapfilePath, 'latin1'))).toBe(finalRescueBlocks);
    expect(readFileSync(imagePath).equals(Buffer.from(finalRescueImage))).toBe(true);
  });
});

// ---- dump --------------------------------------------------------------------------------------

const DUMP_DISC = 'emu:demo-mixed';
/** demo-mixed comes with 10 unreadable sectors, 1200-1209. */
const dumpBadByte = (pos: number) => pos >= 1200 * 2352 && pos < 1210 * 2352;
const cleanDumpDir = folder.path('dump-clean');
let cleanRaw: Buffer;
let healthyDump = { commands: 0, reads: 0 };

async function dumpDrive(faults: FaultOptions): Promise<EmulatedDrive> {
  const drive = await Drive.open(DUMP_DISC, { emulator: { faults } });
  return drive.transport as EmulatedDrive;
}

function dumpOutputs(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir).sort()) if (/\.(bin|cue|toc)$/u.test(name)) files.set(name, readFileSync(join(dir, name)));
  return files;
}

function expectSameDump(dir: string): void {
  const got = dumpOutputs(dir);
  const want = dumpOutputs(cleanDumpDir);
  expect([...got.keys()]).toEqual([...want.keys()]);
  for (const [name, bytes] of want) expect(got.get(name)?.equals(bytes), name).toBe(true);
  const blocks = (d: string) => [...readMapfile(readFileSync(join(d, 'disc.map'), 'utf8')).map.runs()].map((r) => `${r.pos} ${r.size} ${r.status}`);
  expect(blocks(dir)).toEqual(blocks(cleanDumpDir));
}

/** A dump on a drive whose fault comes 30 % into a healthy dump's commands (well inside its reads). */
async function faultyDump(fault: Fault, cuePath: string, record: boolean): Promise<{ error: Error; recording?: unknown }> {
  const at = Math.floor(healthyDump.commands * 0.3);
  const faults: FaultOptions = fault === 'vanish' ? { vanishAfterCommands: at } : fault === 'timeout' ? { timeouts: { afterCommands: at } } : {};
  const counting = new CountingTransport(await dumpDrive(faults), fault === 'medium-change' ? Math.floor(healthyDump.reads * 0.3) : undefined);
  const recorder = record ? new RecordingTransport(counting) : undefined;
  const drive = Drive.fromTransport(recorder ?? counting);
  const error = await rejection(dumpDisc({ source: drive, cuePath }));
  await drive.close().catch(() => undefined);
  return { error, ...(recorder ? { recording: recorder.recording() } : {}) };
}

beforeAll(async () => {
  mkdirSync(cleanDumpDir);
  const counting = new CountingTransport(await dumpDrive({}));
  const drive = Drive.fromTransport(counting);
  const result = await dumpDisc({ source: drive, cuePath: join(cleanDumpDir, 'disc.cue') });
  await drive.close();
  expect(result.complete).toBe(false);
  expect(result.rescue.badAreas).toEqual([{ lba: 1200, sectorCount: 10, status: '-' }]);
  healthyDump = { commands: counting.commands, reads: counting.reads };
  cleanRaw = readFileSync(join(cleanDumpDir, 'disc.raw'));
});

describe('dump: a drive that fails mid-run', () => {
  test.each(FAULTS)('%s, through the API: stops saying why, writes no cue sheet; a healthy drive finishes it', async (fault) => {
    const dir = folder.path(`dump-api-${fault}`);
    mkdirSync(dir);
    const cuePath = join(dir, 'disc.cue');
    const { error } = await faultyDump(fault, cuePath, false);
    expect(error).toBeInstanceOf(EXPECTED[fault].errorClass);
    expect(error.message).toMatch(EXPECTED[fault].message);
    expect(readdirSync(dir).filter((name) => /\.(cue|bin|toc|json)$/u.test(name))).toEqual([]);
    const { finished, open } = expectTruthfulMapfile(join(dir, 'disc.map'), join(dir, 'disc.raw'), cleanRaw, dumpBadByte);
    expect(finished).toBeGreaterThan(0);
    expect(open).toBeGreaterThan(0);

    const healthy = Drive.fromTransport(await dumpDrive({}));
    const result = await dumpDisc({ source: healthy, cuePath });
    await healthy.close();
    expect(result.rescue.resumed).toBe(true);
    expectSameDump(dir);
  });

  test.each(FAULTS)('%s, through the CLI: exit 1 with the message; the same command on a healthy drive finishes', async (fault) => {
    const dir = folder.path(`dump-cli-${fault}`);
    mkdirSync(join(dir, 'recorded'), { recursive: true });
    const { recording } = await faultyDump(fault, join(dir, 'recorded', 'disc.cue'), true);
    const replay = join(dir, 'session.json');
    writeFileSync(replay, JSON.stringify(recording));
    const cuePath = join(dir, 'disc.cue');
    const failed = cliContext();
    expect(await run(['dump', `replay:${replay}`, cuePath, '--json'], failed.ctx)).toBe(1);
    expect(failed.out()).toBe('');
    expect(failed.err()).toMatch(new RegExp(`^discrescue: (replay:)?${DUMP_DISC}${EXPECTED[fault].message.source}.* \\[${EXPECTED[fault].cliCode}\\]\\n$`, 'u'));
    const { finished } = expectTruthfulMapfile(join(dir, 'disc.map'), join(dir, 'disc.raw'), cleanRaw, dumpBadByte);
    expect(finished).toBeGreaterThan(0);

    const resumed = cliContext();
    expect(await run(['dump', DUMP_DISC, cuePath, '--json'], resumed.ctx)).toBe(1);
    expect(resumed.err()).toBe('');
    expect(JSON.parse(resumed.out())).toMatchObject({ complete: false, rescue: { resumed: true, badAreas: [{ lba: 1200, sectorCount: 10, status: '-' }] } });
    expectSameDump(dir);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}
