/**
 * MCN and ISRCs from READ SUB-CHANNEL. Many drives refuse the command, or answer it with zeros,
 * and some host adapters fail it outright (QEMU's scsi-cd: DID_ERROR): all of that leaves a code
 * unknown. A disc that is not ready or was changed, a timeout or a drive that is gone still fail.
 */

import { CommandTimeoutError, NotReadyError, ScsiError, TransportError, UnitAttentionError } from '../errors.js';
import type { Drive } from './drive.js';
import type { DiscToc } from './toc.js';

/** What the disc's sub-channel Q says; absent codes are undefined / not in the map. */
export interface DiscCodes {
  mcn: string | undefined;
  /** ISRC per audio track number. */
  isrcs: Map<number, string>;
}

/** A failure that only means "this drive will not tell" (an optional query: sub-channel codes, CD-Text). */
export function isRefusal(error: unknown): boolean {
  if (error instanceof ScsiError) return !(error instanceof NotReadyError || error instanceof UnitAttentionError);
  return error instanceof TransportError && error.hostStatus !== undefined && !(error instanceof CommandTimeoutError);
}

/** `query()`, or undefined when the drive or host adapter refuses it (see isRefusal). */
export async function unlessRefused<T>(query: () => Promise<T>): Promise<T | undefined> {
  try {
    return await query();
  } catch (error) {
    if (isRefusal(error)) return undefined;
    throw error;
  }
}

/** The MCN (13 digits, not all zero) and the ISRC of every audio track (12 characters, ISO 3901). */
export async function readDiscCodes(drive: Drive, toc: DiscToc, signal?: AbortSignal): Promise<DiscCodes> {
  const options = signal ? { signal } : {};
  const mcn = await unlessRefused(() => drive.mcn(options));
  const isrcs = new Map<number, string>();
  for (const track of toc.tracks) {
    if (track.isData) continue;
    const isrc = await unlessRefused(() => drive.isrc(track.number, options));
    if (isrc !== undefined && /^[0-9A-Z]{5}[0-9]{7}$/u.test(isrc)) isrcs.set(track.number, isrc);
  }
  return { mcn: mcn !== undefined && /^\d{13}$/u.test(mcn) && mcn !== '0000000000000' ? mcn : undefined, isrcs };
}
