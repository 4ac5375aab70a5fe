/**
 * Text handling shared by the CUE and TOC parsers: decoding the bytes of a sheet, stripping a byte
 * order mark, and refusing binary data early with a position.
 */

import { FormatError } from '../errors.js';

/** Options every sheet parser takes. */
export interface ParseSheetOptions {
  /** Name used in FormatError messages (`file:line:column: …`). */
  fileName?: string | undefined;
}

/**
 * Decodes the bytes of a cue sheet or TOC file: UTF-16 when it starts with a UTF-16 byte order mark,
 * UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), otherwise Windows-1252 (what EAC and
 * other Windows tools write).
 */
export function decodeSheetText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}

/**
 * Code points of Windows-1252 bytes 0x80-0x9F (the WHATWG table; unassigned bytes map to C1).
 * Written out because Node's TextDecoder treats "windows-1252" as plain ISO-8859-1.
 */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function decodeWindows1252(bytes: Uint8Array): string {
  const parts: string[] = [];
  const chunk: number[] = [];
  for (const byte of bytes) {
    chunk.push(byte >= 0x80 && byte <= 0x9f ? (WINDOWS_1252_HIGH[byte - 0x80] ?? byte) : byte);
    if (chunk.length === 8192) {
      parts.push(String.fromCharCode(...chunk));
      chunk.length = 0;
    }
  }
  parts.push(String.fromCharCode(...chunk));
  return parts.join('');
}

/** Removes a leading U+FEFF. */
export function stripByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** True for C0 controls other than tab, LF and CR, and for DEL: bytes no text sheet contains. */
function isForbiddenCharacter(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f;
}

/**
 * Throws a FormatError at the first control character (binary data, a truncated download, a file
 * that is not a sheet at all). Lines are counted like the parsers count them: CRLF, LF and CR each
 * end a line.
 */
export function rejectBinaryText(text: string, fileName: string | undefined, what: string): void {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isForbiddenCharacter(code)) {
      const { line, column } = positionOf(text, i);
      const hex = code.toString(16).toUpperCase().padStart(2, '0');
      throw new FormatError(`control character 0x${hex}: not a ${what} (binary data?)`, { file: fileName, line, column });
    }
  }
}

/** 1-based line and column of a string offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a || (code === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Calls `visit` for each line (CRLF, LF or CR ends one) with its 1-based number; returns the line count. */
export function forEachLine(text: string, visit: (line: string, lineNumber: number) => void): number {
  let lineNumber = 1;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 0x0a && code !== 0x0d) continue;
    if (i > start) visit(text.slice(start, i), lineNumber);
    if (code === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
    start = i + 1;
    lineNumber++;
  }
  if (start < text.length) visit(text.slice(start), lineNumber);
  return lineNumber;
}
