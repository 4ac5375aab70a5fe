import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { checkSector } from '../../lib/cd/index.js';
import { Drive } from '../../lib/drive/drive.js';
import { createEmulatedDrive, isoDiscFromBytes, openDiscImage, openIsoDisc, ISO_CD_MAX_BYTES } from '../../lib/emulator/index.js';
import { buildSyntheticIso } from '../../lib/emulator/synthetic-iso.js';
import { DiscError, FormatError, UnsupportedError } from '../../lib/errors.js';

const directory = mkdtempSync(join(tmpdir(), 'discrescue-iso-model-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const COPYING_ISO = '/work/shared/corpus/libcdio/test/data/copying.iso';
const hasCorpus = (() => {
  try {
    return statSync(COPYING_ISO).isFile();
  } catch {
    return false;
  }
})();

function pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + (i >> 11)) & 0xff;
  return bytes;
}

describe('ISO images as discs', () => {
  test('a small image is a data CD: one Mode 1 track from LBA 0, complete sectors around each block', async () => {
    const iso = buildSyntheticIso({ volumeId: 'ISO_MODEL', files: [{ name: 'A.BIN', data: pattern(300_000) }] });
    const path = join(directory, 'small.iso');
    writeFileSync(path, iso);
    const disc = openIsoDisc(path);
    try {
      const blocks = iso.length / 2048;
      expect(disc.kind).toBe('cd');
      expect(disc.imagePath).toBe(path);
      expect(disc.tracks).toEqual([{ number: 1, session: 1, mode: 'mode1', control: 4, pregapLba: -150, startLba: 0, endLba: blocks, indexes: [{ number: 0, lba: -150 }, { number: 1, lba: 0 }], isrc: undefined }]);
      const raw = new Uint8Array(2352);
      expect(disc.readSector(16, raw)).toBe('mode1');
      expect(checkSector(raw, 16)).toMatchObject({ ok: true });
      expect(Buffer.compare(raw.subarray(16, 2064), iso.subarray(16 * 2048, 17 * 2048))).toBe(0);
      const drive = Drive.fromTransport(createEmulatedDrive({ disc }));
      expect(Buffer.compare(await drive.readSectors(0, blocks), iso)).toBe(0);
      await drive.close();
    } finally {
      disc.close();
    }
    expect(() => disc.readSector(0, new Uint8Array(2352))).toThrow(DiscError);
  });

  test.skipIf(!hasCorpus)("libcdio's copying.iso reads back through READ(10) byte for byte (skipped without the corpus)", async () => {
    const bytes = readFileSync(COPYING_ISO);
    const disc = await openDiscImage(COPYING_ISO);
    try {
      const drive = Drive.fromTransport(createEmulatedDrive({ disc }));
      expect((await drive.readCapacity()).lastLba).toBe(bytes.length / 2048 - 1);
      expect(Buffer.compare(await drive.readSectors(0, bytes.length / 2048), bytes)).toBe(0);
      await drive.close();
    } finally {
      disc.close();
    }
  });

  test('kind picks DVD or BD; their blocks are the image blocks', async () => {
    const bytes = pattern(64 * 2048);
    for (const kind of ['dvd', 'bd'] as const) {
      const disc = isoDiscFromBytes(bytes, { kind });
      expect(disc.kind).toBe(kind);
      expect(disc.sessions).toEqual([{ number: 1, firstTrack: 1, lastTrack: 1, discType: 0, leadOutLba: 64 }]);
      const drive = Drive.fromTransport(createEmulatedDrive({ disc, profile: 'dvd-bd' }));
      expect(Buffer.compare(await drive.readSectors(0, 64), bytes)).toBe(0);
      await drive.close();
    }
  });

  test("'auto' chooses by size: CD up to 900 MB, then DVD, then BD", () => {
    expect(ISO_CD_MAX_BYTES).toBe(900_000_000);
    // A sparse file stands in for a big image: only its size is looked at when opening.
    const path = join(directory, 'big.iso');
    writeFileSync(path, new Uint8Array(0));
    const sizes: Array<[number, string]> = [
      [439_452 * 2048, 'cd'],
      [439_454 * 2048, 'dvd'],
      [4_173_824 * 2048, 'dvd'],
      [4_173_825 * 2048, 'bd'],
    ];
    for (const [size, kind] of sizes) {
      truncateSync(path, size);
      const disc = openIsoDisc(path);
      expect([size, disc.kind]).toEqual([size, kind]);
      disc.close();
    }
  });

  test('an image that is not whole 2048-byte blocks is a FormatError naming the file', () => {
    const path = join(directory, 'odd.iso');
    writeFileSync(path, new Uint8Array(2048 * 3 + 100));
    expect(() => openIsoDisc(path)).toThrow(FormatError);
    expect(() => openIsoDisc(path)).toThrow(`${path}: the ISO image is 6244 bytes, not a multiple of 2048`);
    writeFileSync(path, new Uint8Array(0));
    expect(() => openIsoDisc(path)).toThrow(/the ISO image is empty/);
    expect(() => isoDiscFromBytes(new Uint8Array(5), { name: 'mem.iso' })).toThrow(/^mem\.iso: /);
    expect(() => openIsoDisc(join(directory, 'missing.iso'))).toThrow(/ENOENT/);
    expect(() => isoDiscFromBytes(new Uint8Array(2048), { kind: 'floppy' as 'cd' })).toThrow(RangeError);
  });

  test('openDiscImage dispatches on the extension and refuses others', async () => {
    const path = join(directory, 'IMAGE.IMG');
    writeFileSync(path, pattern(4 * 2048));
    const disc = await openDiscImage(path);
    expect(disc.kind).toBe('cd');
    disc.close();
    await expect(openDiscImage(join(directory, 'x.nrg'))).rejects.toThrow(UnsupportedError);
    await expect(openDiscImage(join(directory, 'x.nrg'))).rejects.toThrow(/unknown disc image type "\.nrg"; expected \.iso \(ISO image\), \.img/);
    await expect(openDiscImage(join(directory, 'noext'))).rejects.toThrow(/"\(no extension\)"/);
  });
});
