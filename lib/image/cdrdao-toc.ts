/**
 * cdrdao TOC files: `parseCdrdaoToc` reads one into a `CdrdaoToc`, `formatCdrdaoToc` writes one.
 *
 * Grammar (cdrdao(1) "TOC FILES"; keywords case-sensitive as in cdrdao):
 *
 *     toc    := (CATALOG "13 digits" | CD_DA | CD_ROM | CD_ROM_XA | CD_I)* [FIRST_TRACK_NO n]
 *               [CD_TEXT { [LANGUAGE_MAP { n : code … }] (LANGUAGE n { item value … })* }] track+
 *     track  := TRACK mode [RW | RW_RAW]
 *               (ISRC "…" | [NO] COPY | [NO] PRE_EMPHASIS | TWO_CHANNEL_AUDIO | FOUR_CHANNEL_AUDIO)*
 *               [CD_TEXT { (LANGUAGE n { … })* }] [PREGAP msf]
 *               (SILENCE len | ZERO [mode] [RW|RW_RAW] len | (FILE|AUDIOFILE) "f" [SWAP] [#off] start [len]
 *                | DATAFILE "f" [#off] [len] | FIFO "f" len | START [msf] | END [msf])+ (INDEX msf)*
 *
 * Checks as cdrdao makes them: mm:ss:ff with ss < 60 and ff < 75, 13-digit CATALOG, ISRC
 * CCOOOYYSSSSS, non-zero PREGAP/SILENCE/ZERO, one START (or PREGAP) and one END per track, START,
 * END and INDEX inside the track when its length is known, INDEX increments rising and at most 98,
 * at most 99 tracks, CD-TEXT languages 0-7, codes 0-255, binary bytes 0-255, no disc-only item in
 * a track block. Like libcdio — whose test TOCs rely on it — and unlike cdrdao, FILE and SILENCE are
 * accepted in data tracks and FILE/DATAFILE statements may be mixed.
 *
 * Whether referenced files exist is for `loadCdrdaoToc` (sheet-loader.ts); nothing here reads files.
 */

import { FormatError } from '../errors.js';
import {
  CDRDAO_CD_TEXT_ENCODINGS,
  CDRDAO_CD_TEXT_ITEMS,
  CDRDAO_DISC_ONLY_CD_TEXT_ITEMS,
  CDRDAO_TOC_TYPES,
  CDRDAO_TRACK_MODES,
  isCdrdaoSource,
  type CdrdaoCdTextBlock,
  type CdrdaoCdTextEncoding,
  type CdrdaoCdTextItem,
  type CdrdaoCdTextItemName,
  type CdrdaoDataMode,
  type CdrdaoDiscCdText,
  type CdrdaoLength,
  type CdrdaoLanguageMapping,
  type CdrdaoSource,
  type CdrdaoSubChannelMode,
  type CdrdaoToc,
  type CdrdaoTocType,
  type CdrdaoTrack,
  type CdrdaoTrackMode,
  type CdrdaoTrackStatement,
} from './cdrdao-toc-model.js';
import { walkCdrdaoTrack } from './cdrdao-toc-layout.js';
import { describeTocToken, TocLexer, type TocToken } from './cdrdao-toc-lexer.js';
import { FRAMES_PER_SECOND, MAX_SHEET_MINUTES, formatMsfDuration, msfToFrames } from './msf-duration.js';
import { rejectBinaryText, stripByteOrderMark, type ParseSheetOptions } from './sheet-text.js';

const MAX_TRACKS = 99;
const MAX_INDEX_INCREMENTS = 98;
const MAX_CD_TEXT_BINARY_BYTES = 256 * 12;
const CATALOG_PATTERN = /^\d{13}$/;
const ISRC_PATTERN = /^[A-Z0-9]{5}\d{7}$/;

const TOC_TYPES: ReadonlySet<string> = new Set(CDRDAO_TOC_TYPES);
const TRACK_MODES: ReadonlySet<string> = new Set(CDRDAO_TRACK_MODES);
const DATA_MODES: ReadonlySet<string> = new Set([...CDRDAO_TRACK_MODES, 'MODE0']);
const CD_TEXT_ITEMS: ReadonlySet<string> = new Set(CDRDAO_CD_TEXT_ITEMS);
const CD_TEXT_ENCODINGS: ReadonlySet<string> = new Set(CDRDAO_CD_TEXT_ENCODINGS);

class TocParser {
  private readonly lexer: TocLexer;
  private readonly file: string | undefined;

  constructor(text: string, fileName: string | undefined) {
    this.lexer = new TocLexer(text, fileName);
    this.file = fileName;
  }

  private error(message: string, at: { line: number; column?: number | undefined }): FormatError {
    return new FormatError(message, { file: this.file, line: at.line, column: at.column });
  }

  private isWord(word: string, ahead = 0): boolean {
    const token = this.lexer.peek(ahead);
    return token.kind === 'word' && token.text === word;
  }

  private isPunct(char: string, ahead = 0): boolean {
    const token = this.lexer.peek(ahead);
    return token.kind === 'punct' && token.text === char;
  }

  private expectPunct(char: string, context: string): TocToken {
    const token = this.lexer.next();
    if (token.kind !== 'punct' || token.text !== char) {
      throw this.error(`expected "${char}" ${context}, got ${describeTocToken(token)}`, token);
    }
    return token;
  }

  private expectString(context: string, allowEmpty = false): TocToken {
    const token = this.lexer.next();
    if (token.kind !== 'string') throw this.error(`expected a quoted string ${context}, got ${describeTocToken(token)}`, token);
    if (!allowEmpty && token.text === '') throw this.error(`empty string ${context}`, token);
    return token;
  }

  private expectInteger(context: string, min: number, max: number): TocToken {
    const token = this.lexer.next();
    if (token.kind !== 'integer') throw this.error(`expected a number ${context}, got ${describeTocToken(token)}`, token);
    if (token.value < min || token.value > max) throw this.error(`${context}: ${token.text} is not in ${min}-${max}`, token);
    return token;
  }

  parse(): CdrdaoToc {
    const toc: CdrdaoToc = { fileName: this.file, tocType: 'CD_DA', tracks: [] };
    for (;;) {
      const token = this.lexer.peek();
      if (token.kind !== 'word') break;
      if (token.text === 'CATALOG') {
        this.lexer.next();
        const value = this.expectString('after CATALOG');
        if (!CATALOG_PATTERN.test(value.text)) throw this.error(`CATALOG must be 13 digits, got "${value.text}"`, value);
        toc.catalog = value.text;
      } else if (TOC_TYPES.has(token.text)) {
        this.lexer.next();
        toc.tocType = token.text as CdrdaoTocType;
      } else {
        break;
      }
    }
    if (this.isWord('FIRST_TRACK_NO')) {
      this.lexer.next();
      toc.firstTrackNumber = this.expectInteger('after FIRST_TRACK_NO', 1, MAX_TRACKS).value;
    }
    if (this.isWord('CD_TEXT')) toc.cdText = this.discCdText();

    const firstNumber = toc.firstTrackNumber ?? 1;
    while (this.isWord('TRACK')) {
      const number = firstNumber + toc.tracks.length;
      if (number > MAX_TRACKS) throw this.error(`more than ${MAX_TRACKS} tracks`, this.lexer.peek());
      toc.tracks.push(this.track(number));
    }
    const token = this.lexer.peek();
    if (toc.tracks.length === 0) {
      throw this.error(`expected TRACK, got ${describeTocToken(token)}`, token);
    }
    if (token.kind !== 'eof') {
      const last = firstNumber + toc.tracks.length - 1;
      throw this.error(`unexpected ${describeTocToken(token)} in track ${last} (expected INDEX, TRACK or end of file)`, token);
    }
    return toc;
  }

  // -- CD-TEXT ------------------------------------------------------------------------------

  private discCdText(): CdrdaoDiscCdText {
    const keyword = this.lexer.next();
    this.expectPunct('{', 'after CD_TEXT');
    const cdText: CdrdaoDiscCdText = { languageMap: [], blocks: [], line: keyword.line };
    if (this.isWord('LANGUAGE_MAP')) cdText.languageMap = this.languageMap();
    cdText.blocks = this.cdTextBlocks(false);
    this.expectPunct('}', 'to close CD_TEXT');
    return cdText;
  }

  private trackCdText(): CdrdaoCdTextBlock[] {
    this.lexer.next();
    this.expectPunct('{', 'after CD_TEXT');
    const blocks = this.cdTextBlocks(true);
    this.expectPunct('}', 'to close CD_TEXT');
    return blocks;
  }

  private languageMap(): CdrdaoLanguageMapping[] {
    this.lexer.next();
    this.expectPunct('{', 'after LANGUAGE_MAP');
    const map: CdrdaoLanguageMapping[] = [];
    while (!this.isPunct('}')) {
      const language = this.expectInteger('as language number in LANGUAGE_MAP', 0, 7).value;
      this.expectPunct(':', 'after the language number');
      const codeToken = this.lexer.next();
      if (codeToken.kind === 'word' && codeToken.text === 'EN') {
        map.push({ language, code: 'EN' });
      } else if (codeToken.kind === 'integer' && codeToken.value <= 255) {
        map.push({ language, code: codeToken.value });
      } else {
        throw this.error(`language code must be 0-255 or EN, got ${describeTocToken(codeToken)}`, codeToken);
      }
    }
    if (map.length === 0) throw this.error('LANGUAGE_MAP is empty', this.lexer.peek());
    this.lexer.next();
    return map;
  }

  private cdTextBlocks(isTrack: boolean): CdrdaoCdTextBlock[] {
    const blocks: CdrdaoCdTextBlock[] = [];
    while (this.isWord('LANGUAGE')) {
      const keyword = this.lexer.next();
      const numberToken = this.expectInteger('after LANGUAGE', 0, 7);
      if (blocks.some((block) => block.language === numberToken.value)) {
        throw this.error(`LANGUAGE ${numberToken.value} appears twice in this CD_TEXT`, numberToken);
      }
      this.expectPunct('{', `after LANGUAGE ${numberToken.value}`);
      const block: CdrdaoCdTextBlock = { language: numberToken.value, items: [], line: keyword.line };
      while (!this.isPunct('}')) {
        const token = this.lexer.next();
        if (token.kind === 'word' && CD_TEXT_ENCODINGS.has(token.text)) {
          if (block.encoding !== undefined) throw this.error('a CD-TEXT block has one encoding', token);
          block.encoding = token.text as CdrdaoCdTextEncoding;
          continue;
        }
        if (token.kind !== 'word' || !CD_TEXT_ITEMS.has(token.text)) {
          throw this.error(`expected a CD-TEXT item (TITLE, PERFORMER, …) or "}", got ${describeTocToken(token)}`, token);
        }
        const name = token.text as CdrdaoCdTextItemName;
        if (isTrack && CDRDAO_DISC_ONLY_CD_TEXT_ITEMS.has(name)) {
          throw this.error(`${name} is not allowed in a track's CD_TEXT`, token);
        }
        block.items.push({ name, value: this.cdTextValue(name), line: token.line });
      }
      this.lexer.next();
      blocks.push(block);
    }
    return blocks;
  }

  private cdTextValue(name: string): string | number[] {
    if (!this.isPunct('{')) return this.expectString(`after ${name}`, true).text;
    this.lexer.next();
    const bytes: number[] = [];
    while (!this.isPunct('}')) {
      if (bytes.length > 0) this.expectPunct(',', 'between binary values');
      const token = this.expectInteger(`in ${name} binary data`, 0, 255);
      if (bytes.length >= MAX_CD_TEXT_BINARY_BYTES) {
        throw this.error(`${name} binary data exceeds ${MAX_CD_TEXT_BINARY_BYTES} bytes`, token);
      }
      bytes.push(token.value);
    }
    this.lexer.next();
    return bytes;
  }

  // -- tracks -------------------------------------------------------------------------------

  private track(number: number): CdrdaoTrack {
    const keyword = this.lexer.next();
    const modeToken = this.lexer.next();
    if (modeToken.kind !== 'word' || !TRACK_MODES.has(modeToken.text)) {
      throw this.error(`expected a track mode (${CDRDAO_TRACK_MODES.join(', ')}) after TRACK, got ${describeTocToken(modeToken)}`, modeToken);
    }
    const track: CdrdaoTrack = {
      mode: modeToken.text as CdrdaoTrackMode,
      copy: false,
      preEmphasis: false,
      fourChannelAudio: false,
      statements: [],
      indexes: [],
      line: keyword.line,
    };
    const subChannel = this.subChannelMode();
    if (subChannel !== undefined) track.subChannelMode = subChannel;
    this.trackFlags(track);
    if (this.isWord('CD_TEXT')) track.cdText = this.trackCdText();
    let startLine: number | undefined;
    if (this.isWord('PREGAP')) {
      const pregap = this.lexer.next();
      const frames = this.msf();
      if (frames === 0) throw this.error('PREGAP length is zero', pregap);
      track.pregapFrames = frames;
      startLine = pregap.line;
    }
    let endLine: number | undefined;
    for (;;) {
      const token = this.lexer.peek();
      if (token.kind !== 'word') break;
      if (token.text === 'START' || token.text === 'END') {
        this.lexer.next();
        const previous = token.text === 'START' ? startLine : endLine;
        if (previous !== undefined) {
          const what = token.text === 'START' ? 'track start (end of pre-gap)' : 'track end (start of post-gap)';
          throw this.error(`${what} already defined on line ${previous}`, token);
        }
        if (token.text === 'START') startLine = token.line;
        else endLine = token.line;
        const frames = this.lexer.peek().kind === 'integer' ? this.msf() : undefined;
        track.statements.push({ kind: token.text === 'START' ? 'start' : 'end', frames, line: token.line });
        continue;
      }
      const source = this.source(track);
      if (source === undefined) break;
      track.statements.push(source);
    }
    if (!track.statements.some(isCdrdaoSource)) {
      const token = this.lexer.peek();
      throw this.error(
        `track ${number} has no data: expected SILENCE, ZERO, FILE, AUDIOFILE, DATAFILE or FIFO, got ${describeTocToken(token)}`,
        token,
      );
    }
    const indexLines: TocToken[] = [];
    while (this.isWord('INDEX')) {
      const index = this.lexer.next();
      const frames = this.msf();
      if (frames === 0) throw this.error('INDEX at the start of the track', index);
      const previous = track.indexes[track.indexes.length - 1];
      if (previous !== undefined && frames <= previous) {
        throw this.error(`INDEX ${formatMsfDuration(frames)} is not after the previous INDEX ${formatMsfDuration(previous)}`, index);
      }
      if (track.indexes.length >= MAX_INDEX_INCREMENTS) throw this.error(`more than ${MAX_INDEX_INCREMENTS} index increments`, index);
      track.indexes.push(frames);
      indexLines.push(index);
    }
    this.checkPositions(track, indexLines);
    return track;
  }

  private subChannelMode(): CdrdaoSubChannelMode | undefined {
    if (this.isWord('RW') || this.isWord('RW_RAW')) return this.lexer.next().text as CdrdaoSubChannelMode;
    return undefined;
  }

  private trackFlags(track: CdrdaoTrack): void {
    for (;;) {
      const token = this.lexer.peek();
      if (token.kind !== 'word') return;
      switch (token.text) {
        case 'ISRC': {
          this.lexer.next();
          const value = this.expectString('after ISRC');
          if (!ISRC_PATTERN.test(value.text)) {
            throw this.error(`ISRC must be 12 characters CCOOOYYSSSSS (5 upper-case letters or digits, then 7 digits), got "${value.text}"`, value);
          }
          track.isrc = value.text;
          break;
        }
        case 'NO': {
          this.lexer.next();
          const what = this.lexer.next();
          if (what.kind === 'word' && what.text === 'COPY') track.copy = false;
          else if (what.kind === 'word' && what.text === 'PRE_EMPHASIS') track.preEmphasis = false;
          else throw this.error(`expected COPY or PRE_EMPHASIS after NO, got ${describeTocToken(what)}`, what);
          break;
        }
        case 'COPY':
          this.lexer.next();
          track.copy = true;
          break;
        case 'PRE_EMPHASIS':
          this.lexer.next();
          track.preEmphasis = true;
          break;
        case 'TWO_CHANNEL_AUDIO':
          this.lexer.next();
          track.fourChannelAudio = false;
          break;
        case 'FOUR_CHANNEL_AUDIO':
          this.lexer.next();
          track.fourChannelAudio = true;
          break;
        default:
          return;
      }
    }
  }

  /** One data statement, or undefined when the next token starts none. */
  private source(track: CdrdaoTrack): CdrdaoSource | undefined {
    const token = this.lexer.peek();
    switch (token.text) {
      case 'FILE':
      case 'AUDIOFILE': {
        this.lexer.next();
        const name = this.expectString(`after ${token.text}`).text;
        let swap = false;
        if (this.isWord('SWAP')) {
          this.lexer.next();
          swap = true;
        }
        const byteOffset = this.byteOffset();
        const start = this.length('samples', `start position after ${token.text} "${name}"`);
        const length = this.lexer.peek().kind === 'integer' ? this.length('samples', 'length') : undefined;
        return { kind: 'audio-file', keyword: token.text, name, swap, byteOffset, start, length, line: token.line };
      }
      case 'DATAFILE': {
        this.lexer.next();
        const name = this.expectString('after DATAFILE').text;
        const byteOffset = this.byteOffset();
        const length = this.lexer.peek().kind === 'integer' ? this.length('bytes', 'length') : undefined;
        return { kind: 'data-file', name, byteOffset, length, line: token.line };
      }
      case 'FIFO': {
        this.lexer.next();
        const name = this.expectString('after FIFO').text;
        return { kind: 'fifo', name, length: this.length('bytes', `length after FIFO "${name}"`), line: token.line };
      }
      case 'SILENCE': {
        this.lexer.next();
        const length = this.length('samples', 'after SILENCE');
        if (length.value === 0) throw this.error('SILENCE length is zero', token);
        return { kind: 'silence', length, line: token.line };
      }
      case 'ZERO': {
        this.lexer.next();
        let dataMode: CdrdaoDataMode | undefined;
        const modeToken = this.lexer.peek();
        if (modeToken.kind === 'word' && DATA_MODES.has(modeToken.text)) {
          this.lexer.next();
          dataMode = modeToken.text as CdrdaoDataMode;
        }
        const subChannelMode = this.subChannelMode();
        const length = this.length('bytes', 'after ZERO');
        if (length.value === 0) throw this.error('ZERO length is zero', token);
        return { kind: 'zero', dataMode, subChannelMode, length, line: token.line };
      }
      default:
        if (track.statements.length === 0 && token.kind === 'word' && !['INDEX', 'TRACK'].includes(token.text)) {
          throw this.error(`unexpected ${describeTocToken(token)} in TRACK (expected flags, CD_TEXT, PREGAP or data)`, token);
        }
        return undefined;
    }
  }

  private byteOffset(): number | undefined {
    if (!this.isPunct('#')) return undefined;
    this.lexer.next();
    return this.expectInteger('after #', 0, Number.MAX_SAFE_INTEGER).value;
  }

  /** `mm:ss:ff` (frames) or a plain number in `unit`. */
  private length(unit: 'samples' | 'bytes', context: string): CdrdaoLength {
    const token = this.lexer.peek();
    if (token.kind !== 'integer') throw this.error(`expected mm:ss:ff or a number ${context}, got ${describeTocToken(token)}`, token);
    if (this.isPunct(':', 1)) return { unit: 'frames', value: this.msf() };
    this.lexer.next();
    return { unit, value: token.value };
  }

  /** `mm:ss:ff` → frames. */
  private msf(): number {
    const minute = this.lexer.next();
    if (minute.kind !== 'integer') throw this.error(`expected mm:ss:ff, got ${describeTocToken(minute)}`, minute);
    this.expectPunct(':', 'after the minutes of mm:ss:ff');
    const second = this.lexer.next();
    if (second.kind !== 'integer') throw this.error(`expected the seconds of mm:ss:ff, got ${describeTocToken(second)}`, second);
    this.expectPunct(':', 'after the seconds of mm:ss:ff');
    const frame = this.lexer.next();
    if (frame.kind !== 'integer') throw this.error(`expected the frames of mm:ss:ff, got ${describeTocToken(frame)}`, frame);
    if (minute.value > MAX_SHEET_MINUTES) throw this.error(`minutes field ${minute.text} is too large`, minute);
    if (second.value >= 60) throw this.error(`seconds field ${second.text} must be below 60`, second);
    if (frame.value >= FRAMES_PER_SECOND) throw this.error(`frames field ${frame.text} must be below 75`, frame);
    return msfToFrames({ minute: minute.value, second: second.value, frame: frame.value });
  }

  /** START/END/INDEX against the track length, when the TOC alone determines it. */
  private checkPositions(track: CdrdaoTrack, indexTokens: TocToken[]): void {
    const walk = walkCdrdaoTrack(track);
    const length = walk.lengthFrames;
    if (length === undefined || !Number.isSafeInteger(length)) return;
    const start = walk.start;
    if (start?.frames !== undefined && start.frames >= length) {
      throw this.error(`START ${formatMsfDuration(start.frames)} is at or behind the track end (${formatMsfDuration(length)})`, {
        line: start.line ?? track.line ?? 1,
      });
    }
    const index1 = walk.index1Frames ?? 0;
    track.indexes.forEach((offset, i) => {
      if (index1 + offset >= length) {
        throw this.error(`INDEX ${formatMsfDuration(offset)} is beyond the track end`, indexTokens[i] ?? { line: track.line ?? 1 });
      }
    });
    const end = walk.end;
    if (end?.frames !== undefined) {
      const at = { line: end.line ?? track.line ?? 1 };
      if (end.frames >= length) throw this.error(`END ${formatMsfDuration(end.frames)} is at or behind the track end`, at);
      if (end.frames <= index1) throw this.error(`END ${formatMsfDuration(end.frames)} is within the pre-gap`, at);
    }
  }
}

/**
 * Parses a cdrdao TOC file. Throws FormatError (file, line, column) for anything malformed; never
 * anything else for any string input.
 */
export function parseCdrdaoToc(text: string, options: ParseSheetOptions = {}): CdrdaoToc {
  if (typeof text !== 'string') throw new TypeError(`Expected "text" to be a string, got ${typeof text}`);
  rejectBinaryText(text, options.fileName, 'TOC file');
  return new TocParser(stripByteOrderMark(text), options.fileName).parse();
}

// ---------------------------------------------------------------------------------------------
// Writing

/** A TOC string: `\"` for quotes, `\ooo` for control characters and for backslashes that would read as escapes. */
function tocString(value: string): string {
  if (typeof value !== 'string') throw new TypeError(`Expected a string, got ${typeof value}`);
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const char = value[i] ?? '';
    const code = value.charCodeAt(i);
    if (char === '"') {
      out += '\\"';
    } else if (char === '\\') {
      const next = value[i + 1];
      const escapeNeeded = next === undefined || next === '"' || /^[0-7]{3}/.test(value.slice(i + 1, i + 4));
      out += escapeNeeded ? '\\134' : '\\';
    } else if (code < 0x20 || code === 0x7f) {
      out += `\\${code.toString(8).padStart(3, '0')}`;
    } else {
      out += char;
    }
  }
  return `${out}"`;
}

function formatLength(length: CdrdaoLength): string {
  return length.unit === 'frames' ? formatMsfDuration(length.value) : String(length.value);
}

function formatStatement(statement: CdrdaoTrackStatement): string {
  switch (statement.kind) {
    case 'start':
    case 'end': {
      const keyword = statement.kind === 'start' ? 'START' : 'END';
      return statement.frames === undefined ? keyword : `${keyword} ${formatMsfDuration(statement.frames)}`;
    }
    case 'silence':
      return `SILENCE ${formatLength(statement.length)}`;
    case 'zero': {
      const parts = ['ZERO'];
      if (statement.dataMode !== undefined) parts.push(statement.dataMode);
      if (statement.subChannelMode !== undefined) parts.push(statement.subChannelMode);
      parts.push(formatLength(statement.length));
      return parts.join(' ');
    }
    case 'audio-file': {
      const parts: string[] = [statement.keyword, tocString(statement.name)];
      if (statement.swap) parts.push('SWAP');
      if (statement.byteOffset !== undefined) parts.push(`#${statement.byteOffset}`);
      parts.push(formatLength(statement.start));
      if (statement.length !== undefined) parts.push(formatLength(statement.length));
      return parts.join(' ');
    }
    case 'data-file': {
      const parts: string[] = ['DATAFILE', tocString(statement.name)];
      if (statement.byteOffset !== undefined) parts.push(`#${statement.byteOffset}`);
      if (statement.length !== undefined) parts.push(formatLength(statement.length));
      return parts.join(' ');
    }
    case 'fifo':
      return `FIFO ${tocString(statement.name)} ${formatLength(statement.length)}`;
  }
}

function formatCdTextItem(indent: string, item: CdrdaoCdTextItem): string {
  const value = typeof item.value === 'string' ? tocString(item.value) : `{ ${item.value.join(', ')} }`;
  return `${indent}${item.name} ${value}`;
}

function formatCdTextBlocks(indent: string, blocks: CdrdaoCdTextBlock[], lines: string[]): void {
  for (const block of blocks) {
    lines.push(`${indent}LANGUAGE ${block.language} {`);
    if (block.encoding !== undefined) lines.push(`${indent}  ${block.encoding}`);
    for (const item of block.items) lines.push(formatCdTextItem(`${indent}  `, item));
    lines.push(`${indent}}`);
  }
}

/**
 * Writes a cdrdao TOC file (LF line ends). Every track gets its flags written out (NO COPY, …) and a
 * `// Track n` comment, as `cdrdao read-toc` writes them. Throws RangeError/TypeError for a model no
 * TOC file can express (the output is checked by parsing it again).
 */
export function formatCdrdaoToc(toc: CdrdaoToc): string {
  const lines: string[] = [toc.tocType];
  if (toc.catalog !== undefined) lines.push(`CATALOG ${tocString(toc.catalog)}`);
  if (toc.firstTrackNumber !== undefined) lines.push(`FIRST_TRACK_NO ${toc.firstTrackNumber}`);
  if (toc.cdText !== undefined) {
    lines.push('CD_TEXT {');
    if (toc.cdText.languageMap.length > 0) {
      lines.push('  LANGUAGE_MAP {');
      for (const mapping of toc.cdText.languageMap) lines.push(`    ${mapping.language} : ${mapping.code}`);
      lines.push('  }');
    }
    formatCdTextBlocks('  ', toc.cdText.blocks, lines);
    lines.push('}');
  }
  const firstNumber = toc.firstTrackNumber ?? 1;
  toc.tracks.forEach((track, i) => {
    const audio = track.mode === 'AUDIO';
    lines.push('', `// Track ${firstNumber + i}`);
    lines.push(track.subChannelMode === undefined ? `TRACK ${track.mode}` : `TRACK ${track.mode} ${track.subChannelMode}`);
    lines.push(track.copy ? 'COPY' : 'NO COPY');
    if (audio || track.preEmphasis) lines.push(track.preEmphasis ? 'PRE_EMPHASIS' : 'NO PRE_EMPHASIS');
    if (audio || track.fourChannelAudio) lines.push(track.fourChannelAudio ? 'FOUR_CHANNEL_AUDIO' : 'TWO_CHANNEL_AUDIO');
    if (track.isrc !== undefined) lines.push(`ISRC ${tocString(track.isrc)}`);
    if (track.cdText !== undefined) {
      lines.push('CD_TEXT {');
      formatCdTextBlocks('  ', track.cdText, lines);
      lines.push('}');
    }
    if (track.pregapFrames !== undefined) lines.push(`PREGAP ${formatMsfDuration(track.pregapFrames)}`);
    for (const statement of track.statements) lines.push(formatStatement(statement));
    for (const offset of track.indexes) lines.push(`INDEX ${formatMsfDuration(offset)}`);
  });
  const text = `${lines.join('\n')}\n`;
  try {
    parseCdrdaoToc(text, { fileName: toc.fileName });
  } catch (error) {
    if (error instanceof FormatError) throw new RangeError(`The TOC model is not valid: ${error.message}`, { cause: error });
    throw error;
  }
  return text;
}
