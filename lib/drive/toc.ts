/** The disc's table of contents as the rest of the library uses it: sessions, tracks, extents. */

import { CONTROL_DATA } from '../cd/constants.js';
import { MalformedResponseError } from '../errors.js';
import type * as scsi from '../scsi/index.js';

export interface TocTrack {
  number: number;
  session: number;
  /** CONTROL nibble: 0x4 data, 0x1 pre-emphasis/incremental, 0x2 copy permitted, 0x8 four channels. */
  control: number;
  adr: number;
  isData: boolean;
  /** Start of index 1. */
  startLba: number;
  /** First LBA after the track: the next track's start or the session's lead-out. */
  endLba: number;
  sectorCount: number;
}

export interface TocSession {
  number: number;
  firstTrack: number;
  lastTrack: number;
  /** A0 PSEC: 0x00 CD-DA/CD-ROM, 0x10 CD-I, 0x20 CD-ROM XA (full TOC only). */
  discType: number | undefined;
  leadOutLba: number;
  tracks: TocTrack[];
}

export interface DiscToc {
  /** 'full-toc' (READ TOC format 2) or 'toc' (format 0, when the full TOC is refused). */
  source: 'full-toc' | 'toc';
  firstTrack: number;
  lastTrack: number;
  sessions: TocSession[];
  tracks: TocTrack[];
  /** Lead-out of the last session. */
  leadOutLba: number;
}


/** From a summarized full TOC: one A0/A1/A2 triple and its track points per session. */
export function tocFromFullToc(full: scsi.FullTocSummary): DiscToc {
  const sessions: TocSession[] = [];
  for (const s of full.sessions) {
    const starts = [...s.tracks].sort((a, b) => a.trackNumber - b.trackNumber);
    const tracks = starts.map((t, i): TocTrack => {
      const next = starts[i + 1];
      return makeTrack(t.trackNumber, s.session, t.control, t.adr, t.startLba, next ? next.startLba : s.leadOutLba);
    });
    sessions.push({
      number: s.session,
      firstTrack: s.firstTrack,
      lastTrack: s.lastTrack,
      discType: s.discType,
      leadOutLba: s.leadOutLba,
      tracks,
    });
  }
  return finish('full-toc', sessions);
}

/**
 * From the formatted TOC (one lead-out only). Session boundaries are unknown there; with session
 * info, tracks from the last session's first track on go into the last session.
 */
export function tocFromFormat0(toc: scsi.TocData, session: scsi.SessionInfo | undefined): DiscToc {
  const entries = toc.tracks.filter((t) => !t.isLeadOut);
  const leadOut = toc.tracks.find((t) => t.isLeadOut);
  if (!leadOut) throw new MalformedResponseError('READ TOC/PMA/ATIP', 'no lead-out descriptor (track AAh)');
  const lastSession = session?.lastSession ?? 1;
  const splitAt = session && session.lastSession > 1 ? session.firstTrackInLastSession : Number.POSITIVE_INFINITY;
  const sessionOf = (n: number) => (n >= splitAt ? lastSession : 1);
  const tracks = entries.map((t, i): TocTrack => {
    const next = entries[i + 1];
    return makeTrack(t.trackNumber, sessionOf(t.trackNumber), t.control, t.adr, t.lba, next ? next.lba : leadOut.lba);
  });
  const sessions: TocSession[] = [];
  for (const t of tracks) {
    let s = sessions.find((x) => x.number === t.session);
    if (!s) {
      s = { number: t.session, firstTrack: t.number, lastTrack: t.number, discType: undefined, leadOutLba: leadOut.lba, tracks: [] };
      sessions.push(s);
    }
    s.lastTrack = t.number;
    s.tracks.push(t);
  }
  // Without a full TOC the first session's lead-out is unknown; its last track ends where the next session's data begins.
  return finish('toc', sessions);
}

function makeTrack(number: number, session: number, control: number, adr: number, startLba: number, endLba: number): TocTrack {
  return { number, session, control, adr, isData: (control & CONTROL_DATA) !== 0, startLba, endLba, sectorCount: endLba - startLba };
}

function finish(source: DiscToc['source'], sessions: TocSession[]): DiscToc {
  const tracks = sessions.flatMap((s) => s.tracks);
  const first = tracks[0];
  const last = tracks[tracks.length - 1];
  const lastSession = sessions[sessions.length - 1];
  if (!first || !last || !lastSession) {
    throw new MalformedResponseError('READ TOC/PMA/ATIP', 'the TOC lists no tracks');
  }
  for (const t of tracks) {
    if (t.sectorCount < 0) {
      throw new MalformedResponseError('READ TOC/PMA/ATIP', `track ${t.number} ends before it starts`);
    }
  }
  return { source, firstTrack: first.number, lastTrack: last.number, sessions, tracks, leadOutLba: lastSession.leadOutLba };
}
