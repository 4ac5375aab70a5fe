/**
 * GNU ddrescue mapfiles (ddrescue manual, "Mapfile structure", version 1.27) over an IntervalMap:
 * reading, writing in exactly the layout ddrescue 1.27 writes, statistics, sector lists. A map
 * written here can be continued by GNU ddrescue and the other way round (docs/mapfile.md).
 */

import { readFile } from 'node:fs/promises';
import { packageVersion } from '../version.js';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-file.js';
import { IntervalMap, IntervalMapBuilder, type BlockStatus, type ByteRange, type StatusSelector } from './interval-map.js';
import { parseMapfile, type MapfileStatus } from './mapfile-parse.js';

/** Bytes of user data in a CD Mode 1 / DVD / BD sector: the unit of a data rescue. */
export const DATA_SECTOR_SIZE = 2048;
/** Bytes of a raw CD sector (READ CD with all user bytes): the unit of a raw or audio rescue. */
export const RAW_SECTOR_SIZE = 2352;

/** Direction of a ddrescue pass, as the phase comment says it. */
export type PassDirection = 'forwards' | 'backwards';

/** What the heading comment lines said (all optional: hand-written mapfiles have none). */
export interface MapfileHeader {
  /** The heading comment lines (before the status line), without '#' and one following space. */
  lines: string[];
  /** "GNU ddrescue version 1.27", "discrescue version 0.1.0", … */
  createdBy?: string;
  commandLine?: string;
  /** As written: "YYYY-MM-DD hh:mm:ss", local time of the writer. */
  startTime?: string;
  currentTime?: string;
  /** Status message of the phase, e.g. "Copying non-tried blocks... Pass 1 (forwards)" or "Finished". */
  phase?: string;
  /** Direction of the interrupted pass, from the phase message. */
  direction?: PassDirection;
}

/** A whole mapfile: the status line, the map of blocks, and what the heading comments said. */
export interface Mapfile {
  /** current_pos: start of the block being tried (forwards) or its end (backwards). */
  currentPos: number;
  /** current_status: the phase ('?' copying, '*' trimming, '/' scraping, '-' retrying, 'F' filling, 'G' generating, '+' finished). */
  currentStatus: MapfileStatus;
  /** current_pass: pass number within the phase (from 1). */
  currentPass: number;
  /** Status of every byte of the rescue: the block lines. */
  map: IntervalMap;
  header?: MapfileHeader;
}

export interface ReadMapfileOptions {
  /** Named in FormatError messages. */
  fileName?: string;
  /**
   * Accept an incomplete (hand-made) map, filling gaps with this status, as `ddrescuelog
   * --complete-mapfile`. Default: a gap is a FormatError.
   */
  fillGaps?: BlockStatus;
}

export interface FormatMapfileOptions {
  /** Version for "# Mapfile. Created by discrescue version …". Default: package.json's. */
  version?: string;
  /** The command line (words are joined with single spaces, as ddrescue does). */
  commandLine: string | readonly string[];
  /** When this rescue run started. */
  startTime: Date;
  /** When the map is saved. Default: now. */
  currentTime?: Date;
  /** Write "# Finished" as the phase. Default: currentStatus is '+'. */
  finished?: boolean;
  /** Direction of the current pass. Default: the header's, else forwards. */
  direction?: PassDirection;
  /** Phase message instead of the one derived from the status line. */
  phase?: string;
}

/**
 * Sizes in bytes and numbers of areas by status, with ddrescue's names (ddrescue manual,
 * "Ddrescue output"): an area is a block (run) of that status; a run split by the domain counts
 * once per piece, as `ddrescuelog --show-status --domain-mapfile` counts it.
 */
export interface MapfileStats {
  /** Bytes covered by the map (mapfile extent) and its number of blocks. */
  extent: number;
  extentAreas: number;
  /** Bytes inside the domain (the extent when there is none) and its number of ranges. */
  domainSize: number;
  domainAreas: number;
  nonTried: number;
  nonTriedAreas: number;
  /** Successfully recovered bytes ('+'). */
  rescued: number;
  rescuedAreas: number;
  nonTrimmed: number;
  nonTrimmedAreas: number;
  nonScraped: number;
  nonScrapedAreas: number;
  /** Total error size: bytes of bad-sector blocks ('-'). */
  badSector: number;
  /** "bad areas": separate bad-sector blocks; non-trimmed and non-scraped blocks are not counted. */
  badAreas: number;
  /** "tried": tried but not rescued = nonTrimmed + nonScraped + badSector. */
  tried: number;
}

export interface DomainOptions {
  /** Only the bytes finished ('+') in this map are in the domain (`--domain-mapfile`). */
  domain?: IntervalMap;
}

export interface ListBlocksOptions extends DomainOptions {
  /** `-i`: start of the domain in bytes. Default 0. */
  inputPosition?: number;
  /** `-o`: sector numbers count from here; (outputPosition − inputPosition) must be a multiple of the sector size. Default: inputPosition. */
  outputPosition?: number;
  /** `-s`: maximum size of the domain in bytes. Default: unlimited. */
  size?: number;
}

/** A run of sectors: `sectorCount` sectors from `lba`. */
export interface SectorRange {
  lba: number;
  sectorCount: number;
}

/**
 * Reads mapfile text. Blocks must be contiguous from 0 (unless `fillGaps`); anything
 * malformed throws FormatError naming the file and line (mapfile-parse.ts decides what is
 * valid). Adjacent blocks of equal status are merged, as ddrescue does.
 */
export function readMapfile(text: string, options: ReadMapfileOptions = {}): Mapfile {
  if (typeof text !== 'string') throw new TypeError(`Expected "text" to be a string, got ${typeof text}`);
  const header = readHeader(text);
  const fast = options.fillGaps === undefined ? readCanonical(text) : undefined;
  if (fast !== undefined) return { ...fast, header };
  const parsed = parseMapfile(text, { ...(options.fileName === undefined ? {} : { file: options.fileName }), ...(options.fillGaps === undefined ? {} : { fillGaps: options.fillGaps }) });
  const builder = new IntervalMapBuilder();
  for (const block of parsed.blocks) builder.append(block.pos, block.size, block.status);
  return { currentPos: parsed.currentPos, currentStatus: parsed.currentStatus, currentPass: parsed.currentPass, map: builder.finish(), header };
}

/** Reads a mapfile from disc (UTF-8 text), naming the path in FormatError messages. */
export async function loadMapfile(path: string, options: Omit<ReadMapfileOptions, 'fileName'> = {}): Promise<Mapfile> {
  return readMapfile(await readFile(path, 'utf8'), { ...options, fileName: path });
}

/**
 * Mapfile text in GNU ddrescue 1.27's layout: the heading comments (ours name discrescue),
 * then, byte for byte as ddrescue writes them, the column comment, the status line
 * `0x%08llX     %c               %d`, the block column comment and one `0x%08llX  0x%08llX  %c`
 * line per block.
 */
export function formatMapfile(mapfile: Mapfile, options: FormatMapfileOptions): string {
  return formatHeading(mapfile, options) + formatMapfileBody(mapfile);
}

/**
 * The part of a mapfile after the heading comments, exactly as ddrescue and ddrescuelog write
 * it. An empty map gets the single block line `0x00000000  0x00000000  ?`, as ddrescue writes
 * for an empty input.
 */
export function formatMapfileBody(mapfile: Mapfile): string {
  const body = formatBodyBytes(mapfile);
  return body.toString('latin1');
}

function formatHeading(mapfile: Mapfile, options: FormatMapfileOptions): string {
  checkStatusLine(mapfile);
  if (!(options?.startTime instanceof Date)) throw new TypeError('Expected "startTime" to be a Date');
  const version = options.version ?? packageVersion();
  const words = options.commandLine;
  if (typeof words !== 'string' && !Array.isArray(words)) throw new TypeError('Expected "commandLine" to be a string or an array of strings');
  const commandLine = typeof words === 'string' ? words : words.join(' ');
  const finished = options.finished ?? mapfile.currentStatus === '+';
  const direction = options.direction ?? mapfile.header?.direction ?? 'forwards';
  const phase = options.phase ?? phaseMessage(mapfile.currentStatus, mapfile.currentPass, direction, finished);
  return (
    `# Mapfile. Created by discrescue version ${oneLine(version)}\n` +
    `# Command line: ${oneLine(commandLine)}\n` +
    `# Start time:   ${formatTime(options.startTime)}\n` +
    `# Current time: ${formatTime(options.currentTime ?? new Date())}\n` +
    `# ${oneLine(phase)}\n`
  );
}

/** Longest block line: two numbers of up to 14 hex digits (2^53), separators, status, newline. */
const MAX_BLOCK_LINE = 38;
const HEX_DIGITS = Buffer.from('0123456789ABCDEF', 'latin1');

/** The body as ASCII bytes, written in place: a million block lines in a fraction of a second. */
function formatBodyBytes(mapfile: Mapfile): Buffer {
  checkStatusLine(mapfile);
  const head = Buffer.from(
    '# current_pos  current_status  current_pass\n' +
      `${hex8(mapfile.currentPos)}     ${mapfile.currentStatus}               ${mapfile.currentPass}\n` +
      '#      pos        size  status\n',
    'latin1',
  );
  const map = mapfile.map;
  if (map.size === 0) return Buffer.concat([head, Buffer.from('0x00000000  0x00000000  ?\n', 'latin1')]);
  const out = Buffer.allocUnsafe(head.length + map.runCount * MAX_BLOCK_LINE);
  let at = head.copy(out, 0);
  map.forEachRun((pos, size, status) => {
    at = writeHex8(out, at, pos);
    out[at++] = SPACE;
    out[at++] = SPACE;
    at = writeHex8(out, at, size);
    out[at++] = SPACE;
    out[at++] = SPACE;
    out[at++] = status.charCodeAt(0);
    out[at++] = LINE_FEED;
  });
  return out.subarray(0, at);
}

/** printf("0x%08llX") into `out` at `at`; returns the position after it. */
function writeHex8(out: Buffer, at: number, value: number): number {
  out[at++] = ZERO;
  out[at++] = LOWER_X;
  // Low 32 bits with integer operations; the rare high part (>= 4 GiB) digit by digit.
  const high = Math.floor(value / 0x1_0000_0000);
  if (high > 0) {
    let digits = 0;
    for (let rest = high; rest > 0; rest = Math.floor(rest / 16)) digits++;
    for (let i = digits - 1, rest = high; i >= 0; i--, rest = Math.floor(rest / 16)) out[at + i] = HEX_DIGITS[rest % 16]!;
    at += digits;
  }
  const low = value >>> 0;
  for (let shift = 28; shift >= 0; shift -= 4) out[at++] = HEX_DIGITS[(low >>> shift) & 15]!;
  return at;
}

/** Formats and atomically replaces the mapfile at `path` (see writeFileAtomic). */
export async function saveMapfile(path: string, mapfile: Mapfile, options: FormatMapfileOptions): Promise<void> {
  await writeFileAtomic(path, formatMapfileBytes(mapfile, options));
}

/** Synchronous `saveMapfile`, for the last save from an exit or signal handler. */
export function saveMapfileSync(path: string, mapfile: Mapfile, options: FormatMapfileOptions): void {
  writeFileAtomicSync(path, formatMapfileBytes(mapfile, options));
}

/** formatMapfile as UTF-8 bytes, without building one big string first. */
function formatMapfileBytes(mapfile: Mapfile, options: FormatMapfileOptions): Buffer {
  const heading = Buffer.from(formatHeading(mapfile, options), 'utf8');
  return Buffer.concat([heading, formatBodyBytes(mapfile)]);
}

/**
 * The status message ddrescue 1.27 shows on screen and copies into the mapfile's phase comment:
 * "Copying non-tried blocks... Pass 2 (backwards)", "Trimming failed blocks... (forwards)",
 * "Scraping failed blocks... (forwards)", "Retrying bad sectors... Retry 1 (forwards)",
 * "Filling blocks...", "Generating mapfile...", "Finished".
 */
export function phaseMessage(status: MapfileStatus, pass: number, direction: PassDirection = 'forwards', finished = status === '+'): string {
  if (finished) return 'Finished';
  const dir = `(${direction})`;
  switch (status) {
    case '?':
      return `Copying non-tried blocks... Pass ${pass} ${dir}`;
    case '*':
      return `Trimming failed blocks... ${dir}`;
    case '/':
      return `Scraping failed blocks... ${dir}`;
    case '-':
      return `Retrying bad sectors... Retry ${pass} ${dir}`;
    case 'F':
      return 'Filling blocks...';
    case 'G':
      return 'Generating mapfile...';
    case '+':
      return 'Finished';
  }
}

/**
 * Sizes and area counts by status, in the whole map or only inside a domain (ddrescue's
 * `--domain-mapfile`: only bytes finished in the domain map). O(1) without a domain.
 */
export function mapfileStats(map: IntervalMap, options: DomainOptions = {}): MapfileStats {
  const bytes = [0, 0, 0, 0, 0];
  const areas = [0, 0, 0, 0, 0];
  let domainSize: number;
  let domainAreas: number;
  if (options.domain === undefined) {
    STATUSES.forEach((status, code) => {
      bytes[code] = map.count(status);
      areas[code] = map.countRuns(status);
    });
    domainSize = map.size;
    domainAreas = map.size > 0 ? 1 : 0;
  } else {
    domainSize = 0;
    domainAreas = 0;
    for (const range of options.domain.ranges('+', 0, map.size)) {
      domainSize += range.size;
      domainAreas++;
    }
    for (const run of map.intersect(options.domain)) {
      const code = STATUSES.indexOf(run.status);
      bytes[code]! += run.size;
      areas[code]!++;
    }
  }
  const [nonTried, nonTrimmed, nonScraped, badSector, rescued] = bytes as [number, number, number, number, number];
  const [nonTriedAreas, nonTrimmedAreas, nonScrapedAreas, badAreas, rescuedAreas] = areas as [number, number, number, number, number];
  return {
    extent: map.size,
    extentAreas: map.runCount,
    domainSize,
    domainAreas,
    nonTried,
    nonTriedAreas,
    rescued,
    rescuedAreas,
    nonTrimmed,
    nonTrimmedAreas,
    nonScraped,
    nonScrapedAreas,
    badSector,
    badAreas,
    tried: nonTrimmed + nonScraped + badSector,
  };
}

/**
 * Sector numbers of the blocks whose status matches, one per sector touched even partially,
 * ascending, as `ddrescuelog -b SECTORSIZE -l TYPES [-i -o -s -m]` lists them.
 */
export function listBlocks(map: IntervalMap, sectorSize: number, selector: StatusSelector, options: ListBlocksOptions = {}): number[] {
  checkSectorSize(sectorSize);
  const inputPosition = options.inputPosition ?? 0;
  const outputPosition = options.outputPosition ?? inputPosition;
  checkNonNegative(inputPosition, 'inputPosition');
  checkNonNegative(outputPosition, 'outputPosition');
  if ((outputPosition - inputPosition) % sectorSize !== 0) {
    throw new RangeError(`Expected outputPosition − inputPosition to be a multiple of the sector size ${sectorSize}`);
  }
  const end = options.size === undefined ? map.size : Math.min(map.size, inputPosition + checkNonNegative(options.size, 'size'));
  const offset = outputPosition - inputPosition;
  const sectors: number[] = [];
  const scope: Iterable<ByteRange> =
    options.domain === undefined
      ? end > inputPosition
        ? [{ pos: inputPosition, size: end - inputPosition }]
        : []
      : options.domain.ranges('+', inputPosition, end);
  for (const part of scope) {
    for (const range of map.ranges(selector, part.pos, part.pos + part.size)) {
      const first = Math.floor((range.pos + offset) / sectorSize);
      const last = Math.ceil((range.pos + range.size + offset) / sectorSize) - 1;
      const start = Math.max(first, (sectors[sectors.length - 1] ?? -1) + 1);
      for (let sector = start; sector <= last; sector++) sectors.push(sector);
    }
  }
  return sectors;
}

/** The sectors touched, even partially, by the byte range [pos, pos + size). */
export function bytesToSectors(range: ByteRange, sectorSize: number): SectorRange {
  checkSectorSize(sectorSize);
  checkNonNegative(range.pos, 'pos');
  checkNonNegative(range.size, 'size');
  if (range.size === 0) return { lba: Math.floor(range.pos / sectorSize), sectorCount: 0 };
  const lba = Math.floor(range.pos / sectorSize);
  return { lba, sectorCount: Math.ceil((range.pos + range.size) / sectorSize) - lba };
}

/** The byte range of `sectorCount` sectors from `lba` (the map is in bytes, ddrescue's unit). */
export function sectorsToBytes(range: SectorRange, sectorSize: number): ByteRange {
  checkSectorSize(sectorSize);
  checkNonNegative(range.lba, 'lba');
  checkNonNegative(range.sectorCount, 'sectorCount');
  const pos = range.lba * sectorSize;
  const size = range.sectorCount * sectorSize;
  if (!Number.isSafeInteger(pos + size)) throw new RangeError('Sector range ends beyond 2^53 - 1 bytes');
  return { pos, size };
}

const STATUSES: readonly BlockStatus[] = ['?', '*', '/', '-', '+'];

function checkSectorSize(sectorSize: number): void {
  if (!Number.isSafeInteger(sectorSize) || sectorSize <= 0) throw new RangeError(`Expected "sectorSize" to be a positive integer, got ${String(sectorSize)}`);
}

function checkNonNegative(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Expected "${name}" to be a non-negative safe integer, got ${String(value)}`);
  }
  return value;
}

function checkStatusLine(mapfile: Mapfile): void {
  checkNonNegative(mapfile.currentPos, 'currentPos');
  if (!'?*/-FG+'.includes(mapfile.currentStatus) || mapfile.currentStatus.length !== 1) {
    throw new RangeError(`Expected "currentStatus" to be one of ? * / - F G +, got ${JSON.stringify(mapfile.currentStatus)}`);
  }
  if (!Number.isSafeInteger(mapfile.currentPass) || mapfile.currentPass < 1) {
    throw new RangeError(`Expected "currentPass" to be a positive integer, got ${String(mapfile.currentPass)}`);
  }
  if (!(mapfile.map instanceof IntervalMap)) throw new TypeError('Expected "map" to be an IntervalMap');
}

/** printf("0x%08llX"). */
function hex8(value: number): string {
  const digits = value.toString(16).toUpperCase();
  return digits.length >= 8 ? `0x${digits}` : `0x${'00000000'.slice(digits.length)}${digits}`;
}

/** ddrescue's time stamp: local time, "YYYY-MM-DD hh:mm:ss". */
function formatTime(time: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${time.getFullYear()}-${two(time.getMonth() + 1)}-${two(time.getDate())} ${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}`;
}

/** A line break inside a comment would turn the rest into data. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/gu, ' ');
}

const HEADER_KEYS: ReadonlyArray<[prefix: string, key: 'createdBy' | 'commandLine' | 'startTime' | 'currentTime']> = [
  ['Mapfile. Created by ', 'createdBy'],
  ['Command line: ', 'commandLine'],
  ['Start time:', 'startTime'],
  ['Current time:', 'currentTime'],
];
const PHASE = /^(?:Copying|Trimming|Scraping|Retrying|Filling|Generating|Finished)\b/u;

/** The comment lines before the status line (a few lines: cheap even for huge files). */
function readHeader(text: string): MapfileHeader {
  const header: MapfileHeader = { lines: [] };
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).replace(/\r$/u, '');
    start = end + 1;
    const trimmed = line.trimStart();
    if (trimmed.length === 0) continue;
    if (!trimmed.startsWith('#')) break;
    const comment = trimmed.slice(1).replace(/^ /u, '');
    header.lines.push(comment);
    const known = HEADER_KEYS.find(([prefix]) => comment.startsWith(prefix));
    if (known !== undefined) {
      header[known[1]] = comment.slice(known[0].length).trim();
    } else if (PHASE.test(comment)) {
      header.phase = comment.trim();
      const direction = /\((forwards|backwards)\)/u.exec(comment)?.[1];
      if (direction === 'forwards' || direction === 'backwards') header.direction = direction;
    }
  }
  return header;
}

// Fast path for the layout ddrescue writes (also plain decimal, any spaces or tabs). The general
// parser takes about 2 s for a million blocks; this takes a tenth of that. Anything unusual
// (octal, signs, CR, trailing comments, gaps, empty blocks, > 13 hex digits) returns undefined
// and the general parser decides, so both paths accept exactly the same files.

const TAB = 9;
const LINE_FEED = 10;
const SPACE = 32;
const HASH = 35;
const ZERO = 48;
const NINE = 57;
const UPPER_A = 65;
const UPPER_F = 70;
const LOWER_A = 97;
const LOWER_F = 102;
const LOWER_X = 120;

type CanonicalMapfile = Omit<Mapfile, 'header'>;

function readCanonical(text: string): CanonicalMapfile | undefined {
  const length = text.length;
  const result: CanonicalMapfile = { currentPos: 0, currentStatus: '?', currentPass: 1, map: new IntervalMap() };
  const builder = new IntervalMapBuilder();
  let sawStatusLine = false;
  let at = 0;
  let value = 0;
  // Reads an unsigned number at `at` into `value`; false if the syntax is not the simple kind.
  const readNumber = (): boolean => {
    const first = text.charCodeAt(at);
    if (first === ZERO && (text.charCodeAt(at + 1) | 0x20) === LOWER_X) {
      let digits = 0;
      value = 0;
      for (at += 2; at < length; at++, digits++) {
        const c = text.charCodeAt(at);
        let digit: number;
        if (c >= ZERO && c <= NINE) digit = c - ZERO;
        else if (c >= UPPER_A && c <= UPPER_F) digit = c - UPPER_A + 10;
        else if (c >= LOWER_A && c <= LOWER_F) digit = c - LOWER_A + 10;
        else break;
        value = value * 16 + digit;
      }
      return digits > 0 && digits <= 13;
    }
    if (first < ZERO || first > NINE) return false;
    if (first === ZERO && isDigit(text.charCodeAt(at + 1))) return false; // octal
    let digits = 0;
    value = 0;
    for (; at < length && isDigit(text.charCodeAt(at)); at++, digits++) value = value * 10 + (text.charCodeAt(at) - ZERO);
    return digits <= 15;
  };
  const skipBlanks = (): boolean => {
    const before = at;
    while (at < length && (text.charCodeAt(at) === SPACE || text.charCodeAt(at) === TAB)) at++;
    return at > before;
  };
  const atLineEnd = (): boolean => {
    skipBlanks();
    if (at >= length) return true;
    if (text.charCodeAt(at) !== LINE_FEED) return false;
    at++;
    return true;
  };
  while (at < length) {
    const c = text.charCodeAt(at);
    if (c === HASH) {
      const end = text.indexOf('\n', at);
      at = end < 0 ? length : end + 1;
      continue;
    }
    if (c === LINE_FEED) {
      at++;
      continue;
    }
    if (!sawStatusLine) {
      sawStatusLine = true;
      if (!readNumber() || !skipBlanks()) return undefined;
      result.currentPos = value;
      const status = text[at] ?? '';
      if (status.length === 0 || !'?*/-+FG'.includes(status)) return undefined;
      at++;
      result.currentStatus = status as MapfileStatus;
      const separated = skipBlanks();
      if (separated && at < length && isDigit(text.charCodeAt(at))) {
        let digits = 0;
        value = 0;
        for (; at < length && isDigit(text.charCodeAt(at)); at++, digits++) value = value * 10 + (text.charCodeAt(at) - ZERO);
        if (digits > 15 || value < 1) return undefined;
        result.currentPass = value;
      }
      if (!atLineEnd()) return undefined;
      continue;
    }
    if (!readNumber() || !skipBlanks()) return undefined;
    const pos = value;
    if (!readNumber() || !skipBlanks()) return undefined;
    const size = value;
    const status = text[at] ?? '';
    at++;
    if (status.length === 0 || !'?*/-+'.includes(status) || !atLineEnd()) return undefined;
    if (pos !== builder.size || size === 0 || !Number.isSafeInteger(pos + size)) return undefined;
    builder.append(pos, size, status as BlockStatus);
  }
  result.map = builder.finish();
  return result;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}
