import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  AccurateRipAccumulator,
  accurateRipCrcs,
  accurateRipEntries,
  accurateRipFileName,
  accurateRipUrl,
  findTrackOffsets,
  matchAccurateRip,
  parseAccurateRipFileName,
  parseAccurateRipResponse,
  parseWavHeader,
  type AccurateRipResponseChunk,
} from '../../../lib/audio/index.js';
import { FormatError } from '../../../lib/errors.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));
const SAMPLES = join(CORPUS, 'ARver/tests/data/samples');
const RESPONSES = join(CORPUS, 'ARver/tests/data/responses');
const WHIPPER_BIN = join(CORPUS, 'whipper/whipper/test/dBAR-002-0000f21c-00027ef8-05021002.bin');
const HAVE_ARVER = existsSync(join(SAMPLES, 'sample.wav')) && existsSync(RESPONSES);
const HAVE_WHIPPER = existsSync(WHIPPER_BIN);

function wavPcm(path: string): Uint8Array {
  const bytes = new Uint8Array(readFileSync(path));
  const info = parseWavHeader(bytes);
  return bytes.subarray(info.dataOffset, info.dataOffset + info.dataBytes);
}

const hex = (n: number | undefined) => (n ?? -1).toString(16).padStart(8, '0');

/** Little-endian PCM bytes from 32-bit sample words. */
function pcmOf(words: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) view.setUint32(i * 4, words[i]! >>> 0, true);
  return out;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const MIDDLE = { isFirstTrack: false, isLastTrack: false };

describe('AccurateRip CRCs: synthetic vectors (dart_accuraterip)', () => {
  it('sums w·m for m = 1…N', () => {
    expect(accurateRipCrcs(pcmOf([1, 2, 3, 4]), MIDDLE)).toMatchObject({ v1: 30, v2: 30 });
  });
  it('v2 adds the high words of the products', () => {
    expect(accurateRipCrcs(pcmOf([0xffffffff, 0xffffffff]), MIDDLE)).toMatchObject({ v1: 0xfffffffd, v2: 0xfffffffe });
  });
  it('first track skips m < 2940, last track m > N − 2940', () => {
    expect(accurateRipCrcs(pcmOf(range(1, 2945)), { isFirstTrack: false, isLastTrack: true }).v1).toBe(55);
    expect(accurateRipCrcs(pcmOf(range(1, 100)), { isFirstTrack: false, isLastTrack: true })).toMatchObject({ v1: 0, v2: 0 });
    // dart_accuraterip restarts the multiplier at 1 after the skipped samples (44155, 21927620);
    // whipper and ARver keep the track position as multiplier, and ARver's sample.wav vectors
    // below (first and only track) decide for the latter: Σ m² over the window.
    expect(accurateRipCrcs(pcmOf(range(1, 2945)), { isFirstTrack: true, isLastTrack: false }).v1).toBe(51949855);
    expect(accurateRipCrcs(pcmOf(range(1, 6000)), { isFirstTrack: true, isLastTrack: true })).toMatchObject({ v1: 1089147620, v2: 1089147620 });
  });
  it('frame 450: only for tracks of 451 sectors or more, multipliers 1…588 over sector 450', () => {
    expect(accurateRipCrcs(pcmOf(new Array(450 * 588).fill(1)), MIDDLE).frame450).toBeUndefined();
    const words = new Array(451 * 588).fill(0);
    words[450 * 588] = 5;
    words[450 * 588 + 587] = 7;
    expect(accurateRipCrcs(pcmOf(words), MIDDLE).frame450).toBe(5 * 1 + 7 * 588);
  });
  it('streaming in odd-sized chunks gives the one-shot result; more samples than announced is a RangeError', () => {
    const pcm = pcmOf(range(1, 5000).map((i) => Math.imul(i, 2654435761) >>> 0));
    const position = { isFirstTrack: true, isLastTrack: true };
    const one = accurateRipCrcs(pcm, position);
    const acc = new AccurateRipAccumulator(5000, position);
    for (let i = 0; i < pcm.length; i += 7) acc.update(pcm.subarray(i, i + 7));
    expect(acc.digest()).toEqual(one);
    expect(() => acc.update(new Uint8Array(4))).toThrow(RangeError);
    expect(() => new AccurateRipAccumulator(10, MIDDLE).digest()).toThrow(RangeError);
  });
});

describe.skipIf(!HAVE_ARVER)('AccurateRip CRCs of ARver sample.wav (skipped without the corpus)', () => {
  const cases: [string, { isFirstTrack: boolean; isLastTrack: boolean }, string, string][] = [
    ['only track', { isFirstTrack: true, isLastTrack: true }, 'f43f9174', '0ae7c6f9'],
    ['first track', { isFirstTrack: true, isLastTrack: false }, '9d6c90ec', 'b775893e'],
    ['middle track', { isFirstTrack: false, isLastTrack: false }, '3c8dd1d2', '56bba272'],
    ['last track', { isFirstTrack: false, isLastTrack: true }, '9360d25a', 'aa2de02d'],
  ];
  for (const [name, position, v1, v2] of cases) {
    it(`${name}: v1 ${v1}, v2 ${v2}`, () => {
      const pcm = wavPcm(join(SAMPLES, 'sample.wav'));
      expect(pcm.length).toBe(44100 * 4);
      const crcs = accurateRipCrcs(pcm, position);
      expect([hex(crcs.v1), hex(crcs.v2)]).toEqual([v1, v2]);
      // The rip engine's way: 2352-byte sectors in order (the sample is 75 sectors).
      const acc = new AccurateRipAccumulator(44100, position);
      for (let i = 0; i < pcm.length; i += 2352) acc.update(pcm.subarray(i, i + 2352));
      expect(acc.digest()).toEqual(crcs);
    });
  }
  it('silence.wav is zero at every position', () => {
    const pcm = wavPcm(join(SAMPLES, 'silence.wav'));
    for (const [, position] of cases) expect(accurateRipCrcs(pcm, position)).toMatchObject({ v1: 0, v2: 0 });
  });
  it('sample_be.wav (RIFX) is refused by the WAV parser, and its byte-swapped data is the same PCM', () => {
    const be = new Uint8Array(readFileSync(join(SAMPLES, 'sample_be.wav')));
    expect(() => parseWavHeader(be)).toThrow(/RIFX/u);
    const data = be.slice(44);
    for (let i = 0; i + 1 < data.length; i += 2) [data[i], data[i + 1]] = [data[i + 1]!, data[i]!];
    expect(hex(accurateRipCrcs(data, cases[0]![1]).v1)).toBe('f43f9174');
  });
});

describe.skipIf(!HAVE_ARVER)('AccurateRip responses: ARver files (skipped without the corpus)', () => {
  const files = HAVE_ARVER ? readdirSync(RESPONSES).filter((n) => n.startsWith('dBAR-') && n.endsWith('.bin')) : [];

  it('has the four responses', () => {
    expect(files).toHaveLength(4);
  });

  for (const name of files) {
    it(`${name} parses to its JSON (zero-confidence entries left out)`, () => {
      const ids = parseAccurateRipFileName(name)!;
      expect(accurateRipFileName(ids)).toBe(name);
      const response = parseAccurateRipResponse(new Uint8Array(readFileSync(join(RESPONSES, name))), { expected: ids });
      const want = JSON.parse(readFileSync(join(RESPONSES, name.replace(/\.bin$/u, '.json')), 'utf8')) as Record<string, Record<string, { confidence: number; response: number }>>;
      const got: Record<string, Record<string, { confidence: number; response: number }>> = {};
      for (let track = 1; track <= ids.audioTracks + 1; track++) {
        const entries: Record<string, { confidence: number; response: number }> = {};
        for (const e of accurateRipEntries(response, track)) entries[String(e.crc)] = { confidence: e.confidence, response: e.pressing };
        got[String(track)] = entries;
      }
      expect(got).toEqual(want);
      for (const chunk of response) expect(chunk.tracks).toHaveLength(ids.audioTracks);
    });
  }

  it('wrong_header.bin: an unexpected header is a FormatError', () => {
    const bytes = new Uint8Array(readFileSync(join(RESPONSES, 'wrong_header.bin')));
    const expected = parseAccurateRipFileName('dBAR-013-00206791-01486a82-a710de0d.bin')!;
    expect(() => parseAccurateRipResponse(bytes, { expected })).toThrow(/unexpected header 088-efbeadde/u);
    expect(() => parseAccurateRipResponse(bytes)).toThrow(FormatError);
  });

  it('truncated_response.bin: a FormatError saying so', () => {
    const bytes = new Uint8Array(readFileSync(join(RESPONSES, 'truncated_response.bin')));
    expect(() => parseAccurateRipResponse(bytes)).toThrow(/truncated/u);
    expect(() => parseAccurateRipResponse(bytes)).toThrow(FormatError);
  });
});

describe.skipIf(!HAVE_WHIPPER)('AccurateRip responses: whipper dBAR-002 (skipped without the corpus)', () => {
  const response = HAVE_WHIPPER ? parseAccurateRipResponse(new Uint8Array(readFileSync(WHIPPER_BIN))) : [];

  it('two chunks with the ids, confidences, CRCs and frame-450 CRCs whipper and dart_accuraterip read', () => {
    expect(response.map((c) => ({ ...c, tracks: c.tracks.map((t) => ({ confidence: t.confidence, crc: hex(t.crc), frame450: hex(t.frame450) })) }))).toEqual([
      { audioTracks: 2, id1: 0xf21c, id2: 0x27ef8, cddb: 0x05021002, tracks: [{ confidence: 12, crc: '284fc705', frame450: '3b97f8a4' }, { confidence: 20, crc: '9cc1f32e', frame450: 'dc5500de' }] },
      { audioTracks: 2, id1: 0xf21c, id2: 0x27ef8, cddb: 0x05021002, tracks: [{ confidence: 7, crc: 'dc77f9ab', frame450: '00000000' }, { confidence: 7, crc: 'dd97d2c3', frame450: '00000000' }] },
    ]);
    expect(accurateRipUrl(response[0]!)).toBe('http://www.accuraterip.com/accuraterip/c/1/2/dBAR-002-0000f21c-00027ef8-05021002.bin');
  });

  it('matching: v1 in chunk 1, v2 in chunk 2, and none', () => {
    const result = matchAccurateRip(response, [
      { v1: 0x284fc705, v2: 0xdc77f9ab },
      { v1: 0x12345678, v2: 0xdd97d2c3 },
    ]);
    expect(result).toEqual([
      { track: 1, matched: 'v2', confidence: 7, pressing: 2, totalConfidence: 19, maxConfidence: 12 },
      { track: 2, matched: 'v2', confidence: 7, pressing: 2, totalConfidence: 27, maxConfidence: 20 },
    ]);
    expect(matchAccurateRip(response, [{ v1: 0x284fc705, v2: 1 }, { v1: 2, v2: 3 }]).map((m) => [m.matched, m.confidence, m.pressing])).toEqual([
      ['v1', 12, 1],
      ['none', 0, undefined],
    ]);
    expect(() => matchAccurateRip(response, [{ v1: 1, v2: 2 }])).toThrow(FormatError);
  });
});

describe('AccurateRip responses: hostile bytes', () => {
  it('empty, zero track count, inconsistent chunks', () => {
    expect(() => parseAccurateRipResponse(new Uint8Array(0))).toThrow(FormatError);
    expect(() => parseAccurateRipResponse(new Uint8Array(13))).toThrow(/no tracks/u);
    const chunk = new Uint8Array(22);
    chunk[0] = 1;
    const two = new Uint8Array(44);
    two.set(chunk, 0);
    two.set(chunk, 22);
    two[23] = 9; // id1 of chunk 2 differs
    expect(parseAccurateRipResponse(chunk)).toHaveLength(1);
    expect(() => parseAccurateRipResponse(two)).toThrow(/unexpected header/u);
  });
});

describe('offset search', () => {
  /** A deterministic "disc" of three tracks; the drive delivers sample p + offset when asked for p. */
  function disc(trackSectors: number[], seed: number) {
    const total = trackSectors.reduce((a, b) => a + b, 0) * 588;
    const words = new Uint32Array(total);
    let x = seed >>> 0;
    for (let i = 0; i < total; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      words[i] = x;
    }
    const starts: number[] = [];
    let s = 0;
    for (const n of trackSectors) {
      starts.push(s);
      s += n * 588;
    }
    const reader = (track: number, driveOffset: number) => (first: number, count: number) => {
      const out = new Uint32Array(count);
      for (let i = 0; i < count; i++) {
        const p = starts[track]! + first + i - driveOffset;
        out[i] = p >= 0 && p < total ? words[p]! : 0;
      }
      return pcmOf(out);
    };
    const truth = (track: number) => pcmOf(words.subarray(starts[track]!, starts[track]! + trackSectors[track]! * 588));
    return { reader, truth };
  }

  function responseFor(crcs: { v1: number; v2: number; frame450: number | undefined }[], useV2: boolean): AccurateRipResponseChunk[] {
    return [{ audioTracks: crcs.length, id1: 1, id2: 2, cddb: 3, tracks: crcs.map((c) => ({ confidence: 5, crc: useV2 ? c.v2 : c.v1, frame450: c.frame450 ?? 0 })) }];
  }

  it('finds a drive offset of +48 with the frame-450 pre-filter (v2 database)', async () => {
    const sectors = [460, 500, 470];
    const d = disc(sectors, 7);
    const positions = sectors.map((_, i) => ({ isFirstTrack: i === 0, isLastTrack: i === sectors.length - 1 }));
    const crcs = sectors.map((_, i) => accurateRipCrcs(d.truth(i), positions[i]!));
    const response = responseFor(crcs, true);
    for (let t = 0; t < 3; t++) {
      // Offset +48: the drive delivers true sample i where position i + 48 was asked for (it reads early).
      const found = await findTrackOffsets(d.reader(t, 48), { samples: sectors[t]! * 588, ...positions[t]! }, accurateRipEntries(response, t + 1), { maxOffset: 600 });
      expect(found).toEqual([{ offset: 48, matched: 'v2', confidence: 5, pressing: 1, crc: crcs[t]!.v2 }]);
    }
  });

  it('short tracks (no frame 450): the v1 sweep finds −667', async () => {
    const sectors = [40, 30, 50];
    const d = disc(sectors, 99);
    const positions = sectors.map((_, i) => ({ isFirstTrack: i === 0, isLastTrack: i === sectors.length - 1 }));
    const crcs = sectors.map((_, i) => accurateRipCrcs(d.truth(i), positions[i]!));
    expect(crcs.every((c) => c.frame450 === undefined)).toBe(true);
    const response = responseFor(crcs, false);
    const found = await findTrackOffsets(d.reader(1, -667), { samples: 30 * 588, ...positions[1]! }, accurateRipEntries(response, 2), { maxOffset: 1000 });
    expect(found.map((f) => [f.offset, f.matched])).toEqual([[-667, 'v1']]);
  });

  it('no entries, no reads; a bad reader is a RangeError', async () => {
    let reads = 0;
    expect(await findTrackOffsets(() => { reads++; return new Uint8Array(0); }, { samples: 588, ...MIDDLE }, [])).toEqual([]);
    expect(reads).toBe(0);
    await expect(findTrackOffsets(() => new Uint8Array(4), { samples: 588, ...MIDDLE }, [{ confidence: 1, crc: 1, frame450: 0, pressing: 1 }], { maxOffset: 5 })).rejects.toThrow(RangeError);
  });
});
