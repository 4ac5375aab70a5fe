/** `ls`: the files of a disc, image or session, as `isoinfo -f` / `isoinfo -l` list them, or as JSON. */

import type { EmulatedAddressOptions } from '../../emulator/address.js';
import { openIso9660, type Iso9660Reader, type IsoDirectoryListing, type IsoNames } from '../../fs/iso9660/reader.js';
import type { FileSystemReader, FsNode } from '../../fs/types.js';
import { walkTree } from '../../fs/walk.js';
import { openImageAt } from '../../fs/open.js';
import { isDriveAddress, openSectorSource } from '../../sources/open-source.js';
import type { SectorSource } from '../../sources/sector-source.js';
import { printJson, UsageError, type CliContext } from '../io.js';

export interface VolumeOptions {
  names: string | undefined;
  offset: string | undefined;
  emulator: EmulatedAddressOptions;
}

/** An opened source and the filesystem on it; close() releases both. */
export interface OpenedVolume {
  source: SectorSource;
  reader: Iso9660Reader;
  close(): Promise<void>;
}

/** Opens `address` (image file, emu:…, /dev/sr0) and the ISO 9660 volume on it. */
export async function openVolume(address: string, o: VolumeOptions): Promise<OpenedVolume> {
  const names = parseNames(o.names);
  const offset = parseOffset(o.offset);
  // An image file of a later session alone (mkisofs -C, isoinfo -N) or of the whole disc.
  const source = isDriveAddress(address) ? await openSectorSource(address, { mode: 'data', emulator: o.emulator }) : await openImageAt(address, offset);
  try {
    const reader = await openIso9660(source, { ...(names ? { names } : {}), ...(offset === undefined ? {} : { offset }) });
    return { source, reader, close: () => source.close() };
  } catch (error) {
    await source.close();
    throw error;
  }
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
        names: reader.names,
        offset: reader.offset,
        descriptors: reader.descriptors,
        root: tree.root,
        warnings: reader.warnings,
      });
      return failed ? 1 : 0;
    }
    // For -l the '.' and '..' records are kept from the same read as the entries.
    const dots = new Map<FsNode, IsoDirectoryListing>();
    const walker: FileSystemReader = o.long
      ? {
          type: reader.type,
          label: reader.label,
          root: () => reader.root(),
          readDir: async (dir) => {
            const listing = await reader.readDirWithDots(dir);
            dots.set(dir, listing);
            return listing.entries;
          },
        }
      : reader;
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
        ctx.stderr.write(`discrescue: ${dir.path}: ${error instanceof Error ? error.message : String(error)}\n`);
        continue;
      }
      if (!entries) continue;
      if (o.long) {
        printLong(ctx, reader, dir, entries, dots.get(dir));
        dots.delete(dir);
      } else {
        // One write per directory: a write per line costs a system call each on a file or pipe.
        let text = '';
        for (const entry of entries) text += `${entry.path}\n`;
        if (text) ctx.stdout.write(text);
      }
    }
    for (const w of reader.warnings) ctx.stderr.write(`warning: ${w.path ? `${w.path}: ` : ''}${w.message} [${w.code}]\n`);
    return failed ? 1 : 0;
  } finally {
    await volume.close();
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** One directory in `isoinfo -l` form: a header, then '.', '..' and the entries. */
function printLong(ctx: CliContext, reader: FileSystemReader, dir: FsNode, entries: FsNode[], listing: IsoDirectoryListing | undefined): void {
  // The '.' and '..' records have attributes of their own; other readers only have the directory.
  const dot = listing ? listing.dot : dir;
  const dotDot = listing ? listing.dotDot : dir;
  const header = dir.path === '/' ? '/' : `${dir.path}/`;
  // The directory in one write (a system call per line dominated large listings).
  let text = `\nDirectory listing of ${header}\n`;
  if (dot) text += `${longLine(reader, dot, '.')}\n`;
  if (dotDot) text += `${longLine(reader, dotDot, '..')}\n`;
  for (const entry of entries) text += `${longLine(reader, entry, entry.name)}\n`;
  ctx.stdout.write(text);
}

/** A line like `isoinfo -l` prints: mode, links, uid, gid (octal), size, date, [extent flags], name. */
export function longLine(reader: FileSystemReader, node: FsNode, name: string): string {
  const info = isIsoReader(reader) ? reader.recordInfo(node) : undefined;
  const mode = modeString(node);
  const nlink = String(node.mode === undefined ? 0 : (node.nlink ?? 0)).padStart(3);
  const uid = (node.uid ?? 0).toString(8).padStart(4);
  const gid = (node.gid ?? 0).toString(8).padStart(4);
  const size = String(node.size).padStart(10);
  let date: string;
  if (info) {
    const month = MONTHS[info.date.month - 1] ?? '???';
    date = `${month} ${String(info.date.day).padStart(2)} ${String(1900 + info.date.year).padStart(4)}`;
  } else if (node.mtime) {
    const m = node.mtime;
    date = `${MONTHS[m.getUTCMonth()]} ${String(m.getUTCDate()).padStart(2)} ${String(m.getUTCFullYear()).padStart(4)}`;
  } else date = '??? ?? ????';
  // Signed, as isoinfo prints it (mkisofs gives relocation placeholders "negative" extents).
  const extent = info ? info.extent | 0 : Math.floor((node.extents[0]?.start ?? 0) / 2048);
  const flags = (info ? info.flags : node.kind === 'directory' ? 2 : 0).toString(16).toUpperCase().padStart(2, '0');
  const link = node.kind === 'symlink' && node.linkTarget !== undefined ? `-> ${node.linkTarget}` : '';
  return `${mode} ${nlink} ${uid} ${gid}      ${size} ${date} [${String(extent).padStart(7)} ${flags}]  ${name} ${link}`;
}

function modeString(node: FsNode): string {
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

function isIsoReader(reader: FileSystemReader): reader is Iso9660Reader {
  return typeof (reader as Partial<Iso9660Reader>).recordInfo === 'function' && typeof (reader as Partial<Iso9660Reader>).readDirWithDots === 'function';
}

function parseNames(text: string | undefined): IsoNames | undefined {
  if (text === undefined) return undefined;
  if (text === 'iso' || text === 'joliet' || text === 'rr') return text;
  throw new UsageError(`--names needs iso, joliet or rr, got "${text}"`);
}

function parseOffset(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/u.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value > 0x7fffffff) throw new UsageError(`--offset needs a sector number, got "${text}"`);
  return value;
}
