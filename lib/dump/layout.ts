/**
 * The layout of a raw dump, worked out from the TOC and the pregaps found: which disc sectors are
 * read (the domain), which belong to which track file, and the cue sheet that describes them.
 * Pure functions: no drive, no files.
 *
 * Rules (the CDRWIN/redump conventions the rest of the library reads back, see lib/image/split.ts):
 * - the work image holds the disc from LBA 0 to the last lead-out in 2352-byte sectors; the gaps
 *   between sessions (lead-out, lead-in) are in it as zeros and never read;
 * - a track's file runs from its pregap (INDEX 00) to the next track's pregap or its session's
 *   lead-out; track 1 of session 1 starts at LBA 0 (its 150-sector pregap before LBA 0 is implied
 *   by every cue reader); the first track of a later session keeps its 150-sector pregap in the file.
 */

import { FormatError } from '../errors.js';
import { IntervalMap } from '../rescue/interval-map.js';
import { cueFlagsOfControl, type CueFile, type CueIndex, type CueSheet, type CueTrack, type CueTrackMode } from '../image/cue-sheet.js';
import type { DiscToc } from '../drive/toc.js';

/** Bytes of a raw CD sector. */
export const DUMP_SECTOR_SIZE = 2352;
/** The pregap every session's first track has (Red Book). */
export const SESSION_PREGAP_SECTORS = 150;
/** Session 2 starts this many sectors after session 1's lead-out start, pregap included. */
const SECOND_SESSION_GAP = 11_400;
const LATER_SESSION_GAP = 6_900;
/** Largest pregap believed (a whole track of silence is legal, but not more than ten minutes). */
const MAX_PREGAP_SECTORS = 45_000;

/** Where a track's pregap length came from. */
export type PregapSource = 'subchannel' | 'assumed' | 'session' | 'none';

/** Pregap of one track as found (by sub-channel Q or by rule). */
export interface PregapInfo {
  sectors: number;
  source: PregapSource;
}

/** One track of a dump: its extents on the disc and in its file. */
export interface DumpTrack {
  number: number;
  session: number;
  control: number;
  isData: boolean;
  mode: CueTrackMode;
  /** First sector written to the track's file (its pregap, or LBA 0 for the disc's first track). */
  fileFirstLba: number;
  /** INDEX 01. */
  startLba: number;
  /** First sector after the track's file data. */
  endLba: number;
  pregapSectors: number;
  pregapSource: PregapSource;
  isrc?: string | undefined;
  /** INDEX 02, 03, … (LBAs, from sub-channel Q); empty or absent when the track has none. */
  indexLbas?: number[] | undefined;
}

/** CD-Text a cue sheet carries: the disc's and each track's TITLE, PERFORMER and SONGWRITER. */
export interface DumpCdTextFields {
  title?: string | undefined;
  performer?: string | undefined;
  songwriter?: string | undefined;
}

/** CD-Text of a dump's cue sheet: the `.cdt` file's name and the first block's text. */
export interface DumpCueText {
  /** CDTEXTFILE: the packs file, named relative to the cue sheet. */
  file?: string | undefined;
  disc?: DumpCdTextFields | undefined;
  /** Track number → fields. */
  tracks?: ReadonlyMap<number, DumpCdTextFields> | undefined;
}

/** A session's extent as the dump sees it. */
export interface DumpSession {
  number: number;
  firstTrack: number;
  lastTrack: number;
  /** Where the session's data starts (the first track's file) and its lead-out. */
  firstLba: number;
  leadOutLba: number;
  discType: number | undefined;
}

/**
 * Lead-out of each session. A format-0 TOC gives only the disc's lead-out: an earlier session
 * ends where the next one's first pregap starts less the inter-session gap.
 */
export function sessionLeadOuts(toc: DiscToc): Map<number, number> {
  const out = new Map<number, number>();
  toc.sessions.forEach((session, i) => {
    const next = toc.sessions[i + 1];
    const nextFirst = next?.tracks[0];
    if (toc.source === 'toc' && next !== undefined && nextFirst !== undefined) {
      const gap = next.number === 2 ? SECOND_SESSION_GAP : LATER_SESSION_GAP;
      out.set(session.number, nextFirst.startLba - gap);
    } else {
      out.set(session.number, session.leadOutLba);
    }
  });
  return out;
}

/** Pregap by rule, without sub-channel: 150 sectors where the track type changes within a session. */
export function assumedPregap(toc: DiscToc, trackNumber: number): PregapInfo {
  const index = toc.tracks.findIndex((t) => t.number === trackNumber);
  const track = toc.tracks[index];
  const previous = toc.tracks[index - 1];
  if (track === undefined) throw new RangeError(`Expected track ${trackNumber} to be in the TOC`);
  if (previous === undefined) return { sectors: 0, source: 'none' };
  if (previous.session !== track.session) return { sectors: SESSION_PREGAP_SECTORS, source: 'session' };
  if (previous.isData !== track.isData) return { sectors: Math.min(SESSION_PREGAP_SECTORS, previous.sectorCount - 1), source: 'assumed' };
  return { sectors: 0, source: 'none' };
}

/**
 * The dump's tracks: extents from the TOC, pregaps from `pregaps` (track number → info; missing
 * ones by assumedPregap), modes from `modes` (data tracks; default MODE1/2352). FormatError when
 * the TOC and the pregaps contradict each other (a pregap longer than the track before it).
 */
export function dumpTracks(
  toc: DiscToc,
  pregaps: ReadonlyMap<number, PregapInfo>,
  modes: ReadonlyMap<number, CueTrackMode> = new Map(),
): { tracks: DumpTrack[]; sessions: DumpSession[] } {
  const leadOuts = sessionLeadOuts(toc);
  const tracks: DumpTrack[] = [];
  for (const t of toc.tracks) {
    const pregap = pregaps.get(t.number) ?? assumedPregap(toc, t.number);
    if (!Number.isSafeInteger(pregap.sectors) || pregap.sectors < 0 || pregap.sectors > MAX_PREGAP_SECTORS) {
      throw new FormatError(`track ${t.number}: a pregap of ${pregap.sectors} sectors is not believable`);
    }
    const first = tracks.length === 0;
    // Track 1's pregap lies before LBA 0; a hidden track (INDEX 01 after LBA 0) stays in its file.
    const fileFirstLba = first ? 0 : t.startLba - pregap.sectors;
    const mode: CueTrackMode = t.isData ? (modes.get(t.number) ?? 'MODE1/2352') : 'AUDIO';
    tracks.push({
      number: t.number,
      session: t.session,
      control: t.control,
      isData: t.isData,
      mode,
      fileFirstLba,
      startLba: t.startLba,
      endLba: leadOuts.get(t.session) ?? t.endLba,
      pregapSectors: first ? t.startLba - fileFirstLba : pregap.sectors,
      pregapSource: first ? (t.startLba > 0 ? 'session' : 'none') : pregap.source,
    });
  }
  // A track's file ends where the next track's file begins, or at its session's lead-out.
  for (let i = 0; i < tracks.length; i++) {
    const track = tracks[i] as DumpTrack;
    const next = tracks[i + 1];
    if (next !== undefined && next.session === track.session) track.endLba = next.fileFirstLba;
    if (track.endLba <= track.startLba || track.fileFirstLba < 0 || (i > 0 && track.fileFirstLba < (tracks[i - 1] as DumpTrack).endLba)) {
      throw new FormatError(`track ${track.number}: the TOC and the pregaps found do not fit (file LBA ${track.fileFirstLba}, start ${track.startLba}, end ${track.endLba})`);
    }
  }
  const sessions: DumpSession[] = toc.sessions.map((s) => {
    const own = tracks.filter((t) => t.session === s.number);
    return {
      number: s.number,
      firstTrack: s.firstTrack,
      lastTrack: s.lastTrack,
      firstLba: own[0]?.fileFirstLba ?? 0,
      leadOutLba: leadOuts.get(s.number) ?? s.leadOutLba,
      discType: s.discType,
    };
  });
  return { tracks, sessions };
}

/** The sectors that are read: every track's file extent, in bytes of the work image from LBA 0. */
export function dumpDomain(tracks: readonly DumpTrack[], discSectors: number): IntervalMap {
  const domain = new IntervalMap(discSectors * DUMP_SECTOR_SIZE, '?');
  for (const t of tracks) {
    const end = Math.min(t.endLba, discSectors);
    if (end > t.fileFirstLba) domain.set(t.fileFirstLba * DUMP_SECTOR_SIZE, (end - t.fileFirstLba) * DUMP_SECTOR_SIZE, '+');
  }
  return domain;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** The BIN name of a track: `<base> (Track NN).bin`, or `<base>.bin` for a single-BIN dump. */
export function binName(base: string, trackNumber: number | undefined): string {
  return trackNumber === undefined ? `${base}.bin` : `${base} (Track ${pad2(trackNumber)}).bin`;
}

/**
 * The cue sheet of a dump: one FILE per track or one for all, `REM SESSION` from the tracks'
 * sessions when there are several (formatCue writes them), FLAGS from CONTROL, ISRC, CATALOG.
 */
export function dumpCueSheet(
  tracks: readonly DumpTrack[],
  options: { base: string; singleBin: boolean; catalog?: string | undefined; cdText?: DumpCueText | undefined },
): CueSheet {
  const files: CueFile[] = [];
  const cueTracks: CueTrack[] = [];
  let fileFrames = 0;
  for (const track of tracks) {
    if (!options.singleBin || files.length === 0) {
      files.push({ name: binName(options.base, options.singleBin ? undefined : track.number), type: 'BINARY' });
      fileFrames = 0;
    }
    const fileIndex = files.length - 1;
    const indexes: CueIndex[] = [];
    if (track.fileFirstLba < track.startLba) indexes.push({ number: 0, fileIndex, offsetFrames: fileFrames });
    indexes.push({ number: 1, fileIndex, offsetFrames: fileFrames + track.startLba - track.fileFirstLba });
    let previous = track.startLba;
    for (const lba of track.indexLbas ?? []) {
      // Only rising points inside the track's file: a cue sheet cannot say anything else.
      if (!Number.isSafeInteger(lba) || lba <= previous || lba >= track.endLba || indexes.length > 99) break;
      indexes.push({ number: indexes[indexes.length - 1]!.number + 1, fileIndex, offsetFrames: fileFrames + lba - track.fileFirstLba });
      previous = lba;
    }
    cueTracks.push({
      number: track.number,
      session: track.session,
      fileIndex,
      mode: track.mode,
      flags: cueFlagsOfControl(track.control),
      isrc: track.isrc,
      ...cueTextFields(options.cdText?.tracks?.get(track.number)),
      cdText: [],
      pregapFrames: 0,
      postgapFrames: 0,
      indexes,
      remsBefore: [],
      rems: [],
      remsAfter: [],
    });
    fileFrames += track.endLba - track.fileFirstLba;
  }
  return {
    rems: [],
    catalog: options.catalog,
    ...(options.cdText?.file === undefined ? {} : { cdTextFile: options.cdText.file }),
    ...cueTextFields(options.cdText?.disc),
    cdText: [],
    files,
    tracks: cueTracks,
  };
}

/**
 * A CD-Text string as a cue sheet can quote it: control characters dropped, double quotes turned
 * into single ones (a cue value cannot contain them); empty strings left out. The `.cdt` file
 * keeps the exact bytes.
 */
export function cueTextValue(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const value = text.replace(/[\u0000-\u001f\u007f]/gu, '').replace(/"/gu, "'").trim();
  return value === '' ? undefined : value;
}

function cueTextFields(fields: DumpCdTextFields | undefined): Pick<CueTrack, 'title' | 'performer' | 'songwriter'> {
  const out: Pick<CueTrack, 'title' | 'performer' | 'songwriter'> = {};
  const title = cueTextValue(fields?.title);
  const performer = cueTextValue(fields?.performer);
  const songwriter = cueTextValue(fields?.songwriter);
  if (title !== undefined) out.title = title;
  if (performer !== undefined) out.performer = performer;
  if (songwriter !== undefined) out.songwriter = songwriter;
  return out;
}
