import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../../../lib/cli/run.js';
import type { CliContext } from '../../../lib/cli/io.js';

const LADYHAWKE = fileURLToPath(new URL('../../../../shared/corpus/whipper/whipper/test/ladyhawke.toc', import.meta.url));

function capture() {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  return { ctx, out: () => stdout, err: () => stderr };
}

describe('discrescue discid', () => {
  it('emu:demo-audio: ids, MCN and ISRCs from the drive', async () => {
    const io = capture();
    expect(await run(['discid', 'emu:demo-audio', '--json'], io.ctx)).toBe(0);
    const report = JSON.parse(io.out()) as Record<string, any>;
    expect(report.kind).toBe('drive');
    expect(report.mcn).toBe('0012345678905');
    expect(report.tracks.map((t: { isrc: string }) => t.isrc)).toEqual(['XXDRS2600001', 'XXDRS2600002', 'XXDRS2600003', 'XXDRS2600004']);
    // Four audio tracks of 2250, 1800, 3000 and 1500 sectors from LBA 0.
    expect(report.tracks.map((t: { startLba: number }) => t.startLba)).toEqual([0, 2250, 4050, 7050]);
    expect(report.leadOutLba).toBe(8550);
    expect(report.musicBrainz.toc).toBe('1 4 8700 150 2400 4200 7200');
    expect(report.accurateRip).toMatchObject({ audioTracks: 4, id1: 0 + 2250 + 4050 + 7050 + 8550, id2: 1 + 2250 * 2 + 4050 * 3 + 7050 * 4 + 8550 * 5 });
    expect(report.ctdb.toc).toBe('0:2250:4050:7050:8550');
    const human = capture();
    expect(await run(['discid', 'emu:demo-audio'], human.ctx)).toBe(0);
    expect(human.out()).toContain(`MusicBrainz disc id:  ${report.musicBrainz.id as string}\n`);
    expect(human.out()).toContain('MCN:                  0012345678905\n');
    expect(human.out()).toContain('ISRC track 03:        XXDRS2600003\n');
    expect(human.out()).toContain(`  Download from:      http://www.accuraterip.com/accuraterip/${report.accurateRip.path as string}\n`);
  });

  it.skipIf(!existsSync(LADYHAWKE))('a cdrdao TOC file (skipped without the corpus)', async () => {
    const io = capture();
    expect(await run(['discid', LADYHAWKE, '--json'], io.ctx)).toBe(0);
    const report = JSON.parse(io.out()) as Record<string, any>;
    expect(report.kind).toBe('toc');
    expect(report.musicBrainz.id).toBe('KnpGsLhvH.lPrNc1PBL21lb9Bg4-');
    expect(report.freedb.id).toBe('c60af50d');
    expect(report.accurateRip.text).toBe('012-0013bd5a-00b8d489-c60af50d');
    expect(report.tracks[0].isrc).toBe('GBUM70808708');
  });

  it('usage and format errors', async () => {
    const none = capture();
    expect(await run(['discid'], none.ctx)).toBe(2);
    const missing = capture();
    expect(await run(['discid', '/nonexistent/x.cue'], missing.ctx)).toBe(1);
    expect(missing.err()).toMatch(/ERR_FORMAT/u);
  });
});
