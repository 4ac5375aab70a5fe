/**
 * `mm:ss:ff` durations and file offsets as CUE sheets and cdrdao TOC files write them (MMC-FACTS §3.1:
 * 75 frames per second).
 *
 * This is not `lbaToMsf`/`msfToLba` from `scsi/msf.ts`: those convert absolute disc addresses (LBA 0 =
 * 00:02:00, minutes 90-99 are the lead-in, nothing past 89:59:74). CUE INDEX/PREGAP values and TOC
 * lengths are plain frame counts relative to a file or a track: no 150-frame offset, no lead-in wrap,
 * and minutes are unbounded (libcdio's `t3.toc` uses 180 minutes). The `Msf` shape is shared.
 */

import type { Msf } from '../scsi/msf.js';

/** Frames (sectors) per second of CD audio/data. */
export const FRAMES_PER_SECOND = 75;
/** Frames per minute. */
export const FRAMES_PER_MINUTE = 60 * FRAMES_PER_SECOND;
/** Stereo 16-bit samples per frame (2352 / 4), the unit of cdrdao audio lengths. */
export const SAMPLES_PER_FRAME = 588;

/**
 * Largest minute value accepted in sheet text. A CD holds ~100 minutes and a CUE for a DVD image in
 * 2048-byte sectors ~1100; the cap only keeps hostile input ("99999999999:00:00") out of arithmetic.
 */
export const MAX_SHEET_MINUTES = 999_999;

/** Splits a frame count into minutes, seconds and frames (minutes may exceed 99). */
export function framesToMsf(frames: number): Msf {
  if (!Number.isSafeInteger(frames) || frames < 0) {
    throw new RangeError(`Expected "frames" to be a non-negative safe integer, got ${String(frames)}`);
  }
  return {
    minute: Math.floor(frames / FRAMES_PER_MINUTE),
    second: Math.floor(frames / FRAMES_PER_SECOND) % 60,
    frame: frames % FRAMES_PER_SECOND,
  };
}

/** Frame count of a duration; the caller has checked second < 60 and frame < 75. */
export function msfToFrames(msf: Msf): number {
  return msf.minute * FRAMES_PER_MINUTE + msf.second * FRAMES_PER_SECOND + msf.frame;
}

/** Formats a frame count as `mm:ss:ff`, two digits each (minutes may have more). */
export function formatMsfDuration(frames: number): string {
  const { minute, second, frame } = framesToMsf(frames);
  return `${pad2(minute)}:${pad2(second)}:${pad2(frame)}`;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
