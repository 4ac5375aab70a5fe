import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Crc32Accumulator, crc32, formatCrc, parseWavHeader, trackCrc32 } from '../../../lib/audio/index.js';

const SAMPLES = fileURLToPath(new URL('../../../../shared/corpus/ARver/tests/data/samples/', import.meta.url));
const HAVE_ARVER = existsSync(join(SAMPLES, 'sample.wav'));

function wavPcm(name: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(join(SAMPLES, name)));
  const info = parseWavHeader(bytes);
  return bytes.subarray(info.dataOffset, info.dataOffset + info.dataBytes);
}

describe('CRC-32', () => {
  it('check value and continuation', () => {
    const text = new TextEncoder().encode('123456789');
    expect(crc32(text)).toBe(0xcbf43926);
    expect(crc32(text.subarray(4), crc32(text.subarray(0, 4)))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(formatCrc(0xcbf43926)).toBe('CBF43926');
  });

  it('without nulls leaves out zero 16-bit samples of either channel, nothing else', () => {
    // L=0, R=0x0102 | L=0x0304, R=0 | L=0, R=0
    const pcm = Uint8Array.of(0, 0, 2, 1, 4, 3, 0, 0, 0, 0, 0, 0);
    const got = trackCrc32(pcm);
    expect(got.crc32).toBe(crc32(pcm));
    expect(got.crc32WithoutNulls).toBe(crc32(Uint8Array.of(2, 1, 4, 3)));
    // A sample with one zero byte is not null.
    expect(trackCrc32(Uint8Array.of(0, 1, 0, 0)).crc32WithoutNulls).toBe(crc32(Uint8Array.of(0, 1)));
  });

  it('streaming in odd chunks (a sample split across chunks) equals one call', () => {
    const pcm = new Uint8Array(4099);
    for (let i = 0; i < pcm.length; i++) pcm[i] = (i * 37) % 5 === 0 ? 0 : (i * 131) & 0xff;
    const whole = trackCrc32(pcm);
    for (const step of [1, 3, 2352]) {
      const acc = new Crc32Accumulator();
      for (let i = 0; i < pcm.length; i += step) acc.update(pcm.subarray(i, i + step));
      expect(acc.digest()).toEqual(whole);
    }
    expect(whole.bytes).toBe(4099);
  });
});

describe.skipIf(!HAVE_ARVER)('CRC-32 of ARver samples (skipped without the corpus)', () => {
  it('sample.wav: 8CE80129, without nulls 2D5000DC', () => {
    const got = trackCrc32(wavPcm('sample.wav'));
    expect([formatCrc(got.crc32), formatCrc(got.crc32WithoutNulls)]).toEqual(['8CE80129', '2D5000DC']);
  });
  it('silence.wav: 769282BB, without nulls 00000000', () => {
    const got = trackCrc32(wavPcm('silence.wav'));
    expect([formatCrc(got.crc32), formatCrc(got.crc32WithoutNulls)]).toEqual(['769282BB', '00000000']);
  });
});
