/** `rip`: secure audio ripping to WAV files (one per track, or one image with a CUE sheet) and logs. */

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createImageSink, createWavTrackSink, formatTrackName } from '../../audio/rip/sinks.js';
import { describeRip, formatRipLog } from '../../audio/rip/log.js';
import { ripAudio } from '../../audio/rip/rip.js';
import type { GapMode, RipMode } from '../../audio/rip/types.js';
import { Drive, type OpenOptions } from '../../drive/drive.js';
import type { EmulatedAddressOptions } from '../../emulator/address.js';
import { printJson, UsageError, type CliContext } from '../io.js';

export interface RipCommandOptions {
  source: string;
  outDir: string;
  json: boolean;
  emulator: EmulatedAddressOptions;
  mode?: string | undefined;
  offset?: string | undefined;
  maxRetries?: number | undefined;
  nameFormat?: string | undefined;
  image: boolean;
  gaps?: string | undefined;
  overread: boolean;
}

const MODES: readonly RipMode[] = ['secure', 'burst', 'paranoia'];

export async function ripCommand(ctx: CliContext, o: RipCommandOptions): Promise<number> {
  const mode = (o.mode ?? 'secure') as RipMode;
  if (!MODES.includes(mode)) throw new UsageError(`--mode needs secure, burst or paranoia, got "${o.mode}"`);
  const offset = o.offset === undefined ? 0 : /^[+-]?\d{1,5}$/u.test(o.offset) ? Number(o.offset) : Number.NaN;
  if (!Number.isInteger(offset) || Math.abs(offset) > 5880) throw new UsageError(`--offset needs a number of samples from -5880 to 5880, got "${o.offset}"`);
  const gaps = (o.gaps ?? 'append') as GapMode;
  if (gaps !== 'append' && gaps !== 'prepend') throw new UsageError(`--gaps needs append or prepend, got "${o.gaps}"`);
  const nameFormat = o.nameFormat ?? 'default';
  try {
    formatTrackName(nameFormat, { number: 1 });
  } catch (error) {
    throw new UsageError(`--name-format: ${(error as Error).message}`);
  }
  if (o.image && o.nameFormat !== undefined) throw new UsageError('--name-format names per-track files; --image writes image.wav and image.cue');

  await mkdir(o.outDir, { recursive: true });
  const open = ctx.openDrive ?? ((path: string, options?: OpenOptions) => Drive.open(path, options));
  const drive = await open(o.source, { emulator: o.emulator });
  try {
    const imageSink = o.image ? createImageSink(o.outDir) : undefined;
    const sink = imageSink ?? createWavTrackSink(o.outDir, nameFormat);
    const result = await ripAudio(drive, {
      mode,
      offset,
      gapMode: o.image ? 'append' : gaps,
      overread: o.overread,
      sink,
      ...(o.maxRetries === undefined ? {} : { maxRetries: o.maxRetries }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(o.json ? {} : { onProgress: (p) => p.phase === 'reading' && ctx.stderr.write(`\rdiscrescue rip: track ${String(p.track).padStart(2, '0')}, ${p.doneSectors}/${p.totalSectors} sectors`) }),
    });
    if (!o.json) ctx.stderr.write('\n');
    const image = imageSink && result.tracks.length > 0 ? await imageSink.finish(result.tracks, { mcn: result.mcn }) : undefined;
    const logPath = join(o.outDir, 'rip.log');
    const jsonPath = join(o.outDir, 'rip.json');
    const text = formatRipLog(result);
    const described = { ...describeRip(result), ...(image ? { image } : {}) };
    await writeFile(logPath, text);
    await writeFile(jsonPath, `${JSON.stringify(described, null, 2)}\n`);
    if (o.json) printJson(ctx, described);
    else {
      ctx.stdout.write(text);
      if (image) ctx.stdout.write(`Image: ${image.wav}\nCUE sheet: ${image.cue}\n`);
      ctx.stdout.write(`Logs: ${logPath}, ${jsonPath}\n`);
    }
    return result.tracks.every((t) => t.secure || t.accurate || t.status === 'secure-except-edges') ? 0 : 1;
  } finally {
    await drive.close();
  }
}
