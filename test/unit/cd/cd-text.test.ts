import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildCdTextPacks,
  cdTextGenreName,
  cdTextLanguageName,
  cdTextPacksFromDump,
  parseCdText,
  type CdTextBlock,
  type CdTextBlockInput,
} from '../../../lib/cd/cd-text.js';
import { crc16Gsm } from '../../../lib/cd/crc16-gsm.js';
import { FormatError } from '../../../lib/errors.js';
import { corpusUrl, hasCorpus, readCorpus } from './corpus.js';

function packs(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < data.length; o += 18) out.push(data.subarray(o, o + 18));
  return out;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const SMALL: CdTextBlockInput = {
  languageCode: 0x09,
  album: { title: 'Album', performer: 'Band' },
  tracks: [
    { number: 1, title: 'One', performer: 'Band' },
    { number: 2, title: 'Two' },
  ],
};

describe('building CD-TEXT packs', () => {
  it('lays out a small block exactly (types, track numbers, sequence, character positions, size info, CRC)', () => {
    const data = buildCdTextPacks([SMALL]);
    const list = packs(data);
    // Titles: "Album\0One\0Two\0" = 14 bytes → 2 packs; performers: "Band\0Band\0\0" = 11 → 1 pack.
    expect(list.map((p) => hex(p.subarray(0, 4)))).toEqual(['80000000', '80020102', '81000200', '8f000300', '8f010400', '8f020500']);
    expect(Buffer.from(list[0]!.subarray(4, 16)).toString('latin1')).toBe('Album\0One\0Tw');
    expect(Buffer.from(list[1]!.subarray(4, 16)).toString('latin1')).toBe('o\0' + '\0'.repeat(10));
    expect(Buffer.from(list[2]!.subarray(4, 16)).toString('latin1')).toBe('Band\0Band\0\0\0');
    // Size info: ISO-8859-1, tracks 1-2, no copyright; 2 title, 1 performer, 3 size packs; last sequence 5; English.
    const size = Buffer.concat(list.slice(3).map((p) => p.subarray(4, 16)));
    expect(hex(size)).toBe('00010200' + '0201000000000000' + '0000000000000003' + '0500000000000000' + '0900000000000000');
    for (const p of list) expect((p[16]! << 8) | p[17]!).toBe(crc16Gsm(p, 0, 16));
  });

  it('caps the character position at 15 and skips the genre code when counting', () => {
    const data = buildCdTextPacks([
      { languageCode: 9, album: { title: 'A'.repeat(40), genre: { code: 5, text: 'Classical music here' } }, tracks: [{ number: 1 }] },
    ]);
    const list = packs(data);
    expect(list.filter((p) => p[0] === 0x80).map((p) => p[3]! & 0x0f)).toEqual([0, 12, 15, 15]);
    const genre = list.filter((p) => p[0] === 0x87);
    expect(genre.map((p) => p[3]! & 0x0f)).toEqual([0, 10]);
    expect(hex(genre[0]!.subarray(4, 6))).toBe('0005');
  });

  it('round-trips through the parser, including ISO-8859-1, several blocks and TAB repeats', () => {
    const blocks: CdTextBlock[] = [
      {
        blockNumber: 0,
        languageCode: 0x09,
        characterCode: 0x01,
        firstTrack: 3,
        lastTrack: 5,
        copyright: 0,
        album: { title: 'Night Cats', performer: 'Orchestra', upcEan: '1234567890123', discId: 'XY-12', genre: { code: 5, text: 'Feline' }, closedInfo: 'secret' },
        tracks: [
          { number: 3, title: 'First', arranger: 'Tom', isrc: 'XYBLG1101234' },
          { number: 4, title: 'A rather long title that spans several packs', arranger: 'Tom' },
          { number: 5, title: 'Last', arranger: 'Tom', message: 'bye' },
        ],
      },
      {
        blockNumber: 1,
        languageCode: 0x08,
        characterCode: 0x00,
        firstTrack: 3,
        lastTrack: 5,
        copyright: 3,
        album: { title: 'Nachtkatzen', performer: 'Kätzchen & Söhne' },
        tracks: [{ number: 3, title: 'Größe' }, { number: 4 }, { number: 5, title: 'Ende' }],
      },
    ];
    for (const tabForRepeats of [false, true]) {
      const data = buildCdTextPacks(blocks, { tabForRepeats });
      const parsed = parseCdText(data);
      expect(parsed).toEqual({ blocks, badCrcPacks: [], skippedBlocks: [] });
    }
    const withTabs = buildCdTextPacks(blocks, { tabForRepeats: true });
    expect(withTabs.length).toBeLessThan(buildCdTextPacks(blocks).length);
    // The sequence numbers restart in every block and the last ones are in the size info.
    const list = packs(withTabs);
    const block1 = list.filter((p) => (p[3]! >> 4) === 1);
    expect(block1[0]![2]).toBe(0);
    const sizeInfo = Buffer.concat(list.filter((p) => p[0] === 0x8f && (p[3]! >> 4) === 0).map((p) => p.subarray(4, 16)));
    expect(sizeInfo[20]).toBe(list.length - block1.length - 1);
    expect(sizeInfo[21]).toBe(block1.length - 1);
    expect([sizeInfo[28], sizeInfo[29]]).toEqual([0x09, 0x08]);
  });

  it('accepts packs as a list and reports bad CRCs', () => {
    const data = buildCdTextPacks([SMALL]).slice();
    data[18 + 17]! ^= 1;
    const parsed = parseCdText(packs(data));
    expect(parsed.badCrcPacks).toEqual([1]);
    expect(parsed.blocks[0]!.tracks[1]!.title).toBe('Two');
  });

  it('rejects what it cannot encode', () => {
    expect(() => buildCdTextPacks([{ languageCode: 9, characterCode: 0x80, tracks: [{ number: 1, title: 'x' }] }])).toThrow(/not supported/);
    expect(() => buildCdTextPacks([{ languageCode: 9, characterCode: 1, tracks: [{ number: 1, title: 'Käse' }] }])).toThrow(/ASCII/);
    expect(() => buildCdTextPacks([{ languageCode: 9, tracks: [{ number: 1, title: 'smile ☺' }] }])).toThrow(/ISO-8859-1/);
    expect(() => buildCdTextPacks([])).toThrow(RangeError);
    expect(() => buildCdTextPacks([{ languageCode: 9 }, { languageCode: 8, blockNumber: 0 }])).toThrow(/twice/);
    expect(() => buildCdTextPacks([{ languageCode: 9, firstTrack: 2, tracks: [{ number: 1 }] }])).toThrow(RangeError);
    const huge = Array.from({ length: 99 }, (_, i) => ({ number: i + 1, title: 'x'.repeat(40) }));
    expect(() => buildCdTextPacks([{ languageCode: 9, tracks: huge }])).toThrow(/at most 256/);
  });
});

describe('parsing CD-TEXT packs', () => {
  it('rejects MS-JIS blocks with a FormatError, or skips them on request', () => {
    const data = buildCdTextPacks([SMALL, { ...SMALL, languageCode: 0x69 }]).slice();
    // Mark block 1 as MS-JIS in its size information and fix the CRC.
    for (let o = 0; o < data.length; o += 18) {
      if (data[o] === 0x8f && data[o + 1] === 0 && data[o + 3]! >> 4 === 1) {
        data[o + 4] = 0x80;
        const crc = crc16Gsm(data, o, o + 16);
        data[o + 16] = crc >> 8;
        data[o + 17] = crc & 0xff;
      }
    }
    expect(() => parseCdText(data)).toThrow(FormatError);
    expect(() => parseCdText(data)).toThrow(/block 1: character code 0x80 \(MS-JIS\)/);
    const parsed = parseCdText(data, { unsupportedBlocks: 'skip' });
    expect(parsed.blocks.map((b) => b.blockNumber)).toEqual([0]);
    expect(parsed.skippedBlocks).toEqual([{ blockNumber: 1, reason: expect.stringMatching(/MS-JIS/) }]);
  });

  it('rejects data that is not whole packs', () => {
    expect(() => parseCdText(new Uint8Array(19))).toThrow(FormatError);
    expect(() => parseCdText([new Uint8Array(17)])).toThrow(FormatError);
  });

  it('infers the track range without size information', () => {
    const data = buildCdTextPacks([SMALL]).subarray(0, 3 * 18);
    const parsed = parseCdText(data);
    expect(parsed.blocks[0]).toMatchObject({ firstTrack: 1, lastTrack: 2, characterCode: 0, languageCode: 0 });
    expect(parsed.blocks[0]!.tracks.map((t) => t.title)).toEqual(['One', 'Two']);
  });

  it('names languages and genres', () => {
    expect(cdTextLanguageName(0x09)).toBe('English');
    expect(cdTextLanguageName(0x08)).toBe('German');
    expect(cdTextLanguageName(0x69)).toBe('Japanese');
    expect(cdTextLanguageName(0x30)).toBeUndefined();
    expect(cdTextGenreName(5)).toBe('Classical');
    expect(cdTextGenreName(28)).toBe('World Music');
    expect(cdTextGenreName(29)).toBeUndefined();
  });
});

describe('CD-TEXT dumps', () => {
  it('detects a leading READ TOC header and ignores a partial trailing pack', () => {
    const data = buildCdTextPacks([SMALL]);
    const withHeader = new Uint8Array(4 + data.length + 1);
    withHeader[0] = (data.length + 2) >> 8;
    withHeader[1] = (data.length + 2) & 0xff;
    withHeader.set(data, 4);
    expect(cdTextPacksFromDump(withHeader)).toEqual({ packs: data, hadHeader: true, trailingBytes: 1 });
    const raw = new Uint8Array(data.length + 5);
    raw.set(data);
    expect(cdTextPacksFromDump(raw)).toEqual({ packs: data, hadHeader: false, trailingBytes: 5 });
    expect(cdTextPacksFromDump(Uint8Array.of(0, 2, 0, 0))).toEqual({ packs: new Uint8Array(0), hadHeader: true, trailingBytes: 0 });
    expect(() => cdTextPacksFromDump(Uint8Array.of(1, 2, 3, 4, 5))).toThrow(FormatError);
  });
});

/** Reads the text libcdio's cdtext-raw example prints (the .right file) into "where.FIELD" → value. */
function readRight(text: string): Map<number, { language: string; fields: Map<string, string> }> {
  const blocks = new Map<number, { language: string; fields: Map<string, string> }>();
  let current: { language: string; fields: Map<string, string> } | undefined;
  let where = '';
  for (const line of text.split('\n')) {
    const language = /^Language (\d+) '(.*)':$/u.exec(line);
    if (language) {
      current = { language: language[2]!, fields: new Map() };
      blocks.set(Number(language[1]), current);
      continue;
    }
    const section = /^CD-TEXT for (Disc|Track\s+(\d+)):$/u.exec(line);
    if (section) {
      where = section[2] === undefined ? 'disc' : `track${Number(section[2])}`;
      continue;
    }
    const field = /^\s+([A-Z_]+): (.*)$/u.exec(line);
    if (field && current) current.fields.set(`${where}.${field[1]}`, field[2]!);
  }
  return blocks;
}

function flatten(block: CdTextBlock): Map<string, string> {
  const out = new Map<string, string>();
  const put = (where: string, key: string, value: string | undefined): void => {
    if (value !== undefined) out.set(`${where}.${key}`, value);
  };
  const fields = [
    ['TITLE', 'title'],
    ['PERFORMER', 'performer'],
    ['SONGWRITER', 'songwriter'],
    ['COMPOSER', 'composer'],
    ['MESSAGE', 'message'],
    ['ARRANGER', 'arranger'],
  ] as const;
  for (const [key, name] of fields) put('disc', key, block.album[name]);
  put('disc', 'UPC_EAN', block.album.upcEan);
  put('disc', 'GENRE', block.album.genre?.text);
  put('disc', 'DISC_ID', block.album.discId);
  if (block.album.genre) put('disc', 'GENRE_CODE', `${block.album.genre.code} (${cdTextGenreName(block.album.genre.code)})`);
  for (const track of block.tracks) {
    for (const [key, name] of fields) put(`track${track.number}`, key, track[name]);
    put(`track${track.number}`, 'ISRC', track.isrc);
  }
  return out;
}

for (const [name, tabForRepeats] of [
  ['cdtext', false],
  ['cdtext-libburnia', true],
] as const) {
  const cdt = `libcdio/test/data/${name}.cdt`;
  const right = `libcdio/test/${name}.right`;
  describe.skipIf(!hasCorpus(cdt) || !hasCorpus(right))(
    `libcdio ${name}.cdt against ${name}.right (skipped without ../shared/corpus)`,
    () => {
      it('decodes what libcdio prints, with every CRC good', () => {
        const dump = cdTextPacksFromDump(readCorpus(cdt));
        expect(dump.hadHeader).toBe(false);
        const parsed = parseCdText(dump.packs);
        expect(parsed.badCrcPacks).toEqual([]);
        const expected = readRight(readFileSync(corpusUrl(right), 'utf8'));
        expect(parsed.blocks.length).toBe(expected.size);
        for (const block of parsed.blocks) {
          const want = expected.get(block.blockNumber)!;
          expect(cdTextLanguageName(block.languageCode)).toBe(want.language);
          expect(flatten(block)).toEqual(want.fields);
        }
      });

      it('rebuilds the very same packs', () => {
        const dump = cdTextPacksFromDump(readCorpus(cdt));
        const rebuilt = buildCdTextPacks(parseCdText(dump.packs).blocks, { tabForRepeats });
        expect(hex(rebuilt)).toBe(hex(dump.packs));
      });
    },
  );
}
