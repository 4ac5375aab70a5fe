import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../lib/errors.js';
import { buildReadCapacity10, parseReadCapacity10 } from '../../../lib/scsi/read-capacity.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(hex.trim().split(/\s+/u), (h) => parseInt(h, 16));
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('buildReadCapacity10', () => {
  it('is ten bytes, LBA 0, PMI 0, 8 bytes back', () => {
    const command = buildReadCapacity10();
    expect(hex(command.cdb)).toBe('25 00 00 00 00 00 00 00 00 00');
    expect(command).toEqual({ cdb: command.cdb, direction: 'in', dataLength: 8 });
  });
});

describe('parseReadCapacity10', () => {
  it('decodes last LBA and block length', () => {
    expect(parseReadCapacity10(bytes('00 04 5f ff 00 00 08 00'))).toEqual({
      lastLba: 286719,
      blockLength: 2048,
      sectorCount: 286720,
    });
  });

  it('reads 32-bit values unsigned and ignores extra bytes', () => {
    expect(parseReadCapacity10(bytes('80 00 00 00 00 00 09 30 ff ff'))).toEqual({
      lastLba: 0x80000000,
      blockLength: 2352,
      sectorCount: 0x80000001,
    });
  });

  it('has no sector count for FFFFFFFFh (too large for READ CAPACITY(10))', () => {
    expect(parseReadCapacity10(bytes('ff ff ff ff 00 00 08 00'))).toEqual({
      lastLba: 0xffffffff,
      blockLength: 2048,
      sectorCount: undefined,
    });
  });

  it('rejects a short response', () => {
    expect(() => parseReadCapacity10(bytes('00 04 5f ff 00 00 08'))).toThrow(MalformedResponseError);
    expect(() => parseReadCapacity10(bytes('00 04 5f ff 00 00 08'))).toThrow(
      'READ CAPACITY(10): malformed response: response needs 8 bytes, got 7',
    );
  });
});
