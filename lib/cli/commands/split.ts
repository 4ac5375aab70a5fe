/** `split`: a CUE/BIN image into ISO and WAV files per track (bchunk's job). */

import { splitImage } from '../../image/split.js';
import { printJson, type CliContext } from '../io.js';
import { size } from '../progress.js';

export async function splitCommand(ctx: CliContext, o: { sheet: string; outDir: string; mountable: boolean; json: boolean }): Promise<number> {
  const result = await splitImage(o.sheet, o.outDir, { mountable: o.mountable, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  if (o.json) {
    printJson(ctx, result);
    return 0;
  }
  for (const t of result.tracks) {
    const notes: string[] = [];
    if (t.pregapSectorsSkipped > 0) notes.push(`${t.pregapSectorsSkipped} pregap sectors left out`);
    if (t.zeroBlocks > 0) notes.push(`${t.zeroBlocks} blocks in front (starts at LBA ${t.startLba})`);
    if (t.form2Sectors > 0) notes.push(`${t.form2Sectors} Form 2 sectors, raw copies in ${t.form2Path}`);
    if (t.swapped) notes.push('big-endian samples swapped');
    const extra = notes.length > 0 ? ` (${notes.join('; ')})` : '';
    ctx.stdout.write(`track ${String(t.number).padStart(2, '0')} session ${t.session} ${t.mode}: ${t.path}, ${t.sectors} sectors, ${size(t.bytes)}${extra}\n`);
  }
  return 0;
}
