/**
 * cdrdao TOC files as discs: lib/image loadCdrdaoToc + resolveCdrdaoTocLayout give the track
 * positions (frame 0 = LBA 0; track 1's 150-sector pregap at LBA −150..−1 comes on top, as on a
 * disc cdrdao writes), and each track's statements are laid end to end as one stream of
 * `block`-byte sectors (cdrdao(1), TRACK):
 *
 * - FILE/AUDIOFILE in an audio track: raw samples, big-endian unless SWAP (swapped to the
 *   little-endian a drive returns); DATAFILE in an audio track: little-endian samples (as
 *   lib/image convert.ts reads cdrdao);
 * - DATAFILE in a data track: `block` bytes per sector of the track mode — MODE1 and MODE2_FORM1
 *   2048 user bytes, MODE2_FORM2 2324, MODE2 2336 formless, MODE2_FORM_MIX 2336 from the
 *   subheader on (EDC/ECC from the file), MODE1_RAW/MODE2_RAW 2352 raw; with RW/RW_RAW the 96
 *   sub-channel bytes after each sector are skipped;
 * - FILE/AUDIOFILE in a data track (libcdio accepts it, cdrdao does not): whole raw 2352-byte
 *   sectors, taken verbatim;
 * - SILENCE, ZERO, PREGAP and pre-gap START: generated — silence, or zero-data sectors with header
 *   and EDC/ECC. A track whose data ends mid-sector is padded with zeros, as cdrdao pads it.
 *
 * Unsupported (UnsupportedError naming the file and line): WAVE/MP3/other compressed audio files,
 * standard input ("-"), FIFO, FILE in a track with a sub-channel mode, raw FILE data in a data
 * track not starting on a whole frame.
 */

import { FormatError, UnsupportedError } from '../../errors.js';
import {
  cdrdaoBlockSize,
  loadCdrdaoToc,
  resolveCdrdaoTocLayout,
  walkCdrdaoTrack,
  type CdrdaoAudioFile,
  type CdrdaoSource,
  type CdrdaoToc,
  type CdrdaoTocType,
  type CdrdaoTrack,
  type CdrdaoTrackMode,
} from '../../image/index.js';
import type { TrackMode } from '../disc-model.js';
import { createSyntheticDisc, type SyntheticTrackSpec } from '../synthetic-disc.js';
import { openFileByteSource, type ByteSource } from './byte-source.js';
import { withImageFiles, type FileDiscModel } from './file-disc-model.js';
import { createImageFileReader, locateSheetFile } from './image-file-reader.js';
import { cdTextPacksFromToc } from './sheet-cd-text.js';
import { trackStreamContent, type RawSectorPiece, type StreamPiece } from './track-stream.js';

const SESSION_PREGAP = 150;
const RAW_BYTES = 2352;

const TRACK_MODE: Readonly<Record<CdrdaoTrackMode, TrackMode>> = {
  AUDIO: 'audio',
  MODE1: 'mode1',
  MODE1_RAW: 'mode1',
  MODE2: 'mode2-formless',
  MODE2_FORM1: 'mode2-xa',
  MODE2_FORM2: 'mode2-xa',
  MODE2_FORM_MIX: 'mode2-xa',
  MODE2_RAW: 'mode2-xa',
};

const STREAM_FORMAT: Readonly<Record<CdrdaoTrackMode, 'raw' | 'user' | 'mode2-body'>> = {
  AUDIO: 'raw',
  MODE1: 'user',
  MODE1_RAW: 'raw',
  MODE2: 'user',
  MODE2_FORM1: 'user',
  MODE2_FORM2: 'user',
  MODE2_FORM_MIX: 'mode2-body',
  MODE2_RAW: 'raw',
};

/** A0 PSEC for the TOC's session type. */
const DISC_TYPE: Readonly<Record<CdrdaoTocType, number>> = { CD_DA: 0x00, CD_ROM: 0x00, CD_ROM_XA: 0x20, CD_I: 0x10 };

/** Audio file names cdrdao decodes itself; this model serves raw files only. */
const DECODED_AUDIO = /\.(wav|wave|mp3|ogg|oga|flac|opus|ape|wv|m4a|tta|aif|aiff|au)$/i;

/** Q CONTROL nibble (MMC-FACTS §3.3): data 0x4, COPY 0x2, FOUR_CHANNEL_AUDIO 0x8, PRE_EMPHASIS 0x1. */
function controlOf(track: CdrdaoTrack): number {
  let control = track.mode === 'AUDIO' ? 0 : 0x4;
  if (track.copy) control |= 0x2;
  if (track.preEmphasis) control |= 0x1;
  if (track.fourChannelAudio && track.mode === 'AUDIO') control |= 0x8;
  return control;
}

/** Byte in the file where an audio statement's data starts: #offset plus the start position. */
function audioStartBytes(source: CdrdaoAudioFile): number {
  const start = source.start.unit === 'frames' ? source.start.value * RAW_BYTES : source.start.unit === 'samples' ? source.start.value * 4 : source.start.value;
  return (source.byteOffset ?? 0) + start;
}

function startBytes(source: CdrdaoSource): number {
  if (source.kind === 'audio-file') return audioStartBytes(source);
  if (source.kind === 'data-file') return source.byteOffset ?? 0;
  return 0;
}

/**
 * Opens a cdrdao TOC file and its data files as a disc (one session). Throws FormatError (file and
 * line) for a malformed TOC, a missing file, or data past a file's end; UnsupportedError for what
 * the module comment lists. The files stay open until `close()`.
 */
export async function openCdrdaoTocDisc(tocPath: string): Promise<FileDiscModel> {
  if (typeof tocPath !== 'string' || tocPath === '') throw new TypeError('Expected "tocPath" to be a non-empty string');
  const reader = createImageFileReader();
  const toc = await loadCdrdaoToc(tocPath, reader);
  const sources = new Map<string, ByteSource>();
  try {
    for (const track of toc.tracks) {
      for (const statement of track.statements) {
        const unsupported = (message: string): never => {
          throw new UnsupportedError(`${tocPath}:${statement.line ?? track.line ?? 1}: ${message}`);
        };
        if (statement.kind === 'fifo') unsupported(`FIFO "${statement.name}" cannot be served from a file`);
        if (statement.kind !== 'audio-file' && statement.kind !== 'data-file') continue;
        if (statement.name === '-') unsupported('data from standard input ("-") cannot be served');
        if (statement.kind === 'audio-file' && track.mode === 'AUDIO' && DECODED_AUDIO.test(statement.name)) {
          unsupported(`"${statement.name}" needs decoding; only raw audio files can be served`);
        }
        if (statement.kind === 'audio-file' && track.subChannelMode !== undefined) unsupported(`${statement.keyword} in a track with sub-channel mode ${track.subChannelMode}`);
        if (sources.has(statement.name)) continue;
        const path = await locateSheetFile(reader, tocPath, statement.name);
        if (path === undefined) throw new FormatError(`cannot open "${statement.name}"`, { file: tocPath, line: statement.line });
        sources.set(statement.name, openFileByteSource(path));
      }
    }
    const model = createTocModel(toc, tocPath, sources);
    return withImageFiles(model, tocPath, [...sources.values()]);
  } catch (error) {
    for (const source of sources.values()) source.close();
    throw error;
  }
}

function createTocModel(toc: CdrdaoToc, tocPath: string, sources: ReadonlyMap<string, ByteSource>) {
  const sourceOf = (source: CdrdaoSource): ByteSource | undefined => (source.kind === 'audio-file' || source.kind === 'data-file' ? sources.get(source.name) : undefined);
  const failAt = (message: string, line: number | undefined): never => {
    throw new FormatError(message, { file: tocPath, line });
  };
  /** Bytes a file statement may read: from its start to the end of the file. */
  const available = (source: CdrdaoSource): number => {
    const file = sourceOf(source);
    if (file === undefined || (source.kind !== 'audio-file' && source.kind !== 'data-file')) return 0;
    const left = file.sizeBytes - startBytes(source);
    if (left < 0) failAt(`"${source.name}" is ${file.sizeBytes} bytes; the data starts past its end, at byte ${startBytes(source)}`, source.line);
    return left;
  };
  for (const track of toc.tracks) for (const statement of track.statements) if (statement.kind === 'audio-file' || statement.kind === 'data-file') available(statement);
  const layout = resolveCdrdaoTocLayout(toc, {
    sourceFrames(source, track) {
      if (source.kind === 'audio-file') return Math.floor(available(source) / 4) / 588;
      if (source.kind === 'data-file') return available(source) / cdrdaoBlockSize(track.mode, track.subChannelMode);
      return undefined;
    },
  });
  const specs: SyntheticTrackSpec[] = toc.tracks.map((track, i) => {
    const placed = layout.tracks[i];
    if (placed === undefined) return failAt('track without a layout', track.line);
    const block = cdrdaoBlockSize(track.mode, track.subChannelMode);
    const audio = track.mode === 'AUDIO';
    // Track 1's 150-sector pregap precedes frame 0 and is in no statement.
    const front = i === 0 ? SESSION_PREGAP : 0;
    const pieces: StreamPiece[] = [];
    const rawSectors: RawSectorPiece[] = [];
    const walk = walkCdrdaoTrack(track, (source) => (source.kind === 'audio-file' ? Math.floor(available(source) / 4) / 588 : source.kind === 'data-file' ? available(source) / block : undefined));
    for (const { source, startFrames, frames } of walk.sources) {
      const file = sourceOf(source);
      if (file === undefined || startFrames === undefined || frames === undefined) continue;
      if (source.kind !== 'audio-file' && source.kind !== 'data-file') continue;
      const fileStart = startBytes(source);
      const lineOf = source.line ?? track.line;
      if (source.kind === 'audio-file' && !audio && block !== RAW_BYTES) {
        // Raw sectors in a cooked data track: whole frames only.
        if (!Number.isInteger(startFrames)) throw new UnsupportedError(`${tocPath}:${lineOf ?? 1}: raw FILE data in a ${track.mode} track must start on a whole frame`);
        const sectorCount = Math.ceil(frames);
        if (fileStart + Math.round(frames * RAW_BYTES) > file.sizeBytes) failAt(`"${source.name}" is ${file.sizeBytes} bytes; the statement reads ${frames} frames from byte ${fileStart}`, lineOf);
        rawSectors.push({ firstSector: front + startFrames, sectorCount, source: file, sourceOffset: fileStart });
        continue;
      }
      const length = Math.round(frames * block);
      if (fileStart + length > file.sizeBytes) failAt(`"${source.name}" is ${file.sizeBytes} bytes; the statement reads up to byte ${fileStart + length}`, lineOf);
      pieces.push({
        start: Math.round((front + startFrames) * block),
        length,
        source: file,
        sourceOffset: fileStart,
        swap16: audio && source.kind === 'audio-file' && !source.swap,
      });
    }
    const sectors = placed.lengthFrames - placed.pregapFrames;
    if (sectors < 1) failAt(`track ${placed.number} has no sectors after its pre-gap`, track.line);
    const spec: SyntheticTrackSpec = {
      mode: TRACK_MODE[track.mode],
      sectors,
      pregap: front + placed.pregapFrames,
      control: controlOf(track),
      indexOffsets: placed.indexFrames.map((frame) => frame - placed.index1Frame),
      content: trackStreamContent({ pieces, stride: block, format: STREAM_FORMAT[track.mode], rawSectors }),
    };
    if (track.mode === 'MODE2_FORM2') spec.form2 = () => true;
    if (track.isrc !== undefined) spec.isrc = track.isrc;
    return spec;
  });
  try {
    return createSyntheticDisc({
      tracks: specs,
      firstTrackNumber: toc.firstTrackNumber ?? 1,
      mcn: toc.catalog,
      cdTextPacks: cdTextPacksFromToc(toc),
      discTypes: { 1: DISC_TYPE[toc.tocType] },
    });
  } catch (error) {
    if (error instanceof RangeError) throw new FormatError(`the disc it describes cannot exist: ${error.message}`, { file: tocPath, cause: error });
    throw error;
  }
}

