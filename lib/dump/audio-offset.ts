/**
 * Audio read offset correction for a dump. A drive with read offset correction +k (the value
 * AccurateRip and EAC list, MMC-FACTS §3.9) returns, for sector L, the samples that start k samples
 * earlier on the disc: the true sample i is at position i + k of what the drive returned. The work
 * image keeps what the drive returned; the BINs of audio tracks are written from it shifted by
 * 4·k bytes, so that they hold the disc's true samples. Data tracks are located by their headers
 * and never shifted.
 *
 * The shift works on runs of adjacent audio tracks of one session. Bytes it needs from outside a
 * run come from "edge" sectors: lead-in (before LBA 0) and lead-out sectors read once with READ CD
 * when the drive allows, else zeros; next to a data track always zeros (the drive's audio path
 * does not run into data sectors). Zero-filled samples are counted and reported.
 */

import type { FileHandle } from 'node:fs/promises';
import type { DumpTrack } from './layout.js';

const RAW = 2352;
/** Bytes per stereo 16-bit sample. */
export const BYTES_PER_SAMPLE = 4;
/** Largest correction accepted: ten sectors either way (no drive in the offset databases comes near). */
export const MAX_OFFSET_SAMPLES = 5880;

/** Adjacent audio tracks of one session: the sectors [firstLba, endLba). */
export interface AudioRun {
  firstLba: number;
  endLba: number;
}

/** The runs of adjacent audio tracks (each track's file extent, joined where one ends at the next's start). */
export function audioRuns(tracks: readonly DumpTrack[]): AudioRun[] {
  const runs: AudioRun[] = [];
  let current: AudioRun | undefined;
  let session = -1;
  for (const track of tracks) {
    if (track.isData) {
      current = undefined;
      continue;
    }
    if (current !== undefined && session === track.session && current.endLba === track.fileFirstLba) {
      current.endLba = track.endLba;
    } else {
      current = { firstLba: track.fileFirstLba, endLba: track.endLba };
      runs.push(current);
    }
    session = track.session;
  }
  return runs;
}

/** The run holding sector `lba`, if any. */
export function runOf(runs: readonly AudioRun[], lba: number): AudioRun | undefined {
  return runs.find((run) => lba >= run.firstLba && lba < run.endLba);
}

/**
 * Sectors outside each run that a shift of `offsetSamples` needs and that lie in no track's file
 * extent (the lead-in before LBA 0, a session's lead-out): the ones worth one READ CD each.
 * At least −150 (the lowest address READ CD takes).
 */
export function edgeSectorsNeeded(runs: readonly AudioRun[], tracks: readonly DumpTrack[], offsetSamples: number): number[] {
  if (offsetSamples === 0) return [];
  const shift = offsetSamples * BYTES_PER_SAMPLE;
  const inTrack = (lba: number) => tracks.some((t) => lba >= t.fileFirstLba && lba < t.endLba);
  const out: number[] = [];
  for (const run of runs) {
    const from = Math.floor((run.firstLba * RAW + shift) / RAW);
    const to = Math.ceil((run.endLba * RAW + shift) / RAW);
    for (let lba = from; lba < run.firstLba; lba++) if (lba >= -150 && !inTrack(lba)) out.push(lba);
    for (let lba = run.endLba; lba < to; lba++) if (!inTrack(lba)) out.push(lba);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/**
 * Writes into `out` the shifted bytes of `count` sectors from `lba` (all in `run`): byte b of the
 * result is byte lba·2352 + b + 4·offsetSamples of the drive's stream — the work image inside the
 * run, `edges` (LBA → 2352 bytes) outside it, zeros where neither has it. Returns the number of
 * bytes zero-filled for want of a source (unread sectors inside the run are zeros in the work
 * image and not counted here).
 */
export async function readShiftedAudio(
  raw: FileHandle,
  lba: number,
  count: number,
  offsetSamples: number,
  run: AudioRun,
  edges: ReadonlyMap<number, Uint8Array>,
  out: Uint8Array,
): Promise<number> {
  const length = count * RAW;
  const part = out.subarray(0, length);
  part.fill(0);
  const start = lba * RAW + offsetSamples * BYTES_PER_SAMPLE;
  const end = start + length;
  const inStart = Math.max(start, run.firstLba * RAW);
  const inEnd = Math.min(end, run.endLba * RAW);
  if (inEnd > inStart) {
    const { bytesRead } = await raw.read(part, inStart - start, inEnd - inStart, inStart);
    // A short work image (never written that far) reads as zeros, as unread sectors do.
    void bytesRead;
  }
  let zeroFilled = 0;
  const outside = (from: number, to: number): void => {
    for (let pos = from; pos < to; ) {
      const sector = Math.floor(pos / RAW);
      const sectorEnd = Math.min(to, (sector + 1) * RAW);
      const edge = edges.get(sector);
      if (edge !== undefined && edge.length >= RAW) part.set(edge.subarray(pos - sector * RAW, sectorEnd - sector * RAW), pos - start);
      else zeroFilled += sectorEnd - pos;
      pos = sectorEnd;
    }
  };
  outside(start, Math.min(end, Math.max(start, run.firstLba * RAW)));
  outside(Math.max(start, Math.min(end, run.endLba * RAW)), end);
  return zeroFilled;
}

/** The drive sectors whose bytes the shifted sectors [firstLba, endLba) are made of, clipped to `run`. */
export function shiftedSourceRange(firstLba: number, endLba: number, offsetSamples: number, run: AudioRun): [number, number] {
  const shift = offsetSamples * BYTES_PER_SAMPLE;
  const from = Math.floor((firstLba * RAW + shift) / RAW);
  const to = Math.ceil((endLba * RAW + shift) / RAW);
  return [Math.max(from, run.firstLba), Math.min(to, run.endLba)];
}
