/**
 * MBR partition table (ISO hybrids carry one in the system area): four 16-byte entries at byte
 * 446 and 55 AA at 510, in 512-byte sectors.
 */

import type { SectorSource } from '../../sources/sector-source.js';
import { tryRead } from './apm.js';

export interface MbrEntry {
  /** 1–4. */
  index: number;
  bootable: boolean;
  type: number;
  /** In 512-byte sectors. */
  startLba: number;
  sectorCount: number;
  /** Absolute byte address and length. */
  start: number;
  length: number;
}

export interface MbrTable {
  at: number;
  entries: MbrEntry[];
  /** One entry of type 0xEE: the disk is described by a GPT. */
  protective: boolean;
}

function le32(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16)) + (b[o + 3] ?? 0) * 0x1000000;
}

/**
 * Parses the 512 bytes of a master boot record. Undefined without the 55 AA signature, with a
 * status byte other than 0x00/0x80, or with no non-empty entry (a FAT boot sector or a blank
 * system area also ends in 55 AA).
 */
export function parseMbr(sector: Uint8Array, at = 0): MbrTable | undefined {
  if (sector.length < 512 || sector[510] !== 0x55 || sector[511] !== 0xaa) return undefined;
  const entries: MbrEntry[] = [];
  for (let i = 0; i < 4; i++) {
    const o = 446 + i * 16;
    const status = sector[o] ?? 0;
    if (status !== 0 && status !== 0x80) return undefined;
    const type = sector[o + 4] ?? 0;
    const startLba = le32(sector, o + 8);
    const sectorCount = le32(sector, o + 12);
    if (type === 0 || sectorCount === 0) continue;
    entries.push({ index: i + 1, bootable: status === 0x80, type, startLba, sectorCount, start: at + startLba * 512, length: sectorCount * 512 });
  }
  if (entries.length === 0) return undefined;
  return { at, entries, protective: entries.some((e) => e.type === 0xee) };
}

/** Reads and parses the MBR at byte `at` of the source (default its first byte). */
export async function readMbr(source: SectorSource, at = source.firstLba * source.sectorSize): Promise<MbrTable | undefined> {
  const sector = await tryRead(source, at, 512);
  return sector === undefined ? undefined : parseMbr(sector, at);
}

/** Short names of the types seen on optical media and hybrids. */
export function mbrTypeName(type: number): string {
  const names: Record<number, string> = {
    0x00: 'empty', 0x01: 'FAT12', 0x04: 'FAT16', 0x06: 'FAT16', 0x07: 'NTFS/exFAT', 0x0b: 'FAT32', 0x0c: 'FAT32 (LBA)',
    0x0e: 'FAT16 (LBA)', 0x17: 'hidden NTFS (ISO hybrid)', 0x83: 'Linux', 0x96: 'CHRP ISO 9660', 0xa5: 'FreeBSD',
    0xaf: 'HFS/HFS+', 0xcd: 'ISO 9660 (isohybrid)', 0xee: 'GPT protective', 0xef: 'EFI system',
  };
  return names[type] ?? `type 0x${type.toString(16).padStart(2, '0')}`;
}
