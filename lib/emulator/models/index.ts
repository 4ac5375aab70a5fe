/**
 * File-backed disc models: ISO images, CUE/BIN and cdrdao TOC files (docs/emulator.md, "Disc
 * models").
 */

export { openDiscImage, DISC_IMAGE_EXTENSIONS } from './open-disc-image.js';
export { openIsoDisc, isoDiscFromBytes, ISO_CD_MAX_BYTES, ISO_DVD_MAX_BYTES } from './iso-model.js';
export type { IsoDiscOptions } from './iso-model.js';
export { openCueDisc } from './cue-model.js';
export { openCdrdaoTocDisc } from './cdrdao-toc-model.js';
export type { FileDiscModel } from './file-disc-model.js';
