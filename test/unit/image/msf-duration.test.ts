import { describe, expect, it } from 'vitest';
import { formatMsfDuration, framesToMsf, msfToFrames } from '../../../lib/image/index.js';

describe('msf-duration', () => {
  it('converts between frame counts and mm:ss:ff without the 150-frame disc offset', () => {
    expect(msfToFrames({ minute: 3, second: 22, frame: 70 })).toBe(15220);
    expect(framesToMsf(15220)).toEqual({ minute: 3, second: 22, frame: 70 });
    expect(formatMsfDuration(0)).toBe('00:00:00');
    expect(formatMsfDuration(15220)).toBe('03:22:70');
  });

  it('allows minutes beyond 99 (libcdio t3.toc: 180 minutes)', () => {
    expect(formatMsfDuration(180 * 4500 + 74)).toBe('180:00:74');
    expect(framesToMsf(180 * 4500)).toEqual({ minute: 180, second: 0, frame: 0 });
  });

  it('refuses negative, fractional and unsafe frame counts', () => {
    expect(() => formatMsfDuration(-1)).toThrow(RangeError);
    expect(() => formatMsfDuration(1.5)).toThrow(RangeError);
    expect(() => formatMsfDuration(2 ** 53)).toThrow(RangeError);
  });
});
