/**
 * The drive's read offset, the three ways a rip gets it besides a number the user knows: looked up
 * by the drive's INQUIRY strings in AccurateRip's drive offset list (DriveOffsets.bin), or found
 * from an AccurateRip response for the disc in the drive — read a track once with a margin of
 * ±maxOffset samples, then try every offset until the track's CRC is one the database holds
 * (the idea of whipper's `offset find`, done on one read instead of one rip per guess), and
 * confirm on a second track.
 */

import type { Drive } from '../../drive/drive.js';
import type { DiscToc, TocTrack } from '../../drive/toc.js';
import { UnsupportedError } from '../../errors.js';
import {
  ACCURATERIP_MAX_OFFSET,
  accurateRipEntries,
  findTrackOffsets,
  SAMPLES_PER_SECTOR,
  type AccurateRipDiscIds,
  type AccurateRipResponseChunk,
} from '../accuraterip.js';
import { accurateRipDiscIds, discIdLayoutFromToc } from '../disc-id.js';
import { lookupDriveOffset, type DriveOffsetMatch, type DriveOffsetRecord } from '../drive-offsets.js';
import { AudioReader } from './reader.js';
import { pcmBytes } from './rip.js';
import { checkAccurateRipResponse } from './verify-hooks.js';

/** 15 minutes of audio. */
const LONG_TRACK = 15 * 60 * 75;

/** The drive's entry in a drive offset list. */
export interface DriveOffsetLookup extends DriveOffsetMatch {
  vendor: string;
  product: string;
}

/**
 * Looks the drive up (INQUIRY vendor and product) in parsed DriveOffsets.bin records.
 * UnsupportedError naming the drive when the list does not hold it, asking for --offset.
 */
export async function lookupDriveOffsetOf(drive: Drive, records: readonly DriveOffsetRecord[], options: { signal?: AbortSignal | undefined } = {}): Promise<DriveOffsetLookup> {
  const inquiry = await drive.inquiry(options.signal ? { signal: options.signal } : {});
  const match = lookupDriveOffset(records, inquiry.vendor, inquiry.product);
  if (!match) {
    throw new UnsupportedError(
      `the drive "${inquiry.vendor} ${inquiry.product}" is not in the drive offset list (${records.length} drives): give its read offset with --offset <samples>, or find it with --find-offset --accuraterip <dBAR-…bin>`,
    );
  }
  return { ...match, vendor: inquiry.vendor, product: inquiry.product };
}

/** Options of {@link findDriveOffset}. */
export interface FindOffsetOptions {
  /** The disc's TOC, when the caller has read it (else it is read here). */
  toc?: DiscToc | undefined;
  /** The disc's AccurateRip ids; computed from the drive's TOC when left out. */
  discIds?: AccurateRipDiscIds | undefined;
  /** Offsets tried: −maxOffset … +maxOffset (default ±2939, the most AccurateRip's CRC window allows). */
  maxOffset?: number | undefined;
  /** Tracks that must agree on an offset before the search stops (default 2; fewer when the disc has fewer listed tracks). */
  confirmTracks?: number | undefined;
  /** Tracks read at most (default 4). */
  maxTracks?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** One track's matches. */
export interface OffsetTrackMatch {
  /** Track number on the disc, and its AccurateRip index among the audio tracks. */
  track: number;
  audioIndex: number;
  matched: 'v1' | 'v2';
  confidence: number;
  pressing: number;
}

/** An offset at which tracks match, with the tracks. */
export interface OffsetCandidate {
  offset: number;
  tracks: OffsetTrackMatch[];
  /** Summed confidence of the matching entries. */
  confidence: number;
}

/** What {@link findDriveOffset} found. */
export interface OffsetSearchResult {
  /** Best first: most tracks matching, then highest confidence, then smallest |offset|. */
  candidates: OffsetCandidate[];
  /** The best candidate's offset; undefined when no track matched at any offset. */
  best: number | undefined;
  /** Tracks read (disc numbers), in the order read. */
  tracksRead: number[];
  /** Sectors requested from the drive. */
  sectorsRead: number;
  maxOffset: number;
  notes: string[];
}

/**
 * Finds the drive's read offset (AccurateRip/EAC sign: the value to give ripAudio's `offset`)
 * from a response for the disc in the drive. Tracks the response lists are read one after
 * another (highest confidence first), each once, with its neighbours' samples ±maxOffset; the
 * search stops as soon as `confirmTracks` tracks agree on one offset. Unreadable sectors read as
 * zeros (the track then matches nowhere). FormatError when the response is for another disc.
 */
export async function findDriveOffset(drive: Drive, response: readonly AccurateRipResponseChunk[], options: FindOffsetOptions = {}): Promise<OffsetSearchResult> {
  const maxOffset = options.maxOffset ?? ACCURATERIP_MAX_OFFSET;
  if (!Number.isSafeInteger(maxOffset) || maxOffset < 0 || maxOffset > ACCURATERIP_MAX_OFFSET) throw new RangeError(`Expected "maxOffset" from 0 to ${ACCURATERIP_MAX_OFFSET}, got ${maxOffset}`);
  const maxTracks = options.maxTracks ?? 4;
  if (!Number.isSafeInteger(maxTracks) || maxTracks < 1 || maxTracks > 99) throw new RangeError(`Expected "maxTracks" from 1 to 99, got ${maxTracks}`);
  const confirm = options.confirmTracks ?? 2;
  if (!Number.isSafeInteger(confirm) || confirm < 1 || confirm > 99) throw new RangeError(`Expected "confirmTracks" from 1 to 99, got ${confirm}`);
  const signal = options.signal;
  const commandOptions = signal ? { signal } : {};

  const toc = options.toc ?? (await drive.toc(commandOptions));
  const discIds = options.discIds ?? accurateRipDiscIds(discIdLayoutFromToc(toc));
  checkAccurateRipResponse(response, discIds);
  const audio = toc.tracks.filter((t) => !t.isData);
  const notes: string[] = [];
  const caps = await drive.capabilities(commandOptions).catch(() => undefined);
  if (caps?.accurateStream === false) notes.push('the drive does not have an accurate audio stream: a read may land off by some samples, and then match nowhere or at a wrong offset (confirmed on a second track)');

  const listed = audio
    .map((track, i) => ({ track, index: i + 1, total: accurateRipEntries(response, i + 1).reduce((s, e) => s + e.confidence, 0) }))
    .filter((t) => t.total > 0)
    // Very long tracks last: the track is held in memory while offsets are tried.
    .sort((a, b) => Number(a.track.sectorCount > LONG_TRACK) - Number(b.track.sectorCount > LONG_TRACK) || b.total - a.total || a.index - b.index);
  const needed = Math.min(confirm, listed.length);
  const perCommand = Math.max(1, Math.floor(drive.transport.maxTransferBytes / 2352));
  const byOffset = new Map<number, OffsetCandidate>();
  const tracksRead: number[] = [];
  let sectorsRead = 0;

  for (const { track, index } of listed.slice(0, maxTracks)) {
    signal?.throwIfAborted();
    const area = audioArea(toc, track);
    const reader = new AudioReader(drive, { c2: false, perCommand, minLba: area.start, endLba: area.end, safeMinLba: area.start, safeEndLba: area.end, cacheDefeat: false, signal });
    const position = { isFirstTrack: index === 1, isLastTrack: index === audio.length };
    const matches = await findTrackOffsets(
      (first, count) => readSamples(reader, track.startLba * SAMPLES_PER_SECTOR + first, count),
      { samples: track.sectorCount * SAMPLES_PER_SECTOR, ...position },
      accurateRipEntries(response, index),
      { maxOffset },
    );
    sectorsRead += reader.stats.sectorsRequested;
    tracksRead.push(track.number);
    for (const m of matches) {
      const candidate = byOffset.get(m.offset) ?? { offset: m.offset, tracks: [], confidence: 0 };
      candidate.tracks.push({ track: track.number, audioIndex: index, matched: m.matched, confidence: m.confidence, pressing: m.pressing });
      candidate.confidence += m.confidence;
      byOffset.set(m.offset, candidate);
    }
    if ([...byOffset.values()].some((c) => c.tracks.length >= needed)) break;
  }
  const candidates = [...byOffset.values()].sort((a, b) => b.tracks.length - a.tracks.length || b.confidence - a.confidence || Math.abs(a.offset) - Math.abs(b.offset) || a.offset - b.offset);
  if (listed.length === 0) notes.push('the response lists no track with a confidence above 0: nothing to compare with');
  else if (candidates.length === 0) notes.push(`no offset within ±${maxOffset} samples makes track(s) ${tracksRead.join(', ')} match the response: another pressing, or a damaged disc`);
  else if (candidates[0]!.tracks.length < needed) notes.push(`only ${candidates[0]!.tracks.length} of the ${tracksRead.length} track(s) read match at ${candidates[0]!.offset}`);
  return { candidates, best: candidates[0]?.offset, tracksRead, sectorsRead, maxOffset, notes };
}

/**
 * `count` samples as the drive delivers them (no offset correction) from disc position `first`
 * (LBA × 588 + sample): one plain read; sectors outside the reader's bounds or unreadable are zeros.
 */
async function readSamples(reader: AudioReader, first: number, count: number): Promise<Uint8Array> {
  const out = new Uint32Array(count);
  const firstLba = Math.floor(first / SAMPLES_PER_SECTOR);
  const endLba = Math.ceil((first + count) / SAMPLES_PER_SECTOR);
  const { reads } = await reader.read(firstLba, endLba - firstLba);
  for (const r of reads) {
    const at = r.lba * SAMPLES_PER_SECTOR - first;
    const lo = Math.max(0, -at);
    const hi = Math.min(r.samples.length, count - at);
    if (hi > lo) out.set(r.samples.subarray(lo, hi), at + lo);
  }
  return pcmBytes(out, 0, count);
}

/** The run of consecutive audio tracks holding `track` (from LBA 0 when it starts the disc): reads never cross into data. */
function audioArea(toc: DiscToc, track: TocTrack): { start: number; end: number } {
  const tracks = toc.tracks;
  let lo = tracks.indexOf(track);
  let hi = lo;
  while (lo > 0 && !tracks[lo - 1]!.isData && tracks[lo - 1]!.endLba >= tracks[lo]!.startLba) lo--;
  while (hi < tracks.length - 1 && !tracks[hi + 1]!.isData && tracks[hi]!.endLba >= tracks[hi + 1]!.startLba) hi++;
  return { start: lo === 0 ? Math.min(0, tracks[0]!.startLba) : tracks[lo]!.startLba, end: tracks[hi]!.endLba };
}
