/**
 * Parsing GNU ddrescue mapfiles (ddrescue manual, "Mapfile structure", version 1.27): the reading
 * half of the mapfile module, shared by the rescue engine and the emulator's defect maps.
 *
 * ```
 * # comment lines and trailing comments after whitespace
 * 0x00120000     ?               1      <- status line: current_pos current_status [current_pass]
 * 0x00000000  0x00117000  +             <- block lines: pos size status
 * 0x00117000  0x00000200  -
 * ```
 */

import { FormatError } from '../errors.js';

/** Status of a block: non-tried, non-trimmed, non-scraped, bad sector(s), finished. */
export type MapfileBlockStatus = '?' | '*' | '/' | '-' | '+';

/**
 * Status of the rescue as a whole (status line): copying, trimming, scraping, retrying, filling,
 * generating, finished.
 */
export type MapfileStatus = MapfileBlockStatus | 'F' | 'G';

export interface MapfileBlock {
  /** Byte offset of the block in the input. */
  pos: number;
  /** Length in bytes (> 0, except the single block of an empty map). */
  size: number;
  status: MapfileBlockStatus;
}

export interface Mapfile {
  /** current_pos: where the rescue was working. */
  currentPos: number;
  currentStatus: MapfileStatus;
  /** current_pass (1 when the status line has none, as in mapfiles before ddrescue 1.20). */
  currentPass: number;
  /** Contiguous from 0, in order. */
  blocks: MapfileBlock[];
}

export interface ParseMapfileOptions {
  /** Named in FormatError messages. */
  file?: string;
  /**
   * Accept an incomplete map (ddrescuelog -C / --loose-domain): gaps before and between blocks
   * are filled with blocks of this status instead of being an error. Default: gaps are errors.
   */
  fillGaps?: MapfileBlockStatus;
}

const BLOCK_STATUSES: readonly string[] = ['?', '*', '/', '-', '+'];
const STATUSES: readonly string[] = [...BLOCK_STATUSES, 'F', 'G'];
/** Integers as C's strtoll with base 0 reads them: hex (0x), octal (leading 0) or decimal. */
const INTEGER = /^[+-]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/u;

/**
 * Parses mapfile text. Comments run from `#` at the start of a line or after whitespace to the
 * end of the line; blank lines are ignored. Numbers may be decimal, hex (0x) or octal (leading 0)
 * and must fit in a JS number exactly (≤ 2^53 − 1). Blocks must be contiguous from 0 and
 * non-overlapping with sizes > 0; the one exception is the empty map, a single `0 0 status`
 * block. Text with no status line at all parses as an empty map at position 0 ('?', pass 1), as
 * ddrescue treats an empty mapfile. Anything else throws FormatError with file and line.
 */
export function parseMapfile(text: string, options: ParseMapfileOptions = {}): Mapfile {
  if (typeof text !== 'string') throw new TypeError(`Expected "text" to be a string, got ${typeof text}`);
  const file = options.file;
  if (file !== undefined && typeof file !== 'string') throw new TypeError(`Expected "file" to be a string`);
  const fill = options.fillGaps;
  if (fill !== undefined && !BLOCK_STATUSES.includes(fill)) {
    throw new RangeError(`Expected "fillGaps" to be one of ${BLOCK_STATUSES.join(' ')}, got ${JSON.stringify(fill)}`);
  }
  const fail = (message: string, line: number): FormatError => new FormatError(message, { file, line });

  const result: Mapfile = { currentPos: 0, currentStatus: '?', currentPass: 1, blocks: [] };
  let sawStatusLine = false;
  let end = 0;
  let emptyMap = false;
  const lines = text.split(/\r?\n/u);
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const fields = stripComment(lines[index] ?? '').split(/[ \t\v\f\r]+/u).filter((f) => f.length > 0);
    if (fields.length === 0) continue;
    if (!sawStatusLine) {
      sawStatusLine = true;
      if (fields.length < 2 || fields.length > 3) {
        throw fail(`expected the status line "current_pos current_status [current_pass]", got ${fields.length} fields`, lineNumber);
      }
      result.currentPos = parseNumber(fields[0] ?? '', 'current_pos', lineNumber, fail);
      const status = fields[1] ?? '';
      if (!STATUSES.includes(status)) {
        throw fail(`expected current_status to be one of ${STATUSES.join(' ')}, got ${JSON.stringify(status)}`, lineNumber);
      }
      result.currentStatus = status as MapfileStatus;
      if (fields[2] !== undefined) {
        if (!/^\+?[0-9]+$/u.test(fields[2])) throw fail(`expected current_pass to be a decimal integer, got ${JSON.stringify(fields[2])}`, lineNumber);
        const pass = Number(fields[2]);
        if (!Number.isSafeInteger(pass) || pass < 1) throw fail(`expected current_pass to be at least 1, got ${fields[2]}`, lineNumber);
        result.currentPass = pass;
      }
      continue;
    }
    if (fields.length !== 3) throw fail(`expected a block line "pos size status", got ${fields.length} fields`, lineNumber);
    const pos = parseNumber(fields[0] ?? '', 'pos', lineNumber, fail);
    const size = parseNumber(fields[1] ?? '', 'size', lineNumber, fail);
    const status = fields[2] ?? '';
    if (!BLOCK_STATUSES.includes(status)) {
      throw fail(`expected the block status to be one of ${BLOCK_STATUSES.join(' ')}, got ${JSON.stringify(status)}`, lineNumber);
    }
    if (emptyMap) throw fail('a block follows the empty-map block "0 0"', lineNumber);
    if (size === 0) {
      if (pos !== 0 || result.blocks.length > 0) throw fail(`block at ${hex(pos)} has size 0`, lineNumber);
      emptyMap = true;
    }
    if (pos + size > Number.MAX_SAFE_INTEGER) throw fail(`block at ${hex(pos)} ends beyond 2^53 − 1`, lineNumber);
    if (pos !== end) {
      if (pos < end) throw fail(`block at ${hex(pos)} overlaps the previous block, which ends at ${hex(end)}`, lineNumber);
      if (fill === undefined) {
        throw fail(`block at ${hex(pos)} leaves a gap: the map must be contiguous from 0 (expected ${hex(end)})`, lineNumber);
      }
      result.blocks.push({ pos: end, size: pos - end, status: fill });
    }
    result.blocks.push({ pos, size, status: status as MapfileBlockStatus });
    end = pos + size;
  }
  return result;
}

/** Text without its comment: `#` at the start or after whitespace starts one. */
function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '#' && (i === 0 || /\s/u.test(line[i - 1] ?? ''))) return line.slice(0, i);
  }
  return line;
}

function parseNumber(field: string, name: string, line: number, fail: (message: string, line: number) => FormatError): number {
  if (!INTEGER.test(field)) throw fail(`expected ${name} to be an integer (decimal, 0x hex or 0 octal), got ${JSON.stringify(field)}`, line);
  const negative = field.startsWith('-');
  const digits = field.replace(/^[+-]/u, '');
  const value = digits.length > 1 && digits.startsWith('0') && !/^0[xX]/u.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  if (negative && value !== 0n) throw fail(`expected ${name} to be non-negative, got ${field}`, line);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw fail(`${name} ${field} is larger than 2^53 − 1`, line);
  return Number(value);
}

function hex(value: number): string {
  return `0x${value.toString(16).toUpperCase()}`;
}
