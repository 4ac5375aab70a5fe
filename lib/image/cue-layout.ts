/**
 * Which bytes of a cue sheet's files belong to which track (CDRWIN conventions): shared by the
 * emulator's CUE model and by split/raw verification.
 */

import { FormatError } from '../errors.js';
import type { CueIndex, CueSheet } from './cue-sheet.js';
import { formatMsfDuration } from './msf-duration.js';

/** A stretch of one file that belongs to a track. */
export interface RawImageSegment {
  fileIndex: number;
  /** Frame position in the file, as INDEX positions count (sectors of this and earlier tracks). */
  fileFrame: number;
  /** Byte offset in the file. */
  byteStart: number;
  /** Whole or partial sectors (a file may end inside its last sector). */
  frames: number;
  byteLength: number;
}

/** How far the tracks so far have taken each file. */
export type FileCursors = Map<number, { frames: number; bytes: number }>;

export function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/**
 * The file stretches of track `t`: from where its files were left (or its first INDEX) to the
 * next track's first INDEX, or to the end of its last file. A new session in a new file takes
 * that file from its start. Advances `cursors`; FormatError (naming the sheet and line) for an
 * INDEX past the end of its file.
 */
export function cueTrackSegments(sheet: CueSheet, t: number, fileSizes: readonly number[], cursors: FileCursors, sectorSize: number): RawImageSegment[] {
  const track = sheet.tracks[t]!;
  const first = track.indexes[0];
  if (first === undefined) throw new FormatError(`TRACK ${pad2(track.number)} has no INDEX`, { file: sheet.fileName, line: track.line });
  const next = sheet.tracks[t + 1];
  const nextFirst = next?.indexes[0];
  const ownLastFile = Math.max(...track.indexes.map((index) => index.fileIndex));
  let lastFile = nextFirst?.fileIndex ?? ownLastFile;
  if (next !== undefined && next.session !== track.session && lastFile > ownLastFile) lastFile -= 1;
  const segments: RawImageSegment[] = [];
  for (let f = first.fileIndex; f <= lastFile; f++) {
    const cursor = cursors.get(f) ?? { frames: 0, bytes: 0 };
    const size = fileSizes[f] ?? 0;
    const to = f === nextFirst?.fileIndex ? nextFirst.offsetFrames : undefined;
    let frames: number;
    let byteLength: number;
    if (to === undefined) {
      byteLength = Math.max(0, size - cursor.bytes);
      frames = Math.ceil(byteLength / sectorSize);
    } else {
      frames = to - cursor.frames;
      byteLength = frames * sectorSize;
      if (cursor.bytes + byteLength > size) {
        throw new FormatError(
          `INDEX ${pad2(nextFirst?.number ?? 0)} of TRACK ${pad2(track.number + 1)} lies past the end of FILE "${sheet.files[f]?.name ?? ''}" (${size} bytes)`,
          { file: sheet.fileName, line: nextFirst?.line },
        );
      }
    }
    if (frames <= 0) continue;
    segments.push({ fileIndex: f, fileFrame: cursor.frames, byteStart: cursor.bytes, frames, byteLength });
    cursors.set(f, { frames: cursor.frames + frames, bytes: cursor.bytes + frames * sectorSize });
  }
  return segments;
}

/** Frames from a track's first file sector to `index`; FormatError when the index lies outside the track's data. */
export function cueIndexPosition(sheet: CueSheet, trackNumber: number, segments: readonly RawImageSegment[], index: CueIndex, trackLine: number | undefined): number {
  let before = 0;
  for (const segment of segments) {
    if (segment.fileIndex === index.fileIndex && index.offsetFrames >= segment.fileFrame && index.offsetFrames < segment.fileFrame + segment.frames) {
      return before + index.offsetFrames - segment.fileFrame;
    }
    before += segment.frames;
  }
  throw new FormatError(
    `INDEX ${pad2(index.number)} at ${formatMsfDuration(index.offsetFrames)} is past the end of FILE "${sheet.files[index.fileIndex]?.name ?? ''}" or of TRACK ${pad2(trackNumber)}`,
    { file: sheet.fileName, line: index.line ?? trackLine },
  );
}
