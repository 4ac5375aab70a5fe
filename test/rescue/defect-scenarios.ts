/**
 * Defect patterns shared by the GNU ddrescue comparisons: sets of bad LBAs on a disc of
 * `sectorCount` sectors, seeded, never touching the last sector (see defectMap).
 */

import { prng, range } from './helpers.js';

export interface DefectScenario {
  name: string;
  bad: Set<number>;
}

export function defectScenarios(sectorCount: number, seed = 7): DefectScenario[] {
  const random = prng(seed);
  const pick = (below: number) => Math.floor(random() * below);
  const scattered = new Set<number>();
  while (scattered.size < 40) scattered.add(pick(sectorCount - 1));
  const scratchStart = Math.floor(sectorCount * 0.3);
  const band = new Set<number>();
  for (let lba = Math.floor(sectorCount * 0.4); lba < Math.floor(sectorCount * 0.7); ) {
    const length = 1 + pick(2);
    for (let i = 0; i < length; i++) band.add(lba + i);
    lba += 11 + pick(8);
  }
  const tiny = new Set<number>();
  for (let i = 0; i < 150; i++) {
    const start = pick(sectorCount - 5);
    const length = 1 + pick(3);
    for (let j = 0; j < length; j++) tiny.add(start + j);
  }
  return [
    { name: 'scattered single sectors', bad: scattered },
    { name: 'a 500-sector scratch', bad: new Set(range(scratchStart, scratchStart + 500)) },
    { name: 'runs of 1-2 bad sectors every 11-18 sectors over a band', bad: band },
    // The last sector stays good: in test mode ddrescue's input ends at the last finished block.
    { name: 'the last 300 sectors bad (but the very last)', bad: new Set(range(sectorCount - 301, sectorCount - 1)) },
    { name: 'many tiny areas', bad: tiny },
  ];
}
