import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accurateRipDiscIds,
  accurateRipPath,
  computeDiscIds,
  ctdbDiscId,
  discIdLayoutFromToc,
  formatAccurateRipId,
  freedbDiscId,
  loadDiscIdLayout,
  musicBrainzDiscId,
  type DiscIdLayout,
} from '../../../lib/audio/index.js';
import { Drive } from '../../../lib/drive/drive.js';
import { FormatError } from '../../../lib/errors.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));
const VECTORS = join(CORPUS, '_vectors/discid_vectors.json');
const WHIPPER = join(CORPUS, 'whipper/whipper/test');
const HAVE_VECTORS = existsSync(VECTORS);
const HAVE_WHIPPER = existsSync(join(CORPUS, 'whipper/EXPECTED.json'));

interface Vector {
  src: string;
  name?: string;
  type?: string;
  toc?: string;
  full_toc?: string;
  raw_toc?: string;
  mb?: string;
  freedb?: string;
  freedb_query?: string;
  accuraterip?: string;
  track_lengths?: number[];
  pregap?: number;
  data_track_length?: number;
}

/** A MusicBrainz-style TOC string `first last leadout offsets…` (absolute sectors); `dataLast` marks the last track as data. */
function layoutFromMbToc(toc: string, dataLast = false): DiscIdLayout {
  const [first, last, leadOut, ...offsets] = toc.split(' ').map(Number);
  expect(offsets.length).toBe(last! - first! + 1);
  return {
    tracks: offsets.map((o, i) => ({ number: first! + i, startLba: o - 150, audio: !(dataLast && i === offsets.length - 1) })),
    leadOutLba: leadOut! - 150,
  };
}

/** mbdiscid's raw_toc `first last offsets… leadout`. */
function layoutFromRawToc(toc: string, dataLast: boolean): DiscIdLayout {
  const [first, last, ...rest] = toc.split(' ').map(Number);
  const leadOut = rest.pop()!;
  return layoutFromMbToc([first, last, leadOut, ...rest].join(' '), dataLast);
}

/** ARver's DiscInfo.from_track_lengths: data track 11 400 sectors after the audio. */
function layoutFromLengths(lengths: number[], pregap: number, dataLength: number): DiscIdLayout {
  const tracks = [];
  let lba = pregap;
  for (const [i, length] of lengths.entries()) {
    tracks.push({ number: i + 1, startLba: lba, audio: true });
    lba += length;
  }
  if (dataLength > 0) {
    lba += 11_400;
    tracks.push({ number: lengths.length + 1, startLba: lba, audio: false });
    lba += dataLength;
  }
  return { tracks, leadOutLba: lba };
}

const vectors: Vector[] = HAVE_VECTORS ? (JSON.parse(readFileSync(VECTORS, 'utf8')) as { vectors: Vector[] }).vectors : [];

describe.skipIf(!HAVE_VECTORS)('disc ids: every vector of discid_vectors.json (skipped without the corpus)', () => {
  const withToc = vectors.filter((v) => v.toc !== undefined || v.track_lengths !== undefined);

  it('has the vectors', () => {
    expect(withToc.length).toBeGreaterThanOrEqual(18);
  });

  for (const v of withToc) {
    const label = v.name ?? (v.track_lengths ? `ARver ${v.track_lengths.length} tracks, pregap ${v.pregap}, data ${v.data_track_length}` : v.src);
    it(label, () => {
      let layout: DiscIdLayout;
      if (v.track_lengths) layout = layoutFromLengths(v.track_lengths, v.pregap ?? 0, v.data_track_length ?? 0);
      else if (v.full_toc) layout = layoutFromMbToc(v.full_toc, true);
      else if (v.raw_toc) layout = layoutFromRawToc(v.raw_toc, v.type === 'enhanced');
      else layout = layoutFromMbToc(v.toc!);
      const ids = computeDiscIds(layout);
      let checked = 0;
      if (v.mb) {
        expect(ids.musicBrainz.id).toBe(v.mb);
        checked++;
      }
      if (v.toc && (v.full_toc || v.raw_toc)) expect(ids.musicBrainz.toc).toBe(v.toc);
      if (v.freedb) {
        expect(ids.freedb.id).toBe(v.freedb);
        checked++;
      }
      if (v.accuraterip) {
        expect(ids.accurateRip.text).toBe(v.accuraterip);
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    });
  }

  it('covers every vector that carries a TOC or a file of the whipper tests', () => {
    const rest = vectors.filter((v) => !withToc.includes(v)).map((v) => v.name);
    expect(rest).toEqual([
      'Bloc Party - Silent Alarm (bloc.toc, HTOA)',
      'cure.toc',
      'totbl.fast.toc / gentlemen.fast.toc (CDDB collision)',
      'dBAR-002 fixture',
    ]);
  });
});

describe.skipIf(!HAVE_WHIPPER || !HAVE_VECTORS)('disc ids from whipper cdrdao TOC files (skipped without the corpus)', () => {
  const expected = HAVE_WHIPPER ? (JSON.parse(readFileSync(join(CORPUS, 'whipper/EXPECTED.json'), 'utf8')) as Record<string, Record<string, unknown>>) : {};

  it('bloc.toc (HTOA): CDDB id, query and AccurateRip path', async () => {
    const layout = await loadDiscIdLayout(join(WHIPPER, 'bloc.toc'));
    expect(layout.tracks[0]!.startLba).toBe(15_220);
    const ids = computeDiscIds(layout);
    const vector = vectors.find((v) => v.name?.startsWith('Bloc Party'))!;
    expect(ids.freedb.id).toBe(vector.freedb);
    expect(ids.freedb.query).toBe(vector.freedb_query);
    expect(ids.accurateRip.text).toBe(vector.accuraterip);
    expect(ids.accurateRip.path).toBe(expected['bloc.toc (HTOA)']!.accuraterip_path);
    expect(ids.freedb.id).toBe(expected['bloc.toc (HTOA)']!.cddb);
  });

  it('cure.toc: AccurateRip id and path', async () => {
    const ids = computeDiscIds(await loadDiscIdLayout(join(WHIPPER, 'cure.toc')));
    expect(ids.accurateRip.text).toBe('013-0019d4c3-00fe8924-b90c650d');
    expect(ids.accurateRip.path).toBe(expected['cure.toc']!.accuraterip_path);
  });

  it('ladyhawke.toc (data track 13): MusicBrainz id and submission TOC, CDDB id, AccurateRip id', async () => {
    const layout = await loadDiscIdLayout(join(WHIPPER, 'ladyhawke.toc'));
    const e = expected['ladyhawke.toc (data track 13)']!;
    expect(layout.leadOutLba).toBe(e.frame_length_with_data);
    expect(layout.tracks[12]).toEqual({ number: 13, startLba: 207_106, audio: false });
    const ids = computeDiscIds(layout);
    expect(ids.musicBrainz.id).toBe(e.mb);
    expect(ids.musicBrainz.submissionUrl).toBe(`https://musicbrainz.org/cdtoc/attach?id=${e.mb as string}&tracks=12&toc=${e.mb_submit_toc as string}`);
    expect(ids.freedb.id).toBe(e.cddb);
    expect(ids.accurateRip.text).toBe('012-0013bd5a-00b8d489-c60af50d');
    expect(ids.accurateRip.path).toBe('a/5/d/dBAR-012-0013bd5a-00b8d489-c60af50d.bin');
  });

  it('totbl.fast.toc and gentlemen.fast.toc share CDDB id 810b7b0b', async () => {
    for (const name of ['totbl.fast.toc', 'gentlemen.fast.toc']) {
      const ids = computeDiscIds(await loadDiscIdLayout(join(WHIPPER, name)));
      expect(ids.freedb.id).toBe('810b7b0b');
      expect(ids.freedb.id).toBe(expected['totbl.fast.toc / gentlemen.fast.toc']!.cddb);
    }
  });
});

describe('disc ids: rules', () => {
  const ladyhawke: DiscIdLayout = {
    tracks: [0, 15537, 31691, 50866, 66466, 81202, 99409, 115920, 133093, 149847, 161560, 177682, 207106].map((startLba, i) => ({ number: i + 1, startLba, audio: i < 12 })),
    leadOutLba: 210385,
  };

  it('AccurateRip ids of the MMC-FACTS worked example, and the path from id1', () => {
    const ar = accurateRipDiscIds(ladyhawke);
    expect(ar).toEqual({ audioTracks: 12, id1: 0x0013bd5a, id2: 0x00b8d489, cddb: 0xc60af50d });
    expect(formatAccurateRipId(ar)).toBe('012-0013bd5a-00b8d489-c60af50d');
    expect(accurateRipPath(ar)).toBe('a/5/d/dBAR-012-0013bd5a-00b8d489-c60af50d.bin');
  });

  it('CD-Extra: MusicBrainz ends the audio 11 400 sectors before the data track', () => {
    const mb = musicBrainzDiscId(ladyhawke);
    expect(mb.toc.split(' ').slice(0, 3)).toEqual(['1', '12', '195856']);
    expect(mb.lastTrack).toBe(12);
    expect(mb.id).toBe('KnpGsLhvH.lPrNc1PBL21lb9Bg4-');
  });

  it('FreeDB counts the data track and the real lead-out', () => {
    const f = freedbDiscId(ladyhawke);
    expect(f.id).toBe('c60af50d');
    expect(f.query.split(' ').slice(0, 2)).toEqual(['c60af50d', '13']);
    expect(f.query.split(' ').at(-1)).toBe(String(Math.floor(210535 / 75)));
  });

  it('Mixed Mode: a leading data track stays in the MusicBrainz TOC; AccurateRip numbers audio tracks among themselves', () => {
    const mixed: DiscIdLayout = {
      tracks: [
        { number: 1, startLba: 0, audio: false },
        { number: 2, startLba: 3150, audio: true },
        { number: 3, startLba: 5400, audio: true },
      ],
      leadOutLba: 7200,
    };
    expect(musicBrainzDiscId(mixed).toc).toBe('1 3 7350 150 3300 5550');
    const ar = accurateRipDiscIds(mixed);
    expect(ar.audioTracks).toBe(2);
    expect(ar.id1).toBe(3150 + 5400 + 7200);
    expect(ar.id2).toBe(3150 * 1 + 5400 * 2 + 7200 * 3);
  });

  it('CTDB TOC id: SHA-1 of the audio starts relative to track 1 and the audio end, 100 fields, base64 with ._-', async () => {
    const { createHash } = await import('node:crypto');
    const plain: DiscIdLayout = { tracks: [{ number: 1, startLba: 32, audio: true }, { number: 2, startLba: 1032, audio: true }], leadOutLba: 5032 };
    const text = '000003E8' + '00001388' + '0'.repeat(98 * 8);
    const want = createHash('sha1').update(text).digest('base64').replaceAll('+', '.').replaceAll('/', '_').replaceAll('=', '-');
    expect(ctdbDiscId(plain)).toEqual({ tocId: want, toc: '32:1032:5032' });
    // CD-Extra: the data track is marked and the audio ends where MusicBrainz ends it.
    const extra = ctdbDiscId(ladyhawke);
    expect(extra.toc).toBe('0:15537:31691:50866:66466:81202:99409:115920:133093:149847:161560:177682:-207106:210385');
    const fields = ladyhawke.tracks.slice(1, 12).map((t) => t.startLba.toString(16).toUpperCase().padStart(8, '0')).join('') + (207106 - 11400).toString(16).toUpperCase().padStart(8, '0');
    const wantExtra = createHash('sha1').update(fields + '0'.repeat(88 * 8)).digest('base64').replaceAll('+', '.').replaceAll('/', '_').replaceAll('=', '-');
    expect(extra.tocId).toBe(wantExtra);
    expect(extra.tocId).toHaveLength(28);
  });

  it('refuses layouts no disc has', () => {
    const bad: DiscIdLayout[] = [
      { tracks: [], leadOutLba: 100 },
      { tracks: [{ number: 1, startLba: 0, audio: true }], leadOutLba: 0 },
      { tracks: [{ number: 1, startLba: 0, audio: false }], leadOutLba: 100 },
      { tracks: [{ number: 1, startLba: 0, audio: true }, { number: 3, startLba: 50, audio: true }], leadOutLba: 100 },
      { tracks: [{ number: 1, startLba: 50, audio: true }, { number: 2, startLba: 50, audio: true }], leadOutLba: 100 },
    ];
    for (const layout of bad) expect(() => computeDiscIds(layout)).toThrow(FormatError);
  });
});

describe('disc ids from a cue sheet and from an emulated drive', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'discrescue-discid-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('an Enhanced CD cue sheet (sparse BIN files) gives the ids read from the real disc (St. Anger, mbdiscid)', async () => {
    // Audio LBAs of session 1 and the data session as the disc's TOC has them.
    const audio = [0, 26277, 59362, 97277, 121645, 159902, 185817, 218075, 242610, 274815, 298360];
    const audioEnd = 338102 - 150;
    const msf = (frames: number): string => `${String(Math.floor(frames / 4500)).padStart(2, '0')}:${String(Math.floor(frames / 75) % 60).padStart(2, '0')}:${String(frames % 75).padStart(2, '0')}`;
    const lines = ['CATALOG 0075596285322', 'REM SESSION 01', 'FILE "audio.bin" BINARY'];
    audio.forEach((lba, i) => lines.push(`  TRACK ${String(i + 1).padStart(2, '0')} AUDIO`, ...(i === 0 ? ['    ISRC USEE10340428'] : []), `    INDEX 01 ${msf(lba)}`));
    lines.push('REM SESSION 02', 'FILE "data.bin" BINARY', '  TRACK 12 MODE2/2352', '    INDEX 01 00:00:00');
    const cue = join(dir, 'stanger.cue');
    await writeFile(cue, `${lines.join('\n')}\n`);
    await writeFile(join(dir, 'audio.bin'), '');
    await truncate(join(dir, 'audio.bin'), audioEnd * 2352);
    await writeFile(join(dir, 'data.bin'), '');
    await truncate(join(dir, 'data.bin'), (357656 - 349352) * 2352);
    const layout = await loadDiscIdLayout(cue);
    expect(layout.tracks.at(-1)).toEqual({ number: 12, startLba: 349352, audio: false });
    expect(layout.leadOutLba).toBe(357656);
    expect(layout.mcn).toBe('0075596285322');
    expect(layout.isrcs).toEqual({ 1: 'USEE10340428' });
    const ids = computeDiscIds(layout);
    expect(ids.musicBrainz.id).toBe('eoknU.IyXXaywKSXdaNZgbqkGZw-');
    expect(ids.freedb.id).toBe('bb12a00c');
    expect(ids.accurateRip.text).toBe('011-001f27c4-010ea9c1-bb12a00c');
  });

  it('a cue sheet of WAVE files counts their data chunks', async () => {
    const { wavHeader } = await import('../../../lib/audio/wav.js');
    const sectors = [300, 451];
    for (const [i, n] of sectors.entries()) {
      const path = join(dir, `t${i + 1}.wav`);
      await writeFile(path, wavHeader(n * 2352));
      await truncate(path, 44 + n * 2352);
    }
    const cue = join(dir, 'wav.cue');
    await writeFile(cue, 'FILE "t1.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\nFILE "t2.wav" WAVE\n  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n');
    const layout = await loadDiscIdLayout(cue);
    expect(layout.tracks.map((t) => t.startLba)).toEqual([0, 300]);
    expect(layout.leadOutLba).toBe(751);
  });

  it('a missing FILE is a FormatError naming the sheet', async () => {
    const cue = join(dir, 'missing.cue');
    await writeFile(cue, 'FILE "nothere.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n');
    await expect(loadDiscIdLayout(cue)).rejects.toThrow(FormatError);
  });

  it('emu:demo-cdextra: the drive TOC gives the CD-Extra rules', async () => {
    const drive = await Drive.open('emu:demo-cdextra');
    try {
      const toc = await drive.toc();
      const layout = discIdLayoutFromToc(toc);
      expect(layout.tracks.map((t) => t.audio)).toEqual([true, true, true, false]);
      const data = layout.tracks[3]!.startLba;
      const ids = computeDiscIds(layout);
      expect(ids.musicBrainz.leadOutLba).toBe(data - 11_400);
      expect(ids.musicBrainz.lastTrack).toBe(3);
      expect(ids.accurateRip.audioTracks).toBe(3);
      expect(ids.accurateRip.id1).toBe(layout.tracks.slice(0, 3).reduce((s, t) => s + t.startLba, 0) + toc.leadOutLba);
      expect(ids.freedb.id.endsWith('04')).toBe(true);
    } finally {
      await drive.close();
    }
  });
});
