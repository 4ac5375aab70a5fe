/**
 * Frame positions of a cdrdao TOC: where each track, pre-gap and index lies, as `cdrdao show-toc`
 * prints them. Frame 0 is the first frame of the program area (LBA 0, MMC-FACTS §3.1); tracks follow
 * each other without gaps other than those the TOC writes (PREGAP, START, silence).
 *
 * cdrdao sums a track's statements in their own units and pads the track to whole blocks, so
 * lengths in samples or bytes may end mid-frame; START without a value rounds up (cdrdao(1)).
 */

import { UnsupportedError } from '../errors.js';
import {
  cdrdaoBlockSize,
  isCdrdaoSource,
  type CdrdaoLength,
  type CdrdaoSource,
  type CdrdaoToc,
  type CdrdaoTrack,
} from './cdrdao-toc-model.js';
import { SAMPLES_PER_FRAME } from './msf-duration.js';

/** Supplies lengths the TOC leaves open (a FILE or DATAFILE read to its end), in frames. */
export type CdrdaoSourceFrames = (source: CdrdaoSource, track: CdrdaoTrack) => number | undefined;

/** A data statement with its position in the track. */
export interface CdrdaoPlacedSource {
  source: CdrdaoSource;
  /** Frames from the track's first frame (PREGAP included); undefined after an open length. */
  startFrames: number | undefined;
  /** Exact length in frames (may be fractional); undefined when it runs to the end of a file. */
  frames: number | undefined;
}

/** A START or END mark with its position. */
export interface CdrdaoPlacedMark {
  /** Frames from the track's first frame; undefined when it depends on an open length. */
  frames: number | undefined;
  /** Number of data statements before the mark. */
  sourcesBefore: number;
  line?: number | undefined;
}

/** A track's statements with positions, as far as the TOC alone determines them. */
export interface CdrdaoTrackWalk {
  /** Length of the PREGAP statement (0 when absent); it precedes `sources`. */
  pregapStatementFrames: number;
  sources: CdrdaoPlacedSource[];
  start: CdrdaoPlacedMark | undefined;
  end: CdrdaoPlacedMark | undefined;
  /** INDEX 01 in frames from the track's first frame: the pre-gap length. */
  index1Frames: number | undefined;
  /** Track length in whole frames (padded up), pre-gap included. */
  lengthFrames: number | undefined;
}

/** Frames of a length in a given context; undefined for the "to end of file" length 0. */
export function cdrdaoLengthFrames(length: CdrdaoLength, blockSize: number): number {
  switch (length.unit) {
    case 'frames':
      return length.value;
    case 'samples':
      return length.value / SAMPLES_PER_FRAME;
    case 'bytes':
      return length.value / blockSize;
  }
}

/** Length of a data statement in frames (exact, may be fractional), or undefined if it runs to EOF. */
export function cdrdaoSourceFrames(source: CdrdaoSource, track: CdrdaoTrack): number | undefined {
  switch (source.kind) {
    case 'silence':
      return cdrdaoLengthFrames(source.length, cdrdaoBlockSize('AUDIO'));
    case 'zero':
      return cdrdaoLengthFrames(
        source.length,
        cdrdaoBlockSize(source.dataMode ?? track.mode, source.subChannelMode ?? track.subChannelMode),
      );
    case 'fifo':
      return cdrdaoLengthFrames(source.length, cdrdaoBlockSize(track.mode, track.subChannelMode));
    case 'audio-file':
      if (source.length === undefined || source.length.value === 0) return undefined;
      return cdrdaoLengthFrames(source.length, cdrdaoBlockSize('AUDIO'));
    case 'data-file':
      if (source.length === undefined || source.length.value === 0) return undefined;
      return cdrdaoLengthFrames(source.length, cdrdaoBlockSize(track.mode, track.subChannelMode));
  }
}

/** Positions of a track's statements; open lengths come from `sourceFrames` when it knows them. */
export function walkCdrdaoTrack(track: CdrdaoTrack, sourceFrames?: CdrdaoSourceFrames): CdrdaoTrackWalk {
  const pregapStatementFrames = track.pregapFrames ?? 0;
  let position: number | undefined = pregapStatementFrames;
  const sources: CdrdaoPlacedSource[] = [];
  let start: CdrdaoPlacedMark | undefined;
  let end: CdrdaoPlacedMark | undefined;
  for (const statement of track.statements) {
    if (isCdrdaoSource(statement)) {
      const frames = cdrdaoSourceFrames(statement, track) ?? sourceFrames?.(statement, track);
      sources.push({ source: statement, startFrames: position, frames });
      position = position === undefined || frames === undefined ? undefined : position + frames;
    } else {
      const frames = statement.frames ?? (position === undefined ? undefined : Math.ceil(position));
      const mark: CdrdaoPlacedMark = { frames, sourcesBefore: sources.length, line: statement.line };
      if (statement.kind === 'start') start = mark;
      else end = mark;
    }
  }
  const index1Frames = pregapStatementFrames > 0 ? pregapStatementFrames : start === undefined ? 0 : start.frames;
  const lengthFrames = position === undefined ? undefined : Math.ceil(position);
  return { pregapStatementFrames, sources, start, end, index1Frames, lengthFrames };
}

/** One track of a resolved layout; all values in frames from the start of the program area. */
export interface CdrdaoTrackLayout {
  number: number;
  /** First frame of the track (its pre-gap, if any). */
  startFrame: number;
  pregapFrames: number;
  /** INDEX 01. */
  index1Frame: number;
  /** INDEX 02, 03, … */
  indexFrames: number[];
  /** Frames including the pre-gap. */
  lengthFrames: number;
  /** One past the last frame. */
  endFrame: number;
}

/** Positions of every track and the lead-out. */
export interface CdrdaoTocLayout {
  tracks: CdrdaoTrackLayout[];
  leadOutFrame: number;
}

/**
 * Lays out every track. Throws UnsupportedError when a length is open (a file read to its end) and
 * `sourceFrames` does not supply it: this module reads no files.
 */
export function resolveCdrdaoTocLayout(toc: CdrdaoToc, options: { sourceFrames?: CdrdaoSourceFrames } = {}): CdrdaoTocLayout {
  const tracks: CdrdaoTrackLayout[] = [];
  let frame = 0;
  const firstNumber = toc.firstTrackNumber ?? 1;
  toc.tracks.forEach((track, i) => {
    const number = firstNumber + i;
    const walk = walkCdrdaoTrack(track, options.sourceFrames);
    const open = walk.sources.find((placed) => placed.frames === undefined);
    if (walk.lengthFrames === undefined || walk.index1Frames === undefined) {
      const where = open?.source.line === undefined ? '' : ` (line ${open.source.line})`;
      throw new UnsupportedError(
        `${toc.fileName === undefined ? '' : `${toc.fileName}: `}track ${number}${where} reads a file to its end; its length needs the file size`,
      );
    }
    const index1Frame = frame + walk.index1Frames;
    tracks.push({
      number,
      startFrame: frame,
      pregapFrames: walk.index1Frames,
      index1Frame,
      indexFrames: track.indexes.map((offset) => index1Frame + offset),
      lengthFrames: walk.lengthFrames,
      endFrame: frame + walk.lengthFrames,
    });
    frame += walk.lengthFrames;
  });
  return { tracks, leadOutFrame: frame };
}
