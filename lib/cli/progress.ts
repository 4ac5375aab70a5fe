import type { RescueProgress } from '../rescue/engine.js';
import type { Writable } from './io.js';

/** Live status like ddrescue's: redrawn in place on a terminal, one line per update otherwise. */
export class ProgressRenderer {
  readonly #out: Writable & { isTTY?: boolean };
  #lines = 0;
  #lastPlain = 0;

  constructor(out: Writable & { isTTY?: boolean }) {
    this.#out = out;
  }

  update(p: RescueProgress, final = false): void {
    const lines = describeProgress(p);
    if (this.#out.isTTY) {
      const up = this.#lines > 0 ? `\x1b[${this.#lines}A` : '';
      this.#out.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
      this.#lines = lines.length;
      return;
    }
    const now = Date.now();
    if (!final && now - this.#lastPlain < 2000) return;
    this.#lastPlain = now;
    this.#out.write(`${lines.join(' | ')}\n`);
  }
}

export function describeProgress(p: RescueProgress): string[] {
  const pct = p.bytesTotal > 0 ? (100 * p.rescuedBytes) / p.bytesTotal : 100;
  const lines = [
    `ipos: ${size(p.pos).padStart(10)}  rescued: ${size(p.rescuedBytes).padStart(10)} (${pct.toFixed(2)}%)  bad areas: ${p.errorAreas}  read errors: ${p.readErrors}`,
    `non-tried: ${size(p.nonTriedBytes)}  non-trimmed: ${size(p.nonTrimmedBytes)}  non-scraped: ${size(p.nonScrapedBytes)}  bad-sector: ${size(p.badSectorBytes)}`,
    `rate: ${size(p.currentRate)}/s (avg ${size(p.averageRate)}/s)  since last success: ${p.sinceLastSuccessSeconds.toFixed(1)} s  ${p.phase} pass ${p.pass}` +
      (p.simulatedSeconds === undefined ? '' : `  drive time: ${formatDuration(p.simulatedSeconds)}`),
  ];
  return lines;
}

export function size(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(2)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h > 0 ? `${h}h ${m}m ${s}s` : `${m}m ${s}s`;
}
