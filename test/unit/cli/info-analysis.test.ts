/**
 * `discrescue info` as the disc analysis report: the demo discs, a DVD and a BD in-process, and
 * the demo discs saved as CUE/BIN against libcdio's cd-info.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DiscAnalysis } from '../../../lib/analysis/disc-analysis.js';
import type { CliContext } from '../../../lib/cli/io.js';
import { run } from '../../../lib/cli/run.js';
import { Drive } from '../../../lib/drive/drive.js';
import { createDemoDisc, type DemoDiscName } from '../../../lib/emulator/demo-discs.js';
import { createEmulatedDrive } from '../../../lib/emulator/emulated-drive.js';
import { saveDiscAsCueBin } from '../../../lib/emulator/save-cue-bin.js';
import { createBd, createDvd, createMultisessionCd, createSyntheticDisc } from '../../../lib/emulator/synthetic-disc.js';
import type { DiscModel } from '../../../lib/emulator/disc-model.js';

// cd-info --version exits 100, so look at what it printed.
const HAVE_CD_INFO = (spawnSync('cd-info', ['--version'], { encoding: 'utf8' }).stdout ?? '').startsWith('cd-info');
const work = mkdtempSync(join(tmpdir(), 'discrescue-info-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(args: string[], openDrive?: CliContext['openDrive']): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
  if (openDrive) ctx.openDrive = openDrive;
  return { code: await run(args, ctx), out, err };
}

async function analysisOf(address: string, openDrive?: CliContext['openDrive']): Promise<DiscAnalysis> {
  const r = await cli(['info', address, '--json'], openDrive);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(r.out) as { analysis: DiscAnalysis }).analysis;
}

const modelDrive = (disc: DiscModel) => async () => Drive.fromTransport(createEmulatedDrive({ disc, profile: 'dvd-bd', path: 'emu:test' }));

describe('info: analysis of the demo discs', () => {
  it('--json gains the analysis with disc type and tracks', async () => {
    const types: Record<string, string> = {};
    const tracks: Record<string, unknown[]> = {};
    for (const name of ['demo-data', 'demo-audio', 'demo-mixed', 'demo-cdextra']) {
      const a = await analysisOf(`emu:${name}`);
      types[name] = a.discType;
      tracks[name] = a.sessions.flatMap((s) => s.tracks.map((t) => `${s.number}/${t.number} ${t.type} ${t.mode} ${t.startLba}+${t.lengthSectors}`));
    }
    expect(types).toEqual({ 'demo-data': 'data-mode1', 'demo-audio': 'audio', 'demo-mixed': 'mixed-mode', 'demo-cdextra': 'cd-extra' });
    expect(tracks).toEqual({
      'demo-data': ['1/1 data mode1 0+5236'],
      'demo-audio': ['1/1 audio audio 0+2250', '1/2 audio audio 2250+1800', '1/3 audio audio 4050+3000', '1/4 audio audio 7050+1500'],
      'demo-mixed': ['1/1 data mode1 0+3150', '1/2 audio audio 3150+2250', '1/3 audio audio 5400+1800'],
      'demo-cdextra': ['1/1 audio audio 0+2250', '1/2 audio audio 2250+1800', '1/3 audio audio 4050+1500', '2/4 data mode2-xa 16950+2000'],
    });
  });

  it('prints a compact report', async () => {
    const r = await cli(['info', 'emu:demo-data']);
    expect(r.code).toBe(0);
    const report = r.out.slice(r.out.indexOf('Disc analysis'));
    expect(report).toBe(
      [
        'Disc analysis',
        '  Disc type:  data CD (Mode 1)',
        '  Session 1 (lead-out at LBA 5236)',
        '    Track 01  mode1     LBA       0     5236 sectors',
        '      ISO 9660: "DISCRESCUE_DEMO", 5236 blocks of 2048 bytes',
        '        System id:        LINUX',
        '        Application id:   DISCRESCUE',
        '',
      ].join('\n'),
    );
    const audio = await cli(['info', 'emu:demo-audio']);
    expect(audio.out).toContain('  MCN:        0012345678905\n');
    expect(audio.out).toContain('    Track 03  audio     LBA    4050     3000 sectors  ISRC XXDRS2600003\n');
    const extra = await cli(['info', 'emu:demo-cdextra']);
    expect(extra.out).toContain('  Disc type:  CD-Plus/Extra (audio session, then a data session)\n  Session 1 (lead-out at LBA 5550)\n');
    expect(extra.out).toContain('  Session 2 (lead-out at LBA 18950)\n    Track 04  mode2-xa  LBA   16950     2000 sectors\n      no filesystem recognised\n');
  });

  it('a DVD and a BD: type from the current profile, one block track', async () => {
    const dvd = await analysisOf('emu:test', modelDrive(createDvd(5000)));
    expect(dvd).toEqual({
      discType: 'dvd', discTypeName: 'DVD', profile: 0x10,
      sessions: [{ number: 1, leadOutLba: 5000, tracks: [{
        number: 1, type: 'data', mode: 'block', controlNibble: 4,
        control: { preEmphasis: false, copyPermitted: false, fourChannel: false }, startLba: 0, lengthSectors: 5000, fileSystems: [],
      }] }],
    });
    const bd = await analysisOf('emu:test', modelDrive(createBd(12_345)));
    expect([bd.discType, bd.profile, bd.sessions[0]!.tracks[0]!.lengthSectors]).toEqual(['bd', 0x40, 12_345]);
    const human = await cli(['info', 'emu:test'], modelDrive(createBd(12_345)));
    expect(human.out).toContain('  Disc type:  BD\n  Session 1 (lead-out at LBA 12345)\n    Track 01  block     LBA       0    12345 sectors\n');
  });
});

interface CdInfoReport {
  discMode: string;
  tracks: { number: number; lsn: number; type: string; copy: string; channels: string | undefined; preEmphasis: string | undefined }[];
  leadOut: number;
  mcn: string | undefined;
  analysis: string[];
}

/** The parts of `cd-info --no-header --no-device-info -c` output the comparison needs. */
function parseCdInfo(text: string): CdInfoReport {
  const discMode = /^Disc mode is listed as: (.+)$/mu.exec(text)?.[1]?.trim() ?? '';
  const tracks: CdInfoReport['tracks'] = [];
  let leadOut = -1;
  for (const m of text.matchAll(/^\s*(\d+): \d\d:\d\d:\d\d\s+(\d+) (\w+)(?:\s+(\w+)\s+(\w+)(?:\s+(\d)\s+(\w+))?)?/gmu)) {
    if (m[1] === '170') leadOut = Number(m[2]);
    else tracks.push({ number: Number(m[1]), lsn: Number(m[2]), type: m[3]!, copy: m[5]!, channels: m[6], preEmphasis: m[7] });
  }
  const mcnText = /^Media Catalog Number \(MCN\): (.+)$/mu.exec(text)?.[1]?.trim();
  const analysis = text.slice(text.indexOf('CD Analysis Report')).split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
  return { discMode, tracks, leadOut, mcn: mcnText === 'not available' ? undefined : mcnText, analysis };
}

/**
 * cd-info's disc mode for our disc types. Its BIN/CUE driver sees one session, so a multisession
 * Mode 1 disc is "CD-DATA (Mode 1)" there; its analysis report still names CD-Plus/Extra.
 */
const CD_INFO_DISC_MODE: Record<string, string> = {
  audio: 'CD-DA',
  'data-mode1': 'CD-DATA (Mode 1)',
  'data-mode2-xa': 'CD DATA (Mode 2)',
  'mixed-mode': 'CD-ROM Mixed',
  'cd-extra': 'CD-ROM Mixed',
  'multisession-data': 'CD-DATA (Mode 1)',
};
const CD_INFO_TRACK_TYPE: Record<string, string> = { audio: 'audio', mode1: 'data', 'mode2-xa': 'XA' };

describe.skipIf(!HAVE_CD_INFO)('info against cd-info on CUE/BIN images (skipped without cd-info)', () => {
  const demo = (name: DemoDiscName) => () => createDemoDisc(name).disc;
  const cases: [string, () => DiscModel][] = [
    ['demo-data', demo('demo-data')],
    ['demo-audio', demo('demo-audio')],
    ['demo-mixed', demo('demo-mixed')],
    ['demo-cdextra', demo('demo-cdextra')],
    ['xa-data', () => createSyntheticDisc({ tracks: [{ mode: 'mode2-xa', sectors: 600 }] })],
    ['multisession', () => createMultisessionCd([600, 300])],
    ['audio-flags', () => createSyntheticDisc({ tracks: [{ mode: 'audio', sectors: 600, control: 0xb }, { mode: 'audio', sectors: 300, control: 0x2 }] })],
  ];
  it.each(cases)('%s', async (name, disc) => {
    const cue = join(work, `${name}.cue`);
    await saveDiscAsCueBin(disc(), cue, { singleBin: true });
    const oracle = spawnSync('cd-info', ['--no-header', '--no-device-info', '-c', `${name}.cue`], { cwd: work, encoding: 'utf8' });
    expect(oracle.status).toBe(0);
    const theirs = parseCdInfo(oracle.stdout);
    const ours = await analysisOf(`emu:${cue}`);

    expect(theirs.discMode).toBe(CD_INFO_DISC_MODE[ours.discType]);
    if (ours.discType === 'cd-extra') expect(theirs.analysis).toContain('CD-Plus/Extra');
    if (ours.discType === 'mixed-mode') expect(theirs.analysis).toContain('mixed mode CD');
    expect(theirs.mcn).toBe(ours.mcn);

    const tracks = ours.sessions.flatMap((s) => s.tracks.map((t) => ({ session: s.number, t })));
    expect(theirs.tracks.map((t) => [t.number, t.type])).toEqual(tracks.map(({ t }) => [t.number, CD_INFO_TRACK_TYPE[t.mode]]));
    const yesNo = (b: boolean) => (b ? 'yes' : 'no');
    expect(theirs.tracks.map((t) => [t.copy, t.channels, t.preEmphasis])).toEqual(
      tracks.map(({ t }) =>
        t.type === 'audio' ? [yesNo(t.control.copyPermitted), t.control.fourChannel ? '4' : '2', yesNo(t.control.preEmphasis)] : [yesNo(t.control.copyPermitted), undefined, undefined],
      ),
    );
    // cd-info's BIN/CUE driver ignores REM SESSION: later sessions sit where their sectors are in
    // the BIN, without the 11 400-sector gap between session 1's lead-out and session 2 (less its
    // 150-sector pregap, which is in the file). We keep the disc's addresses.
    const shift = (session: number) => (session === 1 ? 0 : 11_400 - 150);
    expect(theirs.tracks.map((t) => t.lsn)).toEqual(tracks.map(({ session, t }) => t.startLba - shift(session)));
    const last = ours.sessions[ours.sessions.length - 1]!;
    expect(theirs.leadOut).toBe(last.leadOutLba - shift(last.number));

    const iso = tracks.flatMap(({ t }) => t.fileSystems).find((f) => f.type === 'iso9660');
    if (iso !== undefined) {
      expect(theirs.analysis).toContain(`ISO 9660: ${iso.blockCount} blocks, label \`${iso.label.padEnd(32)}'`);
      expect(theirs.analysis).toContain(`Application: ${iso.application}`);
      expect(theirs.analysis).toContain(`System     : ${iso.systemId}`);
      expect(theirs.analysis).toContain(`Volume     : ${iso.label}`);
    } else {
      expect(theirs.analysis.some((l) => l.startsWith('CD-ROM with ISO 9660'))).toBe(false);
    }
  }, 60_000);
});
