// Benchmark 5: filesystems.
//
// a) `discrescue ls -l` of an ISO 9660 + Rock Ridge image with 100,000 small files (0-16 bytes)
//    in 300 directories, made by genisoimage from a temporary tree, against `isoinfo -R -l -i`
//    on the same image: both to /dev/null, median of 3 runs, wall and CPU. Target ratio <= 1.0.
// b) `discrescue verify` of a 4.7 GB sparse image (a small ISO whose volume space size says 4.7 GB)
//    against the same check of the same ISO declared and padded to 47 MB: the header check must
//    not grow with the image's size.
//
//   node bench/fs.mjs                after npm run build:ts
//   BENCH_FS_FILES=20000 node ...    fewer files

import { mkdirSync, mkdtempSync, openSync, closeSync, readSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmt, median, prng, ratio, runChecked, runMeasured } from './lib.mjs';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const DIRECTORIES = 300;
const RUNS = 3;
const LS_TARGET = 1.0;
const BIG_BYTES = 4_700_000_000;
const SMALL_BYTES = 47_000_000;

function haveTool(name) {
  try {
    runChecked('sh', ['-c', `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}

/** A tree of `files` files of 0-16 seeded bytes, spread over DIRECTORIES directories. */
function writeTree(root, files) {
  const random = prng(5);
  for (let d = 0; d < DIRECTORIES; d++) mkdirSync(join(root, `dir${String(d).padStart(3, '0')}`), { recursive: true });
  for (let i = 0; i < files; i++) {
    const size = random.int(0, 16);
    const bytes = Buffer.alloc(size);
    for (let j = 0; j < size; j++) bytes[j] = random.int(0x20, 0x7e);
    writeFileSync(join(root, `dir${String(i % DIRECTORIES).padStart(3, '0')}`, `file${String(i).padStart(6, '0')}.txt`), bytes);
  }
}

/** Median wall and CPU (user + system) of RUNS runs of a command, stdout to /dev/null. */
async function measure(command, args) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await runMeasured(command, args);
    if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.code}: ${r.stderr.slice(-1000)}`);
    runs.push(r);
  }
  return {
    wallSeconds: median(runs.map((r) => r.wallSeconds)),
    cpuSeconds: median(runs.map((r) => (r.userSeconds ?? NaN) + (r.systemSeconds ?? NaN))),
    maxRssKiB: median(runs.map((r) => r.maxRssKiB ?? NaN)),
  };
}

/** Sets the PVD's volume space size (both byte orders) to `blocks`. */
function patchVolumeSpaceSize(path, blocks) {
  const fd = openSync(path, 'r+');
  try {
    const field = Buffer.alloc(8);
    field.writeUInt32LE(blocks, 0);
    field.writeUInt32BE(blocks, 4);
    const check = Buffer.alloc(6);
    readSync(fd, check, 0, 6, 16 * 2048);
    if (check[0] !== 1 || check.toString('latin1', 1, 6) !== 'CD001') throw new Error(`${path}: no primary volume descriptor at sector 16`);
    writeSync(fd, field, 0, 8, 16 * 2048 + 80);
  } finally {
    closeSync(fd);
  }
}

async function benchLs(tmp, files) {
  const tree = join(tmp, 'tree');
  const iso = join(tmp, 'many-files.iso');
  let started = performance.now();
  writeTree(tree, files);
  const treeSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  runChecked('genisoimage', ['-quiet', '-R', '-o', iso, tree]);
  const isoSeconds = (performance.now() - started) / 1000;
  rmSync(tree, { recursive: true, force: true });
  const bytes = statSync(iso).size;
  console.log(`   ${fmt(files)} files in ${DIRECTORIES} directories: tree ${fmt(treeSeconds, 1)} s, genisoimage ${fmt(isoSeconds, 1)} s, ${fmt(bytes / 1e6, 1)} MB`);
  // Same listing size, as a sanity check that both read the whole tree.
  const ourLines = runChecked(process.execPath, [CLI, 'ls', '-l', iso]).split('\n').length;
  const theirLines = runChecked('isoinfo', ['-R', '-l', '-i', iso]).split('\n').length;
  const ours = await measure(process.execPath, [CLI, 'ls', '-l', iso]);
  const theirs = await measure('isoinfo', ['-R', '-l', '-i', iso]);
  const wallRatio = ratio(ours.wallSeconds, theirs.wallSeconds);
  const cpuRatio = ratio(ours.cpuSeconds, theirs.cpuSeconds);
  console.log(`   discrescue ls -l      wall ${fmt(ours.wallSeconds, 3)} s  CPU ${fmt(ours.cpuSeconds, 3)} s  RSS ${fmt((ours.maxRssKiB ?? NaN) / 1024, 0)} MiB  (${fmt(ourLines)} lines)`);
  console.log(`   isoinfo -R -l         wall ${fmt(theirs.wallSeconds, 3)} s  CPU ${fmt(theirs.cpuSeconds, 3)} s  RSS ${fmt((theirs.maxRssKiB ?? NaN) / 1024, 0)} MiB  (${fmt(theirLines)} lines)`);
  const meetsTarget = wallRatio !== undefined && wallRatio <= LS_TARGET;
  console.log(`   ratio (ours/isoinfo)  wall ${fmt(wallRatio, 2)}  CPU ${fmt(cpuRatio, 2)}  target <= ${fmt(LS_TARGET, 1)}: ${meetsTarget ? 'met' : 'NOT met'}`);
  rmSync(iso, { force: true });
  return { files, isoBytes: bytes, ours, theirs, ourLines, theirLines, wallRatio, cpuRatio, target: LS_TARGET, meetsTarget };
}

async function benchVerify(tmp) {
  const tree = join(tmp, 'small-tree');
  mkdirSync(tree, { recursive: true });
  const random = prng(6);
  for (let i = 0; i < 50; i++) {
    const bytes = Buffer.alloc(random.int(0, 65_536));
    for (let j = 0; j < bytes.length; j += 97) bytes[j] = random.int(0, 255);
    writeFileSync(join(tree, `f${i}.bin`), bytes);
  }
  const results = {};
  for (const [name, bytes] of [['small', SMALL_BYTES], ['big', BIG_BYTES]]) {
    const iso = join(tmp, `verify-${name}.iso`);
    runChecked('genisoimage', ['-quiet', '-R', '-o', iso, tree]);
    const blocks = Math.floor(bytes / 2048);
    patchVolumeSpaceSize(iso, blocks);
    // Sparse: only the ISO's own blocks take disk space.
    truncateSync(iso, blocks * 2048);
    const check = JSON.parse(runChecked(process.execPath, [CLI, 'verify', '--json', iso]));
    const m = await measure(process.execPath, [CLI, 'verify', iso]);
    results[name] = { imageBytes: blocks * 2048, sizeAsExpected: check.sizeAsExpected, ...m };
    console.log(
      `   verify ${fmt((blocks * 2048) / 1e6, 0).padStart(5)} MB image   wall ${fmt(m.wallSeconds, 3)} s  CPU ${fmt(m.cpuSeconds, 3)} s  ` +
        `(size as expected: ${check.sizeAsExpected})`,
    );
    rmSync(iso, { force: true });
  }
  rmSync(tree, { recursive: true, force: true });
  const growth = ratio(results.big.wallSeconds, results.small.wallSeconds);
  // 100x the size: time within noise (less than 1.5x) means the check does not read the image.
  results.growth = growth;
  results.constant = growth !== undefined && growth < 1.5;
  console.log(`   4.7 GB / 47 MB wall time: ${fmt(growth, 2)} (${results.constant ? 'does not grow with the size' : 'GROWS with the size'})`);
  return results;
}

/** Runs the benchmark; skipped (with a message) without genisoimage or isoinfo. */
export async function benchFs({ tmp, files = Number(process.env.BENCH_FS_FILES ?? 100_000) }) {
  console.log(`\n5. Filesystems: ls -l of ${fmt(files)} files against isoinfo -l; verify of 4.7 GB against 47 MB`);
  for (const tool of ['genisoimage', 'isoinfo']) {
    if (!haveTool(tool)) {
      console.log(`   skipped: ${tool} is not installed (Debian: apt-get install genisoimage)`);
      return { skipped: `${tool} missing` };
    }
  }
  const ls = await benchLs(tmp, files);
  const verify = await benchVerify(tmp);
  return { ls, verify };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const tmp = mkdtempSync(join(process.env.BENCH_TMPDIR ?? tmpdir(), 'discrescue-bench-fs-'));
  try {
    await benchFs({ tmp });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
