/** Content for synthetic discs in tests, and what a dump or split of them must give back. */

import { createHash } from 'node:crypto';
import { syntheticAudioSample, type TrackContent } from '../../lib/emulator/synthetic-disc.js';

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Track content: 2048-byte ISO blocks from `startLba` on (the first 2048 user bytes of Form 2 sectors too). */
export function isoContent(iso: Uint8Array, startLba: number): TrackContent {
  return {
    fill(lba, _index, _sector, userData) {
      if (lba < startLba) return 'absent';
      userData.set(iso.subarray((lba - startLba) * 2048, (lba - startLba + 1) * 2048));
      return 'user';
    },
  };
}

/** The little-endian samples of a synthetic disc's audio, LBA start…end. */
export function expectedSamples(start: number, end: number): Uint8Array {
  const out = new Uint8Array((end - start) * 2352);
  const view = new DataView(out.buffer);
  for (let lba = start; lba < end; lba++) {
    for (let s = 0; s < 588; s++) view.setUint32(((lba - start) * 588 + s) * 4, syntheticAudioSample(lba * 588 + s), true);
  }
  return out;
}
