import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksumFile } from '../../../lib/rescue/checksums.js';

describe('checksumFile', () => {
  it('gives the standard digests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'discrescue-sum-'));
    try {
      const path = join(dir, 'abc');
      writeFileSync(path, 'abc');
      expect(await checksumFile(path)).toEqual({
        md5: '900150983cd24fb0d6963f7d28e17f72',
        sha1: 'a9993e364706816aba3e25717850c26c9cd0d89d',
        sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
        bytes: 3,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
