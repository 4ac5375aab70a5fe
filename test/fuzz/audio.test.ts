/**
 * Audio files from untrusted sources: WAV headers, AccurateRip responses (dBAR-…bin) and the
 * AccurateRip drive offset list. Whatever the bytes, the parser returns a value or throws a
 * DiscError (FormatError); what it returns can be used (matched, looked up) without an untyped error.
 */

import { describe, expect, it } from 'vitest';
import { wavHeader, parseWavHeader } from '../../lib/audio/wav.js';
import { accurateRipEntries, matchAccurateRip, parseAccurateRipResponse, parseAccurateRipFileName } from '../../lib/audio/accuraterip.js';
import { formatDriveOffsets, lookupDriveOffset, parseDriveOffsets } from '../../lib/audio/drive-offsets.js';
import { PROPERTY_TIMEOUT_MS, check, corpusFiles, hostileBytes, typed } from './harness.js';

function corpusBytes(relatives: string[]): Uint8Array[] {
  return corpusFiles(relatives).map((file) => file.bytes);
}

const WAVS = corpusBytes(['ARver/tests/data/samples/sample.wav', 'ARver/tests/data/samples/sample_be.wav']).map((b) => b.subarray(0, 256));
{
  // Always a few valid samples, corpus or not: canonical, with a LIST chunk, extensible format.
  const canonical = wavHeader(4 * 588);
  const list = new Uint8Array([...canonical.subarray(0, 36), ...new TextEncoder().encode('LIST'), 5, 0, 0, 0, 1, 2, 3, 4, 5, 0, ...canonical.subarray(36)]);
  const extensible = canonical.slice();
  extensible[20] = 0xfe;
  extensible[21] = 0xff;
  WAVS.push(canonical, list, extensible);
}

const RESPONSES = corpusBytes([
  'ARver/tests/data/responses/dBAR-001-000441fd-000883fb-020e8801.bin',
  'ARver/tests/data/responses/dBAR-013-00206791-01486a82-a710de0d.bin',
  'ARver/tests/data/responses/dBAR-042-00b15696-110290c9-b6115d2b.bin',
  'ARver/tests/data/responses/truncated_response.bin',
  'ARver/tests/data/responses/wrong_header.bin',
  'whipper/whipper/test/dBAR-002-0000f21c-00027ef8-05021002.bin',
  'whipper/whipper/test/dBAR-011-0010e284-009228a3-9809ff0b.bin',
]);
{
  const chunk = new Uint8Array(13 + 2 * 9);
  chunk[0] = 2;
  chunk[14] = 5;
  RESPONSES.push(chunk, new Uint8Array([...chunk, ...chunk]));
}

const OFFSETS = [
  formatDriveOffsets([
    { name: 'PIONEER  - BD-RW   BDR-209D', offset: 667 },
    { name: '- CD-ROM 52X', offset: -472 },
    { name: 'PLEXTOR  - DVDR   PX-716A', offset: 30, extra: new Uint8Array(34).fill(7) },
  ]),
];

describe('fuzz: audio formats', () => {
  it('parseWavHeader: a WavInfo inside the bytes given, or a FormatError', async () => {
    expect(WAVS.length).toBeGreaterThanOrEqual(3);
    await check(hostileBytes(WAVS, 512), (bytes) => {
      for (const size of [bytes.length, bytes.length + 1_000_000, 0]) {
        const info = typed('parseWavHeader', () => parseWavHeader(bytes, size));
        if (info === undefined) continue;
        expect(info.dataOffset).toBeLessThanOrEqual(bytes.length);
        expect(info.dataBytes).toBeGreaterThanOrEqual(0);
        expect(info.dataOffset + info.dataBytes).toBeLessThanOrEqual(Math.max(size, info.dataOffset));
      }
    });
  }, PROPERTY_TIMEOUT_MS);

  it('parseAccurateRipResponse: chunks that match and list, or a FormatError', async () => {
    expect(RESPONSES.length).toBeGreaterThanOrEqual(2);
    const expected = parseAccurateRipFileName('dBAR-013-00206791-01486a82-a710de0d.bin')!;
    await check(hostileBytes(RESPONSES, 1024), (bytes) => {
      for (const options of [{}, { expected }]) {
        const response = typed('parseAccurateRipResponse', () => parseAccurateRipResponse(bytes, options));
        if (response === undefined) continue;
        const tracks = response[0]!.audioTracks;
        expect(response.every((c) => c.tracks.length === tracks)).toBe(true);
        typed('accurateRipEntries', () => accurateRipEntries(response, 1));
        typed('matchAccurateRip', () => matchAccurateRip(response, Array.from({ length: tracks }, (_, i) => ({ v1: i, v2: i * 7 }))));
      }
    });
  }, PROPERTY_TIMEOUT_MS);

  it('parseDriveOffsets: records that look up, or a FormatError', async () => {
    await check(hostileBytes(OFFSETS, 69 * 6), (bytes) => {
      const records = typed('parseDriveOffsets', () => parseDriveOffsets(bytes));
      if (records === undefined) return;
      for (const r of records) {
        expect(r.offset).toBeGreaterThanOrEqual(-32768);
        expect(r.offset).toBeLessThanOrEqual(32767);
        typed('lookupDriveOffset', () => lookupDriveOffset(records, r.vendor, r.product));
      }
    });
  }, PROPERTY_TIMEOUT_MS);
});
