/**
 * Splitting a CUE/BIN image into one file per track (bchunk's job): data tracks become ISO images
 * of their 2048-byte user data, audio tracks WAV files. Also the shared layout of a raw image: which
 * file bytes belong to which track, and at which disc LBA each lies (used by verifyRawImage).
 *
 * Layout rules (the same as the emulator's CUE model, CDRWIN conventions):
 * - a track's file data runs from its first INDEX (or from where the previous track stopped in the
 *   same file) to the next track's first INDEX, or to the end of its file; a new session in a new
 *   file takes that file from its start;
 * - the first file sector of session 1 is LBA 0 (after a PREGAP of track 1); session 2 starts
 *   11 400 sectors after session 1's lead-out, later sessions 6900 (MMC-FACTS §3.4), INDEX 01 of
 *   its first track at the session start unless its pregap is longer than 150 sectors;
 * - PREGAP and POSTGAP are generated, not in any file.
 *
 * Track files (checked against bchunk 1.2.2): from INDEX 01 to the next track's first INDEX or the
 * end of the track's data; INDEX 00 stretches and generated gaps are in no track file. MODE1 tracks
 * give bytes 16-2063 of each raw sector, MODE2/CDI tracks bytes 24-2071 (Form 1 user data); Form 2
 * sectors keep their place in the ISO with their first 2048 user bytes (as bchunk writes them) and
 * are also copied raw (2352 bytes each, in order) to `<base>NN.form2.bin`. With `mountable`, a data
 * track starting at LBA n > 0 gets n zero blocks in front, and its system area and volume
 * descriptors are copied into them, so the ISO opens like the last session of the disc (its
 * filesystem addresses are absolute). MODE1/2048 tracks are
 * copied. Audio: 44-byte RIFF/WAVE header, 16-bit stereo 44.1 kHz little-endian samples; MOTOROLA
 * files (big-endian, what a cdrdao TOC's raw audio becomes) are byte-swapped.
 */

import { open, stat, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { AbortError, FormatError, UnsupportedError } from '../errors.js';
import { cdrdaoTocToCue } from './convert.js';
import { CUE_SECTOR_SIZE, type CueSheet, type CueTrackMode } from './cue-sheet.js';
import { cueIndexPosition, cueTrackSegments, pad2, type FileCursors, type RawImageSegment } from './cue-layout.js';
import { createNodeSheetReader, loadCdrdaoToc, loadCueSheet, resolveSheetFile } from './sheet-loader.js';
export { WAV_HEADER_SIZE } from '../audio/wav.js';
import { MAX_WAV_DATA, WAV_HEADER_SIZE, wavHeader } from '../audio/wav.js';

const SESSION_PREGAP = 150;
const SECOND_SESSION_GAP = 11_400;
const LATER_SESSION_GAP = 6_900;
const RAW_SECTOR = 2352;
const ISO_BLOCK = 2048;
/** Sectors per read while splitting. */
const CHUNK_SECTORS = 256;

export type { RawImageSegment } from './cue-layout.js';

export interface RawImageTrack {
  number: number;
  session: number;
  mode: CueTrackMode;
  /** Bytes per sector in the file (CUE_SECTOR_SIZE). */
  sectorSize: number;
  /** The track's file data in order, its in-file pregap included. */
  segments: RawImageSegment[];
  /** Sectors of the file data before INDEX 01 (INDEX 00 in the file). */
  pregapInFile: number;
  /** Sectors of file data in all. */
  fileFrames: number;
  /** Disc LBA of the first file sector. */
  fileFirstLba: number;
  /** Disc LBA of INDEX 01. */
  startLba: number;
  /** Generated PREGAP and POSTGAP sectors (in no file). */
  pregapFrames: number;
  postgapFrames: number;
  /** True for MOTOROLA (big-endian) audio files. */
  bigEndianAudio: boolean;
}

/**
 * The file stretches and disc LBAs of every track of `sheet`, given the sizes of its files (in
 * `sheet.files` order). FormatError (file and line) for an INDEX past the end of its file;
 * UnsupportedError for WAVE/AIFF/MP3 files, whose sample data is not at fixed byte offsets.
 */
export function layoutCueImage(sheet: CueSheet, fileSizes: readonly number[]): RawImageTrack[] {
  const where = sheet.fileName;
  sheet.files.forEach((file, f) => {
    if (file.type !== 'BINARY' && file.type !== 'MOTOROLA') {
      throw new UnsupportedError(`${where ?? 'cue sheet'}:${file.line ?? 1}: FILE "${file.name}" is ${file.type}; only BINARY and MOTOROLA (raw) files can be split or verified`);
    }
    const size = fileSizes[f];
    if (size === undefined || !Number.isSafeInteger(size) || size < 0) throw new RangeError(`Expected the size of file ${f} ("${file.name}")`);
  });
  const cursors: FileCursors = new Map();
  const out: RawImageTrack[] = [];
  let cursorLba = 0;
  let previousSession = 0;
  let leadOut = 0;
  sheet.tracks.forEach((track, t) => {
    const sectorSize = CUE_SECTOR_SIZE[track.mode];
    const segments = cueTrackSegments(sheet, t, fileSizes, cursors, sectorSize);
    // Frames of file data before INDEX 01.
    const index1 = track.indexes.find((index) => index.number === 1);
    if (index1 === undefined) throw new FormatError(`TRACK ${pad2(track.number)} has no INDEX 01`, { file: where, line: track.line });
    const pregapInFile = cueIndexPosition(sheet, track.number, segments, index1, track.line);
    const fileFrames = segments.reduce((sum, segment) => sum + segment.frames, 0);
    const newSession = track.session !== previousSession;
    let startLba: number;
    if (!newSession) {
      startLba = cursorLba + track.pregapFrames + pregapInFile;
    } else {
      const sessionStart = previousSession === 0 ? 0 : leadOut + (track.session === 2 ? SECOND_SESSION_GAP : LATER_SESSION_GAP);
      let generatedFront = track.pregapFrames;
      if (previousSession === 0) generatedFront += SESSION_PREGAP;
      else generatedFront = Math.max(generatedFront, SESSION_PREGAP - pregapInFile);
      startLba = sessionStart + Math.max(0, generatedFront + pregapInFile - SESSION_PREGAP);
      previousSession = track.session;
    }
    const endLba = startLba + fileFrames - pregapInFile + track.postgapFrames;
    cursorLba = endLba;
    leadOut = endLba;
    out.push({
      number: track.number,
      session: track.session,
      mode: track.mode,
      sectorSize,
      segments,
      pregapInFile,
      fileFrames,
      fileFirstLba: startLba - pregapInFile,
      startLba,
      pregapFrames: track.pregapFrames,
      postgapFrames: track.postgapFrames,
      bigEndianAudio: track.mode === 'AUDIO' && sheet.files[index1.fileIndex]?.type === 'MOTOROLA',
    });
  });
  return out;
}

/** A CUE sheet (or a cdrdao TOC converted to one) with the paths and sizes of its files. */
export interface LoadedRawImage {
  sheet: CueSheet;
  paths: string[];
  sizes: number[];
  tracks: RawImageTrack[];
}

/**
 * Loads a `.cue` (or a `.toc`, converted with cdrdaoTocToCue) and lays it out. FormatError for a
 * malformed sheet or a missing file.
 */
export async function loadRawImage(sheetPath: string): Promise<LoadedRawImage> {
  if (typeof sheetPath !== 'string' || sheetPath === '') throw new TypeError('Expected the sheet path to be a non-empty string');
  const reader = createNodeSheetReader();
  const sheet = sheetPath.toLowerCase().endsWith('.toc')
    ? { ...cdrdaoTocToCue(await loadCdrdaoToc(sheetPath, reader)), fileName: sheetPath }
    : await loadCueSheet(sheetPath, reader);
  const paths: string[] = [];
  const sizes: number[] = [];
  for (const file of sheet.files) {
    const resolved = await resolveSheetFile(reader, sheetPath, file.name);
    if (resolved.sizeBytes === undefined) throw new FormatError(`FILE "${file.name}" not found (looked for ${resolved.path})`, { file: sheetPath, line: file.line });
    paths.push(resolved.path);
    sizes.push(resolved.sizeBytes);
  }
  return { sheet, paths, sizes, tracks: layoutCueImage(sheet, sizes) };
}

/** Options of {@link splitImage}. */
export interface SplitOptions {
  /**
   * Put `startLba` zero blocks before a data track that does not start at LBA 0 (a CD-Extra's
   * session 2), so the absolute addresses of its filesystem land right and the ISO mounts.
   */
  mountable?: boolean;
  /** Output name prefix; default the sheet's name without extension. */
  base?: string;
  signal?: AbortSignal;
  /** Called after each chunk. */
  onProgress?: (progress: { bytesDone: number; bytesTotal: number }) => void;
}

/** One file written by {@link splitImage}. */
export interface SplitTrackResult {
  number: number;
  session: number;
  mode: CueTrackMode;
  kind: 'iso' | 'wav';
  path: string;
  /** Disc LBA of INDEX 01 (the first sector written). */
  startLba: number;
  /** Sectors written (INDEX 01 to the track's end). */
  sectors: number;
  /** Bytes of the output file. */
  bytes: number;
  /** Zero blocks put in front (--mountable). */
  zeroBlocks: number;
  /** In-file pregap sectors left out (INDEX 00). */
  pregapSectorsSkipped: number;
  /** Form 2 sectors met (MODE2/CDI raw tracks), and where their raw copies went. */
  form2Sectors: number;
  form2Path: string | undefined;
  /** Bytes the audio file was swapped from big-endian (MOTOROLA). */
  swapped: boolean;
  /**
   * --mountable: blocks 0…n−1 of the track (system area and ISO 9660 volume descriptors) also
   * copied to the front, so readers that start at block 16 find the session's descriptors.
   */
  volumeDescriptorBlocks: number;
}

/** What {@link splitImage} wrote. */
export interface SplitResult {
  sheetPath: string;
  outDir: string;
  tracks: SplitTrackResult[];
}

/** Reads exactly `length` bytes at `position` (zeros past the end of the file). */
async function readFully(handle: FileHandle, buffer: Uint8Array, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) {
      buffer.fill(0, done, length);
      return;
    }
    done += bytesRead;
  }
}

/** The stretches of a track's file data from INDEX 01 on: [segment, firstFrame, frames]. */
function dataAfterPregap(track: RawImageTrack): Array<{ segment: RawImageSegment; skip: number; frames: number }> {
  const parts: Array<{ segment: RawImageSegment; skip: number; frames: number }> = [];
  let toSkip = track.pregapInFile;
  for (const segment of track.segments) {
    const skip = Math.min(toSkip, segment.frames);
    toSkip -= skip;
    if (segment.frames > skip) parts.push({ segment, skip, frames: segment.frames - skip });
  }
  return parts;
}

/** Most volume descriptors looked at (ECMA-119 sets are a handful; the loop must stay bounded). */
const MAX_DESCRIPTOR_BLOCKS = 64;

/**
 * For a --mountable ISO whose track starts at block `offset`: when the track holds an ISO 9660
 * volume descriptor set at its block 16, copies its blocks 0 through the set terminator to the
 * front. Their addresses are absolute, so the copy at block 16 points into the track. Returns the
 * blocks copied (0 when there is no descriptor set or no room).
 */
async function copyVolumeDescriptors(output: FileHandle, offset: number): Promise<number> {
  const block = new Uint8Array(ISO_BLOCK);
  const isDescriptor = (): boolean => block[1] === 0x43 && block[2] === 0x44 && block[3] === 0x30 && block[4] === 0x30 && block[5] === 0x31;
  let end = 0;
  for (let n = 16; n < 16 + MAX_DESCRIPTOR_BLOCKS; n++) {
    const { bytesRead } = await output.read(block, 0, ISO_BLOCK, (offset + n) * ISO_BLOCK);
    if (bytesRead < ISO_BLOCK || !isDescriptor()) return 0;
    if (block[0] === 0xff) {
      end = n + 1;
      break;
    }
  }
  if (end === 0 || end > offset) return 0;
  const head = new Uint8Array(end * ISO_BLOCK);
  await readFully(output, head, head.length, offset * ISO_BLOCK);
  await output.write(head, 0, head.length, 0);
  return end;
}

/**
 * Splits a CUE/BIN (or cdrdao TOC) image into `<base>NN.iso` / `<base>NN.wav` files in `outDir`
 * (which must exist; files are overwritten), every session, single- and multi-BIN sheets alike.
 * See the module comment for what goes into each file.
 */
export async function splitImage(sheetPath: string, outDir: string, options: SplitOptions = {}): Promise<SplitResult> {
  if (typeof outDir !== 'string' || outDir === '') throw new TypeError('Expected "outDir" to be a non-empty string');
  const image = await loadRawImage(sheetPath);
  const base = options.base ?? posix.basename(sheetPath, posix.extname(sheetPath));
  if (base.includes('/')) throw new RangeError(`Expected "base" to be a file name prefix without "/", got ${JSON.stringify(base)}`);
  const info = await stat(outDir).catch(() => undefined);
  if (!info?.isDirectory()) throw new FormatError(`output directory ${outDir} does not exist`);

  const bytesTotal = image.tracks.reduce((sum, track) => sum + (track.fileFrames - track.pregapInFile) * track.sectorSize, 0);
  let bytesDone = 0;
  const handles = new Map<number, FileHandle>();
  const input = async (fileIndex: number): Promise<FileHandle> => {
    let handle = handles.get(fileIndex);
    if (handle === undefined) {
      handle = await open(image.paths[fileIndex] as string, 'r');
      handles.set(fileIndex, handle);
    }
    return handle;
  };
  const results: SplitTrackResult[] = [];
  const chunk = new Uint8Array(CHUNK_SECTORS * RAW_SECTOR);
  const outChunk = new Uint8Array(CHUNK_SECTORS * RAW_SECTOR);
  try {
    for (const track of image.tracks) {
      const audio = track.mode === 'AUDIO' || track.mode === 'CDG';
      const kind = audio ? 'wav' : 'iso';
      const path = posix.join(outDir, `${base}${pad2(track.number)}.${kind}`);
      const parts = dataAfterPregap(track);
      const sectors = parts.reduce((sum, part) => sum + part.frames, 0);
      const result: SplitTrackResult = {
        number: track.number,
        session: track.session,
        mode: track.mode,
        kind,
        path,
        startLba: track.startLba,
        sectors,
        bytes: 0,
        zeroBlocks: 0,
        pregapSectorsSkipped: track.pregapInFile,
        form2Sectors: 0,
        form2Path: undefined,
        swapped: audio && track.bigEndianAudio,
        volumeDescriptorBlocks: 0,
      };
      const userOffset = track.mode === 'MODE1/2352' ? 16 : track.mode === 'MODE2/2352' || track.mode === 'CDI/2352' ? 24 : track.mode === 'MODE2/2336' || track.mode === 'CDI/2336' ? 8 : 0;
      const copyWhole = track.mode === 'MODE1/2048';
      const xa = track.mode === 'MODE2/2352' || track.mode === 'CDI/2352' || track.mode === 'MODE2/2336' || track.mode === 'CDI/2336';
      const subheaderOffset = track.sectorSize === RAW_SECTOR ? 16 : 0;
      const output = await open(path, 'w+');
      let form2: FileHandle | undefined;
      let position = 0;
      try {
        if (audio) {
          // CDG's 96 sub-channel bytes per sector are not audio.
          const dataBytes = sectors * RAW_SECTOR;
          if (dataBytes > MAX_WAV_DATA) throw new UnsupportedError(`track ${track.number} is too long for a WAV file`);
          await output.write(wavHeader(dataBytes), 0, WAV_HEADER_SIZE, 0);
          position = WAV_HEADER_SIZE;
        } else if (options.mountable && track.startLba > 0) {
          result.zeroBlocks = track.startLba;
          position = track.startLba * ISO_BLOCK;
          // Leaves a hole: the blocks read as zeros and take no space on most file systems.
          await output.truncate(position);
        }
        for (const part of parts) {
          const handle = await input(part.segment.fileIndex);
          for (let done = 0; done < part.frames; ) {
            if (options.signal?.aborted) throw new AbortError('Splitting the image was aborted', { cause: options.signal.reason });
            const count = Math.min(CHUNK_SECTORS, part.frames - done);
            const from = part.segment.byteStart + (part.skip + done) * track.sectorSize;
            const length = count * track.sectorSize;
            await readFully(handle, chunk, length, from);
            let outLength = 0;
            if (audio) {
              for (let s = 0; s < count; s++) {
                const src = s * track.sectorSize;
                outChunk.set(chunk.subarray(src, src + RAW_SECTOR), outLength);
                outLength += RAW_SECTOR;
              }
              if (track.bigEndianAudio) {
                for (let i = 0; i + 1 < outLength; i += 2) {
                  const b = outChunk[i]!;
                  outChunk[i] = outChunk[i + 1]!;
                  outChunk[i + 1] = b;
                }
              }
            } else if (copyWhole) {
              outChunk.set(chunk.subarray(0, length), 0);
              outLength = length;
            } else {
              for (let s = 0; s < count; s++) {
                const src = s * track.sectorSize;
                outChunk.set(chunk.subarray(src + userOffset, src + userOffset + ISO_BLOCK), outLength);
                outLength += ISO_BLOCK;
                if (xa && (chunk[src + subheaderOffset + 2]! & 0x20) !== 0) {
                  result.form2Sectors++;
                  if (form2 === undefined) {
                    result.form2Path = posix.join(outDir, `${base}${pad2(track.number)}.form2.bin`);
                    form2 = await open(result.form2Path, 'w');
                  }
                  await form2.write(chunk, src, track.sectorSize);
                }
              }
            }
            await output.write(outChunk, 0, outLength, position);
            position += outLength;
            done += count;
            bytesDone += length;
            options.onProgress?.({ bytesDone, bytesTotal });
          }
        }
        result.bytes = position;
        if (result.zeroBlocks > 0) result.volumeDescriptorBlocks = await copyVolumeDescriptors(output, result.zeroBlocks);
      } finally {
        await output.close();
        await form2?.close();
      }
      results.push(result);
    }
  } finally {
    for (const handle of handles.values()) await handle.close();
  }
  return { sheetPath, outDir, tracks: results };
}
