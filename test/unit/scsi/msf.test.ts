import { describe, expect, it } from 'vitest';
import { fromBcd, lbaToMsf, msfToLba, toBcd } from '../../../lib/scsi/msf.js';

describe('lbaToMsf / msfToLba', () => {
  const pairs: Array<[number, [number, number, number]]> = [
    [0, [0, 2, 0]],
    [-150, [0, 0, 0]],
    [-1, [0, 1, 74]],
    [12345, [2, 46, 45]],
    [404849, [89, 59, 74]],
    [-151, [99, 59, 74]],
    [-45150, [90, 0, 0]],
    [-450, [99, 56, 0]],
  ];

  it('converts with the 150-sector offset and the lead-in range (MMC-FACTS §3.2)', () => {
    for (const [lba, [minute, second, frame]] of pairs) {
      expect(lbaToMsf(lba), `LBA ${lba}`).toEqual({ minute, second, frame });
      expect(msfToLba({ minute, second, frame }), `${minute}:${second}:${frame}`).toBe(lba);
    }
  });

  it('round-trips every 997th LBA of the whole range', () => {
    for (let lba = -45150; lba <= 404849; lba += 997) expect(msfToLba(lbaToMsf(lba))).toBe(lba);
  });

  it('rejects LBAs outside −45150 … 404849', () => {
    expect(() => lbaToMsf(-45151)).toThrow(new RangeError('Expected "lba" to be between -45150 and 404849, got -45151'));
    expect(() => lbaToMsf(404850)).toThrow(RangeError);
    expect(() => lbaToMsf(1.5)).toThrow(new TypeError('Expected "lba" to be an integer, got 1.5'));
  });

  it('rejects impossible MSF', () => {
    expect(() => msfToLba({ minute: 0, second: 60, frame: 0 })).toThrow(
      new RangeError('Expected "second" to be between 0 and 59, got 60'),
    );
    expect(() => msfToLba({ minute: 0, second: 0, frame: 75 })).toThrow(
      new RangeError('Expected "frame" to be between 0 and 74, got 75'),
    );
    expect(() => msfToLba({ minute: 100, second: 0, frame: 0 })).toThrow(RangeError);
    expect(() => msfToLba(null as never)).toThrow(TypeError);
    expect(() => msfToLba({ minute: '1', second: 0, frame: 0 } as never)).toThrow(
      new TypeError('Expected "minute" to be an integer, got "1"'),
    );
  });
});

describe('toBcd / fromBcd', () => {
  it('packs and unpacks two decimal digits', () => {
    expect(toBcd(0)).toBe(0x00);
    expect(toBcd(12)).toBe(0x12);
    expect(toBcd(99)).toBe(0x99);
    expect(fromBcd(0x00)).toBe(0);
    expect(fromBcd(0x74)).toBe(74);
    expect(fromBcd(0x99)).toBe(99);
  });

  it('rejects values that are not BCD', () => {
    expect(() => toBcd(100)).toThrow(new RangeError('Expected "value" to be between 0 and 99, got 100'));
    expect(() => toBcd(-1)).toThrow(RangeError);
    expect(() => fromBcd(0x1a)).toThrow(new RangeError('Expected "byte" to be packed BCD, got 0x1A'));
    expect(() => fromBcd(0xa0)).toThrow(RangeError);
    expect(() => fromBcd(0x100)).toThrow(RangeError);
  });
});
