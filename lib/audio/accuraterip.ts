/**
 * AccurateRip: track CRCs v1 and v2 (MMC-FACTS §4.1), the frame-450 CRC used to detect offsets,
 * disc ids and the database path (§4.2), parsing of the `dBAR-…bin` response files users download,
 * matching a rip against a response, and read-offset search (try offsets until a track's CRC
 * matches, as whipper's `offset find` does, pre-filtered with the frame-450 CRC).
 *
 * PCM is 16-bit stereo little-endian; one stereo sample is the 32-bit little-endian word
 * L | R << 16. With N samples in a track and multiplier m = i + 1 for sample i:
 * v1 = Σ low32(w·m), v2 = Σ (low32(w·m) + high32(w·m)), both mod 2³², over the samples with
 * from ≤ m ≤ to, where from = 2940 (5 × 588) on the disc's first audio track, else 1, and
 * to = N − 2940 on the last audio track, else N.
 */

import { FormatError } from '../errors.js';

/** Stereo samples per CD sector. */
export const SAMPLES_PER_SECTOR = 588;
/** Samples AccurateRip leaves out at the start of the first and the end of the last track. */
export const ACCURATERIP_SKIP_SAMPLES = 5 * SAMPLES_PER_SECTOR;
/** Sector of a track whose CRC the database keeps for offset detection. */
export const FRAME450_SECTOR = 450;
/** Largest offset whose effect stays inside the skipped samples: ±(5 × 588 − 1). */
export const ACCURATERIP_MAX_OFFSET = ACCURATERIP_SKIP_SAMPLES - 1;

const TWO32 = 4294967296;

/** Where a track lies on the disc, for the CRC window. */
export interface AccurateRipTrackPosition {
  /** First audio track of the disc. */
  isFirstTrack: boolean;
  /** Last audio track of the disc. */
  isLastTrack: boolean;
}

/** A track's AccurateRip CRCs. */
export interface AccurateRipCrcs {
  v1: number;
  v2: number;
  /** v1-style CRC of sector 450 of the track (multipliers 1…588); undefined for shorter tracks. */
  frame450: number | undefined;
}

/** high32(w · m) for w < 2³², m < 2⁴⁴ without losing bits in doubles. */
function productHigh(w: number, m: number): number {
  const a = (w >>> 16) * m;
  const b = (w & 0xffff) * m;
  return Math.floor(a / 65536) + Math.floor(((a % 65536) * 65536 + b) / TWO32);
}

/**
 * Streaming AccurateRip CRCs of one track. Feed its PCM in order, in chunks of any size (the rip
 * engine feeds 2352-byte sectors); `samples` is the track's length in stereo samples, needed up
 * front because the last track's window ends 2940 samples before its end.
 */
export class AccurateRipAccumulator {
  readonly samples: number;
  private readonly from: number;
  private readonly to: number;
  private v1 = 0;
  private high = 0;
  private f450 = 0;
  private index = 0;
  private readonly partial = new Uint8Array(4);
  private partialBytes = 0;

  constructor(samples: number, position: AccurateRipTrackPosition) {
    if (!Number.isSafeInteger(samples) || samples < 0 || samples >= 2 ** 40) throw new RangeError(`Expected a sample count, got ${samples}`);
    this.samples = samples;
    this.from = position.isFirstTrack ? ACCURATERIP_SKIP_SAMPLES : 1;
    this.to = position.isLastTrack ? samples - ACCURATERIP_SKIP_SAMPLES : samples;
  }

  /** Feeds the next PCM bytes. RangeError when more than `samples` samples arrive. */
  update(pcm: Uint8Array): void {
    let i = 0;
    const n = pcm.length;
    if (this.partialBytes > 0) {
      while (this.partialBytes < 4 && i < n) this.partial[this.partialBytes++] = pcm[i++]!;
      if (this.partialBytes < 4) return;
      this.partialBytes = 0;
      const p = this.partial;
      this.add((p[0]! | (p[1]! << 8) | (p[2]! << 16) | (p[3]! << 24)) >>> 0);
    }
    const whole = i + ((n - i) & ~3);
    if (this.index + (whole - i) / 4 > this.samples) throw new RangeError(`More than the ${this.samples} samples announced for the track`);
    for (; i < whole; i += 4) this.add((pcm[i]! | (pcm[i + 1]! << 8) | (pcm[i + 2]! << 16) | (pcm[i + 3]! << 24)) >>> 0);
    while (i < n) this.partial[this.partialBytes++] = pcm[i++]!;
  }

  private add(w: number): void {
    const m = ++this.index;
    if (m > this.samples) throw new RangeError(`More than the ${this.samples} samples announced for the track`);
    if (m >= this.from && m <= this.to && w !== 0) {
      this.v1 = (this.v1 + Math.imul(w, m)) >>> 0;
      this.high = (this.high + productHigh(w, m)) % TWO32;
    }
    const inFrame = m - FRAME450_SECTOR * SAMPLES_PER_SECTOR;
    if (inFrame >= 1 && inFrame <= SAMPLES_PER_SECTOR) this.f450 = (this.f450 + Math.imul(w, inFrame)) >>> 0;
  }

  /** Samples fed so far. */
  get samplesFed(): number {
    return this.index;
  }

  /** The CRCs. RangeError unless exactly `samples` samples were fed. */
  digest(): AccurateRipCrcs {
    if (this.index !== this.samples || this.partialBytes !== 0) {
      throw new RangeError(`The track has ${this.samples} samples; ${this.index}${this.partialBytes ? ` and ${this.partialBytes} bytes` : ''} were fed`);
    }
    return {
      v1: this.v1,
      v2: (this.v1 + this.high) % TWO32,
      frame450: this.samples >= (FRAME450_SECTOR + 1) * SAMPLES_PER_SECTOR ? this.f450 : undefined,
    };
  }
}

/** AccurateRip CRCs of a whole track held in memory (its length must be a whole number of samples). */
export function accurateRipCrcs(pcm: Uint8Array, position: AccurateRipTrackPosition): AccurateRipCrcs {
  if (pcm.length % 4 !== 0) throw new RangeError(`PCM of ${pcm.length} bytes is not a whole number of stereo samples`);
  const accumulator = new AccurateRipAccumulator(pcm.length / 4, position);
  accumulator.update(pcm);
  return accumulator.digest();
}

// ---------------------------------------------------------------------------------------------
// Disc ids and database path

/** The three ids that name a disc in the AccurateRip database, and its audio track count. */
export interface AccurateRipDiscIds {
  audioTracks: number;
  id1: number;
  id2: number;
  /** The FreeDB/CDDB id (over all tracks, data tracks included). */
  cddb: number;
}

function hex8(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/** `013-001af2de-0105994e-ad0be00d`. */
export function formatAccurateRipId(ids: AccurateRipDiscIds): string {
  return `${String(ids.audioTracks).padStart(3, '0')}-${hex8(ids.id1)}-${hex8(ids.id2)}-${hex8(ids.cddb)}`;
}

/** The response file's name: `dBAR-013-001af2de-0105994e-ad0be00d.bin`. */
export function accurateRipFileName(ids: AccurateRipDiscIds): string {
  return `dBAR-${formatAccurateRipId(ids)}.bin`;
}

/** Path under the database root: `e/d/2/dBAR-…bin` (the last three hex digits of id1, last first). */
export function accurateRipPath(ids: AccurateRipDiscIds): string {
  const id1 = hex8(ids.id1);
  return `${id1[7]}/${id1[6]}/${id1[5]}/${accurateRipFileName(ids)}`;
}

/** Where users download the response file (the program itself never connects anywhere). */
export function accurateRipUrl(ids: AccurateRipDiscIds): string {
  return `http://www.accuraterip.com/accuraterip/${accurateRipPath(ids)}`;
}

/** The ids a response file's name carries (`dBAR-013-…-….bin`, any directory), or undefined. */
export function parseAccurateRipFileName(name: string): AccurateRipDiscIds | undefined {
  const match = /(?:^|[/\\])dBAR-(\d{3})-([0-9a-f]{8})-([0-9a-f]{8})-([0-9a-f]{8})\.bin$/iu.exec(name);
  if (!match) return undefined;
  return { audioTracks: Number(match[1]), id1: parseInt(match[2]!, 16), id2: parseInt(match[3]!, 16), cddb: parseInt(match[4]!, 16) };
}

// ---------------------------------------------------------------------------------------------
// Response files

/** One track entry of a response chunk. */
export interface AccurateRipResponseTrack {
  /** How many submissions agree (0-255). */
  confidence: number;
  /** The track CRC: v1 or v2, the file does not say which. */
  crc: number;
  /** The track's frame-450 CRC (0 when the database has none). */
  frame450: number;
}

/** One chunk of a response: one pressing (or offset family) of the disc. */
export interface AccurateRipResponseChunk extends AccurateRipDiscIds {
  tracks: AccurateRipResponseTrack[];
}

const CHUNK_HEADER = 13;
const TRACK_ENTRY = 9;

/**
 * Parses a `dBAR-…bin` response: one or more chunks, each a 13-byte header (track count, id1,
 * id2, CDDB id; little-endian) and 9 bytes per track (confidence, CRC, frame-450 CRC). FormatError
 * for an empty or truncated file, a zero track count, a chunk whose header differs from the
 * first's, or (with `expected`) a header that is not the disc's.
 */
export function parseAccurateRipResponse(bytes: Uint8Array, options: { expected?: AccurateRipDiscIds; file?: string } = {}): AccurateRipResponseChunk[] {
  const fail = (message: string): never => {
    throw new FormatError(`AccurateRip response: ${message}`, options.file === undefined ? {} : { file: options.file });
  };
  if (bytes.length === 0) fail('the file is empty');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: AccurateRipResponseChunk[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + CHUNK_HEADER > bytes.length) fail(`truncated chunk header at byte ${offset}`);
    const header: AccurateRipDiscIds = {
      audioTracks: bytes[offset]!,
      id1: view.getUint32(offset + 1, true),
      id2: view.getUint32(offset + 5, true),
      cddb: view.getUint32(offset + 9, true),
    };
    if (header.audioTracks === 0) fail(`chunk at byte ${offset} lists no tracks`);
    const expected = options.expected ?? chunks[0];
    if (expected && !sameIds(header, expected)) {
      fail(`unexpected header ${formatAccurateRipId(header)} at byte ${offset} (expected ${formatAccurateRipId(expected)})`);
    }
    const end = offset + CHUNK_HEADER + header.audioTracks * TRACK_ENTRY;
    if (end > bytes.length) fail(`truncated: the chunk at byte ${offset} needs ${end - offset} bytes, ${bytes.length - offset} remain`);
    const tracks: AccurateRipResponseTrack[] = [];
    for (let p = offset + CHUNK_HEADER; p < end; p += TRACK_ENTRY) {
      tracks.push({ confidence: bytes[p]!, crc: view.getUint32(p + 1, true), frame450: view.getUint32(p + 5, true) });
    }
    chunks.push({ ...header, tracks });
    offset = end;
  }
  return chunks;
}

function sameIds(a: AccurateRipDiscIds, b: AccurateRipDiscIds): boolean {
  return a.audioTracks === b.audioTracks && a.id1 >>> 0 === b.id1 >>> 0 && a.id2 >>> 0 === b.id2 >>> 0 && a.cddb >>> 0 === b.cddb >>> 0;
}

/** A database entry for one track, with the chunk it came from. */
export interface AccurateRipEntry extends AccurateRipResponseTrack {
  /** 1-based index of the chunk in the response. */
  pressing: number;
}

/** The non-zero-confidence entries of audio track `track` (1-based) across all chunks. */
export function accurateRipEntries(response: readonly AccurateRipResponseChunk[], track: number): AccurateRipEntry[] {
  const entries: AccurateRipEntry[] = [];
  response.forEach((chunk, i) => {
    const entry = chunk.tracks[track - 1];
    if (entry && entry.confidence > 0) entries.push({ ...entry, pressing: i + 1 });
  });
  return entries;
}

/** How one ripped track compares with the database. */
export interface AccurateRipTrackMatch {
  /** Audio track index, 1-based. */
  track: number;
  /** Which of the rip's CRCs the database holds; v2 is preferred when both do. */
  matched: 'v2' | 'v1' | 'none';
  /** Submissions that agree with the rip (summed over chunks holding the matched CRC). */
  confidence: number;
  /** Chunk of the first match, 1-based. */
  pressing: number | undefined;
  /** Submissions for this track in the whole response. */
  totalConfidence: number;
  /** Highest confidence of any entry for this track. */
  maxConfidence: number;
}

/**
 * Matches a rip's per-track CRCs (in audio track order) against a response. FormatError when the
 * response is for a disc with another number of audio tracks.
 */
export function matchAccurateRip(response: readonly AccurateRipResponseChunk[], crcs: readonly Pick<AccurateRipCrcs, 'v1' | 'v2'>[]): AccurateRipTrackMatch[] {
  const first = response[0];
  if (first && first.audioTracks !== crcs.length) {
    throw new FormatError(`the AccurateRip response is for a disc with ${first.audioTracks} audio tracks; the rip has ${crcs.length}`);
  }
  return crcs.map((crc, i) => {
    const entries = accurateRipEntries(response, i + 1);
    const total = entries.reduce((sum, e) => sum + e.confidence, 0);
    const max = entries.reduce((m, e) => Math.max(m, e.confidence), 0);
    for (const [version, value] of [['v2', crc.v2], ['v1', crc.v1]] as const) {
      const hits = entries.filter((e) => e.crc === value >>> 0);
      if (hits.length > 0) {
        return { track: i + 1, matched: version, confidence: hits.reduce((s, e) => s + e.confidence, 0), pressing: hits[0]!.pressing, totalConfidence: total, maxConfidence: max };
      }
    }
    return { track: i + 1, matched: 'none' as const, confidence: 0, pressing: undefined, totalConfidence: total, maxConfidence: max };
  });
}

// ---------------------------------------------------------------------------------------------
// Offset search

/**
 * PCM of a track as the drive delivers it, uncorrected: `count` stereo samples starting `first`
 * samples from the track's start as the TOC gives it (`first` may be negative or run past the
 * track's end, into its neighbours). Returns count × 4 little-endian bytes; positions the drive
 * cannot deliver (before the disc, in the lead-out) as zeros.
 */
export type TrackPcmReader = (first: number, count: number) => Uint8Array | Promise<Uint8Array>;

/** An offset at which the track matches the database. */
export interface OffsetMatch {
  /**
   * The read offset in AccurateRip's (EAC's) sign convention: sample `i` of the track is at
   * position `i + offset` of what the drive delivers.
   */
  offset: number;
  matched: 'v1' | 'v2';
  confidence: number;
  pressing: number;
  crc: number;
}

/** Options of {@link findTrackOffsets}. */
export interface OffsetSearchOptions {
  /** Offsets from −maxOffset to +maxOffset are tried (default ±2939, the range AccurateRip's window allows). */
  maxOffset?: number;
}

/**
 * Finds the read offsets at which a track's AccurateRip CRC matches an entry of the response.
 * Candidates come from the frame-450 CRC (588 multiplications per offset); for tracks shorter
 * than 451 sectors, or entries without a frame-450 CRC, from a sweep of the v1 CRC over all
 * offsets (linear time, by updating the sum from one offset to the next). Every candidate is
 * confirmed with the full v1 and v2 CRCs. Reads the track once (with `maxOffset` samples either
 * side). Results are ordered by offset.
 */
export async function findTrackOffsets(
  read: TrackPcmReader,
  track: { samples: number } & AccurateRipTrackPosition,
  entries: readonly AccurateRipEntry[],
  options: OffsetSearchOptions = {},
): Promise<OffsetMatch[]> {
  const maxOffset = options.maxOffset ?? ACCURATERIP_MAX_OFFSET;
  if (!Number.isSafeInteger(maxOffset) || maxOffset < 0 || maxOffset > 10 * SAMPLES_PER_SECTOR * 75) throw new RangeError(`Expected maxOffset from 0 to 44100, got ${maxOffset}`);
  const n = track.samples;
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`Expected a positive sample count, got ${n}`);
  const useful = entries.filter((e) => e.confidence > 0);
  if (useful.length === 0) return [];
  const bytes = await read(-maxOffset, n + 2 * maxOffset);
  if (!(bytes instanceof Uint8Array) || bytes.length !== (n + 2 * maxOffset) * 4) {
    throw new RangeError(`The reader returned ${bytes?.length} bytes, expected ${(n + 2 * maxOffset) * 4}`);
  }
  const words = toWords(bytes);
  const at = (offset: number, i: number): number => words[maxOffset + offset + i]!; // sample i at offset

  const candidates = new Set<number>();
  const frame450Start = FRAME450_SECTOR * SAMPLES_PER_SECTOR;
  const with450 = n >= (FRAME450_SECTOR + 1) * SAMPLES_PER_SECTOR ? new Set(useful.filter((e) => e.frame450 !== 0).map((e) => e.frame450)) : new Set<number>();
  if (with450.size > 0) {
    for (let o = -maxOffset; o <= maxOffset; o++) {
      let crc = 0;
      for (let j = 0; j < SAMPLES_PER_SECTOR; j++) crc = (crc + Math.imul(at(o, frame450Start + j), j + 1)) >>> 0;
      if (with450.has(crc)) candidates.add(o);
    }
  }
  // Entries the frame-450 test cannot reach: sweep v1 over every offset.
  const sweep = useful.filter((e) => !with450.has(e.frame450) || e.frame450 === 0);
  if (sweep.length > 0) {
    const targets = new Set(sweep.map((e) => e.crc));
    for (const o of sweepV1(words, maxOffset, n, track, targets)) candidates.add(o);
  }

  const matches: OffsetMatch[] = [];
  for (const o of [...candidates].sort((a, b) => a - b)) {
    const crcs = windowCrcs(words, maxOffset + o, n, track);
    for (const [version, value] of [['v2', crcs.v2], ['v1', crcs.v1]] as const) {
      const hit = useful.find((e) => e.crc === value);
      if (hit) {
        matches.push({ offset: o, matched: version, confidence: hit.confidence, pressing: hit.pressing, crc: value });
        break;
      }
    }
  }
  return matches;
}

function toWords(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(bytes.length / 4);
  for (let i = 0, p = 0; i < words.length; i++, p += 4) words[i] = (bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24)) >>> 0;
  return words;
}

/** v1 and v2 of the N samples starting at `base` in `words`. */
function windowCrcs(words: Uint32Array, base: number, n: number, position: AccurateRipTrackPosition): { v1: number; v2: number } {
  const from = position.isFirstTrack ? ACCURATERIP_SKIP_SAMPLES : 1;
  const to = position.isLastTrack ? n - ACCURATERIP_SKIP_SAMPLES : n;
  let v1 = 0;
  let high = 0;
  for (let m = Math.max(1, from); m <= to; m++) {
    const w = words[base + m - 1]!;
    if (w === 0) continue;
    v1 = (v1 + Math.imul(w, m)) >>> 0;
    high = (high + productHigh(w, m)) % TWO32;
  }
  return { v1, v2: (v1 + high) % TWO32 };
}

/**
 * Offsets o in [−maxOffset, maxOffset] whose v1 is in `targets`. With S(o) = Σ_{m=from..to}
 * s[m−1+o]·m and T(o) = Σ s[m−1+o]: S(o+1) = S(o) − T(o) + to·s[to+o] … computed mod 2³².
 */
function sweepV1(words: Uint32Array, maxOffset: number, n: number, position: AccurateRipTrackPosition, targets: Set<number>): number[] {
  const from = position.isFirstTrack ? ACCURATERIP_SKIP_SAMPLES : 1;
  const to = position.isLastTrack ? n - ACCURATERIP_SKIP_SAMPLES : n;
  if (to < from) return targets.has(0) ? rangeArray(-maxOffset, maxOffset) : [];
  const word = (o: number, m: number): number => words[maxOffset + o + m - 1]!;
  let s = 0;
  let t = 0;
  const o0 = -maxOffset;
  for (let m = from; m <= to; m++) {
    const w = word(o0, m);
    s = (s + Math.imul(w, m)) >>> 0;
    t = (t + w) >>> 0;
  }
  const found: number[] = [];
  for (let o = o0; ; o++) {
    if (targets.has(s)) found.push(o);
    if (o === maxOffset) break;
    // Shift the window one sample later: every multiplier drops by one, the first sample leaves, a new one enters at `to`.
    const leaving = word(o, from);
    const entering = word(o + 1, to);
    s = (s - t + leaving - Math.imul(leaving, from) + Math.imul(entering, to)) >>> 0;
    t = (t - leaving + entering) >>> 0;
  }
  return found;
}

function rangeArray(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
