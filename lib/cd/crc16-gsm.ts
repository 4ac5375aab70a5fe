/**
 * CRC-16/GSM: polynomial x¹⁶+x¹²+x⁵+1 (0x1021), initial value 0, no reflection, result inverted
 * (final XOR 0xFFFF). Check value for ASCII "123456789" = 0xCE3C (MMC-FACTS §3.3).
 *
 * Used by the Q sub-channel (ECMA-130 §22.3: CRC over the 80 control/ADR/data bits, stored
 * inverted, MSB first in bytes 10-11) and by CD-TEXT packs (bytes 16-17; MMC-FACTS §3.10).
 */

let table: Uint16Array | undefined;

function crcTable(): Uint16Array {
  if (table === undefined) {
    table = new Uint16Array(256);
    for (let i = 0; i < 256; i++) {
      let crc = i << 8;
      for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
      table[i] = crc;
    }
  }
  return table;
}

/**
 * CRC-16/GSM of `buf[start, end)`, as stored (already inverted). Store it big-endian:
 * `buf[end] = crc >> 8; buf[end + 1] = crc & 0xff`.
 */
export function crc16Gsm(buf: Uint8Array, start = 0, end = buf.length): number {
  if (!(start >= 0 && start <= end && end <= buf.length)) {
    throw new RangeError(`Expected 0 <= start <= end <= ${buf.length}, got start ${start}, end ${end}`);
  }
  const t = crcTable();
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ t[((crc >>> 8) ^ buf[i]!) & 0xff]!;
  return ~crc & 0xffff;
}
