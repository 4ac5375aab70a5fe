/**
 * Writing a CD model as a CUE/BIN image: raw 2352-byte sectors as a drive returns them (data with
 * sync, header, EDC/ECC; audio little-endian) and a cue sheet written with lib/image formatCue.
 *
 * - One BIN per track, `<base> (Track NN).bin` (redumper's naming), or with `singleBin` one BIN
 *   named like the sheet (`x.cue` + `x.bin`, the layout libcdio's cd-info expects).
 * - Pregaps go into the BIN as INDEX 00 (never PREGAP), except what lies before LBA 0 (track 1's
 *   first 150 sectors), which a cue sheet implies. The gaps between sessions are on no disc and
 *   in no file; `REM SESSION nn` marks where each session starts (redumper, DiscImageCreator).
 * - FLAGS from the CONTROL nibble (DCP 0x2, 4CH 0x8, PRE 0x1), ISRC, CATALOG (the MCN); CD-Text
 *   packs go to `<base>.cdt`, named by CDTEXTFILE.
 *
 * Sectors are streamed to disk in chunks; nothing holds the whole disc.
 */

import { open, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { AbortError, UnsupportedError } from '../errors.js';
import { cueFlagsOfControl, formatCue, type CueFile, type CueIndex, type CueSheet, type CueTrack, type CueTrackMode } from '../image/index.js';
import type { DiscModel, ModelTrack } from './disc-model.js';

/** Options of `saveDiscAsCueBin`. */
export interface SaveCueBinOptions {
  /** One BIN for the whole disc instead of one per track (default false). */
  singleBin?: boolean;
  /** Stops between chunks with an AbortError (the files written so far stay). */
  signal?: AbortSignal;
  /** Called after each chunk with plain, serializable numbers. */
  onProgress?: (progress: SaveCueBinProgress) => void;
}

/** Progress of a save: plain numbers, serializable. */
export interface SaveCueBinProgress {
  sectorsDone: number;
  sectorsTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

/** What `saveDiscAsCueBin` wrote. */
export interface SaveCueBinResult {
  cuePath: string;
  binPaths: string[];
  /** The `.cdt` file, when the disc has CD-Text. */
  cdTextPath: string | undefined;
  /** The sheet as written. */
  sheet: CueSheet;
  sectorCount: number;
}

const SECTOR_BYTES = 2352;
/** Sectors per write: 150 KiB. */
const CHUNK_SECTORS = 64;

function cueMode(track: ModelTrack): CueTrackMode {
  return track.mode === 'audio' ? 'AUDIO' : track.mode === 'mode1' ? 'MODE1/2352' : 'MODE2/2352';
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** The sectors of a track that go into a file: from its pregap (not before LBA 0) to its end. */
function fileRange(track: ModelTrack): { firstLba: number; endLba: number } {
  return { firstLba: Math.max(track.pregapLba, 0), endLba: track.endLba };
}

/**
 * Saves a CD model as CUE/BIN next to `cuePath` (the directory must exist; files are
 * overwritten). UnsupportedError for DVD/BD models. A sector the model does not return inside a
 * track is written as zeros.
 */
export async function saveDiscAsCueBin(model: DiscModel, cuePath: string, options: SaveCueBinOptions = {}): Promise<SaveCueBinResult> {
  if (typeof model !== 'object' || model === null || typeof model.readSector !== 'function') throw new TypeError('Expected "model" to be a DiscModel');
  if (typeof cuePath !== 'string' || cuePath === '') throw new TypeError('Expected "cuePath" to be a non-empty string');
  if (model.kind !== 'cd') throw new UnsupportedError(`a ${model.kind.toUpperCase()} has no CUE/BIN form; save its 2048-byte blocks as an ISO image`);
  const singleBin = options.singleBin ?? false;
  const directory = posix.dirname(cuePath);
  const extension = posix.extname(cuePath);
  const base = posix.basename(cuePath, extension);
  const tracks = [...model.tracks].sort((a, b) => a.number - b.number);
  if (tracks.length === 0) throw new RangeError('Expected the model to have at least one track');

  const files: CueFile[] = [];
  const cueTracks: CueTrack[] = [];
  let fileFrames = 0;
  for (const track of tracks) {
    const { firstLba } = fileRange(track);
    if (!singleBin || files.length === 0) {
      files.push({ name: singleBin ? `${base}.bin` : `${base} (Track ${pad2(track.number)}).bin`, type: 'BINARY' });
      fileFrames = 0;
    }
    const fileIndex = files.length - 1;
    const at = (lba: number): number => fileFrames + lba - firstLba;
    const indexes: CueIndex[] = [];
    if (firstLba < track.startLba) indexes.push({ number: 0, fileIndex, offsetFrames: at(firstLba) });
    for (const index of [...track.indexes].sort((a, b) => a.number - b.number)) {
      if (index.number >= 1) indexes.push({ number: index.number, fileIndex, offsetFrames: at(index.lba) });
    }
    cueTracks.push({
      number: track.number,
      session: track.session,
      fileIndex,
      mode: cueMode(track),
      flags: cueFlagsOfControl(track.control),
      isrc: track.isrc,
      cdText: [],
      pregapFrames: 0,
      postgapFrames: 0,
      indexes,
      remsBefore: [],
      rems: [],
      remsAfter: [],
    });
    fileFrames += track.endLba - firstLba;
  }
  const cdTextPacks = model.cdTextPacks !== undefined && model.cdTextPacks.length > 0 ? model.cdTextPacks : undefined;
  const cdTextName = cdTextPacks === undefined ? undefined : `${base}.cdt`;
  const sheet: CueSheet = { rems: [], catalog: model.mcn, cdTextFile: cdTextName, cdText: [], files, tracks: cueTracks };
  const cueText = formatCue(sheet);

  const sectorsTotal = tracks.reduce((sum, track) => sum + fileRange(track).endLba - fileRange(track).firstLba, 0);
  const progress: SaveCueBinProgress = { sectorsDone: 0, sectorsTotal, bytesDone: 0, bytesTotal: sectorsTotal * SECTOR_BYTES };
  const binPaths = files.map((file) => posix.join(directory, file.name));
  const chunk = new Uint8Array(CHUNK_SECTORS * SECTOR_BYTES);
  let fileTracks: ModelTrack[][] = tracks.map((track) => [track]);
  if (singleBin) fileTracks = [tracks];
  for (let f = 0; f < fileTracks.length; f++) {
    const handle = await open(binPaths[f] as string, 'w');
    try {
      for (const track of fileTracks[f] ?? []) {
        const { firstLba, endLba } = fileRange(track);
        for (let lba = firstLba; lba < endLba; ) {
          if (options.signal?.aborted) throw new AbortError('Saving the CUE/BIN image was aborted', { cause: options.signal.reason });
          const count = Math.min(CHUNK_SECTORS, endLba - lba);
          for (let i = 0; i < count; i++) {
            const sector = chunk.subarray(i * SECTOR_BYTES, (i + 1) * SECTOR_BYTES);
            if (model.readSector(lba + i, sector) === undefined) sector.fill(0);
          }
          await handle.write(chunk, 0, count * SECTOR_BYTES);
          lba += count;
          progress.sectorsDone += count;
          progress.bytesDone += count * SECTOR_BYTES;
          options.onProgress?.({ ...progress });
        }
      }
    } finally {
      await handle.close();
    }
  }
  const cdTextPath = cdTextName === undefined ? undefined : posix.join(directory, cdTextName);
  if (cdTextPath !== undefined && cdTextPacks !== undefined) await writeFile(cdTextPath, cdTextPacks);
  // The sheet last: a sheet on disk means its files are complete.
  await writeFile(cuePath, cueText);
  return { cuePath, binPaths, cdTextPath, sheet, sectorCount: sectorsTotal };
}
