/**
 * MODE SENSE(10) (5Ah) / MODE SELECT(10) (55h) and the two mode pages an optical reader cares
 * about: 01h Read/Write Error Recovery and 2Ah CD/DVD Capabilities (SPC/MMC; MMC-FACTS §2.13).
 */

import { MalformedResponseError } from '../errors.js';
import type { ScsiCommand } from '../transport/transport.js';
import { checkBoolean, checkInteger, readBe16, requireLength, toHex, writeBe16 } from './bytes.js';
import { Opcode } from './opcodes.js';

/** Mode page codes used here (MMC-FACTS §2.13). */
export const ModePage = {
  READ_WRITE_ERROR_RECOVERY: 0x01,
  CD_CAPABILITIES: 0x2a,
  /** Return all pages. */
  ALL: 0x3f,
} as const;

/** PC field of MODE SENSE: which values to return (SPC). */
export const PageControl = {
  CURRENT: 0,
  CHANGEABLE: 1,
  DEFAULT: 2,
  SAVED: 3,
} as const;

const SENSE = 'MODE SENSE(10)';

export interface ModeSense10Options {
  pageCode: number;
  /** 0 current, 1 changeable (a mask), 2 default, 3 saved. Default 0. */
  pageControl?: number;
  /** Default 0. */
  subpageCode?: number;
  /** Disable Block Descriptors (MMC drives have none). Default true. */
  dbd?: boolean;
  /** Default 256; re-issue with modeDataLength + 2 when the page did not fit. */
  allocationLength?: number;
}

/** MODE SENSE(10) CDB: `5A | DBD | PC<<6 page code | subpage | 00 00 00 | allocation BE16 | control`. */
export function buildModeSense10(options: ModeSense10Options): ScsiCommand {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('Expected "options" to be an object with "pageCode"');
  }
  const pageCode = checkInteger('pageCode', options.pageCode, 0, 0x3f);
  const pageControl = checkInteger('pageControl', options.pageControl ?? PageControl.CURRENT, 0, 3);
  const subpageCode = checkInteger('subpageCode', options.subpageCode ?? 0, 0, 0xff);
  const dbd = checkBoolean('dbd', options.dbd ?? true);
  const allocationLength = checkInteger('allocationLength', options.allocationLength ?? 256, 1, 0xffff);
  const cdb = new Uint8Array(10);
  cdb[0] = Opcode.MODE_SENSE_10;
  cdb[1] = dbd ? 0x08 : 0x00;
  cdb[2] = (pageControl << 6) | pageCode;
  cdb[3] = subpageCode;
  writeBe16(cdb, 7, allocationLength);
  return { cdb, direction: 'in', dataLength: allocationLength };
}

export interface ModePageData {
  pageCode: number;
  /** Present only for sub-page format pages (SPF bit set). */
  subpageCode?: number;
  /** PS: the page can be saved. */
  parametersSaveable: boolean;
  /** The whole page, header included (view into the response). */
  bytes: Uint8Array;
}

export interface ModeSense10Data {
  /** Bytes after the length field itself. */
  modeDataLength: number;
  mediumType: number;
  deviceSpecific: number;
  blockDescriptorLength: number;
  blockDescriptors: Uint8Array;
  /** Complete pages, in order. */
  pages: ModePageData[];
  /** The response ended before modeDataLength + 2 bytes (allocation too small); later pages are missing. */
  truncated: boolean;
}

/**
 * Decodes MODE SENSE(10) data: the 8-byte header, block descriptors and pages. When fewer bytes
 * arrived than the header announces (a small allocation length), the complete pages are returned
 * and `truncated` is set; a page running past the announced data is malformed and throws.
 */
export function parseModeSense10(data: Uint8Array): ModeSense10Data {
  requireLength(SENSE, data, 8, 'mode parameter header');
  const modeDataLength = readBe16(data, 0);
  if (modeDataLength < 6) {
    throw new MalformedResponseError(SENSE, `mode data length ${modeDataLength} is shorter than the header`, data);
  }
  const announced = modeDataLength + 2;
  const end = Math.min(data.length, announced);
  const truncated = data.length < announced;
  const blockDescriptorLength = readBe16(data, 6);
  const pagesStart = 8 + blockDescriptorLength;
  if (pagesStart > end) {
    throw new MalformedResponseError(
      SENSE,
      `block descriptor length ${blockDescriptorLength} runs past the ${end} bytes of mode data`,
      data,
    );
  }
  const pages: ModePageData[] = [];
  let offset = pagesStart;
  while (offset < end) {
    const page = pageAt(data, offset, end, truncated);
    if (page === undefined) break;
    pages.push(page);
    offset += page.bytes.length;
  }
  return {
    modeDataLength,
    mediumType: data[2] ?? 0,
    deviceSpecific: data[3] ?? 0,
    blockDescriptorLength,
    blockDescriptors: data.subarray(8, pagesStart),
    pages,
    truncated,
  };
}

/** The page at `offset`, or undefined when it is cut off by a truncated response. */
function pageAt(data: Uint8Array, offset: number, end: number, truncated: boolean): ModePageData | undefined {
  const b0 = data[offset] ?? 0;
  const subpageFormat = (b0 & 0x40) !== 0;
  const headerLength = subpageFormat ? 4 : 2;
  const pageEnd =
    offset + headerLength > end
      ? Number.POSITIVE_INFINITY
      : offset + headerLength + (subpageFormat ? readBe16(data, offset + 2) : (data[offset + 1] ?? 0));
  if (pageEnd > end) {
    if (truncated) return undefined;
    throw new MalformedResponseError(
      SENSE,
      `page 0x${toHex(b0 & 0x3f)} at byte ${offset} runs past the ${end} bytes of mode data`,
      data,
    );
  }
  const page: ModePageData = {
    pageCode: b0 & 0x3f,
    parametersSaveable: (b0 & 0x80) !== 0,
    bytes: data.subarray(offset, pageEnd),
  };
  if (subpageFormat) page.subpageCode = data[offset + 1] ?? 0;
  return page;
}

/** Length a page's own header announces (2 + page length, or 4 + BE16 for sub-page format). */
function announcedPageLength(page: Uint8Array): number | undefined {
  const b0 = page[0];
  if (b0 === undefined || page.length < 2) return undefined;
  if (b0 & 0x40) return page.length < 4 ? undefined : 4 + readBe16(page, 2);
  return 2 + (page[1] ?? 0);
}

export interface ModeSelect10Options {
  /** SP: also save the pages in non-volatile memory. Default false. */
  savePages?: boolean;
}

/**
 * MODE SELECT(10) (MMC-FACTS §2.13): `55 | PF=1 SP | … | parameter list length BE16 | control`,
 * data out = 8-byte header (mode data length 0, block descriptor length 0) followed by the pages,
 * their PS bit cleared as SPC requires. Each page must be exactly as long as its header says.
 */
export function buildModeSelect10(pages: Uint8Array[], options: ModeSelect10Options = {}): ScsiCommand {
  if (!Array.isArray(pages)) throw new TypeError('Expected "pages" to be an array of Uint8Array');
  const savePages = checkBoolean('savePages', options.savePages ?? false);
  let length = 8;
  pages.forEach((page, i) => {
    if (!(page instanceof Uint8Array)) {
      throw new TypeError(`Expected "pages[${i}]" to be a Uint8Array, got ${page === null ? 'null' : typeof page}`);
    }
    const announced = announcedPageLength(page);
    if (announced !== page.length) {
      throw new RangeError(
        `Expected "pages[${i}]" to be as long as its page header says (${announced ?? 'at least 2'} bytes), got ${page.length}`,
      );
    }
    length += page.length;
  });
  if (length > 0xffff) {
    throw new RangeError(`Expected the MODE SELECT parameter list to be at most 65535 bytes, got ${length}`);
  }
  const data = new Uint8Array(length);
  let offset = 8;
  for (const page of pages) {
    data.set(page, offset);
    data[offset] = (page[0] ?? 0) & 0x7f;
    offset += page.length;
  }
  const cdb = new Uint8Array(10);
  cdb[0] = Opcode.MODE_SELECT_10;
  cdb[1] = 0x10 | (savePages ? 0x01 : 0x00);
  writeBe16(cdb, 7, length);
  return { cdb, direction: 'out', data };
}

/** Checks page code and length; returns how many bytes the page really has. */
function pageLimit(page: Uint8Array, pageCode: number, minimumLength: number, name: string): number {
  if (!(page instanceof Uint8Array)) throw new TypeError(`Expected "page" to be a Uint8Array`);
  requireLength(SENSE, page, 2, `page 0x${toHex(pageCode)} header`);
  const code = (page[0] ?? 0) & 0x3f;
  if (code !== pageCode) {
    throw new MalformedResponseError(SENSE, `expected ${name} page 0x${toHex(pageCode)}, got page 0x${toHex(code)}`, page);
  }
  const limit = 2 + (page[1] ?? 0);
  requireLength(SENSE, page, limit, `page 0x${toHex(pageCode)} (page length ${limit - 2})`);
  if (limit < minimumLength) {
    throw new MalformedResponseError(
      SENSE,
      `page 0x${toHex(pageCode)} length ${limit - 2} is too short for ${name}, needs ${minimumLength - 2}`,
      page,
    );
  }
  return limit;
}

/** Read/Write Error Recovery page 01h (MMC-FACTS §2.13); bit names per SBC. */
export interface ErrorRecoveryPage {
  /** Automatic Write Reallocation Enabled. */
  awre: boolean;
  /** Automatic Read Reallocation Enabled. */
  arre: boolean;
  /** Transfer Block: send the unrecovered block anyway. */
  tb: boolean;
  /** Read Continuous: no delays for recovery. */
  rc: boolean;
  /** Enable Early Recovery. */
  eer: boolean;
  /** Post Error: report recovered errors. */
  per: boolean;
  /** Disable Transfer on Error: stop on recovered errors. */
  dte: boolean;
  /** Disable Correction. */
  dcr: boolean;
  /** Byte 3: how often the drive retries a read. */
  readRetryCount: number;
  /** Byte 8; undefined in the 8-byte page of old drives. */
  writeRetryCount: number | undefined;
  /** Bytes 10–11; undefined in the 8-byte page of old drives. */
  recoveryTimeLimitMs: number | undefined;
  /** The page as received (header included), up to its page length. */
  bytes: Uint8Array;
}

const ERROR_RECOVERY = 'error recovery';

/** Decodes page 01h (page length 0Ah, or 06h on old drives). */
export function parseErrorRecoveryPage(page: Uint8Array): ErrorRecoveryPage {
  const limit = pageLimit(page, ModePage.READ_WRITE_ERROR_RECOVERY, 4, ERROR_RECOVERY);
  const flags = page[2] ?? 0;
  return {
    awre: (flags & 0x80) !== 0,
    arre: (flags & 0x40) !== 0,
    tb: (flags & 0x20) !== 0,
    rc: (flags & 0x10) !== 0,
    eer: (flags & 0x08) !== 0,
    per: (flags & 0x04) !== 0,
    dte: (flags & 0x02) !== 0,
    dcr: (flags & 0x01) !== 0,
    readRetryCount: page[3] ?? 0,
    writeRetryCount: limit > 8 ? (page[8] ?? 0) : undefined,
    recoveryTimeLimitMs: limit >= 12 ? readBe16(page, 10) : undefined,
    bytes: page.subarray(0, limit),
  };
}

export type ErrorRecoveryFields = Partial<Omit<ErrorRecoveryPage, 'bytes'>>;

/**
 * Encodes page 01h, 12 bytes with page length 0Ah; unset flags are false, unset counts 0. To change
 * one value, prefer withReadRetryCount() on the current page: it keeps the bytes you did not mean
 * to touch.
 */
export function encodeErrorRecoveryPage(fields: ErrorRecoveryFields = {}): Uint8Array {
  const flagNames = ['awre', 'arre', 'tb', 'rc', 'eer', 'per', 'dte', 'dcr'] as const;
  let flags = 0;
  flagNames.forEach((name, i) => {
    if (checkBoolean(name, fields[name] ?? false)) flags |= 0x80 >> i;
  });
  const page = new Uint8Array(12);
  page[0] = ModePage.READ_WRITE_ERROR_RECOVERY;
  page[1] = 0x0a;
  page[2] = flags;
  page[3] = checkInteger('readRetryCount', fields.readRetryCount ?? 0, 0, 0xff);
  page[8] = checkInteger('writeRetryCount', fields.writeRetryCount ?? 0, 0, 0xff);
  writeBe16(page, 10, checkInteger('recoveryTimeLimitMs', fields.recoveryTimeLimitMs ?? 0, 0, 0xffff));
  return page;
}

/** A copy of page 01h with byte 3 (read retry count) replaced; rippers lower it to fail fast. */
export function withReadRetryCount(page: Uint8Array, readRetryCount: number): Uint8Array {
  const count = checkInteger('readRetryCount', readRetryCount, 0, 0xff);
  const limit = pageLimit(page, ModePage.READ_WRITE_ERROR_RECOVERY, 4, ERROR_RECOVERY);
  const copy = page.slice(0, limit);
  copy[3] = count;
  return copy;
}

export interface WriteSpeedDescriptor {
  /** 0 CLV, 1 CAV. */
  rotationControl: number;
  writeSpeedKBps: number;
}

/**
 * CD/DVD Capabilities and Mechanical Status page 2Ah (MMC-FACTS §2.13). Old drives send shorter
 * pages: numeric fields past the page length are undefined.
 */
export interface CapabilitiesPage {
  cdRRead: boolean;
  cdRwRead: boolean;
  method2: boolean;
  dvdRomRead: boolean;
  dvdRRead: boolean;
  dvdRamRead: boolean;
  cdRWrite: boolean;
  cdRwWrite: boolean;
  testWrite: boolean;
  dvdRWrite: boolean;
  dvdRamWrite: boolean;
  audioPlay: boolean;
  composite: boolean;
  digitalPort1: boolean;
  digitalPort2: boolean;
  mode2Form1: boolean;
  mode2Form2: boolean;
  multiSession: boolean;
  /** BUF: buffer under-run free recording. */
  bufferUnderrunProtection: boolean;
  cddaCommandsSupported: boolean;
  /** Audio reads land exactly on the requested sector. */
  cddaStreamIsAccurate: boolean;
  rwSupported: boolean;
  rwDeinterleavedCorrected: boolean;
  c2PointersSupported: boolean;
  isrc: boolean;
  /** UPC (the Media Catalogue Number). */
  upc: boolean;
  readBarCode: boolean;
  lock: boolean;
  lockState: boolean;
  preventJumper: boolean;
  eject: boolean;
  /** 0 caddy, 1 tray, 2 pop-up, 4 changer (individual discs), 5 changer (magazine). */
  loadingMechanismType: number;
  separateVolumeLevels: boolean;
  separateChannelMute: boolean;
  /** SDP: reports disc presence per slot (changers). */
  supportsDiscPresent: boolean;
  softwareSlotSelection: boolean;
  sideChangeCapable: boolean;
  /** R–W sub-channel readable in the lead-in (CD-TEXT). */
  rwInLeadIn: boolean;
  maxReadSpeedKBps: number | undefined;
  numberOfVolumeLevels: number | undefined;
  bufferSizeKiB: number | undefined;
  currentReadSpeedKBps: number | undefined;
  maxWriteSpeedKBps: number | undefined;
  currentWriteSpeedKBps: number | undefined;
  copyManagementRevision: number | undefined;
  /** 0 CLV, 1 CAV. */
  rotationControlSelected: number | undefined;
  currentWriteSpeedSelectedKBps: number | undefined;
  /**
   * Descriptors from byte 32; undefined when the page has no count (bytes 30–31). Descriptors the
   * count announces but the page does not hold are left out.
   */
  writeSpeedDescriptors: WriteSpeedDescriptor[] | undefined;
}

/** Decodes page 2Ah; needs at least bytes 0–7 (page length ≥ 6). */
export function parseCapabilitiesPage(page: Uint8Array): CapabilitiesPage {
  const limit = pageLimit(page, ModePage.CD_CAPABILITIES, 8, 'capabilities');
  const bit = (byte: number, mask: number): boolean => ((page[byte] ?? 0) & mask) !== 0;
  const be16 = (offset: number): number | undefined => (offset + 2 <= limit ? readBe16(page, offset) : undefined);
  let writeSpeedDescriptors: WriteSpeedDescriptor[] | undefined;
  const count = be16(30);
  if (count !== undefined) {
    writeSpeedDescriptors = [];
    for (let i = 0, offset = 32; i < count && offset + 4 <= limit; i++, offset += 4) {
      writeSpeedDescriptors.push({ rotationControl: (page[offset + 1] ?? 0) & 0x07, writeSpeedKBps: readBe16(page, offset + 2) });
    }
  }
  return {
    cdRRead: bit(2, 0x01),
    cdRwRead: bit(2, 0x02),
    method2: bit(2, 0x04),
    dvdRomRead: bit(2, 0x08),
    dvdRRead: bit(2, 0x10),
    dvdRamRead: bit(2, 0x20),
    cdRWrite: bit(3, 0x01),
    cdRwWrite: bit(3, 0x02),
    testWrite: bit(3, 0x04),
    dvdRWrite: bit(3, 0x10),
    dvdRamWrite: bit(3, 0x20),
    audioPlay: bit(4, 0x01),
    composite: bit(4, 0x02),
    digitalPort1: bit(4, 0x04),
    digitalPort2: bit(4, 0x08),
    mode2Form1: bit(4, 0x10),
    mode2Form2: bit(4, 0x20),
    multiSession: bit(4, 0x40),
    bufferUnderrunProtection: bit(4, 0x80),
    cddaCommandsSupported: bit(5, 0x01),
    cddaStreamIsAccurate: bit(5, 0x02),
    rwSupported: bit(5, 0x04),
    rwDeinterleavedCorrected: bit(5, 0x08),
    c2PointersSupported: bit(5, 0x10),
    // UPC is bit 6 and ISRC bit 5 (MMC; MMC-FACTS §2.13 has them swapped).
    isrc: bit(5, 0x20),
    upc: bit(5, 0x40),
    readBarCode: bit(5, 0x80),
    lock: bit(6, 0x01),
    lockState: bit(6, 0x02),
    preventJumper: bit(6, 0x04),
    eject: bit(6, 0x08),
    loadingMechanismType: (page[6] ?? 0) >> 5,
    separateVolumeLevels: bit(7, 0x01),
    separateChannelMute: bit(7, 0x02),
    supportsDiscPresent: bit(7, 0x04),
    softwareSlotSelection: bit(7, 0x08),
    sideChangeCapable: bit(7, 0x10),
    rwInLeadIn: bit(7, 0x20),
    maxReadSpeedKBps: be16(8),
    numberOfVolumeLevels: be16(10),
    bufferSizeKiB: be16(12),
    currentReadSpeedKBps: be16(14),
    maxWriteSpeedKBps: be16(18),
    currentWriteSpeedKBps: be16(20),
    copyManagementRevision: be16(22),
    rotationControlSelected: limit > 27 ? (page[27] ?? 0) & 0x03 : undefined,
    currentWriteSpeedSelectedKBps: be16(28),
    writeSpeedDescriptors,
  };
}
