/**
 * FLAC output of the ripping engine: one FLAC file per track named by a pattern, or one image FLAC
 * with a CUE sheet (`FILE "image.flac" WAVE`, as CUE tools expect for FLAC images). Both encode as
 * the PCM arrives; a track's sample count is declared at open, so STREAMINFO is right from the start.
 */

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFlacWriter, type FlacWriter } from '../flac/writer.js';
import type { FlacTags } from '../flac/metadata.js';
import { formatTrackName, imageCue, type ImageCueInfo } from './sinks.js';
import type { AudioSink, RipTrackInfo, TrackRipResult } from './types.js';

/** Default per-track FLAC name: `01 - Track 01.flac`. */
export const DEFAULT_FLAC_NAME_FORMAT = '{nn} - Track {nn}.flac';
/** cdparanoia's batch names with the FLAC extension: `track01.cdda.flac`. */
export const CDPARANOIA_FLAC_NAME_FORMAT = 'track{nn}.cdda.flac';

/** The presets `default` and `cdparanoia` as their FLAC patterns; any other pattern as given. */
export function flacNameFormat(pattern: string): string {
  return pattern === 'default' ? DEFAULT_FLAC_NAME_FORMAT : pattern === 'cdparanoia' ? CDPARANOIA_FLAC_NAME_FORMAT : pattern;
}

/** Options of {@link createFlacTrackSink}. */
export interface FlacTrackSinkOptions {
  /** Vorbis comments of a track (see ripTrackTags); none when absent. */
  tagsFor?(track: RipTrackInfo): FlacTags | undefined;
}

/** An AudioSink that can also drop the file it is writing (a rip that failed mid-track). */
export interface FlacTrackSink extends AudioSink {
  /** Closes and deletes the track being written, if any. */
  abort(): Promise<void>;
}

/**
 * One FLAC per track in `dir`, named by `nameFormat` as {@link formatTrackName} does (the presets
 * give `.flac` names). A failed write or a track shorter or longer than announced removes the
 * partial file and rejects.
 */
export function createFlacTrackSink(dir: string, nameFormat = DEFAULT_FLAC_NAME_FORMAT, options: FlacTrackSinkOptions = {}): FlacTrackSink {
  const pattern = flacNameFormat(nameFormat);
  let writer: FlacWriter | undefined;
  const drop = async () => {
    const w = writer;
    writer = undefined;
    await w?.abort();
  };
  return {
    async open(track) {
      await drop();
      const path = join(dir, formatTrackName(pattern, track));
      const tags = options.tagsFor?.(track);
      writer = createFlacWriter(path, { totalSamples: track.sampleCount, ...(tags ? { tags } : {}) });
    },
    async write(pcm) {
      if (!writer) throw new Error('FLAC sink written before open()');
      try {
        await writer.write(pcm);
      } catch (error) {
        await drop();
        throw error;
      }
    },
    async close() {
      const w = writer;
      if (!w) return undefined;
      writer = undefined;
      try {
        return (await w.close()).path;
      } catch (error) {
        await w.abort();
        throw error;
      }
    },
    abort: drop,
  };
}

/** Options of {@link createFlacImageSink}. */
export interface FlacImageSinkOptions {
  /** Base name of `<base>.flac` and `<base>.cue`. Default `image`. */
  baseName?: string;
  /** Vorbis comments of the image (see ripImageTags). */
  tags?: FlacTags;
}

/** The FLAC image sink: finish() completes the FLAC and writes the CUE sheet. */
export interface FlacImageSink extends AudioSink {
  finish(tracks: readonly TrackRipResult[], info: ImageCueInfo): Promise<{ flac: string; cue: string }>;
  /** Closes and deletes the image (a rip that failed). */
  abort(): Promise<void>;
}

/**
 * One FLAC image of every track, in order, and a CUE sheet over it, laid out as createImageSink
 * lays out its WAV: tracks contiguous (gaps appended, a hidden track first). The sample count is
 * whatever arrives: STREAMINFO is patched when finish() closes the file.
 */
export function createFlacImageSink(dir: string, options: FlacImageSinkOptions = {}): FlacImageSink {
  const baseName = options.baseName ?? 'image';
  if (/[/\\\0]/u.test(baseName) || baseName.length === 0) throw new RangeError(`Expected "baseName" to be a plain file name, got ${JSON.stringify(baseName)}`);
  const flacPath = join(dir, `${baseName}.flac`);
  const cuePath = join(dir, `${baseName}.cue`);
  let writer: FlacWriter | undefined;
  let imageStartLba: number | undefined;
  let nextLba: number | undefined;
  return {
    contiguous: true,
    async open(track) {
      if (!writer) {
        writer = createFlacWriter(flacPath, options.tags ? { tags: options.tags } : {});
        imageStartLba = track.startLba;
      } else if (track.startLba !== nextLba) {
        throw new RangeError(`image: track ${track.number} starts at LBA ${track.startLba}, not where the previous ended (${nextLba})`);
      }
      nextLba = track.endLba;
    },
    async write(pcm) {
      if (!writer) throw new Error('FLAC image sink written before open()');
      await writer.write(pcm);
    },
    async close() {
      return flacPath;
    },
    async finish(tracks, info) {
      if (!writer) throw new Error('FLAC image sink finished without tracks');
      const w = writer;
      writer = undefined;
      try {
        await w.close();
      } catch (error) {
        await w.abort();
        throw error;
      }
      await writeFile(cuePath, imageCue(tracks, info, `${baseName}.flac`, imageStartLba ?? 0));
      return { flac: flacPath, cue: cuePath };
    },
    async abort() {
      const w = writer;
      writer = undefined;
      await w?.abort();
    },
  };
}
