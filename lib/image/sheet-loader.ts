/**
 * Loading a cue sheet or TOC file through a small injected reader, and checking that the files it
 * names exist (libcdio refuses `bad-file.toc` for exactly that). Nothing here reads image data: the
 * reader is asked for the sheet's bytes and for file sizes only, so tests can pass in-memory files.
 */

import { posix } from 'node:path';
import { FormatError } from '../errors.js';
import type { CdrdaoToc } from './cdrdao-toc-model.js';
import { parseCdrdaoToc } from './cdrdao-toc.js';
import type { CueSheet } from './cue-sheet.js';
import { parseCue } from './cue.js';
import { decodeSheetText } from './sheet-text.js';

/** The file access a loader needs. Paths are POSIX paths as given (absolute or relative to the caller). */
export interface SheetFileReader {
  /** The whole file (sheets are small; a reader may refuse huge files by throwing). */
  readFile(path: string): Promise<Uint8Array>;
  /** Size in bytes, or undefined when there is no such file. */
  fileSize(path: string): Promise<number | undefined>;
  /** Names in a directory (optional): lets a sheet written on a case-insensitive system find its files. */
  listDirectory?(path: string): Promise<string[]>;
}

/** Options of `loadCueSheet` and `loadCdrdaoToc`. */
export interface LoadSheetOptions {
  /** Check that every referenced file exists (default true). */
  checkFiles?: boolean;
}

/** A referenced file, resolved against the sheet's directory. */
export interface ResolvedSheetFile {
  /** The name as the sheet writes it. */
  name: string;
  /** The path the reader found, or the first candidate when none exists. */
  path: string;
  /** Size in bytes; undefined when the file does not exist. */
  sizeBytes: number | undefined;
}

/**
 * Paths to try for a name in a sheet: relative names are relative to the sheet's directory; sheets
 * written on Windows use backslashes (EAC: `"Album\01 Track.wav"`).
 */
export function sheetFileCandidates(sheetPath: string, name: string): string[] {
  const directory = posix.dirname(sheetPath);
  const resolve = (value: string): string => (posix.isAbsolute(value) ? posix.normalize(value) : posix.join(directory, value));
  const candidates = [resolve(name)];
  if (name.includes('\\')) candidates.push(resolve(name.replaceAll('\\', '/')));
  return candidates;
}

/** Finds a referenced file through the reader. */
export async function resolveSheetFile(reader: SheetFileReader, sheetPath: string, name: string): Promise<ResolvedSheetFile> {
  const candidates = sheetFileCandidates(sheetPath, name);
  for (const path of candidates) {
    const sizeBytes = await reader.fileSize(path);
    if (sizeBytes !== undefined) return { name, path, sizeBytes };
  }
  // Sheets made on Windows or macOS often name "DISC.BIN" for disc.bin: one match ignoring case.
  for (const path of candidates) {
    const names = (await reader.listDirectory?.(posix.dirname(path)).catch(() => [])) ?? [];
    const wanted = posix.basename(path).toLowerCase();
    const matches = names.filter((entry) => entry.toLowerCase() === wanted);
    if (matches.length !== 1) continue;
    const found = posix.join(posix.dirname(path), matches[0]!);
    const sizeBytes = await reader.fileSize(found);
    if (sizeBytes !== undefined) return { name, path: found, sizeBytes };
  }
  return { name, path: candidates[0] ?? name, sizeBytes: undefined };
}

async function readSheet(reader: SheetFileReader, path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await reader.readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new FormatError(`cannot read the sheet${typeof code === 'string' ? ` (${code})` : ''}: ${(error as Error).message}`, { file: path, cause: error });
  }
  return decodeSheetText(bytes);
}

/** Reads, parses and (by default) checks a cue sheet: a missing FILE is a FormatError at its line. */
export async function loadCueSheet(path: string, reader: SheetFileReader, options: LoadSheetOptions = {}): Promise<CueSheet> {
  const sheet = parseCue(await readSheet(reader, path), { fileName: path });
  if (options.checkFiles ?? true) {
    for (const file of sheet.files) {
      const resolved = await resolveSheetFile(reader, path, file.name);
      if (resolved.sizeBytes === undefined) {
        throw new FormatError(`FILE "${file.name}" not found (looked for ${resolved.path})`, { file: path, line: file.line });
      }
    }
  }
  return sheet;
}

/**
 * Reads, parses and (by default) checks a cdrdao TOC file: a FILE/AUDIOFILE/DATAFILE naming a file
 * that does not exist is a FormatError at its line ("-", standard input, and FIFOs are not checked).
 */
export async function loadCdrdaoToc(path: string, reader: SheetFileReader, options: LoadSheetOptions = {}): Promise<CdrdaoToc> {
  const toc = parseCdrdaoToc(await readSheet(reader, path), { fileName: path });
  if (options.checkFiles ?? true) {
    for (const track of toc.tracks) {
      for (const statement of track.statements) {
        if (statement.kind !== 'audio-file' && statement.kind !== 'data-file') continue;
        if (statement.name === '-') continue;
        const resolved = await resolveSheetFile(reader, path, statement.name);
        if (resolved.sizeBytes === undefined) {
          throw new FormatError(`cannot open "${statement.name}" (looked for ${resolved.path})`, { file: path, line: statement.line });
        }
      }
    }
  }
  return toc;
}

/** A reader over the local file system (node:fs/promises). */
export function createNodeSheetReader(): SheetFileReader {
  return {
    async readFile(path: string): Promise<Uint8Array> {
      const { readFile } = await import('node:fs/promises');
      return readFile(path);
    },
    async fileSize(path: string): Promise<number | undefined> {
      const { stat } = await import('node:fs/promises');
      try {
        const info = await stat(path);
        return info.isFile() ? info.size : undefined;
      } catch {
        return undefined;
      }
    },
    async listDirectory(path: string): Promise<string[]> {
      const { readdir } = await import('node:fs/promises');
      return readdir(path);
    },
  };
}
