/**
 * The rip log: a text report for people (per track: status, checksums, peak, doubtful sample
 * ranges, re-reads; the drive, offset and mode used) and the same facts as JSON for programs.
 */

import type { RipResult } from './rip.js';
import type { TrackRipResult } from './types.js';

const STATUS_TEXT: Record<TrackRipResult['status'], string> = {
  secure: 'secure: every sample proven by agreeing reads',
  accurate: 'accurate: a reference checksum matched',
  'secure-except-edges': 'secure except samples the drive cannot reach (zero-filled)',
  unverified: 'unverified: read without proof',
  suspicious: 'SUSPICIOUS: samples in doubt',
  mismatch: 'MISMATCH: a reference checksum did not match',
};

/** Extra lines for the log's header (the caller's verification data: AccurateRip ids, files). */
export interface RipLogOptions {
  /** Label and value pairs printed after the drive settings. */
  header?: ReadonlyArray<readonly [string, string]> | undefined;
}

/** The text log. */
export function formatRipLog(result: RipResult, options: RipLogOptions = {}): string {
  const lines: string[] = [];
  const d = result.drive;
  lines.push('discrescue audio rip');
  lines.push('');
  lines.push(`Drive:              ${[d.vendor, d.product, d.revision].filter(Boolean).join(' ') || 'unknown'} (${d.path})`);
  lines.push(`Read mode:          ${result.mode}${result.jitterCorrection > 0 ? `, jitter correction ±${result.jitterCorrection} samples` : ''}`);
  lines.push(`Read offset:        ${signed(result.offset)} samples${result.offsetSource ? ` (${result.offsetSource})` : ''}`);
  lines.push(`Overread:           ${result.overread ? 'lead-in and lead-out' : 'no (samples beyond the audio area are zero-filled)'}`);
  lines.push(`Accurate stream:    ${result.accurateStream === undefined ? 'not reported' : result.accurateStream ? 'yes' : 'no'}`);
  lines.push(`C2 pointers:        ${result.c2 ? 'used' : 'not used'}${result.c2Missed > 0 ? ` (missed ${result.c2Missed} corrupted samples)` : ''}`);
  lines.push(`Cache defeat:       ${result.cacheDefeat ? 'yes' : 'no'}`);
  lines.push(`Gaps:               ${result.gapMode === 'append' ? 'appended to the previous track' : 'kept with their track'}`);
  if (result.mcn) lines.push(`MCN:                ${result.mcn}`);
  for (const [label, value] of options.header ?? []) lines.push(`${label.padEnd(20)}${value}`);
  lines.push('');
  for (const t of result.tracks) {
    const i = t.info;
    lines.push(`Track ${i.number === 0 ? '00 (hidden, before track 1)' : String(i.number).padStart(2, '0')}`);
    if (t.file) lines.push(`  File:             ${t.file}`);
    lines.push(`  Sectors:          LBA ${i.startLba}-${i.endLba - 1} (${msf(i.endLba - i.startLba)}, ${i.sampleCount} samples)`);
    const indexText = i.indexes.map((x) => `${String(x.number).padStart(2, '0')} at ${x.lba}`).join(', ');
    lines.push(`  Indexes:          ${i.pregapLba < (i.indexes[0]?.lba ?? i.startLba) ? `00 at ${i.pregapLba}, ` : ''}${indexText}`);
    if (i.isrc) lines.push(`  ISRC:             ${i.isrc}`);
    const flags = [i.preEmphasis ? 'pre-emphasis' : '', i.copyPermitted ? 'digital copy permitted' : ''].filter(Boolean);
    if (flags.length > 0) lines.push(`  Flags:            ${flags.join(', ')}`);
    lines.push(`  Peak level:       ${((t.peak / 32768) * 100).toFixed(1)} %`);
    lines.push(`  Re-read:          ${t.rereadSectors} sector(s) in ${t.rereadCommands} read(s); ${t.mismatchedSectors} sector(s) disagreed, ${t.c2Sectors} flagged by C2`);
    if (t.alignmentShift !== undefined) lines.push(`  Alignment:        ${t.secure || t.accurate ? `confirmed at ${signed(t.alignmentShift)} samples` : 'not confirmed by any checksum'}`);
    for (const c of t.checksums) {
      const verdict = c.matched === true ? 'matched' : c.matched === false ? 'did NOT match' : c.detail ? '' : 'no reference';
      const why = [verdict, c.detail ?? ''].filter(Boolean).join('; ');
      lines.push(`  ${`${c.name}:`.padEnd(18)}${c.value}${why ? ` (${why})` : ''}`);
    }
    for (const r of t.doubtful.slice(0, 50)) lines.push(`  In doubt:         samples ${r.start}-${r.end - 1} (${r.end - r.start}): ${r.reason}`);
    if (t.doubtful.length > 50) lines.push(`  In doubt:         … ${t.doubtful.length - 50} more range(s) in the JSON log`);
    lines.push(`  Status:           ${STATUS_TEXT[t.status]}`);
    lines.push('');
  }
  const secure = result.tracks.filter((t) => t.secure).length;
  const accurate = result.tracks.filter((t) => t.accurate).length;
  lines.push(`${result.tracks.length} track(s): ${secure} secure, ${accurate} accurate, ${result.tracks.length - result.tracks.filter((t) => t.secure || t.accurate).length} neither`);
  // Per reference checksum (AccurateRip…): how many tracks it could judge, and how many matched.
  const names = [...new Set(result.tracks.flatMap((t) => t.checksums.map((c) => c.name)))];
  for (const name of names) {
    const judged = result.tracks.flatMap((t) => t.checksums.filter((c) => c.name === name && c.matched !== undefined));
    if (judged.length === 0) continue;
    const matched = judged.filter((c) => c.matched === true).length;
    lines.push(`${name}: ${matched} of ${judged.length} track(s) matched${matched < judged.length ? `, ${judged.length - matched} did NOT` : ''}`);
  }
  lines.push(`Reads: ${result.reads.sectorsRequested} sectors in ${result.reads.commands} commands (${result.reads.cacheDefeatReads} to defeat the cache, ${result.reads.failedCommands} failed), ${result.reads.indexScanReads} for index scanning`);
  for (const note of result.notes) lines.push(`Note: ${note}`);
  return `${lines.join('\n')}\n`;
}

/** The JSON log: every field of the result, and the status explained. */
export function describeRip(result: RipResult): Record<string, unknown> {
  return {
    ...result,
    tracks: result.tracks.map((t) => ({ ...t, statusText: STATUS_TEXT[t.status] })),
  };
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

function msf(frames: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(frames / 4500))}:${two(Math.floor(frames / 75) % 60)}.${two(frames % 75)}`;
}
