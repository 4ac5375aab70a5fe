import { describe, expect, it } from 'vitest';
import { buildRead10, buildRead12, MAX_READ_TRANSFER_BYTES } from '../../../lib/scsi/read.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('buildRead10', () => {
  it('reads 2048-byte blocks by default', () => {
    const command = buildRead10({ lba: 16, sectorCount: 1 });
    expect(hex(command.cdb)).toBe('28 00 00 00 00 10 00 00 01 00');
    expect(command).toEqual({ cdb: command.cdb, direction: 'in', dataLength: 2048 });
  });

  it('places FUA, DPO, the LBA and the transfer length', () => {
    const command = buildRead10({ lba: 0x12345678, sectorCount: 0x1234, fua: true, dpo: true, blockLength: 512 });
    expect(hex(command.cdb)).toBe('28 18 12 34 56 78 00 12 34 00');
    expect(command.dataLength).toBe(0x1234 * 512);
    expect(hex(buildRead10({ lba: 0xffffffff, sectorCount: 2, fua: true }).cdb)).toBe('28 08 ff ff ff ff 00 00 02 00');
  });

  it('sizes the transfer by block length', () => {
    expect(buildRead10({ lba: 0, sectorCount: 2, blockLength: 2352 }).dataLength).toBe(4704);
  });

  it('validates its options', () => {
    expect(() => buildRead10({ lba: 0, sectorCount: 0 })).toThrow(
      new RangeError('Expected "sectorCount" to be between 1 and 65535, got 0'),
    );
    expect(() => buildRead10({ lba: 0, sectorCount: 65536, blockLength: 1 })).toThrow(RangeError);
    expect(() => buildRead10({ lba: -1, sectorCount: 1 })).toThrow(
      new RangeError('Expected "lba" to be between 0 and 4294967295, got -1'),
    );
    expect(() => buildRead10({ lba: 2 ** 32, sectorCount: 1 })).toThrow(RangeError);
    expect(() => buildRead10({ lba: '5' as never, sectorCount: 1 })).toThrow(
      new TypeError('Expected "lba" to be an integer, got "5"'),
    );
    expect(() => buildRead10({ lba: 0, sectorCount: 1, fua: 1 as never })).toThrow(TypeError);
    expect(() => buildRead10({ lba: 0, sectorCount: 1, blockLength: 0 })).toThrow(RangeError);
    expect(() => buildRead10(undefined as never)).toThrow(TypeError);
  });

  it('refuses transfers over 16 MiB', () => {
    expect(buildRead10({ lba: 0, sectorCount: 8192 }).dataLength).toBe(MAX_READ_TRANSFER_BYTES);
    expect(() => buildRead10({ lba: 0, sectorCount: 65535 })).toThrow(
      new RangeError('Expected "sectorCount" × "blockLength" to be at most 16777216 bytes, got 134215680'),
    );
  });
});

describe('buildRead12', () => {
  it('places the 32-bit transfer length and the Streaming bit', () => {
    const command = buildRead12({ lba: 0x100, sectorCount: 0x10, streaming: true });
    expect(hex(command.cdb)).toBe('a8 00 00 00 01 00 00 00 00 10 80 00');
    expect(command).toEqual({ cdb: command.cdb, direction: 'in', dataLength: 0x10 * 2048 });
    expect(hex(buildRead12({ lba: 1, sectorCount: 1, fua: true, dpo: true }).cdb)).toBe(
      'a8 18 00 00 00 01 00 00 00 01 00 00',
    );
  });

  it('allows counts above 65535 while the transfer stays within 16 MiB', () => {
    const command = buildRead12({ lba: 0, sectorCount: 0x1000000, blockLength: 1 });
    expect(hex(command.cdb)).toBe('a8 00 00 00 00 00 01 00 00 00 00 00');
    expect(command.dataLength).toBe(16 * 1024 * 1024);
  });

  it('rejects transfers over 16 MiB and counts over 32 bits', () => {
    expect(() => buildRead12({ lba: 0, sectorCount: 8193 })).toThrow(
      new RangeError('Expected "sectorCount" × "blockLength" to be at most 16777216 bytes, got 16779264'),
    );
    expect(() => buildRead12({ lba: 0, sectorCount: 2 ** 32 })).toThrow(
      new RangeError('Expected "sectorCount" to be between 1 and 4294967295, got 4294967296'),
    );
    expect(() => buildRead12({ lba: 0, sectorCount: 1, streaming: 'yes' as never })).toThrow(TypeError);
  });
});
