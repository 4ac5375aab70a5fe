/**
 * What a failed read command means for a rescue: a bad sector (a value: mark it and go on), a
 * condition worth one retry, or a failure of the source itself (stop, never mix two discs). Sense
 * keys and codes per MMC-FACTS §1.6–1.7.
 */

import { DiscError, ScsiError, TransportError, type ScsiErrorDetails } from '../errors.js';
import { SenseKey } from '../scsi/sense.js';

/** Where a read was aimed, and what the disc layout says about unreadable places. */
export interface ReadTarget {
  lba: number;
  count: number;
  /** First LBA past the last readable sector, when known (lead-out or READ CAPACITY). */
  endLba: number | undefined;
  /** Ranges the layout says cannot be read (between sessions), [startLba, endLba). */
  gaps: readonly { startLba: number; endLba: number }[];
}

export type ReadErrorVerdict =
  /** The medium: mark sectors bad. `failedLba` only when the drive or the layout says which. */
  | { kind: 'bad-sector'; failedLba: number | undefined }
  /** 05/64/00: the sectors are not of the mode the command reads (or READ CD crossed an audio/data boundary). */
  | { kind: 'wrong-mode'; failedLba: number | undefined }
  /** Transient: repeat the command once (after waiting for the drive when `waitReady`). */
  | { kind: 'retry'; waitReady: boolean }
  /** The source itself failed: stop. `error` carries a message saying why. */
  | { kind: 'fatal'; error: DiscError };

/**
 * HARDWARE ERROR codes real drives report for what is really a damaged area (no seek complete,
 * no reference position, track following error, unrecovered read error, positioning error):
 * treated as bad sectors even without an LBA.
 */
const MEDIUM_RELATED_HARDWARE_ASCS = new Set([0x02, 0x06, 0x09, 0x11, 0x15]);

const NO_MEDIUM_ASC = 0x3a;
const BECOMING_READY_ASC = 0x04;
const MEDIUM_CHANGED_ASC = 0x28;
const RESET_ASC = 0x29;
const LBA_OUT_OF_RANGE_ASC = 0x21;
const END_OF_USER_AREA_ASC = 0x63;
const ILLEGAL_MODE_FOR_TRACK_ASC = 0x64;

/**
 * Classifies an error thrown by a read command (Drive.execute) aimed at `target`.
 *
 * - MEDIUM ERROR, BLANK CHECK: bad sector; failedLba = sense INFORMATION when valid and inside the
 *   range.
 * - HARDWARE ERROR: a bad sector when the drive names an LBA in the range, or for the
 *   medium-related codes above (drives report some bad sectors as 04/xx); otherwise fatal.
 * - ILLEGAL REQUEST 21/00 and 63/00: bad sector; failedLba = INFORMATION, else the first LBA of
 *   the range the layout says is unreadable (past the end, or between sessions), else undefined.
 *   64/00: wrong mode. Anything else (unsupported command or field): fatal.
 * - UNIT ATTENTION 28/00 (medium changed), 29/xx (reset): fatal; other attentions: retry once.
 * - NOT READY 3A (no medium): fatal; 04/xx (becoming ready): wait, then retry once.
 * - ABORTED COMMAND, RECOVERED ERROR: retry once.
 * - TransportError (drive gone, timeout) and every other DiscError: fatal.
 *
 * Errors that are not DiscErrors (argument errors, an abort reason) are not classified: rethrow.
 */
export function classifyReadError(error: DiscError, target: ReadTarget, sourceName: string): ReadErrorVerdict {
  if (error instanceof TransportError) return { kind: 'fatal', error };
  if (!(error instanceof ScsiError)) return { kind: 'fatal', error };
  const key = error.senseKey;
  const asc = error.asc;
  const reported = reportedLba(error, target);
  switch (key) {
    case SenseKey.MEDIUM_ERROR:
    case SenseKey.BLANK_CHECK:
      return { kind: 'bad-sector', failedLba: reported };
    case SenseKey.HARDWARE_ERROR:
      if (reported !== undefined || (asc !== undefined && MEDIUM_RELATED_HARDWARE_ASCS.has(asc))) {
        return { kind: 'bad-sector', failedLba: reported };
      }
      return { kind: 'fatal', error };
    case SenseKey.ILLEGAL_REQUEST:
      if (asc === LBA_OUT_OF_RANGE_ASC || asc === END_OF_USER_AREA_ASC) {
        // INFORMATION is not a failing sector here (ATAPI drives report 0): go by the layout.
        return { kind: 'bad-sector', failedLba: firstUnreadableByLayout(target) };
      }
      if (asc === ILLEGAL_MODE_FOR_TRACK_ASC) return { kind: 'wrong-mode', failedLba: reported };
      return { kind: 'fatal', error };
    case SenseKey.UNIT_ATTENTION:
      if (asc === MEDIUM_CHANGED_ASC) return { kind: 'fatal', error: discChangedError(error, sourceName) };
      if (asc === RESET_ASC) {
        return {
          kind: 'fatal',
          error: rephrase(error, `${sourceName}: the drive was reset (${error.message}); it may hold another disc now and its settings are lost: a rescue never mixes two discs`),
        };
      }
      return { kind: 'retry', waitReady: false };
    case SenseKey.NOT_READY:
      if (asc === NO_MEDIUM_ASC) return { kind: 'fatal', error: discRemovedError(error, sourceName) };
      if (asc === BECOMING_READY_ASC) return { kind: 'retry', waitReady: true };
      return { kind: 'fatal', error };
    case SenseKey.ABORTED_COMMAND:
    case SenseKey.RECOVERED_ERROR:
      return { kind: 'retry', waitReady: false };
    default:
      return { kind: 'fatal', error };
  }
}

/** The fatal error for a disc change seen by the source (UNIT ATTENTION 28/00 or waitReady). */
export function discChangedError(cause: DiscError, sourceName: string): DiscError {
  const message = `${sourceName}: the disc was changed (${cause.message}): a rescue never mixes two discs — start a new one for this disc`;
  return cause instanceof ScsiError ? rephrase(cause, message) : new DiscError(message, { cause });
}

/** The fatal error for a disc taken out of the drive (NOT READY 3A). */
export function discRemovedError(cause: DiscError, sourceName: string): DiscError {
  const message = `${sourceName}: the disc was removed (${cause.message}): a rescue never mixes two discs — put the same disc back and resume`;
  return cause instanceof ScsiError ? rephrase(cause, message) : new DiscError(message, { cause });
}

/** Sense INFORMATION as the failing LBA, when VALID and inside the range. */
function reportedLba(error: ScsiError, target: ReadTarget): number | undefined {
  const information = error.sense?.information;
  if (information === undefined) return undefined;
  // error.lba falls back to the CDB's start when INFORMATION lies outside the read: not a failing sector.
  if (error.lba !== information && error.lba !== (information | 0)) return undefined;
  const lba = error.lba;
  if (lba === undefined || lba < target.lba || lba >= target.lba + target.count) return undefined;
  return lba;
}

/** First LBA of the range past the end of the disc or inside a session gap. */
function firstUnreadableByLayout(target: ReadTarget): number | undefined {
  const end = target.lba + target.count;
  let first: number | undefined;
  const consider = (startLba: number, endLba: number): void => {
    if (startLba >= end || endLba <= target.lba) return;
    const candidate = Math.max(startLba, target.lba);
    if (first === undefined || candidate < first) first = candidate;
  };
  if (target.endLba !== undefined) consider(target.endLba, Number.POSITIVE_INFINITY);
  for (const gap of target.gaps) consider(gap.startLba, gap.endLba);
  return first;
}

/** The same ScsiError class and details, with a message that says what it means here. */
function rephrase(error: ScsiError, message: string): ScsiError {
  const ErrorClass = error.constructor as new (message: string, details: ScsiErrorDetails) => ScsiError;
  const details: ScsiErrorDetails = {
    opcode: error.opcode,
    commandName: error.commandName,
    sense: error.sense,
    status: error.status,
    lba: error.lba,
  };
  if (error.cdb !== undefined) details.cdb = error.cdb;
  return new ErrorClass(message, details);
}
