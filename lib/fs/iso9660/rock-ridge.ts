/**
 * SUSP (IEEE P1281) entries in a directory record's System Use area, and the Rock Ridge (RRIP,
 * IEEE P1282) ones among them: NM names, PX attributes, TF times, SL symlinks, PN devices and
 * the RE/CL/PL relocation of deep directories. Continuation areas (CE) are followed through a
 * callback, a bounded number of times.
 */

import type { FsWarning } from '../types.js';
import { decDateTime, le32, recordInstant } from './fields.js';

export interface RockRidgeTimes {
  creation?: Date;
  modify?: Date;
  access?: Date;
  attributes?: Date;
  backup?: Date;
  expiration?: Date;
  effective?: Date;
}

/** What the System Use area of one record says. */
export interface SystemUseInfo {
  /** SP: SUSP in use, with the bytes to skip at the start of later System Use areas. */
  sp?: { skip: number };
  /** ER extension identifiers ('RRIP_1991A', 'IEEE_P1282', …). */
  extensions: string[];
  /** RR entry of RRIP 1.09 seen. */
  rr: boolean;
  /** Any Rock Ridge entry seen (NM, PX, TF, SL, PN, RE, CL, PL). */
  rockRidge: boolean;
  name?: string;
  /** NM says this record is '.' or '..'. */
  nameIsCurrent?: boolean;
  nameIsParent?: boolean;
  mode?: number;
  nlink?: number;
  uid?: number;
  gid?: number;
  ino?: number;
  device?: { high: number; low: number };
  times: RockRidgeTimes;
  linkTarget?: string;
  /** RE: this directory was moved here from deeper in the tree (hide it). */
  relocated: boolean;
  /** CL: this placeholder stands for the directory at this logical block. */
  childLink?: number;
  /** PL: the real parent of a relocated directory. */
  parentLink?: number;
}

/** Reads `length` bytes of a continuation area at logical block `block` + `offset`. */
export type ReadContinuation = (block: number, offset: number, length: number) => Promise<Uint8Array>;

/** Continuation areas followed per record before the chain is deemed hostile. */
const MAX_CONTINUATIONS = 16;
/** Largest continuation area accepted (they live inside one logical block). */
const MAX_CONTINUATION_BYTES = 2048;

export interface SystemUseOptions {
  /** Bytes to skip at the start (SP's LEN_SKP; 0 for the root '.' record). */
  skip: number;
  readContinuation: ReadContinuation;
  warn: (w: FsWarning) => void;
  path: string;
}

/** Parses a System Use area and its continuations. Never throws for malformed entries. */
export async function parseSystemUse(area: Uint8Array, options: SystemUseOptions): Promise<SystemUseInfo> {
  return parseSystemUseFast(area, options);
}

/**
 * The same as parseSystemUse, but synchronous when no continuation area has to be read (nearly
 * every record): listing a large tree awaited a promise per record, which cost more than the
 * parsing itself.
 */
export function parseSystemUseFast(area: Uint8Array, options: SystemUseOptions): SystemUseInfo | Promise<SystemUseInfo> {
  const state = newState();
  const warn = (code: string, message: string): void => options.warn({ code, message, path: options.path });
  const next = parseArea(area, Math.min(options.skip, area.length), state, warn);
  if (next === undefined) return finish(state);
  return continueWith(next, state, options, warn);
}

interface ParseState {
  info: SystemUseInfo;
  /** The name so far; NM entries with CONTINUE add to it. */
  name: string | undefined;
  nameDone: boolean;
  /** Made at the first SL entry (few records are symlinks). */
  link: LinkState | undefined;
}

interface LinkState {
  parts: string[];
  current: string;
  seen: boolean;
  done: boolean;
}

interface Continuation {
  block: number;
  offset: number;
  length: number;
}

/** Shared by every record without ER entries; replaced (never pushed to) when one is met. */
const NO_EXTENSIONS: string[] = [];

function newState(): ParseState {
  return {
    info: { extensions: NO_EXTENSIONS, rr: false, rockRidge: false, times: {}, relocated: false },
    name: undefined,
    nameDone: false,
    link: undefined,
  };
}

/** Follows CE continuation areas, a bounded number of times and never the same one twice. */
async function continueWith(first: Continuation, state: ParseState, options: SystemUseOptions, warn: (code: string, message: string) => void): Promise<SystemUseInfo> {
  const seen = new Set<string>();
  let next: Continuation | undefined = first;
  let hops = 0;
  while (next) {
    const key = `${next.block}:${next.offset}`;
    if (seen.has(key) || ++hops > MAX_CONTINUATIONS) {
      warn('SUSP_CE_LOOP', 'System Use continuation areas form a loop or a chain too long; the rest is ignored');
      break;
    }
    if (next.length > MAX_CONTINUATION_BYTES || next.offset >= MAX_CONTINUATION_BYTES) {
      warn('SUSP_CE_BAD', `a continuation area of ${next.length} bytes at offset ${next.offset} is not plausible`);
      break;
    }
    seen.add(key);
    let bytes: Uint8Array;
    try {
      bytes = await options.readContinuation(next.block, next.offset, next.length);
    } catch (error) {
      warn('SUSP_CE_UNREADABLE', `continuation area at block ${next.block} is unreadable: ${(error as Error).message}`);
      break;
    }
    next = parseArea(bytes, 0, state, warn);
  }
  return finish(state);
}

function finish(state: ParseState): SystemUseInfo {
  const { info, link } = state;
  if (state.name !== undefined) info.name = state.name;
  if (link?.seen) {
    if (link.current !== '') link.parts.push(link.current);
    const target = link.parts.join('/');
    // A lone root component is '/', not the empty string.
    info.linkTarget = target === '' && link.parts.length > 0 ? '/' : target;
  }
  return info;
}

/** Two signature letters as one number, so entries are told apart without making strings. */
const sig = (text: string): number => (text.charCodeAt(0) << 8) | text.charCodeAt(1);
const SIG = {
  SP: sig('SP'), ER: sig('ER'), RR: sig('RR'), CE: sig('CE'), ST: sig('ST'), NM: sig('NM'), PX: sig('PX'),
  PN: sig('PN'), TF: sig('TF'), SL: sig('SL'), RE: sig('RE'), CL: sig('CL'), PL: sig('PL'),
};

/** The entries of one area (from byte `first`); returns the continuation a CE entry names. */
function parseArea(b: Uint8Array, first: number, state: ParseState, warn: (code: string, message: string) => void): Continuation | undefined {
  const { info } = state;
  let next: Continuation | undefined;
  let pos = first;
  const end = b.length;
  while (pos + 4 <= end) {
    const code = (b[pos]! << 8) | b[pos + 1]!;
    const len = b[pos + 2]!;
    if (len < 4 || pos + len > end) {
      // Padding bytes (zeros) after the last entry are normal; anything else is damage.
      if (b[pos] !== 0) warn('SUSP_BAD_ENTRY', `System Use entry "${printable(String.fromCharCode(b[pos]!, b[pos + 1]!))}" has a bad length (${len})`);
      break;
    }
    // Entries are read in place, from offset `at`.
    const at = pos;
    pos += len;
    switch (code) {
      case SIG.SP:
        if (len >= 7 && b[at + 4] === 0xbe && b[at + 5] === 0xef) info.sp = { skip: b[at + 6]! };
        break;
      case SIG.ER: {
        if (len < 8) break;
        const idLength = b[at + 4]!;
        const id = latin1(b, at + 8, at + Math.min(len, 8 + idLength));
        info.extensions = info.extensions === NO_EXTENSIONS ? [id] : [...info.extensions, id];
        break;
      }
      case SIG.RR:
        info.rr = true;
        break;
      case SIG.CE:
        if (len >= 28) next = { block: le32(b, at + 4), offset: le32(b, at + 12), length: le32(b, at + 20) };
        break;
      case SIG.ST:
        pos = end;
        break;
      case SIG.NM: {
        info.rockRidge = true;
        if (len < 5 || state.nameDone) break;
        const flags = b[at + 4]!;
        if (flags & 0x02) info.nameIsCurrent = true;
        if (flags & 0x04) info.nameIsParent = true;
        const part = utf8(b, at + 5, at + len);
        state.name = state.name === undefined ? part : state.name + part;
        if ((flags & 0x01) === 0) state.nameDone = true;
        break;
      }
      case SIG.PX:
        info.rockRidge = true;
        if (len < 36) {
          warn('RR_BAD_PX', `PX entry of ${len} bytes is too short`);
          break;
        }
        info.mode = le32(b, at + 4);
        info.nlink = le32(b, at + 12);
        info.uid = le32(b, at + 20);
        info.gid = le32(b, at + 28);
        if (len >= 44) info.ino = le32(b, at + 36);
        break;
      case SIG.PN:
        info.rockRidge = true;
        if (len >= 20) info.device = { high: le32(b, at + 4), low: le32(b, at + 12) };
        break;
      case SIG.TF:
        info.rockRidge = true;
        parseTimes(b, at, at + len, info.times);
        break;
      case SIG.SL:
        info.rockRidge = true;
        state.link ??= { parts: [], current: '', seen: false, done: false };
        if (!state.link.done) parseSymlink(b.subarray(at, at + len), state.link, warn);
        break;
      case SIG.RE:
        info.rockRidge = true;
        info.relocated = true;
        break;
      case SIG.CL:
        info.rockRidge = true;
        if (len >= 12) info.childLink = le32(b, at + 4);
        break;
      case SIG.PL:
        info.rockRidge = true;
        if (len >= 12) info.parentLink = le32(b, at + 4);
        break;
      default:
        break;
    }
  }
  return next;
}

/** TF flag bits 0-6, in order. */
const TF_KEYS: readonly (keyof RockRidgeTimes)[] = ['creation', 'modify', 'access', 'attributes', 'backup', 'expiration', 'effective'];

/** TF: a flags byte, then the recorded times in flag order, 7 or 17 bytes each; bytes [start, end) of `b`. */
function parseTimes(b: Uint8Array, start: number, end: number, times: RockRidgeTimes): void {
  if (end - start < 5) return;
  const flags = b[start + 4]!;
  const long = (flags & 0x80) !== 0;
  const size = long ? 17 : 7;
  const keys = TF_KEYS;
  let at = start + 5;
  for (let bit = 0; bit < 7; bit++) {
    if ((flags & (1 << bit)) === 0) continue;
    if (at + size > end) return;
    const date = long ? decDateTime(b, at).date : recordInstant(b, at);
    if (date) times[keys[bit]!] = date;
    at += size;
  }
}

/**
 * SL: component records (flags, length, content). A component whose CONTINUE flag is set goes
 * on in the next component or SL entry without a '/'.
 */
function parseSymlink(
  e: Uint8Array, link: LinkState,
  warn: (code: string, message: string) => void,
): void {
  if (e.length < 5) return;
  link.seen = true;
  const entryContinues = (e[4]! & 0x01) !== 0;
  let at = 5;
  while (at + 2 <= e.length) {
    const flags = e[at]!;
    const length = e[at + 1]!;
    if (at + 2 + length > e.length) {
      warn('RR_BAD_SL', 'a symbolic link component runs past its SL entry');
      break;
    }
    let text: string;
    if (flags & 0x02) text = '.';
    else if (flags & 0x04) text = '..';
    else if (flags & 0x08) text = '';
    else text = utf8(e, at + 2, at + 2 + length);
    link.current += text;
    // A root component is an empty part, so joining with '/' gives the leading slash.
    if ((flags & 0x01) === 0) {
      link.parts.push(link.current);
      link.current = '';
    }
    at += 2 + length;
  }
  if (!entryContinues) link.done = true;
}

/** Bytes [start, end) as Latin-1. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/** One decoder for every name: building one per call showed in profiles of large trees. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Rock Ridge names are bytes [start, end); UTF-8 is what writers use today, Latin-1 the fallback. */
function utf8(bytes: Uint8Array, start: number, end: number): string {
  // Plain ASCII (most names) needs no decoder.
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return latin1(bytes, start, end);
  try {
    return UTF8.decode(bytes.subarray(start, end));
  } catch {
    return latin1(bytes, start, end);
  }
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/gu, '?');
}
