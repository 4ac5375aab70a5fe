/**
 * The two checksums of a FLAC frame (RFC 9639 §9.1.8 and §9.3): CRC-8 of the frame header, generator
 * x⁸+x²+x+1 (0x07), and CRC-16 of the whole frame, generator x¹⁶+x¹⁵+x²+1 (0x8005). Both start at
 * zero, run most-significant bit first and have no final XOR.
 */

let crc8Table: Uint8Array | undefined;
/** Slicing-by-8: table k is the CRC of a byte followed by k zero bytes. */
let crc16Table: Uint16Array | undefined;

function tables(): { t8: Uint8Array; t16: Uint16Array } {
  if (crc8Table === undefined || crc16Table === undefined) {
    crc8Table = new Uint8Array(256);
    crc16Table = new Uint16Array(8 * 256);
    for (let i = 0; i < 256; i++) {
      let c8 = i;
      for (let bit = 0; bit < 8; bit++) c8 = c8 & 0x80 ? ((c8 << 1) ^ 0x07) & 0xff : (c8 << 1) & 0xff;
      crc8Table[i] = c8;
      let c16 = i << 8;
      for (let bit = 0; bit < 8; bit++) c16 = c16 & 0x8000 ? ((c16 << 1) ^ 0x8005) & 0xffff : (c16 << 1) & 0xffff;
      crc16Table[i] = c16;
    }
    for (let k = 1; k < 8; k++) {
      for (let i = 0; i < 256; i++) {
        const prev = crc16Table[(k - 1) * 256 + i]!;
        crc16Table[k * 256 + i] = ((prev << 8) & 0xffff) ^ crc16Table[prev >>> 8]!;
      }
    }
  }
  return { t8: crc8Table, t16: crc16Table };
}

/** CRC-8 (poly 0x07, init 0) of `bytes[start, end)`. */
export function flacCrc8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const { t8 } = tables();
  let crc = 0;
  for (let i = start; i < end; i++) crc = t8[crc ^ bytes[i]!]!;
  return crc;
}

/** CRC-16 (poly 0x8005, init 0) of `bytes[start, end)`. */
export function flacCrc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const { t16 } = tables();
  let crc = 0;
  let i = start;
  // Eight bytes a step: the CRC meets the first two, the others only their tables.
  for (; i + 8 <= end; i += 8) {
    crc =
      t16[7 * 256 + ((crc >>> 8) ^ bytes[i]!)]! ^
      t16[6 * 256 + ((crc & 0xff) ^ bytes[i + 1]!)]! ^
      t16[5 * 256 + bytes[i + 2]!]! ^
      t16[4 * 256 + bytes[i + 3]!]! ^
      t16[3 * 256 + bytes[i + 4]!]! ^
      t16[2 * 256 + bytes[i + 5]!]! ^
      t16[256 + bytes[i + 6]!]! ^
      t16[bytes[i + 7]!]!;
  }
  for (; i < end; i++) crc = ((crc << 8) & 0xffff) ^ t16[(crc >>> 8) ^ bytes[i]!]!;
  return crc;
}
