/**
 * Apple Partition Map: a Driver Descriptor ('ER') in block 0 and one 'PM' entry per block from
 * block 1. Hybrid CDs use 512- or 2048-byte map blocks; the descriptor says which.
 */

import { readAscii, readBe16, readBe32 } from '../../scsi/bytes.js';
import { FsReadError, readBytes } from '../read-bytes.js';
import type { SectorSource } from '../../sources/sector-source.js';
import type { FsWarning } from '../types.js';

/** Block sizes real maps use; anything else in the descriptor is not a map (x86 code, data). */
const SANE_BLOCK_SIZES = [512, 1024, 2048, 4096];
/** More entries than this is a corrupt count, not a map. */
const MAX_ENTRIES = 256;

export interface ApmEntry {
  /** 1-based entry number (its block in the map). */
  index: number;
  name: string;
  type: string;
  /** In map blocks. */
  startBlock: number;
  blockCount: number;
  /** Absolute byte address of the partition and its length. */
  start: number;
  length: number;
  status: number;
}

export interface ApplePartitionMap {
  /** Absolute byte address of block 0. */
  at: number;
  blockSize: number;
  /** The descriptor's device size in blocks, as recorded. */
  declaredBlockCount: number;
  /** Bytes the map says the device holds: the end of its last partition. */
  sizeBytes: number;
  entries: ApmEntry[];
  warnings: FsWarning[];
}

/**
 * Reads the map at byte `at` (the device's first byte). Returns undefined unless block 0 is a
 * Driver Descriptor with a sane block size and block 1 a 'PM' entry: the bytes 'ER' alone also
 * begin x86 boot code on ISO hybrids, whose next bytes are no block count.
 */
export async function readApplePartitionMap(source: SectorSource, at = source.firstLba * source.sectorSize): Promise<ApplePartitionMap | undefined> {
  const ddm = await tryRead(source, at, 512);
  if (ddm === undefined || ddm[0] !== 0x45 || ddm[1] !== 0x52) return undefined;
  const blockSize = readBe16(ddm, 2);
  if (!SANE_BLOCK_SIZES.includes(blockSize)) return undefined;
  const declaredBlockCount = readBe32(ddm, 4);
  const first = await tryRead(source, at + blockSize, 512);
  if (first === undefined || !isEntry(first)) return undefined;
  const count = Math.min(readBe32(first, 4), MAX_ENTRIES);
  const warnings: FsWarning[] = [];
  if (readBe32(first, 4) > MAX_ENTRIES) warnings.push({ code: 'apm-entry-count', message: `the map claims ${readBe32(first, 4)} entries; read ${MAX_ENTRIES}` });
  const entries: ApmEntry[] = [];
  for (let index = 1; index <= count; index++) {
    const block = index === 1 ? first : await tryRead(source, at + index * blockSize, 512);
    if (block === undefined || !isEntry(block)) {
      warnings.push({ code: 'apm-entry-missing', message: `map entry ${index} of ${count} is missing or unreadable` });
      break;
    }
    const startBlock = readBe32(block, 8);
    const blockCount = readBe32(block, 12);
    entries.push({
      index,
      name: readAscii(block, 16, 32),
      type: readAscii(block, 48, 32),
      startBlock,
      blockCount,
      start: at + startBlock * blockSize,
      length: blockCount * blockSize,
      status: readBe32(block, 88),
    });
  }
  const endBlocks = entries.reduce((end, e) => Math.max(end, e.startBlock + e.blockCount), 0);
  if (declaredBlockCount !== endBlocks) {
    warnings.push({
      code: 'apm-block-count',
      message: `the driver descriptor declares ${declaredBlockCount} blocks but the partitions end at block ${endBlocks}; using the partitions`,
    });
  }
  return { at, blockSize, declaredBlockCount, sizeBytes: endBlocks * blockSize, entries, warnings };
}

function isEntry(block: Uint8Array): boolean {
  return block[0] === 0x50 && block[1] === 0x4d && readBe32(block, 4) > 0;
}

/** The bytes, or undefined past the end or on an unreadable sector (detection never throws for those). */
export async function tryRead(source: SectorSource, at: number, length: number): Promise<Uint8Array | undefined> {
  try {
    return await readBytes(source, at, length);
  } catch (error) {
    if (error instanceof FsReadError) return undefined;
    throw error;
  }
}
