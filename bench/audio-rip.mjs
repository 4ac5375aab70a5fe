// Benchmark: audio ripping on the emulated drive. Reads per sector (the emulator's counter of
// sectors transferred, retries, cache defeat and index scanning included, over the sectors of
// audio ripped), the simulated drive time, and the CPU speed of the pipeline (reading,
// verification, WAV output) as a multiple of real time.
//
//   secure, good drive, clean disc      target <= 2.05 reads per sector
//   burst, good drive, reference match  target <= 1.05
//   cheap drive (jitter, audio cache, no C2), bit-exact   target <= 3.0
//   the whole pipeline: secure rip, CRC32 and AccurateRip hooks, FLAC files   target >= 50x real time (CPU)

import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Drive } from '../dist/drive/drive.js';
import { createAudioCd, createEmulatedDrive, driveProfileFromJson } from '../dist/emulator/index.js';
import * as rip from '../dist/audio/rip/index.js';
import { AccurateRipAccumulator, Crc32Accumulator, accurateRipDiscIds, discIdLayoutFromToc, formatCrc } from '../dist/audio/index.js';

const { createFlacTrackSink, createWavTrackSink, ripAudio } = rip;
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

/** Stand-in for the library's CRC32 hook, when the build has none: EAC-style CRC32, with and without null samples. */
const localCrc32Hook = {
  name: 'CRC32',
  start() {
    const acc = new Crc32Accumulator();
    return {
      update: (pcm) => acc.update(pcm),
      finish: () => {
        const d = acc.digest();
        return { value: `${formatCrc(d.crc32)} (w/o nulls ${formatCrc(d.crc32WithoutNulls)})` };
      },
    };
  },
};

/** Stand-in for the library's AccurateRip hook, when the build has none: v1/v2 CRCs of each track. */
const localAccurateRipHook = {
  name: 'AccurateRip',
  start(track) {
    const acc = new AccurateRipAccumulator(track.sampleCount, { isFirstTrack: track.isFirst, isLastTrack: track.isLast });
    return {
      update: (pcm) => acc.update(pcm),
      finish: () => {
        const d = acc.digest();
        return { value: `v1 ${formatCrc(d.v1)} v2 ${formatCrc(d.v2)}` };
      },
    };
  },
};

/** Tracks whose FLAC STREAMINFO MD5 is that of the truth, with the samples the rip reported zero-filled as zeros. */
function flacMd5Matches(disc, result) {
  let ok = 0;
  for (const t of result.tracks) {
    const pcm = truth(disc, t.info.startLba, t.info.endLba);
    for (const d of t.doubtful) if (d.reason === 'zero-filled') pcm.fill(0, d.start * 4, d.end * 4);
    const file = readFileSync(t.file);
    // STREAMINFO body at byte 8 ("fLaC" and the block header); its MD5 at body byte 18.
    if (file.subarray(8 + 18, 8 + 34).toString('hex') === createHash('md5').update(pcm).digest('hex')) ok++;
  }
  return ok;
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
  // 4. The whole pipeline on one core: secure rip, CRC32 and AccurateRip over every track, a FLAC per track.
  const flacDir = join(dir, 'flac');
  mkdirSync(flacDir, { recursive: true });
  // The library's hooks (no AccurateRip response: the CRCs are computed, nothing to compare with).
  const hooksFor = async (d) => {
    if (typeof rip.crc32Hook !== 'function' || typeof rip.accurateRipHook !== 'function') return [localCrc32Hook, localAccurateRipHook];
    const toc = await Drive.fromTransport(createEmulatedDrive({ disc: d })).toc();
    return [rip.crc32Hook(), rip.accurateRipHook(undefined, { discIds: accurateRipDiscIds(discIdLayoutFromToc(toc)), toc })];
  };
  const warmDisc = createAudioCd([300, 300]);
  // Warm-up of the encoder and the hooks (JIT), then the measured run.
  await ripAudio(Drive.fromTransport(createEmulatedDrive({ disc: warmDisc })), { offset: 6, checksums: await hooksFor(warmDisc), sink: createFlacTrackSink(flacDir) });
  const checksums = await hooksFor(disc);
  const pipeline = await one('secure, good drive, CRC32 + AccurateRip + FLAC', {
    disc,
    profile: 'good',
    faults: {},
    options: { offset: 6, overread: false, checksums },
    sink: createFlacTrackSink(flacDir),
  });
  pipeline.flacMd5Ok = flacMd5Matches(disc, pipeline.result);
  rmSync(flacDir, { recursive: true, force: true });
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
  const cpuTarget = 50;
  printTable(
    'Audio rip: the whole pipeline (CPU of this process, one JavaScript thread)',
    [
      ['run', 'l'],
      ['CPU × real time', 'r'],
      ['target', 'l'],
      ['audio', 'r'],
      ['CPU time', 'r'],
      ['simulated drive time', 'r'],
      ['reads/sector', 'r'],
      ['FLAC MD5 = truth', 'r'],
      ['track statuses', 'l'],
    ],
    [
      [
        pipeline.label,
        `${fmt(pipeline.cpuTimesRealTime, 0)}×`,
        `>= ${cpuTarget}×${pipeline.cpuTimesRealTime >= cpuTarget ? ' ok' : ' MISSED'}`,
        `${fmt(pipeline.audioSeconds, 1)} s`,
        `${fmt(pipeline.audioSeconds / pipeline.cpuTimesRealTime, 2)} s`,
        `${fmt(pipeline.simulatedSeconds, 1)} s`,
        fmt(pipeline.readsPerSector, 3),
        `${pipeline.flacMd5Ok}/${pipeline.result.tracks.length}`,
        summarize(pipeline.statuses),
      ],
    ],
  );
  const libraryHooks = typeof rip.crc32Hook === 'function' && typeof rip.accurateRipHook === 'function';
  console.log('    reading the emulated drive (two agreeing reads a sector), CRC32 and AccurateRip v1/v2 of every track, FLAC encoding (our encoder,');
  console.log('    defaults) and writing the files; 52x drives deliver 52 seconds of audio a second, so ≥ 50× keeps up with them on one core.');
  console.log(`    checksum hooks: ${libraryHooks ? "the library's crc32Hook() and accurateRipHook() (no response file)" : 'stand-ins over Crc32Accumulator and AccurateRipAccumulator'}.`);
  console.log('    FLAC MD5 = truth: STREAMINFO MD5 equal to the disc\'s PCM (samples the rip reported zero-filled as zeros).');
  return {
    ...Object.fromEntries(
      runs.map((r, i) => [
        ['secureGood', 'burstGood', 'paranoiaCheap'][i],
        { readsPerSector: r.readsPerSector, target: targets[i], simulatedSeconds: r.simulatedSeconds, cpuTimesRealTime: r.cpuTimesRealTime, samplesWrong: r.differing, zeroFilled: r.zeroFilled, statuses: summarize(r.statuses) },
      ]),
    ),
    pipelineFlac: {
      cpuTimesRealTime: pipeline.cpuTimesRealTime,
      target: cpuTarget,
      audioSeconds: pipeline.audioSeconds,
      simulatedSeconds: pipeline.simulatedSeconds,
      readsPerSector: pipeline.readsPerSector,
      flacMd5Ok: pipeline.flacMd5Ok,
      tracks: pipeline.result.tracks.length,
      statuses: summarize(pipeline.statuses),
    },
  };
}

function summarize(statuses) {
  const counts = new Map();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([k, v]) => `${v} ${k}`).join(', ');
}
