/**
 * The CUE sheet model: a format-neutral description of a CD layout as CDRWIN cue sheets express it
 * (files, sessions, tracks, indexes, gaps, flags, ISRC, MCN, CD-Text fields, REM lines). `parseCue`
 * builds it, `formatCue` writes it, `cdrdaoTocToCue` converts a cdrdao TOC into it.
 *
 * Positions are frame counts (1/75 s, MMC-FACTS §3.1) relative to the start of the file an index
 * lies in; they become disc addresses only once file lengths are known. `line` fields record where
 * an item was read (1-based) for error messages; they are optional and never written back.
 */

import { CONTROL_DATA, controlFlags } from '../cd/constants.js';

/** FILE types (CDRWIN): BINARY is little-endian raw data, MOTOROLA big-endian raw data. */
export const CUE_FILE_TYPES = ['BINARY', 'MOTOROLA', 'AIFF', 'WAVE', 'MP3'] as const;
export type CueFileType = (typeof CUE_FILE_TYPES)[number];

/** TRACK datatypes (CDRWIN). */
export const CUE_TRACK_MODES = [
  'AUDIO',
  'CDG',
  'MODE1/2048',
  'MODE1/2352',
  'MODE2/2336',
  'MODE2/2352',
  'CDI/2336',
  'CDI/2352',
] as const;
export type CueTrackMode = (typeof CUE_TRACK_MODES)[number];

/**
 * Bytes each sector of a track occupies in a BINARY/MOTOROLA file (CDRWIN; MMC-FACTS §3.5): CDG is
 * 2352 bytes of audio plus 96 bytes of R-W sub-channel.
 */
export const CUE_SECTOR_SIZE: Readonly<Record<CueTrackMode, number>> = {
  AUDIO: 2352,
  CDG: 2448,
  'MODE1/2048': 2048,
  'MODE1/2352': 2352,
  'MODE2/2336': 2336,
  'MODE2/2352': 2352,
  'CDI/2336': 2336,
  'CDI/2352': 2352,
};

/**
 * CD-Text commands beyond CDRWIN's TITLE/PERFORMER/SONGWRITER that cue readers such as libburn and
 * cdrecord accept (pack types 0x83-0x8F, MMC-FACTS §3.10). Kept and written back verbatim.
 */
export const CUE_CD_TEXT_EXTENSIONS = [
  'ARRANGER',
  'COMPOSER',
  'DISC_ID',
  'GENRE',
  'MESSAGE',
  'TOC_INFO1',
  'TOC_INFO2',
  'UPC_EAN',
  'SIZE_INFO',
] as const;
export type CueCdTextExtension = (typeof CUE_CD_TEXT_EXTENSIONS)[number];

/** A CD-Text extension command and its (unquoted) value. */
export interface CueCdTextField {
  keyword: CueCdTextExtension;
  value: string;
  line?: number | undefined;
}

/** FLAGS (CDRWIN): the Q sub-channel CONTROL bits of a track, plus SCMS. */
export interface CueFlags {
  /** DCP: digital copy permitted. */
  dcp: boolean;
  /** 4CH: four-channel audio. */
  fourChannel: boolean;
  /** PRE: pre-emphasis. */
  preEmphasis: boolean;
  /** SCMS: serial copy management system. */
  scms: boolean;
}

/**
 * A REM line: `REM <keyword> <value>`. `keyword` is the first word as written (compare it
 * case-insensitively), `value` the rest of the line as written, quotes included. `REM SESSION nn`
 * is not kept as a REM: it sets `CueTrack.session`.
 */
export interface CueRem {
  keyword: string;
  value: string;
  line?: number | undefined;
}

/** A FILE command. */
export interface CueFile {
  name: string;
  type: CueFileType;
  line?: number | undefined;
}

/** An INDEX point: number 0-99 at `offsetFrames` into `files[fileIndex]`. */
export interface CueIndex {
  number: number;
  fileIndex: number;
  offsetFrames: number;
  line?: number | undefined;
}

/** A TRACK and everything that belongs to it. */
export interface CueTrack {
  /** 1-99; consecutive, the first may be above 1 (CDRWIN). */
  number: number;
  /** Session number from `REM SESSION nn` (1 when the sheet has none). */
  session: number;
  /** The FILE in effect at the TRACK line. */
  fileIndex: number;
  mode: CueTrackMode;
  flags: CueFlags;
  /** 12 characters, CCOOOYYSSSSS. */
  isrc?: string | undefined;
  title?: string | undefined;
  performer?: string | undefined;
  songwriter?: string | undefined;
  cdText: CueCdTextField[];
  /** PREGAP: silence generated before INDEX 01, not read from a file (0 = none). */
  pregapFrames: number;
  /** POSTGAP: silence generated after the track's data (0 = none). */
  postgapFrames: number;
  /** Ascending numbers; INDEX 01 always present, INDEX 00 optional and first. */
  indexes: CueIndex[];
  /** REM lines between this track's `REM SESSION` line and its TRACK line (e.g. `REM LEAD-IN`). */
  remsBefore: CueRem[];
  /** REM lines after the TRACK line and before its first INDEX. */
  rems: CueRem[];
  /** REM lines after the first INDEX and before the next track (e.g. `REM LEAD-OUT`). */
  remsAfter: CueRem[];
  line?: number | undefined;
}

/** A whole cue sheet. */
export interface CueSheet {
  /** Name used in error messages (not written). */
  fileName?: string | undefined;
  /** Disc-level REM lines before the first TRACK (GENRE, DATE, DISCID, COMMENT, …). */
  rems: CueRem[];
  /** CATALOG: the 13-digit Media Catalog Number (UPC/EAN). */
  catalog?: string | undefined;
  cdTextFile?: string | undefined;
  title?: string | undefined;
  performer?: string | undefined;
  songwriter?: string | undefined;
  cdText: CueCdTextField[];
  files: CueFile[];
  tracks: CueTrack[];
}

/** Flags with every bit clear. */
export function noCueFlags(): CueFlags {
  return { dcp: false, fourChannel: false, preEmphasis: false, scms: false };
}

/** A track's FLAGS from its TOC CONTROL nibble (PRE only on audio tracks). */
export function cueFlagsOfControl(control: number): CueFlags {
  const flags = controlFlags(control);
  return { dcp: flags.copyPermitted, fourChannel: flags.fourChannel, preEmphasis: flags.preEmphasis && (control & CONTROL_DATA) === 0, scms: false };
}

/** The first REM with this keyword (case-insensitive), e.g. `findCueRem(sheet.rems, 'GENRE')`. */
export function findCueRem(rems: readonly CueRem[], keyword: string): CueRem | undefined {
  const wanted = keyword.toUpperCase();
  return rems.find((rem) => rem.keyword.toUpperCase() === wanted);
}
