/**
 * READ CAPACITY(10) (25h): last LBA and block length (SBC/MMC; MMC-FACTS §2.3). On CDs the value
 * comes from the lead-out and is unreliable for multisession media: prefer the TOC.
 */

import type { ScsiCommand } from '../transport/transport.js';
import { readBe32, requireLength } from './bytes.js';
import { Opcode } from './opcodes.js';

/** READ CAPACITY(10) CDB: `25 00 | LBA 0 | 00 00 | PMI 0 | control`; 8 bytes back. */
export function buildReadCapacity10(): ScsiCommand {
  const cdb = new Uint8Array(10);
  cdb[0] = Opcode.READ_CAPACITY_10;
  return { cdb, direction: 'in', dataLength: 8 };
}

export interface ReadCapacity10Data {
  /** RETURNED LOGICAL BLOCK ADDRESS: the last addressable LBA. */
  lastLba: number;
  /** Bytes per block (2048 on CD-ROM, DVD and BD). */
  blockLength: number;
  /**
   * lastLba + 1; undefined when lastLba is FFFFFFFFh, which SBC uses for "too large, ask READ
   * CAPACITY(16)" and which no optical medium can really hold.
   */
  sectorCount: number | undefined;
}

/** Decodes the 8-byte READ CAPACITY(10) response: BE32 last LBA, BE32 block length. */
export function parseReadCapacity10(data: Uint8Array): ReadCapacity10Data {
  requireLength('READ CAPACITY(10)', data, 8);
  const lastLba = readBe32(data, 0);
  return {
    lastLba,
    blockLength: readBe32(data, 4),
    sectorCount: lastLba === 0xffffffff ? undefined : lastLba + 1,
  };
}
