/**
 * START STOP UNIT (1Bh) and PREVENT ALLOW MEDIUM REMOVAL (1Eh): spin, load, eject, lock the tray
 * (SBC/MMC; MMC-FACTS §2.14).
 */

import type { ScsiCommand } from '../transport/transport.js';
import { checkBoolean, checkInteger } from './bytes.js';
import { Opcode } from './opcodes.js';

export interface StartStopUnitOptions {
  /** Start: spin up (true) or stop (false). Eject is {start: false, loadEject: true}. */
  start: boolean;
  /** LoEj: load the medium (with start) or eject it (without). */
  loadEject: boolean;
  /** IMMED: return before the operation finishes. Default false. */
  immediate?: boolean;
  /** POWER CONDITION, 0..15; 0 = act on start/loadEject. Default 0. */
  powerCondition?: number;
}

/** START STOP UNIT CDB: `1B | IMMED | 00 | 00 | power condition<<4 LoEj<<1 Start | control`. */
export function buildStartStopUnit(options: StartStopUnitOptions): ScsiCommand {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('Expected "options" to be an object with "start" and "loadEject"');
  }
  const start = checkBoolean('start', options.start);
  const loadEject = checkBoolean('loadEject', options.loadEject);
  const immediate = checkBoolean('immediate', options.immediate ?? false);
  const powerCondition = checkInteger('powerCondition', options.powerCondition ?? 0, 0, 15);
  const cdb = new Uint8Array(6);
  cdb[0] = Opcode.START_STOP_UNIT;
  cdb[1] = immediate ? 0x01 : 0x00;
  cdb[4] = (powerCondition << 4) | (loadEject ? 0x02 : 0) | (start ? 0x01 : 0);
  return { cdb, direction: 'none' };
}

export interface PreventAllowMediumRemovalOptions {
  /** Lock (true) or unlock (false) the tray. */
  prevent: boolean;
  /** Persistent prevent: survives a reset of the logical unit (MMC). Default false. */
  persistent?: boolean;
}

/** PREVENT ALLOW MEDIUM REMOVAL CDB: `1E | 00 | 00 | 00 | Persistent<<1 Prevent | control`. */
export function buildPreventAllowMediumRemoval(options: PreventAllowMediumRemovalOptions): ScsiCommand {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('Expected "options" to be an object with "prevent"');
  }
  const prevent = checkBoolean('prevent', options.prevent);
  const persistent = checkBoolean('persistent', options.persistent ?? false);
  const cdb = new Uint8Array(6);
  cdb[0] = Opcode.PREVENT_ALLOW_MEDIUM_REMOVAL;
  cdb[4] = (persistent ? 0x02 : 0) | (prevent ? 0x01 : 0);
  return { cdb, direction: 'none' };
}
