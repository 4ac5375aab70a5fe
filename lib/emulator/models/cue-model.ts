/**
 * CUE/BIN images as discs. The sheet is read with lib/image loadCueSheet; the sectors come from
 * its BINARY (little-endian) or MOTOROLA (big-endian, swapped to the little-endian a drive
 * returns) files, one or many, at byte offsets summed sector by sector (tracks of different sector
 * sizes may share a file).
 *
 * Layout (CDRWIN conventions, checked against libcdio's cd-info):
 * - the first file's first sector is LBA 0; track 1's 150-sector pregap at LBA −150..−1 is not in
 *   any file. File sectors before track 1's INDEX 01 (INDEX 00, or an INDEX 01 later than 00:00:00)
 *   extend its index 0: a hidden track (HTOA).
 * - every file sector is on the disc: a track runs to the next track's first INDEX, or to the end
 *   of its file; file sectors before a track's INDEX 01 are its pregap, after PREGAP's generated
 *   sectors. POSTGAP adds generated sectors at the end of the track.
 * - `REM SESSION nn` starts a session 11 400 (session 2) or 6900 sectors after the previous
 *   lead-out (MMC-FACTS §3.4); its first track keeps a 150-sector pregap, taken from the file
 *   (INDEX 00, as redumper writes it) as far as the file has it. The gap is in no file.
 * - generated sectors (PREGAP, POSTGAP, the implicit pregaps) are digital silence on audio tracks
 *   and zero-data sectors with EDC/ECC on data tracks.
 */

import { cueIndexPosition, cueTrackSegments, pad2, type FileCursors } from '../../image/cue-layout.js';
import {
  CUE_SECTOR_SIZE,
  loadCueSheet,
  type CueIndex,
  type CueSheet,
  type CueTrack,
  type CueTrackMode,
} from '../../image/index.js';
import { cdTextPacksFromDump } from '../../cd/index.js';
import { FormatError, UnsupportedError } from '../../errors.js';
import type { TrackMode } from '../disc-model.js';
import { createSyntheticDisc, type SyntheticTrackSpec } from '../synthetic-disc.js';
import { openFileByteSource, type ByteSource } from './byte-source.js';
import { withImageFiles, type FileDiscModel } from './file-disc-model.js';
import { createImageFileReader, locateSheetFile, type ImageFileReader } from './image-file-reader.js';
import { cdTextPacksFromCue } from './sheet-cd-text.js';
import { trackStreamContent, type StreamPiece } from './track-stream.js';

const SESSION_PREGAP = 150;

const TRACK_MODE: Readonly<Record<CueTrackMode, TrackMode>> = {
  AUDIO: 'audio',
  CDG: 'audio',
  'MODE1/2048': 'mode1',
  'MODE1/2352': 'mode1',
  'MODE2/2336': 'mode2-xa',
  'MODE2/2352': 'mode2-xa',
  'CDI/2336': 'mode2-xa',
  'CDI/2352': 'mode2-xa',
};

const STREAM_FORMAT: Readonly<Record<CueTrackMode, 'raw' | 'user' | 'mode2-body'>> = {
  AUDIO: 'raw',
  CDG: 'raw',
  'MODE1/2048': 'user',
  'MODE1/2352': 'raw',
  'MODE2/2336': 'mode2-body',
  'MODE2/2352': 'raw',
  'CDI/2336': 'mode2-body',
  'CDI/2352': 'raw',
};

/** Q CONTROL nibble of a track (MMC-FACTS §3.3): data 0x4, DCP 0x2, 4CH 0x8, PRE 0x1. */
function controlOf(track: CueTrack): number {
  let control = TRACK_MODE[track.mode] === 'audio' ? 0 : 0x4;
  if (track.flags.dcp) control |= 0x2;
  if (track.flags.fourChannel) control |= 0x8;
  if (track.flags.preEmphasis) control |= 0x1;
  return control;
}

/**
 * Opens a cue sheet and its BIN files as a disc. Throws FormatError (file and line) for a
 * malformed sheet, a missing file or an INDEX past the end of its file, and UnsupportedError for
 * WAVE/AIFF/MP3 files. The files stay open until `close()`.
 */
export async function openCueDisc(cuePath: string): Promise<FileDiscModel> {
  if (typeof cuePath !== 'string' || cuePath === '') throw new TypeError('Expected "cuePath" to be a non-empty string');
  const reader = createImageFileReader();
  const sheet = await loadCueSheet(cuePath, reader);
  const sources: ByteSource[] = [];
  try {
    for (const file of sheet.files) {
      if (file.type !== 'BINARY' && file.type !== 'MOTOROLA') {
        throw new UnsupportedError(`${cuePath}:${file.line ?? 1}: FILE "${file.name}" is ${file.type}; only BINARY and MOTOROLA (raw) files can be served`);
      }
      const path = await locateSheetFile(reader, cuePath, file.name);
      if (path === undefined) throw new FormatError(`FILE "${file.name}" not found`, { file: cuePath, line: file.line });
      sources.push(openFileByteSource(path));
    }
    const cdTextPacks = await cueCdText(sheet, cuePath, reader);
    const model = createCueModel(sheet, cuePath, sources, cdTextPacks);
    return withImageFiles(model, cuePath, sources);
  } catch (error) {
    for (const source of sources) source.close();
    throw error;
  }
}

async function cueCdText(sheet: CueSheet, cuePath: string, reader: ImageFileReader): Promise<Uint8Array | undefined> {
  if (sheet.cdTextFile === undefined) return cdTextPacksFromCue(sheet);
  const path = await locateSheetFile(reader, cuePath, sheet.cdTextFile);
  if (path === undefined) throw new FormatError(`CDTEXTFILE "${sheet.cdTextFile}" not found`, { file: cuePath });
  try {
    return cdTextPacksFromDump(await reader.readFile(path)).packs.slice();
  } catch (error) {
    if (error instanceof FormatError) throw new FormatError(`CDTEXTFILE "${sheet.cdTextFile}": ${error.message}`, { file: cuePath, cause: error });
    throw error;
  }
}

function createCueModel(sheet: CueSheet, cuePath: string, sources: readonly ByteSource[], cdTextPacks: Uint8Array | undefined) {
  const cursors: FileCursors = new Map();
  const specs: SyntheticTrackSpec[] = [];
  let previousSession = 0;
  const sizes = sources.map((source) => source.sizeBytes);
  sheet.tracks.forEach((track, t) => {
    const sectorSize = CUE_SECTOR_SIZE[track.mode];
    const segments = cueTrackSegments(sheet, t, sizes, cursors, sectorSize);
    const fileFrames = segments.reduce((sum, segment) => sum + segment.frames, 0);
    const position = (index: CueIndex): number => cueIndexPosition(sheet, track.number, segments, index, track.line);
    const index1 = track.indexes.find((index) => index.number === 1);
    if (index1 === undefined) throw new FormatError(`TRACK ${pad2(track.number)} has no INDEX 01`, { file: cuePath, line: track.line });
    const inFilePregap = position(index1);
    const indexOffsets = track.indexes.filter((index) => index.number > 1).map((index) => position(index) - inFilePregap);
    // INDEX 01 lies inside the file data (position checked it), so the track has a sector.
    const sectors = fileFrames - inFilePregap + track.postgapFrames;
    const firstOfSession = track.session !== previousSession;
    previousSession = track.session;
    let generatedFront = track.pregapFrames;
    if (firstOfSession && track.session === 1) generatedFront += SESSION_PREGAP;
    else if (firstOfSession) generatedFront = Math.max(generatedFront, SESSION_PREGAP - inFilePregap);
    const pieces: StreamPiece[] = [];
    let streamFrames = generatedFront;
    for (const segment of segments) {
      const source = sources[segment.fileIndex] as ByteSource;
      pieces.push({
        start: streamFrames * sectorSize,
        length: segment.byteLength,
        source,
        sourceOffset: segment.byteStart,
        swap16: TRACK_MODE[track.mode] === 'audio' && sheet.files[segment.fileIndex]?.type === 'MOTOROLA',
      });
      streamFrames += segment.frames;
    }
    const spec: SyntheticTrackSpec = {
      mode: TRACK_MODE[track.mode],
      sectors,
      pregap: generatedFront + inFilePregap,
      session: track.session,
      control: controlOf(track),
      indexOffsets,
      content: trackStreamContent({ pieces, stride: sectorSize, format: STREAM_FORMAT[track.mode] }),
    };
    if (track.isrc !== undefined) spec.isrc = track.isrc;
    specs.push(spec);
  });
  const discTypes: Record<number, number> = {};
  for (const track of sheet.tracks) if (track.mode.startsWith('CDI/')) discTypes[track.session] = 0x10;
  try {
    return createSyntheticDisc({
      tracks: specs,
      firstTrackNumber: sheet.tracks[0]?.number ?? 1,
      mcn: sheet.catalog,
      cdTextPacks,
      discTypes,
    });
  } catch (error) {
    if (error instanceof RangeError) throw new FormatError(`the disc it describes cannot exist: ${error.message}`, { file: cuePath, cause: error });
    throw error;
  }
}

