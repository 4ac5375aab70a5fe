import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../../lib/errors.js';
import {
  createNodeSheetReader,
  decodeSheetText,
  loadCdrdaoToc,
  loadCueSheet,
  sheetFileCandidates,
} from '../../../lib/image/index.js';
import { memoryReader } from './sheet-test-helpers.js';

describe('decodeSheetText', () => {
  it('reads UTF-8 with and without a byte order mark', () => {
    expect(decodeSheetText(new TextEncoder().encode('TITLE "日本"'))).toBe('TITLE "日本"');
    expect(decodeSheetText(Uint8Array.from([0xef, 0xbb, 0xbf, 0x41]))).toBe('A');
  });

  it('reads UTF-16 with a byte order mark', () => {
    expect(decodeSheetText(Uint8Array.from([0xff, 0xfe, 0x41, 0x00, 0xe9, 0x00]))).toBe('Aé');
    expect(decodeSheetText(Uint8Array.from([0xfe, 0xff, 0x00, 0x41, 0x00, 0xe9]))).toBe('Aé');
  });

  it('falls back to Windows-1252 for bytes that are not UTF-8 (EAC on Windows)', () => {
    expect(decodeSheetText(Uint8Array.from([0x44, 0x6f, 0x6e, 0x92, 0x74, 0x20, 0xe9]))).toBe('Don’t é');
  });
});

describe('sheetFileCandidates', () => {
  it('resolves against the sheet directory and tries Windows separators', () => {
    expect(sheetFileCandidates('/discs/a/disc.cue', 'x.bin')).toEqual(['/discs/a/x.bin']);
    expect(sheetFileCandidates('/discs/a/disc.toc', '../data/cdda.bin')).toEqual(['/discs/data/cdda.bin']);
    expect(sheetFileCandidates('/discs/a/disc.cue', '/abs/x.bin')).toEqual(['/abs/x.bin']);
    expect(sheetFileCandidates('disc.cue', 'Album\\01.wav')).toEqual(['Album\\01.wav', 'Album/01.wav']);
  });
});

describe('loadCueSheet', () => {
  const cue = 'FILE "one.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\nFILE "sub\\two.wav" WAVE\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n';

  it('parses and finds every FILE through the reader', async () => {
    const reader = memoryReader({ '/d/disc.cue': cue, '/d/one.bin': new Uint8Array(2352), '/d/sub/two.wav': new Uint8Array(44) });
    const sheet = await loadCueSheet('/d/disc.cue', reader);
    expect(sheet.fileName).toBe('/d/disc.cue');
    expect(sheet.tracks).toHaveLength(2);
  });

  it('names the FILE line of a missing file', async () => {
    const reader = memoryReader({ '/d/disc.cue': cue, '/d/one.bin': new Uint8Array(2352) });
    const error = await loadCueSheet('/d/disc.cue', reader).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toMatchObject({ file: '/d/disc.cue', line: 4 });
    expect((error as Error).message).toContain('FILE "sub\\two.wav" not found');
    await expect(loadCueSheet('/d/disc.cue', reader, { checkFiles: false })).resolves.toBeDefined();
  });

  it('decodes the sheet bytes (UTF-16 from Windows tools)', async () => {
    const utf16 = Uint8Array.from([0xff, 0xfe, ...[...'FILE a.bin BINARY\r\nTRACK 01 AUDIO\r\nINDEX 01 00:00:00\r\n'].flatMap((c) => [c.charCodeAt(0), 0])]);
    const sheet = await loadCueSheet('/a.cue', memoryReader({ '/a.cue': utf16, '/a.bin': new Uint8Array(0) }));
    expect(sheet.files[0]?.name).toBe('a.bin');
  });
});

describe('loadCdrdaoToc', () => {
  it('checks FILE/AUDIOFILE/DATAFILE names, not "-" or FIFOs', async () => {
    const toc = 'TRACK AUDIO\nFILE "-" 0 1:0:0\nFIFO "/tmp/f" 1:0:0\nDATAFILE "../img/data.bin"\n';
    await expect(loadCdrdaoToc('/d/t/x.toc', memoryReader({ '/d/t/x.toc': toc, '/d/img/data.bin': new Uint8Array(4) }))).resolves.toBeDefined();
    const error = await loadCdrdaoToc('/d/t/x.toc', memoryReader({ '/d/t/x.toc': toc })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_FORMAT', file: '/d/t/x.toc', line: 4 });
  });

  it('reads real files with createNodeSheetReader', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'discrescue-sheet-'));
    try {
      writeFileSync(join(directory, 'x.toc'), 'TRACK AUDIO\nFILE "x.wav" 0\n');
      const reader = createNodeSheetReader();
      await expect(loadCdrdaoToc(join(directory, 'x.toc'), reader)).rejects.toThrow(/cannot open "x.wav"/);
      writeFileSync(join(directory, 'x.wav'), new Uint8Array(10));
      await expect(reader.fileSize(join(directory, 'x.wav'))).resolves.toBe(10);
      await expect(reader.fileSize(directory)).resolves.toBeUndefined();
      await expect(loadCdrdaoToc(join(directory, 'x.toc'), reader)).resolves.toMatchObject({ tracks: [{ mode: 'AUDIO' }] });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
