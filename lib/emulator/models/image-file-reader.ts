/**
 * The file access of the sheet-backed models: a SheetFileReader (lib/image) over the local file
 * system that also finds a file whose name differs only in letter case, as sheets written on
 * Windows often name them (`FILE "CDDA.BIN"` for cdda.bin) — when exactly one such file exists.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { resolveSheetFile, type SheetFileReader } from '../../image/index.js';

/** A SheetFileReader that can also say which real path it used. */
export interface ImageFileReader extends SheetFileReader {
  /** The existing regular file `path` refers to (exact, else the single case-insensitive match). */
  locate(path: string): string | undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A reader over the local file system with the case-insensitive fallback. */
export function createImageFileReader(): ImageFileReader {
  const locate = (path: string): string | undefined => {
    if (isFile(path)) return path;
    const directory = posix.dirname(path);
    const wanted = posix.basename(path).toLowerCase();
    let names: string[];
    try {
      names = readdirSync(directory);
    } catch {
      return undefined;
    }
    const matches = names.filter((name) => name.toLowerCase() === wanted).map((name) => posix.join(directory, name));
    const files = matches.filter(isFile);
    return files.length === 1 ? files[0] : undefined;
  };
  return {
    locate,
    async readFile(path: string): Promise<Uint8Array> {
      return readFileSync(locate(path) ?? path);
    },
    async fileSize(path: string): Promise<number | undefined> {
      const found = locate(path);
      return found === undefined ? undefined : statSync(found).size;
    },
  };
}

/** The real path of a file a sheet names, or undefined when it does not exist. */
export async function locateSheetFile(reader: ImageFileReader, sheetPath: string, name: string): Promise<string | undefined> {
  const resolved = await resolveSheetFile(reader, sheetPath, name);
  return resolved.sizeBytes === undefined ? undefined : reader.locate(resolved.path);
}
