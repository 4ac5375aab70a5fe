import { describe, expect, test } from 'vitest';
import { decodeQ, deinterleaveSubchannel } from '../../lib/cd/index.js';
import { Drive } from '../../lib/drive/drive.js';
import { createEmulatedDrive, createSyntheticDisc, synthesizeQ } from '../../lib/emulator/index.js';

// Track 1 audio 0-999 (pregap −150..−1) with an ISRC and index 2 at 400; track 2 audio with a
// 150-sector pregap at 1000-1149 and index 1 at 1150; the disc has an MCN.
const disc = createSyntheticDisc({
  mcn: '4006381333931',
  tracks: [
    { mode: 'audio', sectors: 1000, isrc: 'DEA123456789', indexOffsets: [400] },
    { mode: 'audio', sectors: 500, pregap: 150, control: 0x2 },
  ],
});

async function formattedQ(drive: Drive, lba: number) {
  const { data } = await drive.readCd(lba, 1, { subchannel: 'q' });
  return decodeQ(data.subarray(2352, 2364));
}

describe('synthesized sub-channel', () => {
  test('ADR 1 in a track: TNO, INDEX, relative and absolute time (BCD), valid CRC', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc }));
    expect(await formattedQ(drive, 123)).toEqual({
      kind: 'position',
      control: 0,
      track: 1,
      index: 1,
      relative: { minute: 0, second: 1, frame: 48 },
      absolute: { minute: 0, second: 3, frame: 48 },
      crcOk: true,
      fieldsOk: true,
    });
    expect(await formattedQ(drive, 401)).toMatchObject({ track: 1, index: 2, relative: { minute: 0, second: 5, frame: 26 } });
    expect(await formattedQ(drive, 1151)).toMatchObject({ control: 2, track: 2, index: 1, relative: { minute: 0, second: 0, frame: 1 } });
  });

  test('pregap: INDEX 00, relative time counting down to index 1, P channel set', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc }));
    expect(await formattedQ(drive, 1001)).toMatchObject({ track: 2, index: 0, relative: { minute: 0, second: 1, frame: 74 } });
    expect(await formattedQ(drive, 1149)).toMatchObject({ track: 2, index: 0, relative: { minute: 0, second: 0, frame: 1 } });
    const raw = await drive.readCd(1149, 2, { subchannel: 'raw' });
    const inPregap = deinterleaveSubchannel(raw.data.subarray(2352, 2448));
    const inTrack = deinterleaveSubchannel(raw.data.subarray(2448 + 2352, 2448 + 2448));
    expect(inPregap.p.every((b) => b === 0xff)).toBe(true);
    expect(inTrack.p.every((b) => b === 0x00)).toBe(true);
    expect(inPregap.rw.every((b) => b === 0)).toBe(true);
    // 1150 + 150 = 1300: an MCN sector.
    expect(decodeQ(inTrack.q)).toMatchObject({ kind: 'mcn', control: 2, crcOk: true });
  });

  test('MCN (ADR 2) every 100th sector, ISRC (ADR 3) half way between, only inside tracks that have one', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc }));
    expect(await formattedQ(drive, 50)).toEqual({ kind: 'mcn', control: 0, mcn: '4006381333931', aframe: 50, crcOk: true, fieldsOk: true });
    expect(await formattedQ(drive, 100)).toEqual({ kind: 'isrc', control: 0, isrc: 'DEA123456789', aframe: 25, crcOk: true, fieldsOk: true });
    expect(await formattedQ(drive, 1200)).toMatchObject({ kind: 'position', track: 2 });
    const kinds = new Map<string, number>();
    for (let lba = 0; lba < 1000; lba++) {
      const kind = synthesizeQ(disc, lba).q[0]! & 0x0f;
      kinds.set(String(kind), (kinds.get(String(kind)) ?? 0) + 1);
    }
    expect(Object.fromEntries(kinds)).toEqual({ '1': 980, '2': 10, '3': 10 });
  });

  test('the lead-out counts up from the A2 start with TNO AAh', () => {
    const q = decodeQ(synthesizeQ(disc, 1652).q);
    expect(q).toMatchObject({ kind: 'position', track: 0xaa, index: 1, relative: { minute: 0, second: 0, frame: 2 } });
  });
});
