/**
 * Crash safety of `dump`: a dump of an emulated CD-Extra disc (audio session, data session, the
 * gap between them never read) with dense defects is SIGKILLed at seeded random moments and
 * resumed, through the built CLI (mapfile saved every 5 s) and through the built library in a
 * child process (mapfile saved every 50 ms, so kills land between saves). After every kill the
 * mapfile on disk must parse and every byte it calls finished must equal the clean run's work
 * image, and every sector it calls bad must be a defect; every chain of resumed runs must end with
 * the BIN, CUE and TOC files and the mapfile of a clean run. SIGINT stops a dump cleanly.
 *
 * KILL_TRIALS sets the number of kills (default 22; `npm run soak` runs 500).
 */

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readMapfile } from '../../lib/rescue/mapfile.js';
import { prng, tempFolder } from '../rescue/helpers.js';
import { fileAppears, killAfter, killTrials, startNode, trialTimeout, type ChildRun, type Exit } from './kill-harness.js';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const library = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const childScript = fileURLToPath(new URL('./dump-child.mjs', import.meta.url));
const built = existsSync(cli) && existsSync(library);
const RAW = 2352;
const DISC = 'emu:demo-cdextra';
/** demo-cdextra: audio tracks at LBA 0-5549 (session 1), the data track at 16950-18949 (session 2, pregap from 16800). */
const TRACK_RANGES: Array<[number, number]> = [
  [0, 5550],
  [16_800, 18_950],
];
const KILLS = killTrials(22);

const folder = tempFolder('dump-crash');
const defectsPath = folder.path('defects.map');
const cleanDir = folder.path('clean');
const workDir = folder.path('work');

/** One or two bad sectors every 120-127 sectors of both sessions: enough work for kills to land mid-dump. */
const bad = new Set<number>();
{
  const random = prng(77);
  for (const [start, end] of [[40, 5530], [16_960, 18_930]] as const) {
    for (let lba = start; lba < end; ) {
      const length = 1 + Math.floor(random() * 2);
      for (let i = 0; i < length; i++) bad.add(lba + i);
      lba += 120 + Math.floor(random() * 8);
    }
  }
}

/** The emulator's defect map counts 2048-byte sectors by LBA. */
function defectMap(): string {
  const hex = (value: number) => `0x${value.toString(16).toUpperCase().padStart(8, '0')}`;
  const lines: string[] = [];
  const end = 19_000;
  for (let lba = 0; lba < end; ) {
    const status = bad.has(lba) ? '-' : '+';
    let next = lba + 1;
    while (next < end && (bad.has(next) ? '-' : '+') === status) next++;
    lines.push(`${hex(lba * 2048)}  ${hex((next - lba) * 2048)}  ${status}`);
    lba = next;
  }
  return `0x00000000 +\n${lines.join('\n')}\n`;
}

interface Outputs {
  files: Map<string, Buffer>;
  mapBlocks: string;
  tracks: string;
}

let clean: Outputs;
let cleanRaw: Buffer;

/** The outputs a chain must reproduce: BINs, CUE, TOCs byte for byte; the map's blocks; the JSON's tracks. */
function outputsOf(dir: string): Outputs {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir).sort()) {
    if (/\.(bin|cue|toc)$/u.test(name)) files.set(name, readFileSync(join(dir, name)));
  }
  const map = readMapfile(readFileSync(join(dir, 'disc.map'), 'utf8')).map;
  const json = JSON.parse(readFileSync(join(dir, 'disc.json'), 'utf8')) as { complete: boolean; tracks: unknown };
  return {
    files,
    mapBlocks: [...map.runs()].map((r) => `${r.pos} ${r.size} ${r.status}`).join('\n'),
    tracks: JSON.stringify({ complete: json.complete, tracks: json.tracks }),
  };
}

function expectSameAsClean(dir: string): void {
  const got = outputsOf(dir);
  expect([...got.files.keys()]).toEqual([...clean.files.keys()]);
  for (const [name, bytes] of clean.files) expect(got.files.get(name)?.equals(bytes), name).toBe(true);
  expect(got.mapBlocks).toBe(clean.mapBlocks);
  expect(got.tracks).toBe(clean.tracks);
}

type Launcher = 'cli' | 'library';

function start(launcher: Launcher, dir: string): ChildRun {
  const cue = join(dir, 'disc.cue');
  return launcher === 'cli'
    ? startNode([cli, 'dump', DISC, cue, '--defects', defectsPath, '--json'])
    : startNode([childScript, DISC, cue, defectsPath, '50']);
}

/**
 * The mapfile on disk after a kill: it parses; its finished bytes equal the clean work image; its
 * bad sectors are defects. Returns the phase line of its heading, or undefined without a mapfile.
 */
function checkAfterKill(): string | undefined {
  const mapPath = join(workDir, 'disc.map');
  if (!existsSync(mapPath)) return undefined;
  const text = readFileSync(mapPath, 'utf8');
  const map = readMapfile(text, { fileName: mapPath }).map;
  const raw = existsSync(join(workDir, 'disc.raw')) ? readFileSync(join(workDir, 'disc.raw')) : Buffer.alloc(0);
  for (const run of map.runs()) {
    if (run.status === '+') {
      const got = raw.subarray(run.pos, run.pos + run.size);
      const want = cleanRaw.subarray(run.pos, run.pos + run.size);
      if (got.length !== run.size || !got.equals(want)) throw new Error(`the mapfile calls ${run.size} bytes at ${run.pos} finished, but the work image holds other bytes there`);
    }
    if (run.status === '-') {
      for (let lba = run.pos / RAW; lba < (run.pos + run.size) / RAW; lba++) {
        if (!bad.has(lba)) throw new Error(`the mapfile calls LBA ${lba} bad, but it is readable`);
      }
    }
  }
  return text.split('\n')[4]?.replace(/^# /u, '');
}

function fresh(): void {
  mkdir(workDir);
}

function mkdir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

beforeAll(async () => {
  if (!built) return;
  writeFileSync(defectsPath, defectMap());
  mkdir(cleanDir);
  const exit = await startNode([cli, 'dump', DISC, join(cleanDir, 'disc.cue'), '--defects', defectsPath, '--json']).exited;
  expect(exit.code, exit.stderr).toBe(1); // the defects stay unread
  clean = outputsOf(cleanDir);
  cleanRaw = readFileSync(join(cleanDir, 'disc.raw'));
  // Exactly the defects inside the tracks are bad.
  const badInTracks = [...bad].filter((lba) => TRACK_RANGES.some(([s, e]) => lba >= s && lba < e)).length;
  const map = readMapfile(readFileSync(join(cleanDir, 'disc.map'), 'utf8')).map;
  expect(map.count('-')).toBe(badInTracks * RAW);
}, 60_000);
afterAll(() => folder.remove());

describe.skipIf(!built)(`dump under SIGKILL${built ? '' : ' (SKIPPED: run npm run build:ts first)'}`, () => {
  test(`killed ${KILLS} times at random moments and resumed: the mapfile never claims data the work image lacks`, { timeout: trialTimeout(KILLS, 6000) }, async () => {
    // Time an uninterrupted run of each launcher: machines differ, and so does their load.
    const timing = new Map<Launcher, { totalMs: number; firstSaveMs: number }>();
    for (const launcher of ['cli', 'library'] as const) {
      fresh();
      const began = Date.now();
      const run = start(launcher, workDir);
      await fileAppears(join(workDir, 'disc.map'));
      const firstSaveMs = Date.now() - began;
      const exit = await run.exited;
      expect(exit.code, exit.stderr).toBe(1);
      expectSameAsClean(workDir);
      timing.set(launcher, { totalMs: Date.now() - began, firstSaveMs });
    }
    const random = prng(2025);
    const began = Date.now();
    const phases = new Map<string, number>();
    let kills = 0;
    let runs = 0;
    let chainsFinished = 0;
    fresh();
    while (kills < KILLS) {
      const launcher: Launcher = random() < 0.25 ? 'cli' : 'library';
      const { totalMs, firstSaveMs } = timing.get(launcher)!;
      // From half the start-up time to the end of a whole run: writing the BINs is a moment too.
      const delay = Math.round(firstSaveMs / 2 + random() * (totalMs - firstSaveMs / 2));
      runs++;
      const exit: Exit = await killAfter(start(launcher, workDir), delay);
      if (exit.signal === 'SIGKILL') {
        kills++;
        const phase = checkAfterKill() ?? 'no mapfile yet';
        const key = `${phase.replace(/ Pass \d.*$/u, '')} (${launcher})`;
        phases.set(key, (phases.get(key) ?? 0) + 1);
      } else {
        // It finished first: the chain of resumed runs must end as a clean run does.
        expect(exit.code, exit.stderr).toBe(1);
        expectSameAsClean(workDir);
        chainsFinished++;
        fresh();
      }
    }
    const last = await start('library', workDir).exited;
    expect(last.code, last.stderr).toBe(1);
    expectSameAsClean(workDir);
    chainsFinished++;
    const summary = [...phases].sort().map(([phase, n]) => `${n} ${phase}`).join(', ');
    console.log(
      `dump: ${kills} SIGKILLs in ${runs} runs (${summary}); ${chainsFinished} chains of resumed runs ended as a clean run; ` +
        `uninterrupted: CLI ${timing.get('cli')!.totalMs} ms, library ${timing.get('library')!.totalMs} ms; ${((Date.now() - began) / 1000).toFixed(1)} s`,
    );
    // Most kills must land while the dump is reading, not before it starts or after it is done.
    const reading = [...phases].filter(([phase]) => /Copying|Trimming|Scraping|Retrying/u.test(phase)).reduce((sum, [, n]) => sum + n, 0);
    expect(reading).toBeGreaterThanOrEqual(Math.ceil(KILLS * 0.3));
  });

  test('SIGINT stops a dump cleanly: the mapfile is saved, the message says how to go on, a resume finishes', { timeout: 60_000 }, async () => {
    fresh();
    const cue = join(workDir, 'disc.cue');
    const run = startNode([cli, 'dump', DISC, cue, '--defects', defectsPath]);
    // Wait until the rescue is reading (the progress line shows), then interrupt.
    const until = Date.now() + 20_000;
    while (!existsSync(join(workDir, 'disc.map')) && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill('SIGINT');
    const exit = await run.exited;
    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain(`interrupted: the mapfile ${join(workDir, 'disc.map')} is saved; run the same command again to continue`);
    expect(existsSync(cue)).toBe(false); // the sheet is written last
    checkAfterKill();
    const resumed = await startNode([cli, 'dump', DISC, cue, '--defects', defectsPath, '--json']).exited;
    expect(resumed.code, resumed.stderr).toBe(1);
    expectSameAsClean(workDir);
  });
});
