import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCdTextPacks, cdTextPacksFromDump, parseCdText } from '../../lib/cd/cd-text.js';
import { decodeQ, deinterleaveSubchannel, packSubchannel, subchannelToChannelBlocks } from '../../lib/cd/subchannel.js';
import { run } from '../../lib/cli/run.js';
import { Drive } from '../../lib/drive/drive.js';
import { dumpDisc, type DumpResult } from '../../lib/dump/index.js';
import { audioRuns, edgeSectorsNeeded } from '../../lib/dump/audio-offset.js';
import { countC2Flags } from '../../lib/dump/side-channels.js';
import type { DiscModel } from '../../lib/emulator/disc-model.js';
import { resolveDriveProfile, type DriveProfile } from '../../lib/emulator/drive-profile.js';
import { createEmulatedDrive } from '../../lib/emulator/emulated-drive.js';
import type { FaultOptions } from '../../lib/emulator/faults.js';
import { createSyntheticDisc } from '../../lib/emulator/synthetic-disc.js';
import { buildSyntheticIso } from '../../lib/emulator/synthetic-iso.js';
import { parseCdrdaoToc } from '../../lib/image/cdrdao-toc.js';
import { parseCue } from '../../lib/image/cue.js';
import { readMapfile } from '../../lib/rescue/mapfile.js';
import { msfToLba } from '../../lib/scsi/msf.js';
import { isoContent, sha256 } from '../helpers/synthetic-content.js';

const HAVE_CD_INFO = spawnSync('cd-info', ['--version']).error === undefined;

const profile = (overrides: Partial<DriveProfile> = {}): DriveProfile => ({ ...resolveDriveProfile('good'), readOffsetSamples: 0, ...overrides });

function emulated(disc: DiscModel, p: DriveProfile = profile(), faults: FaultOptions = {}): Drive {
  return Drive.fromTransport(createEmulatedDrive({ disc, profile: p, faults }));
}

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'discrescue-dump-side-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function dir(name: string): string {
  const path = join(tmp, name);
  mkdirSync(path, { recursive: true });
  return path;
}

async function dumpWith(disc: DiscModel, name: string, options: { p?: DriveProfile; faults?: FaultOptions; singleBin?: boolean; subchannel?: boolean; c2?: boolean; offsetSamples?: number } = {}): Promise<{ d: string; result: DumpResult }> {
  const d = dir(name);
  const drive = emulated(disc, options.p, options.faults);
  try {
    const result = await dumpDisc({
      source: drive,
      cuePath: join(d, `${name}.cue`),
      singleBin: options.singleBin ?? false,
      ...(options.subchannel === undefined ? {} : { subchannel: options.subchannel }),
      ...(options.c2 === undefined ? {} : { c2: options.c2 }),
      ...(options.offsetSamples === undefined ? {} : { offsetSamples: options.offsetSamples }),
    });
    return { d, result };
  } finally {
    await drive.close();
  }
}

const iso = buildSyntheticIso({ volumeId: 'SIDE', files: [{ name: 'A.TXT', data: new TextEncoder().encode('side channels\n') }], paddingBlocks: 10 });
const isoBlocks = iso.length / 2048;
/** Session 1 audio (300 + 200), session 2 an XA data track at 500 + 11 400. */
const DATA_LBA = 500 + 11_400;
const extraDisc = (): DiscModel =>
  createSyntheticDisc({
    tracks: [
      { mode: 'audio', sectors: 300 },
      { mode: 'audio', sectors: 200, pregap: 75 },
      { mode: 'mode2-xa', sectors: isoBlocks, session: 2, content: isoContent(iso, DATA_LBA) },
    ],
  });
const mixedDisc = (): DiscModel =>
  createSyntheticDisc({
    tracks: [
      { mode: 'mode1', sectors: isoBlocks, content: isoContent(iso, 0) },
      { mode: 'audio', sectors: 200, pregap: 150 },
      { mode: 'audio', sectors: 100 },
    ],
  });
const audioDisc = (): DiscModel =>
  createSyntheticDisc({ tracks: [{ mode: 'audio', sectors: 300 }, { mode: 'audio', sectors: 200 }, { mode: 'audio', sectors: 100 }] });

/** The disc LBA of every sector in BIN order (single BIN, or per-track BINs concatenated). */
function binLbas(result: DumpResult): number[] {
  const out: number[] = [];
  for (const t of result.tracks) for (let lba = t.fileFirstLba; lba < t.endLba; lba++) out.push(lba);
  return out;
}

describe('subchannelToChannelBlocks', () => {
  it('P, Q, R … W, 12 bytes each, from the interleaved form', () => {
    const p = new Uint8Array(12).fill(0xff);
    const q = Uint8Array.from({ length: 12 }, (_, i) => i * 17 + 3);
    const rw = Uint8Array.from({ length: 72 }, (_, i) => (i * 29 + 7) & 0xff);
    const blocks = subchannelToChannelBlocks(packSubchannel({ p, q, rw }));
    expect([...blocks.subarray(0, 12)]).toEqual([...p]);
    expect([...blocks.subarray(12, 24)]).toEqual([...q]);
    expect([...blocks.subarray(24, 96)]).toEqual([...rw]);
    const split = deinterleaveSubchannel(packSubchannel({ p, q, rw }));
    expect([...blocks.subarray(24)]).toEqual([...split.rw]);
  });

  it('C2 flag count: set bits of the 294 bytes', () => {
    const c2 = new Uint8Array(300);
    c2[3] = 0xff;
    c2[296] = 0x81;
    expect(countC2Flags(c2, 0)).toBe(8);
    expect(countC2Flags(c2, 6)).toBe(2);
    expect(() => countC2Flags(c2, 7)).toThrow(RangeError);
  });
});

describe('dump --subchannel', () => {
  it.each([false, true])('singleBin %s: the Q of every sector of the .sub decodes to that sector (CD-Extra)', async (singleBin) => {
    const { result } = await dumpWith(extraDisc(), `sub-${singleBin}`, { singleBin, subchannel: true });
    expect(result.complete).toBe(true);
    expect(result.subchannelMissingSectors).toBe(0);
    const sub = readFileSync(result.subPath!);
    const lbas = binLbas(result);
    expect(sub.length).toBe(lbas.length * 96);
    const pregaps = new Set<number>();
    for (const t of result.tracks) for (let lba = t.startLba - t.pregapSectors; lba < t.startLba; lba++) pregaps.add(lba);
    lbas.forEach((lba, i) => {
      const entry = sub.subarray(i * 96, (i + 1) * 96);
      const q = decodeQ(entry, 12);
      expect(q.crcOk && q.kind === 'position' ? msfToLba(q.absolute) : `bad Q at ${lba}`).toBe(lba);
      // P is set through pauses (pregaps) and clear inside tracks.
      expect(entry[0]).toBe(pregaps.has(lba) ? 0xff : 0);
      expect(entry.subarray(24).every((b) => b === 0)).toBe(true);
    });
    const track2 = result.tracks[1]!;
    const q = decodeQ(sub.subarray((track2.fileFirstLba + 10) * 96, (track2.fileFirstLba + 11) * 96), 12);
    expect(q.kind === 'position' ? [q.track, q.index] : undefined).toEqual([2, 0]);
  });

  it('unread sectors stay zero; a resume without --subchannel, then with it, fills every read sector', async () => {
    const d = dir('sub-resume');
    const cuePath = join(d, 'r.cue');
    const faults: FaultOptions = { weakSectors: [{ ranges: [{ startLba: 100, endLba: 104 }], readableBy: ['cheap'] }] };
    let drive = emulated(extraDisc(), profile(), faults);
    const first = await dumpDisc({ source: drive, cuePath, subchannel: true });
    await drive.close();
    expect(first.complete).toBe(false);
    let sub = readFileSync(first.subPath!);
    for (let lba = 98; lba < 106; lba++) {
      const zero = sub.subarray(lba * 96, (lba + 1) * 96).every((b) => b === 0);
      expect([lba, zero]).toEqual([lba, lba >= 100 && lba < 104]);
    }
    // Another drive, no sub-channel this time: the bad sectors are read, their sub-channel is not.
    drive = emulated(extraDisc(), { ...profile(), name: 'cheap', c2Pointers: false }, faults);
    const second = await dumpDisc({ source: drive, cuePath });
    await drive.close();
    expect(second.complete).toBe(true);
    expect(second.subPath).toBeUndefined();
    // A third run with --subchannel reads nothing new but completes the sub-channel — except
    // where this drive cannot read the sectors, which are reported.
    drive = emulated(extraDisc(), profile(), faults);
    const third = await dumpDisc({ source: drive, cuePath, subchannel: true });
    await drive.close();
    expect(third.subchannelMissingSectors).toBe(4);
    expect(third.complete).toBe(true);
    drive = emulated(extraDisc(), { ...profile(), name: 'cheap' }, faults);
    const fourth = await dumpDisc({ source: drive, cuePath, subchannel: true });
    await drive.close();
    expect(fourth.subchannelMissingSectors).toBe(0);
    sub = readFileSync(fourth.subPath!);
    binLbas(fourth).forEach((lba, i) => {
      const q = decodeQ(sub.subarray(i * 96, (i + 1) * 96), 12);
      expect(q.crcOk && q.kind === 'position' ? msfToLba(q.absolute) : undefined).toBe(lba);
    });
  });

  it('interrupted: every sector the mapfile calls finished has its sub-channel and C2 count in the work files', async () => {
    const d = dir('sub-abort');
    const cuePath = join(d, 'a.cue');
    const controller = new AbortController();
    // Stop after the rescue's third multi-sector READ CD (the ones asking for C2; the probes do
    // not): progress reports are throttled in time, so counting commands is what makes the stop
    // land mid-disc on a fast or a loaded machine.
    const transport = createEmulatedDrive({ disc: audioDisc(), profile: profile() });
    const execute = transport.execute.bind(transport);
    let bulkReads = 0;
    transport.execute = async (command, options) => {
      const cdb = command.cdb;
      const blocks = ((cdb[6] ?? 0) << 16) | ((cdb[7] ?? 0) << 8) | (cdb[8] ?? 0);
      if (cdb[0] === 0xbe && (cdb[9]! & 0x06) !== 0 && blocks >= 16 && ++bulkReads === 3) controller.abort(new Error('stop'));
      return execute(command, options);
    };
    const drive = Drive.fromTransport(transport);
    const error = await dumpDisc({
      source: drive,
      cuePath,
      subchannel: true,
      mapfileIntervalMs: 0,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await drive.close();
    expect(error).toBeInstanceOf(Error);
    const map = readMapfile(readFileSync(join(d, 'a.map'), 'utf8')).map;
    const finished = [...map.runs()].filter((r) => r.status === '+').reduce((n, r) => n + r.size / 2352, 0);
    expect(finished).toBeGreaterThanOrEqual(16);
    expect(finished).toBeLessThan(600);
    const sub = readFileSync(join(d, 'a.raw.sub'));
    const c2 = readFileSync(join(d, 'a.raw.c2'));
    for (let lba = 0; lba < 600; lba++) {
      const done = map.statusAt(lba * 2352) === '+';
      const q = sub.length >= (lba + 1) * 96 ? decodeQ(sub.subarray(lba * 96, (lba + 1) * 96), 12) : undefined;
      expect([lba, done && !(q?.crcOk === true && q.kind === 'position' && msfToLba(q.absolute) === lba)]).toEqual([lba, false]);
      expect([lba, done && !(c2.length >= (lba + 1) * 2 && c2.readUInt16LE(lba * 2) === 1)]).toEqual([lba, false]);
    }
    // The same command finishes the dump.
    const again = emulated(audioDisc());
    const result = await dumpDisc({ source: again, cuePath, subchannel: true });
    await again.close();
    expect(result.complete).toBe(true);
    expect(result.rescue.resumed).toBe(true);
    const full = readFileSync(result.subPath!);
    binLbas(result).forEach((lba, i) => {
      const q = decodeQ(full.subarray(i * 96, (i + 1) * 96), 12);
      expect(q.crcOk && q.kind === 'position' ? msfToLba(q.absolute) : undefined).toBe(lba);
    });
  });

  it('a drive that refuses raw sub-channel: a note, no .sub, the dump completes', async () => {
    const disc = audioDisc();
    const transport = createEmulatedDrive({ disc, profile: profile() });
    // Refuse READ CD whenever byte 10 asks for sub-channel, as some drives do.
    const refusing = {
      get path() { return transport.path; },
      get maxTransferBytes() { return transport.maxTransferBytes; },
      get closed() { return transport.closed; },
      execute: async (command: Parameters<typeof transport.execute>[0], options?: Parameters<typeof transport.execute>[1]) => {
        if (command.cdb[0] === 0xbe && (command.cdb[10]! & 7) !== 0) {
          return { status: 2, sense: Uint8Array.from([0x70, 0, 5, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24, 0, 0, 0, 0, 0]), data: new Uint8Array(0), residual: command.dataLength ?? 0, hostStatus: 0, driverStatus: 8, durationMs: 1 };
        }
        return transport.execute(command, options);
      },
      close: () => transport.close(),
    };
    const drive = Drive.fromTransport(refusing);
    const d = dir('sub-refused');
    const result = await dumpDisc({ source: drive, cuePath: join(d, 'x.cue'), subchannel: true });
    await drive.close();
    expect(result.complete).toBe(true);
    expect(result.subPath).toBeUndefined();
    expect(result.notes).toContain('the drive refuses READ CD with raw P-W sub-channel: no .sub file');
    expect(result.c2?.sectorsMeasured).toBe(600);
    // Without Q the pregaps come from the rule (none between audio tracks), and no indexes.
    expect(result.tracks.map((t) => [t.pregapSource, t.indexLbas])).toEqual([['none', []], ['none', []], ['none', []]]);
  });
});

describe('dump: C2 statistics', () => {
  const faults: FaultOptions = { c2Errors: { ranges: [{ startLba: 320, endLba: 330 }], bytesPerSector: 32 } };

  it('counts the flagged bytes and sectors per track (C2ErrorFault on track 2)', async () => {
    const { result } = await dumpWith(audioDisc(), 'c2', { faults });
    expect(result.complete).toBe(true);
    expect(result.tracks.map((t) => t.c2)).toEqual([
      { sectorsMeasured: 300, sectorsFlagged: 0, flaggedBytes: 0 },
      { sectorsMeasured: 200, sectorsFlagged: 10, flaggedBytes: 320 },
      { sectorsMeasured: 100, sectorsFlagged: 0, flaggedBytes: 0 },
    ]);
    expect(result.c2).toEqual({ sectorsMeasured: 600, sectorsFlagged: 10, flaggedBytes: 320 });
    const json = JSON.parse(readFileSync(result.jsonPath, 'utf8')) as { c2: unknown; tracks: Array<{ c2: unknown }> };
    expect(json.c2).toEqual(result.c2);
    expect(json.tracks[1]?.c2).toEqual({ sectorsMeasured: 200, sectorsFlagged: 10, flaggedBytes: 320 });
  });

  it('--no-c2, and a drive without C2 pointers: no statistics', async () => {
    const off = await dumpWith(audioDisc(), 'c2-off', { faults, c2: false });
    expect(off.result.c2).toBeUndefined();
    expect(off.result.tracks[1]?.c2).toBeUndefined();
    const none = await dumpWith(audioDisc(), 'c2-none', { faults, p: profile({ c2Pointers: false }) });
    expect(none.result.c2).toBeUndefined();
    expect(none.result.notes).toEqual([]);
  });

  it('CLI: the report shows C2 per track; --no-c2 leaves it out', async () => {
    const d = dir('c2-cli');
    let out = '';
    const ctx = { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: () => true } };
    // The demo disc has a few unreadable sectors: exit code 1.
    expect(await run(['dump', 'emu:demo-audio', join(d, 'a.cue')], ctx)).toBe(1);
    expect(out).toMatch(/track 01 session 1 AUDIO: .*, C2: 0 byte\(s\) flagged in 0 of \d+ sector\(s\)/u);
    expect(out).toMatch(/^C2 pointers: 0 byte\(s\) flagged in 0 of \d+ sector\(s\)$/mu);
    out = '';
    expect(await run(['dump', 'emu:demo-audio', join(d, 'b.cue'), '--no-c2', '--json'], ctx)).toBe(1);
    expect((JSON.parse(out) as { c2: unknown }).c2).toBeNull();
  });
});

describe('dump: INDEX 02 and later from sub-channel Q', () => {
  const indexedDisc = (): DiscModel =>
    createSyntheticDisc({
      tracks: [
        { mode: 'audio', sectors: 300, indexOffsets: [1, 37, 250] },
        { mode: 'audio', sectors: 400, pregap: 100, indexOffsets: [200] },
        { mode: 'audio', sectors: 120 },
      ],
    });

  it.each([false, true])('singleBin %s: INDEX 02+ in the CUE and the TOC at the sectors the disc has them', async (singleBin) => {
    const { result } = await dumpWith(indexedDisc(), `idx-${singleBin}`, { singleBin });
    expect(result.tracks.map((t) => t.indexLbas)).toEqual([[1, 37, 250], [400 + 200], []]);
    const sheet = parseCue(readFileSync(result.cuePath, 'utf8'));
    const indexes = sheet.tracks.map((t) => t.indexes.map((i) => [i.number, i.offsetFrames]));
    expect(indexes).toEqual(
      singleBin
        ? [
            [[1, 0], [2, 1], [3, 37], [4, 250]],
            [[0, 300], [1, 400], [2, 600]],
            [[1, 800]],
          ]
        : [
            [[1, 0], [2, 1], [3, 37], [4, 250]],
            [[0, 0], [1, 100], [2, 300]],
            [[1, 0]],
          ],
    );
    if (singleBin) {
      // cdrdao: INDEX relative to the track's start (its INDEX 01).
      const toc = readFileSync(result.tocPaths[0]!, 'utf8');
      expect(toc.match(/INDEX \S+/gu)).toEqual(['INDEX 00:00:01', 'INDEX 00:00:37', 'INDEX 00:03:25', 'INDEX 00:02:50']);
      expect(parseCdrdaoToc(toc).tracks.map((t) => t.indexes)).toEqual([[1, 37, 250], [200], []]);
    }
  });

  it('an INDEX 02 on a sector carrying the MCN instead of a position is found one sector late', async () => {
    // Absolute frame (LBA + 150) ≡ 0 mod 100 carries the MCN: LBA 50 does.
    const disc = createSyntheticDisc({ mcn: '0123456789012', tracks: [{ mode: 'audio', sectors: 300, indexOffsets: [50] }, { mode: 'audio', sectors: 100 }] });
    const { result } = await dumpWith(disc, 'idx-mcn');
    expect(result.catalog).toBe('0123456789012');
    expect(result.tracks.map((t) => t.indexLbas)).toEqual([[51], []]);
  });
});

describe('dump: CD-Text', () => {
  const cdText = buildCdTextPacks([
    {
      languageCode: 0x09,
      album: { title: 'Side "Channels"', performer: 'The Emulators', songwriter: 'A. Writer' },
      tracks: [
        { number: 1, title: 'First', performer: 'One' },
        { number: 2, title: 'Second', performer: 'Two' },
        { number: 3, title: 'Third', performer: 'Three' },
      ],
    },
  ]);
  const textDisc = (): DiscModel =>
    createSyntheticDisc({ cdTextPacks: cdText, tracks: [{ mode: 'audio', sectors: 300 }, { mode: 'audio', sectors: 200 }, { mode: 'audio', sectors: 100 }] });

  it('writes the packs to <base>.cdt, CDTEXTFILE and TITLE/PERFORMER to the CUE, CD_TEXT to the TOC', async () => {
    const { d, result } = await dumpWith(textDisc(), 'text', { singleBin: true });
    const cdt = readFileSync(join(d, 'text.cdt'));
    expect(result.cdTextPath).toBe(join(d, 'text.cdt'));
    expect(cdt.length).toBe(cdText.length + 1);
    expect(sha256(cdt.subarray(0, cdText.length))).toBe(sha256(cdText));
    expect(cdt[cdText.length]).toBe(0);
    const back = cdTextPacksFromDump(cdt);
    expect(back.hadHeader).toBe(false);
    expect(back.trailingBytes).toBe(1);
    const parsed = parseCdText(back.packs);
    expect(parsed.badCrcPacks).toEqual([]);
    expect(parsed.blocks[0]?.album.title).toBe('Side "Channels"');
    expect(parsed.blocks[0]?.tracks.map((t) => [t.title, t.performer])).toEqual([['First', 'One'], ['Second', 'Two'], ['Third', 'Three']]);
    const cue = readFileSync(result.cuePath, 'utf8');
    expect(cue.split('\n').slice(0, 5)).toEqual([
      'CDTEXTFILE "text.cdt"',
      'PERFORMER "The Emulators"',
      "TITLE \"Side 'Channels'\"",
      'SONGWRITER "A. Writer"',
      'FILE "text.bin" BINARY',
    ]);
    const sheet = parseCue(cue);
    expect(sheet.tracks.map((t) => [t.title, t.performer])).toEqual([['First', 'One'], ['Second', 'Two'], ['Third', 'Three']]);
    const toc = parseCdrdaoToc(readFileSync(result.tocPaths[0]!, 'utf8'));
    expect(toc.cdText?.blocks[0]?.items.map((i) => [i.name, i.value])).toEqual([
      ['TITLE', "Side 'Channels'"],
      ['PERFORMER', 'The Emulators'],
      ['SONGWRITER', 'A. Writer'],
    ]);
    expect(toc.tracks.map((t) => t.cdText?.[0]?.items.find((i) => i.name === 'TITLE')?.value)).toEqual(['First', 'Second', 'Third']);
  });

  it('a CUE with CD-Text and INDEX 02 served by the emulator: our dump has the same TITLE/PERFORMER and indexes', async () => {
    const d = dir('text-cue');
    const sectors = 450;
    const bin = new Uint8Array(sectors * 2352);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 13 + (i >> 11)) & 0xff;
    writeFileSync(join(d, 'in.bin'), bin);
    writeFileSync(
      join(d, 'in.cue'),
      [
        'PERFORMER "Cue Performer"',
        'TITLE "Cue Album"',
        'FILE "in.bin" BINARY',
        '  TRACK 01 AUDIO',
        '    TITLE "Opening"',
        '    PERFORMER "Cue Performer"',
        '    INDEX 01 00:00:00',
        '    INDEX 02 00:01:00',
        '  TRACK 02 AUDIO',
        '    TITLE "Closing"',
        '    PERFORMER "Someone Else"',
        '    INDEX 00 00:03:00',
        '    INDEX 01 00:04:00',
        '',
      ].join('\n'),
    );
    const out = dir('text-cue-out');
    let stdout = '';
    const ctx = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: () => true } };
    expect(await run(['dump', `emu:${join(d, 'in.cue')}`, join(out, 'o.cue'), '--single-bin', '--json'], ctx)).toBe(0);
    const ours = parseCue(readFileSync(join(out, 'o.cue'), 'utf8'));
    const theirs = parseCue(readFileSync(join(d, 'in.cue'), 'utf8'));
    expect([ours.title, ours.performer, ours.cdTextFile]).toEqual([theirs.title, theirs.performer, 'o.cdt']);
    expect(ours.tracks.map((t) => [t.title, t.performer, t.indexes.map((i) => [i.number, i.offsetFrames])])).toEqual(
      theirs.tracks.map((t) => [t.title, t.performer, t.indexes.map((i) => [i.number, i.offsetFrames])]),
    );
    const report = JSON.parse(stdout) as { cdText: string; tracks: Array<{ indexLbas: number[] }> };
    expect(report.cdText).toBe('o.cdt');
    expect(report.tracks.map((t) => t.indexLbas)).toEqual([[75], []]);
  });

  it.skipIf(!HAVE_CD_INFO)('cd-info reads our CUE and, through CDTEXTFILE, our .cdt (skipped without cd-info)', async () => {
    const { d } = await dumpWith(textDisc(), 'text-cdinfo', { singleBin: true });
    const info = spawnSync('cd-info', ['--no-header', '--no-cddb', '-c', 'text-cdinfo.cue'], { cwd: d, encoding: 'utf8' }).stdout;
    expect(info).toContain("CD-TEXT for Disc:\n\tTITLE: Side 'Channels'\n\tPERFORMER: The Emulators\n");
    expect(info).toContain('CD-TEXT for Track  2:\n\tTITLE: Second\n\tPERFORMER: Two\n');
    // The same sheet without its TITLE/PERFORMER lines: the text now comes from the .cdt alone.
    const bare = readFileSync(join(d, 'text-cdinfo.cue'), 'utf8').split('\n').filter((l) => !/^\s*(TITLE|PERFORMER|SONGWRITER) /u.test(l)).join('\n');
    writeFileSync(join(d, 'bare.cue'), bare);
    writeFileSync(join(d, 'bare.bin'), readFileSync(join(d, 'text-cdinfo.bin')));
    writeFileSync(join(d, 'bare.cue'), bare.replace('"text-cdinfo.bin"', '"bare.bin"'));
    const fromCdt = spawnSync('cd-info', ['--no-header', '--no-cddb', '-c', 'bare.cue'], { cwd: d, encoding: 'utf8' }).stdout;
    expect(fromCdt).toContain('CD-TEXT for Disc:\n\tTITLE: Side "Channels"\n\tPERFORMER: The Emulators\n\tSONGWRITER: A. Writer\n');
    expect(fromCdt).toContain('CD-TEXT for Track  3:\n\tTITLE: Third\n\tPERFORMER: Three\n');
  });
});

describe('dump --offset: audio read offset', () => {
  it('edge sectors: lead-in before LBA 0 and the lead-out, never a track sector', () => {
    const tracks = [
      { number: 1, session: 1, control: 0, isData: false, mode: 'AUDIO' as const, fileFirstLba: 0, startLba: 0, endLba: 300, pregapSectors: 0, pregapSource: 'none' as const },
      { number: 2, session: 1, control: 0, isData: false, mode: 'AUDIO' as const, fileFirstLba: 300, startLba: 300, endLba: 500, pregapSectors: 0, pregapSource: 'none' as const },
      { number: 3, session: 2, control: 4, isData: true, mode: 'MODE2/2352' as const, fileFirstLba: 11_750, startLba: 11_900, endLba: 12_000, pregapSectors: 150, pregapSource: 'session' as const },
    ];
    const runs = audioRuns(tracks);
    expect(runs).toEqual([{ firstLba: 0, endLba: 500 }]);
    expect(edgeSectorsNeeded(runs, tracks, 30)).toEqual([500]);
    expect(edgeSectorsNeeded(runs, tracks, 600)).toEqual([500, 501]);
    expect(edgeSectorsNeeded(runs, tracks, -30)).toEqual([-1]);
    expect(edgeSectorsNeeded(runs, tracks, -588)).toEqual([-1]);
    expect(edgeSectorsNeeded(runs, tracks, 0)).toEqual([]);
  });

  /** The BINs of a drive without an offset: the disc's true samples. */
  async function reference(disc: () => DiscModel, name: string): Promise<DumpResult> {
    return (await dumpWith(disc(), name, { singleBin: true })).result;
  }

  it.each([30, 700, -30, -1000])('drive offset %i corrected with the same --offset: audio equal to the true samples', async (k) => {
    const ref = await reference(audioDisc, `off-ref-${k}`);
    const refBin = readFileSync(ref.binPaths[0]!);
    const { result } = await dumpWith(audioDisc(), `off-${k}`, { singleBin: true, p: profile({ readOffsetSamples: k }), offsetSamples: k });
    const bin = readFileSync(result.binPaths[0]!);
    expect(bin.length).toBe(refBin.length);
    if (k > 0) {
      // The emulated drive, like many, cannot read the lead-out: its last k samples are zeros.
      const cut = bin.length - k * 4;
      expect(sha256(bin.subarray(0, cut))).toBe(sha256(refBin.subarray(0, cut)));
      expect(bin.subarray(cut).every((b) => b === 0)).toBe(true);
      expect(result.offset).toEqual({ samples: k, zeroFilledSamples: k, edgeSectorsRead: [], edgeSectorsUnreadable: k > 588 ? [600, 601] : [600] });
      expect(result.notes.some((n) => n.startsWith(`audio offset ${k}: the drive could not read LBA 600`))).toBe(true);
    } else {
      // Track 1's pregap is readable: nothing is missing.
      expect(sha256(bin)).toBe(sha256(refBin));
      expect(result.offset.zeroFilledSamples).toBe(0);
      expect(result.offset.edgeSectorsRead).toEqual(k < -588 ? [-2, -1] : [-1]);
    }
    // Without the correction the audio is shifted.
    const raw = await dumpWith(audioDisc(), `off-raw-${k}`, { singleBin: true, p: profile({ readOffsetSamples: k }) });
    expect(sha256(readFileSync(raw.result.binPaths[0]!))).not.toBe(sha256(refBin));
  });

  it('mixed mode: the data track is not shifted; audio next to it is true', async () => {
    const k = 30;
    const ref = await reference(mixedDisc, 'off-mixed-ref');
    const { result } = await dumpWith(mixedDisc(), 'off-mixed', { p: profile({ readOffsetSamples: k }), offsetSamples: k });
    expect(result.tracks.map((t) => t.checksums?.sha256).slice(0, 2)).toEqual(ref.tracks.map((t) => t.checksums?.sha256).slice(0, 2));
    const last = readFileSync(result.binPaths[2]!);
    const refBin = readFileSync(ref.binPaths[0]!);
    const refLast = refBin.subarray(refBin.length - last.length);
    expect(sha256(last.subarray(0, last.length - k * 4))).toBe(sha256(refLast.subarray(0, last.length - k * 4)));
    expect(result.offset.zeroFilledSamples).toBe(k);
  });

  it('CLI: --offset=-30 takes a negative value; nonsense is a usage error', async () => {
    const d = dir('off-cli');
    let out = '';
    let err = '';
    const ctx = { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) } };
    expect(await run(['dump', 'emu:demo-audio', join(d, 'a.cue'), '--offset=-30'], ctx)).toBe(1);
    expect(out).toContain('audio read offset: -30 sample(s) corrected');
    expect(await run(['dump', 'emu:demo-audio', join(d, 'b.cue'), '--offset', '6000'], ctx)).toBe(2);
    expect(err).toContain('--offset needs a number of samples from -5880 to 5880');
  });
});
