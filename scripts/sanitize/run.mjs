#!/usr/bin/env node
/**
 * `npm run test:sanitize`: the native addon under AddressSanitizer + UBSan, then under valgrind
 * memcheck, both running scripts/sanitize/exercise.cjs (every entry point, abuse, concurrency,
 * workers). Fails on any sanitizer report, and on any valgrind report with a frame in our code.
 *
 *   node scripts/sanitize/run.mjs [--asan-only | --valgrind-only] [--keep-xml]
 *
 * Builds with g++ straight from native/*.cc into build-sanitize/ (never touches build/):
 *   discrescue-asan.node   -fsanitize=address,undefined -fno-omit-frame-pointer -g -O1, test build
 *   discrescue-plain.node  -g -O1, test build (what valgrind runs; the release build is -O3 of the same code)
 * The test build defines DISCRESCUE_TESTING, which adds openUnchecked() so that Device.execute()
 * and close() run on /dev/null without a drive (see docs/native.md).
 *
 * Needs g++ (its libasan/libubsan), the Node.js headers, valgrind, and dist/ (npm run build:ts:
 * the exercise checks edcEccVerify against the TypeScript loop). Linux only.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const here = join(root, 'scripts', 'sanitize');
const outDir = join(root, 'build-sanitize');
const exercise = join(here, 'exercise.cjs');
const args = process.argv.slice(2);
const runAsan = !args.includes('--valgrind-only');
const runValgrind = !args.includes('--asan-only');
const keepXml = args.includes('--keep-xml');
const sources = ['native/sg_io.cc', 'native/edc_ecc.cc', 'native/addon.cc'].map((file) => join(root, file));

function fail(message) {
  process.stderr.write(`test:sanitize: ${message}\n`);
  process.exit(1);
}

function have(command, versionArgs = ['--version']) {
  return spawnSync(command, versionArgs, { stdio: 'ignore' }).error === undefined;
}

function nodeHeaders() {
  const candidates = [
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
    join(dirname(dirname(process.execPath)), 'include', 'node'),
    join(homedir(), '.cache', 'node-gyp', process.versions.node, 'include', 'node'),
  ];
  return candidates.find((dir) => typeof dir === 'string' && existsSync(join(dir, 'node_api.h')));
}

function build(name, extraFlags) {
  const headers = nodeHeaders();
  if (!headers) fail('the Node.js headers (node_api.h) were not found; install them or set npm_config_nodedir');
  const addonApi = createRequire(import.meta.url)('node-addon-api').include_dir;
  const output = join(outDir, name);
  // Rebuild when a source is newer than the output.
  const newest = Math.max(...sources.map((file) => statSync(file).mtimeMs), statSync(join(root, 'native', 'sg_io.h')).mtimeMs, statSync(join(root, 'native', 'edc_ecc.h')).mtimeMs);
  if (existsSync(output) && statSync(output).mtimeMs > newest) return output;
  mkdirSync(outDir, { recursive: true });
  const flags = [
    '-std=c++20', '-Wall', '-Wextra', '-g', '-O1', '-fPIC', '-shared', '-pthread',
    '-DNAPI_VERSION=8', '-DNODE_ADDON_API_DISABLE_DEPRECATED', '-DNAPI_CPP_EXCEPTIONS',
    '-DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS', '-DDISCRESCUE_TESTING',
    `-I${headers}`, `-I${addonApi}`, ...extraFlags,
  ];
  const began = Date.now();
  const result = spawnSync('g++', [...flags, ...sources, '-o', `${output}.tmp`], { encoding: 'utf8' });
  if (result.error) fail(`g++ is not available (${result.error.message})`);
  if (result.status !== 0) fail(`building ${name} failed:\n${result.stderr}`);
  spawnSync('mv', [`${output}.tmp`, output]);
  console.log(`built ${name} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  return output;
}

/** Reports of the sanitizers on stderr: any of these fails the run, whatever the exit code. */
const SANITIZER_REPORT = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer|AddressSanitizer:DEADLYSIGNAL/u;

function asan() {
  const addon = build('discrescue-asan.node', ['-fsanitize=address,undefined', '-fno-omit-frame-pointer', '-fno-sanitize-recover=undefined']);
  const runtime = (lib) => spawnSync('g++', [`-print-file-name=${lib}`], { encoding: 'utf8' }).stdout.trim();
  const preload = [runtime('libasan.so'), runtime('libubsan.so')];
  for (const lib of preload) if (!existsSync(lib)) fail(`${lib} not found (the sanitizer runtimes come with g++)`);
  const began = Date.now();
  const result = spawnSync(process.execPath, ['--expose-gc', exercise, addon], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: {
      ...process.env,
      LD_PRELOAD: preload.join(':'),
      // Node itself leaks at exit by design; our leaks would be found by valgrind below.
      ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=0:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1',
      UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1:exitcode=87',
    },
  });
  const seconds = (Date.now() - began) / 1000;
  process.stdout.write(result.stdout);
  if (result.status !== 0 || SANITIZER_REPORT.test(result.stderr)) {
    fail(`ASan+UBSan: exit ${result.status}${result.signal ? ` (${result.signal})` : ''} after ${seconds.toFixed(1)} s\n${result.stderr}`);
  }
  console.log(`ASan+UBSan: no reports (${seconds.toFixed(1)} s)`);
  return seconds;
}

/** valgrind's XML: one object per <error>, with its kind and the objects/files of its frames. */
function parseValgrindXml(xml) {
  const errors = [];
  for (const match of xml.matchAll(/<error>([\s\S]*?)<\/error>/gu)) {
    const body = match[1];
    const kind = /<kind>([^<]*)<\/kind>/u.exec(body)?.[1] ?? '?';
    const what = /<what>([^<]*)<\/what>/u.exec(body)?.[1] ?? /<text>([^<]*)<\/text>/u.exec(body)?.[1] ?? '';
    const frames = [...body.matchAll(/<frame>([\s\S]*?)<\/frame>/gu)].map((frame) => ({
      obj: /<obj>([^<]*)<\/obj>/u.exec(frame[1])?.[1] ?? '',
      fn: /<fn>([^<]*)<\/fn>/u.exec(frame[1])?.[1] ?? '',
      file: /<file>([^<]*)<\/file>/u.exec(frame[1])?.[1] ?? '',
      line: /<line>([^<]*)<\/line>/u.exec(frame[1])?.[1] ?? '',
    }));
    errors.push({ kind, what, frames });
  }
  return errors;
}

function valgrind() {
  if (!have('valgrind')) fail('valgrind is not installed (apt-get install valgrind)');
  const addon = build('discrescue-plain.node', []);
  const xmlFile = join(tmpdir(), `discrescue-valgrind-${process.pid}.xml`);
  const began = Date.now();
  const result = spawnSync(
    'valgrind',
    [
      '--error-exitcode=99', '--xml=yes', `--xml-file=${xmlFile}`, `--suppressions=${join(here, 'valgrind.supp')}`,
      '--leak-check=full', '--show-leak-kinds=definite', '--errors-for-leak-kinds=definite',
      '--track-origins=no', '--num-callers=30',
      // JIT compilation under memcheck is slow; the interpreter runs the same addon calls.
      process.execPath, '--jitless', '--expose-gc', exercise, addon, '--light',
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const seconds = (Date.now() - began) / 1000;
  process.stdout.write(result.stdout);
  if (!existsSync(xmlFile)) fail(`valgrind wrote no report (exit ${result.status}):\n${result.stderr}`);
  const errors = parseValgrindXml(readFileSync(xmlFile, 'utf8'));
  if (!keepXml) rmSync(xmlFile, { force: true });
  else console.log(`valgrind XML kept at ${xmlFile}`);
  const ours = (frame) => frame.obj === addon || frame.file.endsWith('.cc') && /native\/|sg_io|edc_ecc|addon/u.test(`${frame.file}`);
  const mine = errors.filter((error) => error.frames.some(ours));
  if (result.status !== 0 && result.status !== 99) fail(`valgrind: the exercise failed (exit ${result.status}):\n${result.stderr.slice(-4000)}`);
  if (mine.length > 0) {
    const lines = mine.slice(0, 10).map((error) => `  ${error.kind}: ${error.what}\n${error.frames.slice(0, 12).map((f) => `      ${f.fn} (${f.file ? `${f.file}:${f.line}` : f.obj})`).join('\n')}`);
    fail(`valgrind: ${mine.length} report(s) in the addon (${errors.length} in all) after ${seconds.toFixed(1)} s:\n${lines.join('\n')}`);
  }
  console.log(`valgrind memcheck: no reports in the addon (${errors.length} outside it, in node/V8, ignored) (${seconds.toFixed(1)} s)`);
  return seconds;
}

if (process.platform !== 'linux') {
  console.log('test:sanitize: the addon is Linux-only; nothing to check here');
  process.exit(0);
}
if (!existsSync(join(root, 'dist', 'cd', 'verify-raw.js'))) fail('dist/ is missing: run npm run build:ts first');
if (!have('g++')) fail('g++ is not installed');
const began = Date.now();
const times = [];
if (runAsan) times.push(`ASan+UBSan ${asan().toFixed(1)} s`);
if (runValgrind) times.push(`valgrind ${valgrind().toFixed(1)} s`);
console.log(`test:sanitize: passed (${times.join(', ')}; ${((Date.now() - began) / 1000).toFixed(1)} s with builds)`);
