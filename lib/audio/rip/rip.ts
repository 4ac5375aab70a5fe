/**
 * ripAudio(): rips the audio tracks of a CD through a Drive, track by track, proving samples as the
 * mode asks (see engine.ts and docs/audio.md), correcting the read offset, scanning pregaps and
 * indexes, and handing every track's final PCM to a sink and to checksum hooks.
 */

import { endianness } from 'node:os';
import type { Drive, SimulationStats } from '../../drive/drive.js';
import type { DiscToc, TocTrack } from '../../drive/toc.js';
import { AbortError, DiscError, IllegalRequestError, TransportError, UnsupportedError } from '../../errors.js';
import { ripSpan, SampleState, type SpanResult } from './engine.js';
import { scanIndexes } from './index-scan.js';
import { SAMPLES_PER_SECTOR } from '../accuraterip.js';
import { AudioReader } from './reader.js';
import type {
  AudioSink,
  ChecksumHook,
  ChecksumResult,
  DoubtfulRange,
  DoubtReason,
  GapMode,
  RipMode,
  RipProgress,
  RipTrackInfo,
  TrackRipResult,
  TrackStatus,
} from './types.js';
import { controlFlags } from '../../cd/constants.js';
import { readDiscCodes } from '../../drive/disc-codes.js';

export interface RipOptions {
  /** The disc's TOC, when the caller has read it (else it is read here). */
  toc?: DiscToc;
  /** Default 'secure'. */
  mode?: RipMode;
  /** Read offset correction in samples (AccurateRip/EAC sign convention). Default 0. */
  offset?: number;
  /** Where the offset came from, for the log (e.g. "found from AccurateRip: tracks 1, 2"). */
  offsetSource?: string | undefined;
  /** Rounds of targeted re-reads of samples not yet proven. Default 10. */
  maxRetries?: number;
  /** Track numbers to rip; default every audio track. */
  tracks?: number[];
  /** Default 'append' (pregaps at the end of the previous track, as AccurateRip counts them). */
  gapMode?: GapMode;
  /** Where the PCM goes; none: rip and verify only. */
  sink?: AudioSink;
  /** Checksums over every track's final PCM (AccurateRip, CRC32…). */
  checksums?: ChecksumHook[];
  /** Try to read into the lead-in and lead-out for the offset correction. Default false. */
  overread?: boolean;
  /** Read elsewhere before re-reading, so a drive's audio cache cannot answer. Default true. */
  cacheDefeat?: boolean;
  /** Ask for C2 error pointers. Default: when the drive reports them. */
  c2?: boolean;
  /** Largest jitter corrected, in samples, when correcting (paranoia; secure on drives without accurate stream). Default 588. */
  maxJitterSamples?: number;
  /** Sectors per verification window without jitter correction. Default 96. */
  chunkSectors?: number;
  /** Scan sub-channel Q for pregaps and indexes. Default true. */
  scanIndexes?: boolean;
  /** Rip a hidden track before track 1 when it is not silent. Default true. */
  hiddenTrack?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: RipProgress) => void;
}

export interface RipResult {
  drive: { path: string; vendor: string; product: string; revision: string };
  mode: RipMode;
  offset: number;
  /** RipOptions.offsetSource, when given. */
  offsetSource?: string | undefined;
  gapMode: GapMode;
  /** Jitter corrected (± samples); 0 when the drive's positioning is trusted. */
  jitterCorrection: number;
  accurateStream: boolean | undefined;
  c2: boolean;
  /** Corrupted samples C2 did not flag (seen when reads outvoted them): C2 is only a hint then. */
  c2Missed: number;
  cacheDefeat: boolean;
  overread: boolean;
  mcn: string | undefined;
  tracks: TrackRipResult[];
  notes: string[];
  reads: { commands: number; sectorsRequested: number; failedCommands: number; cacheDefeatReads: number; indexScanReads: number };
  /** Sectors of audio ripped (the tracks' output). */
  audioSectors: number;
  simulation?: SimulationStats | undefined;
  /** Every track secure or accurate. */
  ok: boolean;
}

const DEFAULT_RETRIES = 10;
const DEFAULT_JITTER = 588;
const MAX_OFFSET = 588 * 10;
const LITTLE_ENDIAN = endianness() === 'LE';

/** Rips audio tracks; see RipOptions. One track's failure never stops the others. */
export async function ripAudio(drive: Drive, options: RipOptions = {}): Promise<RipResult> {
  const mode = options.mode ?? 'secure';
  if (mode !== 'secure' && mode !== 'burst' && mode !== 'paranoia') throw new RangeError(`Expected "mode" to be secure, burst or paranoia, got ${JSON.stringify(mode)}`);
  const offset = checkInt('offset', options.offset ?? 0, -MAX_OFFSET, MAX_OFFSET);
  const maxRetries = checkInt('maxRetries', options.maxRetries ?? DEFAULT_RETRIES, 0, 1000);
  const gapMode = options.gapMode ?? 'append';
  if (gapMode !== 'append' && gapMode !== 'prepend') throw new RangeError(`Expected "gapMode" to be append or prepend, got ${JSON.stringify(gapMode)}`);
  const maxJitter = checkInt('maxJitterSamples', options.maxJitterSamples ?? DEFAULT_JITTER, 1, 588 * 8);
  const chunkSectors = checkInt('chunkSectors', options.chunkSectors ?? 96, 1, 4096);
  const hooks = options.checksums ?? [];
  const notes: string[] = [];
  const signal = options.signal;
  let reader: AudioReader | undefined;

  const inquiry = await drive.inquiry().catch(() => undefined);
  const caps = await drive.capabilities().catch(() => undefined);
  const toc = options.toc ?? (await drive.toc(signal ? { signal } : {}));
  const accurateStream = caps?.accurateStream;
  const c2 = options.c2 ?? caps?.c2Pointers ?? false;
  const jitter = mode === 'paranoia' || (mode === 'secure' && accurateStream === false) ? maxJitter : 0;
  if (mode === 'secure' && accurateStream === undefined) notes.push('the drive does not say whether its audio stream is accurate: reads are trusted to land where asked (two reads that disagree everywhere would show otherwise)');
  if (jitter > 0) notes.push(`jitter correction: reads aligned by their overlap, up to ±${jitter} samples`);
  const cacheDefeat = options.cacheDefeat ?? true;
  const overread = options.overread ?? false;

  const audio = toc.tracks.filter((t) => !t.isData);
  if (audio.length === 0) throw new UnsupportedError(`${drive.path}: the disc has no audio tracks`);
  const wanted = options.tracks ? new Set(options.tracks) : undefined;
  if (wanted) for (const n of wanted) if (!audio.some((t) => t.number === n)) throw new RangeError(`track ${n} is not an audio track of this disc`);
  const codes = await readDiscCodes(drive, toc, signal);

  const emit = (p: Omit<RipProgress, 'sectorsRead'>) => options.onProgress?.({ ...p, sectorsRead: reader?.stats.sectorsRequested ?? 0 });
  emit({ phase: 'scanning', track: 0, doneSectors: 0, totalSectors: 0 });
  const firstTrack = toc.tracks[0];
  let scanReads = 0;
  const scanned = new Map<number, { pregapLba: number; indexes: Array<{ number: number; lba: number }> }>();
  if (options.scanIndexes ?? true) {
    const scan = await scanIndexes(
      drive,
      audio.map((t) => ({ number: t.number, startLba: t.startLba, endLba: t.endLba, firstOnDisc: t === firstTrack })),
      { signal },
    );
    scanReads = scan.reads;
    notes.push(...scan.notes);
    for (const t of scan.tracks) scanned.set(t.number, { pregapLba: t.pregapLba, indexes: t.indexes });
  } else if (firstTrack && !firstTrack.isData && firstTrack.startLba > 0) {
    scanned.set(firstTrack.number, { pregapLba: 0, indexes: [] });
  }

  const infos = planTracks(toc, audio, scanned, gapMode, options.hiddenTrack ?? true);
  for (const info of infos) {
    const isrc = info.number === 0 ? undefined : codes.isrcs.get(info.number);
    if (isrc !== undefined) info.isrc = isrc;
  }
  const chosen = infos.filter((i) => (i.number === 0 ? !wanted || wanted.has(1) : !wanted || wanted.has(i.number)));
  const totalSectors = chosen.reduce((sum, i) => sum + i.endLba - i.startLba, 0);

  const perCommand = Math.max(1, Math.floor(drive.transport.maxTransferBytes / (2352 + (c2 ? 294 : 0))));
  const tracks: TrackRipResult[] = [];
  let c2Missed = 0;
  let done = 0;
  const contiguous = options.sink?.contiguous === true;
  for (const info of chosen) {
    signal?.throwIfAborted();
    const area = audioArea(toc, info);
    const bounds = {
      minLba: overread ? Math.max(-150, area.start - 150) : area.start,
      endLba: overread ? area.end + 150 : area.end,
      safeMinLba: area.start,
      safeEndLba: area.end,
    };
    // One reader for the whole rip: it remembers what the drive's cache may hold across tracks.
    if (reader) reader.setBounds(bounds);
    else reader = new AudioReader(drive, { c2, perCommand, ...bounds, cacheDefeat, signal });
    const sampleCount = info.sampleCount;
    const margin = jitter;
    const start = info.startLba * SAMPLES_PER_SECTOR - margin;
    emit({ phase: 'reading', track: info.number, doneSectors: done, totalSectors });
    let span: SpanResult;
    try {
      span = await ripSpan(reader, {
        start,
        end: info.endLba * SAMPLES_PER_SECTOR + margin,
        offset,
        jitter,
        mode,
        maxRetries,
        chunkSectors,
        onWindow: (n) => emit({ phase: 'reading', track: info.number, doneSectors: done + Math.min(info.endLba - info.startLba, Math.floor(Math.max(0, n - margin) / SAMPLES_PER_SECTOR)), totalSectors }),
      });
    } catch (error) {
      if (signal?.aborted || error instanceof AbortError || error instanceof TransportError || !(error instanceof DiscError)) throw error;
      // A refused command fails every track alike: say so once.
      if (error instanceof IllegalRequestError) throw new UnsupportedError(`${drive.path}: the drive refuses READ CD of audio: ${error.message}`, { cause: error });
      notes.push(`track ${info.number}: ${(error as Error).message}`);
      const failed = failedTrack(info);
      if (options.sink) {
        // Zeros keep an image contiguous; the track is reported unreadable throughout.
        await options.sink.open(info);
        const zeros = new Uint8Array(SAMPLES_PER_SECTOR * 4 * 64);
        for (let i = 0; i < sampleCount; i += SAMPLES_PER_SECTOR * 64) await options.sink.write(zeros.subarray(0, Math.min(sampleCount - i, SAMPLES_PER_SECTOR * 64) * 4));
        failed.file = await options.sink.close();
      }
      tracks.push(failed);
      done += info.endLba - info.startLba;
      continue;
    }
    for (const side of reader.overreadRefused) notes.push(`track ${info.number}: the drive refused to read into the ${side}: samples there zero-filled`);
    c2Missed += span.c2Missed;
    emit({ phase: 'verifying', track: info.number, doneSectors: done, totalSectors });

    // Alignment: without jitter correction, the nominal placement; with it, a checksum has to confirm a shift.
    // Paranoia on a drive whose stream is accurate: the first read, which the others are aligned
    // to, landed where asked.
    let shift = 0;
    let aligned = jitter === 0 || accurateStream === true;
    let results: Array<{ name: string } & ChecksumResult> | undefined;
    if (!aligned && hooks.length > 0) {
      for (const c of shiftOrder(jitter)) {
        const trial = runHooks(hooks, info, span.values, margin + c, sampleCount);
        if (trial.some((r) => r.matched === true)) {
          shift = c;
          aligned = true;
          results = trial;
          break;
        }
        if (c === 0 && trial.every((r) => r.matched === undefined)) {
          results = trial;
          break;
        }
      }
      if (!aligned) notes.push(`track ${info.number}: no checksum confirmed any alignment within ±${jitter} samples`);
    }
    results ??= runHooks(hooks, info, span.values, margin + shift, sampleCount);
    const from = margin + shift;
    const doubtful = doubtfulRanges(span.state, from, sampleCount);
    const stats = trackStats(span.values, from, sampleCount);
    const result = describeTrack(info, { doubtful, aligned, results, span, stats, shift: jitter > 0 ? shift : undefined, mode });
    if (info.number === 0 && stats.silent && !contiguous) {
      notes.push('the hidden track before track 1 is silent: not ripped');
      done += info.endLba - info.startLba;
      continue;
    }
    if (options.sink) {
      emit({ phase: 'writing', track: info.number, doneSectors: done, totalSectors });
      await options.sink.open(info);
      const chunk = SAMPLES_PER_SECTOR * 256;
      for (let i = 0; i < sampleCount; i += chunk) await options.sink.write(pcmBytes(span.values, from + i, Math.min(sampleCount - i, chunk)));
      result.file = await options.sink.close();
    }
    tracks.push(result);
    done += info.endLba - info.startLba;
  }
  emit({ phase: 'finished', track: 0, doneSectors: done, totalSectors });
  if (c2 && c2Missed > 0) notes.push(`C2 missed ${c2Missed} corrupted sample(s) that re-reads outvoted: this drive's C2 reports are only a hint`);
  const reads = { commands: 0, sectorsRequested: 0, failedCommands: 0, cacheDefeatReads: 0, indexScanReads: scanReads };
  if (reader) {
    reads.commands = reader.stats.commands;
    reads.sectorsRequested = reader.stats.sectorsRequested;
    reads.failedCommands = reader.stats.failedCommands;
    reads.cacheDefeatReads = reader.stats.cacheDefeatReads;
  }
  return {
    drive: { path: drive.path, vendor: inquiry?.vendor ?? '', product: inquiry?.product ?? '', revision: inquiry?.revision ?? '' },
    mode,
    offset,
    ...(options.offsetSource === undefined ? {} : { offsetSource: options.offsetSource }),
    gapMode,
    jitterCorrection: jitter,
    accurateStream,
    c2,
    c2Missed,
    cacheDefeat,
    overread,
    mcn: codes.mcn,
    tracks,
    notes,
    reads,
    audioSectors: totalSectors,
    simulation: drive.simulation,
    ok: tracks.every((t) => t.secure || t.accurate),
  };
}

/** Output extents of every audio track (and a hidden track), per gap mode. */
function planTracks(
  toc: DiscToc,
  audio: TocTrack[],
  scanned: Map<number, { pregapLba: number; indexes: Array<{ number: number; lba: number }> }>,
  gapMode: GapMode,
  hiddenTrack: boolean,
): RipTrackInfo[] {
  const infos: RipTrackInfo[] = [];
  const firstAudio = audio[0]?.number;
  const lastAudio = audio[audio.length - 1]?.number;
  const first = toc.tracks[0];
  audio.forEach((t, i) => {
    const next = audio[i + 1];
    const nextAdjacent = next !== undefined && next.startLba <= t.endLba;
    const own = scanned.get(t.number);
    const pregapLba = own?.pregapLba ?? t.startLba;
    const nextPregap = next ? (scanned.get(next.number)?.pregapLba ?? next.startLba) : undefined;
    const hidden = t === first && t.startLba > 0;
    let startLba = t.startLba;
    let endLba = t.endLba;
    if (gapMode === 'prepend' && !hidden) startLba = Math.min(pregapLba, t.startLba);
    if (gapMode === 'prepend' && nextAdjacent && nextPregap !== undefined) endLba = Math.min(endLba, nextPregap);
    const base = {
      isFirst: t.number === firstAudio,
      isLast: t.number === lastAudio,
      audioTrackCount: audio.length,
      control: t.control,
      preEmphasis: controlFlags(t.control).preEmphasis,
      copyPermitted: controlFlags(t.control).copyPermitted,
    };
    if (hidden && hiddenTrack) {
      infos.push({ ...base, number: 0, startLba: 0, endLba: t.startLba, sampleCount: t.startLba * SAMPLES_PER_SECTOR, isFirst: false, isLast: false, pregapLba: 0, indexes: [{ number: 1, lba: 0 }] });
    }
    infos.push({
      ...base,
      number: t.number,
      startLba,
      endLba,
      sampleCount: (endLba - startLba) * SAMPLES_PER_SECTOR,
      pregapLba,
      indexes: [{ number: 1, lba: t.startLba }, ...(own?.indexes ?? [])],
    });
  });
  return infos;
}

/** The run of consecutive audio sectors holding the track: reads never cross into data. */
function audioArea(toc: DiscToc, info: RipTrackInfo): { start: number; end: number } {
  const audio = toc.tracks.filter((t) => !t.isData);
  let index = audio.findIndex((t) => t.startLba <= info.startLba && info.startLba < t.endLba);
  if (index < 0) index = audio.findIndex((t) => info.endLba <= t.endLba);
  let lo = index;
  let hi = index;
  while (lo > 0 && audio[lo - 1]!.endLba >= audio[lo]!.startLba) lo--;
  while (hi < audio.length - 1 && audio[hi]!.endLba >= audio[hi + 1]!.startLba) hi++;
  const first = audio[lo]!;
  // Track 1's own pregap and a hidden track before it are audio from LBA 0.
  const start = first === toc.tracks[0] ? Math.min(0, first.startLba) : first.startLba;
  return { start: Math.min(start, info.startLba), end: Math.max(audio[hi]!.endLba, info.endLba) };
}

/** 0, −1, +1, −2, +2 … */
function* shiftOrder(limit: number): Generator<number> {
  yield 0;
  for (let c = 1; c <= limit; c++) {
    yield -c;
    yield c;
  }
}

function runHooks(hooks: readonly ChecksumHook[], info: RipTrackInfo, values: Uint32Array, from: number, count: number): Array<{ name: string } & ChecksumResult> {
  const running = hooks.map((h) => ({ name: h.name, sum: h.start(info) }));
  const chunk = SAMPLES_PER_SECTOR * 256;
  for (let i = 0; i < count; i += chunk) {
    const pcm = pcmBytes(values, from + i, Math.min(count - i, chunk));
    for (const r of running) r.sum.update(pcm);
  }
  return running.map((r) => ({ name: r.name, ...r.sum.finish() }));
}

/** `count` samples from `from` as 16-bit little-endian stereo bytes; samples outside the span are zero. */
export function pcmBytes(values: Uint32Array, from: number, count: number): Uint8Array {
  const out = new Uint32Array(count);
  const lo = Math.max(0, from);
  const hi = Math.min(values.length, from + count);
  if (hi > lo) out.set(values.subarray(lo, hi), lo - from);
  const bytes = new Uint8Array(out.buffer);
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < bytes.length; i += 4) {
      const a = bytes[i]!;
      const b = bytes[i + 1]!;
      bytes[i] = bytes[i + 3]!;
      bytes[i + 1] = bytes[i + 2]!;
      bytes[i + 2] = b;
      bytes[i + 3] = a;
    }
  }
  return bytes;
}

const REASONS: Partial<Record<number, DoubtReason>> = {
  [SampleState.UNPROVEN]: 'unproven',
  [SampleState.UNREADABLE]: 'unreadable',
  [SampleState.ZERO_FILLED]: 'zero-filled',
  [SampleState.C2]: 'c2',
  [SampleState.UNALIGNED]: 'unaligned',
};

/** Runs of doubtful samples in the output window, relative to its first sample. */
function doubtfulRanges(state: Uint8Array, from: number, count: number): DoubtfulRange[] {
  const out: DoubtfulRange[] = [];
  for (let i = 0; i < count; i++) {
    const s = from + i >= 0 && from + i < state.length ? state[from + i]! : SampleState.ZERO_FILLED;
    const reason = s === SampleState.PROVEN || s === SampleState.SINGLE ? undefined : REASONS[s];
    if (reason === undefined) continue;
    const last = out[out.length - 1];
    if (last && last.end === i && last.reason === reason) last.end = i + 1;
    else out.push({ start: i, end: i + 1, reason });
  }
  return out;
}

function trackStats(values: Uint32Array, from: number, count: number): { peak: number; silent: boolean } {
  let peak = 0;
  let silent = true;
  for (let i = 0; i < count; i++) {
    const v = values[from + i] ?? 0;
    if (v === 0) continue;
    silent = false;
    const l = Math.abs((v << 16) >> 16);
    const r = Math.abs(v >> 16);
    if (l > peak) peak = l;
    if (r > peak) peak = r;
  }
  return { peak, silent };
}

function describeTrack(
  info: RipTrackInfo,
  o: {
    doubtful: DoubtfulRange[];
    aligned: boolean;
    results: Array<{ name: string } & ChecksumResult>;
    span: SpanResult;
    stats: { peak: number; silent: boolean };
    shift: number | undefined;
    mode: RipMode;
  },
): TrackRipResult {
  const mismatch = o.results.some((r) => r.matched === false);
  const accurate = o.results.some((r) => r.matched === true) && !mismatch;
  const proven = o.mode !== 'burst' && o.doubtful.length === 0;
  const secure = proven && o.aligned && !mismatch;
  const onlyEdges = o.mode !== 'burst' && o.aligned && o.doubtful.length > 0 && o.doubtful.every((d) => d.reason === 'zero-filled');
  let status: TrackStatus;
  if (mismatch) status = 'mismatch';
  else if (secure) status = 'secure';
  else if (accurate) status = 'accurate';
  else if (onlyEdges) status = 'secure-except-edges';
  else if (o.doubtful.length > 0) status = 'suspicious';
  else status = 'unverified';
  return {
    info,
    status,
    secure,
    accurate,
    doubtful: o.doubtful,
    rereadSectors: o.span.rereadSectors,
    rereadCommands: o.span.rereadCommands,
    mismatchedSectors: o.span.mismatchedSectors.size,
    c2Sectors: o.span.c2Sectors.size,
    peak: o.stats.peak,
    checksums: o.results,
    alignmentShift: o.shift,
    silent: o.stats.silent,
  };
}

function failedTrack(info: RipTrackInfo): TrackRipResult {
  return {
    info,
    status: 'suspicious',
    secure: false,
    accurate: false,
    doubtful: [{ start: 0, end: info.sampleCount, reason: 'unreadable' }],
    rereadSectors: 0,
    rereadCommands: 0,
    mismatchedSectors: 0,
    c2Sectors: 0,
    peak: 0,
    checksums: [],
    silent: true,
  };
}

function checkInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`Expected "${name}" to be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
