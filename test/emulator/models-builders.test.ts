import { describe, expect, test } from 'vitest';
import { buildMode1Sector, checkSector, decodeQ, deinterleaveQ } from '../../lib/cd/index.js';
import { Drive } from '../../lib/drive/drive.js';
import {
  createCdExtra,
  createEmulatedDrive,
  createHiddenTrackAudioCd,
  createMixedModeCd,
  createMultisessionCd,
  createSyntheticDisc,
  indexAt,
  syntheticAudioSample,
  type ContentFill,
  type TrackContent,
} from '../../lib/emulator/index.js';

function layout(disc: { tracks: readonly { number: number; session: number; mode: string; pregapLba: number; startLba: number; endLba: number }[] }) {
  return disc.tracks.map((t) => [t.number, t.session, t.mode, t.pregapLba, t.startLba, t.endLba]);
}

describe('disc builders', () => {
  test('hidden track (HTOA): index 0 from LBA −150 through the hidden audio, TOC track 1 at N', async () => {
    const disc = createHiddenTrackAudioCd(500, [1000, 400]);
    expect(layout(disc)).toEqual([
      [1, 1, 'audio', -150, 500, 1500],
      [2, 1, 'audio', 1500, 1500, 1900],
    ]);
    const track1 = disc.tracks[0]!;
    expect([indexAt(track1, -150), indexAt(track1, 0), indexAt(track1, 499), indexAt(track1, 500)]).toEqual([0, 0, 0, 1]);
    const out = new Uint8Array(2352);
    disc.readSector(-1, out);
    expect(out.every((b) => b === 0)).toBe(true);
    disc.readSector(10, out);
    expect(new DataView(out.buffer).getUint32(0, true)).toBe(syntheticAudioSample(10 * 588));
    const drive = Drive.fromTransport(createEmulatedDrive({ disc }));
    const toc = await drive.toc();
    expect(toc.tracks.map((t) => t.startLba)).toEqual([500, 1500]);
    // The Q sub-channel of the hidden audio says track 1, index 0, counting down to index 1.
    const { data } = await drive.readCd(100, 1, { subchannel: 'q' });
    const q = decodeQ(data.subarray(2352, 2352 + 12));
    expect(q).toMatchObject({ kind: 'position', track: 1, index: 0 });
    await drive.close();
  });

  test('mixed mode: Mode 1 track 1, audio after a 2-second pregap', () => {
    const disc = createMixedModeCd(3000, [2000, 1000]);
    expect(layout(disc)).toEqual([
      [1, 1, 'mode1', -150, 0, 3000],
      [2, 1, 'audio', 3000, 3150, 5150],
      [3, 1, 'audio', 5150, 5150, 6150],
    ]);
    expect(disc.sessions).toEqual([{ number: 1, firstTrack: 1, lastTrack: 3, discType: 0x00, leadOutLba: 6150 }]);
    expect(createMixedModeCd(10, [10], { dataMode: 'mode2-xa', audioPregap: 0 }).tracks.map((t) => [t.mode, t.pregapLba])).toEqual([
      ['mode2-xa', -150],
      ['audio', 10],
    ]);
  });

  test('multisession: sessions 11 400 then 6900 sectors after the previous lead-out', () => {
    const disc = createMultisessionCd([1000, 500, 300]);
    expect(layout(disc)).toEqual([
      [1, 1, 'mode1', -150, 0, 1000],
      [2, 2, 'mode1', 12_250, 12_400, 12_900],
      [3, 3, 'mode1', 19_650, 19_800, 20_100],
    ]);
    expect(disc.sessions.map((s) => [s.number, s.firstTrack, s.lastTrack, s.leadOutLba])).toEqual([
      [1, 1, 1, 1000],
      [2, 2, 2, 12_900],
      [3, 3, 3, 20_100],
    ]);
    expect(createMultisessionCd([10, 10], { mode: 'mode2-xa' }).sessions.map((s) => s.discType)).toEqual([0x20, 0x20]);
    // Still here: the Blue Book CD-Extra.
    expect(layout(createCdExtra([100], 50))).toEqual([
      [1, 1, 'audio', -150, 0, 100],
      [2, 2, 'mode2-xa', 11_350, 11_500, 11_550],
    ]);
  });

  test('a later session whose first track has more than 150 pregap sectors starts index 1 later', () => {
    const disc = createSyntheticDisc({ tracks: [{ mode: 'audio', sectors: 100 }, { mode: 'mode1', sectors: 50, session: 2, pregap: 200 }] });
    expect(layout(disc)[1]).toEqual([2, 2, 'mode1', 11_350, 11_550, 11_600]);
  });

  test('firstTrackNumber numbers tracks and sessions from there', () => {
    const disc = createSyntheticDisc({ firstTrackNumber: 5, tracks: [{ mode: 'audio', sectors: 10 }, { mode: 'audio', sectors: 10 }] });
    expect(disc.tracks.map((t) => t.number)).toEqual([5, 6]);
    expect(disc.sessions[0]).toMatchObject({ firstTrack: 5, lastTrack: 6 });
    expect(() => createSyntheticDisc({ firstTrackNumber: 99, tracks: [{ mode: 'audio', sectors: 10 }, { mode: 'audio', sectors: 10 }] })).toThrow(RangeError);
  });
});

describe('track content hooks', () => {
  /** A provider answering `fill` for every sector, recording what it was asked. */
  function provider(answer: (lba: number, index: number, sector: Uint8Array, user: Uint8Array) => ContentFill): TrackContent & { calls: Array<[number, number, number]> } {
    const calls: Array<[number, number, number]> = [];
    return {
      calls,
      fill(lba, index, sector, user) {
        calls.push([lba, index, user.length]);
        return answer(lba, index, sector, user);
      },
    };
  }

  test("'user' fills user data; sync, header, subheaders, EDC and ECC are built around it", () => {
    const content = provider((_lba, _index, _sector, user) => {
      user.fill(0x5a);
      return 'user';
    });
    const disc = createSyntheticDisc({
      tracks: [
        { mode: 'mode1', sectors: 4, content },
        { mode: 'mode2-xa', sectors: 4, content, form2: (lba) => lba >= 6 },
        { mode: 'mode2-formless', sectors: 2, content },
      ],
    });
    const out = new Uint8Array(2352);
    expect(disc.readSector(1, out)).toBe('mode1');
    expect(checkSector(out, 1)).toMatchObject({ ok: true, type: 'mode1' });
    expect(out.subarray(16, 2064).every((b) => b === 0x5a)).toBe(true);
    expect(disc.readSector(5, out)).toBe('mode2-form1');
    expect(checkSector(out, 5, 'mode2-xa')).toMatchObject({ ok: true, type: 'mode2-form1' });
    expect(disc.readSector(7, out)).toBe('mode2-form2');
    expect(checkSector(out, 7, 'mode2-xa')).toMatchObject({ ok: true, type: 'mode2-form2' });
    expect(disc.readSector(9, out)).toBe('mode2-formless');
    expect(out.subarray(16).every((b) => b === 0x5a)).toBe(true);
    // Track 1's pregap is asked for too, counted from its first sector.
    disc.readSector(-150, out);
    expect(content.calls.slice(0, 5)).toEqual([
      [1, 151, 2048],
      [5, 1, 2048],
      [7, 3, 2324],
      [9, 1, 2336],
      [-150, 0, 2048],
    ]);
  });

  test("'raw' sectors are served verbatim (EDC/ECC not recomputed), their kind read from the header", () => {
    const damaged = buildMode1Sector(3, new Uint8Array(2048).fill(1));
    damaged[2100] = (damaged[2100] ?? 0) ^ 0xff;
    const disc = createSyntheticDisc({
      tracks: [
        {
          mode: 'mode1',
          sectors: 5,
          content: provider((lba, _index, sector) => {
            if (lba === 3) sector.set(damaged);
            else if (lba === 4) sector.fill(0x77); // no sync: the track's kind
            else return 'absent';
            return 'raw';
          }),
        },
        { mode: 'audio', sectors: 2, content: provider((_lba, _index, sector) => (sector.fill(9), 'raw')) },
      ],
    });
    const out = new Uint8Array(2352);
    expect(disc.readSector(3, out)).toBe('mode1');
    expect(Buffer.compare(out, damaged)).toBe(0);
    expect(checkSector(out, 3).eccPOk).toBe(false);
    expect(disc.readSector(4, out)).toBe('mode1');
    expect(out.every((b) => b === 0x77)).toBe(true);
    expect(disc.readSector(5, out)).toBe('audio');
    expect(out.every((b) => b === 9)).toBe(true);
  });

  test("'mode2-body' keeps the file's subheader and EDC/ECC; 'absent' is a zero-data sector or silence", () => {
    const body = createSyntheticDisc({ tracks: [{ mode: 'mode2-xa', sectors: 3, form2: () => true }] });
    const reference = new Uint8Array(2352);
    body.readSector(1, reference);
    const disc = createSyntheticDisc({
      tracks: [
        {
          mode: 'mode2-xa',
          sectors: 3,
          content: provider((lba, _index, sector) => {
            if (lba !== 1) return 'absent';
            sector.set(reference.subarray(16), 16);
            return 'mode2-body';
          }),
        },
        { mode: 'audio', sectors: 1, content: provider(() => 'absent') },
      ],
    });
    const out = new Uint8Array(2352);
    expect(disc.readSector(1, out)).toBe('mode2-form2');
    expect(Buffer.compare(out, reference)).toBe(0);
    expect(disc.readSector(2, out)).toBe('mode2-form1');
    expect(checkSector(out, 2, 'mode2-xa').ok).toBe(true);
    expect(out.subarray(24, 2072).every((b) => b === 0)).toBe(true);
    expect(disc.readSector(3, out)).toBe('audio');
    expect(out.every((b) => b === 0)).toBe(true);
  });

  test('DVD/BD models take content for their 2048-byte blocks; bad providers are TypeErrors', () => {
    const dvd = createSyntheticDisc({ kind: 'dvd', tracks: [{ mode: 'mode1', sectors: 3, content: provider((lba, _index, _sector, user) => (user.fill(lba + 1), 'user')) }] });
    const out = new Uint8Array(2048);
    dvd.readSector(2, out);
    expect(out.every((b) => b === 3)).toBe(true);
    const bad = { fill: 3 } as unknown as TrackContent;
    expect(() => createSyntheticDisc({ tracks: [{ mode: 'audio', sectors: 1, content: bad }] })).toThrow(TypeError);
    const wrong = createSyntheticDisc({ tracks: [{ mode: 'audio', sectors: 1, content: provider(() => 'cooked' as ContentFill) }] });
    expect(() => wrong.readSector(0, new Uint8Array(2352))).toThrow(/'raw', 'mode2-body', 'user' or 'absent'/);
  });

  test('index offsets must rise', () => {
    expect(() => createSyntheticDisc({ tracks: [{ mode: 'audio', sectors: 100, indexOffsets: [50, 20] }] })).toThrow(/indexOffsets\[1\]/);
  });

  test('the drive reads a hidden track as index 0 of track 1 through deinterleaved raw P-W', async () => {
    const disc = createHiddenTrackAudioCd(10, [20]);
    const drive = Drive.fromTransport(createEmulatedDrive({ disc }));
    const { data } = await drive.readCd(5, 1, { subchannel: 'raw' });
    expect(decodeQ(deinterleaveQ(data, 2352))).toMatchObject({ track: 1, index: 0 });
    await drive.close();
  });
});
