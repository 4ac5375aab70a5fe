/**
 * Disc identifiers from a table of contents (MMC-FACTS §4.2-4.5): the MusicBrainz disc id, the
 * FreeDB/CDDB id, the AccurateRip ids and database path, and the CUETools database (CTDB) TOC id.
 * The TOC comes from a drive (DiscToc), a cue sheet or a cdrdao TOC file.
 *
 * Conventions, all on INDEX 01 positions (a hidden track before track 1 makes track 1 start late):
 * - MusicBrainz (libdiscid): tracks from the first to the last audio track; when data tracks end
 *   the disc (CD-Extra), its lead-out is the first of them minus 11 400 sectors (lead-out, lead-in
 *   and pregap between sessions), and they are left out. A leading data track stays (Mixed Mode).
 * - FreeDB/CDDB (cd-discid, whipper): every track, data included, and the real lead-out.
 * - AccurateRip (CUETools, ARver, whipper): audio tracks only, numbered 1… among themselves, the
 *   real lead-out, and the CDDB id above.
 * - CTDB TOC id (CUETools `TOCID`): audio track starts relative to the first audio track, and the
 *   audio end, as in MusicBrainz.
 */

import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { FormatError, UnsupportedError } from '../errors.js';
import type { DiscToc } from '../drive/toc.js';
import type { CueSheet } from '../image/cue-sheet.js';
import type { CdrdaoSource, CdrdaoToc } from '../image/cdrdao-toc-model.js';
import { cdrdaoBlockSize } from '../image/cdrdao-toc-model.js';
import { resolveCdrdaoTocLayout, cdrdaoSourceFrames } from '../image/cdrdao-toc-layout.js';
import { layoutCueImage } from '../image/split.js';
import { createNodeSheetReader, loadCdrdaoToc, loadCueSheet, resolveSheetFile, type SheetFileReader } from '../image/sheet-loader.js';
import { accurateRipPath, accurateRipUrl, formatAccurateRipId, type AccurateRipDiscIds } from './accuraterip.js';
import { parseWavHeader } from './wav.js';

/** Sectors before LBA 0 in absolute (MSF) addressing. */
export const LEAD_IN_SECTORS = 150;
/** Lead-out, lead-in and pregap between session 1 and 2 of a CD-Extra (MMC-FACTS §3.4). */
export const SESSION_GAP_SECTORS = 11_400;

/** One track as the ids see it. */
export interface DiscIdTrack {
  number: number;
  /** LBA of INDEX 01. */
  startLba: number;
  audio: boolean;
}

/** What every id is computed from. */
export interface DiscIdLayout {
  /** Consecutive track numbers, ascending starts. */
  tracks: DiscIdTrack[];
  /** LBA of the (last session's) lead-out. */
  leadOutLba: number;
  /** MCN from the drive or the sheet (CATALOG). */
  mcn?: string | undefined;
  /** ISRCs by track number. */
  isrcs?: Record<number, string> | undefined;
}

/** Every id of a disc. */
export interface DiscIds {
  musicBrainz: {
    id: string;
    /** `first last lead-out offsets…`, absolute sectors. */
    toc: string;
    /** Where to attach the disc id to a release. */
    submissionUrl: string;
    firstTrack: number;
    lastTrack: number;
    leadOutLba: number;
  };
  freedb: {
    id: string;
    /** `id count offsets… seconds`, the CDDB query. */
    query: string;
  };
  accurateRip: AccurateRipDiscIds & {
    /** `013-001af2de-0105994e-ad0be00d`. */
    text: string;
    /** `e/d/2/dBAR-013-….bin`. */
    path: string;
    url: string;
  };
  ctdb: {
    tocId: string;
    /** Colon-separated track starts (data tracks with `-`) and the lead-out, as CTDB lookups take it. */
    toc: string;
  };
}

/** Checks a layout; FormatError when no disc could have it. */
export function checkDiscIdLayout(layout: DiscIdLayout): void {
  const { tracks, leadOutLba } = layout;
  const fail = (message: string): never => {
    throw new FormatError(`the TOC cannot give disc ids: ${message}`);
  };
  if (!Array.isArray(tracks) || tracks.length === 0) fail('no tracks');
  if (tracks.length > 99) fail(`${tracks.length} tracks (at most 99)`);
  tracks.forEach((t, i) => {
    if (!Number.isSafeInteger(t.number) || t.number < 1 || t.number > 99) fail(`track number ${t.number}`);
    if (i > 0 && t.number !== tracks[i - 1]!.number + 1) fail(`track ${t.number} follows track ${tracks[i - 1]!.number}`);
    if (!Number.isSafeInteger(t.startLba) || t.startLba < 0 || t.startLba > 0xffffff) fail(`track ${t.number} starts at LBA ${t.startLba}`);
    if (i > 0 && t.startLba <= tracks[i - 1]!.startLba) fail(`track ${t.number} does not start after track ${tracks[i - 1]!.number}`);
  });
  if (!Number.isSafeInteger(leadOutLba) || leadOutLba <= tracks[tracks.length - 1]!.startLba || leadOutLba > 0xffffff) fail(`lead-out at LBA ${leadOutLba}`);
  if (!tracks.some((t) => t.audio)) fail('no audio track');
}

/** The tracks and lead-out MusicBrainz counts (see the module comment). */
function musicBrainzView(layout: DiscIdLayout): { tracks: DiscIdTrack[]; leadOutLba: number } {
  const tracks = layout.tracks;
  let last = tracks.length - 1;
  while (last > 0 && !tracks[last]!.audio) last--;
  if (last === tracks.length - 1) return { tracks, leadOutLba: layout.leadOutLba };
  const dataStart = tracks[last + 1]!.startLba;
  // A sheet may put the data track right after the audio; keep the lead-out after the last audio track then.
  const leadOut = dataStart - SESSION_GAP_SECTORS > tracks[last]!.startLba ? dataStart - SESSION_GAP_SECTORS : dataStart;
  return { tracks: tracks.slice(0, last + 1), leadOutLba: leadOut };
}

function sha1Base64(text: string): string {
  return createHash('sha1').update(text, 'ascii').digest('base64').replaceAll('+', '.').replaceAll('/', '_').replaceAll('=', '-');
}

function hex(value: number, digits: number): string {
  return value.toString(16).toUpperCase().padStart(digits, '0');
}

/** MusicBrainz disc id, its TOC string and submission URL. */
export function musicBrainzDiscId(layout: DiscIdLayout): DiscIds['musicBrainz'] {
  checkDiscIdLayout(layout);
  const view = musicBrainzView(layout);
  const first = view.tracks[0]!.number;
  const last = view.tracks[view.tracks.length - 1]!.number;
  const slots = new Array<number>(100).fill(0);
  slots[0] = view.leadOutLba + LEAD_IN_SECTORS;
  for (const t of view.tracks) slots[t.number] = t.startLba + LEAD_IN_SECTORS;
  const id = sha1Base64(hex(first, 2) + hex(last, 2) + slots.map((s) => hex(s, 8)).join(''));
  const toc = [first, last, slots[0], ...view.tracks.map((t) => t.startLba + LEAD_IN_SECTORS)].join(' ');
  return {
    id,
    toc,
    submissionUrl: `https://musicbrainz.org/cdtoc/attach?id=${id}&tracks=${last}&toc=${toc.replaceAll(' ', '+')}`,
    firstTrack: first,
    lastTrack: last,
    leadOutLba: view.leadOutLba,
  };
}

function digitSum(n: number): number {
  let sum = 0;
  for (let v = n; v > 0; v = Math.floor(v / 10)) sum += v % 10;
  return sum;
}

/** FreeDB/CDDB id as a number (every track, the real lead-out). */
export function freedbIdNumber(layout: DiscIdLayout): number {
  checkDiscIdLayout(layout);
  const starts = layout.tracks.map((t) => t.startLba + LEAD_IN_SECTORS);
  const n = starts.reduce((sum, s) => sum + digitSum(Math.floor(s / 75)), 0);
  const seconds = Math.floor((layout.leadOutLba + LEAD_IN_SECTORS) / 75) - Math.floor(starts[0]! / 75);
  return ((n % 255) * 0x1000000 + ((seconds & 0xffff) << 8) + (layout.tracks.length & 0xff)) >>> 0;
}

/** FreeDB/CDDB id and the CDDB query line. */
export function freedbDiscId(layout: DiscIdLayout): DiscIds['freedb'] {
  const id = freedbIdNumber(layout).toString(16).padStart(8, '0');
  const offsets = layout.tracks.map((t) => t.startLba + LEAD_IN_SECTORS);
  const seconds = Math.floor((layout.leadOutLba + LEAD_IN_SECTORS) / 75);
  return { id, query: [id, layout.tracks.length, ...offsets, seconds].join(' ') };
}

/** AccurateRip ids (audio tracks numbered among themselves, the real lead-out, the CDDB id). */
export function accurateRipDiscIds(layout: DiscIdLayout): AccurateRipDiscIds {
  checkDiscIdLayout(layout);
  let id1 = 0;
  let id2 = 0;
  let k = 0;
  for (const t of layout.tracks) {
    if (!t.audio) continue;
    k += 1;
    id1 += t.startLba;
    id2 += Math.max(t.startLba, 1) * k;
  }
  id1 += layout.leadOutLba;
  id2 += Math.max(layout.leadOutLba, 1) * (k + 1);
  return { audioTracks: k, id1: id1 >>> 0, id2: id2 >>> 0, cddb: freedbIdNumber(layout) };
}

/** CTDB TOC id and lookup TOC (CUETools `CDImageLayout.TOCID` and `ToString`). */
export function ctdbDiscId(layout: DiscIdLayout): DiscIds['ctdb'] {
  checkDiscIdLayout(layout);
  const audio = layout.tracks.filter((t) => t.audio);
  const base = audio[0]!.startLba;
  const lastAudio = audio[audio.length - 1]!;
  const next = layout.tracks.find((t) => t.number === lastAudio.number + 1);
  const audioEnd = next === undefined ? layout.leadOutLba : musicBrainzEnd(lastAudio, next);
  const fields = audio.slice(1).map((t) => hex(t.startLba - base, 8));
  fields.push(hex(audioEnd - base, 8));
  const tocId = sha1Base64(fields.join('') + '0'.repeat((100 - audio.length) * 8));
  const toc = [...layout.tracks.map((t) => `${t.audio ? '' : '-'}${t.startLba}`), String(layout.leadOutLba)].join(':');
  return { tocId, toc };
}

/** End of an audio track followed by a data track: the data track's start less the session gap. */
function musicBrainzEnd(last: DiscIdTrack, data: DiscIdTrack): number {
  return data.startLba - SESSION_GAP_SECTORS > last.startLba ? data.startLba - SESSION_GAP_SECTORS : data.startLba;
}

/** Every id at once. */
export function computeDiscIds(layout: DiscIdLayout): DiscIds {
  const ar = accurateRipDiscIds(layout);
  return {
    musicBrainz: musicBrainzDiscId(layout),
    freedb: freedbDiscId(layout),
    accurateRip: { ...ar, text: formatAccurateRipId(ar), path: accurateRipPath(ar), url: accurateRipUrl(ar) },
    ctdb: ctdbDiscId(layout),
  };
}

// ---------------------------------------------------------------------------------------------
// Layouts from a drive's TOC, a cue sheet, a cdrdao TOC file

/** From a drive's TOC (INDEX 01 of every track, the last session's lead-out). */
export function discIdLayoutFromToc(toc: DiscToc): DiscIdLayout {
  return { tracks: toc.tracks.map((t) => ({ number: t.number, startLba: t.startLba, audio: !t.isData })), leadOutLba: toc.leadOutLba };
}

/**
 * From a cue sheet and the sample-data size of each FILE (bytes of a BINARY/MOTOROLA file, the
 * data chunk of a WAVE file), laid out as the emulator and `split` lay it out.
 */
export function discIdLayoutFromCue(sheet: CueSheet, dataSizes: readonly number[]): DiscIdLayout {
  // WAVE sizes are already their PCM bytes: lay them out as raw files.
  const raw: CueSheet = { ...sheet, files: sheet.files.map((f) => (f.type === 'WAVE' ? { ...f, type: 'BINARY' as const } : f)) };
  const placed = layoutCueImage(raw, dataSizes);
  const last = placed[placed.length - 1];
  if (last === undefined) throw new FormatError('the cue sheet has no tracks', { file: sheet.fileName });
  const isrcs: Record<number, string> = {};
  for (const t of sheet.tracks) if (t.isrc !== undefined) isrcs[t.number] = t.isrc;
  return {
    tracks: placed.map((t) => ({ number: t.number, startLba: t.startLba, audio: t.mode === 'AUDIO' || t.mode === 'CDG' })),
    leadOutLba: last.startLba + last.fileFrames - last.pregapInFile + last.postgapFrames,
    mcn: sheet.catalog,
    isrcs,
  };
}

/**
 * From a cdrdao TOC file. `openFrames` supplies the length in frames of statements that read a
 * file to its end (from the file's size); without it such a TOC is an UnsupportedError.
 */
export function discIdLayoutFromCdrdaoToc(toc: CdrdaoToc, openFrames?: (source: CdrdaoSource) => number | undefined): DiscIdLayout {
  const layout = resolveCdrdaoTocLayout(toc, openFrames ? { sourceFrames: (source) => openFrames(source) } : {});
  const isrcs: Record<number, string> = {};
  const tracks = layout.tracks.map((t, i) => {
    const track = toc.tracks[i]!;
    if (track.isrc !== undefined) isrcs[t.number] = track.isrc;
    return { number: t.number, startLba: t.index1Frame, audio: track.mode === 'AUDIO' };
  });
  return { tracks, leadOutLba: layout.leadOutFrame, mcn: toc.catalog, isrcs };
}

/** Reads the first bytes of a file (for WAVE headers). */
export type FileHeadReader = (path: string, bytes: number) => Promise<Uint8Array>;

async function nodeReadHead(path: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const WAV_HEAD_BYTES = 65_536;

/** PCM bytes of a WAVE file (its data chunk), FormatError unless it is CD audio. */
async function wavDataBytes(path: string, size: number, readHead: FileHeadReader, sheet: string, line: number | undefined): Promise<{ bytes: number }> {
  const head = await readHead(path, Math.min(size, WAV_HEAD_BYTES));
  let info;
  try {
    info = parseWavHeader(head, size, path);
  } catch (error) {
    throw new FormatError(`${(error as Error).message}`, { file: sheet, line, cause: error });
  }
  if (!info.cdAudio) throw new FormatError(`"${path}" is not 16-bit stereo 44.1 kHz PCM`, { file: sheet, line });
  return { bytes: info.dataBytes };
}

/**
 * Loads a `.cue` or `.toc` file and lays it out for the ids. The sheet's files must exist (their
 * sizes fix the last track's length); WAVE files count by their data chunk.
 */
export async function loadDiscIdLayout(path: string, reader: SheetFileReader = createNodeSheetReader(), readHead: FileHeadReader = nodeReadHead): Promise<DiscIdLayout> {
  if (path.toLowerCase().endsWith('.toc')) {
    const toc = await loadCdrdaoToc(path, reader, { checkFiles: false });
    const open = new Map<CdrdaoSource, number>();
    for (const track of toc.tracks) {
      for (const statement of track.statements) {
        if (statement.kind !== 'audio-file' && statement.kind !== 'data-file') continue;
        if (cdrdaoSourceFrames(statement, track) !== undefined) continue;
        const resolved = await resolveSheetFile(reader, path, statement.name);
        if (resolved.sizeBytes === undefined) throw new FormatError(`cannot open "${statement.name}" (looked for ${resolved.path})`, { file: path, line: statement.line });
        let bytes = resolved.sizeBytes - (statement.byteOffset ?? 0);
        let blockSize: number;
        if (statement.kind === 'audio-file') {
          if (/\.wav$/iu.test(statement.name)) bytes = (await wavDataBytes(resolved.path, resolved.sizeBytes, readHead, path, statement.line)).bytes;
          const start = statement.start;
          bytes -= start.unit === 'frames' ? start.value * 2352 : start.unit === 'samples' ? start.value * 4 : start.value;
          blockSize = 2352;
        } else {
          blockSize = cdrdaoBlockSize(track.mode, track.subChannelMode);
        }
        if (bytes < 0) throw new FormatError(`"${statement.name}" is shorter than its start position`, { file: path, line: statement.line });
        open.set(statement, bytes / blockSize);
      }
    }
    return discIdLayoutFromCdrdaoToc(toc, (source) => open.get(source));
  }
  const sheet = await loadCueSheet(path, reader, { checkFiles: false });
  const sizes: number[] = [];
  for (const file of sheet.files) {
    const resolved = await resolveSheetFile(reader, path, file.name);
    if (resolved.sizeBytes === undefined) throw new FormatError(`FILE "${file.name}" not found (looked for ${resolved.path})`, { file: path, line: file.line });
    if (file.type === 'WAVE') sizes.push((await wavDataBytes(resolved.path, resolved.sizeBytes, readHead, path, file.line)).bytes);
    else if (file.type === 'BINARY' || file.type === 'MOTOROLA') sizes.push(resolved.sizeBytes);
    else throw new UnsupportedError(`${path}:${file.line ?? 1}: FILE "${file.name}" is ${file.type}; disc ids need BINARY, MOTOROLA or WAVE files`);
  }
  return discIdLayoutFromCue(sheet, sizes);
}
