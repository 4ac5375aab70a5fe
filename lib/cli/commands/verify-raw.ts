/** The raw-image half of `verify <in.cue>`: every data sector's sync, header, EDC and ECC. */

import { verifyRawImage, type RawVerifyCounts } from '../../cd/verify-raw.js';
import { printJson, type CliContext } from '../io.js';

function problems(c: RawVerifyCounts): string[] {
  const parts: string[] = [];
  const add = (count: number, what: string): void => {
    if (count > 0) parts.push(`${count} ${what}`);
  };
  add(c.unread, 'unread (all zero)');
  add(c.syncErrors, 'bad sync');
  add(c.addressErrors, 'wrong address');
  add(c.modeErrors, 'wrong mode');
  add(c.edcErrors, 'EDC mismatch');
  if (c.eccErrors > 0) parts.push(`${c.eccErrors} ECC mismatch (${c.eccCorrectable} correctable, ${c.eccUncorrectable} not)`);
  add(c.subheaderMismatches, 'subheader copies differ');
  add(c.zeroFieldErrors, 'non-zero reserved bytes');
  return parts;
}

/**
 * Verifies a raw CUE/BIN image and prints a per-track report (or the JSON report). Returns 0 when
 * every data sector checks out, 1 otherwise.
 */
export async function verifyRawCommand(ctx: CliContext, o: { cue: string; json: boolean }): Promise<number> {
  const report = await verifyRawImage(o.cue, ctx.signal ? { signal: ctx.signal } : {});
  if (o.json) {
    printJson(ctx, { image: o.cue, ...report });
    return report.ok ? 0 : 1;
  }
  for (const t of report.tracks) {
    const head = `track ${String(t.number).padStart(2, '0')} session ${t.session} ${t.mode} (LBA ${t.firstLba}):`;
    if (t.audio > 0) {
      ctx.stdout.write(`${head} ${t.audio} audio sectors, not checkable\n`);
      continue;
    }
    if (t.notRaw > 0) {
      ctx.stdout.write(`${head} ${t.notRaw} sectors without sync or header, not checkable\n`);
      continue;
    }
    const found = problems(t);
    const forms = t.form1 + t.form2 > 0 ? ` (Form 1: ${t.form1}, Form 2: ${t.form2}${t.form2WithoutEdc > 0 ? `, ${t.form2WithoutEdc} without EDC` : ''})` : '';
    ctx.stdout.write(`${head} ${t.ok} of ${t.verified} sectors good${forms}${found.length > 0 ? `; ${found.join(', ')}` : ''}\n`);
    if (t.descrambled > 0) ctx.stdout.write(`  ${t.descrambled} sectors were scrambled and were checked descrambled\n`);
    if (t.badLbas.length > 0) ctx.stdout.write(`  first bad LBAs: ${t.badLbas.slice(0, 20).join(', ')}${t.badLbas.length > 20 ? ' …' : ''}\n`);
    if (t.truncatedBytes > 0) ctx.stdout.write(`  the file ends ${t.truncatedBytes} bytes into a sector\n`);
  }
  const totals = report.totals;
  ctx.stdout.write(
    `${o.cue}: ${totals.ok} of ${totals.verified} data sectors good${report.ok ? '' : `, ${totals.verified - totals.ok} with problems`} ` +
      `(${report.engine === 'native' ? 'native' : 'TypeScript'} checker)\n`,
  );
  return report.ok ? 0 : 1;
}
