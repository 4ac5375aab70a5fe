/**
 * A disc model whose sectors live in image files: the files stay open while the model is in use
 * and `close()` releases them.
 */

import type { DiscModel } from '../disc-model.js';
import type { ByteSource } from './byte-source.js';

/** A DiscModel backed by open image files. */
export interface FileDiscModel extends DiscModel {
  /** The image the model was opened from (ISO, cue sheet or TOC file). */
  readonly imagePath: string;
  /** Closes every file the model reads; reading afterwards throws. Safe to call twice. */
  close(): void;
}

/** Adds `imagePath` and a `close()` that closes `sources` to a model. */
export function withImageFiles(model: DiscModel, imagePath: string, sources: readonly ByteSource[]): FileDiscModel {
  return Object.assign(model, {
    imagePath,
    close(): void {
      for (const source of sources) source.close();
    },
  });
}
