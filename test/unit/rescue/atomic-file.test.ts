import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync } from '../../../lib/rescue/atomic-file.js';

const root = mkdtempSync(join(tmpdir(), 'discrescue-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function freshDir(): string {
  const dir = join(root, String(counter++));
  mkdirSync(dir);
  return dir;
}

for (const [name, write] of [
  ['writeFileAtomic', writeFileAtomic],
  ['writeFileAtomicSync', async (path: string, data: string | Uint8Array, options?: { mode?: number }) => writeFileAtomicSync(path, data, options)],
] as const) {
  describe(name, () => {
    it('creates a file with mode 0o644 (less the umask) and leaves nothing else', async () => {
      const dir = freshDir();
      const path = join(dir, 'map');
      await write(path, 'hello\n');
      expect(readFileSync(path, 'utf8')).toBe('hello\n');
      expect(statSync(path).mode & 0o777).toBe(0o644 & ~process.umask());
      expect(readdirSync(dir)).toEqual(['map']);
    });

    it('replaces a file, keeping its mode', async () => {
      const dir = freshDir();
      const path = join(dir, 'map');
      writeFileSync(path, 'old content that is longer');
      chmodSync(path, 0o600);
      await write(path, new Uint8Array([0x6e, 0x65, 0x77]));
      expect(readFileSync(path, 'utf8')).toBe('new');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readdirSync(dir)).toEqual(['map']);
    });

    it('sets an explicit mode exactly', async () => {
      const dir = freshDir();
      const path = join(dir, 'map');
      await write(path, 'x', { mode: 0o640 });
      expect(statSync(path).mode & 0o777).toBe(0o640);
    });

    it('follows a symbolic link and keeps it', async () => {
      const dir = freshDir();
      const target = join(dir, 'real.map');
      const link = join(dir, 'link.map');
      writeFileSync(target, 'old');
      symlinkSync(target, link);
      await write(link, 'new');
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readFileSync(target, 'utf8')).toBe('new');
    });

    it('leaves the target alone and removes its temporary file when the rename fails', async () => {
      const dir = freshDir();
      const path = join(dir, 'map');
      mkdirSync(path); // a directory with content cannot be replaced by a file
      writeFileSync(join(path, 'inside'), 'keep');
      await expect(write(path, 'data')).rejects.toMatchObject({ code: expect.stringMatching(/^E/u) });
      expect(readdirSync(dir)).toEqual(['map']);
      expect(readFileSync(join(path, 'inside'), 'utf8')).toBe('keep');
    });

    it('fails cleanly when the directory does not exist', async () => {
      const path = join(root, 'missing-dir', 'map');
      await expect(write(path, 'data')).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('rejects bad arguments', async () => {
      await expect(write('', 'x')).rejects.toThrow(TypeError);
      await expect(write(join(root, 'x'), 42 as unknown as string)).rejects.toThrow(TypeError);
      await expect(write(join(root, 'x'), 'x', { mode: 0o10000 })).rejects.toThrow(RangeError);
    });
  });
}

describe('writeFileAtomic under concurrency', () => {
  it('never shows a partial file to a reader, and concurrent writers do not collide', async () => {
    const dir = freshDir();
    const path = join(dir, 'map');
    const contents = Array.from({ length: 20 }, (_, i) => `${String(i).repeat(50_000)}\n`);
    await writeFileAtomic(path, contents[0]!);
    let reads = 0;
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        const seen = readFileSync(path, 'utf8');
        expect(contents).toContain(seen);
        reads++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await Promise.all(contents.map((text) => writeFileAtomic(path, text)));
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual(['map']);
  });
});
