/** `dump`: a raw dump of every session to BIN/CUE/TOC/JSON, resumable like a rescue. */

import type { EmulatedAddressOptions } from '../../emulator/address.js';
import { AbortError } from '../../errors.js';
import { describeDump, dumpDisc, dumpPaths } from '../../dump/index.js';
import { printJson, UsageError, type CliContext } from '../io.js';
import { ProgressRenderer, size } from '../progress.js';
import { parseSampleOffset } from '../sample-offset.js';

export interface DumpCommandOptions {
  source: string;
  cue: string;
  json: boolean;
  emulator: EmulatedAddressOptions;
  singleBin: boolean;
  retryPasses: number;
  force: boolean;
  checksums: boolean;
  commandLine: string;
  /** --subchannel: write `<base>.sub`. */
  subchannel?: boolean;
  /** --no-c2 clears it. */
  c2?: boolean;
  /** --offset <samples>, as typed (either sign). */
  offset?: string | undefined;
  /** --mapfile-interval, in ms. */
  mapfileIntervalMs?: number | undefined;
}

export async function dumpCommand(ctx: CliContext, o: DumpCommandOptions): Promise<number> {
  const renderer = o.json ? undefined : new ProgressRenderer(ctx.stderr);
  const { mapfilePath } = dumpPaths(o.cue);
  const offsetSamples = parseSampleOffset(o.offset);
  const result = await dumpDisc({
    source: o.source,
    cuePath: o.cue,
    singleBin: o.singleBin,
    retryPasses: o.retryPasses,
    force: o.force,
    checksums: o.checksums,
    subchannel: o.subchannel ?? false,
    c2: o.c2 ?? true,
    offsetSamples,
    ...(o.mapfileIntervalMs === undefined ? {} : { mapfileIntervalMs: o.mapfileIntervalMs }),
    emulator: o.emulator,
    commandLine: o.commandLine,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(renderer ? { onProgress: (p) => renderer.update(p, p.phase === 'finished'), onStep: (m) => ctx.stderr.write(`discrescue dump: ${m}\n`) } : {}),
  }).catch((error: unknown) => {
    if (ctx.signal?.aborted) {
      throw new AbortError(`interrupted: the mapfile ${mapfilePath} is saved; run the same command again to continue`, { cause: error });
    }
    throw error;
  });
  if (o.json) {
    printJson(ctx, describeDump(result, o.source));
    return result.complete ? 0 : 1;
  }
  const out = (line: string) => ctx.stdout.write(`${line}\n`);
  for (const t of result.tracks) {
    const pregap = t.pregapSectors > 0 ? `, pregap ${t.pregapSectors} (${t.pregapSource})` : '';
    const unread = t.unreadSectors > 0 ? `, ${t.unreadSectors} sector(s) NOT READ` : '';
    const indexes = t.indexLbas !== undefined && t.indexLbas.length > 0 ? `, INDEX 02+ at ${t.indexLbas.join(', ')}` : '';
    const c2 = t.c2 === undefined ? '' : `, C2: ${t.c2.flaggedBytes} byte(s) flagged in ${t.c2.sectorsFlagged} of ${t.c2.sectorsMeasured} sector(s)`;
    out(`track ${String(t.number).padStart(2, '0')} session ${t.session} ${t.mode}: LBA ${t.startLba}-${t.endLba - 1}${pregap}${indexes}${unread}${c2} -> ${t.file}`);
  }
  if (result.c2 !== undefined) {
    out(`C2 pointers: ${result.c2.flaggedBytes} byte(s) flagged in ${result.c2.sectorsFlagged} of ${result.c2.sectorsMeasured} sector(s)`);
  }
  if (result.offset.samples !== 0) {
    out(`audio read offset: ${result.offset.samples} sample(s) corrected, ${result.offset.zeroFilledSamples} sample(s) the drive could not give written as zeros`);
  }
  if (result.subPath !== undefined) {
    const missing = result.subchannelMissingSectors > 0 ? ` (${result.subchannelMissingSectors} sector(s) without one: zeros)` : '';
    out(`sub-channel: ${result.subPath}${missing}`);
  }
  if (result.cdTextPath !== undefined) out(`CD-Text:    ${result.cdTextPath}`);
  for (const note of result.notes) out(`note: ${note}`);
  out(`cue sheet:  ${result.cuePath}`);
  for (const path of result.tocPaths) out(`cdrdao TOC: ${path}`);
  for (const note of result.tocNotes) out(`note: ${note}`);
  out(`described:  ${result.jsonPath}`);
  out(`work image: ${result.rawPath} (mapfile ${result.mapfilePath}; keep both to resume)`);
  if (result.complete) out(`Finished: every sector of every track was read (${size(result.rescue.rescuedBytes)}).`);
  else {
    const bad = result.tracks.reduce((sum, t) => sum + t.unreadSectors, 0);
    out(`Finished with ${bad} sector(s) not read (zeros in the BINs). Run the same command again, on this drive or another, to continue.`);
  }
  return result.complete ? 0 : 1;
}
