// Host side of the kernel tier: the Debian packages it needs, and Debian's kernel fetched and
// unpacked (never installed) into the cache directory.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Debian packages the tier runs on, with the file each one provides. */
export const REQUIRED_PACKAGES = [
  { name: 'qemu-system-x86', file: '/usr/bin/qemu-system-x86_64' },
  { name: 'busybox-static', file: '/bin/busybox' },
  { name: 'genisoimage', file: '/usr/bin/genisoimage' },
];

/** Installs what is missing when running as root; otherwise says what to install and fails. */
export function ensurePackages(log) {
  const missing = REQUIRED_PACKAGES.filter((p) => !isInstalled(p.name) || !existsSync(p.file));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name);
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${names.join(' ')} (apt-get install ${names.join(' ')})`);
  }
  log(`installing ${names.join(' ')} with apt-get`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { DEBIAN_FRONTEND: 'noninteractive' });
  for (const p of missing) {
    if (!existsSync(p.file)) throw new Error(`${p.name} is installed but ${p.file} is missing`);
  }
}

function isInstalled(name) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function run(command, args, env = {}, options = {}) {
  const r = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env }, ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}`);
}

/** Name of the versioned image package `linux-image-amd64` depends on (linux-image-6.1.0-NN-amd64). */
export function kernelPackageName() {
  const text = execFileSync('apt-cache', ['depends', 'linux-image-amd64'], { encoding: 'utf8' });
  const match = /Depends:\s*(linux-image-\S+-amd64)\b/u.exec(text);
  if (!match?.[1]) throw new Error(`apt-cache depends linux-image-amd64 names no linux-image-*-amd64:\n${text}`);
  return match[1];
}

/**
 * Downloads and unpacks the kernel package into `cacheDir` once; returns the kernel image, the
 * module tree and the version. A package already unpacked there is reused without asking apt.
 */
export function fetchKernel(cacheDir, log) {
  mkdirSync(cacheDir, { recursive: true });
  const unpacked = join(cacheDir, 'root');
  let release = findRelease(unpacked);
  if (!release) {
    const pkg = kernelPackageName();
    let deb = readdirSync(cacheDir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
    if (!deb) {
      log(`downloading ${pkg} (apt-get download)`);
      // As root, apt's download sandbox user could not write into the cache directory.
      const download = [...(process.getuid?.() === 0 ? ['-o', 'APT::Sandbox::User=root'] : []), 'download', pkg];
      const r = spawnSync('apt-get', download, { cwd: cacheDir, stdio: 'inherit' });
      if (r.status !== 0) {
        // The package lists may be missing or stale in a fresh container.
        if (process.getuid?.() === 0) {
          run('apt-get', ['update', '-qq']);
          run('apt-get', download, {}, { cwd: cacheDir });
        } else {
          throw new Error(`apt-get download ${pkg} failed`);
        }
      }
      deb = readdirSync(cacheDir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
      if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${cacheDir}`);
    }
    log(`unpacking ${deb}`);
    rmSync(unpacked, { recursive: true, force: true });
    run('dpkg', ['-x', join(cacheDir, deb), unpacked]);
    release = findRelease(unpacked);
    if (!release) throw new Error(`${deb} holds no boot/vmlinuz-*`);
  }
  return {
    release,
    vmlinuz: join(unpacked, 'boot', `vmlinuz-${release}`),
    moduleDir: join(unpacked, 'lib', 'modules', release),
  };
}

function findRelease(unpacked) {
  const boot = join(unpacked, 'boot');
  if (!existsSync(boot)) return undefined;
  const image = readdirSync(boot).find((f) => f.startsWith('vmlinuz-'));
  if (!image) return undefined;
  const release = image.slice('vmlinuz-'.length);
  return existsSync(join(unpacked, 'lib', 'modules', release)) ? release : undefined;
}

/**
 * Resolves kernel modules by name (with their `depends=`, read from each .ko's .modinfo section
 * since the host has no modinfo) and returns them in an order insmod accepts: dependencies first,
 * otherwise the order asked for. Built-in modules are skipped.
 */
export function resolveModules(moduleDir, wanted) {
  const index = indexModules(moduleDir);
  const builtin = readBuiltin(moduleDir);
  const ordered = [];
  const seen = new Set();
  const visit = (name, chain) => {
    const key = name.replace(/-/gu, '_');
    if (seen.has(key)) return;
    if (chain.includes(key)) throw new Error(`module dependency cycle: ${[...chain, key].join(' -> ')}`);
    const path = index.get(key);
    if (!path) {
      if (builtin.has(key)) {
        seen.add(key);
        return;
      }
      throw new Error(`module ${name} not found under ${moduleDir}`);
    }
    const info = readModinfo(path);
    for (const dep of (info.get('depends') ?? '').split(',').filter(Boolean)) visit(dep, [...chain, key]);
    seen.add(key);
    ordered.push({ name: key, path });
  };
  for (const name of wanted) visit(name, []);
  return ordered;
}

function indexModules(moduleDir) {
  const index = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ko')) index.set(entry.name.slice(0, -3).replace(/-/gu, '_'), path);
      else if (/\.ko\.(xz|zst|gz)$/u.test(entry.name)) {
        throw new Error(`${path}: compressed modules are not supported (busybox insmod needs plain .ko)`);
      }
    }
  };
  walk(join(moduleDir, 'kernel'));
  return index;
}

function readBuiltin(moduleDir) {
  const file = join(moduleDir, 'modules.builtin');
  if (!existsSync(file)) return new Set();
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace(/^.*\//u, '').replace(/\.ko$/u, '').replace(/-/gu, '_')),
  );
}

/** The key=value strings of an ELF64 little-endian module's .modinfo section. */
export function readModinfo(path) {
  const elf = readFileSync(path);
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error(`${path}: not an ELF64 LE object`);
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  const section = (i) => {
    const o = shoff + i * shentsize;
    return { name: elf.readUInt32LE(o), offset: Number(elf.readBigUInt64LE(o + 0x18)), size: Number(elf.readBigUInt64LE(o + 0x20)) };
  };
  const names = section(shstrndx);
  const nameOf = (s) => {
    const start = names.offset + s.name;
    return elf.toString('latin1', start, elf.indexOf(0, start));
  };
  const info = new Map();
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (nameOf(s) !== '.modinfo') continue;
    for (const entry of elf.toString('latin1', s.offset, s.offset + s.size).split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0 && !info.has(entry.slice(0, eq))) info.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
  }
  return info;
}

/** The shared libraries `ldd` lists for a binary (absolute paths, the loader included). */
export function sharedLibraries(binary) {
  const text = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libs = [];
  for (const line of text.split('\n')) {
    const m = /=>\s*(\/\S+)/u.exec(line) ?? /^\s*(\/\S+)\s+\(/u.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}
