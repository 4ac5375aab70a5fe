/** `--offset` of dump and rip: a drive's audio read offset correction in samples, either sign. */

import { MAX_OFFSET_SAMPLES } from '../dump/audio-offset.js';
import { UsageError } from './io.js';

export function parseSampleOffset(text: string | undefined): number {
  if (text === undefined) return 0;
  const value = /^[+-]?\d{1,5}$/u.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || Math.abs(value) > MAX_OFFSET_SAMPLES) {
    throw new UsageError(`--offset needs a number of samples from -${MAX_OFFSET_SAMPLES} to ${MAX_OFFSET_SAMPLES} (write a negative one as --offset=-30), got "${text}"`);
  }
  return value;
}
