/** Runs the CLI in-process and collects what it printed. */

import type { CliContext } from '../../lib/cli/io.js';
import { run } from '../../lib/cli/run.js';

export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
  return { code: await run(args, ctx), out, err };
}
