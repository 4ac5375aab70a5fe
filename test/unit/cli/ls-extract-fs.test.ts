/**
 * `discrescue ls` and `extract` on UDF, HFS and HFS+ volumes made by Debian's tools: hfsutils
 * (hformat, hmkdir, hcopy; `hls -laR` as oracle), xorriso -hfsplus hybrids, genisoimage -udf
 * bridges and empty mkudffs volumes.
 */

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../../helpers/cli.js';

const HAVE_HFSUTILS = ['hformat', 'hmount', 'hls'].every((t) => spawnSync(t, ['-x-not-an-option']).error === undefined);
const HAVE_XORRISO = spawnSync('xorriso', ['--version']).error === undefined;
const HAVE_GENISOIMAGE = spawnSync('genisoimage', ['--version']).error === undefined;
const HAVE_MKUDFFS = spawnSync('mkudffs', ['--help']).error === undefined;

const work = mkdtempSync(join(tmpdir(), 'discrescue-lsfs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const payload = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31 + (i >> 9)) & 0xff));
const OLD = new Date('2021-03-04T05:06:07Z');

/** A source tree: /a.txt (dated OLD), /sub/b.bin (70,000 bytes), /sub/deeper/c d.txt. */
function sourceTree(name: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
  writeFileSync(join(dir, 'a.txt'), 'hello\n');
  writeFileSync(join(dir, 'sub', 'b.bin'), payload);
  writeFileSync(join(dir, 'sub', 'deeper', 'c d.txt'), 'spaces\n');
  utimesSync(join(dir, 'a.txt'), OLD, OLD);
  return dir;
}

function sh(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { encoding: 'latin1', ...(env ? { env } : {}) });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Every file below `dir` (relative paths) with its bytes. */
function filesBelow(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const rel = `${prefix}/${name.name}`;
    if (name.isDirectory()) for (const [k, v] of filesBelow(join(dir, name.name), rel)) out.set(k, v);
    else out.set(rel, readFileSync(join(dir, name.name)));
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A date as `hls -l` prints it in UTC: the time for the last six months, else the year. */
function hlsDate(date: Date, now: Date): string {
  const day = `${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2)}`;
  const recent = Math.abs(now.getTime() - date.getTime()) < 182 * 86_400_000;
  const hm = `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
  return recent ? `${day} ${hm}` : `${day}  ${date.getUTCFullYear()}`;
}

interface HlsEntry {
  kind: 'file' | 'directory';
  size: number | undefined;
  date: string;
}

/** `hls -laR` output as path → entry (':'-separated HFS paths turned into '/'). */
function parseHls(text: string): Map<string, HlsEntry> {
  const out = new Map<string, HlsEntry>();
  let dir = '';
  for (const line of text.split('\n')) {
    const header = /^:(.*):$/u.exec(line);
    if (header) {
      dir = `/${header[1]!.replace(/:/gu, '/')}`;
      continue;
    }
    const file = /^[fF]i?\s+\S{4}\/\S{4}\s+\d+\s+(\d+) (\w{3} [ \d]\d (?: \d{4}|\d\d:\d\d)) (.*)$/u.exec(line);
    const folder = /^d\s+\d+ items?\s+(\w{3} [ \d]\d (?: \d{4}|\d\d:\d\d)) (.*)$/u.exec(line);
    if (file) out.set(`${dir}/${file[3]}`, { kind: 'file', size: Number(file[1]), date: file[2]! });
    else if (folder) out.set(`${dir}/${folder[2]}`, { kind: 'directory', size: undefined, date: folder[1]! });
  }
  return out;
}

interface JsonNode {
  path: string;
  kind: string;
  size: number;
  mtime?: string;
  children?: JsonNode[];
}

function flatten(node: JsonNode, out = new Map<string, JsonNode>()): Map<string, JsonNode> {
  for (const child of node.children ?? []) {
    out.set(child.path, child);
    flatten(child, out);
  }
  return out;
}

describe.skipIf(!HAVE_HFSUTILS)('HFS volumes from hformat/hmkdir/hcopy, hls -laR as oracle (skipped without hfsutils)', () => {
  it('ls, ls -l and ls --json agree with hls; extract gives back the bytes and the dates', async () => {
    const tree = sourceTree('hfs-src');
    const image = join(work, 'plain.hfs');
    writeFileSync(image, '');
    truncateSync(image, 1440 * 1024);
    const home = join(work, 'hfs-home');
    mkdirSync(home, { recursive: true });
    // HFS keeps local time: in UTC, what hls shows and what we show are the same clock.
    const env = { ...process.env, HOME: home, TZ: 'UTC' };
    sh('hformat', ['-l', 'Rescue Disk', image], env);
    sh('hmount', [image], env);
    sh('hmkdir', [':sub'], env);
    sh('hmkdir', [':sub:deeper'], env);
    sh('hcopy', ['-r', join(tree, 'a.txt'), ':a.txt'], env);
    sh('hcopy', ['-r', join(tree, 'sub', 'b.bin'), ':sub:b.bin'], env);
    sh('hcopy', ['-r', join(tree, 'sub', 'deeper', 'c d.txt'), ':sub:deeper:c d.txt'], env);
    const hls = parseHls(sh('hls', ['-laR'], env));
    sh('humount', [], env);
    expect([...hls.keys()].sort()).toEqual(['/a.txt', '/sub', '/sub/b.bin', '/sub/deeper', '/sub/deeper/c d.txt']);

    const ls = await cli(['ls', image]);
    expect(ls.code).toBe(0);
    expect(ls.out).toBe('/a.txt\n/sub\n/sub/b.bin\n/sub/deeper\n/sub/deeper/c d.txt\n');
    expect(await cli(['ls', image, '--fs', 'hfs'])).toEqual(ls);
    expect((await cli(['ls', image, '--fs', 'hfsplus'])).code).toBe(1);

    const json = JSON.parse((await cli(['ls', image, '--json'])).out) as { type: string; label: string; root: JsonNode };
    expect([json.type, json.label]).toEqual(['hfs', 'Rescue Disk']);
    const nodes = flatten(json.root);
    const now = new Date();
    for (const [path, entry] of hls) {
      const node = nodes.get(path)!;
      expect(node.kind, path).toBe(entry.kind);
      if (entry.size !== undefined) expect(node.size, path).toBe(entry.size);
      expect(hlsDate(new Date(node.mtime!), now), path).toBe(entry.date);
    }

    const long = await cli(['ls', '-l', image]);
    const lines = long.out.split('\n');
    const date = (path: string): string => {
      const d = new Date(nodes.get(path)!.mtime!);
      return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${d.getUTCFullYear()}`;
    };
    expect(lines.slice(0, 7)).toEqual([
      '',
      'Directory listing of /',
      expect.stringMatching(/^d---------   0    0    0               0 \w{3} [ \d]\d \d{4} \[      0 02\]  \. $/u),
      expect.stringMatching(/^d---------   0    0    0               0 \w{3} [ \d]\d \d{4} \[      0 02\]  \.\. $/u),
      expect.stringMatching(new RegExp(`^----------   0    0    0               6 ${date('/a.txt')} \\[ +\\d+ 00\\]  a\\.txt $`, 'u')),
      `d---------   0    0    0               0 ${date('/sub')} [      0 02]  sub `,
      '',
    ]);
    expect(long.out).toContain(`\nDirectory listing of /sub/deeper/\n`);
    expect(long.out).toMatch(new RegExp(`\n----------   0    0    0           70000 ${date('/sub/b.bin')} \\[ +\\d+ 00\\]  b\\.bin \n`, 'u'));

    const dest = join(work, 'hfs-out');
    const ex = await cli(['extract', image, '/', dest]);
    expect(ex.out).toBe(`3 files, 3 directories, 0 symlinks, 70.01 kB written to ${dest}\n`);
    expect(ex.code).toBe(0);
    expect(filesBelow(dest)).toEqual(filesBelow(tree));
    for (const path of ['/a.txt', '/sub/b.bin', '/sub/deeper/c d.txt', '/sub']) {
      expect(statSync(join(dest, path)).mtime.toISOString(), path).toBe(nodes.get(path)!.mtime);
    }
  });
});

describe.skipIf(!HAVE_XORRISO)('HFS+ side of an xorriso -hfsplus hybrid (skipped without xorriso)', () => {
  it('ISO 9660 by default, HFS+ with --fs hfsplus; extract keeps bytes, modes and dates', async () => {
    const tree = sourceTree('hfsplus-src');
    const image = join(work, 'hybrid.iso');
    sh('xorriso', ['-as', 'mkisofs', '-R', '-hfsplus', '-V', 'HYBRID', '-o', image, tree]);
    const paths = '/a.txt\n/sub\n/sub/b.bin\n/sub/deeper\n/sub/deeper/c d.txt\n';
    const iso = await cli(['ls', image]);
    expect(iso.out).toBe(paths);
    expect(JSON.parse((await cli(['ls', image, '--json'])).out).type).toBe('iso9660');
    const plus = await cli(['ls', image, '--fs', 'hfsplus']);
    expect(plus).toEqual({ code: 0, out: paths, err: '' });
    const json = JSON.parse((await cli(['ls', image, '--json', '--fs', 'hfsplus'])).out) as { type: string; label: string; root: JsonNode; header: { signature: string } };
    expect([json.type, json.label, json.header.signature]).toEqual(['hfsplus', 'HYBRID', 'H+']);
    expect(flatten(json.root).get('/a.txt')!.mtime).toBe(OLD.toISOString());

    const long = (await cli(['ls', '-l', image, '--fs', 'hfsplus'])).out.split('\n');
    expect(long[4]).toMatch(/^-rw-r--r--   0    0    0               6 Mar  4 2021 \[ +\d+ 00\]  a\.txt $/u);
    expect(long[5]).toMatch(/^drwxr-xr-x   0    0    0               0 \w{3} [ \d]\d \d{4} \[      0 02\]  sub $/u);

    const dest = join(work, 'hfsplus-out');
    const ex = await cli(['extract', image, '/sub', dest, '--fs', 'hfsplus']);
    expect(ex.code).toBe(0);
    expect(filesBelow(dest)).toEqual(filesBelow(join(tree, 'sub')));
    const one = join(work, 'a-from-hfsplus.txt');
    expect((await cli(['extract', image, '/a.txt', one, '--fs', 'hfsplus'])).code).toBe(0);
    expect(readFileSync(one, 'utf8')).toBe('hello\n');
    expect(statSync(one).mtime.toISOString()).toBe(OLD.toISOString());
    expect(statSync(one).mode & 0o777).toBe(0o644);
  });
});

describe.skipIf(!HAVE_GENISOIMAGE)('UDF side of a genisoimage -udf bridge (skipped without genisoimage)', () => {
  it('--fs udf lists the UDF tree like the ISO one; extract gives back the bytes and dates', async () => {
    const tree = sourceTree('udf-src');
    const image = join(work, 'bridge.iso');
    sh('genisoimage', ['-quiet', '-udf', '-R', '-V', 'BRIDGE', '-o', image, tree]);
    const udf = await cli(['ls', image, '--fs', 'udf']);
    expect(udf).toEqual({ code: 0, out: '/a.txt\n/sub\n/sub/b.bin\n/sub/deeper\n/sub/deeper/c d.txt\n', err: '' });
    const json = JSON.parse((await cli(['ls', image, '--json', '--fs', 'udf'])).out) as { type: string; label: string; root: JsonNode; volume: { revisionText: string } };
    expect([json.type, json.label, json.volume.revisionText]).toEqual(['udf', 'BRIDGE', '1.02']);
    expect(flatten(json.root).get('/a.txt')!.mtime).toBe(OLD.toISOString());

    const long = (await cli(['ls', '-l', image, '--fs', 'udf'])).out.split('\n');
    expect(long[4]).toMatch(/^-r--r--r--   1    0    0               6 Mar  4 2021 \[ +\d+ 00\]  a\.txt $/u);
    expect(long[5]).toMatch(/^dr-xr-xr-x   \d    0    0             \d+ \w{3} [ \d]\d \d{4} \[ +\d+ 02\]  sub $/u);

    const dest = join(work, 'udf-out');
    const ex = await cli(['extract', image, '/', dest, '--fs', 'udf']);
    expect(ex.out).toBe(`3 files, 3 directories, 0 symlinks, 70.01 kB written to ${dest}\n`);
    expect(filesBelow(dest)).toEqual(filesBelow(tree));
    expect(statSync(join(dest, 'a.txt')).mtime.toISOString()).toBe(OLD.toISOString());
  });
});

describe.skipIf(!HAVE_MKUDFFS)('empty mkudffs volumes (skipped without udftools)', () => {
  it('a UDF-only image is found without --fs and lists as an empty tree', async () => {
    const image = join(work, 'empty.udf');
    writeFileSync(image, '');
    truncateSync(image, 2000 * 2048);
    sh('mkudffs', ['--media-type=hd', '--blocksize=2048', '--label=EMPTY', image]);
    expect(await cli(['ls', image])).toEqual({ code: 0, out: '', err: '' });
    const long = await cli(['ls', '-l', image]);
    // The root's one record (its parent entry) is stored inside its file entry: no extent.
    const line = (name: string): string => `drwxr-xr-x   1    0    0              40 \\w{3} [ \\d]\\d \\d{4} \\[      0 02\\]  ${name} `;
    expect(long.out).toMatch(new RegExp(`^\\nDirectory listing of /\\n${line('\\.')}\\n${line('\\.\\.')}\\n$`, 'u'));
    const json = JSON.parse((await cli(['ls', image, '--json'])).out) as { type: string; label: string; root: JsonNode };
    expect([json.type, json.label, json.root.children]).toEqual(['udf', 'EMPTY', []]);
    expect((await cli(['ls', image, '--fs', 'iso'])).code).toBe(1);
  });
});
