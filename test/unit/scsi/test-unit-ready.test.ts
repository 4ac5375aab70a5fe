import { describe, expect, it } from 'vitest';
import { buildTestUnitReady } from '../../../lib/scsi/test-unit-ready.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('buildTestUnitReady', () => {
  it('is six zero bytes with no data', () => {
    const command = buildTestUnitReady();
    expect(hex(command.cdb)).toBe('00 00 00 00 00 00');
    expect(command).toEqual({ cdb: command.cdb, direction: 'none' });
  });

  it('returns a fresh CDB each time', () => {
    expect(buildTestUnitReady().cdb).not.toBe(buildTestUnitReady().cdb);
  });
});
