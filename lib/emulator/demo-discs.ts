/**
 * Built-in demo discs, addressed as `emu:demo-data`, `emu:demo-audio`, `emu:demo-mixed` and
 * `emu:demo-cdextra`. Content and damage are fixed, so every run of the demo gives the same
 * result on every machine.
 */

import { computeEcc, storeSectorEdc } from '../cd/index.js';
import type { DiscModel } from './disc-model.js';
import type { FaultOptions } from './faults.js';
import { createSyntheticDisc } from './synthetic-disc.js';
import { buildSyntheticIso } from './synthetic-iso.js';

export type DemoDiscName = 'demo-data' | 'demo-audio' | 'demo-mixed' | 'demo-cdextra';

export const DEMO_DISC_NAMES: readonly DemoDiscName[] = ['demo-data', 'demo-audio', 'demo-mixed', 'demo-cdextra'];

export interface DemoDisc {
  name: DemoDiscName;
  description: string;
  disc: DiscModel;
  /** The damage that comes with the disc (merged under any faults the caller adds). */
  faults: FaultOptions;
}

export function isDemoDiscName(name: string): name is DemoDiscName {
  return (DEMO_DISC_NAMES as readonly string[]).includes(name);
}

export function createDemoDisc(name: DemoDiscName): DemoDisc {
  switch (name) {
    case 'demo-data':
      return demoData();
    case 'demo-audio':
      return {
        name,
        description: 'audio CD, 4 tracks, a few unreadable audio sectors',
        disc: createSyntheticDisc({
          mcn: '0012345678905',
          tracks: [2250, 1800, 3000, 1500].map((sectors, i) => ({
            mode: 'audio' as const,
            sectors,
            isrc: `XXDRS26000${String(i + 1).padStart(2, '0')}`,
          })),
        }),
        faults: { badSectors: [{ startLba: 4000, endLba: 4003 }] },
      };
    case 'demo-mixed':
      return {
        name,
        description: 'mixed-mode CD: data track 1, audio tracks 2-3',
        disc: createSyntheticDisc({
          tracks: [
            { mode: 'mode1', sectors: 3000 },
            { mode: 'audio', sectors: 2250, pregap: 150 },
            { mode: 'audio', sectors: 1800 },
          ],
        }),
        faults: { badSectors: [{ startLba: 1200, endLba: 1210 }] },
      };
    case 'demo-cdextra':
      return {
        name,
        description: 'CD-Extra: audio session 1 (3 tracks), data session 2',
        disc: createSyntheticDisc({
          tracks: [
            { mode: 'audio', sectors: 2250 },
            { mode: 'audio', sectors: 1800 },
            { mode: 'audio', sectors: 1500 },
            { mode: 'mode2-xa', sectors: 2000, session: 2 },
          ],
        }),
        faults: {},
      };
  }
}

/**
 * A 12 MB data CD with an ISO 9660 filesystem, a 40-sector scratch, scattered bad sectors, and a
 * few weak sectors that read on a second try or on the 'good' drive only.
 */
function demoData(): DemoDisc {
  const text = (title: string, lines: number) =>
    new TextEncoder().encode(
      Array.from({ length: lines }, (_, i) => `${title} line ${String(i + 1).padStart(5, '0')}: preserved by discrescue\n`).join(''),
    );
  const pattern = (length: number, seed: number) => {
    const data = new Uint8Array(length);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      data[i] = x & 0xff;
    }
    return data;
  };
  const iso = buildSyntheticIso({
    volumeId: 'DISCRESCUE_DEMO',
    files: [
      { name: 'README.TXT', data: text('README', 200) },
      { name: 'PHOTOS.DAT', data: pattern(4_000_000, 7) },
      { name: 'REPORT.TXT', data: text('REPORT', 20_000) },
      { name: 'ARCHIVE.BIN', data: pattern(5_500_000, 11) },
    ],
    paddingBlocks: 150,
  });
  const sectors = iso.length / 2048;
  const disc = createSyntheticDisc({
    tracks: [{ mode: 'mode1', sectors }],
    edcEcc: false,
    finishSector(lba, kind, sector) {
      if (kind !== 'mode1') return;
      if (lba >= 0) sector.set(iso.subarray(lba * 2048, lba * 2048 + 2048), 16);
      storeSectorEdc(sector, 'mode1');
      computeEcc(sector, 'mode1');
    },
  });
  return {
    name: 'demo-data',
    description: `data CD with an ISO 9660 filesystem (${sectors} sectors), a scratch and weak sectors`,
    disc,
    faults: {
      badSectors: [
        { startLba: 2100, endLba: 2140 },
        3333,
        3334,
        4500,
        5012,
        5100,
      ],
      weakSectors: [{ ranges: [{ startLba: 1000, endLba: 1004 }, 4200], successProbability: 0.5 }],
    },
  };
}
