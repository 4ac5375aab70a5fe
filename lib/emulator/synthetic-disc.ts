/**
 * Disc models built from a short description, with recognizable content: for tests of code that
 * reads discs, and for the emulator's own tests. Data sectors are complete (sync, header, XA
 * subheaders, EDC and ECC computed with lib/cd); audio samples encode their own position, so a
 * read offset or jitter shows as a shifted sample number.
 */

import { computeEcc, storeSectorEdc } from '../cd/index.js';
import { checkInteger } from '../scsi/bytes.js';
import { toBcd } from '../scsi/msf.js';
import type { DiscModel, MediaKind, ModelIndex, ModelSession, ModelTrack, SectorKind, TrackMode } from './disc-model.js';
import { trackAt } from './disc-model.js';

export interface SyntheticTrackSpec {
  mode: TrackMode;
  /** Sectors from index 1 to the end of the track. */
  sectors: number;
  /** Pregap (index 0) sectors. Default 150 for the first track of a session, else 0. */
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
}

export interface SyntheticDiscSpec {
  /** Default 'cd'. DVD and BD discs take one data track (its `sectors`). */
  kind?: MediaKind;
  tracks: SyntheticTrackSpec[];
  mcn?: string;
  cdTextPacks?: Uint8Array;
  /** A0 PSEC per session number. Default 0x20 (CD-ROM XA) for sessions with Mode 2 tracks, else 0x00. */
  discTypes?: Record<number, number>;
  /** Compute EDC and ECC of data sectors (default true); false leaves them zero (faster). */
  edcEcc?: boolean;
  /** Called on each assembled sector, after EDC/ECC: to plant damage or custom content. */
  finishSector?: (lba: number, kind: SectorKind, sector: Uint8Array) => void;
}

const SYNC = [0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
/** First sector of session 2 is 11 400 sectors after session 1's lead-out, later ones 6900 (MMC-FACTS §3.4). */
const SECOND_SESSION_GAP = 11_400;
const LATER_SESSION_GAP = 6_900;
/** XA subheader submode bits: data (Form 1), Form 2. */
const SUBMODE_DATA = 0x08;
const SUBMODE_FORM2 = 0x20;

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

/** Builds a DiscModel from a description; throws TypeError/RangeError naming the bad field. */
export function createSyntheticDisc(spec: SyntheticDiscSpec): DiscModel {
  if (typeof spec !== 'object' || spec === null) throw new TypeError('Expected "spec" to be an object');
  const kind = spec.kind ?? 'cd';
  if (kind !== 'cd' && kind !== 'dvd' && kind !== 'bd') throw new RangeError(`Expected "kind" to be 'cd', 'dvd' or 'bd', got ${JSON.stringify(kind)}`);
  if (!Array.isArray(spec.tracks) || spec.tracks.length === 0) throw new RangeError('Expected "tracks" to list at least one track');
  if (spec.mcn !== undefined && !/^[0-9]{13}$/u.test(spec.mcn)) throw new RangeError(`Expected "mcn" to be 13 digits, got ${JSON.stringify(spec.mcn)}`);
  if (kind !== 'cd') return blockDisc(kind, spec);

  const tracks: ModelTrack[] = [];
  const sessions: ModelSession[] = [];
  const form2 = new Map<number, (lba: number) => boolean>();
  let cursor = 0;
  let sessionNumber = 0;
  spec.tracks.forEach((t, i) => {
    const name = `tracks[${i}]`;
    const session = checkInteger(`${name}.session`, t.session ?? 1, 1, 99);
    const sectors = checkInteger(`${name}.sectors`, t.sectors, 1, 450_000);
    const mode = checkMode(`${name}.mode`, t.mode);
    const newSession = session !== sessionNumber;
    if (newSession && session !== sessionNumber + 1) throw new RangeError(`Expected "${name}.session" to be ${sessionNumber + 1}, got ${session}`);
    const pregap = checkInteger(`${name}.pregap`, t.pregap ?? (newSession ? 150 : 0), 0, 45_000);
    let startLba: number;
    if (!newSession) startLba = cursor + pregap;
    else if (session === 1) startLba = 0;
    else {
      const previous = sessions[sessions.length - 1];
      startLba = (previous?.leadOutLba ?? 0) + (session === 2 ? SECOND_SESSION_GAP : LATER_SESSION_GAP);
    }
    if (newSession) {
      sessionNumber = session;
      sessions.push({ number: session, firstTrack: i + 1, lastTrack: i + 1, discType: 0, leadOutLba: 0 });
    }
    const indexes: ModelIndex[] = [];
    if (pregap > 0) indexes.push({ number: 0, lba: startLba - pregap });
    indexes.push({ number: 1, lba: startLba });
    (t.indexOffsets ?? []).forEach((offset, k) => {
      indexes.push({ number: k + 2, lba: startLba + checkInteger(`${name}.indexOffsets[${k}]`, offset, 1, sectors - 1) });
    });
    const control = checkInteger(`${name}.control`, t.control ?? (mode === 'audio' ? 0x0 : 0x4), 0, 15);
    if ((mode === 'audio') !== ((control & 0x4) === 0)) throw new RangeError(`Expected "${name}.control" bit 2 (data) to match mode ${mode}`);
    if (t.isrc !== undefined && !/^[A-Z0-9]{5}[0-9]{7}$/u.test(t.isrc)) throw new RangeError(`Expected "${name}.isrc" to be an ISRC (CCOOOYYSSSSS), got ${JSON.stringify(t.isrc)}`);
    const track: ModelTrack = {
      number: i + 1,
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
    if (t.form2) form2.set(track.number, t.form2);
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
      const sectorKind = writeCdSector(track, lba, out, form2.get(track.number));
      if (edcEcc) protect(sectorKind, out);
      finish?.(lba, sectorKind, out);
      return sectorKind;
    },
  };
  return model;
}

function checkMode(name: string, mode: unknown): TrackMode {
  if (mode === 'audio' || mode === 'mode1' || mode === 'mode2-formless' || mode === 'mode2-xa') return mode;
  throw new RangeError(`Expected "${name}" to be 'audio', 'mode1', 'mode2-formless' or 'mode2-xa', got ${JSON.stringify(mode)}`);
}

function writeCdSector(track: ModelTrack, lba: number, out: Uint8Array, form2: ((lba: number) => boolean) | undefined): SectorKind {
  out.fill(0, 0, 2352);
  if (track.mode === 'audio') {
    for (let s = 0; s < 588; s++) {
      const sample = lba < 0 ? 0 : syntheticAudioSample(lba * 588 + s);
      const o = s * 4;
      out[o] = sample & 0xff;
      out[o + 1] = (sample >>> 8) & 0xff;
      out[o + 2] = (sample >>> 16) & 0xff;
      out[o + 3] = (sample >>> 24) & 0xff;
    }
    return 'audio';
  }
  out.set(SYNC, 0);
  const absolute = lba + 150;
  out[12] = toBcd(Math.floor(absolute / 4500) % 100);
  out[13] = toBcd(Math.floor(absolute / 75) % 60);
  out[14] = toBcd(absolute % 75);
  // Pregap sectors of data tracks hold zeros; the program area holds the pattern.
  const fill = (offset: number, length: number): void => {
    if (lba < track.startLba) return;
    for (let i = 0; i < length; i++) out[offset + i] = syntheticUserByte(lba, i);
  };
  if (track.mode === 'mode1') {
    out[15] = 1;
    fill(16, 2048);
    return 'mode1';
  }
  out[15] = 2;
  if (track.mode === 'mode2-formless') {
    fill(16, 2336);
    return 'mode2-formless';
  }
  const isForm2 = form2?.(lba) ?? false;
  const submode = isForm2 ? SUBMODE_FORM2 : SUBMODE_DATA;
  out[18] = submode;
  out[22] = submode;
  if (isForm2) {
    fill(24, 2324);
    return 'mode2-form2';
  }
  fill(24, 2048);
  return 'mode2-form1';
}

/** EDC and ECC as the mastering would have written them (ECMA-130 Annex A). */
function protect(kind: SectorKind, sector: Uint8Array): void {
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
      for (let i = 0; i < 2048; i++) out[i] = syntheticUserByte(lba, i);
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

/** A DVD-ROM of `sectorCount` 2048-byte sectors. */
export function createDvd(sectorCount: number): DiscModel {
  return createSyntheticDisc({ kind: 'dvd', tracks: [{ mode: 'mode1', sectors: sectorCount }] });
}

/** A BD-ROM of `sectorCount` 2048-byte sectors. */
export function createBd(sectorCount: number): DiscModel {
  return createSyntheticDisc({ kind: 'bd', tracks: [{ mode: 'mode1', sectors: sectorCount }] });
}
