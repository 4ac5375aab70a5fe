/**
 * ISO images (2048-byte user-data blocks, `.iso`/`.img`) as discs: a data CD with one Mode 1 track
 * whose sync, header, EDC and ECC are built around each block, or a DVD/BD whose blocks are the
 * image's blocks.
 */

import { FormatError } from '../../errors.js';
import type { MediaKind } from '../disc-model.js';
import { createSyntheticDisc, type TrackContent } from '../synthetic-disc.js';
import { memoryByteSource, openFileByteSource, type ByteSource } from './byte-source.js';
import { withImageFiles, type FileDiscModel } from './file-disc-model.js';

/** Options of `openIsoDisc` and `isoDiscFromBytes`. */
export interface IsoDiscOptions {
  /** The medium to present. 'auto' (default) picks CD, DVD or BD by size. */
  kind?: 'auto' | MediaKind;
}

const BLOCK_BYTES = 2048;
/** 'auto' presents images up to 900 MB (decimal) as CDs: past 99 minutes, within BCD MSF. */
export const ISO_CD_MAX_BYTES = 900_000_000;
/** … and up to a dual-layer DVD (4 173 824 blocks, about 8.5 GB) as DVDs; larger ones as BDs. */
export const ISO_DVD_MAX_BYTES = 4_173_824 * BLOCK_BYTES;
/** A CD track holds at most this many sectors (MSF 99:59:74 with the 150-sector pregap). */
const CD_MAX_SECTORS = 449_850;

/** Picks the medium for an image of `sizeBytes`. */
function mediaKindFor(sizeBytes: number, kind: IsoDiscOptions['kind'], name: string): MediaKind {
  const requested = kind ?? 'auto';
  if (requested !== 'auto' && requested !== 'cd' && requested !== 'dvd' && requested !== 'bd') {
    throw new RangeError(`Expected "kind" to be 'auto', 'cd', 'dvd' or 'bd', got ${JSON.stringify(kind)}`);
  }
  if (requested === 'cd' && sizeBytes / BLOCK_BYTES > CD_MAX_SECTORS) {
    throw new RangeError(`${name}: ${sizeBytes / BLOCK_BYTES} blocks do not fit on a CD (at most ${CD_MAX_SECTORS})`);
  }
  if (requested !== 'auto') return requested;
  if (sizeBytes <= ISO_CD_MAX_BYTES) return 'cd';
  return sizeBytes <= ISO_DVD_MAX_BYTES ? 'dvd' : 'bd';
}

function checkSize(source: ByteSource): void {
  if (source.sizeBytes === 0) throw new FormatError('the ISO image is empty', { file: source.name });
  if (source.sizeBytes % BLOCK_BYTES !== 0) {
    throw new FormatError(`the ISO image is ${source.sizeBytes} bytes, not a multiple of ${BLOCK_BYTES}`, { file: source.name });
  }
}

function isoModel(source: ByteSource, options: IsoDiscOptions): FileDiscModel {
  checkSize(source);
  const kind = mediaKindFor(source.sizeBytes, options.kind, source.name);
  const sectors = source.sizeBytes / BLOCK_BYTES;
  // On CD the track's first sector is LBA 0 (after the 150-sector pregap, which reads as zeros).
  const content: TrackContent = {
    fill(lba, _index, _sector, userData) {
      if (lba < 0) return 'absent';
      source.readAt(lba * BLOCK_BYTES, userData);
      return 'user';
    },
  };
  const model = createSyntheticDisc({ kind, tracks: [{ mode: 'mode1', sectors, content }] });
  return withImageFiles(model, source.name, [source]);
}

/**
 * Opens an ISO image as a disc: one Mode 1 track on CD (2352-byte sectors built around each
 * 2048-byte block), or DVD/BD blocks. The file is opened once and read with fs.readSync; call
 * `close()` when done. FormatError (naming the file) when the size is not a multiple of 2048.
 */
export function openIsoDisc(path: string, options: IsoDiscOptions = {}): FileDiscModel {
  if (typeof path !== 'string' || path === '') throw new TypeError('Expected "path" to be a non-empty string');
  const source = openFileByteSource(path);
  try {
    return isoModel(source, options);
  } catch (error) {
    source.close();
    throw error;
  }
}

/** The same for an image in memory (not copied); `name` appears in messages. */
export function isoDiscFromBytes(bytes: Uint8Array, options: IsoDiscOptions & { name?: string } = {}): FileDiscModel {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('Expected "bytes" to be a Uint8Array');
  return isoModel(memoryByteSource(bytes, options.name ?? 'memory.iso'), options);
}
