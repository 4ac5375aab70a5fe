import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../lib/cli/io.js';
import { run } from '../../../lib/cli/run.js';
import type { DiscModel } from '../../../lib/emulator/disc-model.js';
import { saveDiscAsCueBin } from '../../../lib/emulator/save-cue-bin.js';
import { createAudioCd, createCdExtra, createMixedModeCd, createSyntheticDisc } from '../../../lib/emulator/synthetic-disc.js';
import { corpusPath, HAVE_CORPUS, readCorpus } from '../image/sheet-test-helpers.js';

const HAVE_TOC2CUE = spawnSync('toc2cue', ['-h']).error === undefined;

function capture(): { ctx: CliContext; out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    ctx: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
    out: () => stdout,
    err: () => stderr,
  };
}

/** A sheet without comments (REM lines, `//` comments) and with whitespace normalised. */
function normalised(text: string): string[] {
  return text
    .split(/\r?\n/u)
    .map((line) => line.replace(/\/\/.*$/u, '').trim().replace(/\s+/gu, ' '))
    .filter((line) => line !== '' && !/^REM /u.test(line));
}

/**
 * The lines cdrdao 1.2.4's toc2cue writes for one of ours: it leaves out CATALOG, ISRC, INDEX 02
 * and later, and the FLAGS other than DCP.
 */
function toc2cueWrites(line: string): string[] {
  if (/^(CATALOG|ISRC) /u.test(line) || /^INDEX (0[2-9]|[1-9]\d) /u.test(line)) return [];
  if (line.startsWith('FLAGS ')) return line.includes('DCP') ? ['FLAGS DCP'] : [];
  return [line];
}

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'discrescue-cli-convert-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function dir(name: string): string {
  const path = join(tmp, name);
  mkdirSync(path, { recursive: true });
  return path;
}

describe.skipIf(!HAVE_CORPUS)('discrescue convert on whipper toc→cue pairs (skipped without ../shared/corpus)', () => {
  // whipper/EXPECTED.json: cure.toc → cure.cue, bloc.toc → bloc.cue, breeders.toc → breeders.cue.
  const expected = (HAVE_CORPUS ? JSON.parse(readCorpus('whipper/EXPECTED.json')) : {}) as Record<string, { cue_output?: string; cue_output_exact?: string }>;
  const pairs = Object.entries(expected)
    .map(([key, value]) => [key.split(' ')[0] as string, value.cue_output ?? value.cue_output_exact] as const)
    .filter((pair): pair is readonly [string, string] => pair[1] !== undefined);

  it('finds the three pairs', () => {
    expect(pairs).toEqual([
      ['cure.toc', 'cure.cue'],
      ['bloc.toc', 'bloc.cue'],
      ['breeders.toc', 'breeders.cue'],
    ]);
  });

  it.each(pairs)('%s → %s agrees apart from comments and whitespace', async (toc, cue) => {
    const out = join(dir('whipper'), cue);
    const io = capture();
    expect(await run(['convert', corpusPath(`whipper/whipper/test/${toc}`), out], io.ctx)).toBe(0);
    expect(io.out()).toBe(`${out}: 13 tracks from ${corpusPath(`whipper/whipper/test/${toc}`)}\n`);
    expect(normalised(readFileSync(out, 'utf8'))).toEqual(normalised(readCorpus(`whipper/whipper/test/${cue}`)));
  });
});

describe.skipIf(!HAVE_CORPUS)('discrescue convert refuses the libcdio bad-* sheets (skipped without ../shared/corpus)', () => {
  it.each([
    ['bad-cat1.cue', 4],
    ['bad-cat2.cue', 4],
    ['bad-cat3.cue', 4],
    ['bad-mode1.cue', 6],
    ['bad-msf-1.cue', 7],
    ['bad-msf-2.cue', 7],
    ['bad-cat1.toc', 6],
    ['bad-cat2.toc', 4],
    ['bad-cat3.toc', 4],
    ['bad-mode1.toc', 4],
    ['bad-msf-1.toc', 6],
    ['bad-msf-2.toc', 6],
  ])('%s: exit 1, FormatError at line %i', async (name, line) => {
    const io = capture();
    const input = corpusPath(`libcdio/test/data/${name}`);
    const output = join(dir('bad'), name.endsWith('.cue') ? 'x.toc' : 'x.cue');
    expect(await run(['convert', input, output], io.ctx)).toBe(1);
    expect(io.err()).toMatch(new RegExp(`^discrescue: ${input.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}:${line}(:\\d+)?: .* \\[ERR_FORMAT\\]\\n$`, 'u'));
    expect(readdirSync(dir('bad'))).not.toContain(name.endsWith('.cue') ? 'x.toc' : 'x.cue');
  });
});

describe.skipIf(!HAVE_TOC2CUE)("our TOCs through cdrdao's toc2cue equal our cue sheets (skipped without toc2cue)", () => {
  const discs: Array<[string, DiscModel, boolean]> = [
    ['mixed-mode, one BIN', createMixedModeCd(300, [200, 100]), true],
    ['audio with MCN, ISRCs and pregaps, one BIN', createAudioCd([300, 200, 250], { mcn: '0012345678905', isrcs: ['USABC2600001', undefined, 'USABC2600003'], pregaps: [150, 75, 0] }), true],
    [
      'flags DCP/PRE/4CH and index points, one BIN',
      createSyntheticDisc({
        tracks: [
          { mode: 'audio', sectors: 400, control: 0x2 | 0x1, indexOffsets: [100, 250] },
          { mode: 'audio', sectors: 200, control: 0x8, pregap: 33 },
        ],
      }),
      true,
    ],
    ['mixed-mode, one BIN per track', createMixedModeCd(300, [200, 100]), false],
  ];

  it.each(discs)('%s', async (name, disc, singleBin) => {
    const d = dir(name.replace(/[^a-z]+/gu, '-'));
    await saveDiscAsCueBin(disc, join(d, 'disc.cue'), { singleBin });
    const io = capture();
    expect(await run(['convert', join(d, 'disc.cue'), join(d, 'disc.toc')], io.ctx)).toBe(0);
    const oracle = spawnSync('toc2cue', ['disc.toc', 'oracle.cue'], { cwd: d, encoding: 'latin1' });
    if (!singleBin) {
      // toc2cue writes one FILE for the whole disc: it refuses tracks from several files.
      expect(oracle.status).not.toBe(0);
      expect(oracle.stderr).toMatch(/Cannot convert: toc-file references multiple data files/u);
      return;
    }
    expect(oracle.status, oracle.stderr).toBe(0);
    const ours = normalised(readFileSync(join(d, 'disc.cue'), 'utf8'));
    expect(normalised(readFileSync(join(d, 'oracle.cue'), 'latin1'))).toEqual(ours.flatMap(toc2cueWrites));
    // What toc2cue leaves out is in our TOC all the same.
    const toc = readFileSync(join(d, 'disc.toc'), 'utf8');
    for (const line of ours) {
      if (line.startsWith('CATALOG ')) expect(toc).toContain(`CATALOG "${line.slice(8)}"`);
      if (line.startsWith('ISRC ')) expect(toc).toContain(`ISRC "${line.slice(5)}"`);
      if (line.startsWith('FLAGS') && line.includes('PRE')) expect(toc).toMatch(/^PRE_EMPHASIS$/mu);
      if (line.startsWith('FLAGS') && line.includes('4CH')) expect(toc).toMatch(/^FOUR_CHANNEL_AUDIO$/mu);
    }
    // And our own way back.
    expect(await run(['convert', join(d, 'disc.toc'), join(d, 'back.cue')], io.ctx)).toBe(0);
    expect(readFileSync(join(d, 'back.cue'), 'utf8')).toBe(readFileSync(join(d, 'disc.cue'), 'utf8'));
  });
});

describe('discrescue convert and split: usage and output', () => {
  it('refuses other extensions, a missing argument, overwriting the input, and --mountable', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['convert', 'a.txt', 'b.cue'], /needs a \.cue or \.toc input/u],
      [['convert', 'a.cue', 'b.bin'], /needs a \.cue or \.toc output/u],
      [['convert', 'a.cue'], /"convert" needs <in\.toc\|in\.cue> <out\.cue\|out\.toc>/u],
      [['convert', 'a.cue', './a.cue'], /overwrite its input/u],
      [['convert', 'a.cue', 'b.toc', '--mountable'], /"convert" does not take --mountable/u],
      [['split', 'a.cue'], /"split" needs <in\.cue> <outdir>/u],
    ];
    for (const [argv, message] of cases) {
      const io = capture();
      expect(await run(argv, io.ctx), argv.join(' ')).toBe(2);
      expect(io.err()).toMatch(message);
    }
  });

  it('cue2toc refuses two sessions with an UnsupportedError', async () => {
    const d = dir('two-sessions');
    await saveDiscAsCueBin(createCdExtra([100], 100), join(d, 'x.cue'));
    const io = capture();
    expect(await run(['convert', join(d, 'x.cue'), join(d, 'x.toc')], io.ctx)).toBe(1);
    expect(io.err()).toMatch(/x\.cue: TRACK 2 \(line 7\): a cdrdao TOC file describes one session \[ERR_UNSUPPORTED\]\n$/u);
  });

  it('split --mountable --json reports every track', async () => {
    const d = dir('split-cli');
    await saveDiscAsCueBin(createCdExtra([100, 50], 40), join(d, 'x.cue'));
    const out = dir('split-cli-out');
    const io = capture();
    expect(await run(['split', join(d, 'x.cue'), out, '--mountable', '--json'], io.ctx)).toBe(0);
    const report = JSON.parse(io.out()) as { tracks: Array<Record<string, unknown>> };
    expect(report.tracks.map((t) => [t.number, t.session, t.kind, t.startLba, t.sectors, t.zeroBlocks])).toEqual([
      [1, 1, 'wav', 0, 100, 0],
      [2, 1, 'wav', 100, 50, 0],
      [3, 2, 'iso', 150 + 11_400, 40, 150 + 11_400],
    ]);
    expect(readdirSync(out).sort()).toEqual(['x01.wav', 'x02.wav', 'x03.iso']);
    const text = capture();
    expect(await run(['split', join(d, 'x.cue'), out], text.ctx)).toBe(0);
    expect(text.out().split('\n')[2]).toBe(`track 03 session 2 MODE2/2352: ${join(out, 'x03.iso')}, 40 sectors, 81.92 kB (150 pregap sectors left out)`);
  });
});
