/** `rip`: secure audio ripping to WAV or FLAC files (one per track, or one image with a CUE sheet) and logs. */

import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createImageSink, createWavTrackSink, formatTrackName } from '../../audio/rip/sinks.js';
import { createFlacImageSink, createFlacTrackSink, flacNameFormat } from '../../audio/rip/flac-sink.js';
import { cdTextFileBytes } from '../../cd/cd-text.js';
import { readRipTagSource, ripImageTags, ripTrackTags } from '../../audio/rip/tags.js';
import { describeRip, formatRipLog } from '../../audio/rip/log.js';
import { ripAudio } from '../../audio/rip/rip.js';
import { accurateRipHook, checkAccurateRipResponse, crc32Hook } from '../../audio/rip/verify-hooks.js';
import { findDriveOffset, lookupDriveOffsetOf } from '../../audio/rip/offset.js';
import { accurateRipPath, accurateRipUrl, formatAccurateRipId, parseAccurateRipResponse, type AccurateRipResponseChunk } from '../../audio/accuraterip.js';
import { accurateRipDiscIds, discIdLayoutFromToc } from '../../audio/disc-id.js';
import { parseDriveOffsets } from '../../audio/drive-offsets.js';
import { FormatError, VerificationError } from '../../errors.js';
import type { ChecksumHook } from '../../audio/rip/types.js';
import type { GapMode, RipMode } from '../../audio/rip/types.js';
import { Drive, type OpenOptions } from '../../drive/drive.js';
import type { DiscToc } from '../../drive/toc.js';
import type { EmulatedAddressOptions } from '../../emulator/address.js';
import { printJson, UsageError, type CliContext } from '../io.js';
import { parseSampleOffset } from '../sample-offset.js';

export interface RipCommandOptions {
  source: string;
  outDir: string;
  json: boolean;
  emulator: EmulatedAddressOptions;
  mode?: string | undefined;
  offset?: string | undefined;
  /** An AccurateRip response file (dBAR-…bin) for the disc. */
  accuraterip?: string | undefined;
  /** AccurateRip's DriveOffsets.bin: the offset looked up by the drive's INQUIRY strings. */
  driveOffsets?: string | undefined;
  /** Find the offset from the --accuraterip response before ripping, and rip with it. */
  findOffset?: boolean | undefined;
  maxRetries?: number | undefined;
  nameFormat?: string | undefined;
  image: boolean;
  gaps?: string | undefined;
  overread: boolean;
  /** wav (default) or flac. */
  format?: string | undefined;
}

const MODES: readonly RipMode[] = ['secure', 'burst', 'paranoia'];

export async function ripCommand(ctx: CliContext, o: RipCommandOptions): Promise<number> {
  const mode = (o.mode ?? 'secure') as RipMode;
  if (!MODES.includes(mode)) throw new UsageError(`--mode needs secure, burst or paranoia, got "${o.mode}"`);
  const offset = parseSampleOffset(o.offset);
  const gaps = (o.gaps ?? 'append') as GapMode;
  if (gaps !== 'append' && gaps !== 'prepend') throw new UsageError(`--gaps needs append or prepend, got "${o.gaps}"`);
  const nameFormat = o.nameFormat ?? 'default';
  try {
    formatTrackName(nameFormat, { number: 1 });
  } catch (error) {
    throw new UsageError(`--name-format: ${(error as Error).message}`);
  }
  if (o.image && o.nameFormat !== undefined) throw new UsageError('--name-format names per-track files; --image writes image.wav and image.cue');
  const format = o.format ?? 'wav';
  if (format !== 'wav' && format !== 'flac') throw new UsageError(`--format needs wav or flac, got "${o.format}"`);
  if (format === 'flac' && /\.wav$/iu.test(flacNameFormat(nameFormat))) throw new UsageError('--format flac: --name-format gives .wav names; give a pattern ending in .flac');
  checkVerifyOptions(o);

  await mkdir(o.outDir, { recursive: true });
  const open = ctx.openDrive ?? ((path: string, options?: OpenOptions) => Drive.open(path, options));
  const drive = await open(o.source, { emulator: o.emulator });
  try {
    const verify = await prepareVerification(ctx, drive, o, offset);
    // CD-Text, MCN and disc ids are read before the sinks open: FLAC carries them as tags, and
    // the raw CD-Text packs are kept beside the audio whatever the format.
    const tagSource = await readRipTagSource(drive, { toc: verify.toc, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const flac = format === 'flac';
    const imageSink = !o.image ? undefined : flac ? createFlacImageSink(o.outDir, { tags: ripImageTags(tagSource, tagSource.audioTrackCount) }) : createImageSink(o.outDir);
    const flacSink = flac && !o.image ? createFlacTrackSink(o.outDir, nameFormat, { tagsFor: (track) => ripTrackTags(track, tagSource) }) : undefined;
    const sink = imageSink ?? flacSink ?? createWavTrackSink(o.outDir, nameFormat);
    const result = await ripAudio(drive, {
      mode,
      toc: verify.toc,
      offset: verify.offset,
      offsetSource: verify.offsetSource,
      checksums: verify.hooks,
      gapMode: o.image ? 'append' : gaps,
      overread: o.overread,
      sink,
      ...(o.maxRetries === undefined ? {} : { maxRetries: o.maxRetries }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(o.json ? {} : { onProgress: (p) => p.phase === 'reading' && ctx.stderr.write(`\rdiscrescue rip: track ${String(p.track).padStart(2, '0')}, ${p.doneSectors}/${p.totalSectors} sectors`) }),
    }).catch(async (error: unknown) => {
      // No partial FLAC is left behind (a WAV keeps what was written, as before).
      await (flacSink ?? (imageSink && 'abort' in imageSink ? imageSink : undefined))?.abort().catch(() => undefined);
      throw error;
    });
    result.notes.push(...tagSource.notes);
    let cdTextFile: string | undefined;
    if (tagSource.cdTextPacks !== undefined) {
      cdTextFile = join(o.outDir, 'cdtext.cdt');
      await writeFile(cdTextFile, cdTextFileBytes(tagSource.cdTextPacks));
    }
    if (!o.json) ctx.stderr.write('\n');
    const image = imageSink && result.tracks.length > 0 ? await imageSink.finish(result.tracks, { mcn: result.mcn }) : undefined;
    const logPath = join(o.outDir, 'rip.log');
    const jsonPath = join(o.outDir, 'rip.json');
    const text = formatRipLog(result, { header: verify.header });
    const described = { ...describeRip(result), ...verify.json, ...(image ? { image } : {}), ...(cdTextFile ? { cdTextFile } : {}) };
    await writeFile(logPath, text);
    await writeFile(jsonPath, `${JSON.stringify(described, null, 2)}\n`);
    if (o.json) printJson(ctx, described);
    else {
      ctx.stdout.write(text);
      if (image) ctx.stdout.write(`Image: ${'wav' in image ? image.wav : image.flac}\nCUE sheet: ${image.cue}\n`);
      if (cdTextFile) ctx.stdout.write(`CD-Text packs: ${cdTextFile}\n`);
      ctx.stdout.write(`Logs: ${logPath}, ${jsonPath}\n`);
    }
    return result.tracks.every((t) => t.secure || t.accurate || t.status === 'secure-except-edges') ? 0 : 1;
  } finally {
    await drive.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Verification: CRC32 and AccurateRip hooks, the AccurateRip response, and the read offset

/** --offset, --drive-offsets and --find-offset exclude one another; --find-offset needs --accuraterip. */
function checkVerifyOptions(o: RipCommandOptions): void {
  const sources = [o.offset !== undefined && '--offset', o.driveOffsets !== undefined && '--drive-offsets', o.findOffset && '--find-offset'].filter(Boolean);
  if (sources.length > 1) throw new UsageError(`${sources.join(' and ')} both give the read offset: use one`);
  if (o.findOffset && o.accuraterip === undefined) throw new UsageError('--find-offset compares reads with an AccurateRip response: give it with --accuraterip <dBAR-…bin>');
}

/** The user's AccurateRip files are a few kilobytes (DriveOffsets.bin a few hundred): anything over 16 MiB is not one. */
async function readSmallFile(option: string, path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    const size = (await stat(path)).size;
    if (size > MAX_VERIFY_FILE) throw new FormatError(`${size} bytes is too large for an AccurateRip file (at most ${MAX_VERIFY_FILE})`, { file: path });
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new UsageError(`${option}: cannot read ${path}: ${(error as Error).message}`);
  }
  return bytes;
}

const MAX_VERIFY_FILE = 16 * 1024 * 1024;

interface RipVerification {
  offset: number;
  offsetSource: string | undefined;
  toc: DiscToc;
  hooks: ChecksumHook[];
  header: Array<[string, string]>;
  json: Record<string, unknown>;
}

/**
 * Reads the TOC for the AccurateRip ids, loads and checks the response file, and settles the read
 * offset: --offset as given, looked up in --drive-offsets, or found with --find-offset.
 */
async function prepareVerification(ctx: CliContext, drive: Drive, o: RipCommandOptions, givenOffset: number): Promise<RipVerification> {
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  const toc = await drive.toc(signal);
  const ids = accurateRipDiscIds(discIdLayoutFromToc(toc));
  const header: Array<[string, string]> = [['AccurateRip id:', formatAccurateRipId(ids)]];
  let response: AccurateRipResponseChunk[] | undefined;
  if (o.accuraterip !== undefined) {
    response = parseAccurateRipResponse(await readSmallFile('--accuraterip', o.accuraterip), { file: o.accuraterip });
    checkAccurateRipResponse(response, ids, o.accuraterip);
    header.push(['AccurateRip:', `checked against ${o.accuraterip} (${response.length} pressing(s))`]);
  } else {
    header.push(['AccurateRip:', 'not checked — no response file'], ['  Download from:', `${accurateRipUrl(ids)} (then --accuraterip <file>)`]);
  }
  const json: Record<string, unknown> = { accurateRip: { id: formatAccurateRipId(ids), path: accurateRipPath(ids), url: accurateRipUrl(ids), response: o.accuraterip ?? null, pressings: response?.length ?? 0 } };

  let offset = givenOffset;
  let offsetSource: string | undefined = o.offset === undefined ? undefined : 'given with --offset';
  if (o.driveOffsets !== undefined) {
    const records = parseDriveOffsets(await readSmallFile('--drive-offsets', o.driveOffsets), o.driveOffsets);
    const found = await lookupDriveOffsetOf(drive, records, ctx.signal ? { signal: ctx.signal } : {});
    offset = found.offset;
    offsetSource = `from ${o.driveOffsets}: "${found.record.name}"${found.match === 'product' ? ', matched by product only' : ''}`;
  } else if (o.findOffset && response) {
    const search = await findDriveOffset(drive, response, { toc, discIds: ids, signal: ctx.signal });
    json.offsetSearch = search;
    const lines = search.candidates.slice(0, 5).map((c) => `${c.offset > 0 ? '+' : ''}${c.offset} (track(s) ${c.tracks.map((t) => t.track).join(', ')} match, confidence ${c.confidence})`);
    if (search.best === undefined) {
      throw new VerificationError(`no read offset found: ${search.notes.join('; ') || 'nothing matched'}; give --offset <samples>`);
    }
    offset = search.best;
    offsetSource = `found from AccurateRip: track(s) ${search.candidates[0]!.tracks.map((t) => t.track).join(', ')} match`;
    header.push(['Offset search:', `${lines.join('; ')}; tried ±${search.maxOffset} samples over ${search.sectorsRead} sectors`]);
    for (const note of search.notes) header.push(['  Note:', note]);
    if (!o.json) ctx.stdout.write(`Read offset found: ${lines.join('; ')}\n`);
  }
  const hooks = [crc32Hook(), accurateRipHook(response, { discIds: ids, toc })];
  return { offset, offsetSource, toc, hooks, header, json };
}
