#!/usr/bin/env node
import { run } from './run.js';

const controller = new AbortController();
let interrupted = 0;
// Ctrl-C, and SIGTERM from a service manager, a disc robot's controller or `kill`: the first lets
// the command in flight finish and saves the mapfile; a second leaves at once (still safe: the
// mapfile on disk never claims unwritten data).
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    interrupted++;
    if (interrupted > 1) process.exit(code);
    controller.abort();
  });
}

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
