/**
 * Shapes shared by the audio ripping engine, its sinks and its checksum hooks. Sample positions are
 * counted in stereo samples (4 bytes, 588 per sector); "disc sample" n is sample n of the program
 * area, n = LBA × 588 + sample in sector, after read-offset correction.
 */

/** How sectors are proven. See docs/audio.md. */
export type RipMode = 'secure' | 'burst' | 'paranoia';

/** Where a track's pregap (index 0) goes: to the end of the previous track, or to its own start. */
export type GapMode = 'append' | 'prepend';

/** [start, end) in samples, counted from the first sample of the track's output. */
export interface SampleRange {
  start: number;
  end: number;
}

/** Why samples are in doubt. */
export type DoubtReason =
  /** The drive could not read the sectors (MEDIUM ERROR) after every retry: zeros written. */
  | 'unreadable'
  /** Reads disagreed, or every read was flagged in C2, and no value reached the agreement threshold. */
  | 'unproven'
  /** Before the first or after the last sector the drive can address (offset correction): zeros written. */
  | 'zero-filled'
  /** Read once only (burst mode), flagged by C2. */
  | 'c2'
  /** Jitter correction lost its anchor (after unreadable sectors): placed at the drive's nominal position. */
  | 'unaligned';

export interface DoubtfulRange extends SampleRange {
  reason: DoubtReason;
}

/** What the engine knows of a track before ripping it; sinks and checksum hooks get this. */
export interface RipTrackInfo {
  /** 1-99; 0 for a hidden track before track 1 (HTOA). */
  number: number;
  /** First LBA of the output (index 1, or index 0 when gaps are kept with their track). */
  startLba: number;
  /** First LBA after the output. */
  endLba: number;
  /** Samples in the output: (endLba − startLba) × 588. */
  sampleCount: number;
  /** First and last audio track of the disc (AccurateRip skips samples there). */
  isFirst: boolean;
  isLast: boolean;
  /** Number of audio tracks of the disc (HTOA not counted). */
  audioTrackCount: number;
  /** Q/TOC CONTROL nibble. */
  control: number;
  preEmphasis: boolean;
  copyPermitted: boolean;
  isrc?: string | undefined;
  /** First sector of the track's pregap (index 0) on the disc; equals its index 1 when it has none. */
  pregapLba: number;
  /** Index 1 and any later index points, as LBAs. */
  indexes: Array<{ number: number; lba: number }>;
}

/** The result a checksum hook reports for one track. */
export interface ChecksumResult {
  /** Printable value (e.g. a CRC in hex). */
  value: string;
  /**
   * Compared with a reference the user supplied: true when it matches, false when it does not,
   * undefined when there was nothing to compare with. A false result keeps a track from being
   * reported secure; a true one makes it "accurate".
   */
  matched?: boolean | undefined;
  /** Free text for the log (confidence, which reference matched). */
  detail?: string | undefined;
}

/** One track's running checksum, fed with the final PCM in order. */
export interface TrackChecksum {
  /** 16-bit little-endian stereo PCM bytes, a multiple of 4. */
  update(pcm: Uint8Array): void;
  finish(): ChecksumResult;
}

/** A checksum (AccurateRip, CRC32, a test's reference) computed over every track's final PCM. */
export interface ChecksumHook {
  readonly name: string;
  start(track: RipTrackInfo): TrackChecksum;
}

/** Where one track's PCM goes: opened, written in order, closed; tracks come one after another. */
export interface AudioSink {
  open(track: RipTrackInfo): Promise<void>;
  /** 16-bit little-endian stereo PCM bytes. */
  write(pcm: Uint8Array): Promise<void>;
  /** Returns the file written, if any. */
  close(): Promise<string | undefined>;
  /** One file of every track in disc order (an image): it gets a silent hidden track too. */
  readonly contiguous?: boolean;
}

/** Progress of a rip. */
export interface RipProgress {
  phase: 'scanning' | 'reading' | 'verifying' | 'writing' | 'finished';
  /** Track being ripped (0 for HTOA). */
  track: number;
  /** Sectors of the disc's audio handled so far, and in all. */
  doneSectors: number;
  totalSectors: number;
  /** Sectors read from the drive so far, retries and cache defeat included. */
  sectorsRead: number;
}

/** Per-track outcome. */
export type TrackStatus =
  /** Every sample proven by agreeing reads, alignment proven, no checksum mismatch. */
  | 'secure'
  /** A supplied reference checksum matched (e.g. AccurateRip), though not every sample was proven by re-reads. */
  | 'accurate'
  /** Every sample proven except zero-filled samples beyond what the drive can address. */
  | 'secure-except-edges'
  /** Read once (burst) or aligned without proof: no error seen, nothing proven. */
  | 'unverified'
  /** Some samples are in doubt: see `doubtful`. */
  | 'suspicious'
  /** A supplied reference checksum did not match. */
  | 'mismatch';

export interface TrackRipResult {
  info: RipTrackInfo;
  status: TrackStatus;
  /** Every sample proven by agreeing reads (and, without an accurate stream, aligned by a checksum). */
  secure: boolean;
  /** A supplied reference checksum matched. */
  accurate: boolean;
  /** Exact sample ranges in doubt, relative to the track's first output sample. */
  doubtful: DoubtfulRange[];
  /** Sectors read again after the first reads (targeted re-reads), and how many reads that took. */
  rereadSectors: number;
  rereadCommands: number;
  /** Sectors whose reads disagreed at least once. */
  mismatchedSectors: number;
  /** Sectors flagged by C2 at least once. */
  c2Sectors: number;
  /** Largest absolute sample value (0..32768) of either channel, and as a fraction of full scale. */
  peak: number;
  checksums: Array<{ name: string } & ChecksumResult>;
  /** Jitter correction: the shift a checksum confirmed (samples), when one was searched. */
  alignmentShift?: number | undefined;
  /** The sink's file, if any. */
  file?: string | undefined;
  /** Whether the track was silent (HTOA detection). */
  silent: boolean;
}
