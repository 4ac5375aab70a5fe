/**
 * Crash safety of the built CLI: `discrescue rescue` is SIGKILLed at seeded random moments and
 * resumed each time. After every kill, every byte the mapfile on disk calls finished must hold
 * the source's bytes in the image; every chain of runs ends with the image and map of a clean run.
 * A SIGINT stops it cleanly with the mapfile saved.
 *
 * KILL_TRIALS sets the number of kills (default 22; `npm run soak` runs 500).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { killTrials, trialTimeout } from '../reliability/kill-harness.js';
import { blockLines, defectMap, expectedImage, mapBlocks, prng, randomBytes, readBlocks, SECTOR, tempFolder } from './helpers.js';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const SECTORS = 3000;
const folder = tempFolder('crash');
const plain = folder.path('disc.iso');
const defects = folder.path('defects');
const image = folder.path('out.img');
const map = folder.path('out.map');
const data = randomBytes(SECTORS * SECTOR, 5);
const KILLS = killTrials(22);

/** Dense defects, so that a run takes long enough to be interrupted: 1-2 bad sectors every 11-18. */
const bad = new Set<number>();
{
  const random = prng(99);
  for (let lba = 40; lba < SECTORS - 20; ) {
    const length = 1 + Math.floor(random() * 2);
    for (let i = 0; i < length; i++) bad.add(lba + i);
    lba += 11 + Math.floor(random() * 8);
  }
}
const finalLines = blockLines(SECTORS, (lba) => (bad.has(lba) ? '-' : '+'));
const finalImage = Buffer.from(expectedImage(data, bad));

beforeAll(() => {
  writeFileSync(plain, data);
  writeFileSync(defects, defectMap(SECTORS, bad));
});
afterAll(() => folder.remove());

function start(): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [cli, 'rescue', `emu:${plain}`, image, map, '--defects', defects, '--mapfile-interval', '0.01', '--json'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

/** Every finished byte of the mapfile on disk is the source's byte in the image. */
function checkConsistent(): number {
  if (!existsSync(map)) return 0;
  const onDisk = readFileSync(image);
  let finished = 0;
  for (const [pos, size, status] of readBlocks(map)) {
    if (status !== '+') continue;
    finished += size;
    const same = Buffer.compare(onDisk.subarray(pos, pos + size), Buffer.from(data.subarray(pos, pos + size))) === 0;
    if (!same) throw new Error(`the mapfile calls ${size} bytes at ${pos} finished, but the image holds other bytes there`);
  }
  return finished;
}

function checkClean(): void {
  expect(mapBlocks(readFileSync(map, 'latin1'))).toBe(finalLines);
  expect(readFileSync(image).equals(finalImage)).toBe(true);
}

const sleep = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms));

function fresh(): void {
  rmSync(image, { force: true });
  rmSync(map, { force: true });
}

/** Resolves once the mapfile exists (the rescue has started: it saves a mapfile first thing). */
async function mapfileAppears(timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(map)) {
    if (Date.now() > until) throw new Error('the mapfile did not appear');
    await sleep(5);
  }
}

/** Resolves once the mapfile on disk calls some data finished. */
async function someDataSaved(timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (readBlocks(map).some(([, , status]) => status === '+')) return;
    } catch {
      // Not there yet.
    }
    if (Date.now() > until) throw new Error('no finished data appeared in the mapfile');
    await sleep(5);
  }
}

/** An uninterrupted run from scratch: its exit code, its length and when it first saved the mapfile. */
async function timedRun(): Promise<{ code: number | null; totalMs: number; firstSaveMs: number }> {
  const began = Date.now();
  const run = start();
  await mapfileAppears();
  const firstSaveMs = Date.now() - began;
  const exit = await run.exited;
  return { code: exit.code, totalMs: Date.now() - began, firstSaveMs };
}

describe.skipIf(!existsSync(cli))(`the built CLI under SIGKILL${existsSync(cli) ? '' : ' (SKIPPED: run npm run build:ts first)'}`, () => {
  test(`killed ${KILLS} times at random moments and resumed: the mapfile never claims data the image lacks`, { timeout: trialTimeout(KILLS, 4000) }, async () => {
    // Time an uninterrupted run first: machines differ, and so does their load.
    fresh();
    const timing = await timedRun();
    expect(timing.code).toBe(1); // bad sectors remain
    checkClean();
    const random = prng(2024);
    const began = Date.now();
    let kills = 0;
    let midRescue = 0;
    let beforeFirstSave = 0;
    let chainsFinished = 0;
    let runs = 0;
    fresh();
    while (kills < KILLS) {
      const before = existsSync(map) ? readFileSync(map, 'latin1') : undefined;
      const run = start();
      runs++;
      // Anywhere from half the start-up time to 70 % of a whole run (resumed runs have less to do).
      const delay = Math.round(timing.firstSaveMs / 2 + random() * (0.7 * timing.totalMs - timing.firstSaveMs / 2));
      const outcome = await Promise.race([run.exited, sleep(delay)]);
      let exit = outcome === 'timeout' ? undefined : outcome;
      if (exit === undefined) {
        run.child.kill('SIGKILL');
        exit = await run.exited;
      }
      if (exit.signal === 'SIGKILL') {
        kills++;
        const after = existsSync(map) ? readFileSync(map, 'latin1') : undefined;
        if (after !== before) midRescue++;
        else beforeFirstSave++;
        checkConsistent();
      } else {
        // It finished first: the chain of resumed runs must end as a clean run does.
        expect(exit.stderr).toBe('');
        expect(exit.code).toBe(1);
        checkClean();
        chainsFinished++;
        fresh();
      }
    }
    // Finish the last chain without interruptions.
    const last = await start().exited;
    expect(last.code).toBe(1);
    checkClean();
    chainsFinished++;
    console.log(
      `${kills} SIGKILLs in ${runs} runs: ${midRescue} landed mid-rescue (the mapfile had changed), ${beforeFirstSave} during start-up; ` +
        `${chainsFinished} chains of resumed runs ended as a clean run; an uninterrupted run took ${timing.totalMs} ms ` +
        `(the rescue started after ${timing.firstSaveMs} ms); ${((Date.now() - began) / 1000).toFixed(1)} s`,
    );
    expect(midRescue).toBeGreaterThanOrEqual(Math.ceil(KILLS * 0.45));
  });

  test.each(['SIGINT', 'SIGTERM'] as const)('%s stops it cleanly: the mapfile is saved and a resume finishes', { timeout: 30_000 }, async (signal) => {
    fresh();
    const run = start();
    await someDataSaved();
    run.child.kill(signal);
    const exit = await run.exited;
    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/interrupted.*mapfile.*saved/u);
    expect(checkConsistent()).toBeGreaterThan(0);
    expect(readBlocks(map).some(([, , status]) => status !== '+' && status !== '-')).toBe(true);
    const resumed = await start().exited;
    expect(resumed.code).toBe(1);
    checkClean();
  });
});
