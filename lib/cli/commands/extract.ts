/** `extract`: copy a file or a whole tree off a disc, image or session. */

import { extractTree } from '../../fs/extract.js';
import { printJson, type CliContext } from '../io.js';
import { size } from '../progress.js';
import { openVolume, type VolumeOptions } from './ls.js';

export async function extractCommand(
  ctx: CliContext,
  o: { source: string; path: string; dest: string; json: boolean } & VolumeOptions,
): Promise<number> {
  const volume = await openVolume(o.source, o);
  try {
    const report = await extractTree(volume.source, volume.reader, o.path, o.dest, ctx.signal ? { signal: ctx.signal } : {});
    if (o.json) printJson(ctx, { source: volume.source.name, path: o.path, dest: o.dest, ...report, warnings: volume.reader.warnings });
    else {
      ctx.stdout.write(
        `${report.files} files, ${report.directories} directories, ${report.symlinks} symlinks, ${size(report.bytes)} written to ${o.dest}\n`,
      );
      for (const d of report.damaged) {
        const ranges = d.ranges.map((r) => `${r.start}-${r.start + r.length - 1}`).join(', ');
        ctx.stdout.write(`damaged: ${d.path}: unreadable bytes ${ranges} written as zeros\n`);
      }
      for (const r of report.renamed) ctx.stdout.write(`renamed: ${r.path} -> ${r.as}\n`);
      for (const s of report.skipped) ctx.stdout.write(`skipped: ${s.path}: ${s.reason}\n`);
      for (const w of volume.reader.warnings) ctx.stderr.write(`warning: ${w.path ? `${w.path}: ` : ''}${w.message} [${w.code}]\n`);
    }
    return report.damaged.length > 0 || report.skipped.length > 0 ? 1 : 0;
  } finally {
    await volume.close();
  }
}
