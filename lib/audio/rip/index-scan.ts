/**
 * Index scanning over sub-channel Q: where each track's pregap (index 0) starts, where INDEX 02 and
 * later lie, and whether track 1 has a hidden track before it (HTOA). Index numbers only grow
 * within a track and track numbers only grow along the disc, so every boundary is found by binary
 * search: a few one-sector reads per track.
 */

import { decodeQ } from '../../cd/subchannel.js';
import type { Drive } from '../../drive/drive.js';
import { MediumError, ScsiError } from '../../errors.js';
import { ExpectedSectorType } from '../../scsi/read-cd.js';

export interface ScannedTrack {
  number: number;
  /** Index 1 (from the TOC). */
  startLba: number;
  /** First sector of the pregap (index 0); equals startLba when there is none. */
  pregapLba: number;
  /** Index 2 and later, ascending. */
  indexes: Array<{ number: number; lba: number }>;
}

export interface ScanInput {
  number: number;
  startLba: number;
  endLba: number;
  /** The disc's first track: a start after LBA 0 means a pregap (maybe a hidden track) from 0. */
  firstOnDisc?: boolean | undefined;
}

export interface ScanResult {
  tracks: ScannedTrack[];
  /** Sector reads spent on scanning. */
  reads: number;
  notes: string[];
}

interface QAt {
  track: number;
  index: number;
}

/** Largest index number searched per track (Red Book allows 99). */
const MAX_INDEX = 99;

/**
 * Scans the pregaps and indexes of consecutive audio tracks. Track 1's pregap before LBA 0 is the
 * standard 150 sectors; a track 1 starting after LBA 0 has its pregap (maybe a hidden track) from 0.
 */
export async function scanIndexes(drive: Drive, tracks: readonly ScanInput[], options: { signal?: AbortSignal | undefined } = {}): Promise<ScanResult> {
  const notes: string[] = [];
  let reads = 0;
  const cache = new Map<number, QAt | undefined>();
  const qAt = async (lba: number): Promise<QAt | undefined> => {
    if (cache.has(lba)) return cache.get(lba);
    options.signal?.throwIfAborted();
    reads++;
    let found: QAt | undefined;
    try {
      const r = await drive.readCd(lba, 1, { expectedSectorType: ExpectedSectorType.CDDA, subchannel: 'q', ...(options.signal ? { signal: options.signal } : {}) });
      const q = decodeQ(r.data, r.bytesPerSector - 16);
      if (q.kind === 'position' && q.crcOk && q.fieldsOk) found = { track: q.track, index: q.index };
    } catch (error) {
      if (!(error instanceof MediumError)) throw error;
    }
    cache.set(lba, found);
    return found;
  };
  // A sector carrying MCN or ISRC (ADR 2/3) or a bad CRC says nothing of its position: use a neighbour.
  const positionAt = async (lba: number, low: number, high: number): Promise<QAt | undefined> => {
    for (const probe of [lba, lba + 1, lba - 1, lba + 2]) {
      if (probe < low || probe >= high) continue;
      const q = await qAt(probe);
      if (q) return q;
    }
    return undefined;
  };
  /** First LBA in [low, high) where `reached` holds (monotone); undefined if nowhere, null if Q is unreadable. */
  const search = async (low: number, high: number, reached: (q: QAt) => boolean): Promise<number | undefined | null> => {
    let lo = low;
    let hi = high - 1;
    let answer: number | undefined;
    // Bounded: the interval halves on every pass.
    while (lo <= hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const q = await positionAt(mid, low, high);
      if (q === undefined) return null;
      if (reached(q)) {
        answer = mid;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    return answer;
  };

  const out: ScannedTrack[] = [];
  try {
    for (let t = 0; t < tracks.length; t++) {
      const track = tracks[t]!;
      const previous = tracks[t - 1];
      let pregapLba = track.startLba;
      if (previous && previous.endLba === track.startLba && track.startLba - previous.startLba > 1) {
        // The pregap is the tail of the previous track's TOC extent that Q already calls this track.
        const found = await search(previous.startLba + 1, track.startLba, (q) => q.track >= track.number);
        if (typeof found === 'number') pregapLba = found;
        else if (found === null) notes.push(`track ${track.number}: sub-channel Q unreadable, pregap not scanned`);
      } else if (!previous && track.firstOnDisc && track.startLba > 0) {
        pregapLba = 0;
      }
      out.push({ number: track.number, startLba: track.startLba, pregapLba, indexes: [] });
    }
    // Index 2+: the index at the track's last sector (before the next pregap) is the highest.
    for (let t = 0; t < out.length; t++) {
      const track = out[t]!;
      const end = out[t + 1]?.pregapLba ?? tracks[t]!.endLba;
      if (end - track.startLba < 2) continue;
      const last = await positionAt(end - 1, track.startLba, end);
      if (!last || last.track !== track.number || last.index < 2) continue;
      let from = track.startLba + 1;
      for (let index = 2; index <= Math.min(last.index, MAX_INDEX); index++) {
        const lba = await search(from, end, (q) => q.track > track.number || q.index >= index);
        if (lba === undefined || lba === null) break;
        // Index numbers may skip; record the one actually found there.
        const q = await positionAt(lba, track.startLba, end);
        if (q && q.index >= index && q.track === track.number) {
          track.indexes.push({ number: q.index, lba });
          index = q.index;
        }
        from = lba + 1;
      }
    }
  } catch (error) {
    // A drive that refuses sub-channel with READ CD: gaps stay as the TOC says.
    if (!(error instanceof ScsiError) || error.senseKey !== 0x05) throw error;
    notes.push('the drive refused READ CD with sub-channel Q: pregaps and indexes not scanned');
    return { tracks: tracks.map((t) => ({ number: t.number, startLba: t.startLba, pregapLba: t.firstOnDisc && t.startLba > 0 ? 0 : t.startLba, indexes: [] })), reads, notes };
  }
  return { tracks: out, reads, notes };
}
