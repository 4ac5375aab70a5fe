/**
 * Checksum hooks for ripAudio(): the AccurateRip v1/v2 (and frame-450) CRCs of every track,
 * compared with a response file the user downloaded when one is given, and the EAC-style CRC-32
 * with and without null samples. A hook's `matched` decides a track's status (see types.ts):
 * AccurateRip turns a rip "accurate" when the database holds the rip's CRC, and a "mismatch" when
 * the database knows the track but not this CRC.
 */

import { FormatError } from '../../errors.js';
import type { DiscToc } from '../../drive/toc.js';
import {
  AccurateRipAccumulator,
  accurateRipEntries,
  formatAccurateRipId,
  type AccurateRipDiscIds,
  type AccurateRipResponseChunk,
} from '../accuraterip.js';
import { Crc32Accumulator, formatCrc } from '../checksums.js';
import type { ChecksumHook, ChecksumResult, RipTrackInfo } from './types.js';

/** Name of the AccurateRip hook's results in a rip's `checksums`. */
export const ACCURATERIP_HOOK_NAME = 'AccurateRip';
/** Name of the CRC-32 hook's results. */
export const CRC32_HOOK_NAME = 'CRC32';

/** What the AccurateRip hook reports per track, beyond value/matched/detail. */
export interface AccurateRipChecksumResult extends ChecksumResult {
  /** The rip's CRCs as 8 upper-case hex digits; undefined for a hidden track (not counted). */
  v1: string | undefined;
  v2: string | undefined;
  /** CRC of the track's sector 450 (offset detection); undefined for tracks of 450 sectors or less. */
  frame450: string | undefined;
  /** Which CRC the database holds ('none': the database knows the track, not this rip); undefined when not compared. */
  version: 'v1' | 'v2' | 'none' | undefined;
  /** Submissions agreeing with the rip, and submissions for the track in the whole response. */
  confidence: number | undefined;
  totalConfidence: number | undefined;
  /** Chunk of the response (pressing) that matched, 1-based. */
  pressing: number | undefined;
}

/** What the CRC-32 hook reports per track. */
export interface Crc32ChecksumResult extends ChecksumResult {
  crc32: string;
  crc32WithoutNulls: string;
}

/** Options of {@link accurateRipHook}. */
export interface AccurateRipHookOptions {
  /** The disc's AccurateRip ids, from its TOC (accurateRipDiscIds / computeDiscIds). */
  discIds: AccurateRipDiscIds;
  /**
   * The drive's TOC. With it, tracks are numbered among the audio tracks as AccurateRip numbers
   * them (a data track first shifts them), and a track whose output is not exactly its TOC extent
   * (gaps kept with their track) is not compared. Without it, track n is audio track n.
   */
  toc?: Pick<DiscToc, 'tracks'> | undefined;
}

/**
 * Checks that a parsed response is for the disc whose ids are given: every chunk's header must
 * carry the same track count and ids. FormatError otherwise, naming both.
 */
export function checkAccurateRipResponse(response: readonly AccurateRipResponseChunk[], discIds: AccurateRipDiscIds, file?: string): void {
  const expected = formatAccurateRipId(discIds);
  for (const [i, chunk] of response.entries()) {
    const got = formatAccurateRipId(chunk);
    if (got !== expected) {
      throw new FormatError(`the AccurateRip response is for disc ${got} (chunk ${i + 1}), not for this disc, ${expected}`, file === undefined ? {} : { file });
    }
  }
}

/**
 * The AccurateRip hook. Without a response every track gets its v1/v2 values and `matched`
 * undefined. With one (already parsed; checked here against `discIds`, FormatError when it is for
 * another disc), a track the database lists is matched when its v2 or v1 CRC is there (v2
 * preferred), with the confidence in `detail`, and mismatched otherwise; a track the database does
 * not list (no entry with confidence above 0) stays undefined. A hidden track before track 1 is
 * not an AccurateRip track: it is not fed and never compared.
 */
export function accurateRipHook(response: readonly AccurateRipResponseChunk[] | undefined, options: AccurateRipHookOptions): ChecksumHook {
  if (response !== undefined) {
    if (response.length === 0) throw new FormatError('the AccurateRip response holds no chunk');
    checkAccurateRipResponse(response, options.discIds);
  }
  const audio = options.toc?.tracks.filter((t) => !t.isData);
  return {
    name: ACCURATERIP_HOOK_NAME,
    start(track: RipTrackInfo) {
      if (track.number === 0) return skipped('not an AccurateRip track (hidden track before track 1)');
      let index = track.number;
      let outsideExtent = false;
      if (audio) {
        index = audio.findIndex((t) => t.number === track.number) + 1;
        const own = audio[index - 1];
        outsideExtent = own === undefined || own.startLba !== track.startLba || own.endLba !== track.endLba;
      }
      const accumulator = new AccurateRipAccumulator(track.sampleCount, { isFirstTrack: track.isFirst, isLastTrack: track.isLast });
      return {
        update(pcm) {
          accumulator.update(pcm);
        },
        finish() {
          const crcs = accumulator.digest();
          const v1 = formatCrc(crcs.v1);
          const v2 = formatCrc(crcs.v2);
          const frame450 = crcs.frame450 === undefined ? undefined : formatCrc(crcs.frame450);
          const value = `v1 ${v1}, v2 ${v2}`;
          const base = { value, v1, v2, frame450, version: undefined, confidence: undefined, totalConfidence: undefined, pressing: undefined };
          if (response === undefined) return { ...base, detail: 'not checked — no response file' } satisfies AccurateRipChecksumResult;
          if (outsideExtent || index < 1 || index > options.discIds.audioTracks) {
            return { ...base, detail: 'not checked — the output is not the track as AccurateRip counts it (gaps must be appended)' } satisfies AccurateRipChecksumResult;
          }
          const entries = accurateRipEntries(response, index);
          const total = entries.reduce((sum, e) => sum + e.confidence, 0);
          if (entries.length === 0) return { ...base, totalConfidence: 0, detail: 'not in the database' } satisfies AccurateRipChecksumResult;
          for (const [version, crc] of [['v2', crcs.v2], ['v1', crcs.v1]] as const) {
            const hits = entries.filter((e) => e.crc === crc);
            if (hits.length === 0) continue;
            const confidence = hits.reduce((sum, e) => sum + e.confidence, 0);
            return {
              ...base,
              matched: true,
              version,
              confidence,
              totalConfidence: total,
              pressing: hits[0]!.pressing,
              detail: `AccurateRip ${version}, confidence ${confidence} (of ${total})`,
            } satisfies AccurateRipChecksumResult;
          }
          const listed = entries.map((e) => formatCrc(e.crc)).slice(0, 8);
          return {
            ...base,
            matched: false,
            version: 'none',
            confidence: 0,
            totalConfidence: total,
            detail: `no match: the database holds ${listed.join(', ')}${entries.length > listed.length ? ', …' : ''} (total confidence ${total})`,
          } satisfies AccurateRipChecksumResult;
        },
      };
    },
  };
}

function skipped(detail: string) {
  const result: AccurateRipChecksumResult = { value: 'n/a', detail, v1: undefined, v2: undefined, frame450: undefined, version: undefined, confidence: undefined, totalConfidence: undefined, pressing: undefined };
  return {
    update(): void {},
    finish: (): AccurateRipChecksumResult => ({ ...result }),
  };
}

/**
 * The EAC-style CRC-32 of every track's PCM, with and without null samples (EAC's test and copy
 * CRCs are one of the two, by its settings). Nothing to compare with: `matched` stays undefined.
 */
export function crc32Hook(): ChecksumHook {
  return {
    name: CRC32_HOOK_NAME,
    start() {
      const accumulator = new Crc32Accumulator();
      return {
        update(pcm) {
          accumulator.update(pcm);
        },
        finish() {
          const d = accumulator.digest();
          const crc32 = formatCrc(d.crc32);
          const crc32WithoutNulls = formatCrc(d.crc32WithoutNulls);
          return { value: crc32, detail: `without null samples ${crc32WithoutNulls}`, crc32, crc32WithoutNulls } satisfies Crc32ChecksumResult;
        },
      };
    },
  };
}
