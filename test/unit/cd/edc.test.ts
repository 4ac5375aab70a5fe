import { describe, expect, it } from 'vitest';
import {
  EDC_RANGES,
  checkSectorEdc,
  computeEdc,
  computeSectorEdc,
  readEdc,
  storeSectorEdc,
  writeEdc,
} from '../../../lib/cd/edc.js';
import { hasCorpus, readCorpus } from './corpus.js';

/** Bit-at-a-time reference: reflected CRC-32, polynomial 0x8001801B (reversed 0xD8018001), init 0. */
function referenceEdc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xd8018001 : crc >>> 1;
  }
  return crc >>> 0;
}

function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('computeEdc (ECMA-130 §14, MMC-FACTS §3.6)', () => {
  it('has the CRC check value 0x6EC2EDC4 for "123456789"', () => {
    expect(computeEdc(new TextEncoder().encode('123456789'))).toBe(0x6ec2edc4);
  });

  it('is 0 for no bytes and for all-zero bytes (init 0, no final XOR)', () => {
    expect(computeEdc(new Uint8Array(0))).toBe(0);
    expect(computeEdc(new Uint8Array(2064))).toBe(0);
  });

  it('matches a bitwise reference for every alignment and length (slicing-by-4 tails)', () => {
    const data = randomBytes(300, 7);
    for (let start = 0; start < 5; start++) {
      for (let end = start; end <= 300; end += 37) {
        expect(computeEdc(data, start, end), `${start}..${end}`).toBe(referenceEdc(data.subarray(start, end)));
      }
    }
  });

  it('rejects ranges outside the buffer', () => {
    expect(() => computeEdc(new Uint8Array(4), 0, 5)).toThrow(RangeError);
    expect(() => computeEdc(new Uint8Array(4), 3, 2)).toThrow(RangeError);
    expect(() => computeEdc(new Uint8Array(4), -1, 2)).toThrow(RangeError);
  });

  it('stores least-significant byte first', () => {
    const buf = new Uint8Array(6);
    writeEdc(buf, 1, 0x6ec2edc4);
    expect([...buf]).toEqual([0, 0xc4, 0xed, 0xc2, 0x6e, 0]);
    expect(readEdc(buf, 1)).toBe(0x6ec2edc4);
  });

  it('covers 0-2063 (Mode 1), 16-2071 (Form 1), 16-2347 (Form 2)', () => {
    expect(EDC_RANGES).toEqual({
      mode1: { start: 0, end: 2064 },
      'mode2-form1': { start: 16, end: 2072 },
      'mode2-form2': { start: 16, end: 2348 },
    });
  });

  it('stores and checks a sector EDC; Form 2 EDC 0 counts as "not computed" unless told otherwise', () => {
    const sector = randomBytes(2352, 99);
    for (const type of ['mode1', 'mode2-form1', 'mode2-form2'] as const) {
      storeSectorEdc(sector, type);
      expect(checkSectorEdc(sector, type)).toBe(true);
      expect(computeSectorEdc(sector, type)).toBe(readEdc(sector, EDC_RANGES[type].end));
      sector[EDC_RANGES[type].start + 5]! ^= 1;
      expect(checkSectorEdc(sector, type)).toBe(false);
    }
    writeEdc(sector, 2348, 0);
    expect(checkSectorEdc(sector, 'mode2-form2')).toBe(true);
    expect(checkSectorEdc(sector, 'mode2-form2', false)).toBe(false);
    expect(() => computeSectorEdc(new Uint8Array(2000), 'mode1')).toThrow(RangeError);
  });
});

describe.skipIf(!hasCorpus('libcdio/test/data/isofs-m1.bin'))(
  'EDC on real Mode 1 sectors (libcdio isofs-m1.bin; skipped without ../shared/corpus)',
  () => {
    it('every stored EDC matches', () => {
      const bin = readCorpus('libcdio/test/data/isofs-m1.bin');
      for (let i = 0; i < bin.length / 2352; i++) {
        const sector = bin.subarray(i * 2352, (i + 1) * 2352);
        expect(computeEdc(sector, 0, 2064), `sector ${i}`).toBe(readEdc(sector, 2064));
        expect(computeEdc(sector, 0, 2064)).toBe(referenceEdc(sector.subarray(0, 2064)));
      }
    });
  },
);
