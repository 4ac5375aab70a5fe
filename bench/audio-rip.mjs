// Benchmark: audio ripping on the emulated drive. Reads per sector (the emulator's counter of
// sectors transferred, retries, cache defeat and index scanning included, over the sectors of
// audio ripped), the simulated drive time, and the CPU speed of the pipeline (reading,
// verification, WAV output) as a multiple of real time.
//
//   secure, good drive, clean disc      target <= 2.05 reads per sector
//   burst, good drive, reference match  target <= 1.05
//   cheap drive (jitter, audio cache, no C2), bit-exact   target <= 3.0

import { mkdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Drive } from '../dist/drive/drive.js';
import { createAudioCd, createEmulatedDrive, driveProfileFromJson } from '../dist/emulator/index.js';
import { createWavTrackSink, ripAudio } from '../dist/audio/rip/index.js';
import { fmt, printTable } from './lib.mjs';

/** The disc's true PCM of [startLba, endLba). */
function truth(disc, startLba, endLba) {
  const out = Buffer.alloc((endLba - startLba) * 2352);
  const raw = new Uint8Array(2352);
  for (let lba = startLba; lba < endLba; lba++) {
    if (disc.readSector(lba, raw) === 'audio') out.set(raw, (lba - startLba) * 2352);
  }
  return out;
}

/** A stand-in for a matching AccurateRip response: the SHA-1 of each track's true PCM. */
function referenceHook(disc) {
  return {
    name: 'reference',
    start(track) {
      const expected = createHash('sha1').update(truth(disc, track.startLba, track.endLba)).digest('hex');
      const hash = createHash('sha1');
      return {
        update: (pcm) => hash.update(pcm),
        finish: () => {
          const value = hash.digest('hex');
          return { value, matched: value === expected };
        },
      };
    },
  };
}

/** A sink that counts the samples that differ from the truth as they are written. */
function checkingSink(disc) {
  let expected;
  let at = 0;
  let differing = 0;
  return {
    get differing() {
      return differing;
    },
    async open(track) {
      expected = truth(disc, track.startLba, track.endLba);
      at = 0;
    },
    async write(pcm) {
      const want = expected.subarray(at, at + pcm.length);
      if (!want.equals(pcm)) for (let i = 0; i < pcm.length; i += 4) if (want.readUInt32LE(i) !== Buffer.from(pcm.buffer, pcm.byteOffset + i, 4).readUInt32LE(0)) differing++;
      at += pcm.length;
    },
    async close() {
      differing += Math.abs(expected.length - at) / 4;
      return undefined;
    },
  };
}

async function one(label, { disc, profile, faults, options, sink, seed = 1 }) {
  const emu = createEmulatedDrive({ disc, profile, faults, seed });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await ripAudio(Drive.fromTransport(emu), { ...options, sink });
  const wall = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const audioSeconds = result.audioSectors / 75;
  return {
    label,
    readsPerSector: emu.stats.sectorsRead / result.audioSectors,
    simulatedSeconds: emu.stats.simulatedSeconds,
    audioSeconds,
    wall,
    cpuTimesRealTime: audioSeconds / cpuSeconds,
    statuses: result.tracks.map((t) => t.status),
    differing: sink.differing,
    zeroFilled: result.tracks.reduce((n, t) => n + t.doubtful.filter((d) => d.reason === 'zero-filled').reduce((m, d) => m + d.end - d.start, 0), 0),
    result,
  };
}

export async function benchAudioRip({ tmp, full }) {
  const trackSectors = Array.from({ length: full ? 15 : 8 }, (_, i) => (full ? 22_000 : 1500) + i * 37);
  const disc = createAudioCd(trackSectors);
  const sectors = trackSectors.reduce((a, b) => a + b, 0);
  const dir = join(tmp, 'audio-rip');
  mkdirSync(dir, { recursive: true });
  console.log(
    `\n[7] Audio rip on the emulated drive: ${trackSectors.length} tracks, ${sectors} sectors (${fmt(sectors / 75 / 60, 1)} min of audio)` +
      `${full ? ' (BENCH_FULL)' : '; BENCH_FULL=1 for 74 minutes'}. Reads per sector = sectors the drive transferred / sectors ripped.`,
  );
  // Warm-up (JIT) so the CPU figure is the steady state.
  await ripAudio(Drive.fromTransport(createEmulatedDrive({ disc: createAudioCd([300, 300]) })), { offset: 6 });
  const runs = [];
  // 1. Secure, good drive, clean disc, WAV files written: also the CPU figure.
  const wavDir = join(dir, 'wav');
  mkdirSync(wavDir, { recursive: true });
  const wav = createWavTrackSink(wavDir);
  const checking = checkingSink(disc);
  const tee = {
    get differing() {
      return checking.differing;
    },
    open: async (t) => (await checking.open(t), wav.open(t)),
    write: async (p) => (await checking.write(p), wav.write(p)),
    close: async () => (await checking.close(), wav.close()),
  };
  runs.push(await one('secure, good drive, clean', { disc, profile: 'good', faults: {}, options: { offset: 6, overread: false }, sink: tee }));
  rmSync(wavDir, { recursive: true, force: true });
  // 2. Burst with a matching reference checksum.
  runs.push(await one('burst, good drive, reference', { disc, profile: 'good', faults: {}, options: { mode: 'burst', offset: 6, checksums: [referenceHook(disc)] }, sink: checkingSink(disc) }));
  // 3. Cheap drive: jitter up to ±100 samples, audio cache, no C2; offset −667 so that overread
  //    reaches every sample, and a reference checksum to confirm the alignment.
  const cheapLate = driveProfileFromJson({ name: 'cheap-late', readOffsetSamples: -667 }, { base: 'cheap' });
  runs.push(
    await one('paranoia, cheap drive, jitter ±100', {
      disc,
      profile: cheapLate,
      faults: { audioJitter: { maxSamples: 100 } },
      options: { mode: 'paranoia', offset: -667, overread: true, maxJitterSamples: 100, checksums: [referenceHook(disc)] },
      sink: checkingSink(disc),
    }),
  );
  const targets = [2.05, 1.05, 3.0];
  printTable(
    'Audio rip',
    [
      ['run', 'l'],
      ['reads/sector', 'r'],
      ['target', 'l'],
      ['simulated drive time', 'r'],
      ['samples wrong (zero-filled)', 'r'],
      ['CPU × real time', 'r'],
      ['track statuses', 'l'],
    ],
    runs.map((r, i) => [
      r.label,
      fmt(r.readsPerSector, 3),
      `<= ${fmt(targets[i], 2)}${r.readsPerSector <= targets[i] ? ' ok' : ' MISSED'}`,
      `${fmt(r.simulatedSeconds, 1)} s`,
      `${r.differing} (${r.zeroFilled})`,
      `${fmt(r.cpuTimesRealTime, 0)}×`,
      summarize(r.statuses),
    ]),
  );
  console.log('    samples wrong: compared with the disc; the only ones are those past the lead-out a drive with offset +6 cannot read (zero-filled, reported).');
  console.log('    CPU × real time: seconds of audio per CPU second of the whole rip in this process (reading the emulator, verifying, writing WAV;');
  console.log('    the paranoia run includes hashing each track up to 201 times to confirm the alignment with the reference checksum).');
  return Object.fromEntries(
    runs.map((r, i) => [
      ['secureGood', 'burstGood', 'paranoiaCheap'][i],
      { readsPerSector: r.readsPerSector, target: targets[i], simulatedSeconds: r.simulatedSeconds, cpuTimesRealTime: r.cpuTimesRealTime, samplesWrong: r.differing, zeroFilled: r.zeroFilled, statuses: summarize(r.statuses) },
    ]),
  );
}

function summarize(statuses) {
  const counts = new Map();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([k, v]) => `${v} ${k}`).join(', ');
}
