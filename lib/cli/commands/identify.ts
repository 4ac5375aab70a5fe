/** `identify`: partition maps and filesystems on an image or disc, hybrids included. */

import { detectFileSystems, type Detection } from '../../fs/detect.js';
import { openSectorSource } from '../../sources/open-source.js';
import type { EmulatedAddressOptions } from '../../emulator/address.js';
import { printJson, type CliContext } from '../io.js';
import { size } from '../progress.js';

export interface IdentifyCommandOptions {
  source: string;
  offset: number | undefined;
  json: boolean;
  emulator?: EmulatedAddressOptions;
}

/** Exit 0 when something was recognised, 1 when nothing was. */
export async function identifyCommand(ctx: CliContext, o: IdentifyCommandOptions): Promise<number> {
  const source = await openSectorSource(o.source, { mode: 'data', ...(o.emulator ? { emulator: o.emulator } : {}) });
  let detection: Detection;
  try {
    detection = await detectFileSystems(source, o.offset === undefined ? {} : { offset: o.offset });
  } finally {
    await source.close();
  }
  const found = detection.fileSystems.length + detection.partitionMaps.length > 0;
  if (o.json) {
    printJson(ctx, { source: o.source, sourceBytes: detection.sourceBytes, partitionMaps: detection.partitionMaps.map(({ table: _t, ...m }) => m), fileSystems: detection.fileSystems.map(({ details: _d, ...f }) => f), warnings: detection.warnings });
    return found ? 0 : 1;
  }
  const w = (line: string): void => void ctx.stdout.write(`${line}\n`);
  w(`${o.source}: ${size(detection.sourceBytes)} (${detection.sourceBytes} bytes)`);
  for (const map of detection.partitionMaps) {
    const title = { apm: 'Apple partition map', mbr: 'MBR partition table', gpt: 'GPT partition table' }[map.kind];
    w(`${title}, ${map.entries.length} entries, ${map.blockSize}-byte blocks`);
    for (const e of map.entries) {
      const name = e.name ? ` "${e.name}"` : '';
      w(`  partition ${e.index}: ${e.type}${name}, ${e.length} bytes at byte ${e.start}${e.bootable ? ', bootable' : ''}`);
    }
  }
  for (const fs of detection.fileSystems) {
    const where = fs.partition ? ` in ${fs.partition.map.toUpperCase()} partition ${fs.partition.index}` : '';
    w(`${fs.version} file system at byte ${fs.at}${where}`);
    w(`  volume name "${fs.label}"`);
    w(`  volume size ${size(fs.sizeBytes)} (${fs.sizeBytes} bytes, ${fs.blockCount} blocks of ${fs.blockSize} bytes)`);
  }
  if (!found) w('nothing recognised');
  for (const warning of detection.warnings) w(`warning: ${warning.message}`);
  return found ? 0 : 1;
}
