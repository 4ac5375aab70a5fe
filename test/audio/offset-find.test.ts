import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { accurateRipCrcs, accurateRipUrl, parseAccurateRipResponse, type AccurateRipDiscIds } from '../../lib/audio/accuraterip.js';
import { accurateRipDiscIds, discIdLayoutFromToc } from '../../lib/audio/disc-id.js';
import { formatDriveOffsets, parseDriveOffsets } from '../../lib/audio/drive-offsets.js';
import { findDriveOffset, lookupDriveOffsetOf } from '../../lib/audio/rip/offset.js';
import { ripAudio } from '../../lib/audio/rip/rip.js';
import { accurateRipHook, crc32Hook } from '../../lib/audio/rip/verify-hooks.js';
import type { CliContext } from '../../lib/cli/io.js';
import { run } from '../../lib/cli/run.js';
import { Drive } from '../../lib/drive/drive.js';
import type { DiscToc } from '../../lib/drive/toc.js';
import { FormatError, UnsupportedError } from '../../lib/errors.js';
import { createAudioCd, createEmulatedDrive, type DiscModel } from '../../lib/emulator/index.js';
import { driveProfiles, type DriveProfile } from '../../lib/emulator/drive-profile.js';
import { MemorySink, differences, truthSamples } from './helpers.js';

/** The good preset, reading 48 samples early. */
const PLUS48: DriveProfile = { ...driveProfiles.good, name: 'plus48', product: 'PLUS48 READER', readOffsetSamples: 48 };

function bytesOf(samples: Uint32Array): Uint8Array {
  const out = Buffer.alloc(samples.length * 4);
  samples.forEach((v, i) => out.writeUInt32LE(v, i * 4));
  return out;
}

async function discOf(disc: DiscModel): Promise<{ toc: DiscToc; ids: AccurateRipDiscIds }> {
  const toc = await Drive.fromTransport(createEmulatedDrive({ disc })).toc();
  return { toc, ids: accurateRipDiscIds(discIdLayoutFromToc(toc)) };
}

/** A dBAR file whose single chunk holds the true v2 and frame-450 CRCs of every audio track. */
function trueResponse(disc: DiscModel, toc: DiscToc, ids: AccurateRipDiscIds, confidence = 6, withFrame450 = true): Uint8Array {
  const audio = toc.tracks.filter((t) => !t.isData);
  const out = Buffer.alloc(13 + 9 * audio.length);
  out.writeUInt8(ids.audioTracks, 0);
  out.writeUInt32LE(ids.id1, 1);
  out.writeUInt32LE(ids.id2, 5);
  out.writeUInt32LE(ids.cddb, 9);
  audio.forEach((t, i) => {
    const c = accurateRipCrcs(bytesOf(truthSamples(disc, t)), { isFirstTrack: i === 0, isLastTrack: i === audio.length - 1 });
    out.writeUInt8(confidence, 13 + 9 * i);
    out.writeUInt32LE(c.v2, 14 + 9 * i);
    out.writeUInt32LE(withFrame450 ? (c.frame450 ?? 0) : 0, 18 + 9 * i);
  });
  return out;
}

describe('findDriveOffset', () => {
  test('a +48 drive: the offset found from one read per track, confirmed by a second track; the rip with it is accurate and bit-exact', async () => {
    const disc = createAudioCd([460, 470, 455]);
    const { toc, ids } = await discOf(disc);
    const response = parseAccurateRipResponse(trueResponse(disc, toc, ids));
    const emu = createEmulatedDrive({ disc, profile: PLUS48 });
    const drive = Drive.fromTransport(emu);
    const search = await findDriveOffset(drive, response);
    expect(search.best).toBe(48);
    expect(search.candidates).toEqual([
      {
        offset: 48,
        confidence: 12,
        tracks: [
          { track: 1, audioIndex: 1, matched: 'v2', confidence: 6, pressing: 1 },
          { track: 2, audioIndex: 2, matched: 'v2', confidence: 6, pressing: 1 },
        ],
      },
    ]);
    expect(search.tracksRead).toEqual([1, 2]);
    // Each track once with ±2939 samples around it (5 sectors either side at most), nothing more.
    expect(search.sectorsRead).toBeLessThanOrEqual(460 + 470 + 4 * 6);
    expect(search.notes).toEqual([]);

    const sink = new MemorySink();
    const result = await ripAudio(drive, { mode: 'burst', offset: search.best!, sink, scanIndexes: false, checksums: [crc32Hook(), accurateRipHook(response, { discIds: ids, toc })] });
    expect(result.tracks.map((t) => t.status)).toEqual(['accurate', 'accurate', 'accurate']);
    const diffs = result.tracks.map((t) => differences(sink.tracks.get(t.info.number), truthSamples(disc, t.info)));
    expect(diffs[0]).toEqual([]);
    expect(diffs[1]).toEqual([]);
    // The drive cannot read past the lead-out: the last 48 samples are zero-filled (AccurateRip leaves them out).
    expect(diffs[2]).toEqual(Array.from({ length: 48 }, (_, i) => 455 * 588 - 48 + i));
  });

  test('with the wrong offset the tracks do not match: mismatch, never secure or accurate', async () => {
    const disc = createAudioCd([460, 470, 455]);
    const { toc, ids } = await discOf(disc);
    const response = parseAccurateRipResponse(trueResponse(disc, toc, ids));
    const drive = Drive.fromTransport(createEmulatedDrive({ disc, profile: PLUS48 }));
    for (const mode of ['burst', 'secure'] as const) {
      const result = await ripAudio(drive, { mode, offset: 6, scanIndexes: false, checksums: [accurateRipHook(response, { discIds: ids, toc })] });
      expect(result.tracks.map((t) => [t.status, t.secure, t.accurate])).toEqual(Array(3).fill(['mismatch', false, false]));
      expect(result.ok).toBe(false);
    }
  });

  test('short tracks (no frame-450 CRC) and a negative offset: found by the v1/v2 sweep', async () => {
    const disc = createAudioCd([60, 40, 50]);
    const { toc, ids } = await discOf(disc);
    const response = parseAccurateRipResponse(trueResponse(disc, toc, ids, 2, false));
    const drive = Drive.fromTransport(createEmulatedDrive({ disc, profile: { ...PLUS48, readOffsetSamples: -1234 } }));
    const search = await findDriveOffset(drive, response, { confirmTracks: 3 });
    expect(search.best).toBe(-1234);
    expect(search.candidates.map((c) => [c.offset, c.tracks.map((t) => t.track)])).toEqual([[-1234, [1, 2, 3]]]);
  });

  test('no offset matches: best undefined, said why; a response for another disc is a FormatError', async () => {
    const disc = createAudioCd([60, 40]);
    const { toc, ids } = await discOf(disc);
    const other = createAudioCd([61, 40]);
    const o = await discOf(other);
    const drive = Drive.fromTransport(createEmulatedDrive({ disc, profile: PLUS48 }));
    // Another disc's CRCs under this disc's ids: nothing matches.
    const foreignCrcs = trueResponse(other, o.toc, o.ids);
    foreignCrcs.set(trueResponse(disc, toc, ids).subarray(0, 13), 0);
    const search = await findDriveOffset(drive, parseAccurateRipResponse(foreignCrcs), { maxOffset: 600 });
    expect(search.best).toBeUndefined();
    expect(search.tracksRead).toEqual([1, 2]);
    expect(search.notes).toEqual(['no offset within ±600 samples makes track(s) 1, 2 match the response: another pressing, or a damaged disc']);
    await expect(findDriveOffset(drive, parseAccurateRipResponse(trueResponse(other, o.toc, o.ids)))).rejects.toThrow(FormatError);
    await expect(findDriveOffset(drive, parseAccurateRipResponse(trueResponse(other, o.toc, o.ids)))).rejects.toThrow(/is for disc 002-.* not for this disc, 002-/);
    await expect(findDriveOffset(drive, [], { maxOffset: 3000 })).rejects.toThrow(RangeError);
  });

  test('lookupDriveOffsetOf: by INQUIRY vendor and product; a drive not listed asks for --offset', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createAudioCd([10]), profile: PLUS48 }));
    const records = parseDriveOffsets(formatDriveOffsets([{ name: 'PLEXTOR - DVDR   PX-716A', offset: 30 }, { name: 'EMULATED - PLUS48 READER', offset: 48 }]));
    expect(await lookupDriveOffsetOf(drive, records)).toMatchObject({ offset: 48, match: 'exact', vendor: 'EMULATED', product: 'PLUS48 READER' });
    const none = parseDriveOffsets(formatDriveOffsets([{ name: 'PLEXTOR - DVDR   PX-716A', offset: 30 }]));
    await expect(lookupDriveOffsetOf(drive, none)).rejects.toThrow(UnsupportedError);
    await expect(lookupDriveOffsetOf(drive, none)).rejects.toThrow('the drive "EMULATED PLUS48 READER" is not in the drive offset list (1 drives): give its read offset with --offset <samples>');
  });
});

describe('discrescue rip: --accuraterip, --find-offset, --drive-offsets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'discrescue-offset-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function cli(disc: DiscModel, profile: DriveProfile = PLUS48) {
    let stdout = '';
    let stderr = '';
    const ctx: CliContext = {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      openDrive: async () => Drive.fromTransport(createEmulatedDrive({ disc, profile })),
    };
    return { ctx, out: () => stdout, err: () => stderr };
  }

  async function fixture() {
    const disc = createAudioCd([460, 470, 455]);
    const { toc, ids } = await discOf(disc);
    const response = join(dir, `dBAR-003-${ids.id1.toString(16).padStart(8, '0')}.bin`);
    writeFileSync(response, trueResponse(disc, toc, ids));
    return { disc, toc, ids, response, out: join(dir, 'out') };
  }

  test('--find-offset --accuraterip: finds +48, rips with it, every track accurate and bit-exact; the log says so', async () => {
    const f = await fixture();
    const io = cli(f.disc);
    expect(await run(['rip', 'emu:test', f.out, '--mode', 'burst', '--find-offset', '--accuraterip', f.response], io.ctx)).toBe(0);
    expect(io.out()).toContain('Read offset found: +48 (track(s) 1, 2 match, confidence 12)\n');
    const log = readFileSync(join(f.out, 'rip.log'), 'utf8');
    expect(log).toContain('Read offset:        +48 samples (found from AccurateRip: track(s) 1, 2 match)\n');
    expect(log).toContain(`AccurateRip:        checked against ${f.response} (1 pressing(s))\n`);
    expect(log).toContain('AccurateRip: 3 of 3 track(s) matched\n');
    expect(log.match(/\(matched; AccurateRip v2, confidence 6 \(of 6\)\)/gu)).toHaveLength(3);
    const json = JSON.parse(readFileSync(join(f.out, 'rip.json'), 'utf8')) as { offset: number; tracks: Array<{ status: string; checksums: Array<{ name: string }> }>; accurateRip: { url: string; pressings: number }; offsetSearch: { best: number } };
    expect(json.offset).toBe(48);
    expect(json.offsetSearch.best).toBe(48);
    expect(json.accurateRip).toMatchObject({ url: accurateRipUrl(f.ids), pressings: 1 });
    expect(json.tracks.map((t) => t.status)).toEqual(['accurate', 'accurate', 'accurate']);
    expect(json.tracks[0]!.checksums.map((c) => c.name)).toEqual(['CRC32', 'AccurateRip']);
    const wav = readFileSync(join(f.out, '01 - Track 01.wav'));
    expect(wav.subarray(44).equals(bytesOf(truthSamples(f.disc, f.toc.tracks[0]!)))).toBe(true);
  });

  test('without a response: values printed, "not checked", and where to download the response', async () => {
    const f = await fixture();
    const io = cli(f.disc);
    expect(await run(['rip', 'emu:test', f.out, '--offset', '48'], io.ctx)).toBe(0);
    expect(io.out()).toContain('AccurateRip:        not checked — no response file\n');
    expect(io.out()).toContain(`  Download from:    ${accurateRipUrl(f.ids)} (then --accuraterip <file>)\n`);
    expect(io.out()).toMatch(/ {2}AccurateRip: {6}v1 [0-9A-F]{8}, v2 [0-9A-F]{8} \(not checked — no response file\)\n/u);
    expect(io.out()).toMatch(/ {2}CRC32: {12}[0-9A-F]{8} \(without null samples [0-9A-F]{8}\)\n/u);
  });

  test('the wrong --offset with a response: mismatch, exit 1', async () => {
    const f = await fixture();
    const io = cli(f.disc);
    expect(await run(['rip', 'emu:test', f.out, '--offset', '6', '--accuraterip', f.response, '--json'], io.ctx)).toBe(1);
    const json = JSON.parse(io.out()) as { tracks: Array<{ status: string }> };
    expect(json.tracks.map((t) => t.status)).toEqual(['mismatch', 'mismatch', 'mismatch']);
  });

  test('--drive-offsets: the offset by drive model; a drive not in the list is a clear error', async () => {
    const f = await fixture();
    const list = join(dir, 'DriveOffsets.bin');
    writeFileSync(list, formatDriveOffsets([{ name: 'EMULATED - PLUS48 READER', offset: 48 }]));
    const io = cli(f.disc);
    expect(await run(['rip', 'emu:test', f.out, '--drive-offsets', list, '--accuraterip', f.response], io.ctx)).toBe(0);
    expect(io.out()).toContain(`Read offset:        +48 samples (from ${list}: "EMULATED - PLUS48 READER")\n`);
    writeFileSync(list, formatDriveOffsets([{ name: 'EMULATED - OTHER', offset: 48 }]));
    const miss = cli(f.disc);
    expect(await run(['rip', 'emu:test', f.out, '--drive-offsets', list], miss.ctx)).toBe(1);
    expect(miss.err()).toContain('is not in the drive offset list (1 drives): give its read offset with --offset <samples>');
  });

  test('a response for another disc, and option mistakes', async () => {
    const f = await fixture();
    const other = createAudioCd([461, 470, 455]);
    const o = await discOf(other);
    const wrong = join(dir, 'other.bin');
    writeFileSync(wrong, trueResponse(other, o.toc, o.ids));
    const io = cli(f.disc);
    expect(await run(['rip', 'emu:test', f.out, '--accuraterip', wrong], io.ctx)).toBe(1);
    expect(io.err()).toMatch(/other\.bin: the AccurateRip response is for disc 003-.*, not for this disc, 003-.* \[ERR_FORMAT\]/u);
    const usage = cli(f.disc);
    expect(await run(['rip', 'emu:test', f.out, '--find-offset'], usage.ctx)).toBe(2);
    expect(usage.err()).toContain('--find-offset compares reads with an AccurateRip response');
    expect(await run(['rip', 'emu:test', f.out, '--find-offset', '--offset', '6', '--accuraterip', f.response], usage.ctx)).toBe(2);
    expect(usage.err()).toContain('--offset and --find-offset both give the read offset: use one');
    expect(await run(['discid', 'emu:test', '--accuraterip', f.response], usage.ctx)).toBe(2);
    expect(await run(['rip', 'emu:test', f.out, '--accuraterip', join(dir, 'missing.bin')], usage.ctx)).toBe(2);
    expect(usage.err()).toContain(`--accuraterip: cannot read ${join(dir, 'missing.bin')}: ENOENT`);
    writeFileSync(join(dir, 'short.bin'), Buffer.alloc(20));
    expect(await run(['rip', 'emu:test', f.out, '--accuraterip', join(dir, 'short.bin')], usage.ctx)).toBe(1);
    expect(usage.err()).toContain(`${join(dir, 'short.bin')}: AccurateRip response: chunk at byte 0 lists no tracks [ERR_FORMAT]`);
  });

  test('--find-offset when nothing matches: a clear error, nothing ripped', async () => {
    const f = await fixture();
    const garbage = readFileSync(f.response);
    for (let p = 13; p < garbage.length; p += 9) garbage.writeUInt32LE(0xdeadbeef, p + 1);
    writeFileSync(f.response, garbage);
    const io = cli(f.disc);
    expect(await run(['rip', 'emu:test', f.out, '--find-offset', '--accuraterip', f.response], io.ctx)).toBe(1);
    expect(io.err()).toContain('no read offset found: no offset within ±2939 samples makes track(s) 1, 2, 3 match the response');
    expect(io.err()).toContain('give --offset <samples> [ERR_VERIFICATION]');
    expect(readdirSync(f.out)).toEqual([]);
  });
});
