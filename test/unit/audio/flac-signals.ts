/** Seeded test signals for the FLAC tests: 16-bit stereo little-endian PCM unless said otherwise. */

import { prng } from '../../rescue/helpers.js';

export { prng };

/** Interleaved PCM from per-sample channel functions, clamped to the sample width. */
export function pcmFrom(samples: number, channels: number, bits: number, value: (i: number, c: number) => number): Uint8Array {
  const width = bits / 8;
  const out = new Uint8Array(samples * channels * width);
  const max = 2 ** (bits - 1) - 1;
  const min = -(2 ** (bits - 1));
  let p = 0;
  for (let i = 0; i < samples; i++) {
    for (let c = 0; c < channels; c++) {
      const v = Math.max(min, Math.min(max, Math.round(value(i, c))));
      for (let b = 0; b < width; b++) out[p++] = (v >> (8 * b)) & 0xff;
    }
  }
  return out;
}

export function noise(samples: number, seed = 1, bits = 16, channels = 2): Uint8Array {
  const random = prng(seed);
  const span = 2 ** bits;
  return pcmFrom(samples, channels, bits, () => Math.floor(random() * span) - span / 2);
}

export function silence(samples: number): Uint8Array {
  return new Uint8Array(samples * 4);
}

export function sine(samples: number, hz = 440, amplitude = 20000): Uint8Array {
  return pcmFrom(samples, 2, 16, (i, c) => amplitude * Math.sin((2 * Math.PI * hz * i) / 44100 + c * 0.3));
}

export function square(samples: number, period = 100, amplitude = 12000): Uint8Array {
  return pcmFrom(samples, 2, 16, (i, c) => (Math.floor((i + c * 7) / (period / 2)) % 2 === 0 ? amplitude : -amplitude));
}

/** −32768 and 32767 alternating, opposite in the two channels: the widest side channel. */
export function extremes(samples: number): Uint8Array {
  return pcmFrom(samples, 2, 16, (i, c) => ((i + c) % 2 === 0 ? -32768 : 32767));
}

/** Music-like: a few sines with drifting amplitude, some noise, correlated channels. */
export function musicLike(samples: number, seed = 7): Uint8Array {
  const random = prng(seed);
  const tones = [110, 220.5, 331, 440, 587.3, 880, 1320].map((hz) => ({ hz, phase: random() * 6.28, level: 800 + random() * 3000 }));
  let noiseL = 0;
  let noiseR = 0;
  const out = new Uint8Array(samples * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples; i++) {
    const t = i / 44100;
    let s = 0;
    for (const tone of tones) s += tone.level * (0.6 + 0.4 * Math.sin(t * 0.7 + tone.phase)) * Math.sin(2 * Math.PI * tone.hz * t + tone.phase);
    noiseL = 0.7 * noiseL + (random() - 0.5) * 400;
    noiseR = 0.7 * noiseR + (random() - 0.5) * 400;
    view.setInt16(i * 4, Math.max(-32768, Math.min(32767, Math.round(s + noiseL))), true);
    view.setInt16(i * 4 + 2, Math.max(-32768, Math.min(32767, Math.round(0.8 * s + noiseR))), true);
  }
  return out;
}

/** Each 4096-sample block: noise in the first half, digital silence in the second (escaped partitions). */
export function halfSilent(samples: number, seed = 3): Uint8Array {
  const random = prng(seed);
  return pcmFrom(samples, 2, 16, (i) => (i % 4096 < 2048 ? Math.floor(random() * 2000) - 1000 : 0));
}

/** A random walk with jumps, clipping and stretches of silence: rough material for random tests. */
export function roughWalk(samples: number, seed: number): Uint8Array {
  const random = prng(seed);
  let a = 0;
  let b = 0;
  let step = 10;
  return pcmFrom(samples, 2, 16, (i, c) => {
    if (c === 0) {
      if (random() < 0.002) step = 2 ** Math.floor(random() * 15);
      a += (random() - 0.5) * step;
      b = random() < 0.5 ? a : b + (random() - 0.5) * step;
      if (random() < 0.001) a = random() < 0.5 ? 40000 : -40000;
      if (i % 5000 > 4500) return 0;
    }
    return c === 0 ? a : b;
  });
}
