import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSyntheticIso } from '../../lib/emulator/synthetic-iso.js';

const hasIsoinfo = spawnSync('isoinfo', ['-version']).error === undefined;

const image = () =>
  buildSyntheticIso({
    volumeId: 'DEMO_DISC',
    files: [
      { name: 'README.TXT', data: new TextEncoder().encode('hello world\n') },
      { name: 'DATA.BIN', data: new Uint8Array(5000).fill(7) },
    ],
  });

describe('buildSyntheticIso', () => {
  it('lays out descriptors, directory and files at fixed blocks', () => {
    const iso = image();
    expect(iso.length).toBe(25 * 2048);
    expect(Buffer.from(iso.subarray(16 * 2048, 16 * 2048 + 7)).toString('latin1')).toBe('\x01CD001\x01');
    expect(Buffer.from(iso.subarray(17 * 2048, 17 * 2048 + 7)).toString('latin1')).toBe('\xffCD001\x01');
    expect(new DataView(iso.buffer).getUint32(16 * 2048 + 80, true)).toBe(25);
    expect(iso[21 * 2048]).toBe(7);
    expect(Buffer.from(iso.subarray(24 * 2048, 24 * 2048 + 12)).toString()).toBe('hello world\n');
  });

  it('refuses names outside ISO level 1', () => {
    expect(() => buildSyntheticIso({ files: [{ name: 'lower.txt', data: new Uint8Array(1) }] })).toThrow(RangeError);
  });

  it.skipIf(!hasIsoinfo)('is read by isoinfo (oracle; skipped without genisoimage)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'discrescue-iso-'));
    try {
      const path = join(dir, 't.iso');
      writeFileSync(path, image());
      const info = execFileSync('isoinfo', ['-d', '-i', path], { encoding: 'utf8' });
      expect(info).toContain('Volume id: DEMO_DISC');
      expect(info).toContain('Volume size is: 25');
      const listing = execFileSync('isoinfo', ['-l', '-i', path], { encoding: 'utf8' });
      expect(listing).toMatch(/5000 Jan {2}1 2026 \[ {5}21 00\] {2}DATA\.BIN;1/u);
      expect(execFileSync('isoinfo', ['-i', path, '-x', '/README.TXT;1'], { encoding: 'utf8' })).toBe('hello world\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
