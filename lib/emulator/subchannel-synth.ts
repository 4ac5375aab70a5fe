/**
 * Sub-channel synthesized from a disc model's layout (MMC-FACTS §3.3), since models store only the
 * main channel: Q ADR 1 positions (TNO, INDEX, relative time counting down through pregaps,
 * absolute time), ADR 2 (MCN) and ADR 3 (ISRC) blocks in place of every 100th position block as
 * Red Book mastering does, and P = 1 during pauses.
 */

import { LEAD_OUT_TRACK, Q_SIZE, encodeQ, packSubchannel, pChannelFor, qPosition } from '../cd/index.js';
import { indexAt, trackAt, type DiscModel, type ModelTrack } from './disc-model.js';

/** Every 100th sector (absolute frame count ≡ 0 mod 100) carries the MCN instead of the position. */
const MCN_PHASE = 0;
/** … and every 100th, half way between, the track's ISRC. */
const ISRC_PHASE = 50;
const ADR_INTERVAL = 100;

/** What the Q channel of `lba` says, and whether the sector lies in a pause (P channel). */
export interface SynthesizedQ {
  q: Uint8Array;
  pause: boolean;
}

/** The session lead-out `lba` falls in, if any (the lead-out Q counts up from the A2 start). */
function leadOutAt(model: DiscModel, lba: number): { leadOutLba: number; control: number } | undefined {
  for (const s of model.sessions) {
    if (lba < s.leadOutLba) continue;
    const next = model.sessions.find((n) => n.number === s.number + 1);
    const nextStart = next ? model.tracks.find((t) => t.number === next.firstTrack)?.pregapLba : undefined;
    if (nextStart !== undefined && lba >= nextStart) continue;
    const last = model.tracks.find((t) => t.number === s.lastTrack);
    return { leadOutLba: s.leadOutLba, control: last?.control ?? 0 };
  }
  return undefined;
}

/** The 12-byte Q block (CRC included) of sector `lba`. Outside the program area and lead-outs: zeros. */
export function synthesizeQ(model: DiscModel, lba: number): SynthesizedQ {
  const track = trackAt(model, lba);
  if (!track) {
    const leadOut = leadOutAt(model, lba);
    if (!leadOut) return { q: new Uint8Array(Q_SIZE), pause: false };
    const q = encodeQ(qPosition({ control: leadOut.control, track: LEAD_OUT_TRACK, index: 1, lba, trackStartLba: leadOut.leadOutLba }));
    return { q, pause: false };
  }
  const index = indexAt(track, lba);
  const absoluteFrame = lba + 150;
  const aframe = ((absoluteFrame % 75) + 75) % 75;
  const phase = ((absoluteFrame % ADR_INTERVAL) + ADR_INTERVAL) % ADR_INTERVAL;
  if (model.mcn !== undefined && phase === MCN_PHASE) {
    return { q: encodeQ({ kind: 'mcn', control: track.control, mcn: model.mcn, aframe }), pause: index === 0 };
  }
  if (hasIsrc(track) && index > 0 && phase === ISRC_PHASE) {
    return { q: encodeQ({ kind: 'isrc', control: track.control, isrc: track.isrc, aframe }), pause: false };
  }
  const q = encodeQ(qPosition({ control: track.control, track: track.number, index, lba, trackStartLba: track.startLba }));
  return { q, pause: index === 0 };
}

function hasIsrc(track: ModelTrack): track is ModelTrack & { isrc: string } {
  return track.mode === 'audio' && typeof track.isrc === 'string';
}

/**
 * Writes the READ CD sub-channel of `lba` into `out` at `offset`: selection 1 raw interleaved P-W
 * (96 bytes, R-W zero), 2 formatted Q (the 12-byte block then 4 zero bytes), 4 de-interleaved R-W
 * (96 zero bytes: the models carry no CD+G). Returns the bytes written.
 */
export function writeSubchannel(model: DiscModel, lba: number, selection: number, out: Uint8Array, offset: number): number {
  if (selection === 0) return 0;
  if (selection === 4) {
    out.fill(0, offset, offset + 96);
    return 96;
  }
  const { q, pause } = synthesizeQ(model, lba);
  if (selection === 2) {
    out.set(q, offset);
    out.fill(0, offset + Q_SIZE, offset + 16);
    return 16;
  }
  packSubchannel({ p: pChannelFor(pause), q }, out.subarray(offset, offset + 96));
  return 96;
}
