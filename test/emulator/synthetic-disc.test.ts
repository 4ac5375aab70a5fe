import { describe, expect, test } from 'vitest';
import { checkSector } from '../../lib/cd/index.js';
import {
  createCdExtra,
  createDvd,
  createSyntheticDisc,
  indexAt,
  syntheticAudioSample,
  syntheticUserByte,
  trackAt,
} from '../../lib/emulator/index.js';

describe('synthetic discs', () => {
  test('layout: track 1 pregap −150, sessions 11 400 and 6900 sectors apart, index points', () => {
    const disc = createSyntheticDisc({
      tracks: [
        { mode: 'audio', sectors: 1000, indexOffsets: [100, 200] },
        { mode: 'audio', sectors: 500, pregap: 75 },
        { mode: 'mode1', sectors: 300, session: 2 },
        { mode: 'mode2-xa', sectors: 200, session: 3 },
      ],
    });
    expect(disc.tracks.map((t) => [t.number, t.session, t.pregapLba, t.startLba, t.endLba])).toEqual([
      [1, 1, -150, 0, 1000],
      [2, 1, 1000, 1075, 1575],
      [3, 2, 12_825, 12_975, 13_275],
      [4, 3, 20_025, 20_175, 20_375],
    ]);
    expect(disc.sessions.map((s) => [s.number, s.firstTrack, s.lastTrack, s.discType, s.leadOutLba])).toEqual([
      [1, 1, 2, 0x00, 1575],
      [2, 3, 3, 0x00, 13_275],
      [3, 4, 4, 0x20, 20_375],
    ]);
    const track1 = disc.tracks[0]!;
    expect([indexAt(track1, -1), indexAt(track1, 99), indexAt(track1, 100), indexAt(track1, 250)]).toEqual([0, 1, 2, 3]);
    expect(trackAt(disc, 5000)).toBeUndefined();
    expect(disc.readSector(5000, new Uint8Array(2352))).toBeUndefined();
  });

  test('content: audio samples number themselves, data sectors are valid with EDC/ECC', () => {
    const disc = createCdExtra([100], 50);
    const out = new Uint8Array(2352);
    expect(disc.readSector(10, out)).toBe('audio');
    expect(new DataView(out.buffer).getUint32(4, true)).toBe(syntheticAudioSample(10 * 588 + 1));
    const start = disc.tracks[1]!.startLba;
    expect(disc.readSector(start, out)).toBe('mode2-form1');
    expect(checkSector(out, start)).toMatchObject({ ok: true, type: 'mode2-form1' });
    expect(out[24 + 9]).toBe(syntheticUserByte(start, 9));
    expect(disc.readSector(start - 1, out)).toBe('mode2-form1'); // pregap: zeros, still a valid sector
    expect(checkSector(out, start - 1).ok).toBe(true);
    const form2 = createSyntheticDisc({ tracks: [{ mode: 'mode2-xa', sectors: 10, form2: () => true }] });
    expect(form2.readSector(3, out)).toBe('mode2-form2');
    expect(checkSector(out, 3)).toMatchObject({ ok: true, type: 'mode2-form2' });
    const plain = createSyntheticDisc({ tracks: [{ mode: 'mode1', sectors: 10 }], edcEcc: false });
    plain.readSector(3, out);
    expect(out.subarray(2064).every((b) => b === 0)).toBe(true);
  });

  test('DVD: 2048-byte blocks, one track', () => {
    const dvd = createDvd(1000);
    const out = new Uint8Array(2352);
    expect(dvd.readSector(999, out)).toBe('mode1');
    expect(out[10]).toBe(syntheticUserByte(999, 10));
    expect(dvd.readSector(1000, out)).toBeUndefined();
  });

  test('bad descriptions are RangeErrors naming the field', () => {
    expect(() => createSyntheticDisc({ tracks: [] })).toThrow(/"tracks"/);
    expect(() => createSyntheticDisc({ tracks: [{ mode: 'audio', sectors: 0 }] })).toThrow(/"tracks\[0\].sectors"/);
    expect(() => createSyntheticDisc({ tracks: [{ mode: 'audio', sectors: 5, session: 2 }] })).toThrow(/"tracks\[0\].session"/);
    expect(() => createSyntheticDisc({ tracks: [{ mode: 'audio', sectors: 5, control: 4 }] })).toThrow(/"tracks\[0\].control"/);
    expect(() => createSyntheticDisc({ tracks: [{ mode: 'audio', sectors: 5, isrc: 'nope' }] })).toThrow(/"tracks\[0\].isrc"/);
    expect(() => createSyntheticDisc({ mcn: '12', tracks: [{ mode: 'audio', sectors: 5 }] })).toThrow(/"mcn"/);
    expect(() => createSyntheticDisc({ kind: 'dvd', tracks: [{ mode: 'mode1', sectors: 5 }, { mode: 'mode1', sectors: 5 }] })).toThrow(/exactly one track/);
  });
});
