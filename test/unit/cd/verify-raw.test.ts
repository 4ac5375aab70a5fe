import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildMode1Sector,
  buildMode2Form1Sector,
  buildMode2Form2Sector,
  checkSector,
  computeEcc,
  encodeSectorHeader,
  scramble,
  storeSectorEdc,
} from '../../../lib/cd/index.js';
import {
  classifyEcc,
  nativeEdcEcc,
  RAW_SECTOR_PROBLEMS,
  RawSectorFlags,
  verifyRawImage,
  verifyRawSectors,
  verifyRawSectorsTs,
} from '../../../lib/cd/verify-raw.js';
import type { CliContext } from '../../../lib/cli/io.js';
import { verifyRawCommand } from '../../../lib/cli/commands/verify-raw.js';
import { saveDiscAsCueBin } from '../../../lib/emulator/save-cue-bin.js';
import { createSyntheticDisc } from '../../../lib/emulator/synthetic-disc.js';
import { FormatError } from '../../../lib/errors.js';
import { parseCue } from '../../../lib/image/index.js';

const F = RawSectorFlags;
const HAVE_NATIVE = nativeEdcEcc() !== undefined;

/** xorshift32: reproducible damage. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function userData(seed: number, length = 2048): Uint8Array {
  const next = prng(seed);
  return Uint8Array.from({ length }, () => next() & 0xff);
}

/** XORs `mask` into byte `index`. */
function flip(bytes: Uint8Array, index: number, mask: number): void {
  bytes[index] = bytes[index]! ^ mask;
}

const form1Sub = { fileNumber: 1, channelNumber: 0, submode: 0x08, codingInfo: 0 };
const form2Sub = { fileNumber: 1, channelNumber: 0, submode: 0x20, codingInfo: 0 };

function codeOf(sector: Uint8Array, lba: number, mode: 0 | 1 | 2, engine: 'typescript' | 'native' = 'typescript'): number {
  return verifyRawSectors(sector, 1, lba, mode, new Uint16Array(1), engine)[0]!;
}

describe('verifyRawSectors: result codes of single sectors (TypeScript loop)', () => {
  it('clean Mode 1, Form 1, Form 2 (with and without EDC) sectors', () => {
    expect(codeOf(buildMode1Sector(1000, userData(1)), 1000, 1)).toBe(0);
    expect(codeOf(buildMode2Form1Sector(-150, form1Sub, userData(2)), -150, 2)).toBe(0);
    expect(codeOf(buildMode2Form2Sector(5, form2Sub, userData(3, 2324)), 5, 2)).toBe(F.FORM2);
    expect(codeOf(buildMode2Form2Sector(5, form2Sub, userData(3, 2324), { edc: false }), 5, 2)).toBe(F.FORM2 | F.NO_EDC);
    // A lead-in address (minutes 90-99) and the last valid LBA.
    expect(codeOf(buildMode1Sector(-1000, userData(4)), -1000, 1)).toBe(0);
    expect(codeOf(buildMode1Sector(404_849, userData(4)), 404_849, 1)).toBe(0);
  });

  it('names each kind of damage', () => {
    const clean = buildMode1Sector(200, userData(5));
    const damaged = (edit: (s: Uint8Array) => void): Uint8Array => {
      const s = clean.slice();
      edit(s);
      return s;
    };
    expect(codeOf(clean, 201, 1)).toBe(F.ADDRESS);
    expect(codeOf(clean, 200, 2)).toBe(F.MODE);
    // Mode 1 EDC covers the sync, ECC does not.
    expect(codeOf(damaged((s) => (s[3] = 0)), 200, 1)).toBe(F.SYNC | F.EDC);
    expect(codeOf(damaged((s) => flip(s, 100, 0x40)), 200, 1)).toBe(F.EDC | F.ECC_P | F.ECC_Q);
    // Q covers the P parity.
    expect(codeOf(damaged((s) => flip(s, 2100, 1)), 200, 1)).toBe(F.ECC_P | F.ECC_Q);
    expect(codeOf(damaged((s) => flip(s, 2300, 1)), 200, 1)).toBe(F.ECC_Q);
    expect(codeOf(damaged((s) => flip(s, 2065, 1)), 200, 1)).toBe(F.EDC | F.ECC_P | F.ECC_Q);
    expect(codeOf(damaged((s) => (s[2070] = 1)), 200, 1)).toBe(F.ZERO_FIELD | F.ECC_P | F.ECC_Q);
    expect(codeOf(damaged((s) => (s[14] = 0x7a)), 200, 1)).toBe(F.ADDRESS | F.EDC | F.ECC_P | F.ECC_Q);
    // An unknown mode byte: nothing else can be checked.
    expect(codeOf(damaged((s) => (s[15] = 7)), 200, 0)).toBe(F.MODE);
    expect(codeOf(new Uint8Array(2352), 200, 1)).toBe(F.UNREAD);
    const form1 = buildMode2Form1Sector(300, form1Sub, userData(6));
    const badSub = form1.slice();
    flip(badSub, 20, 1);
    expect(codeOf(badSub, 300, 2)).toBe(F.SUBHEADER | F.EDC | F.ECC_P | F.ECC_Q);
    // Form 1 ECC ignores the header: a wrong address leaves EDC and ECC intact.
    const moved = form1.slice();
    encodeSectorHeader(moved, 301, 2);
    expect(codeOf(moved, 300, 2)).toBe(F.ADDRESS);
    const form2 = buildMode2Form2Sector(300, form2Sub, userData(7, 2324));
    flip(form2, 1000, 1);
    expect(codeOf(form2, 300, 2)).toBe(F.FORM2 | F.EDC);
  });

  it('agrees with checkSector on 300 randomly damaged sectors', () => {
    const next = prng(42);
    for (let n = 0; n < 300; n++) {
      const lba = next() % 300_000;
      const kind = n % 3;
      const s =
        kind === 0
          ? buildMode1Sector(lba, userData(n))
          : kind === 1
            ? buildMode2Form1Sector(lba, form1Sub, userData(n))
            : buildMode2Form2Sector(lba, form2Sub, userData(n, 2324));
      const flips = next() % 4;
      for (let f = 0; f < flips; f++) flip(s, 16 + (next() % 2336), 1 << (next() % 8));
      const code = codeOf(s, lba, kind === 0 ? 1 : 2);
      const check = checkSector(s, lba, kind === 0 ? 'mode1' : 'mode2-xa');
      expect((code & F.EDC) !== 0, `sector ${n}`).toBe(check.edcOk === false);
      expect((code & F.ECC_P) !== 0, `sector ${n}`).toBe(check.eccPOk === false);
      expect((code & F.ECC_Q) !== 0, `sector ${n}`).toBe(check.eccQOk === false);
      expect((code & F.SUBHEADER) !== 0, `sector ${n}`).toBe(check.subheaderCopiesMatch === false);
      expect((code & RAW_SECTOR_PROBLEMS) === 0, `sector ${n}`).toBe(check.ok);
    }
  });

  it('works on views at odd byte offsets', () => {
    const backing = new Uint8Array(2 * 2352 + 1);
    backing.set(buildMode1Sector(7, userData(8)), 1);
    backing.set(buildMode1Sector(8, userData(9)), 2353);
    flip(backing, 2353 + 500, 1);
    const out = new Uint16Array(2);
    verifyRawSectorsTs(backing.subarray(1), 2, 7, 1, out);
    expect([...out]).toEqual([0, F.EDC | F.ECC_P | F.ECC_Q]);
  });

  it('refuses bad arguments with RangeError/TypeError', () => {
    const data = new Uint8Array(2352);
    expect(() => verifyRawSectorsTs(data, 2, 0, 1, new Uint16Array(2))).toThrow(RangeError);
    expect(() => verifyRawSectorsTs(data, 1, 0, 3 as 1, new Uint16Array(1))).toThrow(RangeError);
    expect(() => verifyRawSectorsTs(data, 1, 0, 1, new Uint16Array(0))).toThrow(RangeError);
    expect(() => verifyRawSectorsTs([] as unknown as Uint8Array, 0, 0, 1, new Uint16Array(0))).toThrow(TypeError);
    expect(() => verifyRawSectorsTs(data, 1, 0.5, 1, new Uint16Array(1))).toThrow(RangeError);
  });
});

describe.skipIf(!HAVE_NATIVE)('native edcEccVerify equals the TypeScript loop (skipped without the built addon)', () => {
  it('on 2000 sectors of every kind with random damage', () => {
    const next = prng(7);
    const count = 2000;
    const data = new Uint8Array(count * 2352);
    for (let i = 0; i < count; i++) {
      const s = data.subarray(i * 2352, (i + 1) * 2352);
      const lba = 1000 + i;
      const kind = next() % 5;
      if (kind === 0) buildMode1Sector(lba, userData(i), s);
      else if (kind === 1) buildMode2Form1Sector(lba, form1Sub, userData(i), s);
      else if (kind === 2) buildMode2Form2Sector(lba, form2Sub, userData(i, 2324), { out: s, edc: (i & 1) === 0 });
      else if (kind === 3) s.set(userData(i, 2352));
      // kind 4: all zero
      const flips = next() % 3;
      for (let f = 0; f < flips; f++) flip(s, next() % 2352, 1 << (next() % 8));
    }
    for (const mode of [0, 1, 2] as const) {
      const ts = new Uint16Array(count);
      const native = new Uint16Array(count);
      verifyRawSectorsTs(data, count, 1000, mode, ts);
      verifyRawSectors(data, count, 1000, mode, native, 'native');
      expect(native).toEqual(ts);
    }
  });

  it('validates its arguments', () => {
    const verify = nativeEdcEcc()!;
    expect(() => verify(new Uint8Array(2352), 2, 0, 1, new Uint16Array(2))).toThrow(RangeError);
    expect(() => verify(new Uint8Array(2352), 1, 0, 1, new Uint8Array(2) as unknown as Uint16Array)).toThrow(TypeError);
    expect(() => verify(new Uint8Array(2352), 1, 0, 5, new Uint16Array(1))).toThrow(RangeError);
  });
});

describe('classifyEcc', () => {
  const clean = buildMode1Sector(50, userData(11));
  const form1 = buildMode2Form1Sector(50, form1Sub, userData(12));

  it('consistent, and single-byte errors per codeword correctable', () => {
    expect(classifyEcc(clean, 'mode1')).toEqual({ status: 'consistent', pCodewordsBad: 0, qCodewordsBad: 0, bytesCorrected: 0 });
    const one = clean.slice();
    flip(one, 700, 0x5a);
    expect(classifyEcc(one, 'mode1')).toEqual({ status: 'correctable', pCodewordsBad: 1, qCodewordsBad: 1, bytesCorrected: 1 });
    const parity = form1.slice();
    flip(parity, 2250, 0xff);
    expect(classifyEcc(parity, 'mode2-form1')).toEqual({ status: 'correctable', pCodewordsBad: 0, qCodewordsBad: 1, bytesCorrected: 1 });
    // Two errors in one P column: Q fixes them one by one.
    const column = clean.slice();
    flip(column, 12 + 86 * 3 + 10, 1);
    flip(column, 12 + 86 * 9 + 10, 2);
    expect(classifyEcc(column, 'mode1')).toMatchObject({ status: 'correctable', pCodewordsBad: 1, qCodewordsBad: 2, bytesCorrected: 2 });
    // Form 1: the header is outside the ECC, a damaged one is nothing to correct.
    const header = form1.slice();
    flip(header, 13, 1);
    expect(classifyEcc(header, 'mode2-form1').status).toBe('consistent');
  });

  it('a burst of damage is uncorrectable', () => {
    const burst = clean.slice();
    for (let i = 0; i < 200; i += 1) flip(burst, 400 + i, 0xa5);
    expect(classifyEcc(burst, 'mode1').status).toBe('uncorrectable');
    expect(classifyEcc(burst, 'mode1').bytesCorrected).toBe(0);
  });
});

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'discrescue-verify-raw-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function capture(): { ctx: CliContext; out: () => string } {
  let stdout = '';
  return { ctx: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true } }, out: () => stdout };
}

describe('verifyRawImage', () => {
  // Mixed mode: Mode 1 track 1 (LBA 0-399) with planted damage, audio track 2.
  const damage = new Map<number, (s: Uint8Array) => void>([
    [10, (s) => flip(s, 500, 1)], // one byte: correctable
    [11, (s) => { for (let i = 0; i < 300; i++) flip(s, 300 + i, 0x33); }], // burst: uncorrectable
    [12, (s) => s.fill(0)], // never read
    [13, (s) => { encodeSectorHeader(s, 99, 1); storeSectorEdc(s, 'mode1'); computeEcc(s, 'mode1'); }], // wrong address
    [14, (s) => (s[5] = 0x7f)], // sync
    [15, (s) => scramble(s)], // scrambled (a raw read through the audio path)
  ]);
  const mixed = createSyntheticDisc({
    tracks: [
      { mode: 'mode1', sectors: 400 },
      { mode: 'audio', sectors: 100, pregap: 150 },
    ],
    finishSector(lba, _kind, sector) {
      damage.get(lba)?.(sector);
    },
  });
  // CD-Extra: audio session 1, XA session 2 with Form 2 sectors (some without EDC).
  const extra = createSyntheticDisc({
    tracks: [
      { mode: 'audio', sectors: 200 },
      { mode: 'mode2-xa', sectors: 300, session: 2, form2: (lba) => lba % 10 === 0 },
    ],
    finishSector(lba, kind, sector) {
      if (kind === 'mode2-form2' && lba % 20 === 0) sector.fill(0, 2348, 2352);
      if (lba === 200 + 11_400 + 5) flip(sector, 22, 1); // subheader copies differ (ECC can repair it)
    },
  });

  it.each([true, false])('mixed-mode image (single BIN %s): exact counts, bad LBAs, exit code', async (singleBin) => {
    const cue = join(tmp, `mixed-${singleBin}.cue`);
    await saveDiscAsCueBin(mixed, cue, { singleBin });
    const progress: number[] = [];
    const report = await verifyRawImage(cue, { onProgress: (p) => progress.push(p.bytesDone), engine: 'typescript' });
    expect(report.engine).toBe('typescript');
    expect(report.ok).toBe(false);
    expect(report.scrambled).toBe(true);
    const [t1, t2] = report.tracks;
    expect(t1).toMatchObject({
      number: 1,
      mode: 'MODE1/2352',
      firstLba: 0,
      startLba: 0,
      sectors: 400,
      verified: 400,
      ok: 395,
      unread: 1,
      syncErrors: 1,
      addressErrors: 1,
      edcErrors: 3,
      eccErrors: 2,
      eccCorrectable: 1,
      eccUncorrectable: 1,
      descrambled: 1,
      badLbas: [10, 11, 12, 13, 14],
    });
    expect(t2).toMatchObject({ number: 2, mode: 'AUDIO', firstLba: 400, startLba: 550, sectors: 250, audio: 250, verified: 0 });
    expect(progress.at(-1)).toBe(650 * 2352);
    expect(report.totals).toMatchObject({ sectors: 650, verified: 400, ok: 395, audio: 250 });
  });

  it('CD-Extra image: session 2 addresses, Form 1/Form 2 counts, native engine when built', async () => {
    const cue = join(tmp, 'extra.cue');
    await saveDiscAsCueBin(extra, cue);
    const report = await verifyRawImage(cue);
    expect(report.engine).toBe(HAVE_NATIVE ? 'native' : 'typescript');
    const t2 = report.tracks[1]!;
    const start = 200 + 11_400;
    // 150 pregap sectors + 300: Form 2 at LBAs ≡ 0 mod 10 (45 of 450), 22 of them ≡ 0 mod 20 without EDC.
    expect(t2).toMatchObject({ session: 2, firstLba: start - 150, startLba: start, sectors: 450, verified: 450, ok: 449, subheaderMismatches: 1 });
    expect(t2.form2).toBe(45);
    expect(t2.form2WithoutEdc).toBe(22);
    expect(t2.form1).toBe(405);
    expect(t2.badLbas).toEqual([start + 5]);
    const io = capture();
    expect(await verifyRawCommand(io.ctx, { cue, json: false })).toBe(1);
    expect(io.out()).toBe(
      [
        'track 01 session 1 AUDIO (LBA 0): 200 audio sectors, not checkable',
        `track 02 session 2 MODE2/2352 (LBA ${start - 150}): 449 of 450 sectors good (Form 1: 405, Form 2: 45, 22 without EDC); 1 EDC mismatch, 1 ECC mismatch (1 correctable, 0 not), 1 subheader copies differ`,
        `  first bad LBAs: ${start + 5}`,
        `${cue}: 449 of 450 data sectors good, 1 with problems (${HAVE_NATIVE ? 'native' : 'TypeScript'} checker)`,
        '',
      ].join('\n'),
    );
  });

  it('a whole image read scrambled is descrambled and passes; JSON report', async () => {
    const disc = createSyntheticDisc({ tracks: [{ mode: 'mode1', sectors: 50 }], finishSector: (_lba, _kind, sector) => scramble(sector) });
    const cue = join(tmp, 'scrambled.cue');
    await saveDiscAsCueBin(disc, cue);
    const io = capture();
    expect(await verifyRawCommand(io.ctx, { cue, json: true })).toBe(0);
    const report = JSON.parse(io.out()) as { ok: boolean; scrambled: boolean; totals: { descrambled: number; ok: number } };
    expect(report).toMatchObject({ ok: true, scrambled: true, totals: { descrambled: 50, ok: 50 } });
  });

  it('takes a sheet with in-memory BINs; cooked tracks are counted, not checked', async () => {
    const sheet = parseCue('FILE "a.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\nFILE "b.iso" BINARY\n  TRACK 02 MODE1/2048\n    INDEX 01 00:00:00\n');
    const bin = new Uint8Array(3 * 2352 + 100);
    for (let i = 0; i < 3; i++) buildMode1Sector(i, userData(i), bin.subarray(i * 2352, (i + 1) * 2352));
    const report = await verifyRawImage({ sheet, bins: [bin, new Uint8Array(4096)] }, { engine: 'typescript' });
    expect(report.tracks.map((t) => [t.sectors, t.verified, t.ok, t.notRaw, t.truncatedBytes, t.firstLba])).toEqual([
      [3, 3, 3, 0, 100, 0],
      [2, 0, 0, 2, 0, 4],
    ]);
    expect(report.ok).toBe(true);
  });

  it('typed errors for bad input', async () => {
    const sheet = parseCue('FILE "a.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n');
    await expect(verifyRawImage({ sheet, bins: [] })).rejects.toThrow(RangeError);
    await expect(verifyRawImage({ sheet: {} as never, bins: [] })).rejects.toThrow(TypeError);
    writeFileSync(join(tmp, 'missing.cue'), 'FILE "gone.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n');
    await expect(verifyRawImage(join(tmp, 'missing.cue'))).rejects.toThrow(FormatError);
    writeFileSync(join(tmp, 'broken.cue'), 'FILE "gone.bin" BINARY\n  TRACK 01 MODE7/2352\n');
    await expect(verifyRawImage(join(tmp, 'broken.cue'))).rejects.toThrow(/broken\.cue:2:.*unknown track mode/u);
    expect(readFileSync(join(tmp, 'broken.cue'), 'utf8')).toContain('MODE7');
  });
});
