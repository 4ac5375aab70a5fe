/**
 * Which sectors a drive source covers by default, from the disc's layout: the TOC on CDs,
 * READ CAPACITY on DVD and BD (and whenever the TOC is refused).
 */

import type { Drive } from '../drive/drive.js';
import type { DiscToc, TocTrack } from '../drive/toc.js';
import { IllegalRequestError, MediumError, HardwareError, ScsiError, UnsupportedError } from '../errors.js';
import { buildRead10 } from '../scsi/read.js';
import { SenseKey } from '../scsi/sense.js';

/** CD profiles are 0008h–000Ah; 0010h and up are DVD, BD and HD DVD (MMC GET CONFIGURATION). */
const FIRST_NON_CD_PROFILE = 0x10;
/** A track whose mode differs from the previous one starts with a pregap of at least 2 s (150 sectors). */
const MODE_CHANGE_PREGAP = 150;
const ILLEGAL_MODE_FOR_TRACK_ASC = 0x64;

/** A range of sectors, [startLba, endLba). */
export interface LbaSpan {
  startLba: number;
  endLba: number;
}

/** What the source learnt about the medium when it was created. */
export interface DiscLayout {
  /** 'cd' from a TOC; 'block' from READ CAPACITY (DVD, BD, or a drive that refused the TOC). */
  medium: 'cd' | 'block';
  /** GET CONFIGURATION current profile, when the drive answered. */
  profile: number | undefined;
  toc: DiscToc | undefined;
  /** First LBA past the last readable sector. */
  endLba: number;
  /** Between sessions: from a session's lead-out to the next session's first track. */
  gaps: LbaSpan[];
}

/** How the default extent was chosen, for reports. */
export type ExtentSource = 'toc' | 'read-capacity' | 'options';

export interface DefaultExtent extends LbaSpan {
  source: Exclude<ExtentSource, 'options'>;
}

/**
 * Reads the layout: the current profile first (DVD and BD go straight to READ CAPACITY), then
 * the TOC, then READ CAPACITY when the TOC is refused.
 */
export async function readDiscLayout(drive: Drive): Promise<DiscLayout> {
  const profile = await drive.currentProfile().catch(ignoreIllegalRequest);
  if (profile === undefined || profile < FIRST_NON_CD_PROFILE) {
    const toc = await drive.toc().catch(ignoreIllegalRequest);
    if (toc !== undefined) return { medium: 'cd', profile, toc, endLba: toc.leadOutLba, gaps: sessionGaps(toc) };
  }
  const capacity = await drive.readCapacity();
  if (capacity.sectorCount === undefined) {
    throw new UnsupportedError(`${drive.path}: READ CAPACITY reports a medium too large for READ(10) (last LBA FFFFFFFFh)`);
  }
  return { medium: 'block', profile, toc: undefined, endLba: capacity.sectorCount, gaps: [] };
}

/**
 * The default extent of a source.
 *
 * 'data' on a CD: from the first data track's start to the end of the run of data tracks that
 * follows it in the same session — the session's lead-out, or an audio track. Only that session
 * is covered: later sessions are separated by an unreadable gap of 6900–11 400 sectors (MMC-FACTS
 * §3.4) that would show as bad sectors; read them with explicit firstLba/sectorCount. On a
 * CD-Extra this is the data session; on a Mixed Mode disc, the data track (see
 * trimDataBeforeAudio for its tail).
 *
 * 'raw' on a CD: the whole disc, audio included, from track 1 to the last lead-out; session gaps
 * inside fail as out of range (05/21/00) with failedLba at the gap.
 *
 * DVD/BD (or no TOC): [0, READ CAPACITY last LBA + 1).
 */
export function defaultExtent(layout: DiscLayout, mode: 'data' | 'raw', sourceName: string): DefaultExtent {
  const toc = layout.toc;
  if (layout.medium === 'block' || toc === undefined) return { startLba: 0, endLba: layout.endLba, source: 'read-capacity' };
  if (mode === 'raw') {
    const first = toc.tracks[0];
    return { startLba: first?.startLba ?? 0, endLba: toc.leadOutLba, source: 'toc' };
  }
  const run = firstDataRun(toc);
  if (run === undefined) {
    throw new UnsupportedError(`${sourceName}: the disc has no data track; read its audio with mode 'raw'`);
  }
  return { startLba: run.startLba, endLba: run.endLba, source: 'toc' };
}

/** True when the data run of the default 'data' extent is followed by an audio track (Mixed Mode). */
export function dataRunEndsAtAudio(toc: DiscToc): boolean {
  const run = firstDataRun(toc);
  return run?.next !== undefined && !run.next.isData && run.next.session === run.session;
}

/**
 * A Mixed Mode disc's data track ends, per the TOC, where the next (audio) track's index 1
 * starts; its pregap — up to 150 sectors, not in the TOC — usually holds audio sectors that
 * READ(10) refuses with 05/64/00. Finds where the data really ends by binary search over the
 * last 150 sectors with one-sector READ(10)s (a MEDIUM ERROR counts as data: a bad data sector).
 */
export async function trimDataBeforeAudio(drive: Drive, startLba: number, endLba: number, blockLength: number): Promise<number> {
  const isAudio = async (lba: number): Promise<boolean> => {
    try {
      await drive.execute(buildRead10({ lba, sectorCount: 1, blockLength }));
      return false;
    } catch (error) {
      if (error instanceof IllegalRequestError && error.asc === ILLEGAL_MODE_FOR_TRACK_ASC) return true;
      if (error instanceof MediumError || error instanceof HardwareError) return false;
      throw error;
    }
  };
  if (endLba <= startLba || !(await isAudio(endLba - 1))) return endLba;
  // Invariant: every sector from `high` on is audio; the first audio sector is in [low, high].
  let low = Math.max(startLba, endLba - MODE_CHANGE_PREGAP);
  let high = endLba - 1;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (await isAudio(middle)) high = middle;
    else low = middle + 1;
  }
  return high;
}

/**
 * Where the sector type changes between audio and data (track starts from the TOC): READ CD with
 * expected type ANY stops at such a boundary, so raw reads are split there.
 */
export function modeBoundaries(toc: DiscToc | undefined): number[] {
  if (toc === undefined) return [];
  const boundaries: number[] = [];
  toc.tracks.forEach((track, i) => {
    const previous = toc.tracks[i - 1];
    if (previous !== undefined && previous.isData !== track.isData) boundaries.push(track.startLba);
  });
  return boundaries;
}

function firstDataRun(toc: DiscToc): { startLba: number; endLba: number; session: number; next: TocTrack | undefined } | undefined {
  const index = toc.tracks.findIndex((t) => t.isData);
  const first = toc.tracks[index];
  if (first === undefined) return undefined;
  let last = first;
  let next: TocTrack | undefined;
  for (let i = index + 1; i < toc.tracks.length; i++) {
    const track = toc.tracks[i];
    if (track === undefined) break;
    if (track.session !== first.session || !track.isData) {
      next = track;
      break;
    }
    last = track;
  }
  return { startLba: first.startLba, endLba: last.endLba, session: first.session, next };
}

function sessionGaps(toc: DiscToc): LbaSpan[] {
  const gaps: LbaSpan[] = [];
  toc.sessions.forEach((session, i) => {
    const next = toc.sessions[i + 1]?.tracks[0];
    if (next !== undefined && next.startLba > session.leadOutLba) gaps.push({ startLba: session.leadOutLba, endLba: next.startLba });
  });
  return gaps;
}

function ignoreIllegalRequest(error: unknown): undefined {
  if (error instanceof ScsiError && error.senseKey === SenseKey.ILLEGAL_REQUEST) return undefined;
  throw error;
}
