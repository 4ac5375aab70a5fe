import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../../lib/cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'discrescue-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

describe('info --record and replay:', () => {
  it('replays a recorded session with the same report', async () => {
    const capture = join(dir, 'capture.json');
    const live = await cli(['info', 'emu:demo-cdextra', '--json', '--record', capture]);
    expect(live.code).toBe(0);
    const recording = JSON.parse(readFileSync(capture, 'utf8'));
    expect(recording.format).toBe('discrescue-recording');
    expect(recording.exchanges.length).toBeGreaterThan(3);
    const replayed = await cli(['info', `replay:${capture}`, '--json']);
    expect(replayed.stderr).toBe('');
    const a = JSON.parse(live.stdout);
    const b = JSON.parse(replayed.stdout);
    expect(b.toc).toEqual(a.toc);
    expect(b.inquiry).toEqual(a.inquiry);
    expect(b.capabilities).toEqual(a.capabilities);
    expect(b.path).toBe('replay:emu:demo-cdextra');
  });

  it('names the file when a recording is unreadable', async () => {
    const r = await cli(['info', `replay:${join(dir, 'missing.json')}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('missing.json');
  });
});
