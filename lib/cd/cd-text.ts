/**
 * CD-TEXT (Red Book CD-TEXT extension, carried in the R-W sub-channel of the lead-in and returned
 * by READ TOC/PMA/ATIP format 0101b; MMC-FACTS §3.10): parsing 18-byte packs into blocks (one per
 * language) and building packs from such blocks.
 *
 * Pack: byte 0 pack type; byte 1 bit 7 extension flag, bits 6-0 track number of the first
 * character in the pack (0 = album); byte 2 sequence number (from 0 in each block); byte 3 bit 7
 * double-byte flag, bits 6-4 block number, bits 3-0 character position (characters of the current
 * string before this pack, 15 = 15 or more); bytes 4-15 text; bytes 16-17 CRC-16/GSM of bytes 0-15.
 * Text packs of one type form a stream of NUL-terminated strings: album first, then each track
 * from the first track on. A string consisting of a single TAB means "same as the previous track".
 * The size-information block (type 0x8F, three packs) holds the character code, first/last track,
 * copyright flags, pack counts per type, the last sequence number of each block and the language
 * code of each block.
 *
 * Supported character codes: 0x00 ISO-8859-1 and 0x01 ASCII (ISO 646). MS-JIS (0x80) and the
 * other double-byte codes are rejected with a FormatError (or skipped on request).
 */

import { FormatError } from '../errors.js';
import { crc16Gsm } from './crc16-gsm.js';

/** Pack types (MMC-FACTS §3.10). */
export const CdTextPackType = Object.freeze({
  TITLE: 0x80,
  PERFORMER: 0x81,
  SONGWRITER: 0x82,
  COMPOSER: 0x83,
  ARRANGER: 0x84,
  MESSAGE: 0x85,
  DISC_ID: 0x86,
  GENRE: 0x87,
  TOC: 0x88,
  TOC2: 0x89,
  CLOSED_INFO: 0x8d,
  UPC_ISRC: 0x8e,
  SIZE_INFO: 0x8f,
});

/** Character codes of the size-information block. */
export const CdTextCharacterCode = Object.freeze({
  ISO_8859_1: 0x00,
  ASCII: 0x01,
  MS_JIS: 0x80,
});

/** Bytes per pack. */
export const CD_TEXT_PACK_SIZE = 18;
const PAYLOAD = 12;

/** Per-track text (pack types 0x80-0x85 and the ISRC part of 0x8E). */
export interface CdTextTrackFields {
  title?: string;
  performer?: string;
  songwriter?: string;
  composer?: string;
  arranger?: string;
  message?: string;
  isrc?: string;
}

/** A track's entry; `number` is the track number. */
export interface CdTextTrack extends CdTextTrackFields {
  number: number;
}

/** Genre (type 0x87): a 16-bit code (see {@link cdTextGenreName}) and supplementary text. */
export interface CdTextGenre {
  code: number;
  text: string;
}

/** Album-level text: the track-0 strings plus the album-only types. */
export interface CdTextAlbum {
  title?: string;
  performer?: string;
  songwriter?: string;
  composer?: string;
  arranger?: string;
  message?: string;
  /** UPC/EAN (track 0 of type 0x8E). */
  upcEan?: string;
  /** Type 0x86. */
  discId?: string;
  genre?: CdTextGenre;
  /** Type 0x8D: information not meant for display. */
  closedInfo?: string;
}

/** One language block. */
export interface CdTextBlock {
  /** 0-7. */
  blockNumber: number;
  /** EBU language code (0x09 English, 0x08 German…; see {@link cdTextLanguageName}). */
  languageCode: number;
  /** 0x00 ISO-8859-1 or 0x01 ASCII. */
  characterCode: number;
  firstTrack: number;
  lastTrack: number;
  /** Copyright byte of the size information. */
  copyright: number;
  album: CdTextAlbum;
  /** One entry per track from `firstTrack` to `lastTrack`. */
  tracks: CdTextTrack[];
}

/** Result of {@link parseCdText}. */
export interface CdText {
  blocks: CdTextBlock[];
  /** Indexes of packs whose CRC did not match (their content is used anyway). */
  badCrcPacks: number[];
  /** Blocks left out because of an unsupported character code (only with `unsupportedBlocks: 'skip'`). */
  skippedBlocks: Array<{ blockNumber: number; reason: string }>;
}

export interface ParseCdTextOptions {
  /** What to do with MS-JIS / double-byte blocks: throw a FormatError (default) or skip them. */
  unsupportedBlocks?: 'throw' | 'skip';
}

const TRACK_TEXT_TYPES: ReadonlyArray<readonly [number, keyof CdTextTrackFields & keyof CdTextAlbum]> = [
  [0x80, 'title'],
  [0x81, 'performer'],
  [0x82, 'songwriter'],
  [0x83, 'composer'],
  [0x84, 'arranger'],
  [0x85, 'message'],
];

/** EBU Tech 3264 language codes 0x00-0x2B and 0x45-0x7F. */
const LANGUAGES_EUROPEAN = [
  'Unknown', 'Albanian', 'Breton', 'Catalan', 'Croatian', 'Welsh', 'Czech', 'Danish', 'German', 'English', 'Spanish',
  'Esperanto', 'Estonian', 'Basque', 'Faroese', 'French', 'Frisian', 'Irish', 'Gaelic', 'Galician', 'Icelandic',
  'Italian', 'Lappish', 'Latin', 'Latvian', 'Luxembourgian', 'Lithuanian', 'Hungarian', 'Maltese', 'Dutch',
  'Norwegian', 'Occitan', 'Polish', 'Portuguese', 'Romanian', 'Romansh', 'Serbian', 'Slovak', 'Slovenian', 'Finnish',
  'Swedish', 'Turkish', 'Flemish', 'Wallon',
];
const LANGUAGES_OTHER = [
  'Zulu', 'Vietnamese', 'Uzbek', 'Urdu', 'Ukrainian', 'Thai', 'Telugu', 'Tatar', 'Tamil', 'Tadzhik', 'Swahili',
  'Sranan Tongo', 'Somali', 'Sinhalese', 'Shona', 'Serbo-Croat', 'Ruthenian', 'Russian', 'Quechua', 'Pushtu',
  'Punjabi', 'Persian', 'Papamiento', 'Oriya', 'Nepali', 'Ndebele', 'Marathi', 'Moldavian', 'Malaysian', 'Malagasay',
  'Macedonian', 'Laotian', 'Korean', 'Khmer', 'Kazakh', 'Kannada', 'Japanese', 'Indonesian', 'Hindi', 'Hebrew',
  'Hausa', 'Gurani', 'Gujurati', 'Greek', 'Georgian', 'Fulani', 'Dari', 'Churash', 'Chinese', 'Burmese', 'Bulgarian',
  'Bengali', 'Bielorussian', 'Bambora', 'Azerbaijani', 'Assamese', 'Armenian', 'Arabic', 'Amharic',
];

/**
 * The bytes of a CDRWIN CD-Text file (`.cdt`, CUE `CDTEXTFILE`): the packs without READ TOC's
 * 4-byte header, then one zero byte — the Sony layout libburn's burn_cdtext_from_packfile()
 * documents (readers drop that byte again).
 */
export function cdTextFileBytes(packs: Uint8Array): Uint8Array {
  const file = new Uint8Array(packs.length + 1);
  file.set(packs);
  return file;
}

/** Language name for an EBU Tech 3264 code as used in the CD-TEXT size information; undefined if unassigned. */
export function cdTextLanguageName(code: number): string | undefined {
  if (code >= 0 && code < LANGUAGES_EUROPEAN.length) return LANGUAGES_EUROPEAN[code];
  if (code >= 0x45 && code <= 0x7f) return LANGUAGES_OTHER[code - 0x45];
  return undefined;
}

const GENRES = [
  'Not used', 'Not defined', 'Adult Contemporary', 'Alternative Rock', "Childrens' Music", 'Classical',
  'Contemporary Christian', 'Country', 'Dance', 'Easy Listening', 'Erotic', 'Folk', 'Gospel', 'Hip Hop', 'Jazz',
  'Latin', 'Musical', 'New Age', 'Opera', 'Operetta', 'Pop Music', 'Rap', 'Reggae', 'Rock Music', 'Rhythm & Blues',
  'Sound Effects', 'Soundtrack', 'Spoken Word', 'World Music',
];

/** Name of a CD-TEXT genre code (0-28; e.g. 5 = Classical); undefined for reserved codes. */
export function cdTextGenreName(code: number): string | undefined {
  return GENRES[code];
}

// ---------------------------------------------------------------------------------------------
// Splitting dumps

/** Result of {@link cdTextPacksFromDump}. */
export interface CdTextDump {
  /** Whole packs only (a view into the input). */
  packs: Uint8Array;
  /** The dump started with the 4-byte READ TOC/PMA/ATIP header (data length, 2 reserved bytes). */
  hadHeader: boolean;
  /** Bytes after the last whole pack (ignored). */
  trailingBytes: number;
}

function isPackType(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x80 && byte <= 0x8f;
}

/**
 * Locates the packs in a raw CD-TEXT dump (a `.cdt` file, or a READ TOC format 0101b response):
 * detects an optional 4-byte READ TOC header and ignores a partial pack at the end.
 */
export function cdTextPacksFromDump(data: Uint8Array): CdTextDump {
  const startsWithGoodPack =
    data.length >= CD_TEXT_PACK_SIZE && isPackType(data[0]) && crc16Gsm(data, 0, 16) === ((data[16]! << 8) | data[17]!);
  if (!startsWithGoodPack && data.length >= 4) {
    const length = (data[0]! << 8) | data[1]!;
    const packBytes = length - 2;
    if (
      length >= 2 &&
      packBytes % CD_TEXT_PACK_SIZE === 0 &&
      4 + packBytes <= data.length &&
      data[2] === 0 &&
      data[3] === 0 &&
      (packBytes === 0 || isPackType(data[4]))
    ) {
      return { packs: data.subarray(4, 4 + packBytes), hadHeader: true, trailingBytes: data.length - 4 - packBytes };
    }
  }
  if (data.length > 0 && !isPackType(data[0])) {
    throw new FormatError('CD-TEXT dump starts neither with a pack (type 0x80-0x8F) nor with a READ TOC header');
  }
  const whole = data.length - (data.length % CD_TEXT_PACK_SIZE);
  return { packs: data.subarray(0, whole), hadHeader: false, trailingBytes: data.length - whole };
}

// ---------------------------------------------------------------------------------------------
// Parsing

function decodeLatin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Splits a text stream into NUL-terminated strings; the unterminated remainder (padding) is dropped. */
function splitStrings(stream: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < stream.length; i++) {
    if (stream[i] === 0) {
      out.push(decodeLatin1(stream, start, i));
      start = i + 1;
    }
  }
  return out;
}

function concatPayloads(packs: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(packs.length * PAYLOAD);
  packs.forEach((pack, i) => out.set(pack.subarray(4, 16), i * PAYLOAD));
  return out;
}

function toPackList(input: Uint8Array | readonly Uint8Array[]): Uint8Array[] {
  if (input instanceof Uint8Array) {
    if (input.length % CD_TEXT_PACK_SIZE !== 0) {
      throw new FormatError(`CD-TEXT data is ${input.length} bytes, not a multiple of ${CD_TEXT_PACK_SIZE}`);
    }
    const packs: Uint8Array[] = [];
    for (let o = 0; o < input.length; o += CD_TEXT_PACK_SIZE) packs.push(input.subarray(o, o + CD_TEXT_PACK_SIZE));
    return packs;
  }
  if (!Array.isArray(input)) throw new TypeError('Expected CD-TEXT packs as a Uint8Array or an array of 18-byte Uint8Arrays');
  return input.map((pack, i) => {
    if (!(pack instanceof Uint8Array) || pack.length !== CD_TEXT_PACK_SIZE) {
      throw new FormatError(`CD-TEXT pack ${i} is not ${CD_TEXT_PACK_SIZE} bytes`);
    }
    return pack;
  });
}

const CHARACTER_CODE_NAMES: Readonly<Record<number, string>> = { 0x80: 'MS-JIS', 0x81: 'Korean', 0x82: 'Mandarin' };

/**
 * Parses CD-TEXT packs (all of them concatenated, or a list of 18-byte packs) into language
 * blocks. Every pack's CRC is checked and failures listed in `badCrcPacks`; the text is decoded
 * regardless. Throws FormatError for a length that is not whole packs, and for MS-JIS/double-byte
 * blocks unless `unsupportedBlocks: 'skip'`.
 */
export function parseCdText(input: Uint8Array | readonly Uint8Array[], options: ParseCdTextOptions = {}): CdText {
  const packs = toPackList(input);
  const badCrcPacks: number[] = [];
  const byBlock = new Map<number, Uint8Array[]>();
  packs.forEach((pack, i) => {
    if (crc16Gsm(pack, 0, 16) !== ((pack[16]! << 8) | pack[17]!)) badCrcPacks.push(i);
    if (!isPackType(pack[0])) return;
    const block = (pack[3]! >> 4) & 0x07;
    let list = byBlock.get(block);
    if (list === undefined) byBlock.set(block, (list = []));
    list.push(pack);
  });

  const blocks: CdTextBlock[] = [];
  const skippedBlocks: CdText['skippedBlocks'] = [];
  for (const blockNumber of [...byBlock.keys()].sort((a, b) => a - b)) {
    const blockPacks = byBlock.get(blockNumber)!;
    const ofType = (type: number): Uint8Array[] => blockPacks.filter((p) => p[0] === type);
    const sizePacks = ofType(CdTextPackType.SIZE_INFO).sort((a, b) => (a[1]! & 0x7f) - (b[1]! & 0x7f));
    const size = sizePacks.length >= 3 ? concatPayloads(sizePacks.slice(0, 3)) : undefined;
    const characterCode = size?.[0] ?? CdTextCharacterCode.ISO_8859_1;
    const doubleByte = blockPacks.some((p) => (p[3]! & 0x80) !== 0);
    if (doubleByte || (characterCode !== CdTextCharacterCode.ISO_8859_1 && characterCode !== CdTextCharacterCode.ASCII)) {
      const codeName = CHARACTER_CODE_NAMES[characterCode] ?? 'unknown';
      const reason = `character code 0x${characterCode.toString(16).padStart(2, '0')} (${codeName})${
        doubleByte ? ' with double-byte packs' : ''
      } is not supported; only ISO-8859-1 and ASCII are`;
      if (options.unsupportedBlocks === 'skip') {
        skippedBlocks.push({ blockNumber, reason });
        continue;
      }
      throw new FormatError(`CD-TEXT block ${blockNumber}: ${reason}`);
    }

    // Text streams: strings by track, starting at the first pack's track number.
    const streams = new Map<number, { firstTrack: number; strings: string[]; payload: Uint8Array }>();
    for (const type of [0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x8d, 0x8e]) {
      const list = ofType(type);
      if (list.length === 0) continue;
      const payload = concatPayloads(list);
      const strings = type === CdTextPackType.GENRE ? [] : splitStrings(payload);
      streams.set(type, { firstTrack: list[0]![1]! & 0x7f, strings, payload });
    }
    // A stream normally starts with the album (track 0) and continues with firstTrack, firstTrack+1…
    const trackOfString = (stream: { firstTrack: number }, i: number, first: number): number =>
      stream.firstTrack === 0 ? (i === 0 ? 0 : first + i - 1) : stream.firstTrack + i;
    const firstTrack = size?.[1] ?? 1;
    let lastTrack = size?.[2] ?? 0;
    if (size === undefined) {
      // No size information: tracks from 1 to the last non-empty per-track string.
      for (const [type, s] of streams) {
        if ((type >= 0x80 && type <= 0x85) || type === 0x8e) {
          let last = s.strings.length - 1;
          while (last >= 0 && s.strings[last] === '') last--;
          if (last >= 0) lastTrack = Math.max(lastTrack, trackOfString(s, last, firstTrack));
        }
      }
    }

    const album: CdTextAlbum = {};
    const tracks: CdTextTrack[] = [];
    for (let n = firstTrack; n <= lastTrack && n >= 1; n++) tracks.push({ number: n });
    const trackEntry = (n: number): CdTextTrack | undefined => tracks[n - firstTrack];

    const perTrack = (type: number, assign: (track: number, value: string) => void): void => {
      const s = streams.get(type);
      if (s === undefined) return;
      let previous: string | undefined;
      s.strings.forEach((raw, i) => {
        const track = trackOfString(s, i, firstTrack);
        const value = raw === '\t' && previous !== undefined ? previous : raw;
        previous = value;
        if (value !== '') assign(track, value);
      });
    };
    for (const [type, field] of TRACK_TEXT_TYPES) {
      perTrack(type, (track, value) => {
        if (track === 0) album[field] = value;
        else {
          const entry = trackEntry(track);
          if (entry !== undefined) entry[field] = value;
        }
      });
    }
    perTrack(CdTextPackType.UPC_ISRC, (track, value) => {
      if (track === 0) album.upcEan = value;
      else {
        const entry = trackEntry(track);
        if (entry !== undefined) entry.isrc = value;
      }
    });
    const discId = streams.get(CdTextPackType.DISC_ID)?.strings[0];
    if (discId !== undefined && discId !== '') album.discId = discId;
    const closedInfo = streams.get(CdTextPackType.CLOSED_INFO)?.strings[0];
    if (closedInfo !== undefined && closedInfo !== '') album.closedInfo = closedInfo;
    const genre = streams.get(CdTextPackType.GENRE)?.payload;
    if (genre !== undefined && genre.length >= 2) {
      const text = splitStrings(genre.subarray(2))[0] ?? '';
      album.genre = { code: (genre[0]! << 8) | genre[1]!, text };
    }

    blocks.push({
      blockNumber,
      languageCode: size?.[28 + blockNumber] ?? 0,
      characterCode,
      firstTrack,
      lastTrack,
      copyright: size?.[3] ?? 0,
      album,
      tracks,
    });
  }
  return { blocks, badCrcPacks, skippedBlocks };
}

// ---------------------------------------------------------------------------------------------
// Building

/** A block to build: like {@link CdTextBlock}, with defaults for the bookkeeping fields. */
export interface CdTextBlockInput {
  /** Default: position in the array. */
  blockNumber?: number;
  languageCode: number;
  /** Default 0x00 (ISO-8859-1). */
  characterCode?: number;
  /** Default: lowest / highest track number in `tracks`. */
  firstTrack?: number;
  lastTrack?: number;
  /** Default 0. */
  copyright?: number;
  album?: CdTextAlbum;
  tracks?: readonly CdTextTrack[];
}

export interface BuildCdTextOptions {
  /** Encode a track string equal to the previous track's as a single TAB (saves space). Default false. */
  tabForRepeats?: boolean;
}

interface TextItem {
  track: number;
  bytes: Uint8Array;
  /** Leading bytes that are not characters (the genre code): excluded from character positions. */
  prefix: number;
}

function encodeText(value: string, characterCode: number, what: string): Uint8Array {
  if (typeof value !== 'string') throw new TypeError(`Expected ${what} to be a string`);
  const max = characterCode === CdTextCharacterCode.ASCII ? 0x7f : 0xff;
  const out = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c > max) {
      throw new RangeError(
        `${what}: character ${JSON.stringify(value[i])} cannot be encoded in ${
          characterCode === CdTextCharacterCode.ASCII ? 'ASCII' : 'ISO-8859-1'
        }`,
      );
    }
    out[i] = c;
  }
  return out;
}

/** Packs for one stream of items: NUL-terminated strings cut into 12-byte payloads. */
function textPacks(type: number, items: readonly TextItem[], blockNumber: number, emit: (header: number[], payload: Uint8Array) => void): void {
  let total = 0;
  const starts: number[] = [];
  for (const item of items) {
    starts.push(total);
    total += item.bytes.length + 1;
  }
  const stream = new Uint8Array(Math.ceil(total / PAYLOAD) * PAYLOAD);
  items.forEach((item, i) => stream.set(item.bytes, starts[i]!));
  let k = 0;
  for (let offset = 0; offset < total; offset += PAYLOAD) {
    while (k + 1 < items.length && starts[k + 1]! <= offset) k++;
    const item = items[k]!;
    const position = Math.min(15, Math.max(0, offset - starts[k]! - item.prefix));
    emit([type, item.track, 0, (blockNumber << 4) | position], stream.subarray(offset, offset + PAYLOAD));
  }
}

function checkRange(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`Expected "${name}" to be an integer between ${min} and ${max}, got ${String(value)}`);
  }
  return value;
}

/**
 * Builds the packs (concatenated, n × 18 bytes) for up to 8 language blocks: per block, types
 * 0x80-0x87, 0x8D, 0x8E in that order, then the three size-information packs; sequence numbers
 * restart at 0 in each block; CRCs filled in. TOC packs (0x88/0x89) are not generated. A per-track
 * type present for any track (or the album) gets a string for the album and every track (empty
 * when absent). Throws RangeError for unsupported character codes, unencodable characters, more
 * than 256 packs in a block, or track numbers outside 1-99.
 */
export function buildCdTextPacks(blocks: readonly CdTextBlockInput[], options: BuildCdTextOptions = {}): Uint8Array {
  if (!Array.isArray(blocks) || blocks.length < 1 || blocks.length > 8) {
    throw new RangeError('Expected 1 to 8 CD-TEXT blocks');
  }
  interface Prepared {
    blockNumber: number;
    input: CdTextBlockInput;
    characterCode: number;
    firstTrack: number;
    lastTrack: number;
    packs: Uint8Array[];
  }
  const prepared: Prepared[] = [];
  const seen = new Set<number>();
  blocks.forEach((input, index) => {
    const blockNumber = checkRange('blockNumber', input.blockNumber ?? index, 0, 7);
    if (seen.has(blockNumber)) throw new RangeError(`CD-TEXT block number ${blockNumber} is used twice`);
    seen.add(blockNumber);
    checkRange('languageCode', input.languageCode, 0, 0xff);
    const characterCode = input.characterCode ?? CdTextCharacterCode.ISO_8859_1;
    if (characterCode !== CdTextCharacterCode.ISO_8859_1 && characterCode !== CdTextCharacterCode.ASCII) {
      throw new RangeError(
        `CD-TEXT block ${blockNumber}: character code 0x${Number(characterCode).toString(16)} is not supported (only 0x00 ISO-8859-1 and 0x01 ASCII)`,
      );
    }
    const tracks: readonly CdTextTrack[] = input.tracks ?? [];
    const numbers = tracks.map((t) => checkRange('track number', t.number, 1, 99));
    const firstTrack = checkRange('firstTrack', input.firstTrack ?? (numbers.length ? Math.min(...numbers) : 1), 1, 99);
    const lastTrack = checkRange('lastTrack', input.lastTrack ?? (numbers.length ? Math.max(...numbers) : firstTrack), firstTrack, 99);
    const byNumber = new Map<number, CdTextTrack>();
    for (const t of tracks) {
      if (t.number < firstTrack || t.number > lastTrack) {
        throw new RangeError(`CD-TEXT block ${blockNumber}: track ${t.number} is outside ${firstTrack}-${lastTrack}`);
      }
      byNumber.set(t.number, t);
    }
    const album = input.album ?? {};
    const packs: Uint8Array[] = [];
    const emit = (header: number[], payload: Uint8Array): void => {
      const pack = new Uint8Array(CD_TEXT_PACK_SIZE);
      pack.set(header, 0);
      pack.set(payload, 4);
      packs.push(pack);
    };
    const text = (value: string, what: string): Uint8Array => encodeText(value, characterCode, `CD-TEXT block ${blockNumber} ${what}`);
    const perTrackItems = (albumValue: string | undefined, trackValue: (t: CdTextTrack | undefined) => string | undefined, what: string): TextItem[] | undefined => {
      const values: Array<string | undefined> = [albumValue];
      for (let n = firstTrack; n <= lastTrack; n++) values.push(trackValue(byNumber.get(n)));
      if (values.every((v) => v === undefined || v === '')) return undefined;
      return values.map((v, i) => {
        const track = i === 0 ? 0 : firstTrack + i - 1;
        const repeat = options.tabForRepeats === true && i >= 2 && v !== undefined && v !== '' && v === values[i - 1];
        return { track, bytes: repeat ? Uint8Array.of(0x09) : text(v ?? '', `${what} of ${track === 0 ? 'the album' : `track ${track}`}`), prefix: 0 };
      });
    };

    for (const [type, field] of TRACK_TEXT_TYPES) {
      const items = perTrackItems(album[field], (t) => t?.[field], field);
      if (items !== undefined) textPacks(type, items, blockNumber, emit);
    }
    if (album.discId !== undefined && album.discId !== '') {
      textPacks(CdTextPackType.DISC_ID, [{ track: 0, bytes: text(album.discId, 'discId'), prefix: 0 }], blockNumber, emit);
    }
    if (album.genre !== undefined) {
      const code = checkRange('genre.code', album.genre.code, 0, 0xffff);
      const genreText = text(album.genre.text ?? '', 'genre text');
      const bytes = new Uint8Array(2 + genreText.length);
      bytes[0] = code >> 8;
      bytes[1] = code & 0xff;
      bytes.set(genreText, 2);
      textPacks(CdTextPackType.GENRE, [{ track: 0, bytes, prefix: 2 }], blockNumber, emit);
    }
    if (album.closedInfo !== undefined && album.closedInfo !== '') {
      textPacks(CdTextPackType.CLOSED_INFO, [{ track: 0, bytes: text(album.closedInfo, 'closedInfo'), prefix: 0 }], blockNumber, emit);
    }
    const codes = perTrackItems(album.upcEan, (t) => t?.isrc, 'UPC/ISRC');
    if (codes !== undefined) textPacks(CdTextPackType.UPC_ISRC, codes, blockNumber, emit);
    if (packs.length + 3 > 256) {
      throw new RangeError(`CD-TEXT block ${blockNumber} needs ${packs.length + 3} packs; at most 256 fit`);
    }
    prepared.push({ blockNumber, input, characterCode, firstTrack, lastTrack, packs });
  });

  // Size information needs every block's last sequence number and language.
  const lastSequence = new Uint8Array(8);
  const languages = new Uint8Array(8);
  for (const p of prepared) {
    lastSequence[p.blockNumber] = p.packs.length + 3 - 1;
    languages[p.blockNumber] = p.input.languageCode;
  }
  const out: Uint8Array[] = [];
  for (const p of prepared.sort((a, b) => a.blockNumber - b.blockNumber)) {
    const size = new Uint8Array(36);
    size[0] = p.characterCode;
    size[1] = p.firstTrack;
    size[2] = p.lastTrack;
    size[3] = checkRange('copyright', p.input.copyright ?? 0, 0, 0xff);
    for (const pack of p.packs) size[4 + (pack[0]! - 0x80)]!++;
    size[4 + 15] = 3;
    size.set(lastSequence, 20);
    size.set(languages, 28);
    for (let i = 0; i < 3; i++) {
      const pack = new Uint8Array(CD_TEXT_PACK_SIZE);
      pack.set([CdTextPackType.SIZE_INFO, i, 0, p.blockNumber << 4], 0);
      pack.set(size.subarray(i * PAYLOAD, (i + 1) * PAYLOAD), 4);
      p.packs.push(pack);
    }
    p.packs.forEach((pack, sequence) => {
      pack[2] = sequence;
      const crc = crc16Gsm(pack, 0, 16);
      pack[16] = crc >> 8;
      pack[17] = crc & 0xff;
      out.push(pack);
    });
  }
  const result = new Uint8Array(out.length * CD_TEXT_PACK_SIZE);
  out.forEach((pack, i) => result.set(pack, i * CD_TEXT_PACK_SIZE));
  return result;
}
