import { describe, expect, test } from 'vitest';
import { accurateRipCrcs, parseAccurateRipResponse, type AccurateRipDiscIds } from '../../lib/audio/accuraterip.js';
import { formatCrc, trackCrc32 } from '../../lib/audio/checksums.js';
import { accurateRipDiscIds, discIdLayoutFromToc } from '../../lib/audio/disc-id.js';
import { describeRip, formatRipLog } from '../../lib/audio/rip/log.js';
import { ripAudio, type RipOptions } from '../../lib/audio/rip/rip.js';
import type { AccurateRipChecksumResult } from '../../lib/audio/rip/verify-hooks.js';
import { accurateRipHook, crc32Hook } from '../../lib/audio/rip/verify-hooks.js';
import type { TrackRipResult } from '../../lib/audio/rip/types.js';
import { Drive } from '../../lib/drive/drive.js';
import type { DiscToc } from '../../lib/drive/toc.js';
import { FormatError } from '../../lib/errors.js';
import { createAudioCd, createEmulatedDrive, createHiddenTrackAudioCd, createMixedModeCd, type DiscModel, type FaultOptions } from '../../lib/emulator/index.js';
import type { DriveProfile, DriveProfilePreset } from '../../lib/emulator/drive-profile.js';
import { MemorySink, allReported, differences, truthSamples } from './helpers.js';

function bytesOf(samples: Uint32Array): Uint8Array {
  const out = Buffer.alloc(samples.length * 4);
  samples.forEach((v, i) => out.writeUInt32LE(v, i * 4));
  return out;
}

/** The disc's TOC and AccurateRip ids, as a drive reports them. */
async function discOf(disc: DiscModel): Promise<{ toc: DiscToc; ids: AccurateRipDiscIds }> {
  const toc = await Drive.fromTransport(createEmulatedDrive({ disc })).toc();
  return { toc, ids: accurateRipDiscIds(discIdLayoutFromToc(toc)) };
}

/** True AccurateRip CRCs of every audio track (TOC extents). */
function trueCrcs(disc: DiscModel, toc: DiscToc) {
  const audio = toc.tracks.filter((t) => !t.isData);
  return audio.map((t, i) => accurateRipCrcs(bytesOf(truthSamples(disc, t)), { isFirstTrack: i === 0, isLastTrack: i === audio.length - 1 }));
}

/** A dBAR file in the parser's format: per chunk a 13-byte header and 9 bytes per track. */
function dbar(ids: AccurateRipDiscIds, chunks: Array<Array<{ confidence: number; crc: number; frame450?: number }>>): Uint8Array {
  const out = Buffer.alloc(chunks.reduce((n, c) => n + 13 + 9 * c.length, 0));
  let p = 0;
  for (const tracks of chunks) {
    out.writeUInt8(ids.audioTracks, p);
    out.writeUInt32LE(ids.id1, p + 1);
    out.writeUInt32LE(ids.id2, p + 5);
    out.writeUInt32LE(ids.cddb, p + 9);
    p += 13;
    for (const t of tracks) {
      out.writeUInt8(t.confidence, p);
      out.writeUInt32LE(t.crc >>> 0, p + 1);
      out.writeUInt32LE((t.frame450 ?? 0) >>> 0, p + 5);
      p += 9;
    }
  }
  return out;
}

async function rip(disc: DiscModel, profile: DriveProfile | DriveProfilePreset, faults: FaultOptions, options: RipOptions) {
  const emu = createEmulatedDrive({ disc, profile, faults, seed: 1 });
  const sink = new MemorySink();
  const result = await ripAudio(Drive.fromTransport(emu), { sink, ...options });
  const diffs = new Map(result.tracks.map((t) => [t.info.number, differences(sink.tracks.get(t.info.number), truthSamples(disc, t.info))]));
  return { result, diffs, emu };
}

const ar = (t: TrackRipResult) => t.checksums.find((c) => c.name === 'AccurateRip') as (AccurateRipChecksumResult & { name: string }) | undefined;
const crc = (t: TrackRipResult) => t.checksums.find((c) => c.name === 'CRC32');

describe('AccurateRip and CRC32 hooks in ripAudio', () => {
  test('no response: the values only, matched undefined, statuses unchanged; CRC32 with and without nulls', async () => {
    const disc = createAudioCd([30, 25, 20]);
    const { toc, ids } = await discOf(disc);
    const truth = trueCrcs(disc, toc);
    const { result } = await rip(disc, 'good', {}, { offset: 6, checksums: [crc32Hook(), accurateRipHook(undefined, { discIds: ids, toc })] });
    expect(result.tracks.map((t) => t.status)).toEqual(['secure', 'secure', 'secure-except-edges']);
    result.tracks.forEach((t, i) => {
      // The last track's last 6 samples are zero-filled; AccurateRip leaves out its last 2940.
      expect(ar(t)).toMatchObject({ name: 'AccurateRip', value: `v1 ${formatCrc(truth[i]!.v1)}, v2 ${formatCrc(truth[i]!.v2)}`, detail: 'not checked — no response file', frame450: undefined });
      expect(ar(t)!.matched).toBeUndefined();
    });
    for (const t of result.tracks.slice(0, 2)) {
      const c = trackCrc32(bytesOf(truthSamples(disc, t.info)));
      expect(crc(t)).toEqual({ name: 'CRC32', value: formatCrc(c.crc32), detail: `without null samples ${formatCrc(c.crc32WithoutNulls)}`, crc32: formatCrc(c.crc32), crc32WithoutNulls: formatCrc(c.crc32WithoutNulls) });
    }
    // The synthetic samples' right channel is 0 early on the disc: the two CRCs differ.
    const first = crc(result.tracks[0]!) as unknown as { crc32: string; crc32WithoutNulls: string };
    expect(first.crc32).not.toBe(first.crc32WithoutNulls);
  });

  test('burst with a matching response: every track accurate, v2 preferred, confidence of all pressings', async () => {
    const disc = createAudioCd([500, 25, 460]);
    const { toc, ids } = await discOf(disc);
    const truth = trueCrcs(disc, toc);
    const response = parseAccurateRipResponse(
      dbar(ids, [truth.map((c) => ({ confidence: 12, crc: c.v2, frame450: c.frame450 ?? 0 })), truth.map((c) => ({ confidence: 3, crc: (c.v2 ^ 0x5a5a) >>> 0 }))]),
    );
    const { result, diffs } = await rip(disc, 'good', {}, { mode: 'burst', offset: 6, scanIndexes: false, checksums: [crc32Hook(), accurateRipHook(response, { discIds: ids, toc })] });
    expect(result.tracks.map((t) => t.status)).toEqual(['accurate', 'accurate', 'accurate']);
    expect(result.tracks.map((t) => ar(t)!.detail)).toEqual(Array(3).fill('AccurateRip v2, confidence 12 (of 15)'));
    expect(ar(result.tracks[0]!)).toMatchObject({ matched: true, version: 'v2', confidence: 12, totalConfidence: 15, pressing: 1, frame450: formatCrc(truth[0]!.frame450!) });
    expect(result.ok).toBe(true);
    expect(diffs.get(1)).toEqual([]);
    expect(diffs.get(2)).toEqual([]);
    // Burst reads each sector about once (index scanning off): within the benchmark's 1.05 per sector.
    expect(result.reads.sectorsRequested / result.audioSectors).toBeLessThanOrEqual(1.05);
  });

  test('a response holding v1 CRCs matches as v1; a track the database does not list stays unjudged', async () => {
    // Late on the synthetic disc samples are large enough that v1 and v2 differ.
    const disc = createAudioCd([500, 25, 460]);
    const { toc, ids } = await discOf(disc);
    const truth = trueCrcs(disc, toc);
    expect(truth[0]!.v1).not.toBe(truth[0]!.v2);
    expect(truth[2]!.v1).not.toBe(truth[2]!.v2);
    const response = parseAccurateRipResponse(dbar(ids, [[{ confidence: 7, crc: truth[0]!.v1 }, { confidence: 0, crc: 1 }, { confidence: 2, crc: truth[2]!.v1 }]]));
    const { result } = await rip(disc, 'good', {}, { mode: 'burst', offset: 6, scanIndexes: false, checksums: [accurateRipHook(response, { discIds: ids, toc })] });
    expect(result.tracks.map((t) => t.status)).toEqual(['accurate', 'unverified', 'accurate']);
    expect(result.tracks.map((t) => ar(t)!.detail)).toEqual(['AccurateRip v1, confidence 7 (of 7)', 'not in the database', 'AccurateRip v1, confidence 2 (of 2)']);
    expect(ar(result.tracks[1]!)!.matched).toBeUndefined();
  });

  test('burst with silent corruption: the corrupted track is a mismatch, never accurate; the others accurate', async () => {
    const disc = createAudioCd([30, 25, 20]);
    const { toc, ids } = await discOf(disc);
    const truth = trueCrcs(disc, toc);
    const response = parseAccurateRipResponse(dbar(ids, [truth.map((c) => ({ confidence: 5, crc: c.v2 }))]));
    const { result, diffs } = await rip(disc, 'good', { silentCorruption: { ranges: [40] } }, { mode: 'burst', offset: 6, scanIndexes: false, checksums: [accurateRipHook(response, { discIds: ids, toc })] });
    expect(diffs.get(2)!.length).toBeGreaterThan(0);
    expect(result.tracks.map((t) => t.status)).toEqual(['accurate', 'mismatch', 'accurate']);
    expect(result.tracks[1]).toMatchObject({ secure: false, accurate: false });
    expect(ar(result.tracks[1]!)).toMatchObject({ matched: false, version: 'none', confidence: 0, totalConfidence: 5, detail: `no match: the database holds ${formatCrc(truth[1]!.v2)} (total confidence 5)` });
    expect(result.ok).toBe(false);
    // Secure mode cannot see the corruption either (every read agrees), but AccurateRip can.
    const secure = await rip(disc, 'good', { silentCorruption: { ranges: [40] } }, { offset: 6, checksums: [accurateRipHook(response, { discIds: ids, toc })] });
    // The last track has 6 zero-filled samples (beyond the lead-out): accurate rather than secure.
    expect(secure.result.tracks.map((t) => t.status)).toEqual(['secure', 'mismatch', 'accurate']);
    expect(secure.result.tracks.map((t) => t.accurate)).toEqual([true, false, true]);
  });

  test('the log shows CRC32, AR v1/v2, result and confidence per track, text and JSON', async () => {
    const disc = createAudioCd([30, 25]);
    const { toc, ids } = await discOf(disc);
    const truth = trueCrcs(disc, toc);
    const response = parseAccurateRipResponse(dbar(ids, [[{ confidence: 9, crc: truth[0]!.v2 }, { confidence: 4, crc: 0x12345678 }]]));
    const { result } = await rip(disc, 'good', {}, { mode: 'burst', offset: 6, scanIndexes: false, offsetSource: 'given with --offset', checksums: [crc32Hook(), accurateRipHook(response, { discIds: ids, toc })] });
    const text = formatRipLog(result, { header: [['AccurateRip id:', '002-…']] });
    const c1 = crc(result.tracks[0]!)!;
    expect(text).toContain(`  CRC32:            ${c1.value} (${c1.detail})\n`);
    expect(text).toContain(`  AccurateRip:      v1 ${formatCrc(truth[0]!.v1)}, v2 ${formatCrc(truth[0]!.v2)} (matched; AccurateRip v2, confidence 9 (of 9))\n`);
    expect(text).toContain(`  AccurateRip:      v1 ${formatCrc(truth[1]!.v1)}, v2 ${formatCrc(truth[1]!.v2)} (did NOT match; no match: the database holds 12345678 (total confidence 4))\n`);
    expect(text).toContain('Read offset:        +6 samples (given with --offset)\n');
    expect(text).toContain('AccurateRip id:     002-…\n');
    expect(text).toContain('AccurateRip: 1 of 2 track(s) matched, 1 did NOT\n');
    const json = JSON.parse(JSON.stringify(describeRip(result))) as { offsetSource: string; tracks: Array<{ checksums: Array<Record<string, unknown>> }> };
    expect(json.offsetSource).toBe('given with --offset');
    expect(json.tracks[0]!.checksums[1]).toEqual({
      name: 'AccurateRip',
      value: `v1 ${formatCrc(truth[0]!.v1)}, v2 ${formatCrc(truth[0]!.v2)}`,
      v1: formatCrc(truth[0]!.v1),
      v2: formatCrc(truth[0]!.v2),
      matched: true,
      version: 'v2',
      confidence: 9,
      totalConfidence: 9,
      pressing: 1,
      detail: 'AccurateRip v2, confidence 9 (of 9)',
    });
    expect(json.tracks[0]!.checksums[0]).toMatchObject({ name: 'CRC32', crc32: c1.value });
  });

  test('a response for another disc is a FormatError naming both ids', async () => {
    const { toc, ids } = await discOf(createAudioCd([30, 25]));
    const other = parseAccurateRipResponse(dbar({ ...ids, id1: ids.id1 + 1 }, [[{ confidence: 1, crc: 1 }, { confidence: 1, crc: 2 }]]));
    expect(() => accurateRipHook(other, { discIds: ids, toc })).toThrow(FormatError);
    expect(() => accurateRipHook(other, { discIds: ids, toc })).toThrow(/is for disc 002-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8} \(chunk 1\), not for this disc, 002-/);
    expect(() => accurateRipHook([], { discIds: ids })).toThrow(/holds no chunk/);
  });

  test('paranoia on a jittery caching drive: AccurateRip confirms the alignment; the last track matches despite 667 zero-filled samples', async () => {
    const disc = createAudioCd([40, 30]);
    const { toc, ids } = await discOf(disc);
    const truth = trueCrcs(disc, toc);
    const response = parseAccurateRipResponse(dbar(ids, [truth.map((c) => ({ confidence: 3, crc: c.v2 }))]));
    const { result, diffs } = await rip(disc, 'cheap', { audioJitter: { maxSamples: 40 } }, { mode: 'paranoia', offset: 667, maxJitterSamples: 40, checksums: [crc32Hook(), accurateRipHook(response, { discIds: ids, toc })] });
    expect(diffs.get(1)).toEqual([]);
    // What lies past the lead-out is zero-filled: at most 667 samples (fewer when a jittered read landed early), exactly the samples that differ.
    const [edge] = result.tracks[1]!.doubtful;
    expect(result.tracks[1]!.doubtful).toHaveLength(1);
    expect(edge).toMatchObject({ end: 30 * 588, reason: 'zero-filled' });
    expect(edge!.start).toBeGreaterThanOrEqual(30 * 588 - 667);
    expect(diffs.get(2)).toEqual(Array.from({ length: edge!.end - edge!.start }, (_, i) => edge!.start + i));
    expect(allReported(diffs.get(2)!, result.tracks[1]!)).toBe(true);
    expect(result.tracks.map((t) => [t.status, t.accurate])).toEqual([['secure', true], ['accurate', true]]);
  });

  test('a hidden track is not an AccurateRip track; tracks of a disc starting with data are numbered among the audio', async () => {
    const hidden = createHiddenTrackAudioCd(40, [30, 25]);
    const h = await discOf(hidden);
    const ht = trueCrcs(hidden, h.toc);
    const hr = parseAccurateRipResponse(dbar(h.ids, [ht.map((c) => ({ confidence: 2, crc: c.v2 }))]));
    const a = await rip(hidden, 'good', {}, { mode: 'burst', offset: 6, checksums: [accurateRipHook(hr, { discIds: h.ids, toc: h.toc })] });
    expect(a.result.tracks.map((t) => t.info.number)).toEqual([0, 1, 2]);
    expect(ar(a.result.tracks[0]!)).toMatchObject({ value: 'n/a', detail: 'not an AccurateRip track (hidden track before track 1)' });
    expect(ar(a.result.tracks[0]!)!.matched).toBeUndefined();
    expect(a.result.tracks.map((t) => t.status)).toEqual(['unverified', 'accurate', 'accurate']);

    const mixed = createMixedModeCd(300, [30, 25]);
    const m = await discOf(mixed);
    expect(m.toc.tracks.map((t) => t.isData)).toEqual([true, false, false]);
    const mt = trueCrcs(mixed, m.toc);
    const mr = parseAccurateRipResponse(dbar(m.ids, [mt.map((c) => ({ confidence: 2, crc: c.v2 }))]));
    const b = await rip(mixed, 'good', {}, { mode: 'burst', offset: 6, checksums: [accurateRipHook(mr, { discIds: m.ids, toc: m.toc })] });
    expect(b.result.tracks.map((t) => [t.info.number, t.status])).toEqual([[2, 'accurate'], [3, 'accurate']]);
  });

  test('gaps kept with their track: tracks whose output is not their TOC extent are not compared', async () => {
    const disc = createAudioCd([30, 25, 20], { pregaps: [150, 40, 0] });
    const { toc, ids } = await discOf(disc);
    const truth = trueCrcs(disc, toc);
    const response = parseAccurateRipResponse(dbar(ids, [truth.map((c) => ({ confidence: 2, crc: c.v2 }))]));
    const appended = await rip(disc, 'good', {}, { mode: 'burst', offset: 6, checksums: [accurateRipHook(response, { discIds: ids, toc })] });
    expect(appended.result.tracks.map((t) => t.status)).toEqual(['accurate', 'accurate', 'accurate']);
    const kept = await rip(disc, 'good', {}, { mode: 'burst', offset: 6, gapMode: 'prepend', checksums: [accurateRipHook(response, { discIds: ids, toc })] });
    // Track 1 ends where track 2's pregap starts, track 2 starts there: neither is AccurateRip's extent.
    expect(kept.result.tracks.map((t) => ar(t)!.matched)).toEqual([undefined, undefined, true]);
    expect(ar(kept.result.tracks[0]!)!.detail).toBe('not checked — the output is not the track as AccurateRip counts it (gaps must be appended)');
  });
});
