/**
 * How long the emulated drive takes, in VirtualClock ticks. These numbers are documented in
 * docs/emulator.md and tests assert them exactly: change both together.
 */

import { TICKS_PER_SECOND } from './virtual-clock.js';

/** 1× CD in kB/s (75 sectors × 2352 bytes). */
export const CD_1X_KBPS = 176.4;
/** The speed every drive starts at: 24×, 4234 kB/s as drives report it. */
export const DEFAULT_SPEED_FACTOR = 24;
/** One sector at 24×: 1/1800 s. */
export const SECTOR_TICKS_AT_DEFAULT_SPEED = TICKS_PER_SECOND / 1800;
/** Fixed part of a seek: 0.080 s. */
export const SEEK_BASE_TICKS = (TICKS_PER_SECOND * 80) / 1000;
/** Seek time per sector of distance: 0.120 s over 360 000 sectors (a full 80-minute disc). */
export const SEEK_TICKS_PER_SECTOR = (TICKS_PER_SECOND * 0.12) / 360_000;
/** Fixed part of a failed read: 0.3 s. */
export const FAILURE_BASE_TICKS = (TICKS_PER_SECOND * 3) / 10;
/** Each read retry (mode page 01h byte 3) adds 0.1 s to a failed read. */
export const FAILURE_TICKS_PER_RETRY = TICKS_PER_SECOND / 10;
/** Spin-up after a disc is loaded: 2 s. */
export const SPIN_UP_TICKS = 2 * TICKS_PER_SECOND;
/** Any command that does not read sectors, and a read served wholly from the cache: 1 ms. */
export const COMMAND_TICKS = TICKS_PER_SECOND / 1000;
/**
 * Each command refused with 02/04/01 while the disc spins up advances the clock by 250 ms: the
 * emulator cannot see how long the host waits between polls, so it assumes Drive.waitReady's
 * default poll interval. A 2 s spin-up thus answers 02/04/01 to eight commands.
 */
export const BECOMING_READY_POLL_TICKS = TICKS_PER_SECOND / 4;
/** Default read retry count of mode page 01h. */
export const DEFAULT_READ_RETRY_COUNT = 17;

/** Speed factor ("24×") from a kB/s value, as SET CD SPEED / SET STREAMING give it. */
export function speedFactorFromKBps(kbps: number): number {
  return Math.max(1, Math.round(kbps / CD_1X_KBPS));
}

/** kB/s that a speed factor is reported as (page 2Ah): 24× → 4234. */
export function kbpsFromSpeedFactor(factor: number): number {
  return Math.round(factor * CD_1X_KBPS);
}

/**
 * Transferring `sectorCount` sectors from the medium at `speedFactor`: 1/1800 s per sector at
 * 24×, proportionally less when faster. Rounded to a tick per command, which is exact for every
 * factor that divides 120 000 (1, 2, 4, 8, 10, 12, 16, 20, 24, 32, 40, 48 …).
 */
export function readTicks(sectorCount: number, speedFactor: number): number {
  return Math.round((sectorCount * SECTOR_TICKS_AT_DEFAULT_SPEED * DEFAULT_SPEED_FACTOR) / speedFactor);
}

/** Moving the head across `distance` sectors: 0.080 s + 0.120 s × distance / 360 000. */
export function seekTicks(distance: number): number {
  return SEEK_BASE_TICKS + Math.abs(distance) * SEEK_TICKS_PER_SECTOR;
}

/** The penalty of a failed read attempt: 0.3 s + 0.1 s × read retry count (17 → 2.0 s). */
export function failureTicks(readRetryCount: number): number {
  return FAILURE_BASE_TICKS + readRetryCount * FAILURE_TICKS_PER_RETRY;
}

/** Milliseconds → ticks (timeouts). */
export function ticksFromMilliseconds(ms: number): number {
  return Math.round((ms * TICKS_PER_SECOND) / 1000);
}
