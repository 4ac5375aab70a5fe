/** CRC-32 (IEEE 802.3 / zlib, reflected polynomial 0xEDB88320), as GPT and audio checksums use it. */

/** The byte-at-a-time table, for callers with their own inner loop. */
export const CRC32_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32 of `data`, continuing from `crc` (the result of an earlier call; 0 to start).
 * Check value: crc32("123456789") = 0xCBF43926.
 */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC32_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
