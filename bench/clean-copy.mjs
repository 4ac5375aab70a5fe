// Benchmark 2: clean copy, CPU. A plain file without errors copied by our CLI
// (`node dist/cli/main.js rescue <file> <out> <map>`, a file source) and by
// `ddrescue -b2048 <file> <out> <map>`: wall time, user + system CPU and peak RSS of each child
// process (GNU time), the median of a few runs each, alternating which goes first.

import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GNU_TIME, SECTOR, fmt, haveCommand, median, mib, printTable, prng, ratio, runMeasured } from './lib.mjs';

const CLI = resolve(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)));

/** A file of `bytes` seeded pseudo-random bytes (each MiB stamped with its index, so no two are alike). */
function writeInput(path, bytes, seed) {
  const random = prng(seed);
  const block = Buffer.alloc(1 << 20);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE(Math.floor(random() * 4294967296), i);
  const fd = openSync(path, 'w');
  try {
    for (let offset = 0, index = 0; offset < bytes; offset += block.length, index++) {
      block.writeUInt32LE(index, 0);
      writeSync(fd, block, 0, Math.min(block.length, bytes - offset), offset);
    }
  } finally {
    closeSync(fd);
  }
}

function sameContent(a, b) {
  const fa = openSync(a, 'r');
  const fb = openSync(b, 'r');
  const ba = Buffer.alloc(8 << 20);
  const bb = Buffer.alloc(8 << 20);
  try {
    for (let offset = 0; ; offset += ba.length) {
      const na = readSync(fa, ba, 0, ba.length, offset);
      const nb = readSync(fb, bb, 0, bb.length, offset);
      if (na !== nb || !ba.subarray(0, na).equals(bb.subarray(0, nb))) return false;
      if (na === 0) return true;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

export async function benchCleanCopy({ tmp, full, runs = 3 }) {
  const haveDdrescue = haveCommand('ddrescue');
  const bytes = (full ? 700 : 200) * 1_000_000 - ((full ? 700 : 200) * 1_000_000) % SECTOR;
  const dir = join(tmp, 'clean');
  mkdirSync(dir, { recursive: true });
  const input = join(dir, 'input.bin');
  writeInput(input, bytes, 7);

  console.log(
    `\n[2] Clean copy, CPU: a ${fmt(bytes / 1e6, 0)} MB file${full ? ' (BENCH_FULL)' : ' (700 MB with BENCH_FULL=1)'}, ` +
      `median of ${runs} runs each, alternating order; the input is in the page cache for both.`,
  );
  console.log(`    ours: node dist/cli/main.js rescue --no-checksums <file> <out> <map>   ddrescue: ddrescue -b2048 <file> <out> <map>`);
  console.log('    ours+hashes: the same with MD5, SHA-1 and SHA-256 computed while writing (the CLI default); not in the ratio.');
  console.log('    Ours also fsyncs the image before the mapfile claims it; ddrescue does not. Node starts in about 0.1-0.2 s of CPU.');
  console.log(`    CPU and peak RSS: ${GNU_TIME ? 'GNU time (/usr/bin/time -f "%e %U %S %M")' : "bash's `times` (no RSS: GNU time is not installed)"}.`);

  // "ours" does what ddrescue does; "ours+hashes" also computes MD5, SHA-1 and SHA-256 while
  // writing (the default of the CLI, for archival manifests), which ddrescue does not do.
  const tools = {
    ours: { command: process.execPath, args: (out, map) => [CLI, 'rescue', '--no-checksums', input, out, map], samples: [] },
    'ours+hashes': { command: process.execPath, args: (out, map) => [CLI, 'rescue', input, out, map], samples: [] },
  };
  if (haveDdrescue) tools.ddrescue = { command: 'ddrescue', args: (out, map) => ['-b2048', input, out, map], samples: [] };
  const names = Object.keys(tools);
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const tool = tools[name];
      const out = join(dir, `${name}.img`);
      const map = join(dir, `${name}.map`);
      rmSync(out, { force: true });
      rmSync(map, { force: true });
      const sample = await runMeasured(tool.command, tool.args(out, map));
      if (sample.code !== 0) throw new Error(`${name} failed (exit ${sample.code}): ${sample.stderr.slice(-2000)}`);
      if (run === 0 && !sameContent(input, out)) throw new Error(`${name}: the copy differs from the input`);
      tool.samples.push(sample);
      rmSync(out, { force: true });
    }
  }
  rmSync(dir, { recursive: true, force: true });

  const summary = {};
  for (const name of names) {
    const samples = tools[name].samples;
    summary[name] = {
      wallSeconds: median(samples.map((s) => s.wallSeconds)),
      userSeconds: median(samples.map((s) => s.userSeconds)),
      systemSeconds: median(samples.map((s) => s.systemSeconds)),
      cpuSeconds: median(samples.map((s) => (s.userSeconds ?? NaN) + (s.systemSeconds ?? NaN))),
      maxRssMiB: median(samples.map((s) => (s.maxRssKiB === undefined ? NaN : s.maxRssKiB / 1024))),
    };
    summary[name].mbPerSecond = bytes / 1e6 / summary[name].wallSeconds;
  }
  const rows = names.map((name) => {
    const s = summary[name];
    return [name, fmt(s.wallSeconds, 2), fmt(s.mbPerSecond, 0), fmt(s.userSeconds, 2), fmt(s.systemSeconds, 2), fmt(s.cpuSeconds, 2), fmt(s.maxRssMiB, 1)];
  });
  let ratios;
  if (summary.ddrescue) {
    const o = summary.ours;
    const d = summary.ddrescue;
    ratios = {
      wall: ratio(o.wallSeconds, d.wallSeconds),
      cpu: ratio(o.cpuSeconds, d.cpuSeconds),
      maxRss: ratio(o.maxRssMiB, d.maxRssMiB),
    };
    rows.push(['ours/ddrescue', fmt(ratios.wall, 2), '', fmt(ratio(o.userSeconds, d.userSeconds), 2), fmt(ratio(o.systemSeconds, d.systemSeconds), 2), fmt(ratios.cpu, 2), fmt(ratios.maxRss, 2)]);
  }
  printTable(
    `[2] Clean copy of a ${fmt(bytes / 1e6, 0)} MB file (${fmt(mib(bytes), 0)} MiB), median of ${runs}`,
    [
      ['tool', 'l'],
      ['wall s', 'r'],
      ['MB/s', 'r'],
      ['user s', 'r'],
      ['sys s', 'r'],
      ['user+sys s', 'r'],
      ['peak RSS MiB', 'r'],
    ],
    rows,
  );
  return { bytes, runs, ...summary, ratios };
}
