/**
 * Conversion between cdrdao TOC files and CDRWIN cue sheets (what cdrdao's toc2cue and cue2toc do).
 *
 * A cue sheet places INDEX points in files and lets each track run to the next track's first index
 * (or to the end of the file); a TOC lists each track's data statements with lengths and marks the
 * pre-gap end with START. The conversion maps:
 *
 * | TOC                                          | cue sheet                                  |
 * |----------------------------------------------|--------------------------------------------|
 * | PREGAP, or SILENCE/ZERO before the file data  | PREGAP                                     |
 * | START inside file data                       | INDEX 00 at the track's data, INDEX 01     |
 * | INDEX increments                             | INDEX 02, 03, …                            |
 * | SILENCE/ZERO after the file data (END)       | POSTGAP                                    |
 * | FILE "x.wav" / "x.mp3"                        | FILE "x.wav" WAVE / "x.mp3" MP3            |
 * | FILE "raw" (big-endian samples, cdrdao(1))   | FILE "raw" MOTOROLA                        |
 * | FILE "raw" SWAP, DATAFILE in an audio track  | FILE "raw" BINARY (little-endian)          |
 * | DATAFILE "x" #offset in a data track          | FILE "x" BINARY, offset / sector size      |
 * | COPY, PRE_EMPHASIS, FOUR_CHANNEL_AUDIO        | FLAGS DCP, PRE, 4CH                        |
 * | MODE1, MODE1_RAW                              | MODE1/2048, MODE1/2352                     |
 * | MODE2, MODE2_FORM_MIX / MODE2_RAW             | MODE2/2336 / MODE2/2352 (CDI/… on CD_I)    |
 * | CD_TEXT language 0 TITLE/PERFORMER/SONGWRITER | TITLE/PERFORMER/SONGWRITER                 |
 *
 * What one side cannot express is an UnsupportedError naming the track (and TOC line): MODE0,
 * MODE2_FORM1/FORM2 and sub-channel modes, CDG, several sessions, FIFO, silence between file data,
 * a file that is not continued where the previous track ended, positions that are not whole frames.
 * Dropped without error, because they do not change the disc's sectors: REM lines, CDTEXTFILE,
 * SCMS, CD-Text items other than TITLE/PERFORMER/SONGWRITER and empty CD-Text strings (whipper
 * drops these too), CD-Text languages other than the first block.
 *
 * Differences from whipper's toc→cue (checked against its test pairs): whipper adds `REM DISCID`
 * (the CDDB id) and `REM COMMENT "whipper …"`; this module computes no disc ids and adds no comment.
 * The track/index/ISRC/FLAGS/CATALOG/CD-Text lines agree byte for byte.
 */

import { UnsupportedError } from '../errors.js';
import { walkCdrdaoTrack } from './cdrdao-toc-layout.js';
import {
  CDRDAO_BLOCK_SIZE,
  cdrdaoBlockSize,
  type CdrdaoAudioFile,
  type CdrdaoCdTextBlock,
  type CdrdaoDataFile,
  type CdrdaoCdTextItem,
  type CdrdaoLanguageMapping,
  type CdrdaoSource,
  type CdrdaoToc,
  type CdrdaoTocType,
  type CdrdaoTrack,
  type CdrdaoTrackMode,
  type CdrdaoTrackStatement,
} from './cdrdao-toc-model.js';
import {
  CUE_SECTOR_SIZE,
  noCueFlags,
  type CueFile,
  type CueFileType,
  type CueIndex,
  type CueSheet,
  type CueTrack,
  type CueTrackMode,
} from './cue-sheet.js';

const CD_TEXT_FIELDS = ['TITLE', 'PERFORMER', 'SONGWRITER'] as const;
type CdTextField = (typeof CD_TEXT_FIELDS)[number];
const FIELD_KEYS: Readonly<Record<CdTextField, 'title' | 'performer' | 'songwriter'>> = {
  TITLE: 'title',
  PERFORMER: 'performer',
  SONGWRITER: 'songwriter',
};

// ---------------------------------------------------------------------------------------------
// TOC → cue sheet

/** The CD-TEXT block of language 0, or the lowest-numbered one. */
function firstBlock(blocks: readonly CdrdaoCdTextBlock[] | undefined, language?: number): CdrdaoCdTextBlock | undefined {
  if (blocks === undefined || blocks.length === 0) return undefined;
  if (language !== undefined) return blocks.find((block) => block.language === language);
  return [...blocks].sort((a, b) => a.language - b.language)[0];
}

/** Non-empty string value of a CD-TEXT item. */
function cdTextString(block: CdrdaoCdTextBlock | undefined, name: CdTextField): string | undefined {
  const item = block?.items.find((candidate) => candidate.name === name);
  return typeof item?.value === 'string' && item.value !== '' ? item.value : undefined;
}

function cueModeOf(track: CdrdaoTrack, tocType: CdrdaoTocType, fail: (message: string) => never): CueTrackMode {
  if (track.subChannelMode !== undefined) fail(`sub-channel mode ${track.subChannelMode} has no cue sheet equivalent`);
  const cdi = tocType === 'CD_I';
  switch (track.mode) {
    case 'AUDIO':
      return 'AUDIO';
    case 'MODE1':
      return 'MODE1/2048';
    case 'MODE1_RAW':
      return 'MODE1/2352';
    case 'MODE2':
    case 'MODE2_FORM_MIX':
      return cdi ? 'CDI/2336' : 'MODE2/2336';
    case 'MODE2_RAW':
      return cdi ? 'CDI/2352' : 'MODE2/2352';
    case 'MODE2_FORM1':
    case 'MODE2_FORM2':
      return fail(`${track.mode} (${cdrdaoBlockSize(track.mode)}-byte sectors) has no cue sheet track mode`);
  }
}

/** Extensions of compressed or container audio that cue sheets write as WAVE (EAC, whipper). */
const WAVE_EXTENSIONS = ['.wav', '.wave', '.flac', '.ogg', '.oga', '.opus', '.ape', '.wv', '.m4a', '.tta'];

function cueFileTypeOf(source: CdrdaoSource, track: CdrdaoTrack): CueFileType {
  if (track.mode !== 'AUDIO' || source.kind === 'data-file') return 'BINARY';
  if (source.kind === 'audio-file') {
    const name = source.name.toLowerCase();
    if (name.endsWith('.mp3')) return 'MP3';
    if (name.endsWith('.aif') || name.endsWith('.aiff')) return 'AIFF';
    if (WAVE_EXTENSIONS.some((extension) => name.endsWith(extension))) return 'WAVE';
    return source.swap ? 'BINARY' : 'MOTOROLA';
  }
  return 'BINARY';
}

/** A whole number of frames, or a failure naming what was not. */
function wholeFrames(frames: number, what: string, fail: (message: string) => never): number {
  if (!Number.isInteger(frames)) fail(`${what} is not a whole number of frames`);
  return frames;
}

/**
 * Where a file statement's data starts in its file, in bytes: `#offset` plus the start position
 * (cdrdao audio positions count 2352-byte frames or 4-byte samples).
 */
function fileStartBytes(source: CdrdaoAudioFile | CdrdaoDataFile): number {
  let bytes = source.byteOffset ?? 0;
  if (source.kind === 'audio-file') {
    const start = source.start;
    bytes += start.unit === 'frames' ? start.value * CDRDAO_BLOCK_SIZE.AUDIO : start.unit === 'samples' ? start.value * 4 : start.value;
  }
  return bytes;
}

/**
 * State carried from track to track: the cue FILE being filled and where its data has got to, in
 * frames (what the cue sheet says) and bytes (what the TOC says; tracks of different sector sizes
 * may share a file).
 */
interface OpenCueFile {
  index: number;
  name: string;
  type: CueFileType;
  /** undefined after data that runs to the end of the file. */
  position: { frames: number; bytes: number } | undefined;
}

/** A file statement's share of a cue FILE. */
interface Stretch {
  fileIndex: number;
  /** Cue position (frames into the file) of the statement's first frame. */
  fileStart: number;
  /** Frames from the track's first frame; undefined after a file read to its end. */
  trackStart: number | undefined;
  /** undefined when the statement reads its file to the end. */
  frames: number | undefined;
}

/**
 * Converts a cdrdao TOC into a cue sheet (toc2cue). Throws UnsupportedError for what a cue sheet
 * cannot express (see the module comment).
 */
export function cdrdaoTocToCue(toc: CdrdaoToc): CueSheet {
  const prefix = toc.fileName === undefined ? '' : `${toc.fileName}: `;
  const discBlock = firstBlock(toc.cdText?.blocks);
  const sheet: CueSheet = { rems: [], cdText: [], files: [], tracks: [] };
  if (toc.catalog !== undefined) sheet.catalog = toc.catalog;
  for (const name of CD_TEXT_FIELDS) {
    const value = cdTextString(discBlock, name);
    if (value !== undefined) sheet[FIELD_KEYS[name]] = value;
  }

  let open: OpenCueFile | undefined;
  const firstNumber = toc.firstTrackNumber ?? 1;
  toc.tracks.forEach((track, i) => {
    const number = firstNumber + i;
    function fail(message: string, line = track.line): never {
      throw new UnsupportedError(`${prefix}track ${number}${line === undefined ? '' : ` (line ${line})`}: ${message}`);
    }
    const mode = cueModeOf(track, toc.tocType, fail);
    const walk = walkCdrdaoTrack(track);
    const sources = walk.sources;
    const isFile = (k: number): boolean => {
      const kind = sources[k]?.source.kind;
      return kind === 'audio-file' || kind === 'data-file';
    };
    const firstFile = sources.findIndex((_, k) => isFile(k));
    if (firstFile < 0) fail('no data from a file; a cue sheet track needs one');
    let lastFile = firstFile;
    for (let k = firstFile; k < sources.length; k++) if (isFile(k)) lastFile = k;
    for (let k = 0; k < sources.length; k++) {
      const placed = sources[k];
      if (placed === undefined) continue;
      if (placed.source.kind === 'fifo') fail('FIFO has no cue sheet equivalent', placed.source.line);
      if (k > firstFile && k < lastFile && !isFile(k)) fail('silence between file data has no cue sheet equivalent', placed.source.line);
    }

    // Silence before the file data becomes PREGAP.
    let leadingFrames = walk.pregapStatementFrames;
    for (let k = 0; k < firstFile; k++) leadingFrames += sources[k]?.frames ?? 0;
    leadingFrames = wholeFrames(leadingFrames, 'the silence before the file data', fail);

    // Each file statement becomes a stretch of a cue FILE.
    const stretches: Stretch[] = [];
    for (let k = firstFile; k <= lastFile; k++) {
      const placed = sources[k];
      if (placed === undefined) continue;
      const source = placed.source;
      if (source.kind !== 'audio-file' && source.kind !== 'data-file') continue;
      const type = cueFileTypeOf(source, track);
      const startBytes = fileStartBytes(source);
      let current: OpenCueFile;
      if (open !== undefined && open.name === source.name && open.type === type && open.position?.bytes === startBytes) {
        current = open;
      } else if (startBytes === 0) {
        sheet.files.push({ name: source.name, type });
        current = { index: sheet.files.length - 1, name: source.name, type, position: { frames: 0, bytes: 0 } };
      } else {
        fail(`"${source.name}" is read from byte ${startBytes}; a cue sheet can only continue a file where the previous track ended or start a new one at byte 0`, source.line);
      }
      open = current;
      const fileStart = current.position?.frames ?? 0;
      const frames = placed.frames === undefined ? undefined : wholeFrames(placed.frames, `length of "${source.name}"`, (message) => fail(message, source.line));
      const frameBytes = source.kind === 'audio-file' ? CDRDAO_BLOCK_SIZE.AUDIO : cdrdaoBlockSize(track.mode, track.subChannelMode);
      stretches.push({ fileIndex: current.index, fileStart, trackStart: placed.startFrames, frames });
      current.position = frames === undefined ? undefined : { frames: fileStart + frames, bytes: startBytes + frames * frameBytes };
    }

    /** Cue position of `offset` frames after the start of stretch `from` (the data is contiguous). */
    const locateInStretches = (from: number, offset: number, what: string): { fileIndex: number; offsetFrames: number } => {
      let before = 0;
      for (let s = from; s < stretches.length; s++) {
        const stretch = stretches[s] as Stretch;
        const last = s === stretches.length - 1;
        if (stretch.frames === undefined && !last) fail(`${what} depends on the length of a file read to its end`);
        if (stretch.frames === undefined || offset - before < stretch.frames) {
          return { fileIndex: stretch.fileIndex, offsetFrames: stretch.fileStart + offset - before };
        }
        before += stretch.frames;
      }
      return fail(`${what} is not inside the track's file data`);
    };

    /** Cue position of a track position (frames from the track's first frame). */
    const locate = (position: number | undefined, what: string): { fileIndex: number; offsetFrames: number } => {
      const first = stretches[0];
      if (position === undefined || first?.trackStart === undefined) return fail(`${what} depends on the length of a file read to its end`);
      const whole = wholeFrames(position, what, fail);
      if (whole < first.trackStart) fail(`${what} is not inside the track's file data`);
      return locateInStretches(0, whole - first.trackStart, what);
    };

    const indexes: CueIndex[] = [];
    const first = stretches[0];
    if (first === undefined) return fail('no data from a file');
    const index1 = walk.index1Frames;
    const start = walk.start;
    if (index1 !== undefined && index1 < leadingFrames) fail('silence after INDEX 01 has no cue sheet equivalent');
    // INDEX 01 as (stretch, frames into it): a value-less START after a file read to its end has no
    // track position, only a place between statements.
    let anchor: { stretch: number; offset: number };
    if (index1 === undefined) {
      const stretch = (start?.sourcesBefore ?? 0) - firstFile;
      if (stretch < 0 || stretch >= stretches.length) fail('START is not at file data', start?.line);
      anchor = { stretch, offset: 0 };
    } else {
      anchor = { stretch: 0, offset: index1 - leadingFrames };
    }
    if (anchor.stretch > 0 || anchor.offset > 0) indexes.push({ number: 0, fileIndex: first.fileIndex, offsetFrames: first.fileStart });
    const index1Place =
      index1 === undefined ? locateInStretches(anchor.stretch, 0, 'START') : locate(index1, 'START');
    indexes.push({ number: 1, ...index1Place });
    track.indexes.forEach((offset, n) => {
      const what = `INDEX ${n + 2}`;
      const place = index1 === undefined ? locateInStretches(anchor.stretch, offset, what) : locate(index1 + offset, what);
      indexes.push({ number: n + 2, ...place });
    });

    // Silence after the file data becomes POSTGAP; END may only mark its start.
    let postgapFrames = 0;
    for (let k = lastFile + 1; k < sources.length; k++) postgapFrames += sources[k]?.frames ?? 0;
    postgapFrames = wholeFrames(postgapFrames, 'the silence after the file data', fail);
    const end = walk.end;
    if (end !== undefined) {
      const atPostgap = end.frames === undefined ? end.sourcesBefore === lastFile + 1 : end.frames === sources[lastFile + 1]?.startFrames;
      if (postgapFrames === 0 || !atPostgap) fail('END not at the start of trailing silence has no cue sheet equivalent', end.line);
    }

    const trackBlock = firstBlock(track.cdText, discBlock?.language) ?? firstBlock(track.cdText);
    const cueTrack: CueTrack = {
      number,
      session: 1,
      fileIndex: first.fileIndex,
      mode,
      flags: { ...noCueFlags(), dcp: track.copy, preEmphasis: track.preEmphasis, fourChannel: track.fourChannelAudio },
      cdText: [],
      pregapFrames: leadingFrames,
      postgapFrames,
      indexes,
      remsBefore: [],
      rems: [],
      remsAfter: [],
    };
    if (track.isrc !== undefined) cueTrack.isrc = track.isrc;
    for (const name of CD_TEXT_FIELDS) {
      const value = cdTextString(trackBlock, name);
      if (value !== undefined) cueTrack[FIELD_KEYS[name]] = value;
    }
    sheet.tracks.push(cueTrack);
  });
  return sheet;
}

// ---------------------------------------------------------------------------------------------
// cue sheet → TOC

const TOC_MODE: Readonly<Record<CueTrackMode, CdrdaoTrackMode | undefined>> = {
  AUDIO: 'AUDIO',
  CDG: undefined,
  'MODE1/2048': 'MODE1',
  'MODE1/2352': 'MODE1_RAW',
  'MODE2/2336': 'MODE2_FORM_MIX',
  'MODE2/2352': 'MODE2_RAW',
  'CDI/2336': 'MODE2_FORM_MIX',
  'CDI/2352': 'MODE2_RAW',
};

/** A stretch of one cue FILE that belongs to a track: [from, to) frames, `to` undefined = end of file. */
interface Segment {
  fileIndex: number;
  from: number;
  to: number | undefined;
}

/** The file stretches of track `t`: from its first index to the next track's first index. */
function segmentsOf(cue: CueSheet, t: number): Segment[] {
  const track = cue.tracks[t] as CueTrack;
  const first = track.indexes[0] as CueIndex;
  const nextFirst = cue.tracks[t + 1]?.indexes[0];
  const lastFile = nextFirst?.fileIndex ?? Math.max(...track.indexes.map((index) => index.fileIndex));
  const segments: Segment[] = [];
  for (let f = first.fileIndex; f <= lastFile; f++) {
    const from = f === first.fileIndex ? first.offsetFrames : 0;
    const to = nextFirst !== undefined && f === nextFirst.fileIndex ? nextFirst.offsetFrames : undefined;
    if (to !== undefined && to <= from) continue;
    segments.push({ fileIndex: f, from, to });
  }
  return segments;
}

/**
 * Converts a cue sheet into a cdrdao TOC (cue2toc). Throws UnsupportedError for what a TOC cannot
 * express (see the module comment).
 */
export function cueToCdrdaoToc(cue: CueSheet): CdrdaoToc {
  const prefix = cue.fileName === undefined ? '' : `${cue.fileName}: `;
  const modes = cue.tracks.map((track) => track.mode);
  const tocType: CdrdaoTocType = modes.some((mode) => mode.startsWith('CDI/'))
    ? 'CD_I'
    : modes.some((mode) => mode.startsWith('MODE2/'))
      ? 'CD_ROM_XA'
      : modes.some((mode) => mode !== 'AUDIO')
        ? 'CD_ROM'
        : 'CD_DA';
  const toc: CdrdaoToc = { tocType, tracks: [] };
  if (cue.catalog !== undefined) toc.catalog = cue.catalog;
  const firstNumber = cue.tracks[0]?.number ?? 1;
  if (firstNumber !== 1) toc.firstTrackNumber = firstNumber;

  const usedFields = CD_TEXT_FIELDS.filter(
    (name) => cue[FIELD_KEYS[name]] !== undefined || cue.tracks.some((track) => track[FIELD_KEYS[name]] !== undefined),
  );
  const block = (target: Pick<CueSheet, 'title' | 'performer' | 'songwriter'>): CdrdaoCdTextBlock => ({
    language: 0,
    items: usedFields.map((name): CdrdaoCdTextItem => ({ name, value: target[FIELD_KEYS[name]] ?? '' })),
  });
  if (usedFields.length > 0) {
    const languageMap: CdrdaoLanguageMapping[] = [{ language: 0, code: 'EN' }];
    toc.cdText = { languageMap, blocks: [block(cue)] };
  }

  /**
   * How far each FILE has been given out, in frames and bytes: tracks of different sector sizes
   * may share a file, so a byte offset is the sum of the sectors before it.
   */
  const filePositions = new Map<number, { frames: number; bytes: number }>();
  cue.tracks.forEach((track, t) => {
    function fail(message: string, line = track.line): never {
      throw new UnsupportedError(`${prefix}TRACK ${track.number}${line === undefined ? '' : ` (line ${line})`}: ${message}`);
    }
    if (track.session !== 1) fail('a cdrdao TOC file describes one session');
    const mode = TOC_MODE[track.mode];
    if (mode === undefined) return fail(`${track.mode} has no cdrdao track mode`);
    const sectorSize = CUE_SECTOR_SIZE[track.mode];
    const audio = mode === 'AUDIO';
    const index1 = track.indexes.find((index) => index.number === 1);
    if (index1 === undefined) return fail('no INDEX 01');
    const hasIndex0 = track.indexes[0]?.number === 0;

    const statements: CdrdaoTrackStatement[] = [];
    const tocTrack: CdrdaoTrack = {
      mode,
      copy: track.flags.dcp,
      preEmphasis: track.flags.preEmphasis,
      fourChannelAudio: track.flags.fourChannel,
      statements,
      indexes: [],
    };
    if (track.isrc !== undefined) tocTrack.isrc = track.isrc;
    if (usedFields.length > 0) tocTrack.cdText = [block(track)];

    /** Track position so far, undefined after a file read to its end. */
    let position: number | undefined = 0;
    const gap = (frames: number): void => {
      statements.push(audio ? { kind: 'silence', length: { unit: 'frames', value: frames } } : { kind: 'zero', length: { unit: 'frames', value: frames } });
      if (position !== undefined) position += frames;
    };
    const mark = (kind: 'start' | 'end'): void => {
      statements.push(position === undefined ? { kind } : { kind, frames: position });
    };
    const data = (segment: Segment): void => {
      const file = cue.files[segment.fileIndex] as CueFile;
      const length = segment.to === undefined ? undefined : { unit: 'frames' as const, value: segment.to - segment.from };
      const reached = filePositions.get(segment.fileIndex);
      const startBytes = reached === undefined ? segment.from * sectorSize : reached.bytes + (segment.from - reached.frames) * sectorSize;
      if (audio && file.type !== 'BINARY') {
        if (file.type === 'AIFF') fail('cdrdao reads no AIFF files', file.line);
        statements.push({ kind: 'audio-file', keyword: 'FILE', name: file.name, swap: false, start: { unit: 'frames', value: segment.from }, length });
      } else {
        if (!audio && file.type !== 'BINARY' && file.type !== 'MOTOROLA') fail(`a data track cannot be read from a ${file.type} file`, file.line);
        statements.push({ kind: 'data-file', name: file.name, byteOffset: startBytes === 0 ? undefined : startBytes, length });
      }
      if (segment.to === undefined) filePositions.delete(segment.fileIndex);
      else filePositions.set(segment.fileIndex, { frames: segment.to, bytes: startBytes + (segment.to - segment.from) * sectorSize });
      position = position === undefined || length === undefined ? undefined : position + length.value;
    };

    if (track.pregapFrames > 0) {
      if (hasIndex0) gap(track.pregapFrames);
      else {
        tocTrack.pregapFrames = track.pregapFrames;
        position = track.pregapFrames;
      }
    }
    for (const segment of segmentsOf(cue, t)) {
      const holdsIndex1 =
        hasIndex0 &&
        index1.fileIndex === segment.fileIndex &&
        index1.offsetFrames >= segment.from &&
        (segment.to === undefined || index1.offsetFrames < segment.to);
      if (!holdsIndex1) {
        data(segment);
      } else if (position !== undefined) {
        // START with its position after the data, as cdrdao read-toc writes it.
        const startFrames: number = position + index1.offsetFrames - segment.from;
        data(segment);
        statements.push({ kind: 'start', frames: startFrames });
      } else if (index1.offsetFrames === segment.from) {
        mark('start');
        data(segment);
      } else {
        // After a file read to its end only a value-less START can say where INDEX 01 is.
        data({ ...segment, to: index1.offsetFrames });
        mark('start');
        data({ ...segment, from: index1.offsetFrames });
      }
    }
    for (const index of track.indexes) {
      if (index.number < 2) continue;
      if (index.fileIndex !== index1.fileIndex) fail(`INDEX ${index.number} is in another file than INDEX 01`, index.line);
      tocTrack.indexes.push(index.offsetFrames - index1.offsetFrames);
    }
    if (track.postgapFrames > 0) {
      mark('end');
      gap(track.postgapFrames);
    }
    toc.tracks.push(tocTrack);
  });
  return toc;
}
