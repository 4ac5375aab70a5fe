// Benchmark 1: damaged discs, simulated drive time.
//
// For each defect map, GNU ddrescue runs in test mode (`--test-mode=<defects>`) over a sparse
// file of zeros and logs its reads (`--log-reads`); those reads are then replayed, in order, as
// READ(10) commands on a fresh emulated drive with the same defect map, so ddrescue is charged by
// the same cost model (and at the drive's default read retry count, which ddrescue cannot change)
// as our engine, which rescues the same emulated disc through a drive source.

import { mkdirSync, rmSync, writeFileSync, openSync, ftruncateSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createEmulatedDrive, createSyntheticDisc } from '../dist/emulator/index.js';
import { Drive } from '../dist/drive/drive.js';
import { createDriveSource } from '../dist/sources/drive-source.js';
import { rescue } from '../dist/rescue/engine.js';
import { readMapfile } from '../dist/rescue/mapfile.js';
import { buildRead10 } from '../dist/scsi/read.js';
import {
  SECTOR,
  badSectorCount,
  ddrescueVersion,
  defectMapText,
  fmt,
  haveCommand,
  normalizeAreas,
  printTable,
  prng,
  randomSmallAreas,
  ratio,
  readText,
  runMeasured,
} from './lib.mjs';

/** A 74-minute data CD. */
export const CD_74_SECTORS = 333_000;

const MEDIUM_ERROR = 0x3;

/**
 * createDataCd(n) without EDC/ECC: READ(10) returns only the 2048 user bytes, timing does not
 * depend on content, and computing ECC for every sector read would double the bench's run time.
 */
function dataCd(sectors) {
  return createSyntheticDisc({ tracks: [{ mode: 'mode1', sectors }], edcEcc: false });
}

/** The defect maps, seeded: [name, description, areas]. */
export function scenarios(totalSectors, seed) {
  const n = totalSectors;
  const list = [];

  {
    const random = prng(seed + 1);
    list.push({ name: 'scattered', description: '300 single bad sectors', areas: randomSmallAreas(random, n, 300, 1, 1, 0, n - 1) });
  }
  {
    const random = prng(seed + 2);
    const start = random.int(Math.floor(n * 0.3), Math.floor(n * 0.6));
    list.push({ name: 'scratch', description: 'one 5,000-sector scratch', areas: [[start, 5000]] });
  }
  {
    const random = prng(seed + 3);
    const bandStart = random.int(Math.floor(n * 0.35), Math.floor(n * 0.55));
    const bandEnd = bandStart + 20_000;
    const areas = [];
    for (let pos = bandStart + random.int(0, 17); pos < bandEnd; ) {
      const length = random.int(1, 2);
      areas.push([pos, Math.min(length, bandEnd - pos)]);
      pos += random.int(11, 18);
    }
    list.push({ name: 'radial', description: 'radial scratch: 1-2 bad every 11-18 over 20,000', areas });
  }
  {
    const random = prng(seed + 4);
    const edge = Math.floor(n * 0.97);
    // The disc's last 16 sectors stay readable: GNU ddrescue's test mode takes a bad tail of the
    // test mapfile for the end of the input (a short read without error) and never tries it.
    const end = n - 16;
    const areas = [];
    // Readable islands of 20-400 sectors inside the decayed edge.
    const islands = [];
    for (let i = 0; i < 12; i++) {
      const length = random.int(20, 400);
      islands.push([random.int(edge + 1, end - length - 1), length]);
    }
    const good = normalizeAreas(islands, n);
    let cursor = edge;
    for (const [start, length] of good) {
      if (start > cursor) areas.push([cursor, start - cursor]);
      cursor = Math.max(cursor, start + length);
    }
    if (cursor < end) areas.push([cursor, end - cursor]);
    list.push({ name: 'outer-edge', description: `decayed outer edge: 3% bad, ${good.length} readable islands, last 16 sectors readable`, areas });
  }
  {
    const random = prng(seed + 5);
    list.push({ name: 'tiny-10k', description: '10,000 tiny bad areas (1-3 sectors)', areas: randomSmallAreas(random, n, 10_000, 1, 3, 0, n - 1) });
  }
  return list.map((s) => ({ ...s, areas: normalizeAreas(s.areas, n) }));
}

/** Parses a GNU ddrescue --log-reads file: `pos size copied_size error_size` per read. */
export function parseReadLog(text) {
  const reads = [];
  const phases = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length === 0) continue;
    if (line.startsWith('#')) {
      // "# 0s  Copying non-tried blocks... Pass 1 (forwards)" starts a phase.
      const phase = /^#\s+\d+[smhd]\s+(.*)$/.exec(line);
      if (phase) phases.push({ index: reads.length, title: phase[1] });
      continue;
    }
    const fields = line.split(/\s+/);
    if (fields.length !== 4) throw new Error(`unexpected line in the ddrescue read log: ${JSON.stringify(line)}`);
    const [pos, size, copied, errors] = fields.map((f) => {
      const value = Number(f);
      if (!Number.isSafeInteger(value) || value < 0) throw new Error(`unexpected number in the ddrescue read log: ${JSON.stringify(line)}`);
      return value;
    });
    reads.push({ pos, size, copied, errors });
  }
  return { reads, phases };
}

/**
 * Replays ddrescue's reads on a fresh emulated drive: READ(10) of each logged pos/size, split at
 * the drive's transfer limit, stopping a logged read at its first failed command. Returns the
 * drive's clock at the last successful read and at the end, and how often the drive and the log
 * disagreed about a read's outcome.
 */
export async function replayReads(reads, makeDrive) {
  const drive = makeDrive();
  const perCommand = Math.floor(drive.maxTransferBytes / SECTOR);
  let lastSuccess = 0;
  let disagreements = 0;
  let sectorsRescued = 0;
  for (const read of reads) {
    if (read.pos % SECTOR !== 0 || read.size % SECTOR !== 0 || read.size === 0) {
      throw new Error(`ddrescue read at ${read.pos} of ${read.size} bytes is not in whole ${SECTOR}-byte sectors`);
    }
    const lba = read.pos / SECTOR;
    const count = read.size / SECTOR;
    let ok = true;
    for (let done = 0; done < count; ) {
      const chunk = Math.min(perCommand, count - done);
      const result = await drive.execute(buildRead10({ lba: lba + done, sectorCount: chunk }));
      if (result.status !== 0) {
        const senseKey = (result.sense[2] ?? 0) & 0x0f;
        if (senseKey !== MEDIUM_ERROR) throw new Error(`replay: READ(10) at LBA ${lba + done} got sense key ${senseKey}`);
        ok = false;
        break;
      }
      sectorsRescued += chunk;
      lastSuccess = drive.stats.simulatedSeconds;
      done += chunk;
    }
    const logOk = read.copied === read.size && read.errors === 0;
    if (ok !== logOk) disagreements++;
  }
  const stats = drive.stats;
  await drive.close();
  return { ...stats, lastSuccessSeconds: lastSuccess, disagreements, sectorsRescued };
}

function compareMaps(a, b) {
  return a.map.equals(b.map);
}

function ddrescuelogSaysEqual(ours, theirs) {
  const result = spawnSync('ddrescuelog', ['-q', '-b2048', `--compare-mapfile=${theirs}`, ours], { encoding: 'utf8' });
  if (result.error) return undefined;
  return result.status === 0;
}

export async function benchDamaged({ tmp, full, seed = 1 }) {
  if (!haveCommand('ddrescue')) {
    console.log('\n[1] GNU ddrescue is not installed: the damaged-disc benchmark is skipped.');
    return { skipped: 'ddrescue not installed' };
  }
  const totalSectors = CD_74_SECTORS;
  const dir = join(tmp, 'damaged');
  mkdirSync(dir, { recursive: true });
  // ddrescue's input: a sparse file of zeros as large as the disc (test mode decides what fails).
  const zeros = join(dir, 'zeros.bin');
  const fd = openSync(zeros, 'w');
  ftruncateSync(fd, totalSectors * SECTOR);
  closeSync(fd);
  const haveDdrescuelog = haveCommand('ddrescuelog');

  console.log(
    `\n[1] Damaged discs, simulated drive time: a 74-minute data CD (${fmt(totalSectors)} sectors, ${fmt((totalSectors * SECTOR) / 1e6, 0)} MB), ` +
      `the full size in every run${full ? '' : ' (also without BENCH_FULL)'}.`,
  );
  console.log('    ddrescue: `ddrescue -b2048 -q -S --test-mode=<defects> --log-reads=<log> <sparse zeros> <out> <map>` (defaults, no retry passes),');
  console.log('    its reads replayed as READ(10) on the emulated drive (default read retry count 17: 2.0 s per failed read).');
  console.log('    ours: rescue() over createDriveSource(emulated drive), retryPasses 0. Same disc, defect map, profile "good", cost model.');

  const rows = [];
  const results = [];
  for (const scenario of scenarios(totalSectors, seed)) {
    const work = join(dir, scenario.name);
    mkdirSync(work, { recursive: true });
    const defectsPath = join(work, 'defects.map');
    const defects = defectMapText(scenario.areas, totalSectors, scenario.description);
    writeFileSync(defectsPath, defects);
    const makeDrive = () => createEmulatedDrive({ disc: dataCd(totalSectors), faults: { defectMap: { mapfile: defects } } });

    // GNU ddrescue in test mode.
    const logPath = join(work, 'ddrescue.log');
    const theirMapPath = join(work, 'ddrescue.map');
    const run = await runMeasured('ddrescue', [
      '-b2048',
      '-q',
      '-S',
      `--test-mode=${defectsPath}`,
      `--log-reads=${logPath}`,
      zeros,
      join(work, 'ddrescue.img'),
      theirMapPath,
    ]);
    if (run.code !== 0) throw new Error(`ddrescue failed (${run.code}): ${run.stderr}`);
    const { reads } = parseReadLog(readText(logPath));
    const theirs = await replayReads(reads, makeDrive);
    rmSync(join(work, 'ddrescue.img'), { force: true });

    // Ours.
    const emulated = makeDrive();
    const source = await createDriveSource(Drive.fromTransport(emulated), { closeDrive: true });
    const ourMapPath = join(work, 'ours.map');
    const imagePath = join(work, 'ours.img');
    let result;
    try {
      result = await rescue({ source, imagePath, mapfilePath: ourMapPath, retryPasses: 0, commandLine: 'bench' });
    } finally {
      await source.close();
      rmSync(imagePath, { force: true });
    }
    const sim = result.simulation;

    const ourMap = readMapfile(readText(ourMapPath));
    const theirMap = readMapfile(readText(theirMapPath));
    const truth = readMapfile(defects);
    const mapsEqual = compareMaps(ourMap, theirMap);
    const oursTruth = compareMaps(ourMap, truth);
    const theirsTruth = compareMaps(theirMap, truth);
    const ddrescuelogEqual = haveDdrescuelog ? ddrescuelogSaysEqual(ourMapPath, theirMapPath) : undefined;

    const entry = {
      scenario: scenario.name,
      description: scenario.description,
      badAreas: scenario.areas.length,
      badSectors: badSectorCount(scenario.areas),
      ddrescue: {
        reads: reads.length,
        failedReads: theirs.failedReads,
        secondsAtLastRescue: theirs.lastSuccessSeconds,
        seconds: theirs.simulatedSeconds,
        logDisagreements: theirs.disagreements,
        wallSeconds: run.wallSeconds,
      },
      ours: {
        commands: sim.commands,
        failedReads: sim.failedReads,
        secondsAtLastRescue: sim.simulatedSecondsAtLastRescue,
        seconds: sim.simulatedSeconds,
        wallSeconds: result.elapsedMs / 1000,
        fastRetries: result.fastRetries,
      },
      ratioLastRescue: ratio(sim.simulatedSecondsAtLastRescue, theirs.lastSuccessSeconds),
      ratioFinished: ratio(sim.simulatedSeconds, theirs.simulatedSeconds),
      mapsEqual,
      ddrescuelogEqual,
      oursMatchesDefects: oursTruth,
      ddrescueMatchesDefects: theirsTruth,
    };
    // No engine rescues the good sectors faster than reading each once in one sweep (1/1800 s each
    // at 24x, one 0.08 s seek): the floor of the time-to-last-rescue ratio for this defect map.
    entry.floorSecondsAtLastRescue = (totalSectors - entry.badSectors) / 1800 + 0.08;
    entry.floorRatioLastRescue = ratio(entry.floorSecondsAtLastRescue, theirs.lastSuccessSeconds);
    entry.targetLastRescue = entry.ratioLastRescue !== undefined && entry.ratioLastRescue <= 0.25;
    entry.targetFinished = entry.ratioFinished !== undefined && entry.ratioFinished <= 0.9;
    results.push(entry);
    rows.push([
      scenario.name,
      fmt(entry.badAreas),
      fmt(entry.badSectors),
      fmt(theirs.lastSuccessSeconds, 1),
      fmt(sim.simulatedSecondsAtLastRescue, 1),
      `${fmt(entry.ratioLastRescue, 3)} ${entry.targetLastRescue ? 'ok' : 'MISS'}`,
      fmt(entry.floorRatioLastRescue, 3),
      fmt(theirs.simulatedSeconds, 1),
      fmt(sim.simulatedSeconds, 1),
      `${fmt(entry.ratioFinished, 3)} ${entry.targetFinished ? 'ok' : 'MISS'}`,
      fmt(theirs.failedReads),
      fmt(sim.failedReads),
      `${fmt(mapsEqual)}${ddrescuelogEqual === undefined ? '' : `/${fmt(ddrescuelogEqual)}`}`,
      `${fmt(oursTruth)}/${fmt(theirsTruth)}`,
      fmt(result.elapsedMs / 1000, 1),
    ]);
    rmSync(work, { recursive: true, force: true });
    process.stdout.write(`    ${scenario.name}: done\n`);
  }
  rmSync(dir, { recursive: true, force: true });

  printTable(
    `[1] Damaged 74-minute CD (${fmt(totalSectors)} sectors): simulated drive seconds, ours vs ${ddrescueVersion()} replayed (targets: last rescue <= 0.25, finished <= 0.9)`,
    [
      ['scenario', 'l'],
      ['areas', 'r'],
      ['bad sect.', 'r'],
      ['dd last-rescue s', 'r'],
      ['ours last-rescue s', 'r'],
      ['ratio', 'r'],
      ['floor', 'r'],
      ['dd finished s', 'r'],
      ['ours finished s', 'r'],
      ['ratio', 'r'],
      ['dd failed', 'r'],
      ['ours failed', 'r'],
      [haveDdrescuelog ? 'maps equal (parse/ddrescuelog -p)' : 'maps equal', 'l'],
      ['= defects (ours/dd)', 'l'],
      ['ours wall s', 'r'],
    ],
    rows,
  );
  const disagreements = results.reduce((sum, r) => sum + r.ddrescue.logDisagreements, 0);
  console.log(
    `    Replay check: ${disagreements === 0 ? 'every replayed read failed or succeeded as in ddrescue\'s log' : `${disagreements} replayed reads disagreed with ddrescue's log`}.` +
      ' "ours wall s" is real time of our rescue, emulator included.',
  );
  console.log('    dd = GNU ddrescue (replayed). "floor": the best ratio any engine could reach for time-to-last-rescue: reading every good sector once, in one sweep.');
  return { sectors: totalSectors, scenarios: results };
}
