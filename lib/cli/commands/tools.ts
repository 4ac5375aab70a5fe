/** `merge`, `compare` and `map`: working with rescues made elsewhere, and looking at them. */

import { writeFile } from 'node:fs/promises';
import type { EmulatedAddressOptions } from '../../emulator/address.js';
import { compareWithSource } from '../../rescue/compare.js';
import { renderMapSvg } from '../../rescue/map-svg.js';
import { loadMapfile, mapfileStats } from '../../rescue/mapfile.js';
import { mergeRescues } from '../../rescue/merge.js';
import { openSectorSource } from '../../sources/open-source.js';
import { printJson, UsageError, type CliContext } from '../io.js';
import { size } from '../progress.js';

export async function mergeCommand(
  ctx: CliContext,
  o: { args: string[]; json: boolean; check: boolean; commandLine: string },
): Promise<number> {
  const [image, mapfile, ...rest] = o.args;
  if (image === undefined || mapfile === undefined || rest.length === 0 || rest.length % 2 !== 0) {
    throw new UsageError('"merge" needs <out.img> <out.map> followed by one or more <in.img> <in.map> pairs');
  }
  const inputs = [];
  for (let i = 0; i < rest.length; i += 2) inputs.push({ image: rest[i]!, mapfile: rest[i + 1]! });
  const result = await mergeRescues({ image, mapfile, inputs, check: o.check, commandLine: o.commandLine });
  if (o.json) printJson(ctx, { image, mapfile, inputs, ...result });
  else {
    inputs.forEach((input, i) => ctx.stdout.write(`${input.image}: ${size(result.copiedBytes[i] ?? 0)} copied\n`));
    ctx.stdout.write(`${image}: ${size(result.rescuedBytes)} of ${size(result.sizeBytes)} rescued${result.complete ? ', complete' : ''}\n`);
    for (const c of result.conflicts) ctx.stdout.write(`conflict with ${inputs[c.input]?.image}: bytes ${c.pos}-${c.pos + c.size - 1} differ\n`);
  }
  return result.conflicts.length > 0 ? 1 : 0;
}

export async function compareCommand(
  ctx: CliContext,
  o: { source: string; image: string; mapfile: string | undefined; json: boolean; raw: boolean; emulator: EmulatedAddressOptions },
): Promise<number> {
  const map = o.mapfile === undefined ? undefined : (await loadMapfile(o.mapfile)).map;
  const source = await openSectorSource(o.source, { mode: o.raw ? 'raw' : 'data', emulator: o.emulator });
  try {
    const result = await compareWithSource({ source, image: o.image, map, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    if (o.json) printJson(ctx, { source: source.name, image: o.image, ...result });
    else {
      ctx.stdout.write(`${result.sectorsCompared} sectors compared: ${result.identical ? 'identical' : 'DIFFERENT'}\n`);
      if (result.differing.length > 0) ctx.stdout.write(`differing LBAs: ${abbreviate(result.differing)}\n`);
      if (result.unreadable.length > 0) ctx.stdout.write(`unreadable now: ${abbreviate(result.unreadable)}\n`);
      if (result.missingFromImage.length > 0) ctx.stdout.write(`missing from the image: ${abbreviate(result.missingFromImage)}\n`);
    }
    return result.identical ? 0 : 1;
  } finally {
    await source.close();
  }
}

export async function mapCommand(
  ctx: CliContext,
  o: { mapfile: string; svg: string | undefined; json: boolean; sectorSize: number },
): Promise<number> {
  const mapfile = await loadMapfile(o.mapfile);
  const stats = mapfileStats(mapfile.map);
  if (o.svg !== undefined) {
    await writeFile(o.svg, renderMapSvg(mapfile.map, { title: o.mapfile, sectorSize: o.sectorSize }));
  }
  if (o.json) printJson(ctx, { mapfile: o.mapfile, ...stats, ...(o.svg ? { svg: o.svg } : {}) });
  else {
    ctx.stdout.write(`${o.mapfile}: ${size(mapfile.map.size)}\n`);
    for (const [name, value] of Object.entries(stats)) ctx.stdout.write(`  ${name}: ${value}\n`);
    if (o.svg) ctx.stdout.write(`picture written to ${o.svg}\n`);
  }
  return 0;
}

function abbreviate(lbas: number[]): string {
  const shown = lbas.slice(0, 20).join(', ');
  return lbas.length > 20 ? `${shown} … (${lbas.length} in all)` : shown;
}
