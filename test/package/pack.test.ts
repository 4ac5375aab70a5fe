/**
 * The packed tarball installs and works on a machine with no compiler: `npm pack`, then
 * `npm install <tarball>` into a fresh project with a PATH holding only node, npm and npx, then a
 * script there must load the prebuilt addon from node_modules/discrescue/prebuilds/.
 */

import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const onLinux = process.platform === 'linux';
if (!onLinux) console.warn(`pack.test.ts skipped: prebuilds are made for Linux only (this is ${process.platform})`);

const prebuildDir = join(repoRoot, 'prebuilds', `${process.platform}-${process.arch}`);
const nativeInputs = ['binding.gyp', 'native'];

function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtimeMs(join(path, name))));
}

function prebuildIsCurrent(): boolean {
  if (!existsSync(prebuildDir)) return false;
  const files = readdirSync(prebuildDir).filter((name) => name.endsWith('.node'));
  if (files.length === 0) return false;
  const built = Math.min(...files.map((name) => statSync(join(prebuildDir, name)).mtimeMs));
  return built >= Math.max(...nativeInputs.map((input) => newestMtimeMs(join(repoRoot, input))));
}

/**
 * `npm run prebuild` in a scratch copy of the native sources, so the repository's build/ (which
 * other test files load the addon from) is never rebuilt under them; the result is moved into
 * prebuilds/.
 */
async function makePrebuild(scratch: string): Promise<void> {
  const stage = join(scratch, 'stage');
  mkdirSync(stage);
  for (const input of [...nativeInputs, 'package.json']) cpSync(join(repoRoot, input), join(stage, input), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(stage, 'node_modules'));
  await run('npm', ['run', 'prebuild'], { cwd: stage, maxBuffer: 64 * 1024 * 1024 });
  const built = join(stage, 'prebuilds', `${process.platform}-${process.arch}`);
  mkdirSync(dirname(prebuildDir), { recursive: true });
  const incoming = `${prebuildDir}.${process.pid}.tmp`;
  cpSync(built, incoming, { recursive: true });
  rmSync(prebuildDir, { recursive: true, force: true });
  renameSync(incoming, prebuildDir);
}

interface PackResult {
  filename: string;
  files: { path: string }[];
}

describe.skipIf(!onLinux)('the packed tarball', () => {
  const scratch = onLinux ? mkdtempSync(join(tmpdir(), 'discrescue-pack-')) : '';
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('installs without a compiler and loads the prebuilt addon', { timeout: 180_000 }, async () => {
    if (!prebuildIsCurrent()) await makePrebuild(scratch);
    expect(readdirSync(prebuildDir).some((name) => name.endsWith('.node'))).toBe(true);

    // `npm pack` runs `prepare` (tsc to dist/) first.
    const packDir = join(scratch, 'pack');
    mkdirSync(packDir);
    const packed = await run('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    const jsonStart = packed.stdout.indexOf('[');
    const [pack] = JSON.parse(packed.stdout.slice(jsonStart)) as PackResult[];
    const files = pack!.files.map((file) => file.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/transport/native-transport.js');
    expect(files).toContain('binding.gyp');
    expect(files.some((file) => file.startsWith(`prebuilds/${process.platform}-${process.arch}/`) && file.endsWith('.node'))).toBe(true);
    expect(files.some((file) => file.startsWith('build/'))).toBe(false);
    const tarball = join(packDir, pack!.filename);

    // A PATH with node, npm and npx only: no gcc, g++, make or python to fall back on. npm looks
    // its script shell up on PATH, so name it by absolute path instead.
    const bin = join(scratch, 'bin');
    mkdirSync(bin);
    const npmCli = realpathSync(join(dirname(process.execPath), 'npm'));
    const npxCli = realpathSync(join(dirname(process.execPath), 'npx'));
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync(npmCli, join(bin, 'npm'));
    symlinkSync(npxCli, join(bin, 'npx'));
    const env: NodeJS.ProcessEnv = {
      PATH: bin,
      HOME: process.env.HOME ?? tmpdir(),
      TMPDIR: tmpdir(),
      npm_config_update_notifier: 'false',
      npm_config_script_shell: '/bin/sh',
    };

    const project = join(scratch, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'pack-check', version: '1.0.0', private: true, type: 'module' }, null, 2));
    await run(join(bin, 'npm'), ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: project,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    const installed = join(project, 'node_modules', 'discrescue');
    expect(existsSync(join(installed, 'build'))).toBe(false);

    writeFileSync(
      join(project, 'check.mjs'),
      `import { createRequire } from 'node:module';
import { openNativeTransport, NativeTransport, loadNativeBinding } from 'discrescue';
let code = 'OPENED';
try {
  await openNativeTransport('/dev/null');
} catch (error) {
  code = error.code;
}
const addons = Object.keys(createRequire(import.meta.url).cache).filter((file) => file.endsWith('.node'));
console.log(JSON.stringify({ code, addons, exports: [typeof NativeTransport, typeof loadNativeBinding] }));
`,
    );
    const checked = await run(join(bin, 'node'), ['check.mjs'], { cwd: project, env });
    const report = JSON.parse(checked.stdout) as { code: string; addons: string[]; exports: string[] };
    expect(report.code).toBe('ERR_NOT_SCSI_DEVICE');
    expect(report.exports).toEqual(['function', 'function']);
    expect(report.addons).toHaveLength(1);
    const prebuilds = join(realpathSync(installed), 'prebuilds') + sep;
    expect(realpathSync(report.addons[0]!).startsWith(prebuilds)).toBe(true);
  });
});
