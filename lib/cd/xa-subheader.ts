/**
 * The CD-ROM XA subheader of Mode 2 Form 1/Form 2 sectors (Yellow Book CD-ROM XA; MMC-FACTS §3.5):
 * four bytes — file number, channel number, submode, coding information — recorded twice, at
 * bytes 16-19 and 20-23 of the raw sector.
 */

import { SUBHEADER_OFFSET } from './constants.js';

/** Submode bits (byte 2 of the subheader). */
export const XaSubmode = Object.freeze({
  /** End of record. */
  EOR: 0x01,
  VIDEO: 0x02,
  AUDIO: 0x04,
  DATA: 0x08,
  TRIGGER: 0x10,
  /** Set: Form 2 (2324 user bytes, optional EDC, no ECC). Clear: Form 1. */
  FORM2: 0x20,
  REAL_TIME: 0x40,
  /** End of file. */
  EOF: 0x80,
});

/** One copy of the subheader. */
export interface XaSubheader {
  fileNumber: number;
  channelNumber: number;
  submode: number;
  codingInfo: number;
}

function checkByte(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new RangeError(`Expected "${name}" to be an integer between 0 and 255, got ${String(value)}`);
  }
  return value;
}

/**
 * Writes both subheader copies at `buf[offset … offset+7]` (default 16-23). `subheader` is either
 * an {@link XaSubheader} or its 4 raw bytes.
 */
export function encodeXaSubheader(buf: Uint8Array, subheader: XaSubheader | Uint8Array, offset = SUBHEADER_OFFSET): void {
  let b0: number;
  let b1: number;
  let b2: number;
  let b3: number;
  if (subheader instanceof Uint8Array) {
    if (subheader.length !== 4) throw new RangeError(`Expected a 4-byte subheader, got ${subheader.length} bytes`);
    b0 = subheader[0]!;
    b1 = subheader[1]!;
    b2 = subheader[2]!;
    b3 = subheader[3]!;
  } else {
    if (typeof subheader !== 'object' || subheader === null) {
      throw new TypeError('Expected "subheader" to be an XaSubheader object or a 4-byte Uint8Array');
    }
    b0 = checkByte('fileNumber', subheader.fileNumber);
    b1 = checkByte('channelNumber', subheader.channelNumber);
    b2 = checkByte('submode', subheader.submode);
    b3 = checkByte('codingInfo', subheader.codingInfo);
  }
  if (offset < 0 || offset + 8 > buf.length) {
    throw new RangeError(`Expected room for an 8-byte subheader at offset ${offset}, buffer has ${buf.length} bytes`);
  }
  buf[offset] = buf[offset + 4] = b0;
  buf[offset + 1] = buf[offset + 5] = b1;
  buf[offset + 2] = buf[offset + 6] = b2;
  buf[offset + 3] = buf[offset + 7] = b3;
}

/** Decodes the first subheader copy (or the second with `copy = 1`). */
export function decodeXaSubheader(buf: Uint8Array, copy: 0 | 1 = 0, offset = SUBHEADER_OFFSET): XaSubheader {
  const o = offset + 4 * copy;
  if (o < 0 || o + 4 > buf.length) throw new RangeError(`Expected a subheader at offset ${o}, buffer has ${buf.length} bytes`);
  return { fileNumber: buf[o]!, channelNumber: buf[o + 1]!, submode: buf[o + 2]!, codingInfo: buf[o + 3]! };
}

/** True when the two subheader copies (bytes 16-19 and 20-23) are identical. */
export function xaSubheaderCopiesMatch(buf: Uint8Array, offset = SUBHEADER_OFFSET): boolean {
  if (offset < 0 || offset + 8 > buf.length) return false;
  return (
    buf[offset] === buf[offset + 4] &&
    buf[offset + 1] === buf[offset + 5] &&
    buf[offset + 2] === buf[offset + 6] &&
    buf[offset + 3] === buf[offset + 7]
  );
}
