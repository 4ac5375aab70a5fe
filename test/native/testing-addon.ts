/**
 * Builds the test variant of the addon (DISCRESCUE_TESTING: adds `openUnchecked`, which wraps any
 * char or block node such as /dev/null) so Device methods can be exercised without a drive. Built
 * with g++ and UBSan into build/testing/, cached by a hash of the sources; never shipped.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeBinding, NativeDevice, NativeOpenOptions } from '../../lib/transport/native-binding.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TestingBinding extends NativeBinding {
  openUnchecked(path: string, options?: NativeOpenOptions): Promise<NativeDevice>;
  Device: new (...args: unknown[]) => NativeDevice;
}

export type TestingAddon =
  | { addon: TestingBinding; path: string; reason?: undefined }
  | { addon?: undefined; path?: undefined; reason: string };

const sources = ['native/sg_io.h', 'native/sg_io.cc', 'native/edc_ecc.h', 'native/edc_ecc.cc', 'native/addon.cc'];

function nodeHeaders(): string | undefined {
  const candidates = [
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
    join(dirname(dirname(process.execPath)), 'include', 'node'),
    join(homedir(), '.cache', 'node-gyp', process.versions.node, 'include', 'node'),
  ];
  return candidates.find((dir): dir is string => typeof dir === 'string' && existsSync(join(dir, 'node_api.h')));
}

/** Compiles (or reuses) the test build; returns a reason instead when this machine cannot. */
export function loadTestingAddon(): TestingAddon {
  if (process.platform !== 'linux') return { reason: 'the addon is Linux-only' };
  const headers = nodeHeaders();
  if (!headers) return { reason: 'Node.js headers (node_api.h) not found' };
  const require = createRequire(import.meta.url);
  const addonApi = (require('node-addon-api') as { include_dir: string }).include_dir;
  const flags = [
    '-std=c++20', '-Wall', '-Wextra', '-O1', '-g', '-fPIC', '-shared', '-pthread',
    '-fsanitize=undefined', '-fno-sanitize-recover=undefined',
    '-DNAPI_VERSION=8', '-DNODE_ADDON_API_DISABLE_DEPRECATED', '-DNAPI_CPP_EXCEPTIONS',
    '-DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS', '-DDISCRESCUE_TESTING',
    `-I${headers}`, `-I${addonApi}`,
  ];
  const hash = createHash('sha256');
  hash.update(flags.join(' ') + process.versions.node);
  for (const file of sources) hash.update(readFileSync(join(repoRoot, file)));
  const outDir = join(repoRoot, 'build', 'testing');
  const output = join(outDir, `discrescue-testing-${hash.digest('hex').slice(0, 16)}.node`);
  if (!existsSync(output)) {
    mkdirSync(outDir, { recursive: true });
    // Parallel test files may build at once: each writes its own file, then renames into place.
    const partial = `${output}.${process.pid}.tmp`;
    const inputs = sources.filter((file) => file.endsWith('.cc')).map((file) => join(repoRoot, file));
    const built = spawnSync('g++', [...flags, ...inputs, '-o', partial], { encoding: 'utf8' });
    if (built.error) return { reason: `g++ not available (${built.error.message})` };
    if (built.status !== 0) {
      rmSync(partial, { force: true });
      throw new Error(`building the test addon failed:\n${built.stderr}`);
    }
    renameSync(partial, output);
    // Builds of older sources are never loaded again.
    for (const name of readdirSync(outDir)) {
      if (name.startsWith('discrescue-testing-') && name.endsWith('.node') && join(outDir, name) !== output) {
        rmSync(join(outDir, name), { force: true });
      }
    }
  }
  return { addon: require(output) as TestingBinding, path: output };
}
