/**
 * `dumpDisc`: a raw dump of every session of a CD — 2352-byte sectors of every track, data with
 * sync/header/EDC/ECC and audio as CD-DA — to BIN files, a CDRWIN cue sheet, cdrdao TOC files and a
 * JSON description.
 *
 * The disc is read by the rescue engine into a work image `<base>.raw` (LBA 0 to the last lead-out,
 * 2352 bytes per sector) with a GNU ddrescue mapfile `<base>.map` in the same units; the engine's
 * domain holds only the tracks, so the lead-out/lead-in between sessions is recorded as zeros and
 * never read. Running the same dump again resumes from the mapfile — on this drive or another one —
 * and writes the outputs again. The BINs are copied from the work image at the end of every run
 * (unrescued sectors as zeros, listed in the JSON); the work image stays, because a resume needs it.
 *
 * Besides: sub-channel (`<base>.sub`) and C2 counts read in the same READ CD as the main channel
 * (side-channels.ts), INDEX 02+ from sub-channel Q (probe.ts), CD-Text (`<base>.cdt`, CDTEXTFILE,
 * TITLE/PERFORMER), and the audio read offset applied when the BINs are written (audio-offset.ts).
 */

import { createHash, type Hash } from 'node:crypto';
import { open, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { Drive, type OpenOptions } from '../drive/drive.js';
import type { DiscToc } from '../drive/toc.js';
import type { EmulatedAddressOptions } from '../emulator/address.js';
import { AbortError, DiscError, FormatError, UnsupportedError } from '../errors.js';
import { cueToCdrdaoToc } from '../image/convert.js';
import { formatCdrdaoToc } from '../image/cdrdao-toc.js';
import { formatCue } from '../image/cue.js';
import type { CueSheet, CueTrackMode } from '../image/cue-sheet.js';
import { rescue, type BadArea, type RescueProgress, type RescueResult } from '../rescue/engine.js';
import { createDriveSource } from '../sources/drive-source.js';
import { readMapfile, saveMapfile } from '../rescue/mapfile.js';
import {
  assumedPregap,
  binName,
  dumpCueSheet,
  dumpDomain,
  dumpTracks,
  DUMP_SECTOR_SIZE,
  type DumpCdTextFields,
  type DumpCueText,
  type DumpSession,
  type DumpTrack,
  type PregapInfo,
} from './layout.js';
import { findIndexes, findPregap, probeSideChannels, probeTracks, readCdTextPacks, readCodes, sectorMode } from './probe.js';
import { DumpSideFiles, SideChannelTransport, type C2Stats } from './side-channels.js';
import { audioRuns, edgeSectorsNeeded, MAX_OFFSET_SAMPLES, readShiftedAudio, runOf, shiftedSourceRange, BYTES_PER_SAMPLE, type AudioRun } from './audio-offset.js';
import { cdTextFileBytes, parseCdText } from '../cd/cd-text.js';

/** What to dump where, and how. */
export interface DumpOptions {
  /** A drive address (`/dev/sr0`, `emu:…`, `replay:…`) or an open Drive (left open). */
  source: string | Drive;
  /** The cue sheet to write; every other file is named after it. Its directory must exist. */
  cuePath: string;
  /** One BIN for the whole disc (`<base>.bin`) instead of one per track. Default false. */
  singleBin?: boolean;
  /** Retry passes over bad sectors after scraping (ddrescue -r). Default 0. */
  retryPasses?: number;
  /** Start over on a work image that has no mapfile. Default false. */
  force?: boolean;
  /** MD5, SHA-1 and SHA-256 of every track and BIN. Default true. */
  checksums?: boolean;
  /**
   * Also read the raw P-W sub-channel of every sector, in the same READ CD as its main channel,
   * and write `<base>.sub` (96 bytes per sector, CloneCD layout). Default false.
   */
  subchannel?: boolean;
  /** Read C2 pointers with every sector when the drive reports them, and count flagged bytes per track. Default true. */
  c2?: boolean;
  /**
   * The drive's audio read offset correction in samples (AccurateRip's value, either sign; at most
   * ±5880): audio tracks are written shifted so that the BINs hold the disc's true samples. Default 0.
   */
  offsetSamples?: number;
  /** For `emu:` addresses. */
  emulator?: EmulatedAddressOptions;
  /** How to open a real drive. */
  drive?: Omit<OpenOptions, 'emulator'>;
  /** Write the mapfile at most this often while reading (ms). Default 5000. */
  mapfileIntervalMs?: number;
  /** Recorded in the mapfile. */
  commandLine?: string;
  signal?: AbortSignal;
  onProgress?: (progress: RescueProgress) => void;
  /** Called with a short line before each step (reading the TOC, pregaps, the rescue, writing). */
  onStep?: (message: string) => void;
}

/** Hashes of one file or track. */
export interface DumpChecksums {
  md5: string;
  sha1: string;
  sha256: string;
  bytes: number;
}

/** One track as the JSON description and the result report it. */
export interface DumpTrackReport extends DumpTrack {
  /** The BIN that holds it, and the byte offset of its first sector there. */
  file: string;
  fileOffset: number;
  sectors: number;
  /** Sectors of the track's file data not rescued (zeros in the BIN). */
  unreadSectors: number;
  checksums?: DumpChecksums | undefined;
  /** C2 pointers over the track's sectors (as the drive returned them), when they were read. */
  c2?: C2Stats | undefined;
}

/** What the audio offset correction did. */
export interface DumpOffsetReport {
  samples: number;
  /** Samples written as zeros because the drive could not give them (lead-in, lead-out, next to data). */
  zeroFilledSamples: number;
  /** Lead-in/lead-out sectors read for the shift, and those the drive refused. */
  edgeSectorsRead: number[];
  edgeSectorsUnreadable: number[];
}

/** What a dump wrote and how complete it is. */
export interface DumpResult {
  /** Every sector of every track was read. */
  complete: boolean;
  cuePath: string;
  binPaths: string[];
  /** cdrdao TOC files: `<base>.toc`, or one per session (`<base>.session-NN.toc`) on multisession discs. */
  tocPaths: string[];
  /** Why a TOC could not be written, when one could not. */
  tocNotes: string[];
  jsonPath: string;
  rawPath: string;
  mapfilePath: string;
  catalog: string | undefined;
  sessions: DumpSession[];
  tracks: DumpTrackReport[];
  /** Checksums of each BIN, in binPaths order. */
  binChecksums: Array<DumpChecksums | undefined>;
  /** `<base>.sub`: the sub-channel of every dumped sector in BIN order, when asked for and the drive gave it. */
  subPath: string | undefined;
  /** Dumped sectors whose sub-channel could not be read (zeros in the .sub). */
  subchannelMissingSectors: number;
  /** `<base>.cdt`: the disc's CD-Text packs, when it has any. */
  cdTextPath: string | undefined;
  /** C2 totals of every track, when C2 pointers were read. */
  c2: C2Stats | undefined;
  offset: DumpOffsetReport;
  /** Things the reader should know: features the drive refused, CD-Text that could not be decoded. */
  notes: string[];
  rescue: RescueResult;
}

/** Sectors copied per read when writing the BINs. */
const COPY_CHUNK = 256;
/** Data sectors looked at to tell Mode 1 from Mode 2 when the probe could not read a track's first. */
const MODE_SNIFF_SECTORS = 32;

/** The paths of a dump named after its cue sheet. */
export function dumpPaths(cuePath: string): {
  directory: string;
  base: string;
  rawPath: string;
  mapfilePath: string;
  jsonPath: string;
  subPath: string;
  cdTextPath: string;
} {
  const directory = posix.dirname(cuePath);
  const base = posix.basename(cuePath, posix.extname(cuePath));
  const at = (name: string) => posix.join(directory, name);
  return {
    directory,
    base,
    rawPath: at(`${base}.raw`),
    mapfilePath: at(`${base}.map`),
    jsonPath: at(`${base}.json`),
    subPath: at(`${base}.sub`),
    cdTextPath: at(`${base}.cdt`),
  };
}

/**
 * Dumps every session of the disc in `source` (see the module comment). Rejects with
 * UnsupportedError naming the track when the drive refuses READ CD for it, with RescueSetupError
 * when the work image and mapfile do not belong together, and with the signal's reason on abort
 * (the mapfile is saved: the same call resumes). Partial success is a result: `complete` false.
 */
export async function dumpDisc(options: DumpOptions): Promise<DumpResult> {
  if (typeof options !== 'object' || options === null) throw new TypeError('Expected "options" to be an object');
  if (typeof options.cuePath !== 'string' || options.cuePath === '') throw new TypeError('Expected "cuePath" to be a non-empty string');
  const owned = typeof options.source === 'string';
  const drive =
    typeof options.source === 'string'
      ? await Drive.open(options.source, { ...options.drive, ...(options.emulator === undefined ? {} : { emulator: options.emulator }) })
      : options.source;
  try {
    return await dumpWithDrive(drive, options);
  } finally {
    if (owned) await drive.close().catch(() => undefined);
  }
}

async function dumpWithDrive(drive: Drive, o: DumpOptions): Promise<DumpResult> {
  const step = o.onStep ?? (() => undefined);
  const signal = o.signal;
  const paths = dumpPaths(o.cuePath);
  const singleBin = o.singleBin ?? false;
  const offsetSamples = o.offsetSamples ?? 0;
  if (!Number.isSafeInteger(offsetSamples) || Math.abs(offsetSamples) > MAX_OFFSET_SAMPLES) {
    throw new RangeError(`Expected "offsetSamples" to be an integer from -${MAX_OFFSET_SAMPLES} to ${MAX_OFFSET_SAMPLES}, got ${String(offsetSamples)}`);
  }
  const notes: string[] = [];
  const signalOption = signal ? { signal } : {};

  await drive.waitReady(signalOption);
  step('reading the TOC');
  const toc = await drive.toc(signalOption);
  const probedModes = await probeTracks(drive, toc, signal);
  step('looking for pregaps in sub-channel Q');
  const pregaps = await findPregaps(drive, toc, signal);
  const codes = await readCodes(drive, toc, signal);
  const cdTextPacks = await readCdTextPacks(drive, signal);

  const layout = dumpTracks(toc, pregaps, probedModes);
  step('looking for index points in sub-channel Q');
  const indexes = new Map<number, number[]>();
  for (const track of layout.tracks) {
    if (track.isData) continue;
    const found = await findIndexes(drive, { number: track.number, startLba: track.startLba, endLba: track.endLba }, signal);
    if (found.length > 0) indexes.set(track.number, found);
  }

  const sides = await sideChannelsWanted(drive, layout.tracks, o, notes, signal);
  const discSectors = layout.sessions[layout.sessions.length - 1]?.leadOutLba ?? toc.leadOutLba;
  const fresh = !(await hasMapfile(paths.mapfilePath));
  await reopenBadSectors(paths.mapfilePath, o.commandLine);
  const side = await DumpSideFiles.open(paths.rawPath, { ...sides, fresh });
  try {
    const sourceDrive =
      sides.subchannel || sides.c2 ? Drive.fromTransport(new SideChannelTransport(drive.transport, { ...sides, sink: side })) : drive;
    const source = await createDriveSource(sourceDrive, { mode: 'raw', firstLba: 0, sectorCount: discSectors, closeDrive: false, name: drive.path });
    let rescued: RescueResult;
    try {
      step(`reading ${layout.tracks.length} track(s) in ${layout.sessions.length} session(s), LBA 0-${discSectors - 1}`);
      rescued = await rescue({
        source,
        imagePath: paths.rawPath,
        mapfilePath: paths.mapfilePath,
        domain: dumpDomain(layout.tracks, discSectors),
        retryPasses: o.retryPasses ?? 0,
        force: o.force ?? false,
        ...(o.mapfileIntervalMs === undefined ? {} : { mapfileIntervalMs: o.mapfileIntervalMs }),
        ...(o.commandLine === undefined ? {} : { commandLine: o.commandLine }),
        ...(signal ? { signal } : {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      });
    } finally {
      await source.close();
    }

    let subchannelMissingSectors = 0;
    if (side.hasSubchannel) {
      step('reading the sub-channel of sectors dumped without it');
      subchannelMissingSectors = await completeSubchannel(drive, side, paths.mapfilePath, layout.tracks, signal);
    }
    const edges = new Map<number, Uint8Array>();
    const edgeSectorsUnreadable: number[] = [];
    for (const lba of edgeSectorsNeeded(audioRuns(layout.tracks), layout.tracks, offsetSamples)) {
      try {
        edges.set(lba, (await drive.readCd(lba, 1, signalOption)).data);
      } catch (error) {
        if (!(error instanceof DiscError)) throw error;
        edgeSectorsUnreadable.push(lba);
      }
    }

    step('writing the BIN, CUE, TOC and JSON files');
    const raw = await open(paths.rawPath, 'r');
    try {
      const modes = new Map(probedModes);
      for (const track of layout.tracks) {
        if (track.isData && !modes.has(track.number)) modes.set(track.number, await sniffMode(raw, track, toc));
      }
      const { tracks, sessions } = dumpTracks(toc, pregaps, modes);
      for (const track of tracks) {
        track.isrc = codes.isrcs.get(track.number);
        track.indexLbas = indexes.get(track.number) ?? [];
      }
      let cdTextPath: string | undefined;
      let cueText: DumpCueText | undefined;
      if (cdTextPacks !== undefined) {
        await writeFile(paths.cdTextPath, cdTextFileBytes(cdTextPacks));
        cdTextPath = paths.cdTextPath;
        cueText = { file: posix.basename(paths.cdTextPath), ...decodeCdText(cdTextPacks, notes) };
      }
      const sheet = dumpCueSheet(tracks, { base: paths.base, singleBin, catalog: codes.mcn, cdText: cueText });
      const written = await writeBins(raw, tracks, sheet, paths.directory, rescued.badAreas, {
        checksums: o.checksums ?? true,
        signal,
        offsetSamples,
        edges,
        side: side.hasSubchannel ? side : undefined,
        subPath: paths.subPath,
      });
      let c2: C2Stats | undefined;
      if (side.hasC2) {
        c2 = { sectorsMeasured: 0, sectorsFlagged: 0, flaggedBytes: 0 };
        for (const report of written.reports) {
          report.c2 = await side.c2Stats(report.fileFirstLba, report.endLba);
          c2.sectorsMeasured += report.c2.sectorsMeasured;
          c2.sectorsFlagged += report.c2.sectorsFlagged;
          c2.flaggedBytes += report.c2.flaggedBytes;
        }
      }
      if (edgeSectorsUnreadable.length > 0) {
        notes.push(
          `audio offset ${offsetSamples}: the drive could not read LBA ${edgeSectorsUnreadable.join(', ')} (lead-in/lead-out); ${written.zeroFilledBytes / BYTES_PER_SAMPLE} sample(s) written as zeros`,
        );
      } else if (written.zeroFilledBytes > 0) {
        notes.push(`audio offset ${offsetSamples}: ${written.zeroFilledBytes / BYTES_PER_SAMPLE} sample(s) next to data tracks written as zeros`);
      }
      const tocs = await writeTocs(sheet, sessions, tracks, paths.directory, paths.base);
      const result: DumpResult = {
        complete: rescued.complete,
        cuePath: o.cuePath,
        binPaths: written.binPaths,
        tocPaths: tocs.paths,
        tocNotes: tocs.notes,
        jsonPath: paths.jsonPath,
        rawPath: paths.rawPath,
        mapfilePath: paths.mapfilePath,
        catalog: codes.mcn,
        sessions,
        tracks: written.reports,
        binChecksums: written.binChecksums,
        subPath: side.hasSubchannel ? paths.subPath : undefined,
        subchannelMissingSectors,
        cdTextPath,
        c2,
        offset: {
          samples: offsetSamples,
          zeroFilledSamples: written.zeroFilledBytes / BYTES_PER_SAMPLE,
          edgeSectorsRead: [...edges.keys()],
          edgeSectorsUnreadable,
        },
        notes,
        rescue: rescued,
      };
      await writeFile(paths.jsonPath, `${JSON.stringify(describeDump(result, drive.path), null, 2)}\n`);
      // The sheet last: a sheet on disk means its files are complete.
      await writeFile(o.cuePath, formatCue(sheet));
      return result;
    } finally {
      await raw.close();
    }
  } finally {
    await side.close();
  }
}

async function hasMapfile(path: string): Promise<boolean> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text !== undefined && text.trim() !== '';
}

/**
 * Which side channels to read: sub-channel when asked for, C2 when not switched off and the drive
 * reports C2 pointers — each only if one READ CD with it works (refusals become notes).
 */
async function sideChannelsWanted(
  drive: Drive,
  tracks: readonly DumpTrack[],
  o: DumpOptions,
  notes: string[],
  signal: AbortSignal | undefined,
): Promise<{ subchannel: boolean; c2: boolean }> {
  const subchannel = o.subchannel ?? false;
  let c2 = o.c2 ?? true;
  if (c2) {
    try {
      c2 = (await drive.capabilities(signal ? { signal } : {})).c2Pointers;
    } catch (error) {
      if (!(error instanceof DiscError)) throw error;
      c2 = false;
    }
  }
  const first = tracks[0];
  if ((!subchannel && !c2) || first === undefined) return { subchannel, c2 };
  const works = await probeSideChannels(drive, first.startLba, { subchannel, c2 }, signal);
  if (subchannel && !works.subchannel) notes.push('the drive refuses READ CD with raw P-W sub-channel: no .sub file');
  if (c2 && !works.c2) notes.push('the drive reports C2 pointers but refuses READ CD with them: no C2 statistics');
  return works;
}

/** Disc and track TITLE/PERFORMER/SONGWRITER from the first CD-Text block; a note when the packs cannot be decoded. */
function decodeCdText(packs: Uint8Array, notes: string[]): Pick<DumpCueText, 'disc' | 'tracks'> {
  try {
    const text = parseCdText(packs, { unsupportedBlocks: 'skip' });
    for (const skipped of text.skippedBlocks) notes.push(`CD-Text block ${skipped.blockNumber} not decoded (${skipped.reason}); it is in the .cdt file`);
    const block = text.blocks[0];
    if (block === undefined) return {};
    const pick = (f: DumpCdTextFields): DumpCdTextFields => ({ title: f.title, performer: f.performer, songwriter: f.songwriter });
    return { disc: pick(block.album), tracks: new Map(block.tracks.map((t) => [t.number, pick(t)])) };
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    notes.push(`CD-Text not decoded (${error.message}); the packs are in the .cdt file`);
    return {};
  }
}

/** Sub-channel reads per command in the completion pass. */
const SUB_FILL_CHUNK = 32;

/**
 * Sectors the mapfile calls finished whose sub-channel is all zeros (read by an earlier run
 * without it, or before a crash): their sub-channel is read again, main channel discarded.
 * Returns how many stay without one.
 */
async function completeSubchannel(
  drive: Drive,
  side: DumpSideFiles,
  mapfilePath: string,
  tracks: readonly DumpTrack[],
  signal: AbortSignal | undefined,
): Promise<number> {
  const text = await readFile(mapfilePath, 'utf8').catch(() => '');
  if (text.trim() === '') return 0;
  const map = readMapfile(text, { fileName: mapfilePath }).map;
  const missing: Array<[number, number]> = [];
  const scratch = new Uint8Array(SUB_FILL_CHUNK * 96);
  for (const track of tracks) {
    for (let lba = track.fileFirstLba; lba < track.endLba; lba += SUB_FILL_CHUNK) {
      const n = Math.min(SUB_FILL_CHUNK, track.endLba - lba);
      const sub = await side.readSub(lba, n, scratch);
      for (let i = 0; i < n; i++) {
        if (map.statusAt((lba + i) * DUMP_SECTOR_SIZE) !== '+') continue;
        if (!sub.subarray(i * 96, (i + 1) * 96).every((b) => b === 0)) continue;
        const last = missing[missing.length - 1];
        // Runs stay within one track: READ CD stops where audio and data meet.
        if (last !== undefined && last[1] === lba + i && (lba + i) !== track.fileFirstLba) last[1]++;
        else missing.push([lba + i, lba + i + 1]);
      }
    }
  }
  let unread = 0;
  const read = async (lba: number, n: number): Promise<boolean> => {
    try {
      const data = (await drive.readCd(lba, n, { subchannel: 'raw', ...(signal ? { signal } : {}) })).data;
      const subs = new Uint8Array(n * 96);
      for (let i = 0; i < n; i++) subs.set(data.subarray(i * (DUMP_SECTOR_SIZE + 96) + DUMP_SECTOR_SIZE, (i + 1) * (DUMP_SECTOR_SIZE + 96)), i * 96);
      await side.record(lba, n, subs, undefined);
      return true;
    } catch (error) {
      if (!(error instanceof DiscError)) throw error;
      return false;
    }
  };
  for (const [from, to] of missing) {
    for (let lba = from; lba < to; lba += SUB_FILL_CHUNK) {
      signal?.throwIfAborted();
      const n = Math.min(SUB_FILL_CHUNK, to - lba);
      if (await read(lba, n)) continue;
      for (let i = 0; i < n; i++) if (!(await read(lba + i, 1))) unread++;
    }
  }
  return unread;
}

/**
 * On a resume, sectors marked bad ('-') become non-scraped ('/'): each run — on this drive or
 * another one — gives them one more read at the drive's own retry count, as a rescue's scraping does.
 */
async function reopenBadSectors(mapfilePath: string, commandLine: string | undefined): Promise<void> {
  const text = await readFile(mapfilePath, 'utf8').catch(() => undefined);
  if (text === undefined || text.trim() === '') return;
  const mapfile = readMapfile(text, { fileName: mapfilePath });
  if (mapfile.map.count('-') === 0) return;
  mapfile.map.changeStatus('-', '/');
  await saveMapfile(mapfilePath, mapfile, { startTime: new Date(), commandLine: commandLine ?? 'discrescue dump', finished: false });
}

/** Pregaps of every track after the first: sub-channel Q within a session, the rule otherwise. */
async function findPregaps(drive: Drive, toc: DiscToc, signal: AbortSignal | undefined): Promise<Map<number, PregapInfo>> {
  const pregaps = new Map<number, PregapInfo>();
  let subchannelWorks = true;
  for (const [i, track] of toc.tracks.entries()) {
    if (i === 0) continue;
    const previous = toc.tracks[i - 1];
    let found: PregapInfo | undefined;
    if (subchannelWorks && previous?.session === track.session) {
      found = await findPregap(drive, toc, track.number, signal);
      // A drive without usable Q gives none for any track: ask once.
      if (found === undefined) subchannelWorks = false;
    }
    pregaps.set(track.number, found ?? assumedPregap(toc, track.number));
  }
  return pregaps;
}

/** Mode of a data track from its first readable sectors in the work image; the session's disc type otherwise. */
async function sniffMode(raw: FileHandle, track: DumpTrack, toc: DiscToc): Promise<CueTrackMode> {
  const count = Math.min(MODE_SNIFF_SECTORS, track.endLba - track.startLba);
  const buffer = new Uint8Array(count * DUMP_SECTOR_SIZE);
  const { bytesRead } = await raw.read(buffer, 0, buffer.length, track.startLba * DUMP_SECTOR_SIZE);
  for (let i = 0; (i + 1) * DUMP_SECTOR_SIZE <= bytesRead; i++) {
    const mode = sectorMode(buffer.subarray(i * DUMP_SECTOR_SIZE, (i + 1) * DUMP_SECTOR_SIZE));
    if (mode !== undefined) return mode;
  }
  const session = toc.sessions.find((s) => s.number === track.session);
  return session?.discType === 0x20 || session?.discType === 0x10 ? 'MODE2/2352' : 'MODE1/2352';
}

class Hashes {
  readonly #md5: Hash = createHash('md5');
  readonly #sha1: Hash = createHash('sha1');
  readonly #sha256: Hash = createHash('sha256');
  #bytes = 0;
  update(data: Uint8Array): void {
    this.#md5.update(data);
    this.#sha1.update(data);
    this.#sha256.update(data);
    this.#bytes += data.length;
  }
  digest(): DumpChecksums {
    return { md5: this.#md5.digest('hex'), sha1: this.#sha1.digest('hex'), sha256: this.#sha256.digest('hex'), bytes: this.#bytes };
  }
}

function unreadIn(badAreas: readonly BadArea[], firstLba: number, endLba: number): number {
  let count = 0;
  for (const area of badAreas) {
    const from = Math.max(firstLba, area.lba);
    const to = Math.min(endLba, area.lba + area.sectorCount);
    if (to > from) count += to - from;
  }
  return count;
}

interface WriteBinsOptions {
  checksums: boolean;
  signal: AbortSignal | undefined;
  offsetSamples: number;
  /** Lead-in/lead-out sectors read for the offset shift. */
  edges: ReadonlyMap<number, Uint8Array>;
  /** Where the sub-channel comes from, when `<base>.sub` is written. */
  side: DumpSideFiles | undefined;
  subPath: string;
}

/**
 * Copies each track's sectors from the work image into its BIN (or the single BIN), hashing as it
 * goes: audio tracks shifted by the read offset, data tracks as they are. With `side`, the
 * sub-channel of the same sectors goes, in the same order, to `<base>.sub`.
 */
async function writeBins(
  raw: FileHandle,
  tracks: readonly DumpTrack[],
  sheet: CueSheet,
  directory: string,
  badAreas: readonly BadArea[],
  options: WriteBinsOptions,
): Promise<{ binPaths: string[]; reports: DumpTrackReport[]; binChecksums: Array<DumpChecksums | undefined>; zeroFilledBytes: number }> {
  const { checksums, signal, offsetSamples, edges, side } = options;
  const binPaths = sheet.files.map((file) => posix.join(directory, file.name));
  const reports: DumpTrackReport[] = [];
  const binChecksums: Array<DumpChecksums | undefined> = [];
  const chunk = new Uint8Array(COPY_CHUNK * DUMP_SECTOR_SIZE);
  const subChunk = new Uint8Array(COPY_CHUNK * 96);
  const runs = audioRuns(tracks);
  let zeroFilledBytes = 0;
  const subHandle = side === undefined ? undefined : await open(options.subPath, 'w');
  try {
    for (const [f, path] of binPaths.entries()) {
      const fileHashes = checksums ? new Hashes() : undefined;
      const handle = await open(path, 'w');
      let offset = 0;
      try {
        for (const [t, track] of tracks.entries()) {
          if (sheet.tracks[t]?.fileIndex !== f) continue;
          const trackHashes = checksums ? new Hashes() : undefined;
          const sectors = track.endLba - track.fileFirstLba;
          const run: AudioRun | undefined = !track.isData && offsetSamples !== 0 ? runOf(runs, track.fileFirstLba) : undefined;
          for (let lba = track.fileFirstLba; lba < track.endLba; ) {
            if (signal?.aborted) throw new AbortError('the dump was aborted while writing the BIN files', { cause: signal.reason });
            const count = Math.min(COPY_CHUNK, track.endLba - lba);
            const part = chunk.subarray(0, count * DUMP_SECTOR_SIZE);
            if (run !== undefined) {
              zeroFilledBytes += await readShiftedAudio(raw, lba, count, offsetSamples, run, edges, part);
            } else {
              const { bytesRead } = await raw.read(part, 0, part.length, lba * DUMP_SECTOR_SIZE);
              part.fill(0, bytesRead);
            }
            await handle.write(part, 0, part.length);
            trackHashes?.update(part);
            fileHashes?.update(part);
            if (side !== undefined && subHandle !== undefined) {
              const sub = await side.readSub(lba, count, subChunk);
              await subHandle.write(sub, 0, sub.length);
            }
            lba += count;
          }
          const [sourceFirst, sourceEnd] =
            run === undefined ? [track.fileFirstLba, track.endLba] : shiftedSourceRange(track.fileFirstLba, track.endLba, offsetSamples, run);
          reports.push({
            ...track,
            file: sheet.files[f]?.name ?? posix.basename(path),
            fileOffset: offset,
            sectors,
            unreadSectors: unreadIn(badAreas, sourceFirst, sourceEnd),
            checksums: trackHashes?.digest(),
          });
          offset += sectors * DUMP_SECTOR_SIZE;
        }
      } finally {
        await handle.close();
      }
      binChecksums.push(fileHashes?.digest());
    }
  } finally {
    await subHandle?.close();
  }
  return { binPaths, reports, binChecksums, zeroFilledBytes };
}

/**
 * cdrdao TOC files. A TOC describes one session, so a multisession disc gets one per session
 * (`<base>.session-NN.toc`); a session the conversion cannot express is noted, not fatal.
 */
async function writeTocs(sheet: CueSheet, sessions: readonly DumpSession[], dumped: readonly DumpTrack[], directory: string, base: string): Promise<{ paths: string[]; notes: string[] }> {
  const paths: string[] = [];
  const notes: string[] = [];
  for (const session of sessions) {
    const name = sessions.length === 1 ? `${base}.toc` : `${base}.session-${String(session.number).padStart(2, '0')}.toc`;
    const tracks = sheet.tracks.filter((t) => t.session === session.number).map((t) => ({ ...t, session: 1 }));
    try {
      const toc = cueToCdrdaoToc({ ...sheet, tracks });
      // In a single BIN a session's last track is followed by the next session's data: give its length.
      const lastTrack = toc.tracks[toc.tracks.length - 1];
      const lastDump = dumped.find((t) => t.number === tracks[tracks.length - 1]?.number);
      const statement = lastTrack?.statements[lastTrack.statements.length - 1];
      if (lastDump !== undefined && statement?.kind === 'data-file' && statement.length === undefined && lastTrack?.statements.length === 1) {
        statement.length = { unit: 'frames', value: lastDump.endLba - lastDump.fileFirstLba };
      }
      const text = formatCdrdaoToc(toc);
      const path = posix.join(directory, name);
      await writeFile(path, text);
      paths.push(path);
    } catch (error) {
      if (!(error instanceof UnsupportedError)) throw error;
      notes.push(`session ${session.number}: no cdrdao TOC (${error.message})`);
    }
  }
  return { paths, notes };
}

/** The JSON description `<base>.json`: plain data, stable field names. */
export function describeDump(result: DumpResult, source: string): Record<string, unknown> {
  const r = result.rescue;
  return {
    source,
    complete: result.complete,
    cue: posix.basename(result.cuePath),
    bins: result.binPaths.map((path, i) => ({ name: posix.basename(path), checksums: result.binChecksums[i] })),
    tocs: result.tocPaths.map((path) => posix.basename(path)),
    tocNotes: result.tocNotes,
    workImage: posix.basename(result.rawPath),
    mapfile: posix.basename(result.mapfilePath),
    sectorSize: DUMP_SECTOR_SIZE,
    catalog: result.catalog ?? null,
    sub: result.subPath === undefined ? null : posix.basename(result.subPath),
    subchannelMissingSectors: result.subchannelMissingSectors,
    cdText: result.cdTextPath === undefined ? null : posix.basename(result.cdTextPath),
    c2: result.c2 ?? null,
    offset: result.offset,
    notes: result.notes,
    sessions: result.sessions,
    tracks: result.tracks.map((t) => ({ ...t, isrc: t.isrc ?? null, indexLbas: t.indexLbas ?? [], c2: t.c2 ?? null })),
    rescue: {
      sectorCount: r.sectorCount,
      rescuedBytes: r.rescuedBytes,
      nonTriedBytes: r.nonTriedBytes,
      nonTrimmedBytes: r.nonTrimmedBytes,
      nonScrapedBytes: r.nonScrapedBytes,
      badSectorBytes: r.badSectorBytes,
      readErrors: r.readErrors,
      resumed: r.resumed,
      badAreas: r.badAreas,
    },
  };
}


