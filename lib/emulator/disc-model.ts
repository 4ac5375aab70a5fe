/**
 * What the emulated drive serves: a disc's layout and the bytes of its sectors. Models are built
 * from ISO images, CUE/BIN, cdrdao TOC files, or programmatically; the drive decodes CDBs and asks
 * the model for sectors, so every model gets the same MMC behaviour.
 */

export type MediaKind = 'cd' | 'dvd' | 'bd';

/**
 * How a track's sectors are recorded. 'mode2-xa' tracks hold Form 1 and Form 2 sectors, told
 * apart per sector by the subheader.
 */
export type TrackMode = 'audio' | 'mode1' | 'mode2-formless' | 'mode2-xa';

/** What one sector is, as READ CD's expected sector type sees it. */
export type SectorKind = 'audio' | 'mode0' | 'mode1' | 'mode2-formless' | 'mode2-form1' | 'mode2-form2';

export interface ModelIndex {
  /** 0 = pregap, 1 = track start, 2..99. */
  number: number;
  lba: number;
}

export interface ModelTrack {
  number: number;
  session: number;
  mode: TrackMode;
  /** Q and TOC CONTROL nibble: 0x4 data, 0x2 copy permitted, 0x1 pre-emphasis, 0x8 four channel. */
  control: number;
  /** First sector of the pregap (index 0); equals startLba when the track has none. */
  pregapLba: number;
  /** Index 1. */
  startLba: number;
  /** First sector after the track: the next track's pregap, or the session's lead-out. */
  endLba: number;
  /** Ascending by number; index 1 always present. */
  indexes: ModelIndex[];
  isrc?: string | undefined;
}

export interface ModelSession {
  number: number;
  firstTrack: number;
  lastTrack: number;
  /** A0 PSEC: 0x00 CD-DA/CD-ROM, 0x10 CD-I, 0x20 CD-ROM XA. */
  discType: number;
  /** First sector of this session's lead-out. */
  leadOutLba: number;
}

export interface DiscModel {
  readonly kind: MediaKind;
  /** Media Catalogue Number, 13 digits. */
  readonly mcn?: string | undefined;
  readonly sessions: readonly ModelSession[];
  readonly tracks: readonly ModelTrack[];
  /** CD-Text as raw 18-byte packs (READ TOC format 5 payload), when the disc has it. */
  readonly cdTextPacks?: Uint8Array | undefined;
  /**
   * Fills `out` with the sector at `lba`: 2352 raw bytes on CD (sync, header, EDC/ECC filled in,
   * not scrambled, as a drive returns them), 2048 user bytes on DVD/BD. Returns what the sector
   * is, or undefined when `lba` is not recorded (lead-in, lead-out, between sessions).
   */
  readSector(lba: number, out: Uint8Array): SectorKind | undefined;
}

/** The track holding `lba` (pregap included), if any. */
export function trackAt(model: DiscModel, lba: number): ModelTrack | undefined {
  for (const t of model.tracks) {
    if (lba >= t.pregapLba && lba < t.endLba) return t;
  }
  return undefined;
}

/** The index number in force at `lba` within `track`. */
export function indexAt(track: ModelTrack, lba: number): number {
  let current = 0;
  for (const i of track.indexes) {
    if (i.lba <= lba) current = i.number;
  }
  return lba < track.startLba ? 0 : current;
}
