/**
 * Audio as a drive delivers it: a continuous sample stream cut at the requested sector plus the
 * read offset and any jitter (MMC-FACTS §3.9), with corruption applied per physical sector before
 * the cut, so C2 flags travel with the bytes they mark.
 */

import type { DiscModel } from './disc-model.js';
import type { FaultInjector } from './faults.js';

const SECTOR_BYTES = 2352;
const BYTES_PER_SAMPLE = 4;

export interface AudioRead {
  /** count × 2352 bytes. */
  audio: Uint8Array;
  /** One entry per byte of `audio`: 1 when the drive flags it in C2. */
  flags: Uint8Array;
}

/**
 * Reads `count` sectors of audio starting at `lba`, displaced by `shiftSamples` (positive reads
 * earlier). Neighbouring sectors that are not audio, or not recorded, read as silence.
 * `readIndex` distinguishes successive reads of the same sector for C2-error corruption.
 */
export function readAudio(
  model: DiscModel,
  faults: FaultInjector,
  lba: number,
  count: number,
  shiftSamples: number,
  c2Accuracy: number,
  readIndex: number,
): AudioRead {
  const startByte = lba * SECTOR_BYTES - shiftSamples * BYTES_PER_SAMPLE;
  const endByte = startByte + count * SECTOR_BYTES;
  const firstPhysical = Math.floor(startByte / SECTOR_BYTES);
  const lastPhysical = Math.floor((endByte - 1) / SECTOR_BYTES);
  const span = lastPhysical - firstPhysical + 1;
  const stream = new Uint8Array(span * SECTOR_BYTES);
  const streamFlags = new Uint8Array(span * SECTOR_BYTES);
  const scratch = new Uint8Array(SECTOR_BYTES);
  for (let p = 0; p < span; p++) {
    const physical = firstPhysical + p;
    if (model.readSector(physical, scratch) !== 'audio') continue;
    const audio = stream.subarray(p * SECTOR_BYTES, (p + 1) * SECTOR_BYTES);
    audio.set(scratch);
    if (faults.affectsAudio(physical)) {
      faults.corruptAudio(physical, audio, streamFlags.subarray(p * SECTOR_BYTES, (p + 1) * SECTOR_BYTES), c2Accuracy, readIndex);
    }
  }
  const from = startByte - firstPhysical * SECTOR_BYTES;
  return {
    audio: stream.slice(from, from + count * SECTOR_BYTES),
    flags: streamFlags.slice(from, from + count * SECTOR_BYTES),
  };
}
