import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCRAMBLED_SIZE, descramble, descrambleAndCheck, getScramblerTable, scramble } from '../../../lib/cd/scrambler.js';
import { buildMode1Sector } from '../../../lib/cd/sector.js';
import { corpusUrl, hasCorpus, readCorpus } from './corpus.js';

describe('scrambler (ECMA-130 Annex B, MMC-FACTS §3.8)', () => {
  it('generates the x^15+x+1 sequence from seed 1', () => {
    const table = getScramblerTable();
    expect(table.length).toBe(2340);
    expect(SCRAMBLED_SIZE).toBe(2340);
    expect([...table.subarray(0, 16)]).toEqual([
      0x01, 0x80, 0x00, 0x60, 0x00, 0x28, 0x00, 0x1e, 0x80, 0x08, 0x60, 0x06, 0xa8, 0x02, 0xfe, 0x81,
    ]);
    expect([...table.subarray(2336)]).toEqual([0x72, 0xdd, 0xe5, 0x99]);
  });

  it('hands out a copy of the table', () => {
    getScramblerTable()[0] = 0x55;
    expect(getScramblerTable()[0]).toBe(0x01);
  });

  it('XORs bytes 12-2351 only, and is its own inverse', () => {
    const sector = buildMode1Sector(123, new Uint8Array(2048).fill(0x5a));
    const original = sector.slice();
    scramble(sector);
    expect(sector.subarray(0, 12)).toEqual(original.subarray(0, 12));
    expect(sector[12]).toBe(original[12]! ^ 0x01);
    expect(sector[2351]).toBe(original[2351]! ^ 0x99);
    descramble(sector);
    expect(sector).toEqual(original);
  });

  it('processes truncated buffers as far as they go', () => {
    const short = new Uint8Array(14);
    scramble(short);
    expect([...short.subarray(12)]).toEqual([0x01, 0x80]);
  });

  it('accepts a scrambled data sector and leaves it descrambled', () => {
    const sector = buildMode1Sector(4242, new Uint8Array(2048).fill(7));
    const original = sector.slice();
    scramble(sector);
    expect(descrambleAndCheck(sector, 4242)).toEqual({ ok: true, lba: 4242 });
    expect(sector).toEqual(original);
  });

  it('rejects audio and restores it', () => {
    const audio = new Uint8Array(2352);
    for (let i = 0; i < audio.length; i++) audio[i] = (i * 31) & 0xff;
    const original = audio.slice();
    expect(descrambleAndCheck(audio).ok).toBe(false);
    expect(audio).toEqual(original);
  });
});

const UNSCRAMBLE_DIR = 'redumper/tests/unscramble/';

describe.skipIf(!hasCorpus(UNSCRAMBLE_DIR))(
  'redumper unscramble corpus (NN_name.<LBA|null>.<pass|fail>; skipped without ../shared/corpus)',
  () => {
    const files = hasCorpus(UNSCRAMBLE_DIR) ? readdirSync(corpusUrl(UNSCRAMBLE_DIR)).filter((f) => /\.(pass|fail)$/u.test(f)) : [];

    it('has the corpus files', () => {
      expect(files.length).toBeGreaterThanOrEqual(31);
    });

    it.each(files)('%s', (file) => {
      const match = /\.(null|-?\d+)\.(pass|fail)$/u.exec(file);
      expect(match).not.toBeNull();
      const expectedLba = match![1] === 'null' ? null : Number(match![1]);
      const original = readCorpus(UNSCRAMBLE_DIR + file);
      const sector = original.slice();
      const result = descrambleAndCheck(sector, expectedLba);
      expect(result.ok).toBe(match![2] === 'pass');
      if (result.ok) {
        const rescrambled = sector.slice();
        scramble(rescrambled);
        expect(rescrambled).toEqual(original);
      } else {
        expect(sector).toEqual(original);
      }
    });
  },
);
