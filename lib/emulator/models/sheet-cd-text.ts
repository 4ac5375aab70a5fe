/**
 * CD-Text packs (MMC-FACTS §3.10) from the text a cue sheet or cdrdao TOC carries, built with
 * lib/cd buildCdTextPacks, so a disc loaded from a sheet answers READ TOC format 5 as the burned
 * disc would. Text that CD-Text cannot carry (characters outside ISO-8859-1, MS-JIS and other
 * double-byte blocks) leaves the disc without CD-Text rather than failing the load.
 */

import {
  buildCdTextPacks,
  CdTextCharacterCode,
  type CdTextAlbum,
  type CdTextBlockInput,
  type CdTextTrack,
} from '../../cd/index.js';
import type { CdrdaoCdTextBlock, CdrdaoCdTextItem, CdrdaoToc, CueCdTextField, CueSheet } from '../../image/index.js';

/** EBU language code of English: cdrdao's `EN`, and what a cue sheet's text is taken to be. */
const ENGLISH = 0x09;

type TextKey = 'title' | 'performer' | 'songwriter' | 'composer' | 'arranger' | 'message';

const CUE_EXTENSION_KEYS: Readonly<Partial<Record<CueCdTextField['keyword'], TextKey>>> = {
  ARRANGER: 'arranger',
  COMPOSER: 'composer',
  MESSAGE: 'message',
};

const TOC_TEXT_KEYS: Readonly<Partial<Record<CdrdaoCdTextItem['name'], TextKey>>> = {
  TITLE: 'title',
  PERFORMER: 'performer',
  SONGWRITER: 'songwriter',
  COMPOSER: 'composer',
  ARRANGER: 'arranger',
  MESSAGE: 'message',
};

function build(blocks: CdTextBlockInput[]): Uint8Array | undefined {
  try {
    return buildCdTextPacks(blocks);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function hasText(values: ReadonlyArray<object>): boolean {
  return values.some((value) => Object.entries(value).some(([key, v]) => key !== 'number' && v !== undefined && v !== ''));
}

/** Packs for a cue sheet's TITLE/PERFORMER/SONGWRITER and CD-Text extension lines; undefined when it has none. */
export function cdTextPacksFromCue(sheet: CueSheet): Uint8Array | undefined {
  const album: CdTextAlbum = {};
  if (sheet.title !== undefined) album.title = sheet.title;
  if (sheet.performer !== undefined) album.performer = sheet.performer;
  if (sheet.songwriter !== undefined) album.songwriter = sheet.songwriter;
  for (const field of sheet.cdText) {
    const key = CUE_EXTENSION_KEYS[field.keyword];
    if (key !== undefined) album[key] = field.value;
    else if (field.keyword === 'DISC_ID') album.discId = field.value;
    else if (field.keyword === 'UPC_EAN') album.upcEan = field.value;
    else if (field.keyword === 'GENRE') album.genre = { code: 0, text: field.value };
  }
  const tracks: CdTextTrack[] = sheet.tracks.map((track) => {
    const entry: CdTextTrack = { number: track.number };
    if (track.title !== undefined) entry.title = track.title;
    if (track.performer !== undefined) entry.performer = track.performer;
    if (track.songwriter !== undefined) entry.songwriter = track.songwriter;
    for (const field of track.cdText) {
      const key = CUE_EXTENSION_KEYS[field.keyword];
      if (key !== undefined) entry[key] = field.value;
    }
    return entry;
  });
  if (!hasText([album, ...tracks])) return undefined;
  const first = sheet.tracks[0]?.number ?? 1;
  const last = sheet.tracks[sheet.tracks.length - 1]?.number ?? first;
  return build([{ languageCode: ENGLISH, firstTrack: first, lastTrack: last, album, tracks }]);
}

function itemText(item: CdrdaoCdTextItem): string {
  if (typeof item.value === 'string') return item.value;
  const end = item.value.indexOf(0);
  return String.fromCharCode(...(end < 0 ? item.value : item.value.slice(0, end)));
}

function applyItems<T extends CdTextAlbum | CdTextTrack>(target: T, items: readonly CdrdaoCdTextItem[], album: boolean): T {
  for (const item of items) {
    const key = TOC_TEXT_KEYS[item.name];
    if (key !== undefined) target[key] = itemText(item);
    else if (item.name === 'ISRC' && !album) (target as CdTextTrack).isrc = itemText(item);
    else if (album && item.name === 'UPC_EAN') (target as CdTextAlbum).upcEan = itemText(item);
    else if (album && item.name === 'DISC_ID') (target as CdTextAlbum).discId = itemText(item);
    else if (album && item.name === 'CLOSED') (target as CdTextAlbum).closedInfo = itemText(item);
    else if (album && item.name === 'GENRE') {
      const genre = Array.isArray(item.value)
        ? { code: ((item.value[0] ?? 0) << 8) | (item.value[1] ?? 0), text: itemText({ ...item, value: item.value.slice(2) }) }
        : { code: 0, text: item.value };
      if (genre.code !== 0 || genre.text !== '') (target as CdTextAlbum).genre = genre;
    }
  }
  return target;
}

/**
 * Packs for a TOC's CD_TEXT blocks (one per LANGUAGE; the language code from LANGUAGE_MAP, English
 * for an unmapped language 0). Undefined when the TOC has none or uses a double-byte encoding.
 */
export function cdTextPacksFromToc(toc: CdrdaoToc): Uint8Array | undefined {
  const discText = toc.cdText;
  if (discText === undefined || discText.blocks.length === 0) return undefined;
  const firstNumber = toc.firstTrackNumber ?? 1;
  const blocks: CdTextBlockInput[] = [];
  for (const block of discText.blocks) {
    const characterCode = characterCodeOf(block);
    if (characterCode === undefined) return undefined;
    const mapped = discText.languageMap.find((mapping) => mapping.language === block.language)?.code;
    const languageCode = mapped === 'EN' ? ENGLISH : (mapped ?? (block.language === 0 ? ENGLISH : 0));
    const tracks = toc.tracks.map((track, i) => {
      const trackBlock = track.cdText?.find((candidate) => candidate.language === block.language);
      return applyItems<CdTextTrack>({ number: firstNumber + i }, trackBlock?.items ?? [], false);
    });
    blocks.push({
      blockNumber: block.language,
      languageCode,
      characterCode,
      firstTrack: firstNumber,
      lastTrack: firstNumber + toc.tracks.length - 1,
      album: applyItems<CdTextAlbum>({}, block.items, true),
      tracks,
    });
  }
  return build(blocks);
}

function characterCodeOf(block: CdrdaoCdTextBlock): number | undefined {
  switch (block.encoding) {
    case undefined:
    case 'ENCODING_ISO_8859_1':
      return CdTextCharacterCode.ISO_8859_1;
    case 'ENCODING_ASCII':
      return CdTextCharacterCode.ASCII;
    default:
      return undefined;
  }
}
