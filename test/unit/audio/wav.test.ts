import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_WAV_DATA, WAV_HEADER_SIZE, parseWavHeader, wavHeader } from '../../../lib/audio/index.js';
import { FormatError } from '../../../lib/errors.js';

const SAMPLES = fileURLToPath(new URL('../../../../shared/corpus/ARver/tests/data/samples/', import.meta.url));
const HAVE_ARVER = existsSync(join(SAMPLES, 'sample.wav'));

describe('WAV header', () => {
  it('writes the canonical 44-byte CD audio header', () => {
    const h = wavHeader(2352);
    expect(h).toHaveLength(WAV_HEADER_SIZE);
    expect(Buffer.from(h).toString('hex')).toBe('52494646' + '540900005741564566' + '6d74201000000001000200' + '44ac000010b1020004001000' + '64617461' + '30090000');
    expect(parseWavHeader(h, 44 + 2352)).toEqual({
      formatTag: 1, channels: 2, sampleRate: 44100, bitsPerSample: 16, blockAlign: 4, dataOffset: 44, dataBytes: 2352, truncated: false, cdAudio: true,
    });
    expect(() => wavHeader(-1)).toThrow(RangeError);
    expect(() => wavHeader(MAX_WAV_DATA + 1)).toThrow(RangeError);
  });

  it('skips unknown chunks (padded to even sizes) and cuts a truncated data chunk to whole frames', () => {
    const base = wavHeader(1000);
    const list = Uint8Array.of(0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0); // "LIST", 3 bytes + pad
    const file = new Uint8Array([...base.subarray(0, 36), ...list, ...base.subarray(36)]);
    const info = parseWavHeader(file, file.length + 10);
    expect(info.dataOffset).toBe(56);
    expect(info.truncated).toBe(true);
    expect(info.dataBytes).toBe(8);
  });

  it('refuses what is not PCM RIFF/WAVE', () => {
    const h = wavHeader(4);
    const notPcm = h.slice();
    notPcm[20] = 3;
    const rifx = h.slice();
    rifx[3] = 0x58;
    for (const bytes of [new Uint8Array(0), h.subarray(0, 11), notPcm, rifx, new TextEncoder().encode('RIFF\0\0\0\0AVI LIST')]) {
      expect(() => parseWavHeader(bytes)).toThrow(FormatError);
    }
    const dataFirst = Uint8Array.of(...new TextEncoder().encode('RIFF'), 0, 0, 0, 0, ...new TextEncoder().encode('WAVEdata'), 0, 0, 0, 0);
    expect(() => parseWavHeader(dataFirst)).toThrow(/data chunk before fmt/u);
  });
});

describe.skipIf(!HAVE_ARVER)('WAV header of ARver samples (skipped without the corpus)', () => {
  it('sample.wav: 44100 frames of CD audio after a 44-byte header', () => {
    const bytes = new Uint8Array(readFileSync(join(SAMPLES, 'sample.wav')));
    expect(parseWavHeader(bytes)).toMatchObject({ dataOffset: 44, dataBytes: 176400, cdAudio: true, truncated: false });
  });
  it('not_audio is refused', () => {
    expect(() => parseWavHeader(new Uint8Array(readFileSync(join(SAMPLES, 'not_audio'))))).toThrow(FormatError);
  });
});
