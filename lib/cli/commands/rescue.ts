import { readFile } from 'node:fs/promises';
import type { EmulatedAddressOptions } from '../../emulator/address.js';
import { AbortError } from '../../errors.js';
import { rescue, type RescueResult } from '../../rescue/engine.js';
import { readMapfile } from '../../rescue/mapfile.js';
import { openSectorSource } from '../../sources/open-source.js';
import type { SectorSource } from '../../sources/sector-source.js';
import { printJson, UsageError, type CliContext } from '../io.js';
import { formatDuration, ProgressRenderer, size } from '../progress.js';

export interface RescueCommandOptions {
  source: string;
  image: string;
  mapfile: string;
  json: boolean;
  emulator: EmulatedAddressOptions;
  raw: boolean;
  sectorSize: number | undefined;
  retryPasses: number;
  reverse: boolean;
  direct: boolean;
  noTrim: boolean;
  noScrape: boolean;
  copyPasses: number[] | undefined;
  domainMapfile: string | undefined;
  maxReadRate: number | undefined;
  force: boolean;
  mapfileIntervalMs?: number | undefined;
  commandLine: string;
  /** Hash the image (MD5, SHA-1, SHA-256) for the report. Default true. */
  checksums?: boolean;
  /** Sectors per read while copying (ddrescue -c). */
  clusterSectors?: number | undefined;
  /** Heading printed before the live status (human output). */
  title?: string;
}

export async function rescueCommand(ctx: CliContext, o: RescueCommandOptions): Promise<{ code: number; result: RescueResult }> {
  const source: SectorSource = await openSectorSource(o.source, {
    mode: o.raw ? 'raw' : 'data',
    emulator: o.emulator,
    ...(o.sectorSize === undefined ? {} : { sectorSize: o.sectorSize }),
  });
  try {
    const domain = o.domainMapfile === undefined ? undefined : readMapfile(await readFile(o.domainMapfile, 'utf8'), { fileName: o.domainMapfile }).map;
    const renderer = o.json ? undefined : new ProgressRenderer(ctx.stderr);
    if (!o.json) {
      ctx.stderr.write(
        `${o.title ?? 'discrescue rescue'}: ${source.name} -> ${o.image} (mapfile ${o.mapfile})\n` +
          `${source.sectorCount} sectors of ${source.sectorSize} bytes (${size(source.sectorCount * source.sectorSize)})\n`,
      );
    }
    const result = await rescue({
      source,
      imagePath: o.image,
      mapfilePath: o.mapfile,
      retryPasses: o.retryPasses,
      reverse: o.reverse,
      direct: o.direct,
      noTrim: o.noTrim,
      noScrape: o.noScrape,
      ...(o.copyPasses ? { copyPasses: o.copyPasses } : {}),
      ...(domain ? { domain } : {}),
      ...(o.maxReadRate ? { maxReadRate: o.maxReadRate } : {}),
      force: o.force,
      ...(o.mapfileIntervalMs === undefined ? {} : { mapfileIntervalMs: o.mapfileIntervalMs }),
      commandLine: o.commandLine,
      checksums: o.checksums ?? true,
      ...(o.clusterSectors === undefined ? {} : { clusterSectors: o.clusterSectors }),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(renderer ? { onProgress: (p) => renderer.update(p, p.phase === 'finished') } : {}),
    }).catch((error: unknown) => {
      if (ctx.signal?.aborted) {
        throw new AbortError(`interrupted: the mapfile ${o.mapfile} is saved; run the same command again to continue`, { cause: error });
      }
      throw error;
    });
    if (o.json) printJson(ctx, { source: source.name, image: o.image, mapfile: o.mapfile, ...resultJson(result) });
    else {
      printSummary(ctx, result, source.setRetryLevel !== undefined);
      if (result.checksums) ctx.stdout.write(`  sha256:      ${result.checksums.sha256}\n`);
    }
    return { code: result.complete ? 0 : 1, result };
  } finally {
    await source.close();
  }
}

/** The result as the JSON document shows it: `drive.*` holds the virtual clock for emulated sources. */
export function resultJson(result: RescueResult): Record<string, unknown> {
  const { simulation, ...rest } = result;
  return { ...rest, ...(simulation ? { drive: simulation } : {}) };
}

function printSummary(ctx: CliContext, r: RescueResult, drive: boolean): void {
  const out = (line: string) => ctx.stdout.write(`${line}\n`);
  out(r.complete ? 'Finished: every sector was rescued.' : `Finished with ${r.badAreas.length} area(s) not rescued.`);
  out(`  rescued:     ${size(r.rescuedBytes)}`);
  out(`  bad sectors: ${size(r.badSectorBytes)} (${r.badSectorBytes / r.sectorSize} sectors), read errors: ${r.readErrors}`);
  if (r.nonTriedBytes + r.nonTrimmedBytes + r.nonScrapedBytes > 0) {
    out(`  not finished: ${size(r.nonTriedBytes + r.nonTrimmedBytes + r.nonScrapedBytes)} (run again to continue)`);
  }
  for (const area of r.badAreas.slice(0, 10)) out(`    LBA ${area.lba}, ${area.sectorCount} sector(s) '${area.status}'`);
  if (r.badAreas.length > 10) out(`    … ${r.badAreas.length - 10} more`);
  if (r.simulation) {
    out(
      `  drive time (emulated): ${formatDuration(r.simulation.simulatedSeconds)}, last rescued at ${formatDuration(r.simulation.simulatedSecondsAtLastRescue)}, ${r.simulation.failedReads} failed reads`,
    );
  }
  if (!r.fastRetries && drive) out('  note: the drive kept its own read-retry count (mode page 01h could not be changed)');
}

/**
 * `--cpass` as ddrescue takes it: pass numbers and ranges separated by commas ("1,3", "2-3");
 * "0" skips the copying phase. This engine has passes 1-3.
 */
export function parseCopyPasses(text: string): number[] {
  if (text.trim() === '0') return [];
  const passes = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^\s*([1-3])\s*(?:-\s*([1-3])\s*)?$/u.exec(part);
    const first = Number(match?.[1]);
    const last = match?.[2] === undefined ? first : Number(match[2]);
    if (!match || last < first) throw new UsageError(`--cpass takes pass numbers 1-3 and ranges like 1,3 or 2-3 (0 skips copying), got "${text}"`);
    for (let pass = first; pass <= last; pass++) passes.add(pass);
  }
  return [...passes].sort();
}
