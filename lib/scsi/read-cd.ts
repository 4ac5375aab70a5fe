/**
 * READ CD (BEh) and READ CD MSF (B9h): raw CD sectors with any part of the main channel, C2 error
 * pointers and sub-channel (MMC; MMC-FACTS §2.5, §2.6), and the per-sector layout of what comes back.
 */

import { MalformedResponseError } from '../errors.js';
import type { ScsiCommand } from '../transport/transport.js';
import { checkBoolean, checkInteger, writeBe24, writeBe32 } from './bytes.js';
import { MIN_LEAD_IN_LBA, msfToLba, type Msf } from './msf.js';
import { Opcode } from './opcodes.js';
import { MAX_READ_TRANSFER_BYTES } from './read.js';

/** Expected Sector Type, CDB byte 1 bits 4–2: a sector of another type fails (typically 05/64/00). */
export const ExpectedSectorType = {
  /** No check; the drive stops where CD-DA and data sectors meet. */
  ANY: 0,
  CDDA: 1,
  MODE1: 2,
  /** Mode 2 without XA forms: 2336 user bytes. */
  MODE2_FORMLESS: 3,
  MODE2_FORM1: 4,
  MODE2_FORM2: 5,
} as const;

/** Header(s) Code, CDB byte 9 bits 6–5. */
export const HeaderCodes = {
  NONE: 0,
  /** The 4-byte header (MSF + mode). */
  HEADER: 1,
  /** The 8-byte XA subheader only. */
  SUBHEADER: 2,
  ALL: 3,
} as const;

/** Error Field (C2 error pointers), CDB byte 9 bits 2–1. */
export const ErrorField = {
  NONE: 0,
  /** 294 bytes: one bit per byte of the 2352-byte sector. */
  C2: 1,
  /** 296 bytes: block error byte, a pad byte, then the 294 C2 bytes. */
  C2_AND_BLOCK: 2,
} as const;

/** Sub-channel Data Selection, CDB byte 10 bits 2–0. */
export const SubChannelSelection = {
  NONE: 0,
  /** Raw interleaved P–W, 96 bytes. */
  RAW: 1,
  /** Formatted Q, 16 bytes. */
  Q: 2,
  /** De-interleaved and error-corrected R–W, 96 bytes. */
  RW: 4,
} as const;

/** The data-selection fields shared by READ CD and READ CD MSF, spec names verbatim. */
export interface ReadCdFields {
  /** Default ANY. */
  expectedSectorType: number;
  /** Digital Audio Play: the drive may conceal uncorrectable audio samples. Default false. */
  dap: boolean;
  /** SYNC field (12 bytes). Default true. */
  sync: boolean;
  /** Default ALL. */
  headerCodes: number;
  /** Default true. */
  userData: boolean;
  /** EDC/ECC field (and Mode 1 intermediate bytes). Default true. */
  edcEcc: boolean;
  /** Default NONE. */
  errorField: number;
  /** Default NONE. */
  subChannelSelection: number;
}

export interface ReadCdCommandOptions extends Partial<ReadCdFields> {
  /** Starting LBA, signed: −45150 reaches the start of the lead-in on drives that allow it. */
  lba: number;
  /** Transfer length in sectors, 1..FFFFFFh (and the transfer ≤ 16 MiB). */
  sectorCount: number;
}

export interface ReadCdMsfCommandOptions extends Partial<ReadCdFields> {
  /** First sector, binary MSF. */
  start: Msf;
  /** End, exclusive: sectorCount = msfToLba(end) − msfToLba(start). */
  end: Msf;
}

/** Byte sizes of each part of one returned sector, in MMC order. */
export interface ReadCdSectorLayout {
  sync: number;
  header: number;
  subheader: number;
  userData: number;
  edcEcc: number;
  /** sync + header + subheader + userData + edcEcc. */
  main: number;
  /** 0, 294 or 296. */
  c2: number;
  /** 0, 16 or 96. */
  subchannel: number;
  total: number;
}

const SPECIFIC_TYPES = [
  ExpectedSectorType.CDDA,
  ExpectedSectorType.MODE1,
  ExpectedSectorType.MODE2_FORMLESS,
  ExpectedSectorType.MODE2_FORM1,
  ExpectedSectorType.MODE2_FORM2,
];

/** User data and EDC/ECC sizes per data sector type (MMC-FACTS §3.5). */
const dataSizes = new Map<number, { userData: number; edcEcc: number; xa: boolean }>([
  [ExpectedSectorType.MODE1, { userData: 2048, edcEcc: 288, xa: false }],
  [ExpectedSectorType.MODE2_FORMLESS, { userData: 2336, edcEcc: 0, xa: false }],
  [ExpectedSectorType.MODE2_FORM1, { userData: 2048, edcEcc: 280, xa: true }],
  [ExpectedSectorType.MODE2_FORM2, { userData: 2324, edcEcc: 4, xa: true }],
]);

function checkFields(fields: Partial<ReadCdFields>): ReadCdFields {
  if (typeof fields !== 'object' || fields === null) {
    throw new TypeError('Expected the READ CD options to be an object');
  }
  const subChannelSelection = checkInteger('subChannelSelection', fields.subChannelSelection ?? 0, 0, 4);
  if (subChannelSelection === 3) {
    throw new RangeError(`Expected "subChannelSelection" to be 0, 1, 2 or 4, got 3`);
  }
  return {
    expectedSectorType: checkInteger('expectedSectorType', fields.expectedSectorType ?? 0, 0, 5),
    dap: checkBoolean('dap', fields.dap ?? false),
    sync: checkBoolean('sync', fields.sync ?? true),
    headerCodes: checkInteger('headerCodes', fields.headerCodes ?? HeaderCodes.ALL, 0, 3),
    userData: checkBoolean('userData', fields.userData ?? true),
    edcEcc: checkBoolean('edcEcc', fields.edcEcc ?? true),
    errorField: checkInteger('errorField', fields.errorField ?? 0, 0, 2),
    subChannelSelection,
  };
}

function layoutFor(fields: ReadCdFields, sectorType: number): ReadCdSectorLayout {
  let sync = 0;
  let header = 0;
  let subheader = 0;
  let userData = 0;
  let edcEcc = 0;
  const data = dataSizes.get(sectorType);
  if (data === undefined) {
    // CD-DA has no sync, header or EDC: user data selects the whole 2352-byte sector.
    userData = fields.userData ? 2352 : 0;
  } else {
    sync = fields.sync ? 12 : 0;
    header = fields.headerCodes & HeaderCodes.HEADER ? 4 : 0;
    subheader = fields.headerCodes & HeaderCodes.SUBHEADER && data.xa ? 8 : 0;
    userData = fields.userData ? data.userData : 0;
    edcEcc = fields.edcEcc ? data.edcEcc : 0;
  }
  const main = sync + header + subheader + userData + edcEcc;
  const c2 = fields.errorField === ErrorField.C2 ? 294 : fields.errorField === ErrorField.C2_AND_BLOCK ? 296 : 0;
  const subchannel =
    fields.subChannelSelection === SubChannelSelection.Q ? 16 : fields.subChannelSelection === SubChannelSelection.NONE ? 0 : 96;
  return { sync, header, subheader, userData, edcEcc, main, c2, subchannel, total: main + c2 + subchannel };
}

/**
 * Sizes of each part of a returned sector whose actual type is `sectorType` (CDDA … MODE2_FORM2),
 * per the MMC data-selection table (MMC-FACTS §2.5, §3.5). Unset fields take the buildReadCd
 * defaults (full 2352-byte main channel).
 */
export function readCdSectorLayout(flags: Partial<ReadCdFields>, sectorType: number): ReadCdSectorLayout {
  const fields = checkFields(flags);
  checkInteger('sectorType', sectorType, ExpectedSectorType.CDDA, ExpectedSectorType.MODE2_FORM2);
  return layoutFor(fields, sectorType);
}

/**
 * Bytes per returned sector for these fields. With expectedSectorType ANY the size must not depend
 * on the sector type (true for the full 2352-byte main channel); otherwise RangeError, because
 * the drive may return sectors of different sizes.
 */
export function readCdBytesPerSector(fields: Partial<ReadCdFields>): number {
  const checked = checkFields(fields);
  const sizes = candidateTotals(checked);
  const first = sizes[0] ?? 0;
  if (sizes.some((size) => size !== first)) {
    throw new RangeError(
      `Expected "expectedSectorType" to be set: with ANY the sector size depends on the sector type (${[...new Set(sizes)].join(', ')} bytes)`,
    );
  }
  return first;
}

function candidateTotals(fields: ReadCdFields): number[] {
  const types = fields.expectedSectorType === ExpectedSectorType.ANY ? SPECIFIC_TYPES : [fields.expectedSectorType];
  return types.map((type) => layoutFor(fields, type).total);
}

function dataSelection(fields: ReadCdFields): { byte1: number; byte9: number; byte10: number; bytesPerSector: number } {
  const bytesPerSector = Math.max(...candidateTotals(fields));
  if (bytesPerSector === 0) {
    throw new RangeError('Expected the READ CD fields to select at least one part of the sector');
  }
  return {
    byte1: (fields.expectedSectorType << 2) | (fields.dap ? 0x02 : 0),
    byte9:
      (fields.sync ? 0x80 : 0) |
      (fields.headerCodes << 5) |
      (fields.userData ? 0x10 : 0) |
      (fields.edcEcc ? 0x08 : 0) |
      (fields.errorField << 1),
    byte10: fields.subChannelSelection,
    // With ANY, allocate for the largest type; a drive returning less reports it as residual.
    bytesPerSector,
  };
}

function checkTransfer(sectorCount: number, bytesPerSector: number): number {
  const dataLength = sectorCount * bytesPerSector;
  if (dataLength > MAX_READ_TRANSFER_BYTES) {
    throw new RangeError(
      `Expected the READ CD transfer (${sectorCount} sectors × ${bytesPerSector} bytes) to be at most ${MAX_READ_TRANSFER_BYTES} bytes, got ${dataLength}`,
    );
  }
  return dataLength;
}

/**
 * READ CD CDB (MMC-FACTS §2.5): `BE | type<<2 DAP<<1 | LBA BE32 signed | transfer length BE24 |
 * SYNC HeaderCodes UserData EDC/ECC ErrorField | sub-channel | control`. Defaults read the full
 * 2352-byte sector of any type (byte 9 = F8h), no C2, no sub-channel.
 */
export function buildReadCd(options: ReadCdCommandOptions): ScsiCommand {
  const fields = checkFields(options);
  const lba = checkInteger('lba', options.lba, MIN_LEAD_IN_LBA, 0x7fffffff);
  const sectorCount = checkInteger('sectorCount', options.sectorCount, 1, 0xffffff);
  const selection = dataSelection(fields);
  const dataLength = checkTransfer(sectorCount, selection.bytesPerSector);
  const cdb = new Uint8Array(12);
  cdb[0] = Opcode.READ_CD;
  cdb[1] = selection.byte1;
  writeBe32(cdb, 2, lba);
  writeBe24(cdb, 6, sectorCount);
  cdb[9] = selection.byte9;
  cdb[10] = selection.byte10;
  return { cdb, direction: 'in', dataLength };
}

function checkMsf(name: string, msf: unknown): Msf {
  if (typeof msf !== 'object' || msf === null) {
    throw new TypeError(`Expected "${name}" to be an object {minute, second, frame}, got ${msf === null ? 'null' : typeof msf}`);
  }
  const value = msf as Partial<Msf>;
  return {
    minute: checkInteger(`${name}.minute`, value.minute, 0, 99),
    second: checkInteger(`${name}.second`, value.second, 0, 59),
    frame: checkInteger(`${name}.frame`, value.frame, 0, 74),
  };
}

/**
 * READ CD MSF CDB (MMC-FACTS §2.6): `B9 | type<<2 DAP<<1 | 00 | start M S F | end M S F | byte 9
 * as READ CD | sub-channel | control`, MSF binary, end exclusive. Same data-selection defaults as
 * buildReadCd.
 */
export function buildReadCdMsf(options: ReadCdMsfCommandOptions): ScsiCommand {
  const fields = checkFields(options);
  const start = checkMsf('start', options.start);
  const end = checkMsf('end', options.end);
  const sectorCount = msfToLba(end) - msfToLba(start);
  if (sectorCount < 1) {
    throw new RangeError(`Expected "end" to be after "start" (end is exclusive), got ${sectorCount} sectors`);
  }
  const selection = dataSelection(fields);
  const dataLength = checkTransfer(sectorCount, selection.bytesPerSector);
  const cdb = new Uint8Array(12);
  cdb[0] = Opcode.READ_CD_MSF;
  cdb[1] = selection.byte1;
  cdb[3] = start.minute;
  cdb[4] = start.second;
  cdb[5] = start.frame;
  cdb[6] = end.minute;
  cdb[7] = end.second;
  cdb[8] = end.frame;
  cdb[9] = selection.byte9;
  cdb[10] = selection.byte10;
  return { cdb, direction: 'in', dataLength };
}

/** One sector of a READ CD response, as views into the response buffer. */
export interface ReadCdSector {
  /** The selected main-channel parts (up to 2352 bytes). */
  main: Uint8Array;
  /** The 294 C2 error pointer bytes, when requested. */
  c2: Uint8Array | undefined;
  /** OR of all C2 bytes, when the 296-byte error field was requested. */
  blockErrorByte?: number;
  subchannel: Uint8Array | undefined;
}

export interface SplitReadCdOptions {
  /** Some drives send sub-channel before C2 (a quirk redumper detects; MMC-FACTS §2.5). Default false. */
  subchannelBeforeC2?: boolean;
}

/**
 * Splits a READ CD response into sectors (MMC order: main, C2, sub-channel) without copying. The
 * 296-byte error field is block error byte, pad byte, then the 294 C2 bytes. Throws
 * MalformedResponseError unless `data` holds exactly sectorCount × layout.total bytes.
 */
export function splitReadCdResponse(
  data: Uint8Array,
  layout: ReadCdSectorLayout,
  sectorCount: number,
  options: SplitReadCdOptions = {},
): ReadCdSector[] {
  checkInteger('sectorCount', sectorCount, 0, 0xffffff);
  const subchannelFirst = checkBoolean('subchannelBeforeC2', options.subchannelBeforeC2 ?? false);
  if (layout.main + layout.c2 + layout.subchannel !== layout.total) {
    throw new RangeError(
      `Expected "layout.total" to be main + c2 + subchannel (${layout.main + layout.c2 + layout.subchannel}), got ${layout.total}`,
    );
  }
  const expected = sectorCount * layout.total;
  if (data.length !== expected) {
    throw new MalformedResponseError(
      'READ CD',
      `expected ${expected} bytes (${sectorCount} sectors × ${layout.total}), got ${data.length}`,
      data,
    );
  }
  const sectors: ReadCdSector[] = [];
  for (let i = 0; i < sectorCount; i++) {
    const base = i * layout.total;
    const mainEnd = base + layout.main;
    const c2Start = subchannelFirst ? mainEnd + layout.subchannel : mainEnd;
    const subStart = subchannelFirst ? mainEnd : mainEnd + layout.c2;
    const sector: ReadCdSector = {
      main: data.subarray(base, mainEnd),
      c2: undefined,
      subchannel: layout.subchannel > 0 ? data.subarray(subStart, subStart + layout.subchannel) : undefined,
    };
    if (layout.c2 === 296) {
      sector.blockErrorByte = data[c2Start] ?? 0;
      sector.c2 = data.subarray(c2Start + 2, c2Start + 296);
    } else if (layout.c2 > 0) {
      sector.c2 = data.subarray(c2Start, c2Start + layout.c2);
    }
    sectors.push(sector);
  }
  return sectors;
}
