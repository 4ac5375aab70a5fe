/** `discrescue ls` and `discrescue extract`, in-process, on hand-built images and an emulated drive. */

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../../helpers/cli.js';
import { buildIso, concat, nm, px, rockRidgeRoot, suEntry, type RecordSpec } from '../fs/iso9660-build.js';

const work = mkdtempSync(join(tmpdir(), 'discrescue-ls-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const dot = (extent: number, su?: Uint8Array): RecordSpec => ({ name: '\0', extent, size: 2048, flags: 2, ...(su ? { systemUse: su } : {}) });
const dotDot = (extent: number, su?: Uint8Array): RecordSpec => ({ name: '\x01', extent, size: 2048, flags: 2, ...(su ? { systemUse: su } : {}) });

/** Rock Ridge volume: /docs/note.txt, /hello.txt (uid 1000), /link -> hello.txt, /evil named "../x". */
function image(): string {
  const path = join(work, `vol-${Math.random().toString(36).slice(2)}.iso`);
  const bytes = buildIso({
    sectors: 40,
    rootExtent: 20,
    volumeId: 'CLI_TEST',
    directories: [
      {
        block: 20,
        records: [
          dot(20, concat(rockRidgeRoot(), px(0o40755, 3))), dotDot(20, px(0o40755, 3)),
          { name: 'DOCS', extent: 21, size: 2048, flags: 2, systemUse: concat(nm('docs'), px(0o40755, 2)) },
          { name: 'EVIL.;1', extent: 25, size: 4, systemUse: concat(nm('../x'), px(0o100644)) },
          { name: 'HELLO.TXT;1', extent: 24, size: 6, systemUse: concat(nm('hello.txt'), px(0o100644, 1, 1000, 100)) },
          { name: 'LINK.;1', extent: 0, size: 0, systemUse: concat(nm('link'), px(0o120777), suEntry('SL', [0, 0, 9, ...Buffer.from('hello.txt')])) },
        ],
      },
      { block: 21, records: [dot(21, px(0o40755, 2)), dotDot(20, px(0o40755, 3)), { name: 'NOTE.TXT;1', extent: 26, size: 5, systemUse: concat(nm('note.txt'), px(0o100444)) }] },
    ],
    files: [{ block: 24, data: Buffer.from('hello\n') }, { block: 25, data: Buffer.from('evil') }, { block: 26, data: Buffer.from('note\n') }],
  });
  writeFileSync(path, bytes);
  return path;
}

describe('discrescue ls', () => {
  it('lists full paths breadth first, like isoinfo -f', async () => {
    const got = await cli(['ls', image()]);
    expect(got.out).toBe('/docs\n/../x\n/hello.txt\n/link\n/docs/note.txt\n');
    expect(got.err).toBe('warning: /../x: the name "../x" cannot be a file name as it is [ISO_UNSAFE_NAME]\n');
    expect(got.code).toBe(0);
  });

  it('-l prints isoinfo -l style directory listings', async () => {
    const got = await cli(['ls', image(), '-l']);
    expect(got.out).toBe([
      '',
      'Directory listing of /',
      'drwxr-xr-x   3    0    0            2048 May  6 2020 [     20 02]  . ',
      'drwxr-xr-x   3    0    0            2048 May  6 2020 [     20 02]  .. ',
      'drwxr-xr-x   2    0    0            2048 May  6 2020 [     21 02]  docs ',
      '-rw-r--r--   1    0    0               4 May  6 2020 [     25 00]  ../x ',
      '-rw-r--r--   1 1750  144               6 May  6 2020 [     24 00]  hello.txt ',
      'lrwxrwxrwx   1    0    0               0 May  6 2020 [      0 00]  link -> hello.txt',
      '',
      'Directory listing of /docs/',
      'drwxr-xr-x   2    0    0            2048 May  6 2020 [     21 02]  . ',
      'drwxr-xr-x   3    0    0            2048 May  6 2020 [     20 02]  .. ',
      '-r--r--r--   1    0    0               5 May  6 2020 [     26 00]  note.txt ',
      '',
    ].join('\n'));
    expect(got.code).toBe(0);
  });

  it('--json prints the tree and the descriptors; --names iso shows the recorded names', async () => {
    const got = await cli(['ls', image(), '--json', '--names', 'iso']);
    const doc = JSON.parse(got.out) as { label: string; names: string; root: { children: { name: string; children?: { name: string }[] }[] }; descriptors: { primary: { volumeId: string } } };
    expect(doc.label).toBe('CLI_TEST');
    expect(doc.names).toBe('iso');
    expect(doc.descriptors.primary.volumeId).toBe('CLI_TEST');
    expect(doc.root.children.map((c) => c.name)).toEqual(['DOCS', 'EVIL.;1', 'HELLO.TXT;1', 'LINK.;1']);
    expect(doc.root.children[0]!.children!.map((c) => c.name)).toEqual(['NOTE.TXT;1']);
  });

  it('usage mistakes exit 2; an image without any filesystem exits 1 with a typed error', async () => {
    expect((await cli(['ls', image(), '--names', 'hfs'])).code).toBe(2);
    expect((await cli(['ls', image(), '--fs', 'ntfs'])).code).toBe(2);
    expect((await cli(['ls', image(), '--fs', 'udf', '--names', 'rr'])).code).toBe(2);
    expect((await cli(['ls', image(), '--offset', '-3'])).code).toBe(2);
    expect((await cli(['ls'])).code).toBe(2);
    expect((await cli(['extract', image(), '/'])).code).toBe(2);
    expect((await cli(['ls', image(), '--mapfile', 'x'])).code).toBe(2);
    const blank = join(work, 'blank.iso');
    writeFileSync(blank, new Uint8Array(40 * 2048));
    const got = await cli(['ls', blank]);
    expect(got.code).toBe(1);
    expect(got.err).toBe(`discrescue: ${blank}: no ISO 9660, UDF, HFS+ or HFS volume [ERR_FORMAT]\n`);
    const iso = await cli(['ls', blank, '--fs', 'iso']);
    expect(iso.err).toBe(`discrescue: ${blank}: no ISO 9660 volume descriptor at sector 16 [ERR_FORMAT]\n`);
    expect((await cli(['ls', image(), '--fs', 'hfs'])).err).toMatch(/: no HFS volume \[ERR_FORMAT\]\n$/u);
  });

  it('lists the emulated demo disc through a drive address', async () => {
    const got = await cli(['ls', 'emu:demo-data']);
    expect(got.out).toBe('/ARCHIVE.BIN;1\n/PHOTOS.DAT;1\n/README.TXT;1\n/REPORT.TXT;1\n');
    expect(got.code).toBe(0);
  });
});

describe('discrescue extract', () => {
  it('extracts a tree, renames the escaping name, keeps the symlink as text', async () => {
    const dest = join(work, 'out');
    const got = await cli(['extract', image(), '/', dest]);
    expect(got.out).toBe([
      '3 files, 2 directories, 1 symlinks, 15 B written to ' + dest,
      'renamed: /../x -> .._x',
      '',
    ].join('\n'));
    expect(got.code).toBe(0);
    expect(readdirSync(dest).sort()).toEqual(['.._x', 'docs', 'hello.txt', 'link']);
    expect(readFileSync(join(dest, 'docs', 'note.txt'), 'utf8')).toBe('note\n');
    expect(readdirSync(work).filter((n) => n === 'x')).toEqual([]);
  });

  it('extracts one file by path; a second run does not overwrite and exits 1', async () => {
    const dest = join(work, 'one.txt');
    const volume = image();
    expect((await cli(['extract', volume, '/docs/note.txt', dest])).code).toBe(0);
    expect(readFileSync(dest, 'utf8')).toBe('note\n');
    const again = await cli(['extract', volume, '/docs/note.txt', dest, '--json']);
    expect(again.code).toBe(1);
    const report = JSON.parse(again.out) as { skipped: { path: string; reason: string }[] };
    expect(report.skipped.map((s) => s.path)).toEqual(['/docs/note.txt']);
  });
});
