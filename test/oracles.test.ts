/**
 * Tests that compare with Debian's tools skip when a tool is missing, so a user's machine without
 * them still passes. CI installs every one of them (.ci/run) and sets DISCRESCUE_REQUIRE_ORACLES=1:
 * then a missing tool fails here instead of silently skipping the comparisons that need it.
 */

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ORACLES: [tool: string, args: string[]][] = [
  ['genisoimage', ['--version']],
  ['isoinfo', ['-version']],
  ['xorriso', ['-version']],
  ['mkudffs', ['--help']],
  ['udfinfo', ['--help']],
  ['hformat', []],
  ['hls', []],
  ['disktype', []],
  ['cd-info', ['--version']],
  ['toc2cue', ['-h']],
  ['bchunk', []],
  ['cd-paranoia', ['--version']],
  ['flac', ['--version']],
  ['metaflac', ['--version']],
  ['ddrescue', ['--version']],
  ['ddrescuelog', ['--version']],
  ['sfdisk', ['--version']],
];

describe.runIf(process.env.DISCRESCUE_REQUIRE_ORACLES === '1')('oracle tools (required when DISCRESCUE_REQUIRE_ORACLES=1)', () => {
  it.each(ORACLES)('%s is installed', (tool, args) => {
    expect(spawnSync(tool, args).error?.message).toBeUndefined();
  });
});
