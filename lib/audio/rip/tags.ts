/**
 * Vorbis comments for ripped tracks: from the disc's CD-Text (first block), its MCN, the ISRCs
 * from sub-channel Q and the disc ids of the TOC. Field names follow the usual Vorbis comment
 * practice (ALBUM, ARTIST, ALBUMARTIST, TITLE, TRACKNUMBER, TRACKTOTAL, ISRC) and MusicBrainz
 * Picard's for the rest: the MCN is a UPC/EAN bar code, so it goes to BARCODE (CATALOGNUMBER
 * there means the label's catalogue number, which a CD does not carry).
 */

import { parseCdText, cdTextGenreName, type CdTextBlock } from '../../cd/cd-text.js';
import type { Drive } from '../../drive/drive.js';
import type { DiscToc } from '../../drive/toc.js';
import { unlessRefused } from '../../drive/disc-codes.js';
import { readCdTextPacks } from '../../dump/probe.js';
import { AbortError, DiscError, FormatError, TransportError } from '../../errors.js';
import type { FlacTags } from '../flac/metadata.js';
import { computeDiscIds, discIdLayoutFromToc } from '../disc-id.js';
import type { RipTrackInfo } from './types.js';

/** What the tags of a rip are made from; every field optional. */
export interface RipTagSource {
  /** The CD-Text block the tags come from (the first block, normally English). */
  cdText?: CdTextBlock | undefined;
  /** Media catalog number (13 digits), from sub-channel Q. */
  mcn?: string | undefined;
  /** MusicBrainz disc id of the TOC. */
  musicBrainzDiscId?: string | undefined;
  /** FreeDB/CDDB id of the TOC (8 hex digits). */
  freedbDiscId?: string | undefined;
}

/** {@link readRipTagSource}'s result: the tag source, the raw packs and what went wrong. */
export interface RipTagSourceRead extends RipTagSource {
  /** Every CD-Text pack as read (18 bytes each), for keeping beside the rip. */
  cdTextPacks?: Uint8Array | undefined;
  /** Audio tracks in the TOC (for an image's TRACKTOTAL). */
  audioTrackCount?: number | undefined;
  /** For the log: blocks not decoded, CD-Text that could not be parsed. */
  notes: string[];
}

/** A CD-Text string worth a tag: trimmed, non-empty. */
function text(value: string | undefined): string | undefined {
  const t = value?.trim();
  return t === undefined || t.length === 0 ? undefined : t;
}

/** Tags the whole disc shares (album, album artist, genre, bar code, disc ids). */
export function ripDiscTags(source: RipTagSource = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const album = source.cdText?.album;
  const put = (name: string, value: string | undefined) => {
    if (value !== undefined) out[name] = value;
  };
  put('ALBUM', text(album?.title));
  put('ALBUMARTIST', text(album?.performer));
  const genre = album?.genre;
  // Codes 0 (not used) and 1 (not defined) name no genre; the free text wins when present.
  put('GENRE', genre ? (text(genre.text) ?? (genre.code >= 2 ? cdTextGenreName(genre.code) : undefined)) : undefined);
  put('BARCODE', text(source.mcn) ?? text(album?.upcEan));
  put('MUSICBRAINZ_DISCID', source.musicBrainzDiscId);
  put('DISCID', source.freedbDiscId);
  return out;
}

/**
 * The Vorbis comments of one ripped track: the disc's tags, then TITLE, ARTIST (the track's
 * performer, else the disc's), COMPOSER, TRACKNUMBER, TRACKTOTAL (audio tracks) and ISRC (sub-channel
 * Q first, CD-Text second). Without CD-Text only the numbers, ISRC, BARCODE and disc ids remain.
 * A hidden track before track 1 is TRACKNUMBER 0 and has no CD-Text of its own.
 */
export function ripTrackTags(track: Pick<RipTrackInfo, 'number' | 'audioTrackCount' | 'isrc'>, source: RipTagSource = {}): FlacTags {
  const own = track.number === 0 ? undefined : source.cdText?.tracks.find((t) => t.number === track.number);
  const album = source.cdText?.album;
  const tags: Record<string, string> = { ...ripDiscTags(source) };
  const put = (name: string, value: string | undefined) => {
    if (value !== undefined) tags[name] = value;
  };
  put('TITLE', text(own?.title));
  put('ARTIST', text(own?.performer) ?? text(album?.performer));
  put('COMPOSER', text(own?.composer));
  tags.TRACKNUMBER = String(track.number);
  tags.TRACKTOTAL = String(track.audioTrackCount);
  put('ISRC', text(track.isrc) ?? text(own?.isrc));
  return tags;
}

/**
 * The tags of an image of the whole disc: the disc's tags, ARTIST = the disc's performer,
 * TITLE = ALBUM, TRACKTOTAL when given. Per-track text belongs in the CUE sheet.
 */
export function ripImageTags(source: RipTagSource = {}, audioTrackCount?: number): FlacTags {
  const disc = ripDiscTags(source);
  return {
    ...disc,
    ...(disc.ALBUM === undefined ? {} : { TITLE: disc.ALBUM }),
    ...(disc.ALBUMARTIST === undefined ? {} : { ARTIST: disc.ALBUMARTIST }),
    ...(audioTrackCount === undefined ? {} : { TRACKTOTAL: String(audioTrackCount) }),
  };
}

/**
 * Reads what the tags need from the drive before a rip: CD-Text (READ TOC format 0101b, first
 * block; double-byte blocks skipped), the MCN and the disc ids of the TOC. A drive without CD-Text
 * or MCN, or with CD-Text that does not parse, gives a source without them (and a note): the rip
 * goes on with the numeric tags. Aborts and transport failures are thrown.
 */
export async function readRipTagSource(drive: Drive, options: { signal?: AbortSignal; toc?: DiscToc } = {}): Promise<RipTagSourceRead> {
  const notes: string[] = [];
  const signal = options.signal;
  const passOn = (error: unknown): undefined => {
    if (signal?.aborted || error instanceof AbortError || error instanceof TransportError || !(error instanceof DiscError)) throw error;
    return undefined;
  };
  const out: RipTagSourceRead = { notes };
  const packs = await readCdTextPacks(drive, signal);
  if (packs !== undefined) {
    out.cdTextPacks = packs;
    try {
      const parsed = parseCdText(packs, { unsupportedBlocks: 'skip' });
      for (const skipped of parsed.skippedBlocks) notes.push(`CD-Text block ${skipped.blockNumber} not used for tags (${skipped.reason})`);
      if (parsed.badCrcPacks.length > 0) notes.push(`CD-Text: ${parsed.badCrcPacks.length} pack(s) with a bad CRC, used anyway`);
      out.cdText = parsed.blocks[0];
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      notes.push(`CD-Text not used for tags: ${error.message}`);
    }
  }
  out.mcn = await unlessRefused(() => drive.mcn(signal ? { signal } : {}));
  const toc = options.toc ?? (await drive.toc(signal ? { signal } : {}).catch(passOn));
  if (toc) {
    out.audioTrackCount = toc.tracks.filter((t) => !t.isData).length;
    try {
      const ids = computeDiscIds(discIdLayoutFromToc(toc));
      out.musicBrainzDiscId = ids.musicBrainz.id;
      out.freedbDiscId = ids.freedb.id;
    } catch (error) {
      // A TOC the ids cannot describe (no audio, odd numbering) just goes without them.
      if (!(error instanceof RangeError || error instanceof FormatError)) throw error;
    }
  }
  return out;
}
