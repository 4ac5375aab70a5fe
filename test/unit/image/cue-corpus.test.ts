import { describe, expect, it } from 'vitest';
import { formatCue, parseCue } from '../../../lib/image/index.js';
import { catchFormatError, HAVE_CORPUS, listCorpus, readCorpus, withoutPositions } from './sheet-test-helpers.js';

/**
 * Every cue sheet of the shared corpus, and what must happen to it. Files not listed here must parse.
 * The libcdio bad-*.cue files must be refused (libcdio test/check_cue.sh: cd-info must fail), at the
 * line that holds the error.
 */
const MUST_FAIL: Readonly<Record<string, { line: number; message: string }>> = {
  'libcdio/test/data/bad-cat1.cue': { line: 4, message: 'CATALOG needs a value' },
  'libcdio/test/data/bad-cat2.cue': { line: 4, message: 'CATALOG must be 13 digits' },
  'libcdio/test/data/bad-cat3.cue': { line: 4, message: 'CATALOG must be 13 digits' },
  'libcdio/test/data/bad-mode1.cue': { line: 6, message: 'unknown track mode "MODE3_FORM1"' },
  'libcdio/test/data/bad-msf-1.cue': { line: 7, message: 'frames field 100 must be below 75' },
  'libcdio/test/data/bad-msf-2.cue': { line: 7, message: 'seconds field 90 must be below 60' },
};

const cueFiles = listCorpus('.cue');

describe.skipIf(!HAVE_CORPUS)('corpus cue sheets (skipped without ../shared/corpus)', () => {
  it('lists every cue sheet the failure table names', () => {
    expect(cueFiles.length).toBeGreaterThanOrEqual(19);
    for (const name of Object.keys(MUST_FAIL)) expect(cueFiles).toContain(name);
  });

  it.each(cueFiles)('%s', (name) => {
    const text = readCorpus(name);
    const expected = MUST_FAIL[name];
    if (expected !== undefined) {
      const error = catchFormatError(() => parseCue(text, { fileName: name }));
      expect(error.file).toBe(name);
      expect(error.line).toBe(expected.line);
      expect(error.message).toContain(expected.message);
      return;
    }
    const sheet = parseCue(text, { fileName: name });
    expect(sheet.tracks.length).toBeGreaterThan(0);
    const written = formatCue(sheet);
    expect(withoutPositions(parseCue(written))).toEqual(withoutPositions(sheet));
  });
});

describe.skipIf(!HAVE_CORPUS)('corpus cue sheet contents (skipped without ../shared/corpus)', () => {
  it('libcdio cdda.cue: CD-Text, catalog and DCP (cdda.right)', () => {
    const sheet = parseCue(readCorpus('libcdio/test/data/cdda.cue'));
    expect(sheet).toMatchObject({ title: 'Join us now we have the software', catalog: '0000010271955', performer: 'Richard Stallman' });
    expect(sheet.files).toMatchObject([{ name: 'CDDA.BIN', type: 'BINARY' }]);
    expect(sheet.tracks[0]).toMatchObject({ title: 'Soft', performer: 'Richard S', flags: { dcp: true } });
  });

  it('libcdio-paranoia hidden-track.cue: INDEX 00 at the file start (HTOA)', () => {
    const sheet = parseCue(readCorpus('libcdio-paranoia/test/data/hidden-track.cue'));
    expect(sheet.tracks[0]?.indexes.map((index) => [index.number, index.offsetFrames])).toEqual([
      [0, 0],
      [1, 150],
    ]);
  });

  it('libcdio-paranoia mixed-mode-cd.cue: data track first', () => {
    const sheet = parseCue(readCorpus('libcdio-paranoia/test/data/mixed-mode-cd.cue'));
    expect(sheet.tracks.map((track) => track.mode)).toEqual(['MODE1/2352', 'AUDIO']);
  });

  it('whipper kings-separate.cue (EAC, CRLF): one FILE per track, Windows paths, REM lines', () => {
    const sheet = parseCue(readCorpus('whipper/whipper/test/kings-separate.cue'));
    expect(sheet.files).toHaveLength(11);
    expect(sheet.files[0]?.name).toBe('Kings of Leon - Only By the Night\\Kings of Leon - Closer.wav');
    expect(sheet.rems.map((rem) => rem.keyword)).toEqual(['GENRE', 'DATE', 'DISCID', 'COMMENT']);
    expect(sheet.tracks.every((track, i) => track.fileIndex === i && track.indexes[0]?.offsetFrames === 0)).toBe(true);
  });

  it('whipper track-separate.cue: the same file name in four FILE commands', () => {
    const sheet = parseCue(readCorpus('whipper/whipper/test/track-separate.cue'));
    expect(sheet.files.map((file) => file.name)).toEqual(['track.flac', 'track.flac', 'track.flac', 'track.flac']);
  });

  it('whipper kings-single.cue: index positions', () => {
    const sheet = parseCue(readCorpus('whipper/whipper/test/kings-single.cue'));
    expect(sheet.tracks[1]?.indexes[0]?.offsetFrames).toBe(3 * 4500 + 57 * 75 + 36);
    expect(sheet.tracks[10]?.indexes[0]?.offsetFrames).toBe(37 * 4500 + 4 * 75 + 58);
  });
});
