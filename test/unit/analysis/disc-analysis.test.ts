/** analyzeDisc on the demo discs, a session-2 ISO 9660, a DVD and a BD (emulated drives). */

import { describe, expect, it } from 'vitest';
import { createDemoDisc } from '../../../lib/emulator/demo-discs.js';
import { TransportClosedError, TransportError } from '../../../lib/errors.js';
import type { Transport } from '../../../lib/transport/transport.js';
import {
  analyzeDisc,
  classifyCd,
  controlFlags,
  discTypeOfProfile,
  sectorMode,
  type SessionAnalysis,
  type TrackAnalysis,
} from '../../../lib/analysis/disc-analysis.js';
import { Drive } from '../../../lib/drive/drive.js';
import { createEmulatedDrive } from '../../../lib/emulator/emulated-drive.js';
import { createSyntheticDisc, type SyntheticDiscSpec } from '../../../lib/emulator/synthetic-disc.js';
import { buildSyntheticIso } from '../../../lib/emulator/synthetic-iso.js';
import type { DiscModel } from '../../../lib/emulator/disc-model.js';

const NO_FLAGS = { preEmphasis: false, copyPermitted: false, fourChannel: false };

async function analyzeAddress(address: string) {
  const drive = await Drive.open(address);
  try {
    return await analyzeDisc(drive);
  } finally {
    await drive.close();
  }
}

async function analyzeModel(disc: DiscModel, profile: 'good' | 'dvd-bd' = 'good') {
  const drive = Drive.fromTransport(createEmulatedDrive({ disc, profile, path: 'emu:test' }));
  try {
    return await analyzeDisc(drive);
  } finally {
    await drive.close();
  }
}

/** An ISO whose PVD declares `blocks + startLba` blocks, as a volume recorded at `startLba` does. */
function isoAt(startLba: number, volumeId: string): Uint8Array {
  const iso = buildSyntheticIso({ volumeId, files: [{ name: 'HELLO.TXT', data: new TextEncoder().encode('hello\n') }], paddingBlocks: 20 });
  const declared = iso.length / 2048 + startLba;
  const view = new DataView(iso.buffer, iso.byteOffset, iso.byteLength);
  view.setUint32(16 * 2048 + 80, declared, true);
  view.setUint32(16 * 2048 + 84, declared, false);
  return iso;
}

/** Fills a track's user data from `image`, block i at LBA startLba + i. */
function contentFrom(image: Uint8Array, startLba: number) {
  return {
    fill(lba: number, _index: number, _sector: Uint8Array, userData: Uint8Array) {
      const i = lba - startLba;
      if (i >= 0 && (i + 1) * 2048 <= image.length) userData.set(image.subarray(i * 2048, (i + 1) * 2048));
      return 'user' as const;
    },
  };
}

describe('analyzeDisc on the demo discs', () => {
  it('emu:demo-data: a Mode 1 data CD with its ISO 9660 volume', async () => {
    const a = await analyzeAddress('emu:demo-data');
    expect(a).toEqual({
      discType: 'data-mode1',
      discTypeName: 'data CD (Mode 1)',
      profile: 8,
      sessions: [
        {
          number: 1,
          tocDiscType: 0,
          leadOutLba: 5236,
          tracks: [
            {
              number: 1, type: 'data', mode: 'mode1', controlNibble: 4, control: NO_FLAGS, startLba: 0, lengthSectors: 5236,
              fileSystems: [
                {
                  type: 'iso9660', name: 'ISO 9660', label: 'DISCRESCUE_DEMO', blockCount: 5236, blockSize: 2048, sizeSectors: 5236,
                  version: 'ISO 9660', at: 0, systemId: 'LINUX', volumeSetId: '', publisher: '', dataPreparer: '',
                  application: 'DISCRESCUE', created: '2026010100000000', elTorito: false, xa: false,
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('emu:demo-audio: an audio CD with MCN and ISRCs', async () => {
    const a = await analyzeAddress('emu:demo-audio');
    expect(a.discType).toBe('audio');
    expect(a.mcn).toBe('0012345678905');
    expect(a.sessions).toHaveLength(1);
    expect(a.sessions[0]!.tracks.map((t) => [t.number, t.type, t.mode, t.startLba, t.lengthSectors, t.isrc])).toEqual([
      [1, 'audio', 'audio', 0, 2250, 'XXDRS2600001'],
      [2, 'audio', 'audio', 2250, 1800, 'XXDRS2600002'],
      [3, 'audio', 'audio', 4050, 3000, 'XXDRS2600003'],
      [4, 'audio', 'audio', 7050, 1500, 'XXDRS2600004'],
    ]);
    expect(a.sessions[0]!.tracks.every((t) => t.fileSystems.length === 0 && t.controlNibble === 0)).toBe(true);
  });

  it('emu:demo-mixed: Mixed Mode (Mode 1 data track 1, then audio)', async () => {
    const a = await analyzeAddress('emu:demo-mixed');
    expect(a.discType).toBe('mixed-mode');
    expect(a.mcn).toBeUndefined();
    expect(a.sessions.map((s) => s.tracks.map((t) => [t.number, t.type, t.mode, t.startLba, t.lengthSectors]))).toEqual([
      [
        [1, 'data', 'mode1', 0, 3150],
        [2, 'audio', 'audio', 3150, 2250],
        [3, 'audio', 'audio', 5400, 1800],
      ],
    ]);
  });

  it('emu:demo-cdextra: CD-Extra (audio session 1, Mode 2/XA session 2)', async () => {
    const a = await analyzeAddress('emu:demo-cdextra');
    expect(a.discType).toBe('cd-extra');
    expect(a.sessions.map((s) => [s.number, s.tocDiscType, s.leadOutLba])).toEqual([
      [1, 0x00, 5550],
      [2, 0x20, 18950],
    ]);
    expect(a.sessions[1]!.tracks).toEqual([
      { number: 4, type: 'data', mode: 'mode2-xa', controlNibble: 4, control: NO_FLAGS, startLba: 16950, lengthSectors: 2000, fileSystems: [] },
    ]);
  });
});

describe('analyzeDisc on built discs', () => {
  it('finds an ISO 9660 volume of session 2 at its absolute address (CD-Extra)', async () => {
    const start = 2250 + 11_400;
    const iso = isoAt(start, 'EXTRA_SESSION');
    const spec: SyntheticDiscSpec = {
      tracks: [
        { mode: 'audio', sectors: 2250, control: 0x3, isrc: 'XXDRS2600099' },
        { mode: 'mode2-xa', sectors: 400, session: 2, content: contentFrom(iso, start) },
      ],
    };
    const a = await analyzeModel(createSyntheticDisc(spec));
    expect(a.discType).toBe('cd-extra');
    const [audio] = a.sessions[0]!.tracks;
    expect(audio).toMatchObject({ number: 1, mode: 'audio', controlNibble: 3, control: { preEmphasis: true, copyPermitted: true, fourChannel: false }, isrc: 'XXDRS2600099' });
    const data = a.sessions[1]!.tracks[0]!;
    expect(data).toMatchObject({ number: 2, mode: 'mode2-xa', startLba: start, lengthSectors: 400 });
    expect(data.fileSystems).toHaveLength(1);
    expect(data.fileSystems[0]).toMatchObject({
      type: 'iso9660', label: 'EXTRA_SESSION', blockCount: start + iso.length / 2048, sizeSectors: iso.length / 2048, at: 0,
    });
  });

  it('multisession data: a volume in each session', async () => {
    const second = 300 + 11_400;
    const first = isoAt(0, 'FIRST');
    const later = isoAt(second, 'SECOND');
    const a = await analyzeModel(
      createSyntheticDisc({
        tracks: [
          { mode: 'mode1', sectors: 300, content: contentFrom(first, 0) },
          { mode: 'mode1', sectors: 300, session: 2, content: contentFrom(later, second) },
        ],
      }),
    );
    expect(a.discType).toBe('multisession-data');
    expect(a.sessions.map((s) => s.tracks.map((t) => [t.number, t.mode, t.startLba, t.fileSystems.map((f) => [f.label, f.blockCount])]))).toEqual([
      [[1, 'mode1', 0, [['FIRST', first.length / 2048]]]],
      [[2, 'mode1', second, [['SECOND', second + later.length / 2048]]]],
    ]);
  });

  it('a Mode 2/XA data CD', async () => {
    const a = await analyzeModel(createSyntheticDisc({ tracks: [{ mode: 'mode2-xa', sectors: 500 }] }));
    expect(a.discType).toBe('data-mode2-xa');
    expect(a.sessions[0]!.tracks[0]).toMatchObject({ mode: 'mode2-xa', startLba: 0, lengthSectors: 500, fileSystems: [] });
  });

  it('a DVD-ROM: profile 0010h, one block track, its ISO 9660 volume', async () => {
    const iso = isoAt(0, 'DVD_VOLUME');
    const blocks = iso.length / 2048 + 100;
    const a = await analyzeModel(createSyntheticDisc({ kind: 'dvd', tracks: [{ mode: 'mode1', sectors: blocks, content: contentFrom(iso, 0) }] }), 'dvd-bd');
    expect(a.discType).toBe('dvd');
    expect(a.discTypeName).toBe('DVD');
    expect(a.profile).toBe(0x10);
    expect(a.mcn).toBeUndefined();
    expect(a.sessions).toHaveLength(1);
    const track = a.sessions[0]!.tracks[0]!;
    expect({ ...track, fileSystems: [] }).toEqual({
      number: 1, type: 'data', mode: 'block', controlNibble: 4, control: NO_FLAGS, startLba: 0, lengthSectors: blocks, fileSystems: [],
    });
    expect(track.fileSystems.map((f) => [f.type, f.label, f.blockCount, f.blockSize, f.application])).toEqual([
      ['iso9660', 'DVD_VOLUME', iso.length / 2048, 2048, 'DISCRESCUE'],
    ]);
  });

  it('a BD-ROM: profile 0040h', async () => {
    const a = await analyzeModel(createSyntheticDisc({ kind: 'bd', tracks: [{ mode: 'mode1', sectors: 4096 }] }), 'dvd-bd');
    expect(a).toEqual({
      discType: 'bd',
      discTypeName: 'BD',
      profile: 0x40,
      sessions: [
        {
          number: 1,
          leadOutLba: 4096,
          tracks: [{ number: 1, type: 'data', mode: 'block', controlNibble: 4, control: NO_FLAGS, startLba: 0, lengthSectors: 4096, fileSystems: [] }],
        },
      ],
    });
  });

  it('an unreadable first sector: the mode comes from the next one', async () => {
    const drive = await Drive.open('emu:demo-mixed', { emulator: { faults: { badSectors: [{ startLba: 0, endLba: 1 }] } } });
    try {
      const a = await analyzeDisc(drive);
      expect(a.sessions[0]!.tracks.map((t) => t.mode)).toEqual(['mode1', 'audio', 'audio']);
      // LBA 0 did fail (the mode probe, and the partition map and HFS probes of the detection).
      expect(drive.simulation!.failedReads).toBeGreaterThan(0);
      expect(a.discType).toBe('mixed-mode');
    } finally {
      await drive.close();
    }
  });

  it('a drive that refuses READ CD and READ SUB-CHANNEL still gives the type, from the TOC', async () => {
    const drive = await Drive.open('emu:demo-cdextra', { emulator: { driveProfile: 'qemu-scsi-cd' } });
    try {
      const a = await analyzeDisc(drive);
      expect(a.discType).toBe('cd-extra');
      expect(a.sessions.flatMap((s) => s.tracks.map((t) => t.mode))).toEqual(['audio', 'audio', 'audio', 'mode2-xa']);
    } finally {
      await drive.close();
    }
  });
});

describe('a host adapter that rejects READ SUB-CHANNEL (QEMU scsi-cd: DID_ERROR)', () => {
  it('MCN and ISRC are unknown, the rest of the analysis stands; a closed transport is still an error', async () => {
    const emulated = createEmulatedDrive({ disc: createDemoDisc('demo-mixed').disc });
    let closed = false;
    const transport: Transport = {
      path: emulated.path,
      maxTransferBytes: emulated.maxTransferBytes,
      get closed() {
        return emulated.closed;
      },
      execute(command, options) {
        if (closed) return Promise.reject(new TransportClosedError('closed'));
        if (command.cdb[0] === 0x42) return Promise.reject(new TransportError('opcode 0x42 failed in the host adapter', { hostStatus: 0x07 }));
        return emulated.execute(command, options);
      },
      close: () => emulated.close(),
    };
    const drive = Drive.fromTransport(transport);
    try {
      const a = await analyzeDisc(drive);
      expect(a.discType).toBe('mixed-mode');
      expect(a.mcn).toBeUndefined();
      expect(a.sessions[0]?.tracks.map((t) => t.isrc)).toEqual([undefined, undefined, undefined]);
      closed = true;
      await expect(analyzeDisc(drive)).rejects.toBeInstanceOf(TransportClosedError);
    } finally {
      await drive.close();
    }
  });
});

describe('classification pieces', () => {
  const track = (number: number, type: 'audio' | 'data', mode: TrackAnalysis['mode']): TrackAnalysis => ({
    number, type, mode, controlNibble: type === 'data' ? 4 : 0, control: NO_FLAGS, startLba: 0, lengthSectors: 1, fileSystems: [],
  });
  const session = (number: number, tracks: TrackAnalysis[]): SessionAnalysis => ({ number, leadOutLba: 0, tracks });

  it('classifyCd', () => {
    expect(classifyCd([])).toBe('unknown');
    expect(classifyCd([session(1, [track(1, 'audio', 'audio')])])).toBe('audio');
    expect(classifyCd([session(1, [track(1, 'data', 'mode1')])])).toBe('data-mode1');
    expect(classifyCd([session(1, [track(1, 'data', 'mode2')])])).toBe('data-mode2');
    expect(classifyCd([session(1, [track(1, 'data', 'mode1'), track(2, 'data', 'mode2-xa')])])).toBe('data-mode2-xa');
    expect(classifyCd([session(1, [track(1, 'data', 'mode1'), track(2, 'audio', 'audio')])])).toBe('mixed-mode');
    expect(classifyCd([session(1, [track(1, 'audio', 'audio')]), session(2, [track(2, 'data', 'mode2-xa')])])).toBe('cd-extra');
    expect(classifyCd([session(1, [track(1, 'data', 'mode1')]), session(2, [track(2, 'data', 'mode1')])])).toBe('multisession-data');
    // Audio after data in a later session is not the Blue Book layout.
    expect(classifyCd([session(1, [track(1, 'data', 'mode1')]), session(2, [track(2, 'audio', 'audio')])])).toBe('mixed-mode');
  });

  it('sectorMode reads the header and the XA subheader copies', () => {
    const sector = new Uint8Array(2352);
    expect(sectorMode(sector)).toBeUndefined();
    sector.set([0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]);
    sector[15] = 1;
    expect(sectorMode(sector)).toBe('mode1');
    sector[15] = 2;
    sector.set([0, 0, 0x08, 0, 0, 0, 0x08, 0], 16);
    expect(sectorMode(sector)).toBe('mode2-xa');
    sector[22] = 0x20;
    expect(sectorMode(sector)).toBe('mode2');
    sector[15] = 0;
    expect(sectorMode(sector)).toBeUndefined();
    expect(sectorMode(new Uint8Array(10))).toBeUndefined();
  });

  it('discTypeOfProfile and controlFlags', () => {
    expect([0x08, 0x0a, 0x10, 0x1a, 0x2b, 0x40, 0x43, 0x51, 0x20].map(discTypeOfProfile)).toEqual([
      undefined, undefined, 'dvd', 'dvd', 'dvd', 'bd', 'bd', 'hd-dvd', undefined,
    ]);
    expect(controlFlags(0xb)).toEqual({ preEmphasis: true, copyPermitted: true, fourChannel: true });
    expect(controlFlags(0x4)).toEqual(NO_FLAGS);
  });
});
