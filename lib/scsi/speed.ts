/**
 * SET CD SPEED (BBh) and SET STREAMING (B6h): choose the read speed (MMC; MMC-FACTS §2.12). CD
 * drives honour SET CD SPEED; for DVD and BD many honour only SET STREAMING.
 */

import type { ScsiCommand } from '../transport/transport.js';
import { checkBoolean, checkInteger, writeBe16, writeBe32 } from './bytes.js';
import { Opcode } from './opcodes.js';

/** Speed value meaning "as fast as the drive can". */
export const MAX_SPEED_KBPS = 0xffff;

export interface SetCdSpeedOptions {
  /** kB/s (1000 bytes); 0xFFFF = maximum. Default 0xFFFF. */
  readSpeedKBps?: number;
  /** kB/s; some drives reject 0, so the default is 0xFFFF (maximum). */
  writeSpeedKBps?: number;
  /** 0 CLV, 1 CAV. Default 0. */
  rotationControl?: number;
}

/** SET CD SPEED CDB: `BB | rotation control | read speed BE16 | write speed BE16 | 00… | control`. */
export function buildSetCdSpeed(options: SetCdSpeedOptions = {}): ScsiCommand {
  const readSpeedKBps = checkInteger('readSpeedKBps', options.readSpeedKBps ?? MAX_SPEED_KBPS, 0, 0xffff);
  const writeSpeedKBps = checkInteger('writeSpeedKBps', options.writeSpeedKBps ?? MAX_SPEED_KBPS, 0, 0xffff);
  const rotationControl = checkInteger('rotationControl', options.rotationControl ?? 0, 0, 1);
  const cdb = new Uint8Array(12);
  cdb[0] = Opcode.SET_CD_SPEED;
  cdb[1] = rotationControl;
  writeBe16(cdb, 2, readSpeedKBps);
  writeBe16(cdb, 4, writeSpeedKBps);
  return { cdb, direction: 'none' };
}

export interface SetStreamingOptions {
  /** Default 0. */
  startLba?: number;
  /** Last LBA the performance applies to (inclusive), ≥ startLba. */
  endLba: number;
  /** Read Size in kB per readTimeMs; with 1000 ms this is the speed in kB/s. */
  readSizeKB: number;
  /** Default 1000. */
  readTimeMs?: number;
  /** Default readSizeKB: drives may reject a zero write performance. */
  writeSizeKB?: number;
  /** Default readTimeMs. */
  writeTimeMs?: number;
  /** RDD: return to the drive's default performance, ignoring the rest. Default false. */
  restoreDefaults?: boolean;
  /** Exact: fail rather than approximate the requested performance. Default false. */
  exact?: boolean;
  /** RA: optimise for random access. Default false. */
  randomAccess?: boolean;
  /** WRC: 0 default (CLV), 1 CAV. Default 0. */
  writeRotationControl?: number;
}

/** Length of the SET STREAMING performance descriptor. */
export const PERFORMANCE_DESCRIPTOR_LENGTH = 28;

/**
 * SET STREAMING with a performance descriptor (MMC-FACTS §2.12): CDB `B6 | … | b8 type 0 |
 * parameter list length BE16 = 28 | control`; data out: `WRC<<3 RDD<<2 Exact<<1 RA | 3 reserved |
 * start LBA | end LBA | read size | read time | write size | write time`, all BE32.
 */
export function buildSetStreaming(options: SetStreamingOptions): ScsiCommand {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('Expected "options" to be an object with "endLba" and "readSizeKB"');
  }
  const startLba = checkInteger('startLba', options.startLba ?? 0, 0, 0xffffffff);
  const endLba = checkInteger('endLba', options.endLba, startLba, 0xffffffff);
  const readSizeKB = checkInteger('readSizeKB', options.readSizeKB, 0, 0xffffffff);
  const readTimeMs = checkInteger('readTimeMs', options.readTimeMs ?? 1000, 1, 0xffffffff);
  const writeSizeKB = checkInteger('writeSizeKB', options.writeSizeKB ?? readSizeKB, 0, 0xffffffff);
  const writeTimeMs = checkInteger('writeTimeMs', options.writeTimeMs ?? readTimeMs, 1, 0xffffffff);
  const restoreDefaults = checkBoolean('restoreDefaults', options.restoreDefaults ?? false);
  const exact = checkBoolean('exact', options.exact ?? false);
  const randomAccess = checkBoolean('randomAccess', options.randomAccess ?? false);
  const writeRotationControl = checkInteger('writeRotationControl', options.writeRotationControl ?? 0, 0, 1);

  const data = new Uint8Array(PERFORMANCE_DESCRIPTOR_LENGTH);
  data[0] = (writeRotationControl << 3) | (restoreDefaults ? 0x04 : 0) | (exact ? 0x02 : 0) | (randomAccess ? 0x01 : 0);
  writeBe32(data, 4, startLba);
  writeBe32(data, 8, endLba);
  writeBe32(data, 12, readSizeKB);
  writeBe32(data, 16, readTimeMs);
  writeBe32(data, 20, writeSizeKB);
  writeBe32(data, 24, writeTimeMs);

  const cdb = new Uint8Array(12);
  cdb[0] = Opcode.SET_STREAMING;
  cdb[8] = 0x00; // type 0: performance descriptor
  writeBe16(cdb, 9, PERFORMANCE_DESCRIPTOR_LENGTH);
  return { cdb, direction: 'out', data };
}

/** kB/s of "1×" per medium: CD 176.4 (75 × 2352 B), DVD 1385, BD 4496 (MMC-FACTS §2.12). */
export const SpeedFactorKBps = {
  CD: 176.4,
  DVD: 1385,
  BD: 4496,
} as const;

/** kB/s → speed factor ("48×"), rounded to one decimal; `oneXKBps` defaults to CD. */
export function kbpsToSpeedFactor(kbps: number, oneXKBps: number = SpeedFactorKBps.CD): number {
  if (typeof kbps !== 'number' || !Number.isFinite(kbps) || kbps < 0) {
    throw new RangeError(`Expected "kbps" to be a non-negative number, got ${String(kbps)}`);
  }
  if (typeof oneXKBps !== 'number' || !Number.isFinite(oneXKBps) || oneXKBps <= 0) {
    throw new RangeError(`Expected "oneXKBps" to be a positive number, got ${String(oneXKBps)}`);
  }
  return Math.round((kbps / oneXKBps) * 10) / 10;
}

/** kB/s → CD speed factor: 7056 → 40, 8467 → 48. */
export function kbpsToCdSpeedFactor(kbps: number): number {
  return kbpsToSpeedFactor(kbps, SpeedFactorKBps.CD);
}
