/**
 * Shared helpers for the image sheet tests: corpus paths, directory listings, and comparison of
 * models without the `line`/`fileName` bookkeeping fields.
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { FormatError } from '../../../lib/errors.js';
import type { SheetFileReader } from '../../../lib/image/index.js';

/** The shared corpus (`../shared/corpus` next to the repository); absent in a plain clone. */
export const CORPUS_URL = new URL('../../../../shared/corpus/', import.meta.url);
export const CORPUS_DIR = fileURLToPath(CORPUS_URL);
export const HAVE_CORPUS = existsSync(CORPUS_DIR);

/** Absolute path of a corpus file. */
export function corpusPath(relative: string): string {
  return fileURLToPath(new URL(relative, CORPUS_URL));
}

/** A corpus file as text (UTF-8; the corpus sheets are ASCII or UTF-8). */
export function readCorpus(relative: string): string {
  return readFileSync(corpusPath(relative), 'utf8');
}

/** Corpus-relative paths of every file ending in `extension`, sorted; [] without the corpus. */
export function listCorpus(extension: string): string[] {
  if (!HAVE_CORPUS) return [];
  const entries = readdirSync(CORPUS_DIR, { recursive: true, encoding: 'utf8' });
  return entries
    .filter((entry) => entry.endsWith(extension) && statSync(`${CORPUS_DIR}/${entry}`).isFile())
    .map((entry) => entry.split('\\').join('/'))
    .sort();
}

/** Deep copy without `line` and `fileName` fields (and without undefined-valued keys). */
export function withoutPositions<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === 'line' || key === 'fileName' ? undefined : inner))) as T;
}

/** Runs `action` and returns the FormatError it must throw. */
export function catchFormatError(action: () => unknown): FormatError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return error as FormatError;
  }
  throw new Error('expected a FormatError, but nothing was thrown');
}

/** An in-memory SheetFileReader: path → bytes or text. */
export function memoryReader(files: Record<string, string | Uint8Array>): SheetFileReader {
  return {
    async readFile(path) {
      const content = files[path];
      if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return typeof content === 'string' ? new TextEncoder().encode(content) : content;
    },
    async fileSize(path) {
      const content = files[path];
      if (content === undefined) return undefined;
      return typeof content === 'string' ? new TextEncoder().encode(content).length : content.length;
    },
  };
}
