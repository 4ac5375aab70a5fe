import { describe, expect, it } from 'vitest';
import { requiredAllocationLength } from '../../../lib/scsi/allocation.js';

describe('requiredAllocationLength', () => {
  it('adds the size of a 2-byte length field', () => {
    expect(requiredAllocationLength(Uint8Array.from([0x01, 0x2c, 0x01, 0x05]), 2)).toBe(302);
    expect(requiredAllocationLength(Uint8Array.from([0xff, 0xff]), 2)).toBe(65537);
  });

  it('adds the size of a 4-byte length field (GET CONFIGURATION)', () => {
    expect(requiredAllocationLength(Uint8Array.from([0x00, 0x00, 0x02, 0x10, 0, 0, 0, 8]), 4)).toBe(532);
    expect(requiredAllocationLength(Uint8Array.from([0x80, 0x00, 0x00, 0x00]), 4)).toBe(0x80000004);
  });

  it('is undefined when the length field itself was not received', () => {
    expect(requiredAllocationLength(Uint8Array.from([0x01]), 2)).toBeUndefined();
    expect(requiredAllocationLength(Uint8Array.from([0, 0, 1]), 4)).toBeUndefined();
    expect(requiredAllocationLength(new Uint8Array(0), 2)).toBeUndefined();
  });
});
