/** INQUIRY data of the emulated drive (SPC; MMC-FACTS §2.2): standard data and VPD pages 00h, 80h. */

import { invalidFieldInCdb } from './sense-data.js';
import type { DriveProfile } from './drive-profile.js';

/** Standard INQUIRY data is 96 bytes: through the version descriptors. */
const STANDARD_LENGTH = 96;
/** Peripheral device type 05h: CD/DVD device. */
const CD_DVD_DEVICE = 0x05;

function writeAscii(out: Uint8Array, offset: number, length: number, text: string): void {
  for (let i = 0; i < length; i++) out[offset + i] = i < text.length ? text.charCodeAt(i) : 0x20;
}

/** Standard INQUIRY data: type 05h, RMB, SPC-3 version, response format 2, the profile's strings. */
export function standardInquiryData(profile: DriveProfile): Uint8Array {
  const data = new Uint8Array(STANDARD_LENGTH);
  data[0] = CD_DVD_DEVICE;
  data[1] = 0x80;
  data[2] = 0x05;
  data[3] = 0x02;
  data[4] = STANDARD_LENGTH - 5;
  writeAscii(data, 8, 8, profile.vendor);
  writeAscii(data, 16, 16, profile.product);
  writeAscii(data, 32, 4, profile.revision);
  writeAscii(data, 36, 20, profile.features.serialNumber ?? '');
  return data;
}

/**
 * INQUIRY response for the CDB: standard data, or with EVPD the Supported VPD Pages page (00h) and
 * Unit Serial Number page (80h, when the profile has a serial number). Anything else is 05/24/00.
 */
export function inquiryResponse(profile: DriveProfile, cdb: Uint8Array): Uint8Array {
  const evpd = ((cdb[1] ?? 0) & 0x01) !== 0;
  if ((cdb[1] ?? 0) & 0x02) throw invalidFieldInCdb(1, 1);
  const page = cdb[2] ?? 0;
  if (!evpd) {
    if (page !== 0) throw invalidFieldInCdb(2);
    return standardInquiryData(profile);
  }
  const serial = profile.features.serialNumber;
  if (page === 0x00) {
    const pages = serial === undefined ? [0x00] : [0x00, 0x80];
    return Uint8Array.from([CD_DVD_DEVICE, 0x00, 0x00, pages.length, ...pages]);
  }
  if (page === 0x80 && serial !== undefined) {
    const data = new Uint8Array(4 + serial.length);
    data[0] = CD_DVD_DEVICE;
    data[1] = 0x80;
    data[3] = serial.length;
    writeAscii(data, 4, serial.length, serial);
    return data;
  }
  throw invalidFieldInCdb(2);
}
