/**
 * What a dump asks the drive before reading: whether it reads each track with READ CD (and the
 * data mode of data tracks, from the sector header), where pregaps start (sub-channel Q), and the
 * MCN and ISRCs. Every question has a fallback: a drive that cannot answer gets a rule, not a crash.
 */

import type { Drive } from '../drive/drive.js';
import type { DiscToc, TocTrack } from '../drive/toc.js';
import { DiscError, IllegalRequestError, ScsiError, UnsupportedError } from '../errors.js';
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

/** Track number of a sector's ADR 1 Q block, or undefined when the block is another ADR or damaged. */
function qTrack(raw: Uint8Array, offset: number): number | undefined {
  const q = decodeQ(deinterleaveQ(raw, offset));
  return q.kind === 'position' && q.crcOk && q.fieldsOk ? q.track : undefined;
}

/** Raw sub-channel of `count` sectors from `lba`, or per sector undefined where a read failed. */
async function readQTracks(drive: Drive, lba: number, count: number, signal: AbortSignal | undefined): Promise<Array<number | undefined>> {
  const read = async (start: number, n: number) =>
    (await drive.readCd(start, n, { subchannel: 'raw', ...(signal ? { signal } : {}) })).data;
  try {
    const data = await read(lba, count);
    return Array.from({ length: count }, (_, i) => qTrack(data, i * (RAW + SUB) + RAW));
  } catch (error) {
    if (!(error instanceof ScsiError) || count === 1) throw error;
  }
  // A bad sector or a change of sector type inside the chunk: one sector at a time.
  const out: Array<number | undefined> = [];
  for (let i = 0; i < count; i++) {
    try {
      out.push(qTrack(await read(lba + i, 1), RAW));
    } catch (error) {
      if (!(error instanceof ScsiError)) throw error;
      out.push(undefined);
    }
  }
  return out;
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
export async function readCodes(drive: Drive, toc: DiscToc, signal?: AbortSignal): Promise<{ mcn: string | undefined; isrcs: Map<number, string> }> {
  const options = signal ? { signal } : {};
  const quiet = async <T>(run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof DiscError && !(error instanceof ScsiError && error.senseKey === 0x06)) return undefined;
      throw error;
    }
  };
  const mcn = await quiet(() => drive.mcn(options));
  const isrcs = new Map<number, string>();
  for (const track of toc.tracks) {
    if (track.isData) continue;
    const isrc = await quiet(() => drive.isrc(track.number, options));
    if (isrc !== undefined && /^[0-9A-Z]{5}[0-9]{7}$/u.test(isrc)) isrcs.set(track.number, isrc);
  }
  return { mcn: mcn !== undefined && /^\d{13}$/u.test(mcn) && mcn !== '0000000000000' ? mcn : undefined, isrcs };
}
