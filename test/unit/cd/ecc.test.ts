import { describe, expect, it } from 'vitest';
import { checkEcc, checkEccP, checkEccQ, computeEcc } from '../../../lib/cd/ecc.js';
import { hasCorpus, readCorpus } from './corpus.js';

// Independent GF(2^8) arithmetic (log/antilog tables, polynomial 0x11D) to check the RSPC
// parity equations of ECMA-130 Annex A directly.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}
function mulAlphaPow(v: number, power: number): number {
  return v === 0 ? 0 : EXP[(LOG[v]! + power) % 255]!;
}

/** Syndromes of one codeword [v0 … v(n-1)]: Σ v_i and Σ α^(n-1-i) v_i. */
function syndromes(values: number[]): [number, number] {
  let s0 = 0;
  let s1 = 0;
  values.forEach((v, i) => {
    s0 ^= v;
    s1 ^= mulAlphaPow(v, values.length - 1 - i);
  });
  return [s0, s1];
}

function randomSector(seed: number): Uint8Array {
  const out = new Uint8Array(2352);
  let x = seed;
  for (let i = 0; i < out.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('computeEcc / checkEcc (ECMA-130 Annex A RSPC, MMC-FACTS §3.7)', () => {
  it('produces P codewords (26 symbols, column c = bytes 12+c+86r) with zero syndromes', () => {
    const sector = randomSector(1);
    computeEcc(sector, 'mode1');
    for (let c = 0; c < 86; c++) {
      const column: number[] = [];
      for (let r = 0; r < 26; r++) column.push(sector[12 + c + 86 * r]!);
      expect(syndromes(column), `column ${c}`).toEqual([0, 0]);
    }
  });

  it('produces Q codewords (45 symbols along diagonals, step 88 mod 2236, + 2 parity) with zero syndromes', () => {
    const sector = randomSector(2);
    computeEcc(sector, 'mode1');
    for (let d = 0; d < 52; d++) {
      const diagonal: number[] = [];
      let index = 86 * (d >> 1) + (d & 1);
      for (let m = 0; m < 43; m++) {
        diagonal.push(sector[12 + index]!);
        index = (index + 88) % 2236;
      }
      diagonal.push(sector[2248 + d]!, sector[2248 + 52 + d]!);
      expect(syndromes(diagonal), `diagonal ${d}`).toEqual([0, 0]);
    }
  });

  it('reports which parity a corruption breaks', () => {
    const sector = randomSector(3);
    computeEcc(sector, 'mode1');
    expect(checkEcc(sector, 'mode1')).toEqual({ p: true, q: true });

    const data = sector.slice();
    data[100]! ^= 0x40;
    expect(checkEcc(data, 'mode1')).toEqual({ p: false, q: false });

    const pByte = sector.slice();
    pByte[2100]! ^= 1;
    expect(checkEcc(pByte, 'mode1')).toEqual({ p: false, q: false });

    const qByte = sector.slice();
    qByte[2300]! ^= 1;
    expect(checkEcc(qByte, 'mode1')).toEqual({ p: true, q: false });
    expect(checkEccP(qByte, 'mode1')).toBe(true);
    expect(checkEccQ(qByte, 'mode1')).toBe(false);

    // Bytes 0-11 (sync) are outside the ECC.
    const sync = sector.slice();
    sync[3]! ^= 0xff;
    expect(checkEcc(sync, 'mode1')).toEqual({ p: true, q: true });
  });

  it('Mode 2 Form 1 takes the header as zero and leaves it untouched', () => {
    const sector = randomSector(4);
    sector.set([0x01, 0x02, 0x03, 0x02], 12);
    computeEcc(sector, 'mode2-form1');
    expect([...sector.subarray(12, 16)]).toEqual([0x01, 0x02, 0x03, 0x02]);
    expect(checkEcc(sector, 'mode2-form1')).toEqual({ p: true, q: true });
    expect(checkEcc(sector, 'mode1')).toEqual({ p: false, q: false });
    sector.set([0x71, 0x59, 0x74], 12);
    expect(checkEcc(sector, 'mode2-form1')).toEqual({ p: true, q: true });

    const zeroed = sector.slice();
    zeroed.fill(0, 12, 16);
    expect(checkEcc(zeroed, 'mode1')).toEqual({ p: true, q: true });
  });

  it('is pure when checking', () => {
    const sector = randomSector(5);
    const copy = sector.slice();
    checkEcc(sector, 'mode2-form1');
    checkEccP(sector, 'mode1');
    checkEccQ(sector, 'mode1');
    expect(sector).toEqual(copy);
  });

  it('rejects short buffers and unknown types', () => {
    expect(() => computeEcc(new Uint8Array(2351), 'mode1')).toThrow(RangeError);
    expect(() => checkEcc(new Uint8Array(100), 'mode1')).toThrow(RangeError);
    expect(() => checkEcc(new Uint8Array(2352), 'mode2' as never)).toThrow(TypeError);
  });
});

describe.skipIf(!hasCorpus('libcdio/test/data/isofs-m1.bin'))(
  'ECC on real Mode 1 sectors (libcdio isofs-m1.bin; skipped without ../shared/corpus)',
  () => {
    it('every sector passes P and Q, and recomputing the parity reproduces it', () => {
      const bin = readCorpus('libcdio/test/data/isofs-m1.bin');
      const count = bin.length / 2352;
      expect(count).toBe(302);
      for (let i = 0; i < count; i++) {
        const sector = bin.subarray(i * 2352, (i + 1) * 2352);
        expect(checkEcc(sector, 'mode1'), `sector ${i}`).toEqual({ p: true, q: true });
        const rebuilt = sector.slice();
        rebuilt.fill(0, 2076);
        computeEcc(rebuilt, 'mode1');
        expect(rebuilt.subarray(2076)).toEqual(sector.subarray(2076));
      }
    });
  },
);
