#!/usr/bin/env node
import { run } from './run.js';

const controller = new AbortController();
let interrupted = 0;
process.on('SIGINT', () => {
  interrupted++;
  // A second Ctrl-C leaves at once; the first lets the command in flight finish cleanly.
  if (interrupted > 1) process.exit(130);
  controller.abort();
});

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
