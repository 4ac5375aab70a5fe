import { describe, expect, it } from 'vitest';
import { crc16Gsm } from '../../../lib/cd/crc16-gsm.js';
import {
  QControl,
  decodeQ,
  deinterleaveQ,
  deinterleaveSubchannel,
  encodeQ,
  packSubchannel,
  pChannelFor,
  qCrcOk,
  qPosition,
  type QData,
} from '../../../lib/cd/subchannel.js';
import { cdTextPackCrc } from '../../../lib/scsi/read-toc.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('CRC-16/GSM (MMC-FACTS §3.3)', () => {
  it('has the check value 0xCE3C for "123456789"', () => {
    expect(crc16Gsm(new TextEncoder().encode('123456789'))).toBe(0xce3c);
  });

  it('works on a range and is what read-toc uses for CD-TEXT packs', () => {
    const buf = new Uint8Array(20);
    buf.set(new TextEncoder().encode('123456789'), 3);
    expect(crc16Gsm(buf, 3, 12)).toBe(0xce3c);
    const pack = Uint8Array.from([0x80, 0, 0, 0, ...new TextEncoder().encode('Hello\0World\0'), 0, 0]);
    expect(cdTextPackCrc(pack)).toBe(crc16Gsm(pack, 0, 16));
    expect(crc16Gsm(new Uint8Array(0))).toBe(0xffff);
    expect(() => crc16Gsm(buf, 0, 21)).toThrow(RangeError);
  });
});

describe('Q sub-channel (ECMA-130 §22.3)', () => {
  it('encodes track 1 index 1 at LBA 0 exactly', () => {
    const q = encodeQ(qPosition({ control: 0, track: 1, index: 1, lba: 0, trackStartLba: 0 }));
    expect(hex(q)).toBe('01010100000000000200' + '5a28');
    expect(qCrcOk(q)).toBe(true);
  });

  it('counts the relative time down through the pregap and up from index 1', () => {
    const at = (lba: number, index: number): string =>
      hex(encodeQ(qPosition({ control: QControl.DATA, track: 1, index, lba, trackStartLba: 0 })).subarray(0, 10));
    expect(at(-150, 0)).toBe('41010000020000000000');
    expect(at(-1, 0)).toBe('41010000000100000174');
    expect(at(0, 1)).toBe('41010100000000000200');
    expect(at(100, 1)).toBe('41010100012500000325');
    expect(hex(encodeQ(qPosition({ control: 0, track: 0xaa, index: 1, lba: 330000, trackStartLba: 330000 })).subarray(0, 3))).toBe('01aa01');
  });

  it('round-trips every kind', () => {
    const samples: QData[] = [
      { kind: 'position', control: 0x2, track: 12, index: 3, relative: { minute: 3, second: 59, frame: 74 }, absolute: { minute: 45, second: 0, frame: 1 } },
      { kind: 'position', control: 0x0, track: 0xaa, index: 1, relative: { minute: 0, second: 0, frame: 5 }, absolute: { minute: 74, second: 30, frame: 0 } },
      { kind: 'lead-in', control: 0x4, point: 0xa0, running: { minute: 99, second: 1, frame: 2 }, pointMsf: { minute: 1, second: 20, frame: 0 } },
      { kind: 'lead-in', control: 0x0, point: 7, running: { minute: 98, second: 59, frame: 70 }, pointMsf: { minute: 23, second: 4, frame: 56 } },
      { kind: 'mcn', control: 0x0, mcn: '0000012101954', aframe: 33 },
      { kind: 'isrc', control: 0x0, isrc: 'XYBLG1101234', aframe: 74 },
      { kind: 'other', control: 0x4, adr: 5, data: Uint8Array.of(0x00, 0xb0, 0x05, 0x02, 0x00, 0x03, 0x79, 0x59, 0x74) },
    ];
    for (const sample of samples) {
      expect(decodeQ(encodeQ(sample))).toEqual({ ...sample, crcOk: true, fieldsOk: true });
    }
  });

  it('packs the MCN as 13 BCD digits and the ISRC as 6-bit characters + BCD', () => {
    expect(hex(encodeQ({ kind: 'mcn', control: 0, mcn: '0000012101954', aframe: 33 }).subarray(0, 10))).toBe('02000001210195400033');
    // X=0x28 Y=0x29 B=0x12 L=0x1C G=0x17 → 101000 101001 010010 011100 010111 00
    expect(hex(encodeQ({ kind: 'isrc', control: 0, isrc: 'XYBLG1101234', aframe: 0 }).subarray(0, 10))).toBe('03a2949c5c1101234000');
  });

  it('reports CRC and BCD damage without throwing', () => {
    const q = encodeQ(qPosition({ control: 0, track: 1, index: 1, lba: 0, trackStartLba: 0 }));
    q[11]! ^= 1;
    expect(decodeQ(q)).toMatchObject({ kind: 'position', crcOk: false, fieldsOk: true });
    const bad = encodeQ({ kind: 'other', control: 0, adr: 1, data: Uint8Array.of(0x01, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x02, 0x00) });
    expect(decodeQ(bad)).toMatchObject({ kind: 'position', crcOk: true, fieldsOk: false, relative: { minute: 0, second: 10, frame: 0 } });
    const isrc = encodeQ({ kind: 'isrc', control: 0, isrc: 'AAAAA0000000', aframe: 0 });
    isrc[1] = 0xff;
    expect(decodeQ(isrc)).toMatchObject({ kind: 'isrc', fieldsOk: false });
    const shifted = new Uint8Array(14);
    shifted.set(encodeQ({ kind: 'mcn', control: 0, mcn: '1234567890123', aframe: 1 }), 2);
    expect(decodeQ(shifted, 2)).toMatchObject({ kind: 'mcn', mcn: '1234567890123', crcOk: true });
  });

  it('rejects values that do not fit', () => {
    const relative = { minute: 0, second: 0, frame: 0 };
    expect(() => encodeQ({ kind: 'position', control: 16, track: 1, index: 1, relative, absolute: relative })).toThrow(RangeError);
    expect(() => encodeQ({ kind: 'position', control: 0, track: 0, index: 1, relative, absolute: relative })).toThrow(/lead-in/);
    expect(() => encodeQ({ kind: 'position', control: 0, track: 100, index: 1, relative, absolute: relative })).toThrow(RangeError);
    expect(() => encodeQ({ kind: 'mcn', control: 0, mcn: '123', aframe: 0 })).toThrow(/13 digits/);
    expect(() => encodeQ({ kind: 'isrc', control: 0, isrc: 'xybLG1101234', aframe: 0 })).toThrow(RangeError);
    expect(() => encodeQ({ kind: 'isrc', control: 0, isrc: 'XYBLG1101234', aframe: 75 })).toThrow(RangeError);
    expect(() => encodeQ({ kind: 'nope' } as unknown as QData)).toThrow(TypeError);
    expect(() => decodeQ(new Uint8Array(11))).toThrow(RangeError);
  });

  it('writes into a caller buffer', () => {
    const out = new Uint8Array(12).fill(0xff);
    expect(encodeQ({ kind: 'mcn', control: 0, mcn: '0000000000000', aframe: 0 }, out)).toBe(out);
    expect(hex(out.subarray(1, 10))).toBe('000000000000000000');
  });
});

describe('P-W interleaving (MMC READ CD sub-channel 001b)', () => {
  it('puts P in bit 7, Q in bit 6 and R…W in bits 5…0, MSB first', () => {
    const p = new Uint8Array(12);
    const q = new Uint8Array(12);
    const rw = new Uint8Array(72);
    q[0] = 0x80;
    p[11] = 0x01;
    rw[0] = 0x80; // R bit 0
    rw[71] = 0x01; // W bit 95
    const raw = packSubchannel({ p, q, rw });
    expect(raw.length).toBe(96);
    expect(raw[0]).toBe(0x40 | 0x20);
    expect(raw[95]).toBe(0x80 | 0x01);
    expect(raw.subarray(1, 95).every((b) => b === 0)).toBe(true);
  });

  it('round-trips random channels', () => {
    const p = pChannelFor(true);
    const q = encodeQ(qPosition({ control: 0, track: 2, index: 0, lba: 1000, trackStartLba: 1100 }));
    const rw = new Uint8Array(72);
    for (let i = 0; i < rw.length; i++) rw[i] = (i * 73 + 11) & 0xff;
    const raw = packSubchannel({ p, q, rw });
    expect(deinterleaveSubchannel(raw)).toEqual({ p, q, rw });
    expect(deinterleaveQ(raw)).toEqual(q);
    const big = new Uint8Array(200);
    big.set(raw, 50);
    expect(deinterleaveQ(big, 50)).toEqual(q);
    expect(deinterleaveSubchannel(big, 50).rw).toEqual(rw);
  });

  it('defaults missing channels to zero and writes into a caller buffer', () => {
    const out = new Uint8Array(96).fill(0xff);
    packSubchannel({ q: Uint8Array.of(0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) }, out);
    expect([...out.subarray(0, 9)]).toEqual([0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0]);
    expect(() => packSubchannel({ p: new Uint8Array(11) })).toThrow(RangeError);
    expect(() => packSubchannel({ rw: new Uint8Array(96) })).toThrow(RangeError);
    expect(() => deinterleaveSubchannel(new Uint8Array(95))).toThrow(RangeError);
  });

  it('P is all ones in a pause, all zeros in a track', () => {
    expect(pChannelFor(true).every((b) => b === 0xff)).toBe(true);
    expect(pChannelFor(false).every((b) => b === 0)).toBe(true);
    expect(pChannelFor(true).length).toBe(12);
  });
});
