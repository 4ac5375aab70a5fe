/**
 * `dumpDisc` of the built library in a process of its own, for the SIGKILL trials
 * (dump-crash.test.ts): the CLI saves the mapfile every 5 s, this saves it as often as asked, so
 * that kills land between saves of a running dump.
 *
 *   node test/reliability/dump-child.mjs <address> <out.cue> <defects.map> <mapfile interval ms>
 *
 * Exit 0 complete, 1 with sectors unread or on an error (its message on stderr).
 */

import { dumpDisc } from '../../dist/index.js';

const [source, cuePath, defects, interval] = process.argv.slice(2);
try {
  const result = await dumpDisc({
    source,
    cuePath,
    emulator: { defects: { path: defects } },
    mapfileIntervalMs: Number(interval),
    commandLine: 'dump-child',
  });
  process.exitCode = result.complete ? 0 : 1;
} catch (error) {
  process.stderr.write(`dump-child: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
