/** Locations of the shared conformance corpus (outside the repo; absent in a fresh clone). */

import { existsSync, readFileSync } from 'node:fs';

export const CORPUS = new URL('../../../../shared/corpus/', import.meta.url);

export function corpusUrl(path: string): URL {
  return new URL(path, CORPUS);
}

export function hasCorpus(path: string): boolean {
  return existsSync(corpusUrl(path));
}

export function readCorpus(path: string): Uint8Array {
  return new Uint8Array(readFileSync(corpusUrl(path)));
}
