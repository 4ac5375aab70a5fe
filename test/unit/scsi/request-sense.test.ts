import { describe, expect, it } from 'vitest';
import { buildRequestSense } from '../../../lib/scsi/request-sense.js';
import { decodeSense } from '../../../lib/scsi/sense.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('buildRequestSense', () => {
  it('asks for 252 bytes by default', () => {
    const command = buildRequestSense();
    expect(hex(command.cdb)).toBe('03 00 00 00 fc 00');
    expect(command).toEqual({ cdb: command.cdb, direction: 'in', dataLength: 252 });
  });

  it('takes an allocation length of one byte', () => {
    expect(hex(buildRequestSense({ allocationLength: 18 }).cdb)).toBe('03 00 00 00 12 00');
    expect(() => buildRequestSense({ allocationLength: 256 })).toThrow(
      new RangeError('Expected "allocationLength" to be between 1 and 255, got 256'),
    );
    expect(() => buildRequestSense({ allocationLength: 0 })).toThrow(RangeError);
    expect(() => buildRequestSense({ allocationLength: '18' as never })).toThrow(TypeError);
  });

  it('has a response that decodeSense reads', () => {
    const response = Uint8Array.from([0x70, 0, 0x02, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x04, 0x01, 0, 0, 0, 0]);
    expect(decodeSense(response)).toMatchObject({ senseKey: 2, asc: 0x04, ascq: 0x01 });
  });
});
