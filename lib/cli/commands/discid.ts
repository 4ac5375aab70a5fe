/**
 * `discid`: MusicBrainz, FreeDB/CDDB, AccurateRip and CTDB ids of a disc in a drive (emulated
 * drives included) or of a cue sheet or cdrdao TOC file, with MCN and ISRCs when known. Nothing
 * is looked up on the network: the command prints the ids, the MusicBrainz submission URL and
 * where the AccurateRip response file can be downloaded.
 */

import { Drive, type OpenOptions } from '../../drive/drive.js';
import type { EmulatedAddressOptions } from '../../emulator/address.js';
import { readDiscCodes } from '../../drive/disc-codes.js';
import { computeDiscIds, discIdLayoutFromToc, loadDiscIdLayout, type DiscIdLayout, type DiscIds } from '../../audio/disc-id.js';
import { printJson, type CliContext } from '../io.js';

export interface DiscIdCommandOptions {
  source: string;
  json: boolean;
  emulator?: EmulatedAddressOptions;
}

/** What `--json` prints. */
export interface DiscIdReport extends DiscIds {
  source: string;
  kind: 'drive' | 'cue' | 'toc';
  tracks: { number: number; startLba: number; audio: boolean; isrc?: string }[];
  leadOutLba: number;
  mcn?: string;
}

function sheetKind(path: string): 'cue' | 'toc' | undefined {
  if (path.startsWith('emu:') || path.startsWith('replay:')) return undefined;
  const lower = path.toLowerCase();
  return lower.endsWith('.cue') ? 'cue' : lower.endsWith('.toc') ? 'toc' : undefined;
}

/** Exit 0 with the ids; errors (no disc, a malformed sheet) propagate to the CLI's reporter. */
export async function discIdCommand(ctx: CliContext, o: DiscIdCommandOptions): Promise<number> {
  const kind = sheetKind(o.source);
  const layout = kind === undefined ? await layoutFromDrive(ctx, o) : await loadDiscIdLayout(o.source);
  const report = buildReport(o.source, kind ?? 'drive', layout);
  if (o.json) printJson(ctx, report);
  else printHuman(ctx, report);
  return 0;
}

async function layoutFromDrive(ctx: CliContext, o: DiscIdCommandOptions): Promise<DiscIdLayout> {
  const open = ctx.openDrive ?? ((path: string, options?: OpenOptions) => Drive.open(path, options));
  const drive = await open(o.source, o.emulator ? { emulator: o.emulator } : {});
  try {
    const signal = ctx.signal ? { signal: ctx.signal } : {};
    await drive.waitReady({ timeoutMs: 20_000, ...signal });
    const toc = await drive.toc(signal);
    const layout = discIdLayoutFromToc(toc);
    // MCN and ISRC come from sub-channel Q; drives that refuse READ SUB-CHANNEL still give the ids.
    const codes = await readDiscCodes(drive, toc, ctx.signal);
    layout.mcn = codes.mcn;
    layout.isrcs = Object.fromEntries(codes.isrcs);
    return layout;
  } finally {
    await drive.close();
  }
}

function buildReport(source: string, kind: DiscIdReport['kind'], layout: DiscIdLayout): DiscIdReport {
  const report: DiscIdReport = {
    source,
    kind,
    ...computeDiscIds(layout),
    tracks: layout.tracks.map((t) => {
      const isrc = layout.isrcs?.[t.number];
      return isrc === undefined ? { ...t } : { ...t, isrc };
    }),
    leadOutLba: layout.leadOutLba,
  };
  if (layout.mcn !== undefined && layout.mcn !== '') report.mcn = layout.mcn;
  return report;
}

function printHuman(ctx: CliContext, r: DiscIdReport): void {
  const out = (label: string, value: string | number): void => void ctx.stdout.write(`${label.padEnd(22)}${value}\n`);
  const audio = r.tracks.filter((t) => t.audio).length;
  out('Source:', `${r.source} (${r.tracks.length} tracks, ${audio} audio; lead-out at LBA ${r.leadOutLba})`);
  out('MusicBrainz disc id:', r.musicBrainz.id);
  out('  TOC:', r.musicBrainz.toc);
  out('  Submit:', r.musicBrainz.submissionUrl);
  out('FreeDB/CDDB id:', r.freedb.id);
  out('  Query:', r.freedb.query);
  out('AccurateRip id:', r.accurateRip.text);
  out('  Response file:', r.accurateRip.path);
  out('  Download from:', r.accurateRip.url);
  out('CTDB TOC id:', r.ctdb.tocId);
  out('  TOC:', r.ctdb.toc);
  if (r.mcn !== undefined) out('MCN:', r.mcn);
  for (const t of r.tracks) if (t.isrc !== undefined) out(`ISRC track ${String(t.number).padStart(2, '0')}:`, t.isrc);
}
