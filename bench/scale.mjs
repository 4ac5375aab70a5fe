// Benchmark 3: scale. (a) A mapfile of 1,000,000 blocks: format, load and save times, with GNU
// ddrescuelog reading the same file as the oracle. (b) An emulated BD with many small bad areas
// rescued into an image file, in a child process so its peak RSS is measured on its own.

import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { IntervalMap } from '../dist/rescue/interval-map.js';
import { formatMapfile, readMapfile, saveMapfile } from '../dist/rescue/mapfile.js';
import { GNU_TIME, SECTOR, fmt, haveCommand, median, printTable, prng, ratio, runMeasured, writeBdDefects } from './lib.mjs';

const BD_CHILD = resolve(fileURLToPath(new URL('./bd-child.mjs', import.meta.url)));
/** A single-layer 25 GB BD. */
export const BD_25_SECTORS = 12_219_392;

/** A damaged-disc map of `blocks` runs: finished stretches between small non-finished areas. */
function bigMap(blocks, seed) {
  const random = prng(seed);
  const others = ['-', '*', '/', '?'];
  const runs = [];
  let pos = 0;
  for (let i = 0; i < blocks; i++) {
    const status = i % 2 === 0 ? '+' : others[(i >> 1) % others.length];
    const size = SECTOR * (status === '+' ? random.int(1, 64) : random.int(1, 4));
    runs.push({ pos, size, status });
    pos += size;
  }
  return IntervalMap.fromRuns(runs);
}

function timed(action, repeats) {
  const times = [];
  let result;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    result = action();
    times.push(performance.now() - start);
  }
  return { result, ms: median(times) };
}

async function timedAsync(action, repeats) {
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await action();
    times.push(performance.now() - start);
  }
  return median(times);
}

async function benchMapfile(dir) {
  const blocks = 1_000_000;
  const repeats = 3;
  const map = bigMap(blocks, 11);
  if (map.runCount !== blocks) throw new Error(`expected ${blocks} runs, got ${map.runCount}`);
  const mapfile = { currentPos: 0, currentStatus: '?', currentPass: 1, map };
  const options = { commandLine: 'bench', startTime: new Date(), currentTime: new Date() };
  const format = timed(() => formatMapfile(mapfile, options), repeats);
  const text = format.result;
  const load = timed(() => readMapfile(text), repeats);
  if (!load.result.map.equals(map)) throw new Error('the 1,000,000-block mapfile did not round-trip');
  const path = join(dir, 'big.map');
  const saveMs = await timedAsync(() => saveMapfile(path, mapfile, options), repeats);
  const fileLoad = timed(() => readMapfile(readFileSync(path, 'utf8')), repeats);

  let oracle;
  if (haveCommand('ddrescuelog')) {
    const run = (args) => {
      const times = [];
      for (let i = 0; i < repeats; i++) {
        const start = performance.now();
        const result = spawnSync('ddrescuelog', args, { stdio: ['ignore', 'ignore', 'pipe'] });
        if (result.status !== 0) throw new Error(`ddrescuelog ${args.join(' ')} failed: ${result.stderr}`);
        times.push(performance.now() - start);
      }
      return median(times);
    };
    oracle = {
      showStatusMs: run(['-b2048', '-t', path]),
      completeMs: run(['-b2048', '-C', path]),
    };
  }
  const loadAndWriteMs = fileLoad.ms + format.ms;
  const rows = [
    ['format (formatMapfile)', fmt(format.ms, 0), ''],
    ['load from text (readMapfile)', fmt(load.ms, 0), ''],
    ['load from file (read + readMapfile)', fmt(fileLoad.ms, 0), oracle ? `ddrescuelog -t: ${fmt(oracle.showStatusMs, 0)} ms, ratio ${fmt(ratio(fileLoad.ms, oracle.showStatusMs), 2)}` : ''],
    ['save (saveMapfile: format + atomic write + fsync)', fmt(saveMs, 0), ''],
    ['load from file + format', fmt(loadAndWriteMs, 0), oracle ? `ddrescuelog -C (read + write to a pipe): ${fmt(oracle.completeMs, 0)} ms, ratio ${fmt(ratio(loadAndWriteMs, oracle.completeMs), 2)}` : ''],
  ];
  printTable(
    `[3a] Mapfile of ${fmt(blocks)} blocks (${fmt(text.length / 1e6, 1)} MB of text), median of ${repeats}`,
    [
      ['operation', 'l'],
      ['ms', 'r'],
      ['oracle', 'l'],
    ],
    rows,
  );
  rmSync(path, { force: true });
  return {
    blocks,
    textBytes: text.length,
    formatMs: format.ms,
    loadMs: load.ms,
    loadFromFileMs: fileLoad.ms,
    saveMs,
    ddrescuelog: oracle,
    ratioLoadVsDdrescuelogT: oracle ? ratio(fileLoad.ms, oracle.showStatusMs) : undefined,
    ratioLoadFormatVsDdrescuelogC: oracle ? ratio(loadAndWriteMs, oracle.completeMs) : undefined,
  };
}

async function benchBd(dir, full) {
  const sectors = full ? BD_25_SECTORS : Math.round(BD_25_SECTORS / 10);
  const areas = full ? 100_000 : 10_000;
  const label = full ? '25 GB BD' : '1/10 of a 25 GB BD (2.5 GB; BENCH_FULL=1 for the full 25 GB)';
  console.log(`\n[3b] ${label}: ${fmt(sectors)} sectors, ${fmt(areas)} bad areas of 1-4 sectors, rescued (retryPasses 0) into an image file in a child process...`);
  const work = join(dir, 'bd');
  mkdirSync(work, { recursive: true });
  let run;
  try {
    writeBdDefects(join(work, 'defects.map'), sectors, areas, 21);
    run = await runMeasured(process.execPath, [BD_CHILD, String(sectors), String(areas), '21', work], { captureStdout: true });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (run.code !== 0) throw new Error(`the BD rescue failed (exit ${run.code}): ${run.stderr.slice(-2000)}`);
  const child = JSON.parse(run.stdout.trim().split('\n').pop());
  const sim = child.simulation;
  // The child's own figure stops before its final check of the map (GNU time's includes it).
  const maxRssMiB = child.maxRssKiB / 1024;
  const rows = [
    ['disc', label],
    ['sectors / bad areas / bad sectors', `${fmt(child.sectors)} / ${fmt(child.badAreas)} / ${fmt(child.badSectors)}`],
    ['wall time (rescue only / whole child)', `${fmt(child.wallSeconds, 1)} s / ${fmt(run.wallSeconds, 1)} s`],
    ['user + sys CPU (whole child)', run.userSeconds === undefined ? 'n/a' : `${fmt(run.userSeconds, 1)} + ${fmt(run.systemSeconds, 1)} s`],
    ['peak RSS (rescue, emulated drive included)', `${fmt(maxRssMiB, 0)} MiB; ${fmt(child.rssAfterSetupMiB, 0)} MiB before the rescue (the parent writes the defect map); whole child with the final map check: ${run.maxRssKiB === undefined ? 'n/a' : `${fmt(run.maxRssKiB / 1024, 0)} MiB`}`],
    ['peak JS heap seen in progress events', `${fmt(child.peakHeapMiB, 0)} MiB`],
    ['simulated drive time (to last rescue / total)', `${fmt(sim.simulatedSecondsAtLastRescue / 3600, 2)} h / ${fmt(sim.simulatedSeconds / 3600, 2)} h`],
    ['commands / failed reads', `${fmt(sim.commands)} / ${fmt(sim.failedReads)}`],
    ['final map: runs, = defect map', `${fmt(child.mapRuns)}, ${fmt(child.mapMatchesDefects)}`],
    ['image: apparent / allocated (holes where not rescued)', `${fmt(child.imageApparentBytes / 1e9, 2)} GB / ${fmt(child.imageAllocatedBytes / 1e9, 2)} GB`],
  ];
  printTable(`[3b] Emulated BD rescue: ${label}`, [['measure', 'l'], ['value', 'l']], rows);
  return { full, label, ...child, wallSecondsChild: run.wallSeconds, userSeconds: run.userSeconds, systemSeconds: run.systemSeconds, maxRssMiB };
}

export async function benchScale({ tmp, full }) {
  const dir = join(tmp, 'scale');
  mkdirSync(dir, { recursive: true });
  console.log('\n[3] Scale');
  const mapfile = await benchMapfile(dir);
  const bd = await benchBd(dir, full);
  rmSync(dir, { recursive: true, force: true });
  return { mapfile, bd };
}
