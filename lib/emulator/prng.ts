/**
 * Seeded, deterministic randomness for fault injection. Never Math.random: a test that fails once
 * must fail the same way on every run with the same seed.
 */

/** Mixes a 32-bit value so that neighbouring inputs give unrelated outputs (avalanche finalizer). */
function mix32(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A stateless hash of a few integers to an unsigned 32-bit value. Used where a fault must depend
 * only on (seed, LBA, attempt) and not on which other commands ran before.
 */
export function hash32(...values: number[]): number {
  let h = 0x2545f491;
  for (const v of values) {
    // Negative LBAs and values above 2^32 fold into two words so nothing collides by truncation.
    const low = v | 0;
    const high = Math.floor(v / 0x1_0000_0000) | 0;
    h = mix32(h ^ low);
    h = mix32((h + 0x9e3779b9) ^ high);
  }
  return h;
}

/** hash32 mapped to [0, 1). */
export function hashUnit(...values: number[]): number {
  return hash32(...values) / 0x1_0000_0000;
}

/** A small sequential generator: a Weyl sequence through the mixer (SplitMix-style), 32-bit state. */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = mix32(seed | 0) | 0;
  }

  /** Next unsigned 32-bit value. */
  nextUint32(): number {
    this.#state = (this.#state + 0x9e3779b9) | 0;
    return mix32(this.#state);
  }

  /** Uniform in [0, 1). */
  nextUnit(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** Uniform integer in [min, max], both inclusive. */
  nextInt(min: number, max: number): number {
    return min + Math.floor(this.nextUnit() * (max - min + 1));
  }
}
