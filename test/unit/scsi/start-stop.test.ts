import { describe, expect, it } from 'vitest';
import { buildPreventAllowMediumRemoval, buildStartStopUnit } from '../../../lib/scsi/start-stop.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('buildStartStopUnit', () => {
  it('ejects, loads, spins up and stops', () => {
    const eject = buildStartStopUnit({ start: false, loadEject: true });
    expect(hex(eject.cdb)).toBe('1b 00 00 00 02 00');
    expect(eject).toEqual({ cdb: eject.cdb, direction: 'none' });
    expect(hex(buildStartStopUnit({ start: true, loadEject: true }).cdb)).toBe('1b 00 00 00 03 00');
    expect(hex(buildStartStopUnit({ start: true, loadEject: false }).cdb)).toBe('1b 00 00 00 01 00');
    expect(hex(buildStartStopUnit({ start: false, loadEject: false }).cdb)).toBe('1b 00 00 00 00 00');
  });

  it('places IMMED and the power condition', () => {
    expect(hex(buildStartStopUnit({ start: true, loadEject: false, immediate: true }).cdb)).toBe('1b 01 00 00 01 00');
    expect(hex(buildStartStopUnit({ start: false, loadEject: false, powerCondition: 3 }).cdb)).toBe('1b 00 00 00 30 00');
  });

  it('validates its options', () => {
    expect(() => buildStartStopUnit({ loadEject: true } as never)).toThrow(
      new TypeError('Expected "start" to be a boolean, got undefined'),
    );
    expect(() => buildStartStopUnit({ start: true, loadEject: false, powerCondition: 16 })).toThrow(
      new RangeError('Expected "powerCondition" to be between 0 and 15, got 16'),
    );
    expect(() => buildStartStopUnit({ start: true, loadEject: 1 as never })).toThrow(TypeError);
    expect(() => buildStartStopUnit(undefined as never)).toThrow(TypeError);
  });
});

describe('buildPreventAllowMediumRemoval', () => {
  it('locks, unlocks and locks persistently', () => {
    const lock = buildPreventAllowMediumRemoval({ prevent: true });
    expect(hex(lock.cdb)).toBe('1e 00 00 00 01 00');
    expect(lock).toEqual({ cdb: lock.cdb, direction: 'none' });
    expect(hex(buildPreventAllowMediumRemoval({ prevent: false }).cdb)).toBe('1e 00 00 00 00 00');
    expect(hex(buildPreventAllowMediumRemoval({ prevent: true, persistent: true }).cdb)).toBe('1e 00 00 00 03 00');
  });

  it('validates its options', () => {
    expect(() => buildPreventAllowMediumRemoval({} as never)).toThrow(
      new TypeError('Expected "prevent" to be a boolean, got undefined'),
    );
    expect(() => buildPreventAllowMediumRemoval({ prevent: true, persistent: 'no' as never })).toThrow(TypeError);
    expect(() => buildPreventAllowMediumRemoval(null as never)).toThrow(TypeError);
  });
});
