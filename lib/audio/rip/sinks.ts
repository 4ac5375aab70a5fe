/**
 * Output sinks of the ripping engine: one WAV file per track named by a pattern, or one image WAV
 * with a CUE sheet. Other encoders (FLAC) implement the same AudioSink interface.
 */

import { open, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { WAV_HEADER_SIZE, wavHeader } from '../wav.js';
import type { AudioSink, RipTrackInfo, TrackRipResult } from './types.js';

/** Default per-track name: `01 - Track 01.wav`. */
export const DEFAULT_NAME_FORMAT = '{nn} - Track {nn}.wav';
/** cdparanoia's batch names: `track01.cdda.wav` (track00 for a hidden track). */
export const CDPARANOIA_NAME_FORMAT = 'track{nn}.cdda.wav';

/**
 * A file name from a pattern: `{nn}` two-digit track number, `{n}` the number, `{isrc}`. The
 * presets `default` and `cdparanoia` name the two built-in patterns. Throws RangeError for a
 * pattern that would leave the output directory.
 */
export function formatTrackName(pattern: string, track: Pick<RipTrackInfo, 'number' | 'isrc'>): string {
  const resolved = pattern === 'default' ? DEFAULT_NAME_FORMAT : pattern === 'cdparanoia' ? CDPARANOIA_NAME_FORMAT : pattern;
  const name = resolved
    .replaceAll('{nn}', String(track.number).padStart(2, '0'))
    .replaceAll('{n}', String(track.number))
    .replaceAll('{isrc}', track.isrc ?? 'noisrc');
  if (name.length === 0 || name.length > 255 || /[/\\\0]/u.test(name) || name === '.' || name === '..') {
    throw new RangeError(`Expected "nameFormat" to give a plain file name, got ${JSON.stringify(name)}`);
  }
  return name;
}

/** One WAV per track in `dir`. */
export function createWavTrackSink(dir: string, nameFormat = DEFAULT_NAME_FORMAT): AudioSink {
  let handle: FileHandle | undefined;
  let path: string | undefined;
  let expected = 0;
  let written = 0;
  return {
    async open(track) {
      path = join(dir, formatTrackName(nameFormat, track));
      expected = track.sampleCount * 4;
      written = 0;
      handle = await open(path, 'w');
      await handle.write(wavHeader(expected));
    },
    async write(pcm) {
      if (!handle) throw new Error('WAV sink written before open()');
      await handle.write(pcm);
      written += pcm.length;
    },
    async close() {
      if (!handle) return undefined;
      await handle.close();
      handle = undefined;
      if (written !== expected) throw new RangeError(`${path}: wrote ${written} bytes of audio, expected ${expected}`);
      return path;
    },
  };
}

/** Everything the image sink needs to write the CUE sheet besides the tracks. */
export interface ImageCueInfo {
  mcn?: string | undefined;
}

/** The image sink: an AudioSink that also writes the CUE sheet once every track is in. */
export interface ImageSink extends AudioSink {
  finish(tracks: readonly TrackRipResult[], info: ImageCueInfo): Promise<{ wav: string; cue: string }>;
}

/**
 * One WAV image of every track, in order, and a CUE sheet with INDEX 00 (pregaps, HTOA) and INDEX
 * 01+ at their positions in the image. Tracks must be contiguous (gaps appended to the previous
 * track; a hidden track first); the header's size is patched at the end.
 */
export function createImageSink(dir: string, baseName = 'image'): ImageSink {
  if (/[/\\\0]/u.test(baseName) || baseName.length === 0) throw new RangeError(`Expected "baseName" to be a plain file name, got ${JSON.stringify(baseName)}`);
  const wavPath = join(dir, `${baseName}.wav`);
  const cuePath = join(dir, `${baseName}.cue`);
  let handle: FileHandle | undefined;
  let bytes = 0;
  let imageStartLba: number | undefined;
  let nextLba: number | undefined;
  return {
    contiguous: true,
    async open(track) {
      if (!handle) {
        handle = await open(wavPath, 'w');
        await handle.write(new Uint8Array(WAV_HEADER_SIZE));
        imageStartLba = track.startLba;
      } else if (track.startLba !== nextLba) {
        throw new RangeError(`image: track ${track.number} starts at LBA ${track.startLba}, not where the previous ended (${nextLba})`);
      }
      nextLba = track.endLba;
    },
    async write(pcm) {
      if (!handle) throw new Error('image sink written before open()');
      await handle.write(pcm);
      bytes += pcm.length;
    },
    async close() {
      return wavPath;
    },
    async finish(tracks, info) {
      if (!handle) throw new Error('image sink finished without tracks');
      await handle.write(wavHeader(bytes), 0, WAV_HEADER_SIZE, 0);
      await handle.close();
      handle = undefined;
      await writeFile(cuePath, imageCue(tracks, info, `${baseName}.wav`, imageStartLba ?? 0));
      return { wav: wavPath, cue: cuePath };
    },
  };
}

/** The CUE sheet of an image that starts at `imageStartLba`. A hidden track becomes track 1's INDEX 00. */
export function imageCue(tracks: readonly TrackRipResult[], info: ImageCueInfo, wavName: string, imageStartLba: number): string {
  const lines: string[] = ['REM COMMENT "discrescue rip"'];
  if (info.mcn) lines.push(`CATALOG ${info.mcn}`);
  lines.push(`FILE "${wavName.replaceAll('"', "'")}" WAVE`);
  for (const t of tracks) {
    const i = t.info;
    if (i.number === 0) continue;
    lines.push(`  TRACK ${String(i.number).padStart(2, '0')} AUDIO`);
    const flags = [i.copyPermitted ? 'DCP' : '', i.preEmphasis ? 'PRE' : ''].filter(Boolean);
    if (flags.length > 0) lines.push(`    FLAGS ${flags.join(' ')}`);
    if (i.isrc) lines.push(`    ISRC ${i.isrc}`);
    const indexes = [...i.indexes];
    // A pregap before the image's first sector (track 1's 2 seconds) is not in the file.
    if (i.pregapLba < (indexes[0]?.lba ?? i.startLba) && i.pregapLba >= imageStartLba) indexes.unshift({ number: 0, lba: i.pregapLba });
    for (const x of indexes) lines.push(`    INDEX ${String(x.number).padStart(2, '0')} ${msf(x.lba - imageStartLba)}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

function msf(frames: number): string {
  const f = Math.max(0, frames);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(f / 4500))}:${two(Math.floor(f / 75) % 60)}:${two(f % 75)}`;
}
