#!/usr/bin/env node
/**
 * `npm run soak`: the SIGKILL crash trials of `rescue` and `dump` with many more kills than CI
 * makes (test/rescue/crash-safety.test.ts, test/reliability/dump-crash.test.ts), then the
 * randomized rip campaign with many more rips than CI's 200 (test/audio/rip-campaign.test.ts,
 * which reads the count from SOAK): never a track secure or accurate unless bit-exact.
 *
 *   npm run soak                 500 kills each, 20 000 rips
 *   SOAK_TRIALS=2000 npm run soak
 *   SOAK_RIPS=50000 npm run soak
 *   npm run soak -- 100          the kill count as an argument
 *
 * Builds dist/ first (the trials run the built CLI and library). A few seconds per kill; the
 * rips take a few hundredths of a second each (20 000 in 6 to 15 minutes, with the machine's load).
 */

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const trials = process.argv[2] ?? process.env.SOAK_TRIALS ?? '500';
if (!/^[1-9]\d*$/u.test(trials)) {
  console.error(`soak: the number of kills must be a positive integer, got "${trials}"`);
  process.exit(2);
}
const rips = process.env.SOAK_RIPS ?? '20000';
if (!/^[1-9]\d*$/u.test(rips)) {
  console.error(`soak: SOAK_RIPS must be a positive integer, got "${rips}"`);
  process.exit(2);
}
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const build = spawnSync(npx, ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const began = Date.now();
const result = spawnSync(
  npx,
  ['vitest', 'run', '--no-file-parallelism', 'test/rescue/crash-safety.test.ts', 'test/reliability/dump-crash.test.ts'],
  { cwd: root, stdio: 'inherit', env: { ...process.env, KILL_TRIALS: trials } },
);
console.log(`soak: ${trials} kills of rescue and of dump, ${((Date.now() - began) / 60_000).toFixed(1)} min, exit ${result.status}`);
const ripsBegan = Date.now();
const campaign = spawnSync(npx, ['vitest', 'run', 'test/audio/rip-campaign.test.ts'], { cwd: root, stdio: 'inherit', env: { ...process.env, SOAK: rips } });
console.log(`soak: ${rips} rips of the randomized rip campaign, ${((Date.now() - ripsBegan) / 60_000).toFixed(1)} min, exit ${campaign.status}`);
process.exit(result.status === 0 ? (campaign.status ?? 1) : (result.status ?? 1));
