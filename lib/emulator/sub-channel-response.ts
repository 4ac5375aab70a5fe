/**
 * READ SUB-CHANNEL (MMC-FACTS §2.11): current position (the Q of the last sector the head read),
 * media catalogue number and track ISRC, from the disc model. No audio play is modelled, so the
 * audio status is always 15h (no current audio status).
 */

import { writeBe16, writeBe32 } from '../scsi/bytes.js';
import { lbaToMsf } from '../scsi/msf.js';
import { SubChannelFormat } from '../scsi/read-sub-channel.js';
import { indexAt, trackAt, type DiscModel } from './disc-model.js';
import { invalidFieldInCdb } from './sense-data.js';

const NO_AUDIO_STATUS = 0x15;

function response(dataLength: number): Uint8Array {
  const out = new Uint8Array(4 + dataLength);
  out[1] = NO_AUDIO_STATUS;
  writeBe16(out, 2, dataLength);
  return out;
}

function writeAscii(out: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
}

/** The response to a READ SUB-CHANNEL CDB; `headLba` is the sector under the head. */
export function readSubChannelResponse(model: DiscModel, cdb: Uint8Array, headLba: number): Uint8Array {
  const msf = ((cdb[1] ?? 0) & 0x02) !== 0;
  const subQ = ((cdb[2] ?? 0) & 0x40) !== 0;
  const format = cdb[3] ?? 0;
  if (format < SubChannelFormat.CURRENT_POSITION || format > SubChannelFormat.ISRC) throw invalidFieldInCdb(3);
  if (!subQ) return response(0);
  switch (format) {
    case SubChannelFormat.CURRENT_POSITION: {
      const out = response(12);
      out[4] = format;
      const track = trackAt(model, headLba) ?? model.tracks[0];
      if (!track) return out;
      out[5] = 0x10 | track.control;
      out[6] = track.number;
      out[7] = indexAt(track, headLba);
      const relative = headLba - track.startLba;
      if (msf) {
        const absolute = lbaToMsf(headLba);
        out.set([0, absolute.minute, absolute.second, absolute.frame], 8);
        // The Q relative time: a distance, counting down through the pregap.
        const r = lbaToMsf(Math.abs(relative) - 150);
        out.set([0, r.minute, r.second, r.frame], 12);
      } else {
        writeBe32(out, 8, headLba);
        writeBe32(out, 12, relative);
      }
      return out;
    }
    case SubChannelFormat.MCN: {
      const out = response(20);
      out[4] = format;
      if (model.mcn !== undefined) {
        out[8] = 0x80;
        writeAscii(out, 9, model.mcn);
      }
      return out;
    }
    default: {
      const number = cdb[6] ?? 0;
      const track = model.tracks.find((t) => t.number === number);
      if (!track) throw invalidFieldInCdb(6);
      const out = response(20);
      out[4] = format;
      out[5] = 0x30 | track.control;
      out[6] = track.number;
      if (track.mode === 'audio' && track.isrc !== undefined) {
        out[8] = 0x80;
        writeAscii(out, 9, track.isrc);
      }
      return out;
    }
  }
}
