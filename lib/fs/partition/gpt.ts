/**
 * GUID Partition Table: header at LBA 1 (512-byte LBAs), entry array where it says, both
 * protected by CRC-32. ISO hybrids made by xorriso carry one next to the MBR and APM.
 */

import type { SectorSource } from '../../sources/sector-source.js';
import type { FsWarning } from '../types.js';
import { tryRead } from './apm.js';
import { crc32 } from '../../crc32.js';

export { crc32 };

/** Entry arrays larger than this are corrupt headers, not tables. */
const MAX_ENTRIES = 1024;

export interface GptEntry {
  index: number;
  typeGuid: string;
  uniqueGuid: string;
  firstLba: number;
  lastLba: number;
  attributes: bigint;
  name: string;
  /** Absolute byte address and length. */
  start: number;
  length: number;
}

export interface GptTable {
  at: number;
  revision: string;
  diskGuid: string;
  firstUsableLba: number;
  lastUsableLba: number;
  alternateLba: number;
  headerCrcOk: boolean;
  entriesCrcOk: boolean;
  entries: GptEntry[];
  warnings: FsWarning[];
}

function le32(b: Uint8Array, o: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(o, true);
}

function le64(b: Uint8Array, o: number): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(o, true);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** A GUID in its usual text form (first three fields little-endian). */
export function formatGuid(b: Uint8Array, o: number): string {
  const hex = (from: number, to: number, reverse: boolean): string => {
    const bytes = Array.from(b.subarray(o + from, o + to));
    if (reverse) bytes.reverse();
    return bytes.map((x) => x.toString(16).padStart(2, '0')).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`.toUpperCase();
}

/** Names of the partition types found on hybrids. */
export function gptTypeName(guid: string): string {
  const names: Record<string, string> = {
    'C12A7328-F81F-11D2-BA4B-00A0C93EC93B': 'EFI system',
    '48465300-0000-11AA-AA11-00306543ECAC': 'Apple HFS/HFS+',
    'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7': 'Microsoft basic data',
    '0FC63DAF-8483-4772-8E79-3D69D8477DE4': 'Linux filesystem',
    '21686148-6449-6E6F-744E-656564454649': 'BIOS boot',
  };
  return names[guid] ?? guid;
}

/**
 * Reads the GPT whose header is at byte `at` + 512. Undefined without the 'EFI PART' signature;
 * CRC mismatches are reported as warnings and flags, and the entries are still listed.
 */
export async function readGpt(source: SectorSource, at = source.firstLba * source.sectorSize): Promise<GptTable | undefined> {
  const header = await tryRead(source, at + 512, 512);
  if (header === undefined || String.fromCharCode(...header.subarray(0, 8)) !== 'EFI PART') return undefined;
  const warnings: FsWarning[] = [];
  const headerSize = le32(header, 12);
  let headerCrcOk = false;
  if (headerSize >= 92 && headerSize <= 512) {
    const copy = header.slice(0, headerSize);
    copy.fill(0, 16, 20);
    headerCrcOk = crc32(copy) === le32(header, 16);
  }
  if (!headerCrcOk) warnings.push({ code: 'gpt-header-crc', message: 'the GPT header CRC does not match' });
  const arrayLba = le64(header, 72);
  const count = le32(header, 80);
  const entrySize = le32(header, 84);
  const entries: GptEntry[] = [];
  let entriesCrcOk = false;
  if (entrySize < 128 || entrySize > 4096 || entrySize % 8 !== 0 || count > MAX_ENTRIES) {
    warnings.push({ code: 'gpt-entries', message: `implausible entry array: ${count} entries of ${entrySize} bytes` });
  } else {
    const array = await tryRead(source, at + arrayLba * 512, count * entrySize);
    if (array === undefined) {
      warnings.push({ code: 'gpt-entries', message: 'the partition entry array is unreadable or past the end' });
    } else {
      entriesCrcOk = crc32(array) === le32(header, 88);
      if (!entriesCrcOk) warnings.push({ code: 'gpt-entries-crc', message: 'the partition entry array CRC does not match' });
      for (let i = 0; i < count; i++) {
        const o = i * entrySize;
        if (array.subarray(o, o + 16).every((x) => x === 0)) continue;
        const firstLba = le64(array, o + 32);
        const lastLba = le64(array, o + 40);
        let name = '';
        for (let k = 0; k < 72; k += 2) {
          const ch = (array[o + 56 + k] ?? 0) | ((array[o + 57 + k] ?? 0) << 8);
          if (ch === 0) break;
          name += String.fromCharCode(ch);
        }
        entries.push({
          index: i + 1,
          typeGuid: formatGuid(array, o),
          uniqueGuid: formatGuid(array, o + 16),
          firstLba,
          lastLba,
          attributes: new DataView(array.buffer, array.byteOffset).getBigUint64(o + 48, true),
          name,
          start: at + firstLba * 512,
          length: lastLba >= firstLba ? (lastLba - firstLba + 1) * 512 : 0,
        });
      }
    }
  }
  return {
    at,
    revision: `${header[11]! * 256 + header[10]!}.${header[9]! * 256 + header[8]!}`,
    diskGuid: formatGuid(header, 56),
    firstUsableLba: le64(header, 40),
    lastUsableLba: le64(header, 48),
    alternateLba: le64(header, 32),
    headerCrcOk,
    entriesCrcOk,
    entries,
    warnings,
  };
}
