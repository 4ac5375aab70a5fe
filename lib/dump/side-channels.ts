/**
 * Sub-channel and C2 pointers read in the same READ CD as the main channel.
 *
 * The rescue engine reads through a DriveSource that asks for whole 2352-byte sectors. A
 * SideChannelTransport sits under it: it widens every such READ CD to ask for C2 pointers (294
 * bytes, MMC-FACTS §2.5) and raw interleaved P-W (96 bytes), hands those to a sink, and returns
 * the 2352 main-channel bytes as if nothing had changed — so the source's error handling, retries
 * and boundaries stay as they are. The sink (DumpSideFiles) writes both to work files indexed by
 * LBA before the read returns, i.e. before the engine writes the sector and the mapfile claims it:
 * a sector the mapfile calls finished has its sub-channel and C2 count on disk.
 *
 * Work files, next to the work image `<base>.raw`:
 * - `<base>.raw.sub`: 96 bytes per LBA in CloneCD's layout (12 bytes each of P, Q, R … W);
 *   all zeros = not read yet (a real Q block is never all zeros: its CRC is stored inverted);
 * - `<base>.raw.c2`: one 16-bit little-endian word per LBA, the number of C2-flagged bytes + 1;
 *   0 = not measured.
 */

import { open, type FileHandle } from 'node:fs/promises';
import { subchannelToChannelBlocks } from '../cd/subchannel.js';
import { ScsiStatus, type CommandResult, type ExecuteOptions, type ScsiCommand, type Transport } from '../transport/transport.js';

const RAW = 2352;
const SUB = 96;
const C2 = 294;
const READ_CD = 0xbe;
/** READ CD byte 9 for a whole sector: sync, all headers, user data, EDC/ECC (MMC-FACTS §2.5). */
const WHOLE_SECTOR = 0xf8;
/** Byte 9 error field 01b: C2 pointers, 294 bytes. */
const C2_FIELD = 0x02;
/** Byte 10 sub-channel selection 001b: raw interleaved P-W. */
const RAW_PW = 0x01;

/** Where the side channels of each read go. */
export interface SideChannelSink {
  /**
   * Called after every successful widened READ CD, before its data goes back: `sub` holds 96 raw
   * interleaved bytes per sector, `c2` 294 bytes per sector (each undefined when not asked for).
   */
  record(lba: number, count: number, sub: Uint8Array | undefined, c2: Uint8Array | undefined): Promise<void>;
}

/** What a SideChannelTransport asks for besides the main channel. */
export interface SideChannelOptions {
  subchannel: boolean;
  c2: boolean;
  sink: SideChannelSink;
}

/** Bytes per sector of a widened READ CD. */
export function sideChannelSectorSize(options: Pick<SideChannelOptions, 'subchannel' | 'c2'>): number {
  return RAW + (options.c2 ? C2 : 0) + (options.subchannel ? SUB : 0);
}

/**
 * A Transport that widens whole-sector READ CD commands (byte 9 F8h, no sub-channel) as the
 * module comment says, and passes every other command through. `maxTransferBytes` is scaled so
 * that a caller filling it with 2352-byte sectors stays within the inner limit once widened.
 * Closing it does not close the inner transport.
 */
export class SideChannelTransport implements Transport {
  readonly #inner: Transport;
  readonly #options: SideChannelOptions;
  readonly #perSector: number;
  #closed = false;

  constructor(inner: Transport, options: SideChannelOptions) {
    this.#inner = inner;
    this.#options = options;
    this.#perSector = sideChannelSectorSize(options);
  }

  get path(): string {
    return this.#inner.path;
  }

  get maxTransferBytes(): number {
    return Math.max(1, Math.floor(this.#inner.maxTransferBytes / this.#perSector)) * RAW;
  }

  get closed(): boolean {
    return this.#closed || this.#inner.closed;
  }

  /** The emulated drive's counters, so Drive.simulation still sees them. */
  get stats(): unknown {
    return (this.#inner as { stats?: unknown }).stats;
  }

  async execute(command: ScsiCommand, options?: ExecuteOptions): Promise<CommandResult> {
    const cdb = command.cdb;
    const widen =
      (this.#options.c2 || this.#options.subchannel) &&
      command.direction === 'in' &&
      cdb.length >= 12 &&
      cdb[0] === READ_CD &&
      cdb[9] === WHOLE_SECTOR &&
      ((cdb[10] ?? 0) & 0x07) === 0;
    if (!widen) return this.#inner.execute(command, options);
    const lba = ((cdb[2]! << 24) | (cdb[3]! << 16) | (cdb[4]! << 8) | cdb[5]!) | 0;
    const count = (cdb[6]! << 16) | (cdb[7]! << 8) | cdb[8]!;
    if (count === 0) return this.#inner.execute(command, options);
    const wide = cdb.slice();
    wide[9] = WHOLE_SECTOR | (this.#options.c2 ? C2_FIELD : 0);
    wide[10] = (cdb[10]! & ~0x07) | (this.#options.subchannel ? RAW_PW : 0);
    const result = await this.#inner.execute({ ...command, cdb: wide, dataLength: count * this.#perSector }, options);
    if (result.status !== ScsiStatus.GOOD) return result;
    const whole = Math.min(count, Math.floor(result.data.length / this.#perSector));
    const main = new Uint8Array(whole * RAW);
    const sub = this.#options.subchannel ? new Uint8Array(whole * SUB) : undefined;
    const c2 = this.#options.c2 ? new Uint8Array(whole * C2) : undefined;
    for (let i = 0; i < whole; i++) {
      let at = i * this.#perSector;
      main.set(result.data.subarray(at, at + RAW), i * RAW);
      at += RAW;
      if (c2 !== undefined) {
        c2.set(result.data.subarray(at, at + C2), i * C2);
        at += C2;
      }
      sub?.set(result.data.subarray(at, at + SUB), i * SUB);
    }
    if (whole > 0) await this.#options.sink.record(lba, whole, sub, c2);
    const asked = command.dataLength ?? count * RAW;
    return { ...result, data: main, residual: Math.max(0, asked - main.length) };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

/** Set bits of each byte value. */
const POPCOUNT = (() => {
  const table = new Uint8Array(256);
  for (let i = 1; i < 256; i++) table[i] = (i & 1) + table[i >> 1]!;
  return table;
})();

/** Number of sector bytes a 294-byte C2 field flags (one bit per byte of the 2352). */
export function countC2Flags(c2: Uint8Array, offset = 0): number {
  if (offset < 0 || offset + C2 > c2.length) throw new RangeError(`Expected ${C2} bytes of C2 pointers at offset ${offset}`);
  let n = 0;
  for (let i = offset; i < offset + C2; i++) n += POPCOUNT[c2[i]!]!;
  return n;
}

/** C2 totals over a range of sectors. */
export interface C2Stats {
  /** Sectors whose C2 pointers were read. */
  sectorsMeasured: number;
  /** Of those, sectors with at least one flagged byte. */
  sectorsFlagged: number;
  /** Flagged bytes in all. */
  flaggedBytes: number;
}

/** Paths of the side-channel work files of a work image. */
export function sideChannelWorkPaths(rawPath: string): { subPath: string; c2Path: string } {
  return { subPath: `${rawPath}.sub`, c2Path: `${rawPath}.c2` };
}

/**
 * The side-channel work files of a dump (see the module comment): a SideChannelSink, and the
 * readers used when the outputs are written. `fresh` truncates them (a dump that starts over).
 */
export class DumpSideFiles implements SideChannelSink {
  readonly #sub: FileHandle | undefined;
  readonly #c2: FileHandle | undefined;

  private constructor(sub: FileHandle | undefined, c2: FileHandle | undefined) {
    this.#sub = sub;
    this.#c2 = c2;
  }

  static async open(rawPath: string, options: { subchannel: boolean; c2: boolean; fresh: boolean }): Promise<DumpSideFiles> {
    const paths = sideChannelWorkPaths(rawPath);
    const openOne = async (path: string): Promise<FileHandle> => {
      if (options.fresh) return open(path, 'w+');
      try {
        return await open(path, 'r+');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        return open(path, 'w+');
      }
    };
    const sub = options.subchannel ? await openOne(paths.subPath) : undefined;
    let c2: FileHandle | undefined;
    try {
      c2 = options.c2 ? await openOne(paths.c2Path) : undefined;
    } catch (error) {
      await sub?.close();
      throw error;
    }
    return new DumpSideFiles(sub, c2);
  }

  get hasSubchannel(): boolean {
    return this.#sub !== undefined;
  }

  get hasC2(): boolean {
    return this.#c2 !== undefined;
  }

  async record(lba: number, count: number, sub: Uint8Array | undefined, c2: Uint8Array | undefined): Promise<void> {
    // Sectors before LBA 0 (a read into track 1's pregap) have no place in the work files.
    const skip = Math.max(0, -lba);
    if (skip >= count) return;
    const first = lba + skip;
    const n = count - skip;
    if (this.#sub !== undefined && sub !== undefined) {
      const out = new Uint8Array(n * SUB);
      for (let i = 0; i < n; i++) subchannelToChannelBlocks(sub, (skip + i) * SUB, out, i * SUB);
      await this.#sub.write(out, 0, out.length, first * SUB);
    }
    if (this.#c2 !== undefined && c2 !== undefined) {
      const words = new Uint8Array(n * 2);
      for (let i = 0; i < n; i++) {
        const value = countC2Flags(c2, (skip + i) * C2) + 1;
        words[i * 2] = value & 0xff;
        words[i * 2 + 1] = value >> 8;
      }
      await this.#c2.write(words, 0, words.length, first * 2);
    }
  }

  /** The CloneCD-layout sub-channel of `count` sectors from `lba` (zeros where not read). */
  async readSub(lba: number, count: number, into?: Uint8Array): Promise<Uint8Array> {
    const out = into?.subarray(0, count * SUB) ?? new Uint8Array(count * SUB);
    if (this.#sub === undefined) return out.fill(0);
    const { bytesRead } = await this.#sub.read(out, 0, out.length, lba * SUB);
    out.fill(0, bytesRead);
    return out;
  }

  /** C2 totals of the sectors [firstLba, endLba). */
  async c2Stats(firstLba: number, endLba: number): Promise<C2Stats> {
    const stats: C2Stats = { sectorsMeasured: 0, sectorsFlagged: 0, flaggedBytes: 0 };
    if (this.#c2 === undefined) return stats;
    const CHUNK = 65_536;
    const buffer = new Uint8Array(CHUNK * 2);
    for (let lba = firstLba; lba < endLba; lba += CHUNK) {
      const n = Math.min(CHUNK, endLba - lba);
      const { bytesRead } = await this.#c2.read(buffer, 0, n * 2, lba * 2);
      for (let i = 0; i + 1 < bytesRead; i += 2) {
        const value = buffer[i]! | (buffer[i + 1]! << 8);
        if (value === 0) continue;
        stats.sectorsMeasured++;
        if (value > 1) {
          stats.sectorsFlagged++;
          stats.flaggedBytes += value - 1;
        }
      }
    }
    return stats;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#sub?.close(), this.#c2?.close()]);
  }
}
