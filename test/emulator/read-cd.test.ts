import { describe, expect, test } from 'vitest';
import { deinterleaveQ, decodeQ } from '../../lib/cd/index.js';
import { Drive } from '../../lib/drive/drive.js';
import {
  createAudioCd,
  createCdExtra,
  createDataCd,
  createEmulatedDrive,
  createSyntheticDisc,
  driveProfileFromJson,
  type SectorKind,
} from '../../lib/emulator/index.js';
import * as scsi from '../../lib/scsi/index.js';
import { expectGood, expectSense, send } from './helpers.js';

// One track of each kind: Mode 1 at 0-9, XA Form 1 at 10-14 and Form 2 at 15-19, formless at
// 20-29, audio at 30-39 (pregap 0 between tracks).
const disc = createSyntheticDisc({
  tracks: [
    { mode: 'mode1', sectors: 10 },
    { mode: 'mode2-xa', sectors: 10, form2: (lba) => lba >= 15 },
    { mode: 'mode2-formless', sectors: 10 },
    { mode: 'audio', sectors: 10 },
  ],
});
const SAMPLES: Array<{ kind: SectorKind; lba: number; type: number }> = [
  { kind: 'mode1', lba: 3, type: 2 },
  { kind: 'mode2-form1', lba: 12, type: 4 },
  { kind: 'mode2-form2', lba: 16, type: 5 },
  { kind: 'mode2-formless', lba: 22, type: 3 },
  { kind: 'audio', lba: 33, type: 1 },
];
const zeroOffset = driveProfileFromJson({ name: 'zero-offset', readOffsetSamples: 0 });

function raw(lba: number): Uint8Array {
  const out = new Uint8Array(2352);
  disc.readSector(lba, out);
  return out;
}

/** The parts MMC lists, in order, cut independently of the emulator from the raw sector. */
function expectedMain(kind: SectorKind, sector: Uint8Array, b9: number): number[] {
  if (kind === 'audio') return b9 & 0x10 ? Array.from(sector) : [];
  const xa = kind === 'mode2-form1' || kind === 'mode2-form2';
  const user = { mode1: [16, 2064], 'mode2-form1': [24, 2072], 'mode2-form2': [24, 2348], 'mode2-formless': [16, 2352] }[
    kind as 'mode1'
  ] as [number, number];
  const parts: number[] = [];
  const take = (from: number, to: number): void => {
    parts.push(...sector.subarray(from, to));
  };
  if (b9 & 0x80) take(0, 12);
  if (b9 & 0x20) take(12, 16);
  if (b9 & 0x40 && xa) take(16, 24);
  if (b9 & 0x10) take(user[0], user[1]);
  if (b9 & 0x08) take(user[1], 2352);
  return parts;
}

describe('READ CD', () => {
  test('every byte-9 combination and sub-channel selection: exact length and parts in MMC order', async () => {
    const emu = createEmulatedDrive({ disc, profile: zeroOffset });
    let checked = 0;
    for (const { kind, lba, type } of SAMPLES) {
      const sector = raw(lba);
      for (let high = 0; high < 32; high++) {
        for (const errorField of [0, 1, 2]) {
          for (const sub of [0, 1, 2, 4]) {
            const b9 = (high << 3) | (errorField << 1);
            const fields = { sync: !!(b9 & 0x80), headerCodes: (b9 >> 5) & 3, userData: !!(b9 & 0x10), edcEcc: !!(b9 & 0x08), errorField, subChannelSelection: sub };
            const layout = scsi.readCdSectorLayout(fields, type);
            const command = new Uint8Array([0xbe, 0, 0, 0, 0, lba, 0, 0, 1, b9, sub, 0]);
            // Type ANY and the specific type give the same bytes.
            for (const expected of [0, type]) {
              command[1] = expected << 2;
              const result = await send(emu, command, 3000);
              expectGood(result);
              expect(result.data.length, `${kind} b9=${b9.toString(16)} sub=${sub}`).toBe(layout.total);
              const main = expectedMain(kind, sector, b9);
              expect(main.length).toBe(layout.main);
              expect(Array.from(result.data.subarray(0, layout.main))).toEqual(main);
              const c2 = result.data.subarray(layout.main, layout.main + layout.c2);
              expect(c2.every((b) => b === 0)).toBe(true);
              const subchannel = result.data.subarray(layout.main + layout.c2);
              expect(subchannel.length).toBe(layout.subchannel);
              if (sub === 2) {
                expect(decodeQ(subchannel)).toMatchObject({ crcOk: true });
                expect(Array.from(subchannel.subarray(12))).toEqual([0, 0, 0, 0]);
              }
              if (sub === 1) expect(decodeQ(deinterleaveQ(subchannel)).crcOk).toBe(true);
              if (sub === 4) expect(subchannel.every((b) => b === 0)).toBe(true);
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBe(5 * 32 * 3 * 4 * 2);
  });

  test('common selections: F8h = 2352, 10h = 2048 (Mode 1) or 2352 (audio), FAh = 2646, FCh + raw = 2744', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc, profile: zeroOffset }));
    expect((await drive.readCd(3, 2)).data).toEqual(Uint8Array.from([...raw(3), ...raw(4)]));
    expect((await drive.readCd(3, 1, { expectedSectorType: 2, sync: false, headerCodes: 0, edcEcc: false })).data).toEqual(raw(3).subarray(16, 2064));
    expect((await drive.readCd(33, 1, { expectedSectorType: 1, sync: false, headerCodes: 0, edcEcc: false })).data).toEqual(raw(33));
    expect((await drive.readCd(33, 1, { c2: 294 })).bytesPerSector).toBe(2646);
    const full = await drive.readCd(33, 1, { c2: 296, subchannel: 'raw' });
    expect(full.data.length).toBe(2744);
    // 296-byte error field: block error byte (OR of the C2 bytes), pad, 294 C2 bytes.
    expect(Array.from(full.data.subarray(2352, 2354))).toEqual([0, 0]);
  });

  test('audio sectors return 2352 audio bytes whatever the header, sync and EDC bits say', async () => {
    const emu = createEmulatedDrive({ disc, profile: zeroOffset });
    for (const b9 of [0x10, 0x30, 0x50, 0x70, 0x90, 0xb8, 0xf8]) {
      const result = await send(emu, [0xbe, 0x04, 0, 0, 0, 33, 0, 0, 1, b9, 0, 0], 2352);
      expect(result.data).toEqual(raw(33));
    }
    // Without the user-data bit an audio sector has nothing selected in the main channel.
    expect((await send(emu, [0xbe, 0x04, 0, 0, 0, 33, 0, 0, 1, 0xe8, 2, 0], 2352)).data.length).toBe(16);
  });

  test('expected sector type mismatch: 05/64/00; ANY refuses to mix audio and data in one command', async () => {
    const emu = createEmulatedDrive({ disc, profile: zeroOffset });
    for (const { lba, type } of SAMPLES) {
      for (let expected = 1; expected <= 5; expected++) {
        if (expected === type) continue;
        expectSense(await send(emu, [0xbe, expected << 2, 0, 0, 0, lba, 0, 0, 1, 0xf8, 0, 0], 2352), 5, 0x64, 0);
      }
    }
    expectSense(await send(emu, [0xbe, 0, 0, 0, 0, 29, 0, 0, 2, 0xf8, 0, 0], 4704), 5, 0x64, 0);
    // Data sectors of different modes may share a command; each keeps its own size.
    const mixed = await send(emu, [0xbe, 0, 0, 0, 0, 9, 0, 0, 2, 0x10, 0, 0], 8000);
    expect(mixed.data.length).toBe(2048 + 2048);
  });

  test('invalid fields: expected type 6-7, error field 11b, sub-channel 3/5/6/7, RelAdr', async () => {
    const emu = createEmulatedDrive({ disc });
    expectSense(await send(emu, [0xbe, 6 << 2, 0, 0, 0, 3, 0, 0, 1, 0xf8, 0, 0], 2352), 5, 0x24, 0);
    expectSense(await send(emu, [0xbe, 0, 0, 0, 0, 3, 0, 0, 1, 0xfe, 0, 0], 3000), 5, 0x24, 0);
    for (const sub of [3, 5, 6, 7]) expectSense(await send(emu, [0xbe, 0, 0, 0, 0, 3, 0, 0, 1, 0xf8, sub, 0], 3000), 5, 0x24, 0);
    expectSense(await send(emu, [0xbe, 1, 0, 0, 0, 3, 0, 0, 1, 0xf8, 0, 0], 2352), 5, 0x24, 0);
  });

  test('C2 pointers on a drive without them: 05/24/00', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createAudioCd([100]), profile: 'cheap' }));
    await expect(drive.readCd(0, 1, { c2: 294 })).rejects.toMatchObject({ senseKey: 5, asc: 0x24 });
    expect((await drive.readCd(0, 1)).bytesPerSector).toBe(2352);
  });

  test('addresses: the pregap of track 1 reads, the lead-in and beyond the lead-out are 05/21/00', async () => {
    const emu = createEmulatedDrive({ disc: createAudioCd([100]), profile: zeroOffset });
    const pregap = await send(emu, scsi.buildReadCd({ lba: -150, sectorCount: 1 }).cdb, 2352);
    expectGood(pregap);
    expect(pregap.data.every((b) => b === 0)).toBe(true);
    expectSense(await send(emu, scsi.buildReadCd({ lba: -151, sectorCount: 1 }).cdb, 2352), 5, 0x21, 0);
    expectSense(await send(emu, scsi.buildReadCd({ lba: 99, sectorCount: 2 }).cdb, 4704), 5, 0x21, 0);
    const extra = createEmulatedDrive({ disc: createCdExtra([100], 100) });
    expectSense(await send(extra, scsi.buildReadCd({ lba: 5000, sectorCount: 1 }).cdb, 2352), 5, 0x21, 0);
  });

  test('READ CD MSF: binary MSF, end exclusive, same bytes as READ CD', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(500) });
    const byLba = await send(emu, scsi.buildReadCd({ lba: 225, sectorCount: 3 }).cdb, 3 * 2352);
    const msf = scsi.buildReadCdMsf({ start: { minute: 0, second: 5, frame: 0 }, end: { minute: 0, second: 5, frame: 3 } });
    expect(Array.from(msf.cdb.subarray(3, 9))).toEqual([0, 5, 0, 0, 5, 3]);
    const byMsf = await send(emu, msf.cdb, 3 * 2352);
    expectGood(byMsf);
    expect(byMsf.data).toEqual(byLba.data);
    // End before start, an impossible MSF: 05/24/00. Start = end: nothing, GOOD.
    expectSense(await send(emu, [0xb9, 0, 0, 0, 5, 3, 0, 5, 0, 0xf8, 0, 0], 2352), 5, 0x24, 0);
    expectSense(await send(emu, [0xb9, 0, 0, 0, 60, 0, 0, 61, 0, 0xf8, 0, 0], 2352), 5, 0x24, 0);
    const empty = await send(emu, [0xb9, 0, 0, 0, 5, 3, 0, 5, 3, 0xf8, 0, 0], 2352);
    expectGood(empty);
    expect(empty.data.length).toBe(0);
  });

  test('data sectors are complete: sync, BCD header, EDC and ECC verify with lib/cd', async () => {
    const { checkSector } = await import('../../lib/cd/index.js');
    const drive = Drive.fromTransport(createEmulatedDrive({ disc }));
    for (const { lba, kind } of SAMPLES.filter((s) => s.kind !== 'audio')) {
      const sector = (await drive.readCd(lba, 1)).data;
      expect(checkSector(sector, lba), kind).toMatchObject({ ok: true });
    }
  });
});
