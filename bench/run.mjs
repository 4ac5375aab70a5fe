// discrescue benchmarks: `npm run bench` (builds dist/ first), or `node bench/run.mjs` after
// `npm run build:ts`. See docs/benchmarks.md.
//
//   BENCH_FULL=1      full sizes: a 700 MB clean copy, a 25 GB BD with 100,000 bad areas
//   BENCH_ONLY=1,3    run only some of the benchmarks (1 damaged discs, 2 clean copy, 3 scale,
//                     4 raw sector verification, 5 filesystems: ls -l and verify,
//                     6 FLAC encoder, 7 audio rip: reads per sector on the emulated drive)
//
// Every ratio is measured in this run. The last line is a JSON summary prefixed with
// "BENCH_SUMMARY ".

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchDamaged } from './damaged.mjs';
import { benchCleanCopy } from './clean-copy.mjs';
import { benchScale } from './scale.mjs';
import { benchEdcEcc } from './edc-ecc.mjs';
import { benchFs } from './fs.mjs';
import { benchFlac } from './flac.mjs';
import { benchAudioRip } from './audio-rip.mjs';
import { GNU_TIME, ddrescueVersion, fmt } from './lib.mjs';

const full = process.env.BENCH_FULL === '1';
const only = (process.env.BENCH_ONLY ?? '1,2,3,4,5,6,7').split(',').map((s) => s.trim());
const tmp = mkdtempSync(join(process.env.BENCH_TMPDIR ?? tmpdir(), 'discrescue-bench-'));
const cleanup = () => rmSync(tmp, { recursive: true, force: true });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}

const started = performance.now();
const summary = {
  full,
  node: process.version,
  cpus: cpus().length,
  ddrescue: ddrescueVersion() ?? null,
  gnuTime: GNU_TIME,
};
console.log(`discrescue benchmarks (${full ? 'BENCH_FULL=1: full sizes' : 'default sizes; BENCH_FULL=1 for the full ones'})`);
console.log(
  `node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ` +
    `${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, ${summary.ddrescue ?? 'GNU ddrescue not installed'}, temp dir ${tmp}`,
);
try {
  if (only.includes('1')) summary.damaged = await benchDamaged({ tmp, full });
  if (only.includes('2')) summary.cleanCopy = await benchCleanCopy({ tmp, full });
  if (only.includes('3')) summary.scale = await benchScale({ tmp, full });
  if (only.includes('4')) summary.edcEcc = await benchEdcEcc({ tmp });
  if (only.includes('5')) summary.fileSystems = await benchFs({ tmp });
  if (only.includes('6')) summary.flac = await benchFlac({ tmp });
  if (only.includes('7')) summary.audioRip = await benchAudioRip({ tmp, full });
} finally {
  cleanup();
}
summary.runSeconds = (performance.now() - started) / 1000;
console.log(`\nBench run time: ${fmt(summary.runSeconds, 1)} s`);
console.log(`BENCH_SUMMARY ${JSON.stringify(summary, (key, value) => (typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(6)) : value))}`);
