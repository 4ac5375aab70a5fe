/** INQUIRY (12h): who the device is (SPC; MMC-FACTS §2.2). */

import type { ScsiCommand } from '../transport/transport.js';
import { checkBoolean, checkInteger, readAscii, readBe16, requireLength, toHex } from './bytes.js';
import { Opcode } from './opcodes.js';

export interface InquiryOptions {
  /** Bytes to receive. Default 96 (covers the version descriptors). SCSI-2 devices read only the low byte. */
  allocationLength?: number;
  /** Enable Vital Product Data: return the page named by `pageCode`. Default false. */
  evpd?: boolean;
  /** VPD page; must be 0 unless `evpd`. Default 0. */
  pageCode?: number;
}

/** INQUIRY CDB: `12 | EVPD | page code | allocation length BE16 | control` (MMC-FACTS §2.2). */
export function buildInquiry(options: InquiryOptions = {}): ScsiCommand {
  const allocationLength = checkInteger('allocationLength', options.allocationLength ?? 96, 1, 0xffff);
  const evpd = checkBoolean('evpd', options.evpd ?? false);
  const pageCode = checkInteger('pageCode', options.pageCode ?? 0, 0, 0xff);
  if (!evpd && pageCode !== 0) {
    throw new RangeError(`Expected "pageCode" to be 0 when "evpd" is false, got ${pageCode}`);
  }
  const cdb = new Uint8Array(6);
  cdb[0] = Opcode.INQUIRY;
  cdb[1] = evpd ? 0x01 : 0x00;
  cdb[2] = pageCode;
  cdb[3] = allocationLength >> 8;
  cdb[4] = allocationLength & 0xff;
  return { cdb, direction: 'in', dataLength: allocationLength };
}

/** Standard INQUIRY data (SPC; MMC-FACTS §2.2). */
export interface InquiryData {
  /** Bits 7–5 of byte 0: 0 = device connected, 1 = supported but not connected, 3 = no device. */
  peripheralQualifier: number;
  /** Peripheral device type, 05h for CD/DVD/BD drives. */
  deviceType: number;
  deviceTypeName: string;
  /** RMB: the medium is removable. */
  removable: boolean;
  /** SPC version the device claims. */
  version: number;
  responseDataFormat: number;
  /** Bytes after byte 4 the device says it has (total = additionalLength + 5). */
  additionalLength: number;
  /** T10 vendor identification, trailing spaces removed. */
  vendor: string;
  product: string;
  revision: string;
  /** Bytes 36–55, as text (drive firmware dates, serial numbers); '' when absent. */
  vendorSpecific: string;
  /** Non-zero version descriptors from bytes 58–73 (standards the device claims). */
  versionDescriptors: number[];
}

const deviceTypeNames = new Map<number, string>([
  [0x00, 'direct-access block device'],
  [0x01, 'sequential-access device'],
  [0x02, 'printer'],
  [0x03, 'processor'],
  [0x04, 'write-once device'],
  [0x05, 'CD/DVD device'],
  [0x07, 'optical memory device'],
  [0x08, 'medium changer'],
  [0x0c, 'storage array controller'],
  [0x0d, 'enclosure services device'],
  [0x0e, 'simplified direct-access device'],
  [0x0f, 'optical card reader/writer'],
  [0x11, 'object-based storage device'],
  [0x12, 'automation/drive interface'],
  [0x1e, 'well known logical unit'],
  [0x1f, 'unknown or no device type'],
]);

/** Name of a peripheral device type (SPC): `CD/DVD device` for 05h. */
export function deviceTypeName(deviceType: number): string {
  return deviceTypeNames.get(deviceType) ?? `device type 0x${toHex(deviceType)}`;
}

/**
 * Decodes standard INQUIRY data. The 36 bytes SPC makes mandatory must be present; optional
 * fields beyond them are read only as far as both the received bytes and the additional length
 * reach (a drive may pad the allocation with garbage).
 */
export function parseInquiry(data: Uint8Array): InquiryData {
  requireLength('INQUIRY', data, 36);
  const b0 = data[0] ?? 0;
  const additionalLength = data[4] ?? 0;
  const end = Math.min(data.length, additionalLength + 5);
  const versionDescriptors: number[] = [];
  for (let offset = 58; offset + 2 <= Math.min(end, 74); offset += 2) {
    const descriptor = readBe16(data, offset);
    if (descriptor !== 0) versionDescriptors.push(descriptor);
  }
  return {
    peripheralQualifier: b0 >> 5,
    deviceType: b0 & 0x1f,
    deviceTypeName: deviceTypeName(b0 & 0x1f),
    removable: ((data[1] ?? 0) & 0x80) !== 0,
    version: data[2] ?? 0,
    responseDataFormat: (data[3] ?? 0) & 0x0f,
    additionalLength,
    vendor: readAscii(data, 8, 8),
    product: readAscii(data, 16, 16),
    revision: readAscii(data, 32, 4),
    vendorSpecific: end > 36 ? readAscii(data, 36, Math.min(end, 56) - 36) : '',
    versionDescriptors,
  };
}
