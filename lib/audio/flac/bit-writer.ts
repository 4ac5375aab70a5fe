/**
 * A most-significant-bit-first bit writer into a buffer sized by its user (a frame's worst case).
 * Bits collect in a 32-bit accumulator and leave in whole 32-bit words. Bits above the pending
 * count in the accumulator are garbage by design: each word is cut from the top, so they never
 * reach the buffer. The Rice loop inlines the same steps on local variables for speed.
 */

export class BitWriter {
  buf: Uint8Array;
  /** Bytes completed. */
  pos = 0;
  /** Pending bits, in the low `pending` bits (0–31). */
  acc = 0;
  pending = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }

  /** Starts over at byte 0. */
  reset(): void {
    this.pos = 0;
    this.acc = 0;
    this.pending = 0;
  }

  /** Bits written so far. */
  get bitLength(): number {
    return this.pos * 8 + this.pending;
  }

  /** Writes the low `bits` (0–32) bits of `value`; bits above them must be zero. */
  write(value: number, bits: number): void {
    const total = this.pending + bits;
    if (total < 32) {
      this.acc = (this.acc << bits) | value;
      this.pending = total;
      return;
    }
    const rest = total - 32;
    const word = this.pending === 0 ? value : (this.acc << (32 - this.pending)) | (value >>> rest);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = word >>> 24;
    buf[pos + 1] = word >>> 16;
    buf[pos + 2] = word >>> 8;
    buf[pos + 3] = word;
    this.pos = pos + 4;
    this.acc = value;
    this.pending = rest;
  }

  /** Writes `value` as a signed `bits`-bit two's complement number (1–32 bits). */
  writeSigned(value: number, bits: number): void {
    this.write(bits === 32 ? value >>> 0 : value & ((1 << bits) - 1), bits);
  }

  /** `count` zero bits. */
  writeZeros(count: number): void {
    while (count > 31) {
      this.write(0, 31);
      count -= 31;
    }
    this.write(0, count);
  }

  /** Pads with zero bits to a byte boundary and moves the pending bytes to the buffer. */
  alignToByte(): void {
    let pending = this.pending;
    const acc = this.acc;
    const buf = this.buf;
    while (pending >= 8) {
      buf[this.pos++] = acc >>> (pending - 8);
      pending -= 8;
    }
    if (pending > 0) buf[this.pos++] = acc << (8 - pending);
    this.acc = 0;
    this.pending = 0;
  }

  /** Appends whole bytes; the writer must be byte-aligned. */
  writeBytes(bytes: Uint8Array, start = 0, end = bytes.length): void {
    this.alignToByte();
    this.buf.set(bytes.subarray(start, end), this.pos);
    this.pos += end - start;
  }

  private markPos = 0;
  private markAcc = 0;
  private markPending = 0;

  /** Remembers the current position (one mark at a time) for {@link restore}. */
  mark(): void {
    this.markPos = this.pos;
    this.markAcc = this.acc;
    this.markPending = this.pending;
  }

  /**
   * Goes back to the position of the last {@link mark}, dropping what was written since: the
   * fallback when a subframe came out larger than its verbatim form.
   */
  restore(): void {
    this.pos = this.markPos;
    this.acc = this.markAcc;
    this.pending = this.markPending;
  }
}
