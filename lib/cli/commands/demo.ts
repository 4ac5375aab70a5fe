import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmulatedAddressOptions } from '../../emulator/address.js';
import type { CliContext } from '../io.js';
import { rescueCommand } from './rescue.js';

/**
 * The main job on the built-in demo disc: rescue the damaged emulated data CD into a fresh
 * folder, with live status, and print the report.
 */
export async function demoCommand(
  ctx: CliContext,
  o: { json: boolean; emulator: EmulatedAddressOptions; commandLine: string; directory?: string },
): Promise<number> {
  const folder = o.directory ?? (await mkdtemp(join(process.cwd(), 'discrescue-demo-')));
  const image = join(folder, 'demo-data.iso');
  const mapfile = join(folder, 'demo-data.map');
  if (!o.json) {
    ctx.stderr.write(
      'The demo rescues an emulated data CD with a scratch, scattered bad sectors and weak sectors.\n' +
        'Drive time is simulated: the report shows what a real drive would have spent.\n\n',
    );
  }
  const { result } = await rescueCommand(ctx, {
    source: 'emu:demo-data',
    image,
    mapfile,
    json: o.json,
    emulator: o.emulator,
    raw: false,
    sectorSize: undefined,
    retryPasses: 2,
    reverse: false,
    direct: false,
    noTrim: false,
    noScrape: false,
    copyPasses: undefined,
    domainMapfile: undefined,
    maxReadRate: undefined,
    force: false,
    commandLine: o.commandLine,
    title: 'discrescue demo',
  });
  if (!o.json) {
    ctx.stdout.write(`\nImage and mapfile are in ${folder}\n`);
    ctx.stdout.write(
      result.complete
        ? 'Every sector was rescued.\n'
        : 'The demo disc has sectors no drive can read: they stay marked bad in the mapfile, as they would on a real disc.\n',
    );
  }
  // The demo succeeds when it ran to the end; bad sectors are part of the story.
  return 0;
}
