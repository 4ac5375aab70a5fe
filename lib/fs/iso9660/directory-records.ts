/**
 * Directory records (ECMA-119 §9.1) and the walk over a directory's bytes. Hostile input is the
 * norm here: a zero length byte means "continue at the next sector", a record that claims more
 * bytes than remain ends the directory, and every other oddity is a warning.
 */

import type { FsWarning } from '../types.js';
import { isoText, le32, recordDate, ucs2Text, be32, type IsoRecordDate } from './fields.js';

/** Records never cross this boundary (ECMA-119 6.8.1.1); it is the logical sector, always 2048 here. */
export const DIRECTORY_SECTOR = 2048;

/** File flags (9.1.6). */
export const FLAG_HIDDEN = 0x01;
export const FLAG_DIRECTORY = 0x02;
export const FLAG_ASSOCIATED = 0x04;
export const FLAG_MULTI_EXTENT = 0x80;

export interface DirectoryRecord {
  /** Byte offset of the record inside the directory's data. */
  offset: number;
  length: number;
  extendedAttributeLength: number;
  /** First logical block of the data (after any extended attribute record). */
  extent: number;
  dataLength: number;
  date: IsoRecordDate;
  flags: number;
  fileUnitSize: number;
  interleaveGap: number;
  volumeSequenceNumber: number;
  /** The file identifier, decoded (Latin-1 or UCS-2 BE); '.' and '..' for the 0x00 / 0x01 ids. */
  name: string;
  isDot: boolean;
  isDotDot: boolean;
  /** The System Use area (SUSP / Rock Ridge entries), possibly empty. */
  systemUse: Uint8Array;
}

export interface ParseDirectoryOptions {
  joliet: boolean;
  highSierra: boolean;
  /** For warnings. */
  path: string;
  warn: (w: FsWarning) => void;
  /** Stop after this many records (hostile directories can hold thousands of tiny ones). */
  maxRecords?: number;
}

/** Splits a directory's data into records. */
export function parseDirectory(data: Uint8Array, options: ParseDirectoryOptions): DirectoryRecord[] {
  const records: DirectoryRecord[] = [];
  const maxRecords = options.maxRecords ?? 1_000_000;
  const warnOnce = new Set<string>();
  const warn = (code: string, message: string): void => {
    // One warning of each kind per directory is enough to tell what is wrong with it.
    if (warnOnce.has(code)) return;
    warnOnce.add(code);
    options.warn({ code, message, path: options.path });
  };
  let pos = 0;
  while (pos < data.length) {
    const length = data[pos]!;
    const sectorEnd = (Math.floor(pos / DIRECTORY_SECTOR) + 1) * DIRECTORY_SECTOR;
    if (length === 0) {
      // Zero pads the sector after its last record; anything else there was lost to the reader.
      const tail = data.subarray(pos, Math.min(sectorEnd, data.length));
      if (tail.some((b) => b !== 0)) warn('ISO_DATA_AFTER_PADDING', `bytes after the zero padding at offset ${pos} are ignored`);
      pos = sectorEnd;
      continue;
    }
    if (length < 34) {
      warn('ISO_SHORT_RECORD', `a directory record of ${length} bytes at offset ${pos} is too short; skipping to the next sector`);
      pos = sectorEnd;
      continue;
    }
    if (pos + length > data.length) {
      warn('ISO_RECORD_PAST_END', `a directory record at offset ${pos} runs past the end of the directory`);
      break;
    }
    if (pos + length > sectorEnd) warn('ISO_RECORD_CROSSES_SECTOR', `the directory record at offset ${pos} crosses a sector boundary`);
    if (length % 2 !== 0) warn('ISO_ODD_RECORD_LENGTH', `the directory record at offset ${pos} has an odd length (${length})`);
    const record = decodeRecord(data, pos, length, options, warn);
    if (record) records.push(record);
    if (records.length >= maxRecords) {
      if (options.maxRecords === undefined) warn('ISO_TOO_MANY_RECORDS', `more than ${maxRecords} records; the rest of the directory is ignored`);
      break;
    }
    pos += length;
  }
  return records;
}

/** Decodes one record (its bytes exactly); undefined when it cannot hold its own name. */
export function parseRecord(
  bytes: Uint8Array, offset: number, options: Pick<ParseDirectoryOptions, 'joliet' | 'highSierra'>, warn: (code: string, message: string) => void,
): DirectoryRecord | undefined {
  const record = decodeRecord(bytes, 0, bytes.length, options, warn);
  if (record) record.offset = offset;
  return record;
}

const NO_SYSTEM_USE = new Uint8Array(0);

/**
 * Decodes the record of `length` bytes at `pos` of a directory's data, reading in place: a
 * view per record cost more than the decoding when listing large trees.
 */
function decodeRecord(
  data: Uint8Array, pos: number, length: number, options: Pick<ParseDirectoryOptions, 'joliet' | 'highSierra'>,
  warn: (code: string, message: string) => void,
): DirectoryRecord | undefined {
  const nameLength = data[pos + 32] ?? 0;
  if (33 + nameLength > length) {
    warn('ISO_BAD_NAME_LENGTH', `the directory record at offset ${pos} has a name longer than the record`);
    return undefined;
  }
  if (le32(data, pos + 2) !== be32(data, pos + 6) || le32(data, pos + 10) !== be32(data, pos + 14)) {
    warn('ISO_BOTH_ENDIAN', `the directory record at offset ${pos} has both-endian fields whose halves differ`);
  }
  const nameAt = pos + 33;
  const isDot = nameLength === 1 && data[nameAt] === 0;
  const isDotDot = nameLength === 1 && data[nameAt] === 1;
  let name: string;
  if (isDot) name = '.';
  else if (isDotDot) name = '..';
  else name = options.joliet ? ucs2Text(data, nameAt, nameLength) : isoText(data, nameAt, nameLength);
  // The identifier is padded to an even offset; the System Use area follows.
  const suStart = 33 + nameLength + (nameLength % 2 === 0 ? 1 : 0);
  const flagsAt = options.highSierra ? 24 : 25;
  return {
    offset: pos,
    length,
    extendedAttributeLength: data[pos + 1] ?? 0,
    extent: le32(data, pos + 2),
    dataLength: le32(data, pos + 10),
    date: recordDate(data, pos + 18, !options.highSierra),
    flags: data[pos + flagsAt] ?? 0,
    fileUnitSize: data[pos + 26] ?? 0,
    interleaveGap: data[pos + 27] ?? 0,
    volumeSequenceNumber: (data[pos + 28] ?? 0) | ((data[pos + 29] ?? 0) << 8),
    name,
    isDot,
    isDotDot,
    systemUse: suStart < length ? data.subarray(pos + suStart, pos + length) : NO_SYSTEM_USE,
  };
}
