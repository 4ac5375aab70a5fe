/**
 * REQUEST SENSE (03h): fetches sense data explicitly (SPC; MMC-FACTS §2.1). The response is sense
 * data: decode it with decodeSense().
 */

import type { ScsiCommand } from '../transport/transport.js';
import { checkInteger } from './bytes.js';
import { Opcode } from './opcodes.js';

export interface RequestSenseOptions {
  /** Bytes to receive, 1..255 (one CDB byte). Default 252, the most SPC allows sense to be. */
  allocationLength?: number;
}

/** REQUEST SENSE CDB: `03 | DESC=0 | 00 | 00 | allocation length | control` (fixed format asked). */
export function buildRequestSense(options: RequestSenseOptions = {}): ScsiCommand {
  const allocationLength = checkInteger('allocationLength', options.allocationLength ?? 252, 1, 0xff);
  const cdb = new Uint8Array(6);
  cdb[0] = Opcode.REQUEST_SENSE;
  cdb[4] = allocationLength;
  return { cdb, direction: 'in', dataLength: allocationLength };
}
