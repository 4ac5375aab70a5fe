/**
 * MSF (minute:second:frame) ↔ LBA and BCD helpers (MMC-FACTS §3.2). MMC CDBs and TOC responses
 * carry MSF in binary; sector headers and Q sub-code carry it in BCD.
 */

import { checkInteger } from './bytes.js';

/** An absolute CD address: 75 frames per second, 60 seconds per minute. */
export interface Msf {
  minute: number;
  second: number;
  frame: number;
}

/** LBA 0 is MSF 00:02:00: the 2-second pregap before track 1 (MMC-FACTS §3.1). */
export const MSF_LBA_OFFSET = 150;
/** First lead-in LBA, MSF 90:00:00 (MMC-FACTS §3.2). */
export const MIN_LEAD_IN_LBA = -45150;
/** Last LBA expressible without colliding with the lead-in range: MSF 89:59:74. */
export const MAX_MSF_LBA = 404849;

const FRAMES_PER_MINUTE = 60 * 75;
/** MSF minutes 90..99 stand for the lead-in: LBA = M*4500 + S*75 + F − 450150. */
const LEAD_IN_OFFSET = 450150;

/** LBA → binary MSF (MMC-FACTS §3.2); −45150 … −151 map to 90:00:00 … 99:59:74. */
export function lbaToMsf(lba: number): Msf {
  checkInteger('lba', lba, MIN_LEAD_IN_LBA, MAX_MSF_LBA);
  const x = lba < -MSF_LBA_OFFSET ? lba + LEAD_IN_OFFSET : lba + MSF_LBA_OFFSET;
  return { minute: Math.floor(x / FRAMES_PER_MINUTE), second: Math.floor(x / 75) % 60, frame: x % 75 };
}

/** Binary MSF → LBA (MMC-FACTS §3.2); minutes 90..99 are the lead-in (negative LBAs). */
export function msfToLba(msf: Msf): number {
  if (typeof msf !== 'object' || msf === null) {
    throw new TypeError(`Expected "msf" to be an object {minute, second, frame}, got ${msf === null ? 'null' : typeof msf}`);
  }
  const minute = checkInteger('minute', msf.minute, 0, 99);
  const second = checkInteger('second', msf.second, 0, 59);
  const frame = checkInteger('frame', msf.frame, 0, 74);
  const x = minute * FRAMES_PER_MINUTE + second * 75 + frame;
  return minute >= 90 ? x - LEAD_IN_OFFSET : x - MSF_LBA_OFFSET;
}

/** 0..99 → packed BCD byte (0x00..0x99). */
export function toBcd(value: number): number {
  checkInteger('value', value, 0, 99);
  return (Math.floor(value / 10) << 4) | value % 10;
}

/** Packed BCD byte → 0..99; RangeError when a nibble is above 9. */
export function fromBcd(byte: number): number {
  checkInteger('byte', byte, 0, 0xff);
  const high = byte >> 4;
  const low = byte & 0x0f;
  if (high > 9 || low > 9) {
    throw new RangeError(`Expected "byte" to be packed BCD, got 0x${byte.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  return high * 10 + low;
}
