/**
 * What a dump asks the drive before reading: whether it reads each track with READ CD (and the
 * data mode of data tracks, from the sector header), where pregaps start (sub-channel Q), and the
 * MCN and ISRCs. Every question has a fallback: a drive that cannot answer gets a rule, not a crash.
 */

import type { Drive } from '../drive/drive.js';
import type { DiscToc, TocTrack } from '../drive/toc.js';
import { isRefusal, readDiscCodes } from '../drive/disc-codes.js';
import { DiscError, IllegalRequestError, MalformedResponseError, ScsiError, UnsupportedError } from '../errors.js';
import { buildReadToc, parseCdTextPacks, TocFormat } from '../scsi/read-toc.js';
import { decodeQ, deinterleaveQ } from '../cd/subchannel.js';
import type { CueTrackMode } from '../image/cue-sheet.js';
import type { PregapInfo } from './layout.js';

const RAW = 2352;
const SUB = 96;
/** Sectors per READ CD while looking for a pregap's start. */
const Q_CHUNK = 32;
/** Longest pregap searched for (ten minutes); longer ones fall back to the rule. */
const MAX_PREGAP_SCAN = 45_000;
/** ILLEGAL REQUEST codes that mean "not this command / not on this track": invalid opcode, invalid field, incompatible medium, illegal mode. */
const REFUSAL_ASCS = new Set([0x20, 0x24, 0x30, 0x64]);

function modeName(track: TocTrack): string {
  return track.isData ? 'data' : 'audio';
}

/**
 * Reads the first sector of every track with READ CD. UnsupportedError naming the track when the
 * drive refuses the command for it; the data mode (header byte 15) of data tracks that read.
 * Unreadable sectors (a MEDIUM ERROR) leave the mode undecided: the caller looks at the dump.
 */
export async function probeTracks(drive: Drive, toc: DiscToc, signal?: AbortSignal): Promise<Map<number, CueTrackMode>> {
  const modes = new Map<number, CueTrackMode>();
  for (const track of toc.tracks) {
    signal?.throwIfAborted();
    let data: Uint8Array;
    try {
      data = (await drive.readCd(track.startLba, 1, signal ? { signal } : {})).data;
    } catch (error) {
      if (error instanceof IllegalRequestError && error.asc !== undefined && REFUSAL_ASCS.has(error.asc)) {
        throw new UnsupportedError(
          `${drive.path}: the drive refuses READ CD on track ${track.number} (${modeName(track)}, session ${track.session}, LBA ${track.startLba}): ${error.message}; a raw dump needs whole 2352-byte sectors of every track — use another drive, or "discrescue rescue" for the 2048-byte user data of data tracks`,
          { cause: error },
        );
      }
      if (error instanceof DiscError) continue;
      throw error;
    }
    if (track.isData) {
      const mode = sectorMode(data);
      if (mode !== undefined) modes.set(track.number, mode);
    }
  }
  return modes;
}

/** MODE1/2352 or MODE2/2352 from a raw sector's sync and mode byte; undefined for anything else. */
export function sectorMode(sector: Uint8Array): CueTrackMode | undefined {
  if (sector.length < 16 || sector[0] !== 0 || sector[11] !== 0) return undefined;
  for (let i = 1; i < 11; i++) if (sector[i] !== 0xff) return undefined;
  const mode = sector[15];
  return mode === 1 ? 'MODE1/2352' : mode === 2 ? 'MODE2/2352' : undefined;
}

/** Track and index of a sector's ADR 1 Q block, or undefined when the block is another ADR or damaged. */
function qPositionOf(raw: Uint8Array, offset: number): { track: number; index: number } | undefined {
  const q = decodeQ(deinterleaveQ(raw, offset));
  return q.kind === 'position' && q.crcOk && q.fieldsOk ? { track: q.track, index: q.index } : undefined;
}

/** Q positions of `count` sectors from `lba`, per sector undefined where a read failed or Q is not a position. */
async function readQPositions(
  drive: Drive,
  lba: number,
  count: number,
  signal: AbortSignal | undefined,
): Promise<Array<{ track: number; index: number } | undefined>> {
  const read = async (start: number, n: number) =>
    (await drive.readCd(start, n, { subchannel: 'raw', ...(signal ? { signal } : {}) })).data;
  try {
    const data = await read(lba, count);
    return Array.from({ length: count }, (_, i) => qPositionOf(data, i * (RAW + SUB) + RAW));
  } catch (error) {
    if (!(error instanceof ScsiError) || count === 1) throw error;
  }
  // A bad sector or a change of sector type inside the chunk: one sector at a time.
  const out: Array<{ track: number; index: number } | undefined> = [];
  for (let i = 0; i < count; i++) {
    try {
      out.push(qPositionOf(await read(lba + i, 1), RAW));
    } catch (error) {
      if (!(error instanceof ScsiError)) throw error;
      out.push(undefined);
    }
  }
  return out;
}

async function readQTracks(drive: Drive, lba: number, count: number, signal: AbortSignal | undefined): Promise<Array<number | undefined>> {
  return (await readQPositions(drive, lba, count, signal)).map((p) => p?.track);
}

/**
 * The pregap (INDEX 00) of a track that is not the first of its session, from sub-channel Q:
 * scanning back from INDEX 01 to the last sector that still belongs to the previous track.
 * Undefined when the drive gives no usable Q (refused, or no position block in the first chunk),
 * so the caller applies its rule.
 */
export async function findPregap(drive: Drive, toc: DiscToc, trackNumber: number, signal?: AbortSignal): Promise<PregapInfo | undefined> {
  const index = toc.tracks.findIndex((t) => t.number === trackNumber);
  const track = toc.tracks[index];
  const previous = toc.tracks[index - 1];
  if (track === undefined || previous === undefined || previous.session !== track.session) return undefined;
  const lowest = Math.max(previous.startLba + 1, track.startLba - MAX_PREGAP_SCAN);
  let firstOfTrack: number | undefined;
  let sawPosition = false;
  for (let end = track.startLba; end > lowest; ) {
    signal?.throwIfAborted();
    const start = Math.max(lowest, end - Q_CHUNK);
    let tracks: Array<number | undefined>;
    try {
      tracks = await readQTracks(drive, start, end - start, signal);
    } catch (error) {
      if (error instanceof ScsiError && !sawPosition) return undefined;
      throw error;
    }
    for (let i = tracks.length - 1; i >= 0; i--) {
      const number = tracks[i];
      if (number === undefined) continue;
      sawPosition = true;
      if (number === trackNumber) firstOfTrack = start + i;
      else if (number < trackNumber) return { sectors: track.startLba - (firstOfTrack ?? track.startLba), source: 'subchannel' };
    }
    if (!sawPosition) return undefined;
    end = start;
  }
  if (firstOfTrack === undefined) return undefined;
  return { sectors: track.startLba - firstOfTrack, source: 'subchannel' };
}

/** MCN and ISRCs (READ SUB-CHANNEL); undefined where the drive refuses or the disc has none. */
export { readDiscCodes as readCodes };

/** Sectors read per probe while looking for index points (ADR 2/3 blocks and bad sectors are skipped over). */
const INDEX_WINDOW = 8;
/** Bisection steps per index point: 2^40 sectors is more than any disc. */
const MAX_BISECT_STEPS = 40;
const MAX_INDEX = 99;

/**
 * INDEX 02 and later of a track, from sub-channel Q: the index in force near the end of the track
 * says how many there are, and each one's first sector is found by bisection over
 * [startLba, endLba) (`endLba` = where the next track's pregap starts). Indexes are taken to rise
 * monotonically, as Red Book requires. Returns the LBAs of INDEX 02, 03, … in order; empty when
 * the track has none, when the drive gives no usable Q, or when the indexes skip a number. Where a
 * change of index falls on a sector whose Q is not a position block (every 100th sector carries
 * MCN or ISRC instead), the next sector with a position block is taken: at most a few sectors late.
 */
export async function findIndexes(
  drive: Drive,
  track: { number: number; startLba: number; endLba: number },
  signal?: AbortSignal,
): Promise<number[]> {
  const { number, startLba, endLba } = track;
  if (!(endLba - startLba > 1)) return [];
  /** The first sector in [lba, limit) within INDEX_WINDOW whose Q is a position, with its index for this track. */
  const near = async (lba: number, limit: number): Promise<{ lba: number; index: number } | undefined> => {
    signal?.throwIfAborted();
    const n = Math.min(INDEX_WINDOW, limit - lba);
    if (n <= 0) return undefined;
    let positions: Array<{ track: number; index: number } | undefined>;
    try {
      positions = await readQPositions(drive, lba, n, signal);
    } catch (error) {
      if (error instanceof ScsiError) return undefined;
      throw error;
    }
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i];
      if (p === undefined) continue;
      // Past the track (a late pregap): as high as any index; before it: index 0.
      const index = p.track === number ? p.index : p.track > number ? MAX_INDEX + 1 : 0;
      return { lba: lba + i, index };
    }
    return undefined;
  };
  const tail = await near(Math.max(startLba, endLba - INDEX_WINDOW), endLba);
  if (tail === undefined || tail.index <= 1 || tail.index > MAX_INDEX) return [];
  const found: number[] = [];
  let lo = startLba + 1;
  for (let k = 2; k <= tail.index; k++) {
    // First sector in [lo, hi] with index ≥ k; hi is known to have one.
    let hi = tail.lba;
    let hiIndex = tail.index;
    for (let step = 0; lo < hi && step < MAX_BISECT_STEPS; step++) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const probe = await near(mid, hi);
      if (probe === undefined) {
        // No position block in [mid, hi): when that is a short stretch, hi is the answer.
        if (hi - mid <= INDEX_WINDOW) break;
        return found;
      }
      if (probe.index >= k) {
        hi = probe.lba;
        hiIndex = probe.index;
      } else {
        lo = probe.lba + 1;
      }
    }
    if (hiIndex !== k) return found;
    found.push(hi);
    lo = hi + 1;
  }
  return found;
}

/** READ TOC/PMA/ATIP format 0101b: the disc's CD-Text packs (18 bytes each), or undefined when there are none or the drive refuses. */
export async function readCdTextPacks(drive: Drive, signal?: AbortSignal): Promise<Uint8Array | undefined> {
  const options = signal ? { signal } : {};
  try {
    const head = await drive.execute(buildReadToc({ format: TocFormat.CD_TEXT, allocationLength: 4 }), options);
    if (head.length < 2) return undefined;
    const length = ((head[0]! << 8) | head[1]!) + 2;
    if (length <= 4) return undefined;
    const data = await drive.execute(buildReadToc({ format: TocFormat.CD_TEXT, allocationLength: Math.min(length, 0xffff) }), options);
    const { packs } = parseCdTextPacks(data);
    if (packs.length === 0) return undefined;
    const out = new Uint8Array(packs.length * 18);
    packs.forEach((pack, i) => out.set(pack, i * 18));
    return out;
  } catch (error) {
    if (error instanceof MalformedResponseError || isRefusal(error)) return undefined;
    throw error;
  }
}

/**
 * Whether READ CD with C2 pointers and/or raw P-W sub-channel works on this drive: one sector at
 * `lba` asked for both, then each alone when that is refused (ILLEGAL REQUEST). A sector that
 * cannot be read proves nothing: the answer is then "yes" and the dump finds out.
 */
export async function probeSideChannels(
  drive: Drive,
  lba: number,
  wanted: { subchannel: boolean; c2: boolean },
  signal?: AbortSignal,
): Promise<{ subchannel: boolean; c2: boolean }> {
  const works = async (subchannel: boolean, c2: boolean): Promise<boolean> => {
    if (!subchannel && !c2) return true;
    try {
      await drive.readCd(lba, 1, { ...(c2 ? { c2: 294 as const } : {}), ...(subchannel ? { subchannel: 'raw' as const } : {}), ...(signal ? { signal } : {}) });
      return true;
    } catch (error) {
      if (error instanceof IllegalRequestError) return false;
      if (error instanceof DiscError) return true;
      throw error;
    }
  };
  if (await works(wanted.subchannel, wanted.c2)) return { ...wanted };
  return { subchannel: wanted.subchannel && (await works(true, false)), c2: wanted.c2 && (await works(false, true)) };
}
