// Benchmark 4: raw sector verification, CPU. A MODE1/2352 BIN of clean sectors (built with the
// lib/cd sector builder, 700 MB by default: a full CD) is read in 8 MiB chunks and every sector's
// sync, header, EDC and ECC P/Q checked by verifyRawSectors, once with the TypeScript loop and
// once with the native addon's (when built). One core; the MB/s count only the checking, not the
// reading (the file is in the page cache after it is written). Target: 1000 MB/s.
//
//   node bench/edc-ecc.mjs           after npm run build:ts (and npm run build:native)
//   BENCH_EDC_MB=100 node bench/...  a smaller BIN

import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fmt, prng } from './lib.mjs';

const { buildMode1Sector } = await import('../dist/cd/index.js');
const { nativeEdcEcc, verifyRawSectors } = await import('../dist/cd/verify-raw.js');

const SECTOR = 2352;
const CHUNK_SECTORS = 3566; // 8 MiB
const TARGET_MBS = 1000;

/** Writes `sectors` Mode 1 sectors (seeded user data, LBA 0…) to `path`. */
function writeBin(path, sectors) {
  const random = prng(4);
  const user = new Uint8Array(2048);
  const chunk = new Uint8Array(CHUNK_SECTORS * SECTOR);
  const fd = openSync(path, 'w');
  try {
    for (let lba = 0; lba < sectors; ) {
      const count = Math.min(CHUNK_SECTORS, sectors - lba);
      for (let i = 0; i < count; i++) {
        for (let j = 0; j < 2048; j += 4) {
          const x = Math.floor(random() * 4294967296);
          user[j] = x;
          user[j + 1] = x >>> 8;
          user[j + 2] = x >>> 16;
          user[j + 3] = x >>> 24;
        }
        buildMode1Sector(lba + i, user, chunk.subarray(i * SECTOR, (i + 1) * SECTOR));
      }
      writeSync(fd, chunk, 0, count * SECTOR);
      lba += count;
    }
  } finally {
    closeSync(fd);
  }
}

/** Verifies the whole BIN with one engine; returns checking seconds and a summary of the codes. */
function verifyBin(path, sectors, engine) {
  const chunk = new Uint8Array(CHUNK_SECTORS * SECTOR);
  const codes = new Uint16Array(CHUNK_SECTORS);
  const fd = openSync(path, 'r');
  let seconds = 0;
  let bad = 0;
  try {
    for (let lba = 0; lba < sectors; ) {
      const count = Math.min(CHUNK_SECTORS, sectors - lba);
      let got = 0;
      while (got < count * SECTOR) {
        const n = readSync(fd, chunk, got, count * SECTOR - got, lba * SECTOR + got);
        if (n === 0) throw new Error(`${path} is short`);
        got += n;
      }
      const started = performance.now();
      verifyRawSectors(chunk, count, lba, 1, codes, engine);
      seconds += (performance.now() - started) / 1000;
      for (let i = 0; i < count; i++) if (codes[i] !== 0) bad++;
      lba += count;
    }
  } finally {
    closeSync(fd);
  }
  return { seconds, bad };
}

/** Runs the benchmark; `megabytes` of BIN (default 700, or BENCH_EDC_MB). */
export async function benchEdcEcc({ tmp, megabytes = Number(process.env.BENCH_EDC_MB ?? 700) }) {
  const sectors = Math.floor((megabytes * 1e6) / SECTOR);
  const bytes = sectors * SECTOR;
  const path = join(tmp, 'edc-ecc.bin');
  console.log(`\n4. Raw sector verification (EDC + ECC P/Q, sync, header): a ${fmt(bytes / 1e6, 0)} MB MODE1/2352 BIN, one core`);
  const started = performance.now();
  writeBin(path, sectors);
  console.log(`   generated ${sectors} sectors in ${fmt((performance.now() - started) / 1000, 1)} s`);
  const result = { bytes, sectors, targetMBs: TARGET_MBS };
  try {
    const engines = ['typescript', ...(nativeEdcEcc() ? ['native'] : [])];
    for (const engine of engines) {
      // Best of two passes: the machine may be busy with something else.
      let best;
      for (let pass = 0; pass < 2; pass++) {
        const run = verifyBin(path, sectors, engine);
        if (best === undefined || run.seconds < best.seconds) best = run;
      }
      const mbs = bytes / 1e6 / best.seconds;
      result[engine] = { seconds: best.seconds, mbs, badSectors: best.bad };
      console.log(`   ${engine.padEnd(10)} ${fmt(mbs, 0).padStart(6)} MB/s  (${fmt(best.seconds, 2)} s, ${best.bad} sectors flagged)`);
    }
    if (!result.native) console.log('   native     not built (npm run build:native)');
    const best = result.native ?? result.typescript;
    result.meetsTarget = best.mbs >= TARGET_MBS;
    console.log(`   target: >= ${TARGET_MBS} MB/s on one core: ${result.meetsTarget ? 'met' : 'NOT met'} (${result.native ? 'native' : 'TypeScript'} ${fmt(best.mbs, 0)} MB/s)`);
  } finally {
    rmSync(path, { force: true });
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const tmp = mkdtempSync(join(process.env.BENCH_TMPDIR ?? tmpdir(), 'discrescue-bench-edc-'));
  try {
    await benchEdcEcc({ tmp });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
