// The guest's initramfs, as two newc archives the kernel unpacks one after the other: a base
// (busybox, kernel modules, node and its libraries) cached between runs, and the project (dist/,
// the addon, the guest tests, the test disc) rebuilt every run.

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { sharedLibraries } from './host-tools.mjs';

const BUSYBOX = '/bin/busybox';

/**
 * Builds (or reuses) the base archive: /bin/busybox, /init, /kt/modules/*.ko with the load order
 * in /kt/modules.list, and node at /usr/bin/node with every library ldd lists at the same path.
 */
export function buildBaseArchive({ workDir, kernel, modules, initScript, log }) {
  const node = realpathSync(process.execPath);
  const key = JSON.stringify({
    kernel: kernel.release,
    modules: modules.map((m) => m.name),
    node: fileStamp(node),
    busybox: fileStamp(BUSYBOX),
    init: readFileSync(initScript, 'utf8'),
  });
  const archive = join(workDir, 'base.cpio');
  const keyFile = join(workDir, 'base.key');
  if (existsSync(archive) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) return archive;

  log('building the base initramfs (busybox, modules, node)');
  const root = join(workDir, 'base-root');
  rmSync(root, { recursive: true, force: true });
  for (const dir of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'proc', 'sys', 'dev', 'tmp', 'mnt', 'kt/modules']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  copyFileSync(BUSYBOX, join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  copyFileSync(initScript, join(root, 'init'));
  chmodSync(join(root, 'init'), 0o755);
  for (const m of modules) copyFileSync(m.path, join(root, 'kt/modules', `${m.name}.ko`));
  writeFileSync(join(root, 'kt/modules.list'), `${modules.map((m) => m.name).join('\n')}\n`);
  copyFileSync(node, join(root, 'usr/bin/node'));
  chmodSync(join(root, 'usr/bin/node'), 0o755);
  for (const lib of sharedLibraries(node)) {
    const target = join(root, lib);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(lib, target); // follows the symlink: the guest gets the real file at the name ld.so asks for
  }
  writeCpio(root, archive);
  writeFileSync(keyFile, key);
  rmSync(root, { recursive: true, force: true });
  return archive;
}

/**
 * Builds the project archive under /discrescue (package.json, dist/, the addon, node-gyp-build,
 * test/kernel/) and /kt (the test disc and what the guest should find on it).
 */
export function buildProjectArchive({ workDir, projectDir, guestFiles, isoPath, config }) {
  const root = join(workDir, 'project-root');
  rmSync(root, { recursive: true, force: true });
  const app = join(root, 'discrescue');
  mkdirSync(join(app, 'build/Release'), { recursive: true });
  copyFileSync(join(projectDir, 'package.json'), join(app, 'package.json'));
  cpSync(join(projectDir, 'dist'), join(app, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') && !src.endsWith('.d.ts') });
  copyFileSync(join(projectDir, 'build/Release/discrescue.node'), join(app, 'build/Release/discrescue.node'));
  cpSync(join(projectDir, 'node_modules/node-gyp-build'), join(app, 'node_modules/node-gyp-build'), { recursive: true });
  mkdirSync(join(app, 'test/kernel'), { recursive: true });
  for (const file of guestFiles) copyFileSync(file, join(app, 'test/kernel', file.split('/').pop()));
  mkdirSync(join(root, 'kt'), { recursive: true });
  copyFileSync(isoPath, join(root, 'kt/test.iso'));
  writeFileSync(join(root, 'kt/config.json'), `${JSON.stringify(config, null, 2)}\n`);
  const archive = join(workDir, 'project.cpio');
  writeCpio(root, archive);
  rmSync(root, { recursive: true, force: true });
  return archive;
}

/** Concatenates archives into one initrd (the kernel unpacks concatenated newc archives in turn). */
export function concatenate(parts, output) {
  const fd = openSync(output, 'w');
  try {
    for (const part of parts) {
      const data = readFileSync(part);
      writeSync(fd, data);
      const pad = (4 - (data.length % 4)) % 4; // each archive starts 4-byte aligned
      if (pad) writeSync(fd, Buffer.alloc(pad));
    }
  } finally {
    closeSync(fd);
  }
  return output;
}

/** `busybox cpio -o -H newc` of every entry under root (paths relative to it, directories first). */
function writeCpio(root, output) {
  const entries = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      entries.push(relative(root, path));
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(root);
  const fd = openSync(output, 'w');
  try {
    const r = spawnSync(BUSYBOX, ['cpio', '-o', '-H', 'newc'], {
      cwd: root,
      input: `${entries.join('\n')}\n`,
      stdio: ['pipe', fd, 'pipe'],
      maxBuffer: 1 << 20,
    });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`busybox cpio failed: ${r.stderr}`);
  } finally {
    closeSync(fd);
  }
}

function fileStamp(path) {
  const s = statSync(path);
  return `${path}:${s.size}:${s.mtimeMs}`;
}
