import type { DriveInfo } from '../drive/discovery.js';
import type { Drive, OpenOptions } from '../drive/drive.js';

export interface Writable {
  write(chunk: string): unknown;
}

/** Everything a command touches outside itself, so tests can hand in fakes. */
export interface CliContext {
  stdout: Writable;
  stderr: Writable;
  signal?: AbortSignal;
  listDrives?: () => Promise<DriveInfo[]>;
  openDrive?: (path: string, options?: OpenOptions) => Promise<Drive>;
}

/** A usage mistake: printed with a hint to --help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'bigint') return value.toString();
  return value;
}
