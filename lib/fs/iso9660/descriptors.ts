/**
 * Volume descriptors (ECMA-119 §8, and the older High Sierra layout): what `isoinfo -d` shows.
 * Parsing a descriptor never throws; problems become warnings for the reader to collect.
 */

import type { FsWarning } from '../types.js';
import { be32, both16, both32, decDateTime, isoText, le32, ucs2Text, type IsoDecDateTime } from './fields.js';

/** Volume descriptor type codes (8.1.1). */
export const VD_BOOT = 0;
export const VD_PRIMARY = 1;
export const VD_SUPPLEMENTARY = 2;
export const VD_PARTITION = 3;
export const VD_TERMINATOR = 255;

export type IsoFlavor = 'iso9660' | 'high-sierra';

/** A primary or supplementary volume descriptor, decoded. */
export interface IsoVolumeDescriptor {
  kind: 'primary' | 'supplementary';
  /** Source sector of the descriptor. */
  sector: number;
  version: number;
  /** SVD volume flags (bit 0: escape sequences not registered); 0 for a PVD. */
  volumeFlags: number;
  /** Joliet UCS-2 level 1–3 when the escape sequences say so. */
  jolietLevel: 1 | 2 | 3 | undefined;
  /** The 32 escape-sequence bytes, as hex ('' for a PVD). */
  escapeSequences: string;
  systemId: string;
  volumeId: string;
  volumeSetId: string;
  publisherId: string;
  dataPreparerId: string;
  applicationId: string;
  copyrightFileId: string;
  abstractFileId: string;
  bibliographicFileId: string;
  /** Logical blocks in the volume. */
  volumeSpaceSize: number;
  volumeSetSize: number;
  volumeSequenceNumber: number;
  logicalBlockSize: number;
  pathTableSize: number;
  /** Type L (little-endian) and type M (big-endian) path table locations. */
  pathTableL: number;
  pathTableM: number;
  /** The root directory record's extent (logical block) and length. */
  rootExtent: number;
  rootSize: number;
  /** The 34-byte root directory record (34 bytes; High Sierra's has the same size). */
  rootRecord: Uint8Array;
  creation: IsoDecDateTime;
  modification: IsoDecDateTime;
  expiration: IsoDecDateTime;
  effective: IsoDecDateTime;
  fileStructureVersion: number;
  /** 'CD-XA001' at application-use offset 141: a CD-ROM XA disc. */
  xa: boolean;
}

/** A boot record (type 0); El Torito when its system id says so. */
export interface IsoBootRecord {
  sector: number;
  bootSystemId: string;
  bootId: string;
  /** El Torito boot catalog sector, when this is an El Torito record. */
  elToritoCatalog: number | undefined;
}

/** Where the fields sit: ISO 9660 and High Sierra differ after the first bytes. */
interface Layout {
  type: number;
  id: number;
  version: number;
  system: number;
  volume: number;
  spaceSize: number;
  escapes: number;
  setSize: number;
  sequence: number;
  blockSize: number;
  pathTableSize: number;
  pathL: number;
  pathM: number;
  root: number;
  volumeSet: number;
  publisher: number;
  preparer: number;
  application: number;
  copyright: number;
  abstract: number;
  bibliographic: number | undefined;
  fileIdLength: number;
  dates: number;
  dateLength: number;
  structureVersion: number;
  applicationUse: number;
}

const ISO_LAYOUT: Layout = {
  type: 0, id: 1, version: 6, system: 8, volume: 40, spaceSize: 80, escapes: 88, setSize: 120, sequence: 124,
  blockSize: 128, pathTableSize: 132, pathL: 140, pathM: 148, root: 156, volumeSet: 190, publisher: 318, preparer: 446,
  application: 574, copyright: 702, abstract: 739, bibliographic: 776, fileIdLength: 37, dates: 813, dateLength: 17,
  structureVersion: 881, applicationUse: 883,
};

// High Sierra: an 8-byte sector number first, then the ISO layout shifted, shorter file ids,
// 16-byte dates without a zone, and no bibliographic file.
const HSF_LAYOUT: Layout = {
  type: 8, id: 9, version: 14, system: 16, volume: 48, spaceSize: 88, escapes: 96, setSize: 128, sequence: 132,
  blockSize: 136, pathTableSize: 140, pathL: 148, pathM: 164, root: 180, volumeSet: 214, publisher: 342, preparer: 470,
  application: 598, copyright: 726, abstract: 758, bibliographic: undefined, fileIdLength: 32, dates: 790, dateLength: 16,
  structureVersion: 854, applicationUse: 856,
};

/** Which standard a descriptor sector follows, or undefined when it is not a volume descriptor. */
export function descriptorFlavor(sector: Uint8Array): IsoFlavor | undefined {
  if (isoText(sector, 1, 5) === 'CD001') return 'iso9660';
  if (isoText(sector, 9, 5) === 'CDROM') return 'high-sierra';
  return undefined;
}

/** The type byte of a descriptor of the given flavor. */
export function descriptorType(sector: Uint8Array, flavor: IsoFlavor): number {
  return sector[flavor === 'iso9660' ? ISO_LAYOUT.type : HSF_LAYOUT.type] ?? -1;
}

/** Decodes a primary or supplementary volume descriptor of 2048 bytes. */
export function parseVolumeDescriptor(
  sector: Uint8Array, sectorNumber: number, flavor: IsoFlavor, warn: (w: FsWarning) => void,
): IsoVolumeDescriptor {
  const L = flavor === 'iso9660' ? ISO_LAYOUT : HSF_LAYOUT;
  const type = sector[L.type] ?? 0;
  const kind = type === VD_SUPPLEMENTARY ? 'supplementary' : 'primary';
  const escapes = sector.subarray(L.escapes, L.escapes + 32);
  const jolietLevel = kind === 'supplementary' ? jolietLevelOf(escapes) : undefined;
  // Joliet identifiers are UCS-2; everything else is a- or d-characters.
  const text = (offset: number, length: number): string =>
    jolietLevel === undefined ? isoText(sector, offset, length) : ucs2Text(sector, offset, length);
  const number32 = (name: string, offset: number): number => {
    const field = both32(sector, offset);
    if (!field.consistent) warn({ code: 'ISO_BOTH_ENDIAN', message: `descriptor at sector ${sectorNumber}: the two halves of ${name} differ` });
    return field.value;
  };
  const number16 = (name: string, offset: number): number => {
    const field = both16(sector, offset);
    if (!field.consistent) warn({ code: 'ISO_BOTH_ENDIAN', message: `descriptor at sector ${sectorNumber}: the two halves of ${name} differ` });
    return field.value;
  };
  const date = (index: number): IsoDecDateTime => {
    const offset = L.dates + index * L.dateLength;
    if (L.dateLength === 16) {
      // High Sierra dates have no zone byte: decode a copy with a zero offset appended.
      const copy = new Uint8Array(17);
      copy.set(sector.subarray(offset, offset + 16));
      return decDateTime(copy, 0);
    }
    return decDateTime(sector, offset);
  };
  const dates = [date(0), date(1), date(2), date(3)] as const;
  dates.forEach((d, i) => {
    if (!d.valid) warn({ code: 'ISO_BAD_DATE', message: `descriptor at sector ${sectorNumber}: ${['creation', 'modification', 'expiration', 'effective'][i]} date "${d.text}" is not a date` });
  });
  const rootRecord = sector.slice(L.root, L.root + 34);
  return {
    kind,
    sector: sectorNumber,
    version: sector[L.version] ?? 0,
    volumeFlags: kind === 'supplementary' ? (sector[7] ?? 0) : 0,
    jolietLevel,
    escapeSequences: kind === 'supplementary' ? Buffer.from(escapes).toString('hex').replace(/(00)+$/u, '') : '',
    systemId: text(L.system, 32),
    volumeId: text(L.volume, 32),
    volumeSetId: text(L.volumeSet, 128),
    publisherId: text(L.publisher, 128),
    dataPreparerId: text(L.preparer, 128),
    applicationId: text(L.application, 128),
    copyrightFileId: text(L.copyright, L.fileIdLength),
    abstractFileId: text(L.abstract, L.fileIdLength),
    bibliographicFileId: L.bibliographic === undefined ? '' : text(L.bibliographic, L.fileIdLength),
    volumeSpaceSize: number32('the volume space size', L.spaceSize),
    volumeSetSize: number16('the volume set size', L.setSize),
    volumeSequenceNumber: number16('the volume sequence number', L.sequence),
    logicalBlockSize: number16('the logical block size', L.blockSize),
    pathTableSize: number32('the path table size', L.pathTableSize),
    pathTableL: le32(sector, L.pathL),
    pathTableM: be32(sector, L.pathM),
    rootExtent: le32(rootRecord, 2),
    rootSize: le32(rootRecord, 10),
    rootRecord,
    creation: dates[0],
    modification: dates[1],
    expiration: dates[2],
    effective: dates[3],
    fileStructureVersion: sector[L.structureVersion] ?? 0,
    xa: isoText(sector, L.applicationUse + 141, 8) === 'CD-XA001',
  };
}

/** Decodes a boot record descriptor (type 0). */
export function parseBootRecord(sector: Uint8Array, sectorNumber: number): IsoBootRecord {
  const bootSystemId = isoText(sector, 7, 32);
  return {
    sector: sectorNumber,
    bootSystemId,
    bootId: isoText(sector, 39, 32),
    elToritoCatalog: bootSystemId === 'EL TORITO SPECIFICATION' ? le32(sector, 71) : undefined,
  };
}

/** Joliet escape sequences (%/@, %/C, %/E) anywhere in the 32-byte field. */
function jolietLevelOf(escapes: Uint8Array): 1 | 2 | 3 | undefined {
  for (let i = 0; i + 2 < escapes.length; i++) {
    if (escapes[i] !== 0x25 || escapes[i + 1] !== 0x2f) continue;
    const c = escapes[i + 2];
    if (c === 0x40) return 1;
    if (c === 0x43) return 2;
    if (c === 0x45) return 3;
  }
  return undefined;
}
