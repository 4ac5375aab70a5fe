/**
 * CDRWIN cue sheets: `parseCue` reads one into a `CueSheet`, `formatCue` writes one back.
 *
 * Syntax (CDRWIN User's Guide, appendix B): one command per line, keywords case-insensitive,
 * indentation free, names quoted or bare, times `mm:ss:ff` (ss < 60, ff < 75). EAC-style sheets
 * (a FILE switch between INDEX 00 and INDEX 01 of a track) and redumper/DiscImageCreator
 * multi-session sheets (`REM SESSION nn`, `REM LEAD-OUT …`) are accepted. Anything else unknown is
 * a FormatError naming file, line and column; so is every rule below:
 *
 * - FILE before the first TRACK, TRACK before INDEX; every FILE gets a TRACK or an INDEX;
 * - tracks 1-99, consecutive from the first (which may be above 1);
 * - each track has INDEX 01; its indexes are consecutive from 00 or 01; positions rise strictly
 *   within a FILE (so INDEX 00 < INDEX 01, and each track starts after the previous one);
 * - PREGAP before the track's first INDEX, POSTGAP after INDEX 01 and no INDEX after it;
 * - CATALOG, CDTEXTFILE only before the first TRACK; no command that may appear once per disc or
 *   per track appears twice;
 * - CATALOG is 13 digits, ISRC is CCOOOYYSSSSS, FLAGS are DCP 4CH PRE SCMS.
 *
 * `formatCue` writes LF line ends (every reader accepts them; EAC's CRLF is a Windows habit), quotes
 * every name and text, writes FLAGS in the order DCP 4CH PRE SCMS, and puts `REM SESSION nn` before
 * the first TRACK of each session (before its FILE when the session starts a new file), as redumper
 * and DiscImageCreator do. `parseCue(formatCue(x))` equals `x` apart from `line` fields.
 */

import { FormatError } from '../errors.js';
import {
  CUE_CD_TEXT_EXTENSIONS,
  CUE_FILE_TYPES,
  CUE_TRACK_MODES,
  noCueFlags,
  type CueCdTextExtension,
  type CueCdTextField,
  type CueFile,
  type CueFileType,
  type CueFlags,
  type CueRem,
  type CueSheet,
  type CueTrack,
  type CueTrackMode,
} from './cue-sheet.js';
import { FRAMES_PER_SECOND, MAX_SHEET_MINUTES, formatMsfDuration, msfToFrames } from './msf-duration.js';
import { forEachLine, rejectBinaryText, stripByteOrderMark, type ParseSheetOptions } from './sheet-text.js';

const MAX_TRACK_NUMBER = 99;
const MAX_INDEX_NUMBER = 99;
const MAX_SESSION_NUMBER = 99;
const CATALOG_PATTERN = /^\d{13}$/;
/** ISRC: 2-character country, 3-character owner (letters or digits), 2-digit year, 5-digit serial. */
const ISRC_PATTERN = /^[A-Z0-9]{5}\d{7}$/;

const FLAG_KEYWORDS: Readonly<Record<string, keyof CueFlags>> = {
  DCP: 'dcp',
  '4CH': 'fourChannel',
  PRE: 'preEmphasis',
  SCMS: 'scms',
};

const CD_TEXT_EXTENSIONS: ReadonlySet<string> = new Set(CUE_CD_TEXT_EXTENSIONS);
const FILE_TYPES: ReadonlySet<string> = new Set(CUE_FILE_TYPES);
const TRACK_MODES: ReadonlySet<string> = new Set(CUE_TRACK_MODES);

/** One command line, split into keyword and argument text with their columns. */
interface CommandLine {
  line: number;
  keyword: string;
  keywordColumn: number;
  args: string;
  argsColumn: number;
}

/** Per-track bookkeeping that is not part of the model. */
interface OpenTrack {
  track: CueTrack;
  seen: Set<string>;
  postgapLine: number | undefined;
}

class CueParser {
  private readonly file: string | undefined;
  private readonly sheet: CueSheet;
  private readonly discSeen = new Set<string>();
  private current: OpenTrack | undefined;
  private currentFile = -1;
  /** Whether the current FILE has a TRACK or INDEX yet. */
  private currentFileUsed = false;
  /** Last INDEX offset per file, for the strictly-rising rule. */
  private readonly lastOffsetInFile: number[] = [];
  private session = 1;
  private sessionDeclaredBeforeTracks = false;
  /** `REM SESSION nn` seen after the current track: the session of the next TRACK. */
  private pendingSession: { number: number; line: number } | undefined;
  /** REM lines after a `REM SESSION` line, waiting for their TRACK. */
  private pendingRems: CueRem[] = [];

  constructor(fileName: string | undefined) {
    this.file = fileName;
    this.sheet = { fileName, rems: [], cdText: [], files: [], tracks: [] };
  }

  parse(text: string): CueSheet {
    let lastLine = 1;
    forEachLine(stripByteOrderMark(text), (line, lineNumber) => {
      const command = splitCommand(line, lineNumber);
      if (command === undefined) return;
      lastLine = lineNumber;
      this.command(command);
    });
    this.closeTrack();
    this.checkFileUsed();
    if (this.pendingSession !== undefined) {
      throw this.error(`REM SESSION ${this.pendingSession.number} has no TRACK`, this.pendingSession.line);
    }
    if (this.sheet.tracks.length === 0) {
      throw this.error('no TRACK in cue sheet', lastLine);
    }
    return this.sheet;
  }

  private error(message: string, line: number, column?: number): FormatError {
    return new FormatError(message, { file: this.file, line, column });
  }

  private command(c: CommandLine): void {
    switch (c.keyword) {
      case 'REM':
        return this.rem(c);
      case 'FILE':
        return this.fileCommand(c);
      case 'TRACK':
        return this.trackCommand(c);
      case 'INDEX':
        return this.indexCommand(c);
      case 'PREGAP':
        return this.pregap(c);
      case 'POSTGAP':
        return this.postgap(c);
      case 'FLAGS':
        return this.flags(c);
      case 'ISRC':
        return this.isrc(c);
      case 'CATALOG':
        return this.catalog(c);
      case 'CDTEXTFILE':
        return this.cdTextFile(c);
      case 'TITLE':
      case 'PERFORMER':
      case 'SONGWRITER':
        return this.cdTextField(c, c.keyword);
      default:
        if (CD_TEXT_EXTENSIONS.has(c.keyword)) return this.cdTextExtension(c, c.keyword as CueCdTextExtension);
        throw this.error(`unknown cue sheet command "${c.keyword}"`, c.line, c.keywordColumn);
    }
  }

  /** Marks a once-only command as seen in the current scope (track, or disc before the first TRACK). */
  private once(c: CommandLine): void {
    const seen = this.current?.seen ?? this.discSeen;
    if (seen.has(c.keyword)) {
      const scope = this.current === undefined ? 'the disc' : `TRACK ${pad2(this.current.track.number)}`;
      throw this.error(`${c.keyword} appears twice for ${scope}`, c.line, c.keywordColumn);
    }
    seen.add(c.keyword);
  }

  private requireTrack(c: CommandLine): OpenTrack {
    if (this.current === undefined) throw this.error(`${c.keyword} before the first TRACK`, c.line, c.keywordColumn);
    return this.current;
  }

  private rem(c: CommandLine): void {
    const match = /^(\S+)\s*(.*)$/.exec(c.args);
    const rem: CueRem = { keyword: match?.[1] ?? '', value: match?.[2] ?? '', line: c.line };
    if (rem.keyword.toUpperCase() === 'SESSION') return this.sessionRem(c, rem.value);
    if (this.current === undefined) {
      (this.sessionDeclaredBeforeTracks ? this.pendingRems : this.sheet.rems).push(rem);
    } else if (this.pendingSession !== undefined) {
      this.pendingRems.push(rem);
    } else if (this.current.track.indexes.length === 0) {
      this.current.track.rems.push(rem);
    } else {
      this.current.track.remsAfter.push(rem);
    }
  }

  private sessionRem(c: CommandLine, value: string): void {
    const column = c.argsColumn + c.args.indexOf(value);
    if (!/^\d{1,2}$/.test(value)) {
      throw this.error(`REM SESSION needs a session number 1-${MAX_SESSION_NUMBER}, got "${value}"`, c.line, column);
    }
    const number = Number(value);
    if (this.current === undefined) {
      if (this.sessionDeclaredBeforeTracks) throw this.error('REM SESSION appears twice before the first TRACK', c.line, column);
      if (number !== 1) throw this.error(`the first session is REM SESSION 01, got ${value}`, c.line, column);
      this.sessionDeclaredBeforeTracks = true;
      return;
    }
    if (this.pendingSession !== undefined) {
      throw this.error(`REM SESSION ${this.pendingSession.number} (line ${this.pendingSession.line}) has no TRACK`, c.line, column);
    }
    if (number !== this.session + 1) {
      throw this.error(`REM SESSION ${value} follows session ${this.session}; sessions are numbered consecutively`, c.line, column);
    }
    this.pendingSession = { number, line: c.line };
  }

  private fileCommand(c: CommandLine): void {
    const { name, type } = this.fileArgs(c);
    this.checkFileUsed();
    this.sheet.files.push({ name, type, line: c.line });
    this.currentFile = this.sheet.files.length - 1;
    this.currentFileUsed = false;
  }

  private checkFileUsed(): void {
    if (this.currentFile >= 0 && !this.currentFileUsed) {
      const file = this.sheet.files[this.currentFile];
      throw this.error(`FILE "${file?.name ?? ''}" has no TRACK or INDEX`, file?.line ?? 1);
    }
  }

  private fileArgs(c: CommandLine): { name: string; type: CueFileType } {
    let name: string;
    let typeText: string;
    let typeColumn: number;
    if (c.args.startsWith('"')) {
      const close = c.args.lastIndexOf('"');
      if (close === 0) throw this.error('FILE name has no closing quote', c.line, c.argsColumn);
      name = c.args.slice(1, close);
      const rest = c.args.slice(close + 1);
      typeText = rest.trim();
      typeColumn = c.argsColumn + close + 1 + (rest.length - rest.trimStart().length);
      if (typeText === '') throw this.error('FILE needs a type (BINARY, MOTOROLA, AIFF, WAVE, MP3) after the name', c.line, typeColumn);
    } else {
      const match = /^(.*\S)\s+(\S+)$/.exec(c.args);
      if (match === null) throw this.error('FILE needs a file name and a type', c.line, c.argsColumn);
      name = match[1] ?? '';
      typeText = match[2] ?? '';
      typeColumn = c.argsColumn + c.args.length - typeText.length;
    }
    if (name === '') throw this.error('FILE name is empty', c.line, c.argsColumn);
    const type = typeText.toUpperCase();
    if (!FILE_TYPES.has(type)) {
      throw this.error(`unknown FILE type "${typeText}" (expected BINARY, MOTOROLA, AIFF, WAVE or MP3)`, c.line, typeColumn);
    }
    return { name, type: type as CueFileType };
  }

  private trackCommand(c: CommandLine): void {
    if (this.currentFile < 0) throw this.error('TRACK before the first FILE', c.line, c.keywordColumn);
    const match = /^(\S+)\s+(\S+)$/.exec(c.args);
    if (match === null) throw this.error('TRACK needs a number and a mode, e.g. "TRACK 01 AUDIO"', c.line, c.argsColumn);
    const numberText = match[1] ?? '';
    const modeText = match[2] ?? '';
    const number = parseSmallNumber(numberText);
    if (number === undefined || number < 1 || number > MAX_TRACK_NUMBER) {
      throw this.error(`track number must be 1-${MAX_TRACK_NUMBER}, got "${numberText}"`, c.line, c.argsColumn);
    }
    const mode = modeText.toUpperCase();
    if (!TRACK_MODES.has(mode)) {
      const column = c.argsColumn + c.args.length - modeText.length;
      throw this.error(`unknown track mode "${modeText}" (expected ${CUE_TRACK_MODES.join(', ')})`, c.line, column);
    }
    this.closeTrack();
    const previous = this.sheet.tracks[this.sheet.tracks.length - 1];
    if (previous !== undefined && number !== previous.number + 1) {
      throw this.error(`TRACK ${numberText} follows TRACK ${pad2(previous.number)}; tracks are numbered consecutively`, c.line, c.argsColumn);
    }
    if (this.pendingSession !== undefined) {
      this.session = this.pendingSession.number;
      this.pendingSession = undefined;
    }
    const track: CueTrack = {
      number,
      session: this.session,
      fileIndex: this.currentFile,
      mode: mode as CueTrackMode,
      flags: noCueFlags(),
      cdText: [],
      pregapFrames: 0,
      postgapFrames: 0,
      indexes: [],
      remsBefore: this.pendingRems,
      rems: [],
      remsAfter: [],
      line: c.line,
    };
    this.pendingRems = [];
    this.sheet.tracks.push(track);
    this.current = { track, seen: new Set(), postgapLine: undefined };
    this.currentFileUsed = true;
  }

  private closeTrack(): void {
    const track = this.current?.track;
    if (track !== undefined && !track.indexes.some((index) => index.number === 1)) {
      throw this.error(`TRACK ${pad2(track.number)} has no INDEX 01`, track.line ?? 1);
    }
  }

  private indexCommand(c: CommandLine): void {
    const open = this.requireTrack(c);
    const track = open.track;
    const match = /^(\S+)\s+(\S+)$/.exec(c.args);
    if (match === null) throw this.error('INDEX needs a number and a time, e.g. "INDEX 01 00:00:00"', c.line, c.argsColumn);
    const numberText = match[1] ?? '';
    const number = parseSmallNumber(numberText);
    if (number === undefined || number > MAX_INDEX_NUMBER) {
      throw this.error(`index number must be 0-${MAX_INDEX_NUMBER}, got "${numberText}"`, c.line, c.argsColumn);
    }
    const timeText = match[2] ?? '';
    const timeColumn = c.argsColumn + c.args.length - timeText.length;
    const offsetFrames = this.msf(timeText, c.line, timeColumn);
    if (open.postgapLine !== undefined) {
      throw this.error(`INDEX after POSTGAP (line ${open.postgapLine})`, c.line, c.keywordColumn);
    }
    const last = track.indexes[track.indexes.length - 1];
    if (last === undefined && number > 1) {
      throw this.error(`the first INDEX of TRACK ${pad2(track.number)} must be 00 or 01, got ${numberText}`, c.line, c.argsColumn);
    }
    if (last !== undefined && number !== last.number + 1) {
      throw this.error(`INDEX ${numberText} follows INDEX ${pad2(last.number)}; indexes are numbered consecutively`, c.line, c.argsColumn);
    }
    const previousOffset = this.lastOffsetInFile[this.currentFile];
    if (previousOffset !== undefined && offsetFrames <= previousOffset) {
      throw this.error(
        `INDEX ${pad2(number)} at ${timeText} is not after the previous INDEX in this FILE (${formatMsfDuration(previousOffset)})`,
        c.line,
        timeColumn,
      );
    }
    this.lastOffsetInFile[this.currentFile] = offsetFrames;
    track.indexes.push({ number, fileIndex: this.currentFile, offsetFrames, line: c.line });
    this.currentFileUsed = true;
  }

  private pregap(c: CommandLine): void {
    const open = this.requireTrack(c);
    this.once(c);
    if (open.track.indexes.length > 0) throw this.error('PREGAP after an INDEX; it must come before the first INDEX', c.line, c.keywordColumn);
    open.track.pregapFrames = this.msf(c.args, c.line, c.argsColumn);
  }

  private postgap(c: CommandLine): void {
    const open = this.requireTrack(c);
    this.once(c);
    if (!open.track.indexes.some((index) => index.number === 1)) {
      throw this.error('POSTGAP before INDEX 01; it must follow the indexes', c.line, c.keywordColumn);
    }
    open.track.postgapFrames = this.msf(c.args, c.line, c.argsColumn);
    open.postgapLine = c.line;
  }

  private flags(c: CommandLine): void {
    const open = this.requireTrack(c);
    this.once(c);
    const flags = noCueFlags();
    const seen = new Set<string>();
    for (const match of c.args.matchAll(/\S+/g)) {
      const word = match[0].toUpperCase();
      const column = c.argsColumn + (match.index ?? 0);
      const key = FLAG_KEYWORDS[word];
      if (key === undefined) throw this.error(`unknown flag "${match[0]}" (expected DCP, 4CH, PRE or SCMS)`, c.line, column);
      if (seen.has(word)) throw this.error(`flag ${word} appears twice`, c.line, column);
      seen.add(word);
      flags[key] = true;
    }
    open.track.flags = flags;
  }

  private isrc(c: CommandLine): void {
    const open = this.requireTrack(c);
    this.once(c);
    const value = this.text(c).toUpperCase();
    if (!ISRC_PATTERN.test(value)) {
      throw this.error(`ISRC must be 12 characters CCOOOYYSSSSS (5 letters or digits, then 7 digits), got "${value}"`, c.line, c.argsColumn);
    }
    open.track.isrc = value;
  }

  private catalog(c: CommandLine): void {
    if (this.current !== undefined) throw this.error('CATALOG after the first TRACK', c.line, c.keywordColumn);
    this.once(c);
    const value = this.text(c);
    if (!CATALOG_PATTERN.test(value)) throw this.error(`CATALOG must be 13 digits, got "${value}"`, c.line, c.argsColumn);
    this.sheet.catalog = value;
  }

  private cdTextFile(c: CommandLine): void {
    if (this.current !== undefined) throw this.error('CDTEXTFILE after the first TRACK', c.line, c.keywordColumn);
    this.once(c);
    const value = this.text(c);
    if (value === '') throw this.error('CDTEXTFILE name is empty', c.line, c.argsColumn);
    this.sheet.cdTextFile = value;
  }

  private cdTextField(c: CommandLine, keyword: 'TITLE' | 'PERFORMER' | 'SONGWRITER'): void {
    this.once(c);
    const value = this.text(c);
    const target = this.current?.track ?? this.sheet;
    if (keyword === 'TITLE') target.title = value;
    else if (keyword === 'PERFORMER') target.performer = value;
    else target.songwriter = value;
  }

  private cdTextExtension(c: CommandLine, keyword: CueCdTextExtension): void {
    this.once(c);
    const field: CueCdTextField = { keyword, value: this.text(c), line: c.line };
    (this.current?.track ?? this.sheet).cdText.push(field);
  }

  /** A quoted or bare text argument. Quoting runs from the first to the last quote of the line. */
  private text(c: CommandLine): string {
    if (c.args === '') throw this.error(`${c.keyword} needs a value`, c.line, c.argsColumn);
    if (!c.args.startsWith('"')) return c.args;
    const close = c.args.lastIndexOf('"');
    if (close === 0) throw this.error(`${c.keyword} value has no closing quote`, c.line, c.argsColumn);
    const after = c.args.slice(close + 1);
    if (after.trim() !== '') throw this.error(`unexpected text after the closing quote`, c.line, c.argsColumn + close + 1);
    return c.args.slice(1, close);
  }

  /** `mm:ss:ff` → frames. */
  private msf(text: string, line: number, column: number): number {
    const match = /^(\d+):(\d+):(\d+)$/.exec(text);
    if (match === null) throw this.error(`expected a time mm:ss:ff, got "${text}"`, line, column);
    const [minuteText = '', secondText = '', frameText = ''] = match.slice(1);
    if (minuteText.length > 6 || Number(minuteText) > MAX_SHEET_MINUTES) {
      throw this.error(`minutes field ${minuteText} is too large`, line, column);
    }
    if (secondText.length > 2 || Number(secondText) >= 60) {
      throw this.error(`seconds field ${secondText} must be below 60`, line, column + minuteText.length + 1);
    }
    if (frameText.length > 2 || Number(frameText) >= FRAMES_PER_SECOND) {
      throw this.error(`frames field ${frameText} must be below 75`, line, column + minuteText.length + secondText.length + 2);
    }
    return msfToFrames({ minute: Number(minuteText), second: Number(secondText), frame: Number(frameText) });
  }
}

/** Splits a line into keyword and arguments; undefined for a blank line. */
function splitCommand(raw: string, line: number): CommandLine | undefined {
  const text = raw.trimEnd();
  const indent = text.length - text.trimStart().length;
  if (indent === text.length) return undefined;
  const match = /^\S+/.exec(text.slice(indent));
  const keywordText = match?.[0] ?? '';
  const afterKeyword = text.slice(indent + keywordText.length);
  const argsOffset = indent + keywordText.length + (afterKeyword.length - afterKeyword.trimStart().length);
  return {
    line,
    keyword: keywordText.toUpperCase(),
    keywordColumn: indent + 1,
    args: text.slice(argsOffset),
    argsColumn: argsOffset + 1,
  };
}

/** Decimal with at most three digits (leading zeros allowed), else undefined. */
function parseSmallNumber(text: string): number | undefined {
  if (!/^\d{1,3}$/.test(text)) return undefined;
  return Number(text);
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/**
 * Parses a CDRWIN cue sheet. Throws FormatError (file, line, column) for anything malformed; never
 * anything else for any string input.
 */
export function parseCue(text: string, options: ParseSheetOptions = {}): CueSheet {
  if (typeof text !== 'string') throw new TypeError(`Expected "text" to be a string, got ${typeof text}`);
  rejectBinaryText(text, options.fileName, 'cue sheet');
  return new CueParser(options.fileName).parse(text);
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Characters a written value may not contain: they would end the line or make it binary. */
const UNWRITABLE = /[\u0000-\u0008\u000a-\u001f\u007f]/;

function checkText(name: string, value: string): string {
  if (typeof value !== 'string') throw new TypeError(`Expected "${name}" to be a string, got ${typeof value}`);
  if (UNWRITABLE.test(value)) throw new RangeError(`Expected "${name}" to contain no line breaks or control characters`);
  return value;
}

function quoted(name: string, value: string): string {
  return `"${checkText(name, value)}"`;
}

function checkFrames(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Expected "${name}" to be a non-negative integer frame count, got ${String(value)}`);
  }
  return value;
}

function remLine(indent: string, rem: CueRem, where: string): string {
  const keyword = checkText(`${where}.keyword`, rem.keyword);
  const value = checkText(`${where}.value`, rem.value);
  if (/\s/.test(keyword) || (keyword === '' && value !== '')) {
    throw new RangeError(`Expected "${where}.keyword" to be one word`);
  }
  if (keyword.toUpperCase() === 'SESSION') {
    throw new RangeError(`Expected no REM SESSION in "${where}"; sessions are CueTrack.session`);
  }
  if (keyword === '') return `${indent}REM`;
  return value === '' ? `${indent}REM ${keyword}` : `${indent}REM ${keyword} ${value}`;
}

/**
 * CD-Text lines in the order EAC and whipper write them: PERFORMER before TITLE for the disc, TITLE
 * before PERFORMER for a track.
 */
function cdTextLines(indent: string, target: Pick<CueSheet, 'title' | 'performer' | 'songwriter' | 'cdText'>, where: string): string[] {
  const lines: string[] = [];
  const title = target.title === undefined ? undefined : `${indent}TITLE ${quoted(`${where}.title`, target.title)}`;
  const performer = target.performer === undefined ? undefined : `${indent}PERFORMER ${quoted(`${where}.performer`, target.performer)}`;
  const ordered = indent === '' ? [performer, title] : [title, performer];
  for (const line of ordered) if (line !== undefined) lines.push(line);
  if (target.songwriter !== undefined) lines.push(`${indent}SONGWRITER ${quoted(`${where}.songwriter`, target.songwriter)}`);
  for (const field of target.cdText) {
    if (!CD_TEXT_EXTENSIONS.has(field.keyword)) throw new RangeError(`Unknown CD-Text keyword "${String(field.keyword)}" in ${where}`);
    lines.push(`${indent}${field.keyword} ${quoted(`${where}.cdText`, field.value)}`);
  }
  return lines;
}

function flagsLine(flags: CueFlags): string | undefined {
  const words: string[] = [];
  if (flags.dcp) words.push('DCP');
  if (flags.fourChannel) words.push('4CH');
  if (flags.preEmphasis) words.push('PRE');
  if (flags.scms) words.push('SCMS');
  return words.length === 0 ? undefined : `    FLAGS ${words.join(' ')}`;
}

/**
 * Writes a cue sheet (LF line ends, final newline). Throws RangeError/TypeError for a model no cue
 * sheet can express (the output is checked by parsing it again).
 */
export function formatCue(sheet: CueSheet): string {
  const lines: string[] = [];
  for (const rem of sheet.rems) lines.push(remLine('', rem, 'rems'));
  if (sheet.catalog !== undefined) {
    if (!CATALOG_PATTERN.test(sheet.catalog)) throw new RangeError(`Expected "catalog" to be 13 digits, got "${sheet.catalog}"`);
    lines.push(`CATALOG ${sheet.catalog}`);
  }
  if (sheet.cdTextFile !== undefined) lines.push(`CDTEXTFILE ${quoted('cdTextFile', sheet.cdTextFile)}`);
  lines.push(...cdTextLines('', sheet, 'sheet'));

  let currentFile = -1;
  const writeFile = (fileIndex: number, where: string): void => {
    if (fileIndex === currentFile) return;
    if (fileIndex !== currentFile + 1) {
      throw new RangeError(`Expected ${where} to use file ${currentFile} or ${currentFile + 1}, got ${fileIndex}: files are written in order`);
    }
    const file: CueFile | undefined = sheet.files[fileIndex];
    if (file === undefined) throw new RangeError(`${where} refers to missing file ${fileIndex}`);
    if (!FILE_TYPES.has(file.type)) throw new RangeError(`Unknown file type "${String(file.type)}"`);
    lines.push(`FILE ${quoted(`files[${fileIndex}].name`, file.name)} ${file.type}`);
    currentFile = fileIndex;
  };

  const multiSession = sheet.tracks.some((track) => track.session !== 1);
  let previousSession = 0;
  sheet.tracks.forEach((track, i) => {
    const where = `tracks[${i}]`;
    if (!TRACK_MODES.has(track.mode)) throw new RangeError(`Unknown track mode "${String(track.mode)}" in ${where}`);
    const startsSession = track.session !== previousSession;
    const writeSession = startsSession && (multiSession || track.remsBefore.length > 0);
    if (track.remsBefore.length > 0 && !writeSession) {
      throw new RangeError(`${where}.remsBefore needs the track to start a session`);
    }
    if (writeSession) lines.push(`REM SESSION ${pad2(track.session)}`);
    for (const rem of track.remsBefore) lines.push(remLine('', rem, `${where}.remsBefore`));
    previousSession = track.session;

    writeFile(track.fileIndex, where);
    lines.push(`  TRACK ${pad2(track.number)} ${track.mode}`);
    lines.push(...cdTextLines('    ', track, where));
    for (const rem of track.rems) lines.push(remLine('    ', rem, `${where}.rems`));
    const flags = flagsLine(track.flags);
    if (flags !== undefined) lines.push(flags);
    if (track.isrc !== undefined) lines.push(`    ISRC ${checkText(`${where}.isrc`, track.isrc)}`);
    if (checkFrames(`${where}.pregapFrames`, track.pregapFrames) > 0) lines.push(`    PREGAP ${formatMsfDuration(track.pregapFrames)}`);
    for (const index of track.indexes) {
      writeFile(index.fileIndex, `${where}.indexes`);
      const offset = checkFrames(`${where}.indexes.offsetFrames`, index.offsetFrames);
      lines.push(`    INDEX ${pad2(index.number)} ${formatMsfDuration(offset)}`);
    }
    if (checkFrames(`${where}.postgapFrames`, track.postgapFrames) > 0) lines.push(`    POSTGAP ${formatMsfDuration(track.postgapFrames)}`);
    for (const rem of track.remsAfter) lines.push(remLine('', rem, `${where}.remsAfter`));
  });
  if (currentFile !== sheet.files.length - 1) {
    throw new RangeError(`files[${currentFile + 1}] is used by no track or index`);
  }

  const text = `${lines.join('\n')}\n`;
  try {
    parseCue(text, { fileName: sheet.fileName });
  } catch (error) {
    if (error instanceof FormatError) throw new RangeError(`The cue sheet model is not valid: ${error.message}`, { cause: error });
    throw error;
  }
  return text;
}
