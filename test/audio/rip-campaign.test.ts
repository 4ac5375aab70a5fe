/**
 * Randomized campaign: seeded small audio discs on every drive profile and fault model, ripped in
 * every mode. The invariant checked on every track of every rip: never "secure" or "accurate"
 * when any sample differs from the disc; and wherever the rip's alignment is known (no jitter, or
 * jitter confirmed by a checksum) every differing sample lies in a reported range, unless the
 * fault is silent corruption (identical wrong data on every read, which only a reference checksum
 * can reveal). 200 rips in CI; SOAK=<count> for more (npm run soak).
 */

import { describe, expect, test } from 'vitest';
import { ripAudio, type RipOptions } from '../../lib/audio/rip/rip.js';
import type { RipMode } from '../../lib/audio/rip/types.js';
import { Drive } from '../../lib/drive/drive.js';
import {
  createAudioCd,
  createEmulatedDrive,
  createHiddenTrackAudioCd,
  driveProfileFromJson,
  type DiscModel,
  type FaultOptions,
} from '../../lib/emulator/index.js';
import type { DriveProfile } from '../../lib/emulator/drive-profile.js';
import { Prng } from '../../lib/emulator/prng.js';
import { MemorySink, allReported, differences, referenceHook, truthSamples } from './helpers.js';

const COUNT = Math.max(1, Number.parseInt(process.env.SOAK ?? '200', 10) || 200);

interface ProfileChoice {
  profile: DriveProfile | 'good' | 'cheap';
  offset: number;
  overread: boolean;
  jittery: boolean;
}

const PROFILES: ProfileChoice[] = [
  { profile: 'good', offset: 6, overread: false, jittery: false },
  { profile: driveProfileFromJson({ name: 'good-late', readOffsetSamples: -40 }), offset: -40, overread: true, jittery: false },
  { profile: driveProfileFromJson({ name: 'half-c2', c2Accuracy: 0.5, readOffsetSamples: 102 }), offset: 102, overread: false, jittery: false },
  { profile: driveProfileFromJson({ name: 'caching', c2Pointers: false, c2Accuracy: 0, audioFromCache: true, cacheSectors: 445, readOffsetSamples: 0 }), offset: 0, overread: false, jittery: false },
  { profile: 'cheap', offset: 667, overread: false, jittery: true },
  { profile: driveProfileFromJson({ name: 'cheap-late', readOffsetSamples: -667 }, { base: 'cheap' }), offset: -667, overread: true, jittery: true },
];

function ranges(rng: Prng, end: number, count: number): Array<{ startLba: number; endLba: number }> {
  return Array.from({ length: count }, () => {
    const start = rng.nextInt(0, Math.max(0, end - 2));
    return { startLba: start, endLba: start + rng.nextInt(1, 2) };
  });
}

function scenario(seed: number) {
  const rng = new Prng(seed * 7919 + 17);
  const trackSectors = Array.from({ length: rng.nextInt(1, 3) }, () => rng.nextInt(6, 24));
  const hidden = rng.nextUnit() < 0.1 ? rng.nextInt(4, 10) : 0;
  const disc: DiscModel = hidden > 0 ? createHiddenTrackAudioCd(hidden, trackSectors) : createAudioCd(trackSectors);
  const total = hidden + trackSectors.reduce((a, b) => a + b, 0);
  const choice = PROFILES[rng.nextInt(0, PROFILES.length - 1)]!;
  const faults: FaultOptions = {};
  let silent = false;
  if (rng.nextUnit() < 0.4) faults.c2Errors = { ranges: ranges(rng, total, rng.nextInt(1, 2)), bytesPerSector: rng.nextInt(4, 48) };
  if (rng.nextUnit() < 0.2) faults.badSectors = ranges(rng, total, 1);
  if (rng.nextUnit() < 0.2) faults.weakSectors = [{ ranges: ranges(rng, total, 1), successProbability: 0.5 }];
  if (rng.nextUnit() < 0.1) {
    faults.silentCorruption = { ranges: ranges(rng, total, 1) };
    silent = true;
  }
  // Mostly a few samples; sometimes hundreds; sometimes whole sectors (step 588).
  const kind = rng.nextUnit();
  const step = choice.jittery && kind >= 0.92 ? 588 : 1;
  const jitter = !choice.jittery ? 0 : step === 588 ? 588 * rng.nextInt(1, 2) : kind < 0.75 ? rng.nextInt(0, 24) : rng.nextInt(25, 150);
  if (jitter > 0) faults.audioJitter = { maxSamples: jitter, step };
  const modes: RipMode[] = ['secure', 'secure', 'paranoia', 'burst'];
  const mode = modes[rng.nextInt(0, modes.length - 1)]!;
  const reference = silent || rng.nextUnit() < 0.5;
  const options: RipOptions = {
    mode,
    offset: choice.offset,
    overread: choice.overread,
    maxRetries: 6,
    maxJitterSamples: Math.max(jitter, 4),
    ...(reference ? { checksums: [referenceHook(disc)] } : {}),
  };
  return { disc, choice, faults, options, silent, mode, seed };
}

describe('randomized rip campaign', () => {
  test(`${COUNT} seeded rips: never secure or accurate unless bit-exact; every difference reported where alignment is known`, async () => {
    const tally = new Map<string, number>();
    let tracksChecked = 0;
    for (let seed = 1; seed <= COUNT; seed++) {
      const s = scenario(seed);
      const emu = createEmulatedDrive({ disc: s.disc, profile: s.choice.profile, faults: s.faults, seed });
      const sink = new MemorySink();
      const result = await ripAudio(Drive.fromTransport(emu), { ...s.options, sink });
      // Emulated reads never wait on I/O: let the event loop (and the test runner's reporting) run.
      await new Promise((resolve) => setImmediate(resolve));
      for (const track of result.tracks) {
        tracksChecked++;
        tally.set(track.status, (tally.get(track.status) ?? 0) + 1);
        const diff = differences(sink.tracks.get(track.info.number), truthSamples(s.disc, track.info));
        const where = `seed ${seed} (${JSON.stringify({ profile: typeof s.choice.profile === 'string' ? s.choice.profile : s.choice.profile.name, mode: s.mode, faults: s.faults })}) track ${track.info.number} ${track.status}`;
        if (track.secure || track.accurate) expect(diff, where).toEqual([]);
        const aligned = result.jitterCorrection === 0 || track.secure || track.accurate;
        if (aligned && s.mode !== 'burst' && !s.silent) expect(allReported(diff, track), where).toBe(true);
      }
    }
    console.log(`rip campaign: ${COUNT} rips, ${tracksChecked} tracks: ${[...tally].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    // The campaign exercises both outcomes.
    expect(tally.get('secure') ?? 0).toBeGreaterThan(0);
    expect((tally.get('suspicious') ?? 0) + (tally.get('mismatch') ?? 0)).toBeGreaterThan(0);
  }, 60_000 + COUNT * 100);
});
