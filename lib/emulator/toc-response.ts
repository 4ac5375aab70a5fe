/**
 * READ TOC/PMA/ATIP responses built from a disc model (MMC-FACTS §2.7): formatted TOC (0),
 * session information (1), full TOC (2, CD only, with B0/C0 in multisession lead-ins) and
 * CD-TEXT (5). PMA and ATIP (3, 4) exist only on recordable media and are refused.
 */

import { writeBe16, writeBe32 } from '../scsi/bytes.js';
import { lbaToMsf } from '../scsi/msf.js';
import { TocFormat } from '../scsi/read-toc.js';
import type { DiscModel, ModelTrack } from './disc-model.js';
import type { DriveProfile } from './drive-profile.js';
import { invalidFieldInCdb } from './sense-data.js';

const LEAD_OUT = 0xaa;
/** B0 PMSF: the largest lead-out start an 80-minute disc allows (79:59:74). */
const MAX_LEAD_OUT = { minute: 79, second: 59, frame: 74 };
/** C0 PMSF: the disc's first lead-in, 4500 sectors (the minimum) before the first pregap. */
const FIRST_LEAD_IN_LBA = -150 - 4500;

function sortedTracks(model: DiscModel): ModelTrack[] {
  return [...model.tracks].sort((a, b) => a.number - b.number);
}

/** Track start address: LBA (BE32, signed) or 00 M S F binary. */
function writeAddress(out: Uint8Array, offset: number, lba: number, msf: boolean): void {
  if (!msf) {
    writeBe32(out, offset, lba);
    return;
  }
  const x = lba + 150;
  out[offset] = 0;
  out[offset + 1] = Math.floor(x / 4500);
  out[offset + 2] = Math.floor(x / 75) % 60;
  out[offset + 3] = x % 75;
}

function withHeader(body: number[], b2: number, b3: number): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  writeBe16(out, 0, out.length - 2);
  out[2] = b2;
  out[3] = b3;
  out.set(body, 4);
  return out;
}

function trackDescriptor(adrControl: number, number: number, lba: number, msf: boolean): number[] {
  const d = new Uint8Array(8);
  d[1] = adrControl;
  d[2] = number;
  writeAddress(d, 4, lba, msf);
  return [...d];
}

/** The response to a READ TOC/PMA/ATIP CDB, or a thrown 05/24/00 for a bad field. */
export function readTocResponse(model: DiscModel, profile: DriveProfile, cdb: Uint8Array): Uint8Array {
  const msf = ((cdb[1] ?? 0) & 0x02) !== 0;
  let format = (cdb[2] ?? 0) & 0x0f;
  // SFF-8020i drives took the format from byte 9 bits 7-6; honour it when byte 2 says 0.
  if (format === 0) format = (cdb[9] ?? 0) >> 6;
  const number = cdb[6] ?? 0;
  switch (format) {
    case TocFormat.TOC:
      return formattedToc(model, number, msf);
    case TocFormat.SESSION_INFO:
      return sessionInfo(model, msf);
    case TocFormat.FULL_TOC:
      if (model.kind !== 'cd') throw invalidFieldInCdb(2);
      return fullToc(model, number);
    case TocFormat.CD_TEXT:
      if (model.kind !== 'cd' || !profile.features.cdText) throw invalidFieldInCdb(2);
      return withHeader([...(model.cdTextPacks ?? [])], 0, 0);
    default:
      // PMA and ATIP describe recordable media; the models are pressed discs.
      throw invalidFieldInCdb(2);
  }
}

function formattedToc(model: DiscModel, startTrack: number, msf: boolean): Uint8Array {
  const tracks = sortedTracks(model);
  const first = tracks[0];
  const last = tracks[tracks.length - 1];
  const lastSession = model.sessions[model.sessions.length - 1];
  if (!first || !last || !lastSession) throw invalidFieldInCdb(2);
  if (startTrack !== LEAD_OUT && startTrack > last.number) throw invalidFieldInCdb(6);
  const body: number[] = [];
  if (startTrack !== LEAD_OUT) {
    for (const t of tracks) {
      if (t.number >= startTrack) body.push(...trackDescriptor(0x10 | t.control, t.number, t.startLba, msf));
    }
  }
  body.push(...trackDescriptor(0x10 | last.control, LEAD_OUT, lastSession.leadOutLba, msf));
  return withHeader(body, first.number, last.number);
}

function sessionInfo(model: DiscModel, msf: boolean): Uint8Array {
  const firstSession = model.sessions[0];
  const lastSession = model.sessions[model.sessions.length - 1];
  const track = model.tracks.find((t) => t.number === lastSession?.firstTrack);
  if (!firstSession || !lastSession || !track) throw invalidFieldInCdb(2);
  return withHeader(trackDescriptor(0x10 | track.control, track.number, track.startLba, msf), firstSession.number, lastSession.number);
}

function fullToc(model: DiscModel, startSession: number): Uint8Array {
  const sessions = model.sessions;
  const last = sessions[sessions.length - 1];
  if (!last) throw invalidFieldInCdb(2);
  const from = Math.max(1, startSession);
  if (from > last.number) throw invalidFieldInCdb(6);
  const body: number[] = [];
  const entry = (session: number, adr: number, control: number, point: number, time: number[], zero: number, p: number[]): void => {
    body.push(session, (adr << 4) | control, 0, point, time[0] ?? 0, time[1] ?? 0, time[2] ?? 0, zero, p[0] ?? 0, p[1] ?? 0, p[2] ?? 0);
  };
  const msfOf = (lba: number): number[] => {
    const m = lbaToMsf(lba);
    return [m.minute, m.second, m.frame];
  };
  sessions.forEach((s, i) => {
    if (s.number < from) return;
    const tracks = sortedTracks(model).filter((t) => t.session === s.number);
    const firstTrack = tracks[0];
    const lastTrack = tracks[tracks.length - 1];
    if (!firstTrack || !lastTrack) return;
    entry(s.number, 1, firstTrack.control, 0xa0, [0, 0, 0], 0, [s.firstTrack, s.discType, 0]);
    entry(s.number, 1, lastTrack.control, 0xa1, [0, 0, 0], 0, [s.lastTrack, 0, 0]);
    entry(s.number, 1, lastTrack.control, 0xa2, [0, 0, 0], 0, msfOf(s.leadOutLba));
    for (const t of tracks) entry(s.number, 1, t.control, t.number, [0, 0, 0], 0, msfOf(t.startLba));
    // ADR 5 pointers: every session but the last (the disc is closed) says where the next program
    // area starts; the first also carries C0 with the start of the disc's first lead-in.
    const next = sessions[i + 1];
    const nextStart = next ? model.tracks.find((t) => t.number === next.firstTrack)?.pregapLba : undefined;
    if (nextStart !== undefined) {
      const max = [MAX_LEAD_OUT.minute, MAX_LEAD_OUT.second, MAX_LEAD_OUT.frame];
      entry(s.number, 5, firstTrack.control, 0xb0, msfOf(nextStart), i === 0 ? 2 : 1, max);
      if (i === 0) entry(s.number, 5, firstTrack.control, 0xc0, [0, 0, 0], 0, msfOf(FIRST_LEAD_IN_LBA));
    }
  });
  return withHeader(body, from, last.number);
}
