/**
 * READ DISC INFORMATION and READ TRACK INFORMATION for pressed (finalized, read-only) media
 * (MMC-FACTS §2.8, §2.9).
 */

import { readBe32, writeBe16, writeBe32 } from '../scsi/bytes.js';
import { TrackAddressType } from '../scsi/track-information.js';
import { trackAt, type DiscModel, type ModelTrack } from './disc-model.js';
import { Sense, invalidFieldInCdb } from './sense-data.js';

const DISC_INFORMATION_LENGTH = 34;
const TRACK_INFORMATION_LENGTH = 48;

/** Standard Disc Information: complete last session, finalized disc, no OPC tables. */
export function discInformationResponse(model: DiscModel, cdb: Uint8Array): Uint8Array {
  if (((cdb[1] ?? 0) & 0x07) !== 0) throw invalidFieldInCdb(1);
  const first = model.sessions[0];
  const last = model.sessions[model.sessions.length - 1];
  const firstTrack = [...model.tracks].sort((a, b) => a.number - b.number)[0];
  if (!first || !last || !firstTrack) throw Sense.incompatibleFormat();
  const out = new Uint8Array(DISC_INFORMATION_LENGTH);
  writeBe16(out, 0, DISC_INFORMATION_LENGTH - 2);
  out[2] = (3 << 2) | 2; // last session complete, disc finalized
  out[3] = firstTrack.number;
  out[4] = model.sessions.length & 0xff;
  out[5] = last.firstTrack & 0xff;
  out[6] = last.lastTrack & 0xff;
  out[8] = model.kind === 'cd' ? first.discType : 0xff;
  out[9] = model.sessions.length >> 8;
  // No lead-in can follow a finalized disc: both addresses FFFFFFFFh.
  writeBe32(out, 16, 0xffffffff);
  writeBe32(out, 20, 0xffffffff);
  return out;
}

/** Logical track size as the TOC sees it: up to the next track's index 1, or the lead-out. */
function trackSize(model: DiscModel, track: ModelTrack): number {
  const session = model.sessions.find((s) => s.number === track.session);
  const next = model.tracks.find((t) => t.number === track.number + 1 && t.session === track.session);
  return (next ? next.startLba : (session?.leadOutLba ?? track.endLba)) - track.startLba;
}

/** Track Information Block for the track an LBA, track number or session number names. */
export function trackInformationResponse(model: DiscModel, cdb: Uint8Array): Uint8Array {
  const addressType = (cdb[1] ?? 0) & 0x03;
  const address = readBe32(cdb, 2);
  let track: ModelTrack | undefined;
  if (addressType === TrackAddressType.LBA) {
    track = trackAt(model, address | 0);
  } else if (addressType === TrackAddressType.TRACK) {
    track = model.tracks.find((t) => t.number === address);
  } else if (addressType === TrackAddressType.SESSION) {
    const session = model.sessions.find((s) => s.number === address);
    track = session && model.tracks.find((t) => t.number === session.firstTrack);
  } else {
    throw invalidFieldInCdb(1);
  }
  if (!track) throw invalidFieldInCdb(2);
  const out = new Uint8Array(TRACK_INFORMATION_LENGTH);
  writeBe16(out, 0, TRACK_INFORMATION_LENGTH - 2);
  out[2] = track.number & 0xff;
  out[3] = track.session & 0xff;
  out[5] = track.control & 0x0f;
  out[6] = track.mode === 'mode1' ? 0x01 : track.mode === 'audio' ? 0x0f : 0x02;
  writeBe32(out, 8, track.startLba);
  writeBe32(out, 24, trackSize(model, track));
  out[32] = track.number >> 8;
  out[33] = track.session >> 8;
  return out;
}
