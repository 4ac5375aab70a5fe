import { Drive } from '../../drive/drive.js';
import type { EmulatedAddressOptions } from '../../emulator/address.js';
import type { CliContext } from '../io.js';
import { rescueCommand } from './rescue.js';

export interface ImageCommandOptions {
  source: string;
  image: string;
  json: boolean;
  emulator: EmulatedAddressOptions;
  retries: number;
  speed: number | 'max' | undefined;
  raw: boolean;
  direct: boolean;
  force: boolean;
  checksums?: boolean;
  commandLine: string;
}

/**
 * The straight read (readom's job): one forward pass, bad sectors retried `retries` times, and a
 * mapfile `<image>.map` beside the image so that `discrescue rescue` can continue a failed image.
 * The pass is the engine's sweeping pass 3: what it skips after repeated errors is trimmed and
 * scraped, never left untried.
 */
export async function imageCommand(ctx: CliContext, o: ImageCommandOptions): Promise<number> {
  if (o.speed !== undefined) {
    const drive = await Drive.open(o.source, { emulator: o.emulator });
    try {
      await drive.waitReady();
      await drive.setReadSpeed(o.speed);
    } finally {
      await drive.close();
    }
  }
  const mapfile = `${o.image}.map`;
  const { code, result } = await rescueCommand(ctx, {
    source: o.source,
    image: o.image,
    mapfile,
    json: o.json,
    emulator: o.emulator,
    raw: o.raw,
    sectorSize: undefined,
    retryPasses: o.retries,
    reverse: false,
    direct: o.direct,
    noTrim: false,
    noScrape: false,
    copyPasses: [3],
    domainMapfile: undefined,
    maxReadRate: undefined,
    force: o.force,
    ...(o.checksums === undefined ? {} : { checksums: o.checksums }),
    commandLine: o.commandLine,
    title: 'discrescue image',
  });
  if (!result.complete && !o.json) {
    ctx.stderr.write(`The image is incomplete. Continue with: discrescue rescue ${o.source} ${o.image} ${mapfile}\n`);
  }
  return code;
}
