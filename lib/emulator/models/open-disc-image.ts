/**
 * One entry point for image files: the extension picks the model (`.iso`/`.img` ISO image, `.cue`
 * CUE/BIN, `.toc` cdrdao TOC).
 */

import { posix } from 'node:path';
import { UnsupportedError } from '../../errors.js';
import { openCdrdaoTocDisc } from './cdrdao-toc-model.js';
import { openCueDisc } from './cue-model.js';
import type { FileDiscModel } from './file-disc-model.js';
import { openIsoDisc } from './iso-model.js';

/** Extensions `openDiscImage` knows, and what they are. */
export const DISC_IMAGE_EXTENSIONS: Readonly<Record<string, string>> = {
  '.iso': 'ISO image',
  '.img': 'ISO image',
  '.cue': 'CUE sheet',
  '.toc': 'cdrdao TOC file',
};

/**
 * Opens an image file as a disc model by its extension (case-insensitive). UnsupportedError for
 * any other extension; the models' own errors (FormatError naming file and line) otherwise.
 */
export async function openDiscImage(path: string): Promise<FileDiscModel> {
  if (typeof path !== 'string' || path === '') throw new TypeError('Expected "path" to be a non-empty string');
  const extension = posix.extname(path).toLowerCase();
  switch (extension) {
    case '.iso':
    case '.img':
      return openIsoDisc(path);
    case '.cue':
      return openCueDisc(path);
    case '.toc':
      return openCdrdaoTocDisc(path);
    default: {
      const known = Object.entries(DISC_IMAGE_EXTENSIONS)
        .map(([ext, what]) => `${ext} (${what})`)
        .join(', ');
      throw new UnsupportedError(`${path}: unknown disc image type "${extension || '(no extension)'}"; expected ${known}`);
    }
  }
}
