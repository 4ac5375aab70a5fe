import { describe, expect, it } from 'vitest';
import { SECTOR_SIZE_RAW, SYNC_PATTERN } from '../../../lib/cd/constants.js';
import { checkEcc } from '../../../lib/cd/ecc.js';
import { checkSectorEdc, readEdc } from '../../../lib/cd/edc.js';
import {
  USER_DATA_LAYOUT,
  buildMode0Sector,
  buildMode1Sector,
  buildMode2Form1Sector,
  buildMode2Form2Sector,
  buildMode2FormlessSector,
  checkSector,
  detectSectorType,
  extractUserData,
} from '../../../lib/cd/sector.js';
import {
  decodeHeaderLba,
  decodeSectorHeader,
  encodeSectorHeader,
  hasSyncPattern,
} from '../../../lib/cd/sector-header.js';
import { XaSubmode, decodeXaSubheader, encodeXaSubheader, xaSubheaderCopiesMatch } from '../../../lib/cd/xa-subheader.js';
import { hasCorpus, readCorpus } from './corpus.js';

function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const FORM1 = { fileNumber: 1, channelNumber: 2, submode: XaSubmode.DATA | XaSubmode.EOR, codingInfo: 0 };
const FORM2 = { fileNumber: 1, channelNumber: 3, submode: XaSubmode.FORM2 | XaSubmode.VIDEO | XaSubmode.REAL_TIME, codingInfo: 0x0f };

describe('sector header (ECMA-130 §14)', () => {
  it('encodes BCD MSF = LBA + 150 and the mode', () => {
    const buf = new Uint8Array(16);
    encodeSectorHeader(buf, 12345, 1);
    expect([...buf.subarray(12, 16)]).toEqual([0x02, 0x46, 0x45, 0x01]);
    encodeSectorHeader(buf, -151, 2);
    expect([...buf.subarray(12, 16)]).toEqual([0x99, 0x59, 0x74, 0x02]);
    expect(decodeSectorHeader(buf)).toEqual({ lba: -151, mode: 2 });
    encodeSectorHeader(buf, 0, 0, 0);
    expect([...buf.subarray(0, 4)]).toEqual([0x00, 0x02, 0x00, 0x00]);
  });

  it('decodes invalid BCD or impossible seconds/frames as null, never throws', () => {
    expect(decodeHeaderLba(Uint8Array.of(0x00, 0x0a, 0x00), 0)).toBeNull();
    expect(decodeHeaderLba(Uint8Array.of(0x00, 0x60, 0x00), 0)).toBeNull();
    expect(decodeHeaderLba(Uint8Array.of(0x00, 0x00, 0x75), 0)).toBeNull();
    expect(decodeHeaderLba(Uint8Array.of(0x89, 0x59, 0x74), 0)).toBe(404849);
    expect(decodeHeaderLba(new Uint8Array(14))).toBeNull();
    expect(decodeSectorHeader(new Uint8Array(15))).toEqual({ lba: -150, mode: null });
  });

  it('rejects addresses MSF cannot express and modes outside a byte', () => {
    expect(() => encodeSectorHeader(new Uint8Array(16), 404850, 1)).toThrow(RangeError);
    expect(() => encodeSectorHeader(new Uint8Array(16), 0, 256)).toThrow(RangeError);
    expect(() => encodeSectorHeader(new Uint8Array(15), 0, 1)).toThrow(RangeError);
  });

  it('recognises the sync pattern', () => {
    const buf = new Uint8Array(SYNC_PATTERN);
    expect(hasSyncPattern(buf)).toBe(true);
    buf[11] = 1;
    expect(hasSyncPattern(buf)).toBe(false);
    expect(hasSyncPattern(new Uint8Array(11))).toBe(false);
  });
});

describe('XA subheader', () => {
  it('writes both copies and decodes them', () => {
    const buf = new Uint8Array(24);
    encodeXaSubheader(buf, FORM2);
    expect([...buf.subarray(16, 24)]).toEqual([1, 3, 0x62, 0x0f, 1, 3, 0x62, 0x0f]);
    expect(decodeXaSubheader(buf, 1)).toEqual(FORM2);
    expect(xaSubheaderCopiesMatch(buf)).toBe(true);
    buf[23] = 0;
    expect(xaSubheaderCopiesMatch(buf)).toBe(false);
    encodeXaSubheader(buf, Uint8Array.of(9, 8, 7, 6));
    expect(decodeXaSubheader(buf)).toEqual({ fileNumber: 9, channelNumber: 8, submode: 7, codingInfo: 6 });
    expect(() => encodeXaSubheader(buf, Uint8Array.of(1, 2, 3))).toThrow(RangeError);
    expect(() => encodeXaSubheader(buf, { ...FORM1, submode: 256 })).toThrow(RangeError);
  });
});

describe('building and checking sectors', () => {
  it('builds a Mode 1 sector field by field', () => {
    const user = pattern(2048);
    const s = buildMode1Sector(1000, user);
    expect(s.length).toBe(SECTOR_SIZE_RAW);
    expect([...s.subarray(0, 12)]).toEqual([...SYNC_PATTERN]);
    expect([...s.subarray(12, 16)]).toEqual([0x00, 0x15, 0x25, 0x01]); // 1150 = 00:15:25
    expect(s.subarray(16, 2064)).toEqual(user);
    expect(checkSectorEdc(s, 'mode1')).toBe(true);
    expect([...s.subarray(2068, 2076)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(checkEcc(s, 'mode1')).toEqual({ p: true, q: true });
    expect(detectSectorType(s)).toBe('mode1');
    expect(checkSector(s, 1000)).toEqual({
      type: 'mode1',
      syncOk: true,
      headerLba: 1000,
      headerOk: true,
      edcOk: true,
      eccPOk: true,
      eccQOk: true,
      subheaderCopiesMatch: null,
      zeroFieldsOk: true,
      ok: true,
    });
    expect(extractUserData(s)).toEqual(user);
  });

  it('writes into a caller buffer and accepts user data aliasing it', () => {
    const big = new Uint8Array(3 * SECTOR_SIZE_RAW).fill(0xee);
    const out = big.subarray(SECTOR_SIZE_RAW, 2 * SECTOR_SIZE_RAW);
    const user = pattern(2048, 5);
    out.set(user, 16);
    expect(buildMode1Sector(7, out.subarray(16, 2064), out)).toBe(out);
    expect(out).toEqual(buildMode1Sector(7, user));
    expect(big[SECTOR_SIZE_RAW - 1]).toBe(0xee);
    expect(big[2 * SECTOR_SIZE_RAW]).toBe(0xee);
  });

  it('flags each kind of damage', () => {
    const good = buildMode1Sector(42, pattern(2048, 2));
    expect(checkSector(good, 41)).toMatchObject({ headerLba: 42, headerOk: false, edcOk: true, ok: false });
    expect(checkSector(good, null).ok).toBe(true);

    const user = good.slice();
    user[500]! ^= 0x01;
    expect(checkSector(user, 42)).toMatchObject({ edcOk: false, eccPOk: false, eccQOk: false, ok: false });

    const edc = good.slice();
    edc[2065]! ^= 0x80;
    expect(checkSector(edc, 42)).toMatchObject({ edcOk: false, eccPOk: false, eccQOk: false, ok: false });

    const q = good.slice();
    q[2351]! ^= 0x80;
    expect(checkSector(q, 42)).toMatchObject({ edcOk: true, eccPOk: true, eccQOk: false, ok: false });

    const intermediate = good.slice();
    intermediate[2070] = 1;
    expect(checkSector(intermediate, 42)).toMatchObject({ zeroFieldsOk: false, edcOk: true, ok: false });

    const sync = good.slice();
    sync[5] = 0;
    expect(detectSectorType(sync)).toBe('audio');
    expect(checkSector(sync, 42).ok).toBe(true); // taken for audio: nothing to verify
    expect(checkSector(sync, 42, 'mode1')).toMatchObject({ syncOk: false, headerOk: true, edcOk: false, ok: false });

    const mode = good.slice();
    mode[15] = 3;
    expect(detectSectorType(mode)).toBe('unknown');
    expect(checkSector(mode, 42)).toMatchObject({ type: 'unknown', headerOk: true, ok: false });
    expect(checkSector(good, 42, 'mode2-form1')).toMatchObject({ headerOk: false, ok: false });
    expect(checkSector(good, 42, 'mode0')).toMatchObject({ headerOk: false, zeroFieldsOk: false, ok: false });
  });

  it('builds Mode 2 Form 1 (ECC with a zero header) and Form 2 (optional EDC)', () => {
    const f1 = buildMode2Form1Sector(-1, FORM1, pattern(2048, 3));
    expect([...f1.subarray(12, 24)]).toEqual([0x00, 0x01, 0x74, 0x02, 1, 2, 9, 0, 1, 2, 9, 0]);
    expect(detectSectorType(f1)).toBe('mode2-form1');
    expect(checkSector(f1, -1)).toMatchObject({ type: 'mode2-form1', edcOk: true, eccPOk: true, eccQOk: true, subheaderCopiesMatch: true, ok: true });
    expect(extractUserData(f1)).toEqual(pattern(2048, 3));
    // The address is not protected by Form 1 ECC/EDC.
    const moved = f1.slice();
    encodeSectorHeader(moved, 5000, 2);
    expect(checkSector(moved, 5000).ok).toBe(true);

    const f2 = buildMode2Form2Sector(300, Uint8Array.of(1, 3, 0x62, 0x0f), pattern(2324, 4));
    expect(detectSectorType(f2)).toBe('mode2-form2');
    expect(readEdc(f2, 2348)).not.toBe(0);
    expect(checkSector(f2, 300)).toMatchObject({ type: 'mode2-form2', edcOk: true, eccPOk: null, subheaderCopiesMatch: true, ok: true });
    expect(extractUserData(f2)).toEqual(pattern(2324, 4));
    const f2NoEdc = buildMode2Form2Sector(300, FORM2, pattern(2324, 4), { edc: false });
    expect(readEdc(f2NoEdc, 2348)).toBe(0);
    expect(checkSector(f2NoEdc, 300)).toMatchObject({ edcOk: null, ok: true });
    const f2Bad = f2.slice();
    f2Bad[1000]! ^= 4;
    expect(checkSector(f2Bad, 300)).toMatchObject({ edcOk: false, ok: false });
    const out = new Uint8Array(2400);
    expect(buildMode2Form2Sector(300, FORM2, pattern(2324, 4), { out })).toBe(out);

    expect(() => buildMode2Form1Sector(0, FORM2, pattern(2048))).toThrow(/Form 2 bit/);
    expect(() => buildMode2Form2Sector(0, FORM1, pattern(2324))).toThrow(/Form 2 bit/);
  });

  it('takes mismatched subheader copies for formless unless told the track is XA', () => {
    const f1 = buildMode2Form1Sector(10, FORM1, pattern(2048, 6));
    f1[21] = 0x77; // second copy of the channel number
    expect(detectSectorType(f1)).toBe('mode2-formless');
    expect(detectSectorType(f1, 'xa')).toBe('mode2-form1');
    expect(checkSector(f1, 10, 'mode2-xa')).toMatchObject({
      type: 'mode2-form1',
      subheaderCopiesMatch: false,
      edcOk: false,
      eccPOk: false,
      ok: false,
    });

    const f2 = buildMode2Form2Sector(10, FORM2, pattern(2324, 6));
    f2[20] = 0x55;
    expect(detectSectorType(f2)).toBe('mode2-formless');
    expect(checkSector(f2, 10, 'mode2-xa')).toMatchObject({ type: 'mode2-form2', subheaderCopiesMatch: false, edcOk: false, ok: false });
    expect(checkSector(buildMode2Form2Sector(10, FORM2, pattern(2324, 6)), 10, 'mode2-xa').ok).toBe(true);

    const formless = buildMode2FormlessSector(10, pattern(2336, 7));
    expect(detectSectorType(formless)).toBe('mode2-formless');
    expect(checkSector(formless, 10)).toMatchObject({
      type: 'mode2-formless',
      subheaderCopiesMatch: null,
      edcOk: null,
      eccPOk: null,
      ok: true,
    });
    expect(extractUserData(formless)).toEqual(pattern(2336, 7));
    expect(checkSector(formless, 10, 'mode2-xa').ok).toBe(false);
    // Matching copies decide XA in 'auto'; 'formless' overrides that.
    const good = buildMode2Form1Sector(10, FORM1, pattern(2048, 6));
    expect(detectSectorType(good, 'formless')).toBe('mode2-formless');
  });

  it('builds Mode 0 and checks that its data is zero', () => {
    const m0 = buildMode0Sector(-150);
    expect([...m0.subarray(12, 16)]).toEqual([0, 0, 0, 0]);
    expect(detectSectorType(m0)).toBe('mode0');
    expect(checkSector(m0, -150)).toMatchObject({ type: 'mode0', zeroFieldsOk: true, edcOk: null, ok: true });
    m0[2351] = 1;
    expect(checkSector(m0, -150)).toMatchObject({ zeroFieldsOk: false, ok: false });
    const reused = new Uint8Array(2352).fill(9);
    expect(buildMode0Sector(0, reused)).toBe(reused);
    expect(reused.subarray(16).every((b) => b === 0)).toBe(true);
  });

  it('treats sectors without sync as audio', () => {
    const audio = pattern(2352, 8);
    expect(detectSectorType(audio)).toBe('audio');
    expect(checkSector(audio)).toMatchObject({ type: 'audio', syncOk: false, headerLba: null, headerOk: null, ok: true });
    expect(extractUserData(audio)).toEqual(audio);
    expect(extractUserData(audio).buffer).toBe(audio.buffer);
  });

  it('knows every type’s user-data window', () => {
    expect(USER_DATA_LAYOUT).toEqual({
      audio: { offset: 0, size: 2352 },
      mode0: { offset: 16, size: 2336 },
      mode1: { offset: 16, size: 2048 },
      'mode2-formless': { offset: 16, size: 2336 },
      'mode2-form1': { offset: 24, size: 2048 },
      'mode2-form2': { offset: 24, size: 2324 },
      unknown: { offset: 16, size: 2336 },
    });
    const s = buildMode1Sector(0, pattern(2048));
    expect(extractUserData(s, 'mode2-form2').length).toBe(2324);
  });

  it('rejects wrong sizes', () => {
    expect(() => buildMode1Sector(0, new Uint8Array(2047))).toThrow(new RangeError('Expected 2048 bytes of user data, got 2047'));
    expect(() => buildMode1Sector(0, [] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => buildMode1Sector(0, new Uint8Array(2048), new Uint8Array(2351))).toThrow(RangeError);
    expect(() => buildMode2FormlessSector(0, new Uint8Array(2048))).toThrow(RangeError);
    expect(() => buildMode1Sector(1.5, new Uint8Array(2048))).toThrow(TypeError);
    expect(() => detectSectorType(new Uint8Array(2351))).toThrow(RangeError);
    expect(() => checkSector(new Uint8Array(16))).toThrow(RangeError);
  });
});

describe.skipIf(!hasCorpus('libcdio/test/data/isofs-m1.bin'))(
  'real Mode 1 image (libcdio isofs-m1.bin; skipped without ../shared/corpus)',
  () => {
    it('every sector verifies at its LBA and rebuilds byte for byte from its user data', () => {
      const bin = readCorpus('libcdio/test/data/isofs-m1.bin');
      const out = new Uint8Array(SECTOR_SIZE_RAW);
      for (let lba = 0; lba < bin.length / SECTOR_SIZE_RAW; lba++) {
        const raw = bin.subarray(lba * SECTOR_SIZE_RAW, (lba + 1) * SECTOR_SIZE_RAW);
        const check = checkSector(raw, lba);
        expect(check.ok && check.type === 'mode1', `LBA ${lba}`).toBe(true);
        buildMode1Sector(lba, extractUserData(raw), out);
        expect(Buffer.compare(out, raw), `LBA ${lba}`).toBe(0);
      }
    });
  },
);

describe.skipIf(!hasCorpus('libcdio/test/data/videocd.nrg'))(
  'real Mode 2 XA sectors (libcdio videocd.nrg, 2336-byte sectors; skipped without ../shared/corpus)',
  () => {
    it('Form 1 and Form 2 sectors verify and rebuild byte for byte', () => {
      const nrg = readCorpus('libcdio/test/data/videocd.nrg');
      // NRG v2 footer: the ETNF chunk says track 1 starts at file offset 0 in 2336-byte sectors (mode 3).
      const sectors = 1126;
      const counts = { 'mode2-form1': 0, 'mode2-form2': 0 } as Record<string, number>;
      for (let lba = 0; lba < sectors; lba++) {
        const raw = buildMode2FormlessSector(lba, nrg.subarray(lba * 2336, (lba + 1) * 2336));
        const check = checkSector(raw, lba);
        counts[check.type] = (counts[check.type] ?? 0) + 1;
        expect(check.ok, `LBA ${lba}`).toBe(true);
        const sub = raw.slice(16, 20);
        const rebuilt =
          check.type === 'mode2-form1'
            ? buildMode2Form1Sector(lba, sub, extractUserData(raw).slice())
            : buildMode2Form2Sector(lba, sub, extractUserData(raw).slice(), { edc: readEdc(raw, 2348) !== 0 });
        expect(Buffer.compare(rebuilt, raw), `LBA ${lba}`).toBe(0);
      }
      expect(counts).toEqual({ 'mode2-form1': 226, 'mode2-form2': 900 });
    });
  },
);
