#!/usr/bin/env node
// The kernel tier (`npm run test:kernel`): boots Debian's kernel under QEMU once per optical
// attachment (virtio-scsi scsi-cd, ATAPI ide-cd), each boot with two drives holding the same test
// disc (a clean one, and one whose backing fails reads of a few LBAs through blkdebug), and runs
// test/kernel/guest.mjs there against the real sr and sg drivers. See docs/kernel-tests.md.
//
//   node scripts/kernel/run.mjs [--only=scsi-cd|ide-cd] [--sequential] [--verbose] [--timeout=<s>]
//                               [--disc-sectors=<n>]
//
// --only: one attachment; --sequential: one boot after the other (default: in parallel when the
// machine has two cores); --verbose: the guest console as it comes; --timeout: per boot (240);
// --disc-sectors: pad the test disc with zero sectors to that size.
// Prints one `ok - <attachment>: <test>` / `not ok - …` line per guest test, then
// `kernel: N passed, M failed`; exits 1 when a test failed or a guest did not report. A failure
// that matches a known, not yet fixed library issue (KNOWN_ISSUES in test/kernel/guest.mjs) is
// printed `not ok … # TODO …` and not counted.

import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePackages, fetchKernel, resolveModules } from './host-tools.mjs';
import { buildBaseArchive, buildProjectArchive, concatenate } from './initramfs.mjs';
import { ATTACHMENTS, boot, driveBackend, qemuArgs, writeBlkdebugConfig } from './qemu.mjs';
import { README_MARKER, buildTestDisc } from './test-disc.mjs';

const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Everything downloaded or built goes here (kernel package, archives, disc, console logs). */
const cacheDir = join(projectDir, '.cache', 'kernel');

/** insmod order; dependencies found in each module's .modinfo are put first anyway. */
const MODULES = [
  'scsi_common', 'scsi_mod', 'cdrom', 'sr_mod', 'sg',
  'virtio_ring', 'virtio', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio_pci', 'virtio_scsi',
  'libata', 'ata_piix',
  'isofs',
];

const args = parseArgs(process.argv.slice(2));
const log = (message) => console.log(`# ${message}`);

async function main() {
  const started = Date.now();
  checkProjectBuilt();
  ensurePackages(log);

  const kernel = fetchKernel(cacheDir, log);
  const modules = resolveModules(kernel.moduleDir, MODULES);
  log(`kernel ${kernel.release}; modules ${modules.map((m) => m.name).join(' ')}`);

  const workDir = join(cacheDir, 'work');
  mkdirSync(workDir, { recursive: true });
  const disc = buildTestDisc(workDir, { sectorCount: args.discSectors });
  const badLbas = [5, 300, 301, 1200, disc.sectorCount - 2];
  const blkdebug = writeBlkdebugConfig(join(workDir, 'bad-sectors.conf'), badLbas);
  log(`test disc ${relative(projectDir, disc.isoPath)}: ${disc.sectorCount} sectors, sha256 ${disc.sha256}; bad LBAs ${badLbas.join(',')}`);

  const base = buildBaseArchive({ workDir, kernel, modules, initScript: join(projectDir, 'scripts/kernel/init.sh'), log });
  const project = buildProjectArchive({
    workDir,
    projectDir,
    guestFiles: [join(projectDir, 'test/kernel/guest.mjs')],
    isoPath: disc.isoPath,
    config: { drives: 2, badLbas, isoSha256: disc.sha256, readmeMarker: README_MARKER },
  });
  const initrd = concatenate([base, project], join(workDir, 'initrd.img'));
  log(`initramfs ${(statSync(initrd).size / 1e6).toFixed(1)} MB, prepared in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const attachments = args.only ? [args.only] : Object.keys(ATTACHMENTS);
  const parallel = !args.sequential && availableParallelism() >= 2;
  const runOne = (attachment) => runBoot({ attachment, kernel, initrd, isoPath: disc.isoPath, blkdebug });
  const outcomes = parallel
    ? await Promise.all(attachments.map(runOne))
    : await attachments.reduce(async (done, a) => [...(await done), await runOne(a)], Promise.resolve([]));

  let passed = 0;
  let failed = 0;
  let todo = 0;
  for (const outcome of outcomes) {
    for (const line of outcome.lines) console.log(line);
    passed += outcome.passed;
    failed += outcome.failed;
    todo += outcome.todo;
  }
  const bootTimes = outcomes.map((o) => `${o.attachment} ${(o.wallMs / 1000).toFixed(1)} s`).join(', ');
  log(`${outcomes.length} boot(s)${parallel && outcomes.length > 1 ? ' in parallel' : ''}: ${bootTimes}; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (todo > 0) log(`${todo} known library issue(s) marked TODO, not counted as failures (docs/kernel-tests.md)`);
  console.log(`kernel: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

/** One boot: QEMU with the two drives, the guest's report turned into result lines. */
async function runBoot({ attachment, kernel, initrd, isoPath, blkdebug }) {
  const logPath = join(cacheDir, `console-${attachment}.log`);
  const devices = [
    ...ATTACHMENTS[attachment](2),
    ...driveBackend('cd0', isoPath),
    ...driveBackend('cd1', isoPath, blkdebug),
  ];
  const append = `console=ttyS0 panic=-1 quiet kt.attach=${attachment} kt.drives=2`;
  const result = await boot({
    args: qemuArgs({ vmlinuz: kernel.vmlinuz, initrd, append, devices }),
    timeoutMs: args.timeoutSeconds * 1000,
    logPath,
    onLine: args.verbose ? (line) => console.log(`# [${attachment}] ${line}`) : undefined,
  });

  const lines = [];
  let passed = 0;
  let failed = 0;
  let todo = 0;
  let done;
  for (const raw of result.console.split('\n')) {
    const line = raw.replace(/\r$/u, '');
    let m;
    if ((m = /KT-RESULT (ok|not ok) - (.*)$/u.exec(line))) {
      if (m[1] === 'ok') passed++;
      else if (/ # TODO /u.test(m[2])) todo++;
      else failed++;
      lines.push(`${m[1]} - ${attachment}: ${m[2]}`);
    } else if ((m = /KT-(NOTE|LOG) (.*)$/u.exec(line))) {
      lines.push(`# ${attachment}: ${m[2]}`);
    } else if ((m = /KT-FATAL (.*)$/u.exec(line))) {
      lines.push(`# ${attachment}: guest: ${m[1]}`);
    } else if ((m = /KT-DONE (\d+) (\d+) (\d+)/u.exec(line))) {
      done = { passed: Number(m[1]), failed: Number(m[2]), todo: Number(m[3]) };
    }
  }
  const where = relative(process.cwd(), logPath) || logPath;
  if (!done) {
    failed++;
    const why = result.timedOut ? `no report within ${args.timeoutSeconds} s` : `QEMU exited (${result.signal ?? result.code}) without a report`;
    lines.push(`not ok - ${attachment}: guest run # ${why}; console in ${where}`);
  } else if (done.passed !== passed || done.failed !== failed || done.todo !== todo) {
    failed++;
    lines.push(`not ok - ${attachment}: guest report # ${done.passed}/${done.failed}/${done.todo} announced, ${passed}/${failed}/${todo} seen; console in ${where}`);
  } else if (failed > 0) {
    lines.push(`# ${attachment}: console in ${where}`);
  }
  return { attachment, lines, passed, failed, todo, wallMs: result.wallMs };
}

function checkProjectBuilt() {
  for (const [file, hint] of [
    ['build/Release/discrescue.node', 'npm install (or npm run build:native)'],
    ['dist/index.js', 'npm run build:ts'],
    ['node_modules/node-gyp-build/package.json', 'npm install'],
  ]) {
    if (!existsSync(join(projectDir, file))) throw new Error(`${file} is missing: run ${hint} first`);
  }
  const distTime = statSync(join(projectDir, 'dist/index.js')).mtimeMs;
  if (newestMtime(join(projectDir, 'lib')) > distTime + 1000) {
    log('warning: lib/ is newer than dist/ — the guest runs dist/ (npm run build:ts to refresh it)');
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function parseArgs(argv) {
  const options = { only: undefined, sequential: false, verbose: false, timeoutSeconds: 240, discSectors: undefined };
  for (const arg of argv) {
    let m;
    if ((m = /^--only=(.+)$/u.exec(arg))) {
      if (!(m[1] in ATTACHMENTS)) usage(`unknown attachment "${m[1]}" (${Object.keys(ATTACHMENTS).join(', ')})`);
      options.only = m[1];
    } else if (arg === '--sequential') options.sequential = true;
    else if (arg === '--verbose') options.verbose = true;
    else if ((m = /^--timeout=(\d+)$/u.exec(arg))) options.timeoutSeconds = Number(m[1]);
    else if ((m = /^--disc-sectors=(\d+)$/u.exec(arg))) options.discSectors = Number(m[1]);
    else usage(`unknown option ${arg}`);
  }
  return options;
}

function usage(message) {
  console.error(`run.mjs: ${message}\nUsage: node scripts/kernel/run.mjs [--only=scsi-cd|ide-cd] [--sequential] [--verbose] [--timeout=<s>] [--disc-sectors=<n>]`);
  process.exit(2);
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`kernel: ${error instanceof Error ? error.message : String(error)}`);
  console.log('kernel: 0 passed, 1 failed');
  process.exitCode = 1;
}
