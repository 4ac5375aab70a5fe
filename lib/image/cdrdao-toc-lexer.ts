/**
 * Tokens of a cdrdao TOC file: words (keywords, case-sensitive as in cdrdao), unsigned integers,
 * strings, and the punctuation `{ } : , #`. Whitespace and `//` comments separate tokens and may
 * appear anywhere.
 *
 * Strings are cdrdao's: `\"` is a quote and `\ooo` (three octal digits) one byte, read as
 * ISO-8859-1; any other backslash is kept as it is. A string ends on the same line.
 */

import { FormatError } from '../errors.js';

/** What a token is: a keyword-like word, an unsigned integer, a quoted string, `{ } : , #`, or the end. */
export type TocTokenKind = 'word' | 'integer' | 'string' | 'punct' | 'eof';

/** One token with its 1-based position. */
export interface TocToken {
  kind: TocTokenKind;
  /** The word, punctuation character or decoded string; '' at end of input. */
  text: string;
  /** Value of an integer token. */
  value: number;
  line: number;
  column: number;
}

/** Integers longer than this are refused before they lose precision. */
const MAX_INTEGER_DIGITS = 15;

const CH_TAB = 0x09;
const CH_LF = 0x0a;
const CH_CR = 0x0d;
const CH_SPACE = 0x20;
const CH_QUOTE = 0x22;
const CH_SLASH = 0x2f;
const CH_BACKSLASH = 0x5c;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isOctalDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x37;
}

function isWordStart(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}

function isWordPart(code: number): boolean {
  return isWordStart(code) || isDigit(code);
}

/** Reads tokens one at a time with any amount of lookahead. */
export class TocLexer {
  private readonly text: string;
  private readonly fileName: string | undefined;
  private offset = 0;
  private line = 1;
  private lineStart = 0;
  private readonly buffered: TocToken[] = [];

  constructor(text: string, fileName: string | undefined) {
    this.text = text;
    this.fileName = fileName;
  }

  /** The token `ahead` positions from the current one, without consuming anything. */
  peek(ahead = 0): TocToken {
    while (this.buffered.length <= ahead) this.buffered.push(this.scan());
    return this.buffered[ahead] as TocToken;
  }

  /** Consumes and returns the current token. */
  next(): TocToken {
    const token = this.peek();
    this.buffered.shift();
    return token;
  }

  private error(message: string, line: number, column: number): FormatError {
    return new FormatError(message, { file: this.fileName, line, column });
  }

  private newline(nextOffset: number): void {
    this.line++;
    this.lineStart = nextOffset;
  }

  private skipBlanks(): void {
    const text = this.text;
    while (this.offset < text.length) {
      const code = text.charCodeAt(this.offset);
      if (code === CH_SPACE || code === CH_TAB) {
        this.offset++;
      } else if (code === CH_LF) {
        this.offset++;
        this.newline(this.offset);
      } else if (code === CH_CR) {
        this.offset++;
        if (text.charCodeAt(this.offset) === CH_LF) this.offset++;
        this.newline(this.offset);
      } else if (code === CH_SLASH && text.charCodeAt(this.offset + 1) === CH_SLASH) {
        while (this.offset < text.length) {
          const c = text.charCodeAt(this.offset);
          if (c === CH_LF || c === CH_CR) break;
          this.offset++;
        }
      } else {
        return;
      }
    }
  }

  private scan(): TocToken {
    this.skipBlanks();
    const text = this.text;
    const start = this.offset;
    const line = this.line;
    const column = start - this.lineStart + 1;
    if (start >= text.length) return { kind: 'eof', text: '', value: 0, line, column };
    const code = text.charCodeAt(start);

    if (isDigit(code)) {
      let end = start;
      while (end < text.length && isDigit(text.charCodeAt(end))) end++;
      const digits = text.slice(start, end);
      if (digits.length > MAX_INTEGER_DIGITS) throw this.error(`number ${digits.slice(0, 20)}… is too large`, line, column);
      this.offset = end;
      return { kind: 'integer', text: digits, value: Number(digits), line, column };
    }
    if (isWordStart(code)) {
      let end = start;
      while (end < text.length && isWordPart(text.charCodeAt(end))) end++;
      this.offset = end;
      return { kind: 'word', text: text.slice(start, end), value: 0, line, column };
    }
    if (code === CH_QUOTE) return this.scanString(line, column);
    const char = text[start] ?? '';
    if ('{}:,#'.includes(char)) {
      this.offset++;
      return { kind: 'punct', text: char, value: 0, line, column };
    }
    const shown = code === CH_SLASH ? '/ (comments start with //)' : JSON.stringify(char);
    throw this.error(`unexpected character ${shown}`, line, column);
  }

  private scanString(line: number, column: number): TocToken {
    const text = this.text;
    let i = this.offset + 1;
    let value = '';
    let chunkStart = i;
    for (;;) {
      if (i >= text.length) throw this.error('string has no closing quote', line, column);
      const code = text.charCodeAt(i);
      if (code === CH_QUOTE) break;
      if (code === CH_LF || code === CH_CR) throw this.error('string has no closing quote on its line', line, column);
      if (code === CH_BACKSLASH) {
        const nextCode = text.charCodeAt(i + 1);
        if (nextCode === CH_QUOTE) {
          value += `${text.slice(chunkStart, i)}"`;
          i += 2;
          chunkStart = i;
          continue;
        }
        if (isOctalDigit(nextCode) && isOctalDigit(text.charCodeAt(i + 2)) && isOctalDigit(text.charCodeAt(i + 3))) {
          const byte = Number.parseInt(text.slice(i + 1, i + 4), 8) & 0xff;
          value += text.slice(chunkStart, i) + String.fromCharCode(byte);
          i += 4;
          chunkStart = i;
          continue;
        }
      }
      i++;
    }
    value += text.slice(chunkStart, i);
    this.offset = i + 1;
    return { kind: 'string', text: value, value: 0, line, column };
  }
}

/** Describes a token for an error message. */
export function describeTocToken(token: TocToken): string {
  switch (token.kind) {
    case 'eof':
      return 'end of file';
    case 'string':
      return `string "${token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text}"`;
    default:
      return `"${token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text}"`;
  }
}
