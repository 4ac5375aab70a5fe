/** `verify`: is an image as long as its filesystems say (isolyzer's test, made strict). */

import { checkImageSize, type ImageSizeCheck } from '../../fs/size-check.js';
import { printJson, UsageError, type CliContext } from '../io.js';

export interface VerifyCommandOptions {
  image: string;
  /** LBA of the image's first sector on the disc. */
  offset: number | undefined;
  /** Rescue mapfile: its unfinished areas name the damaged files (filled in by the deep check). */
  mapfile: string | undefined;
  json: boolean;
}

/** The JSON document of `verify --json`: isolyzer's `tests` names at the top. */
export interface VerifyReport extends ImageSizeCheck {
  image: string;
  mapfile: string | null;
  /** Deep verification (every file's data read back) — filled in by the deep check when it runs. */
  deep: unknown;
}

/**
 * Exit 0 when the image holds a known filesystem and is not smaller than it should be, 1 when
 * it is smaller or nothing could be recognised.
 */
export async function verifyCommand(ctx: CliContext, o: VerifyCommandOptions): Promise<number> {
  if (/\.cue$/iu.test(o.image)) throw new UsageError('raw verification of BIN/CUE comes with the dump support');
  const check = await checkImageSize(o.image, o.offset === undefined ? {} : { offset: o.offset });
  // The deep check (file data, --mapfile's damaged files) plugs in here.
  const report: VerifyReport = { image: o.image, ...check, mapfile: o.mapfile ?? null, deep: null };
  const ok = check.containsKnownFileSystem && !check.smallerThanExpected;
  if (o.json) {
    printJson(ctx, report);
    return ok ? 0 : 1;
  }
  const w = (line: string): void => void ctx.stdout.write(`${line}\n`);
  w(`${o.image}: ${check.sizeActual} bytes`);
  if (!check.containsKnownFileSystem) w('  no known filesystem (ISO 9660, UDF, HFS, HFS+) found');
  for (const v of check.volumes) {
    const label = v.label ? ` "${v.label}"` : '';
    w(`  ${v.name}${label} at byte ${v.at}: needs ${v.sizeRequired} bytes (${v.rule})${v.complete ? '' : ' — MISSING DATA'}`);
  }
  const sectors = Number.isInteger(check.sizeDifferenceSectors) ? String(check.sizeDifferenceSectors) : check.sizeDifferenceSectors.toFixed(3);
  w(`  expected ${check.sizeExpected} bytes, difference ${check.sizeDifference} bytes (${sectors} sectors)`);
  for (const warning of check.warnings) w(`  warning: ${warning.message}`);
  w(verdict(check));
  return ok ? 0 : 1;
}

function verdict(check: ImageSizeCheck): string {
  if (!check.containsKnownFileSystem) return 'UNKNOWN: nothing to compare the size with';
  if (check.smallerThanExpected) return `INCOMPLETE: ${-check.sizeDifference} bytes missing`;
  if (check.sizeAsExpected) return 'COMPLETE: exactly the expected size';
  return `COMPLETE: ${check.sizeDifference} bytes more than expected (padding or trailing descriptors)`;
}
