import { createHash } from 'node:crypto';
import type { AudioSink, ChecksumHook, RipTrackInfo, TrackRipResult } from '../../lib/audio/rip/types.js';
import type { DiscModel } from '../../lib/emulator/disc-model.js';

/** The disc's true samples of a track's output: what a perfect rip gives. */
export function truthSamples(disc: DiscModel, info: Pick<RipTrackInfo, 'startLba' | 'endLba'>): Uint32Array {
  const out = new Uint32Array((info.endLba - info.startLba) * 588);
  const raw = new Uint8Array(2352);
  for (let lba = info.startLba; lba < info.endLba; lba++) {
    const kind = disc.readSector(lba, raw);
    if (kind !== 'audio') continue;
    const view = new DataView(raw.buffer);
    for (let i = 0; i < 588; i++) out[(lba - info.startLba) * 588 + i] = view.getUint32(i * 4, true);
  }
  return out;
}

/** Keeps every track's PCM in memory, as 32-bit samples. */
export class MemorySink implements AudioSink {
  readonly tracks = new Map<number, Uint32Array>();
  #current: { number: number; parts: Uint8Array[] } | undefined;
  async open(track: RipTrackInfo): Promise<void> {
    this.#current = { number: track.number, parts: [] };
  }
  async write(pcm: Uint8Array): Promise<void> {
    this.#current?.parts.push(pcm.slice());
  }
  async close(): Promise<string | undefined> {
    const c = this.#current!;
    const bytes = Buffer.concat(c.parts);
    const samples = new Uint32Array(bytes.length / 4);
    for (let i = 0; i < samples.length; i++) samples[i] = bytes.readUInt32LE(i * 4);
    this.tracks.set(c.number, samples);
    return undefined;
  }
}

function sha1(samples: Uint32Array): string {
  const bytes = Buffer.alloc(samples.length * 4);
  for (let i = 0; i < samples.length; i++) bytes.writeUInt32LE(samples[i]!, i * 4);
  return createHash('sha1').update(bytes).digest('hex');
}

/**
 * A stand-in for an AccurateRip response: the SHA-1 of each track's true PCM. `matched` is true
 * only for exactly the truth.
 */
export function referenceHook(disc: DiscModel): ChecksumHook {
  return {
    name: 'reference',
    start(track) {
      const expected = sha1(truthSamples(disc, track));
      const hash = createHash('sha1');
      return {
        update(pcm) {
          hash.update(pcm);
        },
        finish() {
          const value = hash.digest('hex');
          return { value, matched: value === expected };
        },
      };
    },
  };
}

/** Indices where a track's output differs from the truth. */
export function differences(got: Uint32Array | undefined, truth: Uint32Array): number[] {
  const out: number[] = [];
  if (!got || got.length !== truth.length) return [-1];
  for (let i = 0; i < truth.length; i++) if (got[i] !== truth[i]) out.push(i);
  return out;
}

/** Whether every index lies in one of the track's doubtful ranges. */
export function allReported(diff: number[], track: TrackRipResult): boolean {
  return diff.every((i) => track.doubtful.some((d) => i >= d.start && i < d.end));
}
