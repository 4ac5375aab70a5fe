import { describe, expect, it } from 'vitest';
import {
  buildSetCdSpeed,
  buildSetStreaming,
  kbpsToCdSpeedFactor,
  kbpsToSpeedFactor,
  SpeedFactorKBps,
} from '../../../lib/scsi/speed.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('buildSetCdSpeed', () => {
  it('asks for maximum read and write speed by default', () => {
    const command = buildSetCdSpeed();
    expect(hex(command.cdb)).toBe('bb 00 ff ff ff ff 00 00 00 00 00 00');
    expect(command).toEqual({ cdb: command.cdb, direction: 'none' });
  });

  it('places speeds and rotation control', () => {
    expect(hex(buildSetCdSpeed({ readSpeedKBps: 7056, writeSpeedKBps: 0, rotationControl: 1 }).cdb)).toBe(
      'bb 01 1b 90 00 00 00 00 00 00 00 00',
    );
  });

  it('validates its options', () => {
    expect(() => buildSetCdSpeed({ readSpeedKBps: 0x10000 })).toThrow(
      new RangeError('Expected "readSpeedKBps" to be between 0 and 65535, got 65536'),
    );
    expect(() => buildSetCdSpeed({ rotationControl: 2 })).toThrow(RangeError);
    expect(() => buildSetCdSpeed({ writeSpeedKBps: '7056' as never })).toThrow(TypeError);
  });
});

describe('buildSetStreaming', () => {
  it('sends a 28-byte performance descriptor', () => {
    const command = buildSetStreaming({ endLba: 0x123456, readSizeKB: 11080 });
    expect(hex(command.cdb)).toBe('b6 00 00 00 00 00 00 00 00 00 1c 00');
    expect(command).toEqual({ cdb: command.cdb, direction: 'out', data: command.data });
    expect(hex(command.data!)).toBe(
      '00 00 00 00 00 00 00 00 00 12 34 56 00 00 2b 48 00 00 03 e8 00 00 2b 48 00 00 03 e8',
    );
  });

  it('places every flag and value', () => {
    const command = buildSetStreaming({
      startLba: 100,
      endLba: 0xfffffffe,
      readSizeKB: 4496,
      readTimeMs: 2000,
      writeSizeKB: 5540,
      writeTimeMs: 500,
      restoreDefaults: true,
      exact: true,
      randomAccess: true,
      writeRotationControl: 1,
    });
    expect(hex(command.data!)).toBe(
      '0f 00 00 00 00 00 00 64 ff ff ff fe 00 00 11 90 00 00 07 d0 00 00 15 a4 00 00 01 f4',
    );
  });

  it('validates its options', () => {
    expect(() => buildSetStreaming({ startLba: 100, endLba: 50, readSizeKB: 1 })).toThrow(
      new RangeError('Expected "endLba" to be between 100 and 4294967295, got 50'),
    );
    expect(() => buildSetStreaming({ endLba: 1, readSizeKB: 1, readTimeMs: 0 })).toThrow(
      new RangeError('Expected "readTimeMs" to be between 1 and 4294967295, got 0'),
    );
    expect(() => buildSetStreaming({ readSizeKB: 1 } as never)).toThrow(
      new TypeError('Expected "endLba" to be an integer, got undefined'),
    );
    expect(() => buildSetStreaming({ endLba: 1, readSizeKB: 1, writeRotationControl: 2 })).toThrow(RangeError);
    expect(() => buildSetStreaming({ endLba: 1, readSizeKB: 1, exact: 'yes' as never })).toThrow(TypeError);
    expect(() => buildSetStreaming(undefined as never)).toThrow(TypeError);
  });
});

describe('speed factors', () => {
  it('converts kB/s to "×" per medium', () => {
    expect(SpeedFactorKBps).toEqual({ CD: 176.4, DVD: 1385, BD: 4496 });
    expect(kbpsToCdSpeedFactor(7056)).toBe(40);
    expect(kbpsToCdSpeedFactor(8467)).toBe(48);
    expect(kbpsToCdSpeedFactor(176)).toBe(1);
    expect(kbpsToCdSpeedFactor(2822)).toBe(16);
    expect(kbpsToCdSpeedFactor(441)).toBe(2.5);
    expect(kbpsToSpeedFactor(22160, SpeedFactorKBps.DVD)).toBe(16);
    expect(kbpsToSpeedFactor(26976, SpeedFactorKBps.BD)).toBe(6);
  });

  it('rejects nonsense', () => {
    expect(() => kbpsToCdSpeedFactor(-1)).toThrow(RangeError);
    expect(() => kbpsToCdSpeedFactor(Number.NaN)).toThrow(RangeError);
    expect(() => kbpsToSpeedFactor(1, 0)).toThrow(RangeError);
  });
});
