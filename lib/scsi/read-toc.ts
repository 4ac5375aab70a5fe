/**
 * READ TOC/PMA/ATIP (43h), MMC-6 "READ TOC/PMA/ATIP Command", and its response formats
 * (MMC-FACTS §2.7, §3.10).
 *
 * Every response starts with a 4-byte header whose bytes 0-1 hold the data length (excluding those
 * two bytes): the complete response is `readBe16(data, 0) + 2` bytes, so the Drive re-issues with
 * `requiredAllocationLength(data, 2)` when that exceeds what it allocated.
 */

import { crc16Gsm } from '../cd/crc16-gsm.js';
import { MalformedResponseError } from '../errors.js';
import type { ScsiCommand } from '../transport/transport.js';
import { checkBoolean, checkInteger, readBe16, readBe32Signed, writeBe16 } from './bytes.js';
import { msfToLba, type Msf } from './msf.js';
import { Opcode } from './opcodes.js';

const COMMAND = 'READ TOC/PMA/ATIP';

/** Format field of READ TOC/PMA/ATIP (MMC-6 READ TOC/PMA/ATIP, "Format field definition"). */
export const TocFormat = {
  /** Formatted TOC: one descriptor per track plus the lead-out (AAh). */
  TOC: 0,
  /** Multi-session information: first track and start of the last complete session. */
  SESSION_INFO: 1,
  /** Raw TOC: the Q sub-channel of the lead-in(s), one 11-byte descriptor per entry. */
  FULL_TOC: 2,
  /** Program Memory Area of recordable media. */
  PMA: 3,
  /** Absolute Time In Pre-groove of recordable media. */
  ATIP: 4,
  /** CD-TEXT from the lead-in R-W sub-channels. */
  CD_TEXT: 5,
} as const;
export type TocFormat = (typeof TocFormat)[keyof typeof TocFormat];

export interface ReadTocOptions {
  /** TocFormat value, 0-5. */
  format: number;
  /** MSF bit: addresses as minute/second/frame instead of LBA (formats 0 and 1). Default false. */
  msf?: boolean;
  /** Track/Session Number (byte 6): starting track (format 0) or session (formats 1, 2). Default 0. */
  trackSessionNumber?: number;
  /** Allocation Length, 1-65535. Default 4096. */
  allocationLength?: number;
  /**
   * Also put the format in byte 9 bits 7-6 (formats 0-2 only), where SFF-8020i ATAPI drives and
   * QEMU's ide-cd read it (QEMU-NOTES). MMC drives treat those bits as vendor-specific control bits.
   * Default true.
   */
  legacyFormatField?: boolean;
}

/**
 * READ TOC/PMA/ATIP CDB (MMC-6 READ TOC/PMA/ATIP, "The CDB and its parameters"): `43 | b1 bit1 MSF | b2
 * bits3-0 Format | b6 Track/Session Number | b7-8 Allocation Length | b9 Control` (+ format in b9 bits 7-6,
 * see `legacyFormatField`).
 */
export function buildReadToc(options: ReadTocOptions): ScsiCommand {
  const format = checkInteger('format', options.format, 0, 5);
  const msf = checkBoolean('msf', options.msf ?? false);
  const trackSessionNumber = checkInteger('trackSessionNumber', options.trackSessionNumber ?? 0, 0, 0xff);
  const allocationLength = checkInteger('allocationLength', options.allocationLength ?? 4096, 1, 0xffff);
  const legacyFormatField = checkBoolean('legacyFormatField', options.legacyFormatField ?? true);
  const cdb = new Uint8Array(10);
  cdb[0] = Opcode.READ_TOC_PMA_ATIP;
  cdb[1] = msf ? 0x02 : 0x00;
  cdb[2] = format;
  cdb[6] = trackSessionNumber;
  writeBe16(cdb, 7, allocationLength);
  if (legacyFormatField && format <= 2) cdb[9] = format << 6;
  return { cdb, direction: 'in', dataLength: allocationLength };
}

/**
 * Program-area MSF (binary) to LBA: (M*60+S)*75+F−150 for every minute value. Unlike `msfToLba`, 90+
 * minutes stay positive: TOC addresses lie in the program area, also on overburned discs.
 */
function programMsfToLba(m: number, s: number, f: number): number {
  return (m * 60 + s) * 75 + f - 150;
}

function isValidMsf(m: number, s: number, f: number): boolean {
  return m <= 99 && s < 60 && f < 75;
}

function readMsf(data: Uint8Array, offset: number, what: string): Msf {
  const minute = data[offset] ?? 0;
  const second = data[offset + 1] ?? 0;
  const frame = data[offset + 2] ?? 0;
  if (!isValidMsf(minute, second, frame)) {
    throw new MalformedResponseError(COMMAND, `${what}: invalid MSF ${minute}:${second}:${frame}`, data);
  }
  return { minute, second, frame };
}

/**
 * Checks the 4-byte header and returns the end of the data the length field covers. A response
 * whose length field announces more than was received is rejected: the caller re-issues with a
 * larger allocation length instead of parsing a partial table.
 */
function coveredEnd(data: Uint8Array, descriptorSize: number, what: string): number {
  if (data.length < 4) {
    throw new MalformedResponseError(COMMAND, `${what}: header needs 4 bytes, got ${data.length}`, data);
  }
  const end = readBe16(data, 0) + 2;
  if (end < 4) {
    throw new MalformedResponseError(COMMAND, `${what}: data length ${end - 2} is shorter than the header`, data);
  }
  if ((end - 4) % descriptorSize !== 0) {
    throw new MalformedResponseError(
      COMMAND,
      `${what}: data length ${end - 2} is not 2 + n×${descriptorSize}`,
      data,
    );
  }
  if (end > data.length) {
    throw new MalformedResponseError(
      COMMAND,
      `${what}: truncated: the drive announced ${end} bytes, ${data.length} received`,
      data,
    );
  }
  return end;
}

/**
 * One Track Descriptor of the formatted TOC (MMC-6 READ TOC/PMA/ATIP, "Response Format 0000b: Formatted
 * TOC").
 */
export interface TocTrackDescriptor {
  /** ADR: 1 = position (Q mode 1). */
  adr: number;
  /** CONTROL nibble: 0x4 data, 0x1 pre-emphasis/incremental, 0x2 copy permitted, 0x8 four channels. */
  control: number;
  /** Track Number; AAh for the lead-out. */
  trackNumber: number;
  isLeadOut: boolean;
  /** CONTROL bit 2: a data track. */
  isData: boolean;
  /** Track Start Address as LBA, converted from MSF when the MSF bit was set. */
  lba: number;
  /** Track Start Address as sent, when the MSF bit was set. */
  msf?: Msf;
}

/**
 * READ TOC/PMA/ATIP format 0000b, formatted TOC (MMC-6 READ TOC/PMA/ATIP, "Response Format 0000b: Formatted
 * TOC").
 */
export interface TocData {
  firstTrack: number;
  lastTrack: number;
  tracks: TocTrackDescriptor[];
}

export interface AddressFormatOptions {
  /** The MSF bit the command was sent with. */
  msf: boolean;
}

function parseTrackDescriptor(data: Uint8Array, offset: number, msf: boolean, what: string): TocTrackDescriptor {
  const adrControl = data[offset + 1] ?? 0;
  const control = adrControl & 0x0f;
  const trackNumber = data[offset + 2] ?? 0;
  const descriptor: TocTrackDescriptor = {
    adr: adrControl >> 4,
    control,
    trackNumber,
    isLeadOut: trackNumber === 0xaa,
    isData: (control & 0x04) !== 0,
    lba: 0,
  };
  if (msf) {
    const time = readMsf(data, offset + 5, `${what} track ${trackNumber}`);
    descriptor.msf = time;
    descriptor.lba = programMsfToLba(time.minute, time.second, time.frame);
  } else {
    descriptor.lba = readBe32Signed(data, offset + 4);
  }
  return descriptor;
}

/**
 * Parses READ TOC/PMA/ATIP format 0000b (MMC-6 READ TOC/PMA/ATIP, "Response Format 0000b: Formatted TOC"):
 * header (First/Last Track Number) and 8-byte Track Descriptors up to and including the lead-out (AAh).
 */
export function parseToc(data: Uint8Array, options: AddressFormatOptions): TocData {
  const msf = checkBoolean('msf', options.msf);
  const end = coveredEnd(data, 8, 'TOC');
  const firstTrack = data[2] ?? 0;
  const lastTrack = data[3] ?? 0;
  if (firstTrack > lastTrack) {
    throw new MalformedResponseError(COMMAND, `TOC: first track ${firstTrack} > last track ${lastTrack}`, data);
  }
  const tracks: TocTrackDescriptor[] = [];
  for (let offset = 4; offset < end; offset += 8) tracks.push(parseTrackDescriptor(data, offset, msf, 'TOC'));
  return { firstTrack, lastTrack, tracks };
}

/**
 * READ TOC/PMA/ATIP format 0001b, multi-session information (MMC-6 READ TOC/PMA/ATIP, "Response Format
 * 0001b: Multi-session Information").
 */
export interface SessionInfo {
  /** First Complete Session Number. */
  firstSession: number;
  /** Last Complete Session Number. */
  lastSession: number;
  /** First Track Number in Last Complete Session. */
  firstTrackInLastSession: number;
  /** Start Address of First Track in Last Session, as LBA (converted when MSF was set). */
  lastSessionStartLba: number;
  /** Start address as sent, when the MSF bit was set. */
  lastSessionStartMsf?: Msf;
  adr: number;
  control: number;
}

/**
 * Parses READ TOC/PMA/ATIP format 0001b (MMC-6 READ TOC/PMA/ATIP, "Response Format 0001b: Multi-session
 * Information"): the header's First/Last Complete Session Number and one Track Descriptor for the first
 * track of the last complete session. This is where a multisession ISO 9660 reader finds the newest volume
 * descriptors (+16).
 */
export function parseSessionInfo(data: Uint8Array, options: AddressFormatOptions): SessionInfo {
  const msf = checkBoolean('msf', options.msf);
  const end = coveredEnd(data, 8, 'session info');
  if (end < 12) throw new MalformedResponseError(COMMAND, 'session info: no track descriptor', data);
  const firstSession = data[2] ?? 0;
  const lastSession = data[3] ?? 0;
  if (firstSession > lastSession) {
    throw new MalformedResponseError(
      COMMAND,
      `session info: first session ${firstSession} > last session ${lastSession}`,
      data,
    );
  }
  const descriptor = parseTrackDescriptor(data, 4, msf, 'session info');
  const info: SessionInfo = {
    firstSession,
    lastSession,
    firstTrackInLastSession: descriptor.trackNumber,
    lastSessionStartLba: descriptor.lba,
    adr: descriptor.adr,
    control: descriptor.control,
  };
  if (descriptor.msf) info.lastSessionStartMsf = descriptor.msf;
  return info;
}

/**
 * One 11-byte descriptor of the raw TOC (MMC-6 READ TOC/PMA/ATIP, "Response Format 0010b: Raw TOC"): a
 * lead-in Q sub-channel entry. All time fields are binary, not BCD (MMC defines the Full TOC response in
 * binary; drives convert from Q).
 */
export interface FullTocDescriptor {
  /** Session Number. */
  session: number;
  adr: number;
  control: number;
  /** TNO: 0 in the lead-in. */
  tno: number;
  /** POINT: 01h-63h track, A0h first track, A1h last track, A2h lead-out, B0h/C0h (ADR 5) … */
  point: number;
  /** MIN/SEC/FRAME: lead-in running time (ADR 1), or per-POINT meaning (ADR 5). */
  min: number;
  sec: number;
  frame: number;
  /** ZERO (HOUR/PHOUR on DDCD); for B0h the number of ADR 5 pointers. */
  zero: number;
  pmin: number;
  psec: number;
  pframe: number;
}

/**
 * READ TOC/PMA/ATIP format 0010b, full (raw) TOC (MMC-6 READ TOC/PMA/ATIP, "Response Format 0010b: Raw
 * TOC").
 */
export interface FullTocData {
  /** First Complete Session Number. */
  firstSession: number;
  /** Last Complete Session Number. */
  lastSession: number;
  descriptors: FullTocDescriptor[];
}

/**
 * Parses READ TOC/PMA/ATIP format 0010b (MMC-6 READ TOC/PMA/ATIP, "Response Format 0010b: Raw TOC"): header
 * and 11-byte descriptors.
 */
export function parseFullToc(data: Uint8Array): FullTocData {
  const end = coveredEnd(data, 11, 'full TOC');
  const firstSession = data[2] ?? 0;
  const lastSession = data[3] ?? 0;
  if (firstSession > lastSession) {
    throw new MalformedResponseError(
      COMMAND,
      `full TOC: first session ${firstSession} > last session ${lastSession}`,
      data,
    );
  }
  const descriptors: FullTocDescriptor[] = [];
  for (let o = 4; o < end; o += 11) {
    const adrControl = data[o + 1] ?? 0;
    descriptors.push({
      session: data[o] ?? 0,
      adr: adrControl >> 4,
      control: adrControl & 0x0f,
      tno: data[o + 2] ?? 0,
      point: data[o + 3] ?? 0,
      min: data[o + 4] ?? 0,
      sec: data[o + 5] ?? 0,
      frame: data[o + 6] ?? 0,
      zero: data[o + 7] ?? 0,
      pmin: data[o + 8] ?? 0,
      psec: data[o + 9] ?? 0,
      pframe: data[o + 10] ?? 0,
    });
  }
  return { firstSession, lastSession, descriptors };
}

/** A track start from a full-TOC POINT 01h-63h entry. */
export interface FullTocTrack {
  trackNumber: number;
  control: number;
  adr: number;
  /** PMIN/PSEC/PFRAME as LBA. */
  startLba: number;
}

/** One session of a summarized full TOC. */
export interface FullTocSession {
  session: number;
  /** A0h PMIN (else the lowest track POINT). */
  firstTrack: number;
  /** A1h PMIN (else the highest track POINT). */
  lastTrack: number;
  /** A0h PSEC: 00h CD-DA or CD-ROM, 10h CD-I, 20h CD-ROM XA; undefined without A0h. */
  discType: number | undefined;
  /** A2h PMIN/PSEC/PFRAME as LBA: where this session's lead-out starts. */
  leadOutLba: number;
  /** Track starts of this session, ascending by track number. */
  tracks: FullTocTrack[];
  /** B0h (ADR 5) MIN/SEC/FRAME: start of the next possible program area; absent when FF:FF:FF (closed). */
  nextProgramAreaLba?: number;
  /** B0h (ADR 5) PMIN/PSEC/PFRAME: maximum start of the outermost lead-out. */
  lastPossibleLeadOutLba?: number;
  /** C0h (ADR 5) PMIN/PSEC/PFRAME: start of the first lead-in of the disc (negative LBA). */
  firstLeadInLba?: number;
  /** Every descriptor other than A0h/A1h/A2h and track entries with ADR 1, raw (B0h, C0h, ADR 2/3 …). */
  otherDescriptors: FullTocDescriptor[];
}

/** The full TOC grouped per session (derived from READ TOC/PMA/ATIP format 0010b). */
export interface FullTocSummary {
  firstSession: number;
  lastSession: number;
  sessions: FullTocSession[];
}

/**
 * Groups a full TOC by session (MMC-6 "Response Format 0010b: Raw TOC", MMC-FACTS §2.7). Addresses are
 * binary MSF, as MMC specifies for this format, converted with LBA = (M×60+S)×75+F−150; C0h's lead-in time
 * uses the lead-in mapping (M ≥ 90 → negative LBA). Throws MalformedResponseError when a session has no A2h
 * entry or no track at all, or a used time field is not a valid MSF.
 */
export function summarizeFullToc(parsed: FullTocData): FullTocSummary {
  const bySession = new Map<number, FullTocDescriptor[]>();
  for (const d of parsed.descriptors) {
    const list = bySession.get(d.session);
    if (list) list.push(d);
    else bySession.set(d.session, [d]);
  }
  const sessions: FullTocSession[] = [];
  for (const number of [...bySession.keys()].sort((a, b) => a - b)) {
    sessions.push(summarizeSession(number, bySession.get(number) ?? []));
  }
  return { firstSession: parsed.firstSession, lastSession: parsed.lastSession, sessions };
}

function pointLba(d: FullTocDescriptor, what: string): number {
  if (!isValidMsf(d.pmin, d.psec, d.pframe)) {
    throw new MalformedResponseError(
      COMMAND,
      `full TOC session ${d.session} ${what}: invalid MSF ${d.pmin}:${d.psec}:${d.pframe}`,
    );
  }
  return programMsfToLba(d.pmin, d.psec, d.pframe);
}

function summarizeSession(session: number, descriptors: FullTocDescriptor[]): FullTocSession {
  let a0: FullTocDescriptor | undefined;
  let a1: FullTocDescriptor | undefined;
  let a2: FullTocDescriptor | undefined;
  const tracks: FullTocTrack[] = [];
  const otherDescriptors: FullTocDescriptor[] = [];
  const summary: Partial<FullTocSession> = {};
  for (const d of descriptors) {
    if (d.adr === 1 && d.point >= 0x01 && d.point <= 0x63) {
      tracks.push({ trackNumber: d.point, control: d.control, adr: d.adr, startLba: pointLba(d, `track ${d.point}`) });
      continue;
    }
    if (d.adr === 1 && d.point === 0xa0) a0 = d;
    else if (d.adr === 1 && d.point === 0xa1) a1 = d;
    else if (d.adr === 1 && d.point === 0xa2) a2 = d;
    else {
      otherDescriptors.push(d);
      if (d.adr === 5 && d.point === 0xb0) {
        // FF:FF:FF (or any non-time) in MIN/SEC/FRAME: the disc is closed, no next program area.
        if (isValidMsf(d.min, d.sec, d.frame)) {
          summary.nextProgramAreaLba = programMsfToLba(d.min, d.sec, d.frame);
        }
        if (isValidMsf(d.pmin, d.psec, d.pframe)) {
          summary.lastPossibleLeadOutLba = programMsfToLba(d.pmin, d.psec, d.pframe);
        }
      } else if (d.adr === 5 && d.point === 0xc0 && isValidMsf(d.pmin, d.psec, d.pframe)) {
        // The first lead-in lies at 9x minutes: the lead-in mapping gives its negative LBA.
        summary.firstLeadInLba = msfToLba({ minute: d.pmin, second: d.psec, frame: d.pframe });
      }
    }
  }
  if (!a2) throw new MalformedResponseError(COMMAND, `full TOC session ${session}: no A2h (lead-out) entry`);
  tracks.sort((x, y) => x.trackNumber - y.trackNumber);
  const lowest = tracks[0]?.trackNumber;
  const highest = tracks[tracks.length - 1]?.trackNumber;
  const firstTrack = a0?.pmin ?? lowest;
  const lastTrack = a1?.pmin ?? highest;
  if (firstTrack === undefined || lastTrack === undefined) {
    throw new MalformedResponseError(COMMAND, `full TOC session ${session}: no tracks`);
  }
  if (firstTrack > lastTrack) {
    throw new MalformedResponseError(
      COMMAND,
      `full TOC session ${session}: first track ${firstTrack} > last track ${lastTrack}`,
    );
  }
  return {
    session,
    firstTrack,
    lastTrack,
    discType: a0?.psec,
    leadOutLba: pointLba(a2, 'A2h'),
    tracks,
    ...summary,
    otherDescriptors,
  };
}

/**
 * ATIP descriptor, READ TOC/PMA/ATIP format 0100b (MMC-6 READ TOC/PMA/ATIP, "Response Format 0100b: ATIP").
 * Recordable media only.
 */
export interface AtipData {
  /** Indicative Target Writing Power (byte 4 bits 6-4). */
  indicativeWritingPower: number;
  /** Reference Speed (byte 4 bits 2-0). */
  referenceSpeed: number;
  /** URU, Unrestricted Use Disc (byte 5 bit 6). */
  unrestrictedUse: boolean;
  /** Disc Type (byte 6 bit 6): 0 CD-R, 1 CD-RW. */
  discType: number;
  /** Disc Type = 1: rewritable. */
  erasable: boolean;
  /** Disc Sub-Type (byte 6 bits 5-3). */
  discSubType: number;
  /** A1/A2/A3 Valid (byte 6 bits 2-0): the A1/A2/A3 values fields hold data. */
  a1Valid: boolean;
  a2Valid: boolean;
  a3Valid: boolean;
  /** ATIP Start Time of Lead-in (binary MSF, minutes ≥ 90) and its (negative) LBA. */
  leadInStartMsf: Msf;
  leadInStartLba: number;
  /** ATIP Last Possible Start Time of Lead-out. */
  lastPossibleLeadOutStartMsf: Msf;
  lastPossibleLeadOutStartLba: number;
  /** A1/A2/A3 Values (3 bytes each), when valid and received. */
  a1Values?: Uint8Array;
  a2Values?: Uint8Array;
  a3Values?: Uint8Array;
}

/**
 * Parses READ TOC/PMA/ATIP format 0100b (MMC-6 READ TOC/PMA/ATIP, "Response Format 0100b: ATIP"): needs the
 * fields through the lead-out start time (byte 14); A1-A3 values are returned when flagged valid and
 * covered.
 */
export function parseAtip(data: Uint8Array): AtipData {
  if (data.length < 4) {
    throw new MalformedResponseError(COMMAND, `ATIP: header needs 4 bytes, got ${data.length}`, data);
  }
  const end = Math.min(data.length, readBe16(data, 0) + 2);
  if (end < 15) {
    throw new MalformedResponseError(COMMAND, `ATIP: needs 15 bytes, the data covers ${end}`, data);
  }
  const b4 = data[4] ?? 0;
  const b6 = data[6] ?? 0;
  const discType = (b6 >> 6) & 1;
  const leadInStartMsf = readMsf(data, 8, 'ATIP lead-in start');
  const lastPossibleLeadOutStartMsf = readMsf(data, 12, 'ATIP last possible lead-out start');
  const atip: AtipData = {
    indicativeWritingPower: (b4 >> 4) & 0x07,
    referenceSpeed: b4 & 0x07,
    unrestrictedUse: ((data[5] ?? 0) & 0x40) !== 0,
    discType,
    erasable: discType === 1,
    discSubType: (b6 >> 3) & 0x07,
    a1Valid: (b6 & 0x04) !== 0,
    a2Valid: (b6 & 0x02) !== 0,
    a3Valid: (b6 & 0x01) !== 0,
    leadInStartMsf,
    leadInStartLba: msfToLba(leadInStartMsf),
    lastPossibleLeadOutStartMsf,
    lastPossibleLeadOutStartLba: programMsfToLba(
      lastPossibleLeadOutStartMsf.minute,
      lastPossibleLeadOutStartMsf.second,
      lastPossibleLeadOutStartMsf.frame,
    ),
  };
  if (atip.a1Valid && end >= 19) atip.a1Values = data.subarray(16, 19);
  if (atip.a2Valid && end >= 23) atip.a2Values = data.subarray(20, 23);
  if (atip.a3Valid && end >= 27) atip.a3Values = data.subarray(24, 27);
  return atip;
}

/**
 * CRC of a CD-TEXT pack (MMC-FACTS §3.10, §3.3): polynomial x¹⁶+x¹²+x⁵+1 (0x1021, the CCITT one) with
 * initial value 0, over bytes 0-15, stored inverted and big-endian in bytes 16-17 — i.e.
 * CRC-16/GSM, not the 0xFFFF-initialised "CCITT-FALSE" variant. Returns the value as stored.
 * The CRC itself lives in `lib/cd/crc16-gsm.ts` (shared with the Q sub-channel).
 */
export function cdTextPackCrc(pack: Uint8Array): number {
  return crc16Gsm(pack, 0, 16);
}

/**
 * CD-TEXT packs, READ TOC/PMA/ATIP format 0101b (MMC-6 READ TOC/PMA/ATIP, "Response Format 0101b:
 * CD-TEXT").
 */
export interface CdTextPacks {
  /** 18-byte packs, views into the response. */
  packs: Uint8Array[];
  /** Per pack: bytes 16-17 match `cdTextPackCrc`. Some drives zero the CRC; callers decide. */
  crcOk: boolean[];
}

/**
 * Parses READ TOC/PMA/ATIP format 0101b (MMC-6 READ TOC/PMA/ATIP, "Response Format 0101b: CD-TEXT"): 4-byte
 * header then 18-byte packs. A data length of 2 (header only) means the disc has no CD-TEXT.
 */
export function parseCdTextPacks(data: Uint8Array): CdTextPacks {
  const end = coveredEnd(data, 18, 'CD-TEXT');
  const packs: Uint8Array[] = [];
  const crcOk: boolean[] = [];
  for (let offset = 4; offset < end; offset += 18) {
    const pack = data.subarray(offset, offset + 18);
    packs.push(pack);
    crcOk.push(cdTextPackCrc(pack) === readBe16(pack, 16));
  }
  return { packs, crcOk };
}
