/**
 * Disc models built from a short description: the one place that turns tracks, pregaps and
 * sessions into LBAs (MMC-FACTS §3.4) and assembles raw sectors around their content.
 *
 * Content is recognizable by default: data sectors are complete (sync, header, XA subheaders, EDC
 * and ECC computed with lib/cd); audio samples encode their own position, so a read offset or
 * jitter shows as a shifted sample number. A track may instead take its bytes from a
 * `TrackContent` provider: that is how the file-backed models (ISO, CUE/BIN, cdrdao TOC) reuse
 * this layout.
 */

import { computeEcc, encodeSectorHeader, hasSyncPattern, storeSectorEdc, writeSyncPattern } from '../cd/index.js';
import { checkInteger } from '../scsi/bytes.js';
import type { DiscModel, MediaKind, ModelIndex, ModelSession, ModelTrack, SectorKind, TrackMode } from './disc-model.js';
import { trackAt } from './disc-model.js';

/**
 * How a `TrackContent` provider filled a sector:
 * - `'raw'`: all 2352 bytes as recorded (data: sync, header and EDC/ECC come from the provider and
 *   are not recomputed; the kind is read from the header). On DVD/BD: the 2048-byte block.
 * - `'mode2-body'`: bytes 16-2351 of a Mode 2 sector (XA subheaders and EDC/ECC included, as in a
 *   2336-byte image); sync and header are added, nothing is recomputed.
 * - `'user'`: the user data is in `userData` (2048 Mode 1 / Form 1, 2324 Form 2, 2336 formless,
 *   2352 audio); sync, header, subheaders, EDC and ECC are built around it.
 * - `'absent'`: not in the image (a PREGAP, POSTGAP, track 1's first 150 sectors): zero user data
 *   in a complete data sector, or digital silence.
 */
export type ContentFill = 'raw' | 'mode2-body' | 'user' | 'absent';

/** Supplies a track's bytes instead of the synthetic pattern. */
export interface TrackContent {
  /**
   * Fills sector `lba`, the `sectorIndex`-th of the track counting from its first pregap sector.
   * `sector` is zeroed (2352 bytes on CD, 2048 on DVD/BD); `userData` is the view of `sector` where
   * this sector's user data belongs. Called synchronously on every read.
   */
  fill(lba: number, sectorIndex: number, sector: Uint8Array, userData: Uint8Array): ContentFill;
}

/** One track of a `createSyntheticDisc` description. */
export interface SyntheticTrackSpec {
  mode: TrackMode;
  /** Sectors from index 1 to the end of the track. */
  sectors: number;
  /**
   * Pregap (index 0) sectors. Default 150 for the first track of a session, else 0. The first
   * 150 of a session's first track lie before the session start (LBA −150..−1 on session 1); more
   * than 150 move index 1 later — on session 1 that is a hidden track (HTOA) from LBA 0.
   */
  pregap?: number;
  /** Default 1. Sessions must be ascending. */
  session?: number;
  /** CONTROL nibble. Default 0x4 for data tracks, 0x0 for audio. */
  control?: number;
  isrc?: string;
  /** Further index points (2, 3, …), as sector offsets from index 1. */
  indexOffsets?: number[];
  /** For 'mode2-xa' tracks: which LBAs hold Form 2 sectors. Default none. */
  form2?: (lba: number) => boolean;
  /** Where the bytes come from; default the synthetic pattern. */
  content?: TrackContent;
}

/** What `createSyntheticDisc` builds: tracks in disc order, and disc-wide facts. */
export interface SyntheticDiscSpec {
  /** Default 'cd'. DVD and BD discs take one data track (its `sectors`). */
  kind?: MediaKind;
  tracks: SyntheticTrackSpec[];
  /** Number of the first track (1-99, default 1); the others follow consecutively. */
  firstTrackNumber?: number;
  mcn?: string;
  cdTextPacks?: Uint8Array;
  /** A0 PSEC per session number. Default 0x20 (CD-ROM XA) for sessions with Mode 2 tracks, else 0x00. */
  discTypes?: Record<number, number>;
  /** Compute EDC and ECC of data sectors (default true); false leaves them zero (faster). */
  edcEcc?: boolean;
  /** Called on each assembled sector, after EDC/ECC: to plant damage or custom content. */
  finishSector?: (lba: number, kind: SectorKind, sector: Uint8Array) => void;
}

/** First sector of session 2 is 11 400 sectors after session 1's lead-out, later ones 6900 (MMC-FACTS §3.4). */
const SECOND_SESSION_GAP = 11_400;
const LATER_SESSION_GAP = 6_900;
/** The pregap every session's first track has (MMC-FACTS §3.1). */
const SESSION_PREGAP = 150;
/** XA subheader submode bits: data (Form 1), Form 2. */
const SUBMODE_DATA = 0x08;
const SUBMODE_FORM2 = 0x20;
/** Where user data lies in the raw sector, per kind (MMC-FACTS §3.5). */
const USER_LAYOUT: Readonly<Record<SectorKind, readonly [offset: number, size: number]>> = {
  audio: [0, 2352],
  mode0: [16, 2336],
  mode1: [16, 2048],
  'mode2-formless': [16, 2336],
  'mode2-form1': [24, 2048],
  'mode2-form2': [24, 2324],
};

/**
 * The user-data byte at `offset` of a synthetic data sector: bytes 0-3 are the LBA (BE32), 4-7 its
 * complement, then (LBA × 7 + offset) & 0xFF.
 */
export function syntheticUserByte(lba: number, offset: number): number {
  if (offset < 4) return (lba >>> (8 * (3 - offset))) & 0xff;
  if (offset < 8) return (~lba >>> (8 * (7 - offset))) & 0xff;
  return (lba * 7 + offset) & 0xff;
}

/** `length` bytes of synthetic user data for `lba`. */
export function syntheticUserData(lba: number, length = 2048): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = syntheticUserByte(lba, i);
  return out;
}

/**
 * The 32-bit little-endian stereo sample (L | R << 16) at absolute sample index `n` (= LBA × 588 +
 * sample in sector) of a synthetic audio track: n + 1, so silence (0) marks the track-1 pregap.
 */
export function syntheticAudioSample(n: number): number {
  return n < 0 ? 0 : (n + 1) >>> 0;
}

/** Per-track extras the layout keeps beside the ModelTrack. */
interface TrackExtras {
  form2: ((lba: number) => boolean) | undefined;
  content: TrackContent | undefined;
}

/** Builds a DiscModel from a description; throws TypeError/RangeError naming the bad field. */
export function createSyntheticDisc(spec: SyntheticDiscSpec): DiscModel {
  if (typeof spec !== 'object' || spec === null) throw new TypeError('Expected "spec" to be an object');
  const kind = spec.kind ?? 'cd';
  if (kind !== 'cd' && kind !== 'dvd' && kind !== 'bd') throw new RangeError(`Expected "kind" to be 'cd', 'dvd' or 'bd', got ${JSON.stringify(kind)}`);
  if (!Array.isArray(spec.tracks) || spec.tracks.length === 0) throw new RangeError('Expected "tracks" to list at least one track');
  if (spec.mcn !== undefined && !/^[0-9]{13}$/u.test(spec.mcn)) throw new RangeError(`Expected "mcn" to be 13 digits, got ${JSON.stringify(spec.mcn)}`);
  if (kind !== 'cd') return blockDisc(kind, spec);

  const { tracks, sessions, extras } = layoutCd(spec);
  const finish = spec.finishSector;
  const edcEcc = spec.edcEcc ?? true;
  const model: DiscModel = {
    kind: 'cd',
    mcn: spec.mcn,
    sessions,
    tracks,
    cdTextPacks: spec.cdTextPacks,
    readSector(lba: number, out: Uint8Array): SectorKind | undefined {
      const track = trackAt(model, lba);
      if (!track) return undefined;
      const extra = extras.get(track.number);
      const { kind: sectorKind, protect } = writeCdSector(track, lba, out, extra?.form2, extra?.content);
      if (edcEcc && protect) protectSector(sectorKind, out);
      finish?.(lba, sectorKind, out);
      return sectorKind;
    },
  };
  return model;
}

/** LBAs of every track and session; the rules of MMC-FACTS §3.4 live here and only here. */
function layoutCd(spec: SyntheticDiscSpec): { tracks: ModelTrack[]; sessions: ModelSession[]; extras: Map<number, TrackExtras> } {
  const tracks: ModelTrack[] = [];
  const sessions: ModelSession[] = [];
  const extras = new Map<number, TrackExtras>();
  const firstNumber = checkInteger('firstTrackNumber', spec.firstTrackNumber ?? 1, 1, 99);
  if (firstNumber + spec.tracks.length - 1 > 99) throw new RangeError(`Expected at most ${100 - firstNumber} tracks after track ${firstNumber}, got ${spec.tracks.length}`);
  let cursor = 0;
  let sessionNumber = 0;
  spec.tracks.forEach((t, i) => {
    const name = `tracks[${i}]`;
    const number = firstNumber + i;
    const session = checkInteger(`${name}.session`, t.session ?? 1, 1, 99);
    const sectors = checkInteger(`${name}.sectors`, t.sectors, 1, 450_000);
    const mode = checkMode(`${name}.mode`, t.mode);
    const newSession = session !== sessionNumber;
    if (newSession && session !== sessionNumber + 1) throw new RangeError(`Expected "${name}.session" to be ${sessionNumber + 1}, got ${session}`);
    const pregap = checkInteger(`${name}.pregap`, t.pregap ?? (newSession ? SESSION_PREGAP : 0), 0, 45_000);
    let startLba: number;
    if (!newSession) startLba = cursor + pregap;
    else {
      // Index 1 of a session's first track: the session start, later by any pregap beyond 150.
      const previous = sessions[sessions.length - 1];
      const sessionStart = session === 1 ? 0 : (previous?.leadOutLba ?? 0) + (session === 2 ? SECOND_SESSION_GAP : LATER_SESSION_GAP);
      startLba = sessionStart + Math.max(0, pregap - SESSION_PREGAP);
    }
    if (newSession) {
      sessionNumber = session;
      sessions.push({ number: session, firstTrack: number, lastTrack: number, discType: 0, leadOutLba: 0 });
    }
    const indexes: ModelIndex[] = [];
    if (pregap > 0) indexes.push({ number: 0, lba: startLba - pregap });
    indexes.push({ number: 1, lba: startLba });
    let previousOffset = 0;
    (t.indexOffsets ?? []).forEach((offset, k) => {
      const checked = checkInteger(`${name}.indexOffsets[${k}]`, offset, previousOffset + 1, sectors - 1);
      indexes.push({ number: k + 2, lba: startLba + checked });
      previousOffset = checked;
    });
    const control = checkInteger(`${name}.control`, t.control ?? (mode === 'audio' ? 0x0 : 0x4), 0, 15);
    if ((mode === 'audio') !== ((control & 0x4) === 0)) throw new RangeError(`Expected "${name}.control" bit 2 (data) to match mode ${mode}`);
    if (t.isrc !== undefined && !/^[A-Z0-9]{5}[0-9]{7}$/u.test(t.isrc)) throw new RangeError(`Expected "${name}.isrc" to be an ISRC (CCOOOYYSSSSS), got ${JSON.stringify(t.isrc)}`);
    if (t.content !== undefined && typeof t.content?.fill !== 'function') throw new TypeError(`Expected "${name}.content" to have a fill() method`);
    const track: ModelTrack = {
      number,
      session,
      mode,
      control,
      pregapLba: startLba - pregap,
      startLba,
      endLba: startLba + sectors,
      indexes,
      isrc: t.isrc,
    };
    tracks.push(track);
    extras.set(number, { form2: t.form2, content: t.content });
    cursor = track.endLba;
    const current = sessions[sessions.length - 1];
    if (current) {
      current.lastTrack = track.number;
      current.leadOutLba = track.endLba;
    }
  });
  for (const s of sessions) {
    const explicit = spec.discTypes?.[s.number];
    const hasMode2 = tracks.some((t) => t.session === s.number && t.mode.startsWith('mode2'));
    s.discType = explicit === undefined ? (hasMode2 ? 0x20 : 0x00) : checkInteger(`discTypes[${s.number}]`, explicit, 0, 0xff);
  }
  return { tracks, sessions, extras };
}

function checkMode(name: string, mode: unknown): TrackMode {
  if (mode === 'audio' || mode === 'mode1' || mode === 'mode2-formless' || mode === 'mode2-xa') return mode;
  throw new RangeError(`Expected "${name}" to be 'audio', 'mode1', 'mode2-formless' or 'mode2-xa', got ${JSON.stringify(mode)}`);
}

/** The kind a sector of `track` has unless its bytes say otherwise. */
function plannedKind(track: ModelTrack, lba: number, form2: ((lba: number) => boolean) | undefined): SectorKind {
  switch (track.mode) {
    case 'audio':
      return 'audio';
    case 'mode1':
      return 'mode1';
    case 'mode2-formless':
      return 'mode2-formless';
    case 'mode2-xa':
      return (form2?.(lba) ?? false) ? 'mode2-form2' : 'mode2-form1';
  }
}

/** Assembles sector `lba`; `protect` says whether EDC/ECC are still to be computed. */
function writeCdSector(
  track: ModelTrack,
  lba: number,
  out: Uint8Array,
  form2: ((lba: number) => boolean) | undefined,
  content: TrackContent | undefined,
): { kind: SectorKind; protect: boolean } {
  out.fill(0, 0, 2352);
  const planned = plannedKind(track, lba, form2);
  const [userOffset, userSize] = USER_LAYOUT[planned];
  if (content === undefined) {
    writeSyntheticUserData(track, lba, out, userOffset, userSize);
    if (planned !== 'audio') writeDataFrame(out, lba, planned);
    return { kind: planned, protect: true };
  }
  const fill = content.fill(lba, lba - track.pregapLba, out, out.subarray(userOffset, userOffset + userSize));
  switch (fill) {
    case 'raw':
      return { kind: planned === 'audio' ? 'audio' : rawKind(out, track, planned), protect: false };
    case 'mode2-body':
      writeSyncAndHeader(out, lba, 2);
      return { kind: track.mode === 'mode2-formless' ? 'mode2-formless' : xaForm(out), protect: false };
    case 'absent':
      out.fill(0, 0, 2352);
      if (planned !== 'audio') writeDataFrame(out, lba, planned);
      return { kind: planned, protect: true };
    case 'user':
      if (planned !== 'audio') writeDataFrame(out, lba, planned);
      return { kind: planned, protect: true };
    default:
      throw new TypeError(`TrackContent.fill returned ${JSON.stringify(fill)} for LBA ${lba}; expected 'raw', 'mode2-body', 'user' or 'absent'`);
  }
}

/** The recognizable pattern: numbered samples, or numbered user bytes (zeros in data pregaps). */
function writeSyntheticUserData(track: ModelTrack, lba: number, out: Uint8Array, offset: number, size: number): void {
  if (track.mode === 'audio') {
    for (let s = 0; s < 588; s++) {
      const sample = lba < 0 ? 0 : syntheticAudioSample(lba * 588 + s);
      const o = s * 4;
      out[o] = sample & 0xff;
      out[o + 1] = (sample >>> 8) & 0xff;
      out[o + 2] = (sample >>> 16) & 0xff;
      out[o + 3] = (sample >>> 24) & 0xff;
    }
    return;
  }
  if (lba < track.startLba) return;
  for (let i = 0; i < size; i++) out[offset + i] = syntheticUserByte(lba, i);
}

/** Sync, header and (XA) subheaders around user data already in place. */
function writeDataFrame(out: Uint8Array, lba: number, kind: SectorKind): void {
  writeSyncAndHeader(out, lba, kind === 'mode1' ? 1 : kind === 'mode0' ? 0 : 2);
  if (kind === 'mode2-form1' || kind === 'mode2-form2') {
    const submode = kind === 'mode2-form2' ? SUBMODE_FORM2 : SUBMODE_DATA;
    out[18] = submode;
    out[22] = submode;
  }
}

function writeSyncAndHeader(out: Uint8Array, lba: number, mode: number): void {
  writeSyncPattern(out);
  encodeSectorHeader(out, lba, mode);
}

function xaForm(out: Uint8Array): SectorKind {
  return ((out[18] ?? 0) & SUBMODE_FORM2) !== 0 ? 'mode2-form2' : 'mode2-form1';
}

/** A drive tells a raw data sector by its header; without a sync it trusts the track. */
function rawKind(out: Uint8Array, track: ModelTrack, planned: SectorKind): SectorKind {
  if (!hasSyncPattern(out)) return planned;
  switch (out[15]) {
    case 0:
      return 'mode0';
    case 1:
      return 'mode1';
    case 2:
      return track.mode === 'mode2-formless' ? 'mode2-formless' : xaForm(out);
    default:
      return planned;
  }
}

/** EDC and ECC as the mastering would have written them (ECMA-130 Annex A). */
function protectSector(kind: SectorKind, sector: Uint8Array): void {
  if (kind === 'mode1' || kind === 'mode2-form1') {
    storeSectorEdc(sector, kind);
    computeEcc(sector, kind);
  } else if (kind === 'mode2-form2') {
    storeSectorEdc(sector, kind);
  }
}

function blockDisc(kind: 'dvd' | 'bd', spec: SyntheticDiscSpec): DiscModel {
  if (spec.tracks.length !== 1) throw new RangeError(`Expected "tracks" to hold exactly one track for a ${kind.toUpperCase()}`);
  const sectors = checkInteger('tracks[0].sectors', spec.tracks[0]?.sectors, 1, 0x7fffffff);
  const content = spec.tracks[0]?.content;
  if (content !== undefined && typeof content?.fill !== 'function') throw new TypeError('Expected "tracks[0].content" to have a fill() method');
  const track: ModelTrack = {
    number: 1,
    session: 1,
    mode: 'mode1',
    control: 0x4,
    pregapLba: 0,
    startLba: 0,
    endLba: sectors,
    indexes: [{ number: 1, lba: 0 }],
  };
  const finish = spec.finishSector;
  return {
    kind,
    sessions: [{ number: 1, firstTrack: 1, lastTrack: 1, discType: 0x00, leadOutLba: sectors }],
    tracks: [track],
    readSector(lba: number, out: Uint8Array): SectorKind | undefined {
      if (!Number.isInteger(lba) || lba < 0 || lba >= sectors) return undefined;
      if (content === undefined) {
        for (let i = 0; i < 2048; i++) out[i] = syntheticUserByte(lba, i);
      } else {
        out.fill(0, 0, 2048);
        if (content.fill(lba, lba, out, out.subarray(0, 2048)) === 'absent') out.fill(0, 0, 2048);
      }
      finish?.(lba, 'mode1', out);
      return 'mode1';
    },
  };
}

/** A single-session data CD: one Mode 1 track of `sectorCount` sectors. */
export function createDataCd(sectorCount: number): DiscModel {
  return createSyntheticDisc({ tracks: [{ mode: 'mode1', sectors: sectorCount }] });
}

/** An audio CD with one track per entry of `trackSectors`; optional MCN and ISRCs. */
export function createAudioCd(trackSectors: number[], options: { mcn?: string; isrcs?: (string | undefined)[]; pregaps?: number[] } = {}): DiscModel {
  return createSyntheticDisc({
    mcn: options.mcn,
    tracks: trackSectors.map((sectors, i) => {
      const track: SyntheticTrackSpec = { mode: 'audio', sectors };
      const isrc = options.isrcs?.[i];
      if (isrc !== undefined) track.isrc = isrc;
      const pregap = options.pregaps?.[i];
      if (pregap !== undefined) track.pregap = pregap;
      return track;
    }),
  });
}

/**
 * An audio CD with a hidden track before track 1 (HTOA): track 1's index 0 runs from LBA −150
 * through `hiddenSectors` sectors of audio at LBA 0…, and the TOC says track 1 starts at
 * `hiddenSectors`. The hidden audio is the synthetic pattern, not silence.
 */
export function createHiddenTrackAudioCd(hiddenSectors: number, trackSectors: number[], options: { mcn?: string; isrcs?: (string | undefined)[] } = {}): DiscModel {
  const hidden = checkInteger('hiddenSectors', hiddenSectors, 1, 45_000 - SESSION_PREGAP);
  const pregaps = trackSectors.map((_, i) => (i === 0 ? SESSION_PREGAP + hidden : 0));
  return createAudioCd(trackSectors, { ...options, pregaps });
}

/**
 * A Mixed Mode CD (MMC-FACTS §3.4): one session, data track 1 (Mode 1 by default) after the usual
 * 150-sector pregap, then audio tracks; the first audio track gets the 2-second pregap a change
 * from data to audio needs.
 */
export function createMixedModeCd(dataSectors: number, audioTrackSectors: number[], options: { dataMode?: 'mode1' | 'mode2-xa'; audioPregap?: number } = {}): DiscModel {
  if (!Array.isArray(audioTrackSectors) || audioTrackSectors.length === 0) throw new RangeError('Expected "audioTrackSectors" to list at least one track');
  const audioPregap = options.audioPregap ?? SESSION_PREGAP;
  return createSyntheticDisc({
    tracks: [
      { mode: options.dataMode ?? 'mode1', sectors: dataSectors },
      ...audioTrackSectors.map((sectors, i): SyntheticTrackSpec => ({ mode: 'audio', sectors, pregap: i === 0 ? audioPregap : 0 })),
    ],
  });
}

/**
 * An Enhanced CD (Blue Book): session 1 holds the audio tracks, session 2 one Mode 2 XA data
 * track starting 11 400 sectors after session 1's lead-out.
 */
export function createCdExtra(audioTrackSectors: number[], dataSectors: number): DiscModel {
  return createSyntheticDisc({
    tracks: [
      ...audioTrackSectors.map((sectors): SyntheticTrackSpec => ({ mode: 'audio', sectors })),
      { mode: 'mode2-xa', sectors: dataSectors, session: 2 },
    ],
  });
}

/**
 * A multisession data CD: one data track per entry of `sessionSectors`, each in its own session;
 * session 2 starts 11 400 sectors after session 1's lead-out, later ones 6900 (MMC-FACTS §3.4).
 */
export function createMultisessionCd(sessionSectors: number[], options: { mode?: 'mode1' | 'mode2-xa' } = {}): DiscModel {
  if (!Array.isArray(sessionSectors) || sessionSectors.length === 0) throw new RangeError('Expected "sessionSectors" to list at least one session');
  const mode = options.mode ?? 'mode1';
  return createSyntheticDisc({ tracks: sessionSectors.map((sectors, i): SyntheticTrackSpec => ({ mode, sectors, session: i + 1 })) });
}

/** A DVD-ROM of `sectorCount` 2048-byte sectors. */
export function createDvd(sectorCount: number): DiscModel {
  return createSyntheticDisc({ kind: 'dvd', tracks: [{ mode: 'mode1', sectors: sectorCount }] });
}

/** A BD-ROM of `sectorCount` 2048-byte sectors. */
export function createBd(sectorCount: number): DiscModel {
  return createSyntheticDisc({ kind: 'bd', tracks: [{ mode: 'mode1', sectors: sectorCount }] });
}
