/** `ls`: the files of a disc, image or session, as `isoinfo -f` / `isoinfo -l` list them, or as JSON. */

import type { EmulatedAddressOptions } from '../../emulator/address.js';
import { Iso9660Reader, type IsoDirectoryListing, type IsoNames } from '../../fs/iso9660/reader.js';
import type { FileSystemReader, FsNode } from '../../fs/types.js';
import { walkTree } from '../../fs/walk.js';
import { openFileSystem, openImageAt, type FsChoice, type OpenedReader } from '../../fs/open.js';
import { isDriveAddress, openSectorSource } from '../../sources/open-source.js';
import type { SectorSource } from '../../sources/sector-source.js';
import { printJson, UsageError, type CliContext } from '../io.js';

export interface VolumeOptions {
  names: string | undefined;
  /** --offset: the LBA of the image's first sector on the disc (checked by the CLI). */
  offset: number | undefined;
  /** iso, udf, hfs or hfsplus: which filesystem of a hybrid. */
  fs?: string | undefined;
  emulator: EmulatedAddressOptions;
}

/** An opened source and the filesystem on it; close() releases both. */
export interface OpenedVolume {
  source: SectorSource;
  reader: OpenedReader;
  close(): Promise<void>;
}

/** Opens `address` (image file, emu:…, /dev/sr0) and the filesystem on it (`--fs`, else ISO 9660, UDF, HFS+, HFS). */
export async function openVolume(address: string, o: VolumeOptions): Promise<OpenedVolume> {
  const names = parseNames(o.names);
  const offset = o.offset;
  const fs = parseFs(o.fs);
  if (names !== undefined && fs !== undefined && fs !== 'iso') throw new UsageError(`--names applies to ISO 9660 only, not to --fs ${fs}`);
  // An image file of a later session alone (mkisofs -C, isoinfo -N) or of the whole disc.
  const source = isDriveAddress(address) ? await openSectorSource(address, { mode: 'data', emulator: o.emulator }) : await openImageAt(address, offset);
  try {
    const reader = await openFileSystem(source, { ...(fs ? { fs } : {}), ...(names ? { names } : {}), ...(offset === undefined ? {} : { offset }) });
    return { source, reader, close: () => source.close() };
  } catch (error) {
    await source.close();
    throw error;
  }
}

/** What `ls --json` says about the volume besides its tree. */
function volumeFacts(reader: OpenedReader): Record<string, unknown> {
  if (reader instanceof Iso9660Reader) return { names: reader.names, offset: reader.offset, descriptors: reader.descriptors };
  const r = reader as Partial<Record<'volume' | 'mdb' | 'header' | 'start', unknown>>;
  if (r.volume !== undefined) return { volume: r.volume };
  if (r.mdb !== undefined) return { start: r.start, mdb: r.mdb };
  if (r.header !== undefined) return { start: r.start, header: r.header };
  return {};
}

export async function lsCommand(
  ctx: CliContext,
  o: { source: string; long: boolean; json: boolean } & VolumeOptions,
): Promise<number> {
  const volume = await openVolume(o.source, o);
  try {
    const { reader } = volume;
    let failed = false;
    if (o.json) {
      const tree = await jsonTree(reader);
      failed = tree.errors > 0;
      printJson(ctx, {
        source: volume.source.name,
        type: reader.type,
        label: reader.label,
        ...volumeFacts(reader),
        root: tree.root,
        warnings: reader.warnings,
      });
      return failed ? 1 : 0;
    }
    const iso = reader instanceof Iso9660Reader ? reader : undefined;
    // For -l the '.' and '..' records are kept from the same read as the entries (ISO 9660);
    // other filesystems have no such records: '.' is the directory, '..' its parent.
    const dots = new Map<FsNode, IsoDirectoryListing>();
    const parents = new Map<FsNode, FsNode>();
    const walker: FileSystemReader = o.long
      ? {
          type: reader.type,
          label: reader.label,
          root: () => reader.root(),
          readDir: async (dir) => {
            if (iso) {
              const listing = await iso.readDirWithDots(dir);
              dots.set(dir, listing);
              return listing.entries;
            }
            const entries = await reader.readDir(dir);
            for (const entry of entries) if (entry.kind === 'directory') parents.set(entry, dir);
            return entries;
          },
        }
      : reader;
    const out = new OutputBuffer(ctx);
    const walk = walkTree(walker);
    for (;;) {
      const step = await walk.next();
      if (step.done) {
        if (step.value.truncated) ctx.stderr.write('discrescue: too many files; the listing stops here\n');
        break;
      }
      const { dir, entries, error } = step.value;
      if (error !== undefined) {
        failed = true;
        await out.flush();
        ctx.stderr.write(`discrescue: ${dir.path}: ${error instanceof Error ? error.message : String(error)}\n`);
        continue;
      }
      if (!entries) continue;
      if (o.long) {
        const listing = iso ? dots.get(dir) : { dot: dir, dotDot: parents.get(dir) ?? dir, entries };
        dots.delete(dir);
        parents.delete(dir);
        out.add(longListing(reader, dir, entries, listing));
      } else {
        let text = '';
        for (const entry of entries) text += `${entry.path}\n`;
        out.add(text);
      }
      await out.maybeFlush();
    }
    await out.flush();
    for (const w of reader.warnings) ctx.stderr.write(`warning: ${w.path ? `${w.path}: ` : ''}${w.message} [${w.code}]\n`);
    return failed ? 1 : 0;
  } finally {
    await volume.close();
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Output gathered into large writes: a write per line, or even per directory, cost a system
 * call each and dominated large listings. A stream that reports a full buffer is waited for.
 */
class OutputBuffer {
  readonly #ctx: CliContext;
  #parts: string[] = [];
  #length = 0;

  constructor(ctx: CliContext) {
    this.#ctx = ctx;
  }

  add(text: string): void {
    if (text === '') return;
    this.#parts.push(text);
    this.#length += text.length;
  }

  async maybeFlush(): Promise<void> {
    // Large enough to make system calls rare, small enough that the text is not kept long
    // (holding a megabyte of small strings pushed them into the old generation: GC doubled).
    if (this.#length >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#length === 0) return;
    const text = this.#parts.join('');
    this.#parts = [];
    this.#length = 0;
    type Emitter = { on?: (event: string, listener: () => void) => unknown; off?: (event: string, listener: () => void) => unknown };
    const stream = this.#ctx.stdout as CliContext['stdout'] & Emitter;
    if (stream.write(text) !== false || typeof stream.on !== 'function' || typeof stream.off !== 'function') return;
    // 'close' and 'error' too: a reader that went away must not leave the listing waiting.
    const events = ['drain', 'close', 'error'];
    await new Promise<void>((resolve) => {
      const done = (): void => {
        for (const event of events) stream.off!(event, done);
        resolve();
      };
      for (const event of events) stream.on!(event, done);
    });
  }
}

/** One directory in `isoinfo -l` form: a header, then '.', '..' and the entries. */
function longListing(reader: FileSystemReader, dir: FsNode, entries: FsNode[], listing: IsoDirectoryListing | undefined): string {
  const dot = listing ? listing.dot : dir;
  const dotDot = listing ? listing.dotDot : dir;
  const header = dir.path === '/' ? '/' : `${dir.path}/`;
  let text = `\nDirectory listing of ${header}\n`;
  if (dot) text += `${longLine(reader, dot, '.')}\n`;
  if (dotDot) text += `${longLine(reader, dotDot, '..')}\n`;
  for (const entry of entries) text += `${longLine(reader, entry, entry.name)}\n`;
  return text;
}

/** A line like `isoinfo -l` prints: mode, links, uid, gid (octal), size, date, [extent flags], name. */
export function longLine(reader: FileSystemReader, node: FsNode, name: string): string {
  const info = reader instanceof Iso9660Reader ? reader.recordInfo(node) : undefined;
  const mode = modeString(node);
  const nlink = pad(String(node.mode === undefined ? 0 : (node.nlink ?? 0)), 3);
  const uid = pad((node.uid ?? 0).toString(8), 4);
  const gid = pad((node.gid ?? 0).toString(8), 4);
  const size = pad(String(node.size), 10);
  let date: string;
  if (info) date = dateText(1900 + info.date.year, info.date.month, info.date.day);
  else if (node.mtime) {
    const m = node.mtime;
    date = dateText(m.getUTCFullYear(), m.getUTCMonth() + 1, m.getUTCDate());
  } else date = '??? ?? ????';
  // Signed, as isoinfo prints it (mkisofs gives relocation placeholders "negative" extents).
  const extent = info ? info.extent | 0 : Math.floor((node.extents[0]?.start ?? 0) / 2048);
  const flagValue = info ? info.flags : node.kind === 'directory' ? 2 : 0;
  const flags = flagValue < 16 ? `0${flagValue.toString(16).toUpperCase()}` : flagValue.toString(16).toUpperCase();
  const link = node.kind === 'symlink' && node.linkTarget !== undefined ? `-> ${node.linkTarget}` : '';
  return `${mode} ${nlink} ${uid} ${gid}      ${size} ${date} [${pad(String(extent), 7)} ${flags}]  ${name} ${link}`;
}

const SPACES = '          ';

/** `text` right-aligned in `width` columns (padStart, without its cost per call). */
function pad(text: string, width: number): string {
  return text.length >= width ? text : SPACES.slice(0, width - text.length) + text;
}

/** 'Mon dd yyyy' of a date; a tree has few distinct dates, so they are made once. */
const dateTexts = new Map<number, string>();
function dateText(year: number, month: number, day: number): string {
  const key = (year * 100 + month) * 100 + day;
  let text = dateTexts.get(key);
  if (text === undefined) {
    text = `${MONTHS[month - 1] ?? '???'} ${pad(String(day), 2)} ${pad(String(year), 4)}`;
    if (dateTexts.size < 100_000) dateTexts.set(key, text);
  }
  return text;
}

const modeTexts = new Map<string, string>();
function modeString(node: FsNode): string {
  const key = `${node.kind}:${node.mode ?? ''}`;
  let text = modeTexts.get(key);
  if (text === undefined) {
    text = makeModeString(node);
    if (modeTexts.size < 10_000) modeTexts.set(key, text);
  }
  return text;
}

function makeModeString(node: FsNode): string {
  const type = { directory: 'd', file: '-', symlink: 'l', fifo: 'p', socket: 's', device: 'c', other: '?' }[node.kind];
  if (node.mode === undefined) return `${type}---------`;
  const m = node.mode;
  const fmt = m & 0o170000;
  const t = fmt === 0o060000 ? 'b' : fmt === 0o020000 ? 'c' : type;
  const bit = (mask: number, c: string): string => ((m & mask) !== 0 ? c : '-');
  // Like isoinfo, setuid, setgid and sticky bits are not shown.
  return t + bit(0o400, 'r') + bit(0o200, 'w') + bit(0o100, 'x') + bit(0o040, 'r') + bit(0o020, 'w') + bit(0o010, 'x') +
    bit(0o004, 'r') + bit(0o002, 'w') + bit(0o001, 'x');
}

interface JsonNode {
  name: string;
  path: string;
  kind: FsNode['kind'];
  size: number;
  extents: FsNode['extents'];
  mtime?: string;
  mode?: string;
  uid?: number;
  gid?: number;
  nlink?: number;
  linkTarget?: string;
  hidden?: boolean;
  children?: JsonNode[];
  error?: string;
}

/** The whole tree as nested objects, built breadth first without recursion. */
async function jsonTree(reader: FileSystemReader): Promise<{ root: JsonNode; errors: number }> {
  const objects = new Map<FsNode, JsonNode>();
  const toJson = (node: FsNode): JsonNode => {
    const out: JsonNode = { name: node.name, path: node.path, kind: node.kind, size: node.size, extents: node.extents };
    if (node.mtime) out.mtime = node.mtime.toISOString();
    if (node.mode !== undefined) out.mode = node.mode.toString(8).padStart(6, '0');
    if (node.uid !== undefined) out.uid = node.uid;
    if (node.gid !== undefined) out.gid = node.gid;
    if (node.nlink !== undefined) out.nlink = node.nlink;
    if (node.linkTarget !== undefined) out.linkTarget = node.linkTarget;
    if (node.hidden) out.hidden = true;
    objects.set(node, out);
    return out;
  };
  const rootNode = await reader.root();
  const root = toJson(rootNode);
  let errors = 0;
  for await (const step of walkTree(reader, { start: rootNode })) {
    const parent = objects.get(step.dir);
    if (!parent) continue;
    if (step.error !== undefined) {
      errors++;
      parent.error = step.error instanceof Error ? step.error.message : String(step.error);
      continue;
    }
    if (step.entries) parent.children = step.entries.map(toJson);
  }
  return { root, errors };
}

function parseNames(text: string | undefined): IsoNames | undefined {
  if (text === undefined) return undefined;
  if (text === 'iso' || text === 'joliet' || text === 'rr') return text;
  throw new UsageError(`--names needs iso, joliet or rr, got "${text}"`);
}

function parseFs(text: string | undefined): FsChoice | undefined {
  if (text === undefined) return undefined;
  if (text === 'iso' || text === 'udf' || text === 'hfs' || text === 'hfsplus') return text;
  throw new UsageError(`--fs needs iso, udf, hfs or hfsplus, got "${text}"`);
}
