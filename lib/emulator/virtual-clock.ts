/**
 * The emulated drive's clock. Time is kept as an integer count of ticks (1/9 000 000 s), so the
 * cost model's numbers add up exactly: 1/1800 s per sector is 5000 ticks, 0.120 s / 360 000
 * sectors of seek distance is 3 ticks, 1 ms is 9000 ticks.
 */

import { setTimeout as sleep } from 'node:timers/promises';

/** Ticks per simulated second. */
export const TICKS_PER_SECOND = 9_000_000;

export interface VirtualClockOptions {
  /**
   * Real milliseconds slept per simulated millisecond; 0 (default) never sleeps. 1 makes the
   * emulator as slow as the drive it models, for demos and timeout tests.
   */
  realTimeScale?: number;
}

/** Simulated time that only moves when the emulator (or a test) advances it. */
export class VirtualClock {
  #ticks = 0;
  readonly realTimeScale: number;

  constructor(options: VirtualClockOptions = {}) {
    const scale = options.realTimeScale ?? 0;
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0) {
      throw new RangeError(`Expected "realTimeScale" to be a non-negative number, got ${String(scale)}`);
    }
    this.realTimeScale = scale;
  }

  /** Elapsed simulated time in ticks. */
  get ticks(): number {
    return this.#ticks;
  }

  /** Elapsed simulated time in seconds. */
  get seconds(): number {
    return this.#ticks / TICKS_PER_SECOND;
  }

  /** Elapsed simulated time in milliseconds. */
  get milliseconds(): number {
    return (this.#ticks * 1000) / TICKS_PER_SECOND;
  }

  /** Moves time forward by a whole number of ticks. */
  advanceTicks(ticks: number): void {
    if (!Number.isSafeInteger(ticks) || ticks < 0) {
      throw new RangeError(`Expected "ticks" to be a non-negative integer, got ${String(ticks)}`);
    }
    this.#ticks += ticks;
  }

  /** Moves time forward (a host that waits, a person who takes a while); rounded to ticks. */
  advance(seconds: number): void {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError(`Expected "seconds" to be a non-negative number, got ${String(seconds)}`);
    }
    this.#ticks += Math.round(seconds * TICKS_PER_SECOND);
  }

  /** Sleeps for real when realTimeScale > 0; resolves at once otherwise. */
  async pace(ticks: number): Promise<void> {
    if (this.realTimeScale === 0 || ticks <= 0) return;
    await sleep(((ticks * 1000) / TICKS_PER_SECOND) * this.realTimeScale);
  }
}
