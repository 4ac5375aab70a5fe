import { describe, expect, test } from 'vitest';
import { ripAudio, type RipOptions } from '../../lib/audio/rip/rip.js';
import { Drive } from '../../lib/drive/drive.js';
import {
  createAudioCd,
  createDataCd,
  createEmulatedDrive,
  createHiddenTrackAudioCd,
  createSyntheticDisc,
  driveProfileFromJson,
  type DiscModel,
  type FaultOptions,
} from '../../lib/emulator/index.js';
import type { DriveProfile, DriveProfilePreset } from '../../lib/emulator/drive-profile.js';
import { MemorySink, allReported, differences, referenceHook, truthSamples } from './helpers.js';

async function rip(disc: DiscModel, profile: DriveProfile | DriveProfilePreset, faults: FaultOptions, options: RipOptions, seed = 1) {
  const emu = createEmulatedDrive({ disc, profile, faults, seed });
  const sink = new MemorySink();
  const result = await ripAudio(Drive.fromTransport(emu), { sink, ...options });
  const diffs = new Map(result.tracks.map((t) => [t.info.number, differences(sink.tracks.get(t.info.number), truthSamples(disc, t.info))]));
  return { result, sink, diffs, emu };
}

describe('secure mode on a good drive (accurate stream, exact C2, offset +6)', () => {
  test('a clean disc: bit-exact, every track secure but the 6 samples the drive cannot reach past the lead-out', async () => {
    const disc = createAudioCd([30, 25, 20]);
    const { result, diffs } = await rip(disc, 'good', {}, { offset: 6 });
    expect(result.tracks.map((t) => t.status)).toEqual(['secure', 'secure', 'secure-except-edges']);
    expect(result.tracks.map((t) => t.info.sampleCount)).toEqual([30 * 588, 25 * 588, 20 * 588]);
    expect(result.tracks[2]!.doubtful).toEqual([{ start: 20 * 588 - 6, end: 20 * 588, reason: 'zero-filled' }]);
    expect(diffs.get(1)).toEqual([]);
    expect(diffs.get(2)).toEqual([]);
    expect(diffs.get(3)).toEqual([11754, 11755, 11756, 11757, 11758, 11759]);
    expect(result.tracks.every((t) => t.rereadSectors === 0 && t.mismatchedSectors === 0)).toBe(true);
    expect(result).toMatchObject({ mode: 'secure', jitterCorrection: 0, c2: true, accurateStream: true, ok: false });
    expect(result.drive).toMatchObject({ vendor: 'EMULATED', product: 'ACCURATE READER' });
  });

  test('a negative offset reads into the lead-in with overread: every track secure and exact', async () => {
    const profile = driveProfileFromJson({ name: 'late', readOffsetSamples: -30 });
    const disc = createAudioCd([12, 10]);
    const { result, diffs } = await rip(disc, profile, {}, { offset: -30, overread: true });
    expect(result.tracks.map((t) => t.status)).toEqual(['secure', 'secure']);
    expect([...diffs.values()].flat()).toEqual([]);
  });

  test('without overread the first 30 samples are zero-filled, and said so', async () => {
    const profile = driveProfileFromJson({ name: 'late', readOffsetSamples: -30 });
    const disc = createAudioCd([12, 10]);
    const { result } = await rip(disc, profile, {}, { offset: -30 });
    expect(result.tracks[0]!.doubtful).toEqual([{ start: 0, end: 30, reason: 'zero-filled' }]);
    expect(result.tracks[0]!.status).toBe('secure-except-edges');
  });

  test('overreading into the lead-out the drive refuses: zero-filled, noted', async () => {
    const { result } = await rip(createAudioCd([10]), 'good', {}, { offset: 6, overread: true });
    expect(result.notes).toContain('track 1: the drive refused to read into the lead-out: samples there zero-filled');
    expect(result.tracks[0]!.doubtful).toEqual([{ start: 10 * 588 - 6, end: 10 * 588, reason: 'zero-filled' }]);
  });

  test('C2-flagged scratches: targeted re-reads recover every sample', async () => {
    const disc = createAudioCd([30, 25]);
    const { result, diffs } = await rip(disc, 'good', { c2Errors: { ranges: [{ startLba: 10, endLba: 13 }, 40] } }, { offset: 6 });
    expect(diffs.get(1)).toEqual([]);
    expect(result.tracks[0]!.status).toBe('secure');
    expect(result.tracks[0]!.c2Sectors).toBeGreaterThanOrEqual(3);
    expect(result.tracks[0]!.rereadSectors).toBeGreaterThan(0);
    // Re-reads are targeted: a few sectors around the scratches, never the whole track again.
    expect(result.tracks[0]!.rereadSectors).toBeLessThan(30);
    expect(result.c2Missed).toBe(0);
  });

  test('unreadable sectors: exact sample ranges, the rest secure, the rip goes on', async () => {
    const disc = createAudioCd([30, 25, 20]);
    const { result, diffs } = await rip(disc, 'good', { badSectors: [{ startLba: 40, endLba: 42 }] }, { offset: 6, maxRetries: 3 });
    expect(result.tracks.map((t) => t.status)).toEqual(['secure', 'suspicious', 'secure-except-edges']);
    // Sectors 40-41 hold disc samples 40×588−6 … 42×588−7; track 2 starts at LBA 30.
    expect(result.tracks[1]!.doubtful).toEqual([{ start: 10 * 588 - 6, end: 12 * 588 - 6, reason: 'unreadable' }]);
    expect(allReported(diffs.get(2)!, result.tracks[1]!)).toBe(true);
    expect(diffs.get(1)).toEqual([]);
  });

  test('weak sectors are read again until they give', async () => {
    const disc = createAudioCd([30]);
    const { result, diffs } = await rip(disc, 'good', { weakSectors: [{ ranges: [{ startLba: 5, endLba: 9 }], successProbability: 0.4 }] }, { offset: 6, maxRetries: 30 });
    expect(diffs.get(1)).toEqual([17634, 17635, 17636, 17637, 17638, 17639]);
    expect(result.tracks[0]!.status).toBe('secure-except-edges');
    expect(result.tracks[0]!.doubtful).toEqual([{ start: 17634, end: 17640, reason: 'zero-filled' }]);
  });

  test('silent corruption: agreeing re-reads cannot see it; a reference checksum turns it into a mismatch', async () => {
    const disc = createAudioCd([20]);
    const faults: FaultOptions = { silentCorruption: { ranges: [7] } };
    const blind = await rip(disc, 'good', faults, { offset: 6 });
    expect(blind.diffs.get(1)!.length).toBeGreaterThan(0);
    expect(blind.result.tracks[0]!.status).toBe('secure-except-edges');
    const checked = await rip(disc, 'good', faults, { offset: 6, checksums: [referenceHook(disc)] });
    expect(checked.result.tracks[0]!.status).toBe('mismatch');
    expect(checked.result.tracks[0]!.secure).toBe(false);
    expect(checked.result.tracks[0]!.accurate).toBe(false);
  });

  test('clean-disc reads per sector stay near 2 (two reads, one cache-defeat sector per window)', async () => {
    const disc = createAudioCd([400, 400]);
    const { result, emu } = await rip(disc, 'good', {}, { offset: 6, scanIndexes: false });
    expect(emu.stats.sectorsRead / result.audioSectors).toBeLessThanOrEqual(2.05);
  });
});

describe('cheap drive: jitter, audio cache, no C2, offset +667', () => {
  test('paranoia: reads stitched by overlap; a reference checksum confirms the alignment; bit-exact', async () => {
    const disc = createAudioCd([40, 30]);
    const { result, diffs } = await rip(disc, 'cheap', { audioJitter: { maxSamples: 40 } }, { mode: 'paranoia', offset: 667, maxJitterSamples: 40, checksums: [referenceHook(disc)] });
    expect(diffs.get(1)).toEqual([]);
    expect(result.tracks[0]).toMatchObject({ status: 'secure', secure: true, accurate: true });
    // The last 667 samples lie past what the drive can read: zero-filled, so the reference cannot match.
    expect(result.tracks[1]!.doubtful).toEqual([{ start: 30 * 588 - 667, end: 30 * 588, reason: 'zero-filled' }]);
    expect(result.tracks[1]).toMatchObject({ status: 'mismatch', secure: false, accurate: false });
  });

  test('paranoia with a negative offset and overread: every track secure and bit-exact', async () => {
    const profile = driveProfileFromJson({ name: 'cheap-late', readOffsetSamples: -667 }, { base: 'cheap' });
    const disc = createAudioCd([40, 30]);
    const { result, diffs } = await rip(disc, profile, { audioJitter: { maxSamples: 40 } }, { mode: 'paranoia', offset: -667, overread: true, maxJitterSamples: 40, checksums: [referenceHook(disc)] });
    expect([...diffs.values()].flat()).toEqual([]);
    expect(result.tracks.map((t) => t.status)).toEqual(['secure', 'secure']);
  });

  test('jitter of hundreds of samples, and of whole sectors, over several read windows', async () => {
    const profile = driveProfileFromJson({ name: 'cheap-late', readOffsetSamples: -667 }, { base: 'cheap' });
    for (const audioJitter of [{ maxSamples: 150 }, { maxSamples: 1176, step: 588 }]) {
      const disc = createAudioCd([90, 70]);
      const { result, diffs } = await rip(disc, profile, { audioJitter }, { mode: 'secure', offset: -667, overread: true, maxJitterSamples: audioJitter.maxSamples, checksums: [referenceHook(disc)] });
      expect([...diffs.values()].flat()).toEqual([]);
      expect(result.tracks.map((t) => t.status)).toEqual(['secure', 'secure']);
    }
  });

  test('a silence inside a track (shorter than a read) does not lose the alignment', async () => {
    const profile = driveProfileFromJson({ name: 'cheap-late', readOffsetSamples: -667 }, { base: 'cheap' });
    const disc = createSyntheticDisc({
      tracks: [{ mode: 'audio', sectors: 120 }, { mode: 'audio', sectors: 30 }],
      finishSector: (lba, _kind, sector) => {
        if (lba >= 30 && lba < 45) sector.fill(0);
      },
    });
    const { result, diffs } = await rip(disc, profile, { audioJitter: { maxSamples: 60 } }, { offset: -667, overread: true, maxJitterSamples: 60, checksums: [referenceHook(disc)] });
    expect([...diffs.values()].flat()).toEqual([]);
    expect(result.tracks.map((t) => t.status)).toEqual(['secure', 'secure']);
  });

  test('paranoia on a drive with an accurate stream: aligned by overlap, placed where the drive says', async () => {
    const disc = createAudioCd([60, 40]);
    const { result, diffs } = await rip(disc, 'good', { c2Errors: { ranges: [30] } }, { mode: 'paranoia', offset: 6, maxJitterSamples: 100 });
    expect(result.jitterCorrection).toBe(100);
    expect(result.tracks.map((t) => t.status)).toEqual(['secure', 'secure-except-edges']);
    expect(diffs.get(1)).toEqual([]);
  });

  test('without a reference the alignment is unproven: never secure', async () => {
    const disc = createAudioCd([40]);
    const { result } = await rip(disc, 'cheap', { audioJitter: { maxSamples: 40 } }, { mode: 'secure', offset: 667, maxJitterSamples: 40 });
    expect(result.jitterCorrection).toBe(40);
    expect(result.tracks[0]!.secure).toBe(false);
    expect(['unverified', 'suspicious']).toContain(result.tracks[0]!.status);
  });

  test('damaged audio without C2: the majority of re-reads wins', async () => {
    const profile = driveProfileFromJson({ name: 'cheap-late', readOffsetSamples: -667 }, { base: 'cheap' });
    const disc = createAudioCd([40]);
    const { result, diffs } = await rip(disc, profile, { audioJitter: { maxSamples: 12 }, c2Errors: { ranges: [{ startLba: 15, endLba: 18 }] } }, {
      mode: 'paranoia',
      offset: -667,
      overread: true,
      maxJitterSamples: 12,
      checksums: [referenceHook(disc)],
    });
    expect(diffs.get(1)).toEqual([]);
    expect(result.tracks[0]!.status).toBe('secure');
    expect(result.tracks[0]!.mismatchedSectors).toBeGreaterThan(0);
  });

  test('the audio cache is defeated between reads; without that, damaged reads agree with themselves', async () => {
    // Accurate stream, so only the cache is in play.
    const caching = driveProfileFromJson({ name: 'caching', readOffsetSamples: 0, c2Pointers: false, c2Accuracy: 0, audioFromCache: true, cacheSectors: 445 }, { base: 'good' });
    const disc = createAudioCd([30]);
    const faults: FaultOptions = { c2Errors: { ranges: [{ startLba: 10, endLba: 12 }] } };
    const defeated = await rip(disc, caching, faults, {});
    expect(defeated.diffs.get(1)).toEqual([]);
    expect(defeated.result.tracks[0]!.status).toBe('secure');
    expect(defeated.result.reads.cacheDefeatReads).toBeGreaterThan(0);
    const fooled = await rip(disc, caching, faults, { cacheDefeat: false });
    expect(fooled.diffs.get(1)!.length).toBeGreaterThan(0);
  });
});

describe('burst mode', () => {
  test('one read per sector; unverified without a reference, accurate with one', async () => {
    const disc = createAudioCd([30, 20]);
    const plain = await rip(disc, 'good', {}, { mode: 'burst', offset: 6, scanIndexes: false });
    expect(plain.result.tracks.map((t) => t.status)).toEqual(['unverified', 'suspicious']);
    // 50 sectors, and the one both tracks need for the offset correction read twice.
    expect(plain.emu.stats.sectorsRead).toBe(51);
    const checked = await rip(disc, 'good', {}, { mode: 'burst', offset: 6, scanIndexes: false, checksums: [referenceHook(disc)] });
    expect(checked.result.tracks[0]).toMatchObject({ status: 'accurate', accurate: true, secure: false });
    expect(checked.result.tracks[1]!.status).toBe('mismatch');
  });

  test('C2 flags are reported as exact ranges', async () => {
    const disc = createAudioCd([20]);
    const { result, diffs } = await rip(disc, 'good', { c2Errors: { ranges: [9] } }, { mode: 'burst', offset: 6, scanIndexes: false });
    expect(result.tracks[0]!.status).toBe('suspicious');
    const c2 = result.tracks[0]!.doubtful.filter((d) => d.reason === 'c2');
    expect(c2.length).toBeGreaterThan(0);
    expect(c2.every((d) => d.start >= 9 * 588 - 6 && d.end <= 10 * 588 - 6)).toBe(true);
    expect(allReported(diffs.get(1)!, result.tracks[0]!)).toBe(true);
  });
});

describe('disc layout: pregaps, indexes, hidden track, flags', () => {
  test('pregaps and INDEX 02+ are found by scanning Q; gaps appended or kept with their track', async () => {
    const disc = createSyntheticDisc({
      mcn: '0123456789012',
      tracks: [
        { mode: 'audio', sectors: 20, control: 0x2, isrc: 'USABC2400001' },
        { mode: 'audio', sectors: 30, pregap: 7, indexOffsets: [5, 11], control: 0x1 },
        { mode: 'audio', sectors: 10, pregap: 3 },
      ],
    });
    const appended = await rip(disc, 'good', {}, { offset: 6 });
    const [t1, t2, t3] = appended.result.tracks.map((t) => t.info);
    expect(appended.result.mcn).toBe('0123456789012');
    expect(t1).toMatchObject({ number: 1, startLba: 0, endLba: 27, pregapLba: 0, isrc: 'USABC2400001', copyPermitted: true, preEmphasis: false });
    expect(t2).toMatchObject({ number: 2, startLba: 27, endLba: 60, pregapLba: 20, preEmphasis: true, copyPermitted: false });
    expect(t2!.indexes).toEqual([{ number: 1, lba: 27 }, { number: 2, lba: 32 }, { number: 3, lba: 38 }]);
    expect(t3).toMatchObject({ startLba: 60, endLba: 70, pregapLba: 57 });
    const kept = await rip(disc, 'good', {}, { offset: 6, gapMode: 'prepend' });
    expect(kept.result.tracks.map((t) => [t.info.startLba, t.info.endLba])).toEqual([[0, 20], [20, 57], [57, 70]]);
    expect([...kept.diffs.values()].slice(0, 2).flat()).toEqual([]);
  });

  test('a hidden track before track 1 is ripped as track 0', async () => {
    const disc = createHiddenTrackAudioCd(40, [20, 15]);
    const { result, diffs } = await rip(disc, 'good', {}, { offset: 6 });
    expect(result.tracks.map((t) => [t.info.number, t.info.startLba, t.info.endLba, t.status])).toEqual([
      [0, 0, 40, 'secure'],
      [1, 40, 60, 'secure'],
      [2, 60, 75, 'secure-except-edges'],
    ]);
    expect(diffs.get(0)).toEqual([]);
  });

  test('a silent hidden track is skipped, and said so', async () => {
    const disc = createSyntheticDisc({
      tracks: [{ mode: 'audio', sectors: 20, pregap: 190 }],
      finishSector: (lba, _kind, sector) => {
        if (lba < 40) sector.fill(0);
      },
    });
    const { result } = await rip(disc, 'good', {}, { offset: 0 });
    expect(result.tracks.map((t) => t.info.number)).toEqual([1]);
    expect(result.notes).toContain('the hidden track before track 1 is silent: not ripped');
  });
});

describe('API behaviour', () => {
  test('progress ends with "finished"; an aborted signal stops the rip', async () => {
    const disc = createAudioCd([30, 30]);
    const phases: string[] = [];
    const emu = createEmulatedDrive({ disc });
    await ripAudio(Drive.fromTransport(emu), { onProgress: (p) => phases.push(p.phase) });
    expect(phases[0]).toBe('scanning');
    expect(phases.at(-1)).toBe('finished');
    expect(phases).toContain('reading');
    const controller = new AbortController();
    controller.abort();
    await expect(ripAudio(Drive.fromTransport(createEmulatedDrive({ disc })), { signal: controller.signal, scanIndexes: false })).rejects.toThrow();
  });

  test('the other profiles: dvd-bd rips like good; qemu-scsi-cd refuses READ CD, said once', async () => {
    const disc = createAudioCd([20, 10]);
    const bd = await rip(disc, 'dvd-bd', {}, { offset: 6 });
    expect(bd.result.tracks.map((t) => t.status)).toEqual(['secure', 'secure-except-edges']);
    const qemu = Drive.fromTransport(createEmulatedDrive({ disc, profile: 'qemu-scsi-cd' }));
    await expect(ripAudio(qemu)).rejects.toThrow(/the drive refuses READ CD of audio/);
  });

  test('bad options are RangeErrors naming the option', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createAudioCd([5]) }));
    await expect(ripAudio(drive, { offset: 1e9 })).rejects.toThrow(/"offset"/);
    await expect(ripAudio(drive, { mode: 'fast' as never })).rejects.toThrow(/"mode"/);
    await expect(ripAudio(drive, { tracks: [4] })).rejects.toThrow(/track 4 is not an audio track/);
    await expect(ripAudio(Drive.fromTransport(createEmulatedDrive({ disc: createDataCd(50) })))).rejects.toThrow(/the disc has no audio tracks/);
  });
});
