/**
 * Allocation-length negotiation for variable-length responses (MMC-6 "Allocation Length";
 * MMC-FACTS §2.1): send a generous allocation length, read the length field at the start of the
 * response, and re-issue with a larger allocation when the drive has more to say.
 */

import { readBe16, readBe32 } from './bytes.js';

/**
 * Total response size the drive announced: the BE16 (READ TOC/PMA/ATIP, READ DISC INFORMATION,
 * READ TRACK INFORMATION, GET EVENT STATUS NOTIFICATION, MODE SENSE(10)) or BE32 (GET
 * CONFIGURATION) length field at byte 0, plus the size of that field. Undefined when fewer bytes
 * than the field itself were received. READ SUB-CHANNEL keeps its length at bytes 2-3: use
 * `subChannelResponseLength` for it.
 */
export function requiredAllocationLength(data: Uint8Array, lengthFieldSize: 2 | 4): number | undefined {
  if (data.length < lengthFieldSize) return undefined;
  return lengthFieldSize === 2 ? readBe16(data, 0) + 2 : readBe32(data, 0) + 4;
}
