/** `convert`: cdrdao TOC ⇄ CDRWIN cue sheet (cdrdao's toc2cue and cue2toc). */

import { writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import {
  cdrdaoTocToCue,
  createNodeSheetReader,
  cueToCdrdaoToc,
  formatCdrdaoToc,
  formatCue,
  loadCdrdaoToc,
  loadCueSheet,
  type CueSheet,
} from '../../image/index.js';
import { printJson, UsageError, type CliContext } from '../io.js';

type SheetKind = 'cue' | 'toc';

function kindOf(path: string, what: string): SheetKind {
  const extension = posix.extname(path).toLowerCase();
  if (extension === '.cue') return 'cue';
  if (extension === '.toc') return 'toc';
  throw new UsageError(`"convert" needs a .cue or .toc ${what}, got "${path}"`);
}

/**
 * Reads `input` (.toc or .cue) and writes `output` (.cue or .toc). The referenced image files are
 * not needed. FormatError (file:line) for a malformed sheet, UnsupportedError for what the other
 * format cannot express.
 */
export async function convertCommand(ctx: CliContext, o: { input: string; output: string; json: boolean }): Promise<number> {
  const from = kindOf(o.input, 'input');
  const to = kindOf(o.output, 'output');
  if (posix.resolve(o.input) === posix.resolve(o.output)) throw new UsageError('"convert" would overwrite its input');
  const reader = createNodeSheetReader();
  let cue: CueSheet;
  if (from === 'toc') cue = cdrdaoTocToCue(await loadCdrdaoToc(o.input, reader, { checkFiles: false }));
  else cue = await loadCueSheet(o.input, reader, { checkFiles: false });
  const text = to === 'cue' ? formatCue({ ...cue, fileName: undefined }) : formatCdrdaoToc(cueToCdrdaoToc(cue));
  await writeFile(o.output, text);
  const summary = { input: o.input, output: o.output, from, to, tracks: cue.tracks.length, files: cue.files.map((file) => file.name) };
  if (o.json) printJson(ctx, summary);
  else ctx.stdout.write(`${o.output}: ${summary.tracks} track${summary.tracks === 1 ? '' : 's'} from ${o.input}\n`);
  return 0;
}
