/**
 * The cdrdao TOC file model (cdrdao(1), "TOC FILES"): a disc type, optional CATALOG and CD-TEXT, and
 * tracks built from an ordered list of data statements (SILENCE, ZERO, FILE/AUDIOFILE, DATAFILE,
 * FIFO) with START/END marks and INDEX increments. It keeps what the file says — lengths in the unit
 * they were written in — so `formatCdrdaoToc` can write it back; `resolveCdrdaoTocLayout` turns it
 * into frame positions and `cdrdaoTocToCue` into a `CueSheet`.
 */

/** Session type flags (`CD_DA`, `CD_ROM`, `CD_ROM_XA`, `CD_I`). */
export const CDRDAO_TOC_TYPES = ['CD_DA', 'CD_ROM', 'CD_ROM_XA', 'CD_I'] as const;
export type CdrdaoTocType = (typeof CDRDAO_TOC_TYPES)[number];

/** `TRACK <track-mode>`. */
export const CDRDAO_TRACK_MODES = [
  'AUDIO',
  'MODE1',
  'MODE1_RAW',
  'MODE2',
  'MODE2_FORM1',
  'MODE2_FORM2',
  'MODE2_FORM_MIX',
  'MODE2_RAW',
] as const;
export type CdrdaoTrackMode = (typeof CDRDAO_TRACK_MODES)[number];

/** Modes a `ZERO` statement may name: the track modes plus MODE0. */
export type CdrdaoDataMode = CdrdaoTrackMode | 'MODE0';

/** `RW`: packed R-W sub-channel (96 bytes per sector); `RW_RAW`: raw interleaved R-W (96 bytes). */
export type CdrdaoSubChannelMode = 'RW' | 'RW_RAW';

/**
 * Bytes per sector of the input data of each mode (cdrdao(1), TRACK): MODE0 is 2336 zero bytes.
 * A sub-channel mode adds 96 bytes.
 */
export const CDRDAO_BLOCK_SIZE: Readonly<Record<CdrdaoDataMode, number>> = {
  AUDIO: 2352,
  MODE0: 2336,
  MODE1: 2048,
  MODE1_RAW: 2352,
  MODE2: 2336,
  MODE2_FORM1: 2048,
  MODE2_FORM2: 2324,
  MODE2_FORM_MIX: 2336,
  MODE2_RAW: 2352,
};

/** Sub-channel bytes added per sector by a sub-channel mode. */
export const CDRDAO_SUB_CHANNEL_SIZE = 96;

/** Bytes per sector for a mode and optional sub-channel mode. */
export function cdrdaoBlockSize(mode: CdrdaoDataMode, subChannelMode?: CdrdaoSubChannelMode): number {
  return CDRDAO_BLOCK_SIZE[mode] + (subChannelMode === undefined ? 0 : CDRDAO_SUB_CHANNEL_SIZE);
}

/**
 * A length or position as written: an `mm:ss:ff` value is `frames`; a plain integer is `samples`
 * (1/44100 s) in audio statements (FILE/AUDIOFILE, SILENCE) and `bytes` in data statements
 * (DATAFILE, ZERO, FIFO).
 */
export interface CdrdaoLength {
  unit: 'frames' | 'samples' | 'bytes';
  value: number;
}

/** `SILENCE <length>`: zero audio samples. */
export interface CdrdaoSilence {
  kind: 'silence';
  length: CdrdaoLength;
  line?: number | undefined;
}

/** `ZERO [data-mode] [sub-channel-mode] <length>`: zero data sectors. */
export interface CdrdaoZero {
  kind: 'zero';
  dataMode?: CdrdaoDataMode | undefined;
  subChannelMode?: CdrdaoSubChannelMode | undefined;
  length: CdrdaoLength;
  line?: number | undefined;
}

/**
 * `FILE|AUDIOFILE "name" [SWAP] [#byte-offset] <start> [<length>]`: audio samples from a WAVE file
 * or a raw big-endian file (SWAP: little-endian). No length, or length 0, means up to the end of file.
 */
export interface CdrdaoAudioFile {
  kind: 'audio-file';
  keyword: 'FILE' | 'AUDIOFILE';
  name: string;
  swap: boolean;
  byteOffset?: number | undefined;
  start: CdrdaoLength;
  length?: CdrdaoLength | undefined;
  line?: number | undefined;
}

/** `DATAFILE "name" [#byte-offset] [<length>]`: sectors copied verbatim; no length means to end of file. */
export interface CdrdaoDataFile {
  kind: 'data-file';
  name: string;
  byteOffset?: number | undefined;
  length?: CdrdaoLength | undefined;
  line?: number | undefined;
}

/** `FIFO "path" <length>`. */
export interface CdrdaoFifo {
  kind: 'fifo';
  name: string;
  length: CdrdaoLength;
  line?: number | undefined;
}

/** A statement that contributes data to a track. */
export type CdrdaoSource = CdrdaoSilence | CdrdaoZero | CdrdaoAudioFile | CdrdaoDataFile | CdrdaoFifo;

/**
 * `START [mm:ss:ff]`: end of the pre-gap (INDEX 00 → 01), in frames from the track start; without a
 * value, the length of the statements before it. `END [mm:ss:ff]`: start of the post-gap, likewise.
 */
export interface CdrdaoMark {
  kind: 'start' | 'end';
  frames?: number | undefined;
  line?: number | undefined;
}

/** One statement of a track body, in file order. */
export type CdrdaoTrackStatement = CdrdaoSource | CdrdaoMark;

/** CD-TEXT item names (cdrdao(1), CD-TEXT Blocks; CLOSED from newer cdrdao). */
export const CDRDAO_CD_TEXT_ITEMS = [
  'TITLE',
  'PERFORMER',
  'SONGWRITER',
  'COMPOSER',
  'ARRANGER',
  'MESSAGE',
  'DISC_ID',
  'GENRE',
  'TOC_INFO1',
  'TOC_INFO2',
  'RESERVED1',
  'RESERVED2',
  'RESERVED3',
  'RESERVED4',
  'CLOSED',
  'UPC_EAN',
  'ISRC',
  'SIZE_INFO',
] as const;
export type CdrdaoCdTextItemName = (typeof CDRDAO_CD_TEXT_ITEMS)[number];

/** Items cdrdao refuses in a track block (pack types 0x87-0x89 and 0x8F). */
export const CDRDAO_DISC_ONLY_CD_TEXT_ITEMS: ReadonlySet<CdrdaoCdTextItemName> = new Set([
  'GENRE',
  'TOC_INFO1',
  'TOC_INFO2',
  'SIZE_INFO',
]);

/** Character code of a CD-TEXT block (newer cdrdao). */
export const CDRDAO_CD_TEXT_ENCODINGS = [
  'ENCODING_ISO_8859_1',
  'ENCODING_ASCII',
  'ENCODING_MS_JIS',
  'ENCODING_KOREAN',
  'ENCODING_MANDARIN',
] as const;
export type CdrdaoCdTextEncoding = (typeof CDRDAO_CD_TEXT_ENCODINGS)[number];

/** A CD-TEXT item: a string (may be empty) or binary data `{ 0, 10, 255 }`. */
export interface CdrdaoCdTextItem {
  name: CdrdaoCdTextItemName;
  value: string | number[];
  line?: number | undefined;
}

/** `LANGUAGE n { … }`: the items of one block (0-7). */
export interface CdrdaoCdTextBlock {
  language: number;
  encoding?: CdrdaoCdTextEncoding | undefined;
  items: CdrdaoCdTextItem[];
  line?: number | undefined;
}

/** `LANGUAGE_MAP { n : code }`: code 0-255, or `EN` (9) as written. */
export interface CdrdaoLanguageMapping {
  language: number;
  code: number | 'EN';
}

/** The global CD_TEXT block. */
export interface CdrdaoDiscCdText {
  languageMap: CdrdaoLanguageMapping[];
  blocks: CdrdaoCdTextBlock[];
  line?: number | undefined;
}

/** A TRACK. */
export interface CdrdaoTrack {
  mode: CdrdaoTrackMode;
  subChannelMode?: CdrdaoSubChannelMode | undefined;
  /** `[NO] COPY`; default not permitted. */
  copy: boolean;
  /** `[NO] PRE_EMPHASIS`; default off. */
  preEmphasis: boolean;
  /** `FOUR_CHANNEL_AUDIO` (true) or `TWO_CHANNEL_AUDIO` (false, the default). */
  fourChannelAudio: boolean;
  /** `ISRC "CCOOOYYSSSSS"`. */
  isrc?: string | undefined;
  /** The track's CD_TEXT blocks (undefined when the track has no CD_TEXT statement). */
  cdText?: CdrdaoCdTextBlock[] | undefined;
  /** `PREGAP mm:ss:ff` in frames: silence/zero data ending at the track start. */
  pregapFrames?: number | undefined;
  statements: CdrdaoTrackStatement[];
  /** `INDEX mm:ss:ff` increments: frames from the track start (INDEX 01), ascending, > 0. */
  indexes: number[];
  line?: number | undefined;
}

/** A whole TOC file. */
export interface CdrdaoToc {
  /** Name used in error messages (not written). */
  fileName?: string | undefined;
  /** The last session type flag given; CD_DA when none is. */
  tocType: CdrdaoTocType;
  /** `CATALOG "ddddddddddddd"`. */
  catalog?: string | undefined;
  /** `FIRST_TRACK_NO n` (newer cdrdao). */
  firstTrackNumber?: number | undefined;
  cdText?: CdrdaoDiscCdText | undefined;
  tracks: CdrdaoTrack[];
}

/** True for the data statements (as opposed to START/END). */
export function isCdrdaoSource(statement: CdrdaoTrackStatement): statement is CdrdaoSource {
  return statement.kind !== 'start' && statement.kind !== 'end';
}
