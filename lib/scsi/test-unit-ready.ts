/** TEST UNIT READY (00h): GOOD when a medium is loaded and ready (SPC; MMC-FACTS §2.2). */

import type { ScsiCommand } from '../transport/transport.js';
import { Opcode } from './opcodes.js';

/** TEST UNIT READY CDB: six bytes, all zero; no data. */
export function buildTestUnitReady(): ScsiCommand {
  const cdb = new Uint8Array(6);
  cdb[0] = Opcode.TEST_UNIT_READY;
  return { cdb, direction: 'none' };
}
