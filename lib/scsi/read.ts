/**
 * READ(10) (28h) and READ(12) (A8h): user data of Mode 1 / Mode 2 Form 1 sectors, DVD and BD
 * blocks (SBC/MMC; MMC-FACTS §2.4). Audio sectors need READ CD.
 */

import type { ScsiCommand } from '../transport/transport.js';
import { checkBoolean, checkInteger, writeBe16, writeBe32 } from './bytes.js';
import { Opcode } from './opcodes.js';

/**
 * Largest transfer a read builder accepts: far above any SG_IO limit (MMC-FACTS §1.9), it only
 * stops a typo from allocating gigabytes.
 */
export const MAX_READ_TRANSFER_BYTES = 16 * 1024 * 1024;

export interface Read10Options {
  /** LOGICAL BLOCK ADDRESS of the first block, 0..FFFFFFFFh. */
  lba: number;
  /** TRANSFER LENGTH in blocks, 1..65535. */
  sectorCount: number;
  /** Bytes per block, to size the transfer. Default 2048. */
  blockLength?: number;
  /** Force Unit Access: read the medium, not the drive cache (re-reads of bad sectors). Default false. */
  fua?: boolean;
  /** Disable Page Out: hint not to keep the data in cache. Default false. */
  dpo?: boolean;
}

export interface Read12Options extends Omit<Read10Options, 'sectorCount'> {
  /** TRANSFER LENGTH in blocks, 1..FFFFFFFFh (the transfer must stay ≤ 16 MiB). */
  sectorCount: number;
  /** Streaming: ask for real-time (stream) performance over error recovery. Default false. */
  streaming?: boolean;
}

interface ReadFields {
  lba: number;
  blockLength: number;
  flags: number;
}

function readFields(options: Read10Options | Read12Options): ReadFields {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('Expected "options" to be an object with "lba" and "sectorCount"');
  }
  const lba = checkInteger('lba', options.lba, 0, 0xffffffff);
  const blockLength = checkInteger('blockLength', options.blockLength ?? 2048, 1, 0xffff);
  const fua = checkBoolean('fua', options.fua ?? false);
  const dpo = checkBoolean('dpo', options.dpo ?? false);
  return { lba, blockLength, flags: (dpo ? 0x10 : 0) | (fua ? 0x08 : 0) };
}

function checkTransfer(sectorCount: number, blockLength: number): number {
  const dataLength = sectorCount * blockLength;
  if (dataLength > MAX_READ_TRANSFER_BYTES) {
    throw new RangeError(
      `Expected "sectorCount" × "blockLength" to be at most ${MAX_READ_TRANSFER_BYTES} bytes, got ${dataLength}`,
    );
  }
  return dataLength;
}

/** READ(10) CDB: `28 | DPO FUA | LBA BE32 | group | transfer length BE16 | control` (MMC-FACTS §2.4). */
export function buildRead10(options: Read10Options): ScsiCommand {
  const { lba, blockLength, flags } = readFields(options);
  const sectorCount = checkInteger('sectorCount', options.sectorCount, 1, 0xffff);
  const dataLength = checkTransfer(sectorCount, blockLength);
  const cdb = new Uint8Array(10);
  cdb[0] = Opcode.READ_10;
  cdb[1] = flags;
  writeBe32(cdb, 2, lba);
  writeBe16(cdb, 7, sectorCount);
  return { cdb, direction: 'in', dataLength };
}

/** READ(12) CDB: `A8 | DPO FUA | LBA BE32 | transfer length BE32 | Streaming | control` (MMC-FACTS §2.4). */
export function buildRead12(options: Read12Options): ScsiCommand {
  const { lba, blockLength, flags } = readFields(options);
  const sectorCount = checkInteger('sectorCount', options.sectorCount, 1, 0xffffffff);
  const streaming = checkBoolean('streaming', options.streaming ?? false);
  const dataLength = checkTransfer(sectorCount, blockLength);
  const cdb = new Uint8Array(12);
  cdb[0] = Opcode.READ_12;
  cdb[1] = flags;
  writeBe32(cdb, 2, lba);
  writeBe32(cdb, 6, sectorCount);
  cdb[10] = streaming ? 0x80 : 0x00;
  return { cdb, direction: 'in', dataLength };
}
