/**
 * El Torito boot catalog: the validation entry, the default (initial) entry and any section
 * headers with their entries. The catalog has no recorded length, so parsing stops at the first
 * entry that is neither a section header nor a boot entry, or at the end of the bytes given.
 */

import type { FsWarning } from '../types.js';
import { isoText, le16, le32 } from './fields.js';

/** Platform ids of validation entries and section headers. */
export const EL_TORITO_PLATFORMS: Record<number, string> = { 0: 'x86', 1: 'PowerPC', 2: 'Mac', 0xef: 'EFI' };

/** Boot media types (emulation) of boot entries, bits 0–3. */
export const EL_TORITO_EMULATIONS: Record<number, string> = {
  0: 'no emulation',
  1: '1.2 MB floppy',
  2: '1.44 MB floppy',
  3: '2.88 MB floppy',
  4: 'hard disk',
};

export interface ElToritoEntry {
  bootable: boolean;
  /** Boot indicator byte (0x88 bootable, 0x00 not). */
  bootIndicator: number;
  /** Media type bits 0–3 (0 = no emulation). */
  emulation: number;
  emulationName: string;
  /** Load segment as recorded (0 means the default 0x7C0). */
  loadSegment: number;
  systemType: number;
  /** Virtual 512-byte sectors to load. */
  sectorCount: number;
  /** Start of the boot image, in 2048-byte blocks. */
  loadRba: number;
  /** Section entries: selection criteria type (0 for the default entry). */
  selectionCriteria: number;
}

export interface ElToritoSection {
  platform: number;
  platformName: string;
  id: string;
  entries: ElToritoEntry[];
}

export interface ElToritoCatalog {
  /** Sector of the catalog. */
  sector: number;
  /** Validation entry: platform, id string, checksum as recorded and whether it sums to 0. */
  platform: number;
  platformName: string;
  id: string;
  checksum: number;
  checksumValid: boolean;
  /** 0x55 0xAA at bytes 30–31. */
  keyValid: boolean;
  defaultEntry: ElToritoEntry | undefined;
  sections: ElToritoSection[];
}

/** Most entries one catalog may have before the parser treats it as garbage. */
const MAX_ENTRIES = 1024;

/** Parses a boot catalog from `bytes` (one or more sectors read at `sector`). */
export function parseBootCatalog(bytes: Uint8Array, sector: number, warn: (w: FsWarning) => void): ElToritoCatalog {
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum = (sum + le16(bytes, i)) & 0xffff;
  const header = bytes[0];
  const keyValid = bytes[30] === 0x55 && bytes[31] === 0xaa;
  const catalog: ElToritoCatalog = {
    sector,
    platform: bytes[1] ?? 0,
    platformName: platformName(bytes[1] ?? 0),
    id: isoText(bytes, 4, 24),
    checksum: le16(bytes, 28),
    checksumValid: sum === 0,
    keyValid,
    defaultEntry: undefined,
    sections: [],
  };
  if (header !== 1 || !keyValid) {
    warn({ code: 'ELTORITO_BAD_VALIDATION', message: `boot catalog at sector ${sector}: no validation entry (header ${header}, key ${keyValid ? 'ok' : 'missing'})` });
    return catalog;
  }
  if (sum !== 0) warn({ code: 'ELTORITO_BAD_CHECKSUM', message: `boot catalog at sector ${sector}: validation entry checksum does not sum to 0` });
  catalog.defaultEntry = parseEntry(bytes, 32);
  let at = 64;
  let count = 0;
  while (at + 32 <= bytes.length && count++ < MAX_ENTRIES) {
    const kind = bytes[at];
    if (kind !== 0x90 && kind !== 0x91) break;
    const section: ElToritoSection = {
      platform: bytes[at + 1] ?? 0,
      platformName: platformName(bytes[at + 1] ?? 0),
      id: isoText(bytes, at + 4, 28),
      entries: [],
    };
    const entries = le16(bytes, at + 2);
    at += 32;
    for (let i = 0; i < entries && at + 32 <= bytes.length && count++ < MAX_ENTRIES; i++) {
      section.entries.push(parseEntry(bytes, at));
      at += 32;
      // Extension entries (0x44) follow an entry whose selection criteria continue.
      while (at + 32 <= bytes.length && bytes[at] === 0x44 && count++ < MAX_ENTRIES) at += 32;
    }
    catalog.sections.push(section);
    if (kind === 0x91) break;
  }
  return catalog;
}

function parseEntry(bytes: Uint8Array, at: number): ElToritoEntry {
  const emulation = (bytes[at + 1] ?? 0) & 0x0f;
  return {
    bootable: bytes[at] === 0x88,
    bootIndicator: bytes[at] ?? 0,
    emulation,
    emulationName: EL_TORITO_EMULATIONS[emulation] ?? `unknown (${emulation})`,
    loadSegment: le16(bytes, at + 2),
    systemType: bytes[at + 4] ?? 0,
    sectorCount: le16(bytes, at + 6),
    loadRba: le32(bytes, at + 8),
    selectionCriteria: bytes[at + 12] ?? 0,
  };
}

function platformName(platform: number): string {
  return EL_TORITO_PLATFORMS[platform] ?? `unknown (0x${platform.toString(16).padStart(2, '0')})`;
}
