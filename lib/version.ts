/** The package's own version, from package.json (the same relative path from lib/ and dist/). */

import { createRequire } from 'node:module';

let cached: string | undefined;

/** package.json's version, or 'unknown' when it cannot be read (a bundled copy). */
export function packageVersion(): string {
  if (cached === undefined) {
    try {
      cached = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
