import { describe, expect, test } from 'vitest';
import { Drive } from '../../lib/drive/drive.js';
import { IllegalRequestError } from '../../lib/errors.js';
import {
  createAudioCd,
  createBd,
  createCdExtra,
  createDataCd,
  createDvd,
  createEmulatedDrive,
  createSyntheticDisc,
} from '../../lib/emulator/index.js';
import * as scsi from '../../lib/scsi/index.js';

describe('the Drive API over the emulated drive', () => {
  test('inquiry() reports the profile', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createDataCd(100), profile: 'cheap' }));
    expect(await drive.inquiry()).toMatchObject({ vendor: 'EMULATED', product: 'CHEAP COMBO', revision: '0.9', deviceType: 5 });
  });

  test('capabilities(): profiles, CD Read bits and page 2Ah follow the profile', async () => {
    const good = await Drive.fromTransport(createEmulatedDrive({ disc: createDataCd(100), profile: 'good' })).capabilities();
    expect(good).toMatchObject({
      currentProfile: 0x0008,
      currentProfileName: 'CD-ROM',
      cdRead: { dap: true, c2Flags: true, cdText: true },
      dvdRead: false,
      bdRead: false,
      setCdSpeed: true,
      setStreaming: true,
      c2Pointers: true,
      accurateStream: true,
      cdText: true,
      hasConfiguration: true,
    });
    expect(good.profiles).toEqual([{ profile: 0x0008, name: 'CD-ROM', current: true }]);
    expect(good.features.map((f) => f.code)).toEqual([0x0000, 0x0001, 0x0003, 0x0010, 0x001d, 0x001e, 0x0107, 0x0108]);
    expect(good.capabilitiesPage).toMatchObject({ maxReadSpeedKBps: 8467, currentReadSpeedKBps: 4234, bufferSizeKiB: 2352 });

    const cheap = await Drive.fromTransport(createEmulatedDrive({ disc: createDataCd(100), profile: 'cheap' })).capabilities();
    expect(cheap).toMatchObject({ cdRead: { dap: false, c2Flags: false, cdText: false }, c2Pointers: false, accurateStream: false });
    expect(cheap.capabilitiesPage).toMatchObject({ maxReadSpeedKBps: 4234, currentReadSpeedKBps: 4234, bufferSizeKiB: 1022 });

    const combo = await Drive.fromTransport(createEmulatedDrive({ disc: createBd(1000), profile: 'dvd-bd' })).capabilities();
    expect(combo.currentProfile).toBe(0x0040);
    expect(combo.profiles).toEqual([
      { profile: 0x0040, name: 'BD-ROM', current: true },
      { profile: 0x0010, name: 'DVD-ROM', current: false },
      { profile: 0x0008, name: 'CD-ROM', current: false },
    ]);
    expect(combo).toMatchObject({ dvdRead: true, bdRead: true });
    expect(combo.features.find((f) => f.code === 0x0040)?.current).toBe(true);
    expect(combo.features.find((f) => f.code === 0x001e)?.current).toBe(false);
  });

  test('GET CONFIGURATION: RT 1 current features only, RT 2 one feature, a starting feature', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createDvd(1000), profile: 'dvd-bd' }));
    const run = async (requestType: number, startingFeature: number) =>
      scsi.parseConfiguration(await drive.execute(scsi.buildGetConfiguration({ requestType, startingFeature, allocationLength: 4096 })));
    expect((await run(1, 0)).features.map((f) => f.code)).toEqual([0x0000, 0x0001, 0x0003, 0x0010, 0x001f, 0x0107, 0x0108]);
    const one = await run(2, 0x001e);
    expect(one.currentProfile).toBe(0x0010);
    expect(one.features.map((f) => [f.code, f.current])).toEqual([[0x001e, false]]);
    expect(scsi.decodeCdReadFeature(one.features[0]!)).toEqual({ dap: true, c2Flags: true, cdText: true });
    expect((await run(2, 0x0020)).features).toEqual([]);
    expect((await run(0, 0x001f)).features.map((f) => f.code)).toEqual([0x001f, 0x0040, 0x0107, 0x0108]);
    const bd = (await run(2, 0x0040)).features[0]!;
    expect(scsi.decodeBdReadFeature(bd)).toEqual({ bca: false, bdReClass0: 0, bdRClass0: 0, bdRomClass0: 2 });
    expect(scsi.decodeDriveSerialNumber((await run(2, 0x0108)).features[0]!)).toBe('EMU0000002');
    expect(await drive.currentProfile()).toBe(0x0010);
  });

  test('toc() of a data CD: one track, lead-out from the model', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createDataCd(4500) }));
    const toc = await drive.toc();
    expect(toc).toMatchObject({ source: 'full-toc', firstTrack: 1, lastTrack: 1, leadOutLba: 4500 });
    expect(toc.tracks).toEqual([
      { number: 1, session: 1, control: 4, adr: 1, isData: true, startLba: 0, endLba: 4500, sectorCount: 4500 },
    ]);
    expect(await drive.readCapacity()).toEqual({ lastLba: 4499, blockLength: 2048, sectorCount: 4500 });
  });

  test('toc() of a CD-Extra: two sessions, the data track 11 400 sectors after the first lead-out', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createCdExtra([1000, 2000], 500) }));
    const toc = await drive.toc();
    expect(toc.sessions.map((s) => [s.number, s.firstTrack, s.lastTrack, s.discType, s.leadOutLba])).toEqual([
      [1, 1, 2, 0x00, 3000],
      [2, 3, 3, 0x20, 14900],
    ]);
    expect(toc.tracks.map((t) => [t.number, t.session, t.control, t.startLba, t.endLba])).toEqual([
      [1, 1, 0, 0, 1000],
      [2, 1, 0, 1000, 3000],
      [3, 2, 4, 14400, 14900],
    ]);
    const info = await drive.discInformation();
    expect(info).toMatchObject({ numberOfSessions: 2, firstTrackInLastSession: 3, lastTrackInLastSession: 3, discStatus: 'finalized', lastSessionState: 'complete' });
  });

  test('full TOC bytes: A0/A1/A2 and track points per session, B0 and C0 in the first lead-in', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createCdExtra([1000, 2000], 500) }));
    const data = await drive.execute(scsi.buildReadToc({ format: 2, msf: true, allocationLength: 1024 }));
    const full = scsi.parseFullToc(data);
    expect([full.firstSession, full.lastSession]).toEqual([1, 2]);
    const rows = full.descriptors.map((d) => [d.session, d.adr, d.control, d.point, d.min, d.sec, d.frame, d.zero, d.pmin, d.psec, d.pframe]);
    expect(rows).toEqual([
      [1, 1, 0, 0xa0, 0, 0, 0, 0, 1, 0x00, 0],
      [1, 1, 0, 0xa1, 0, 0, 0, 0, 2, 0, 0],
      [1, 1, 0, 0xa2, 0, 0, 0, 0, 0, 42, 0], // lead-out 3000 + 150 = 00:42:00
      [1, 1, 0, 1, 0, 0, 0, 0, 0, 2, 0],
      [1, 1, 0, 2, 0, 0, 0, 0, 0, 15, 25], // 1150 = 00:15:25
      [1, 5, 0, 0xb0, 3, 12, 0, 2, 79, 59, 74], // next program area: track 3 pregap, 14250 + 150 = 03:12:00
      [1, 5, 0, 0xc0, 0, 0, 0, 0, 99, 0, 0],
      [2, 1, 4, 0xa0, 0, 0, 0, 0, 3, 0x20, 0],
      [2, 1, 4, 0xa1, 0, 0, 0, 0, 3, 0, 0],
      [2, 1, 4, 0xa2, 0, 0, 0, 0, 3, 20, 50], // 14900 + 150 = 15050 = 03:20:50
      [2, 1, 4, 3, 0, 0, 0, 0, 3, 14, 0], // 14550 = 03:14:00
    ]);
    const summary = scsi.summarizeFullToc(full);
    expect(summary.sessions[0]).toMatchObject({ nextProgramAreaLba: 14250, lastPossibleLeadOutLba: 359849, firstLeadInLba: -4650 });
    // Session 2 alone (byte 6 = 2); session 3 does not exist.
    const second = scsi.parseFullToc(await drive.execute(scsi.buildReadToc({ format: 2, trackSessionNumber: 2, allocationLength: 1024 })));
    expect(second.descriptors.every((d) => d.session === 2)).toBe(true);
    await expect(drive.execute(scsi.buildReadToc({ format: 2, trackSessionNumber: 3 }))).rejects.toMatchObject({ asc: 0x24 });
  });

  test('formatted TOC: LBA and MSF forms, starting track in byte 6, lead-out only with AAh', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createAudioCd([1000, 2000, 3000]) }));
    const lba = scsi.parseToc(await drive.execute(scsi.buildReadToc({ format: 0 })), { msf: false });
    expect(lba.tracks.map((t) => [t.trackNumber, t.lba, t.adr, t.control])).toEqual([
      [1, 0, 1, 0],
      [2, 1000, 1, 0],
      [3, 3000, 1, 0],
      [0xaa, 6000, 1, 0],
    ]);
    const msf = scsi.parseToc(await drive.execute(scsi.buildReadToc({ format: 0, msf: true, trackSessionNumber: 2 })), { msf: true });
    expect(msf.tracks.map((t) => [t.trackNumber, t.msf])).toEqual([
      [2, { minute: 0, second: 15, frame: 25 }],
      [3, { minute: 0, second: 42, frame: 0 }],
      [0xaa, { minute: 1, second: 22, frame: 0 }],
    ]);
    const leadOut = scsi.parseToc(await drive.execute(scsi.buildReadToc({ format: 0, trackSessionNumber: 0xaa })), { msf: false });
    expect(leadOut.tracks.map((t) => t.trackNumber)).toEqual([0xaa]);
    await expect(drive.execute(scsi.buildReadToc({ format: 0, trackSessionNumber: 4 }))).rejects.toBeInstanceOf(IllegalRequestError);
    const session = scsi.parseSessionInfo(await drive.execute(scsi.buildReadToc({ format: 1 })), { msf: false });
    expect(session).toMatchObject({ firstSession: 1, lastSession: 1, firstTrackInLastSession: 1, lastSessionStartLba: 0 });
  });

  test('toc() of a DVD falls back to the formatted TOC (the full TOC is CD only)', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createDvd(100_000), profile: 'dvd-bd' }));
    const toc = await drive.toc();
    expect(toc).toMatchObject({ source: 'toc', firstTrack: 1, lastTrack: 1, leadOutLba: 100_000 });
    expect(await drive.readCapacity()).toEqual({ lastLba: 99_999, blockLength: 2048, sectorCount: 100_000 });
    expect((await drive.discInformation()).discType).toBe(0xff);
  });

  test('a CD-only drive does not read a DVD: 02/30/02, and the current profile is 0', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createDvd(1000), profile: 'good' }));
    await expect(drive.readCapacity()).rejects.toMatchObject({ code: 'ERR_SCSI_NOT_READY', asc: 0x30, ascq: 0x02 });
    expect(await drive.currentProfile()).toBe(0);
  });

  test('trackInformation(): start, size, mode, session', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createCdExtra([1000, 2000], 500) }));
    expect(await drive.trackInformation(2)).toMatchObject({ trackNumber: 2, sessionNumber: 1, trackMode: 0, dataMode: 0xf, trackStartLba: 1000, trackSize: 2000 });
    expect(await drive.trackInformation(3)).toMatchObject({ trackNumber: 3, sessionNumber: 2, trackMode: 4, dataMode: 2, trackStartLba: 14400, trackSize: 500 });
    const bySession = scsi.parseTrackInformation(
      await drive.execute(scsi.buildReadTrackInformation({ addressType: scsi.TrackAddressType.SESSION, address: 2 })),
    );
    expect(bySession.trackNumber).toBe(3);
    const byLba = scsi.parseTrackInformation(await drive.execute(scsi.buildReadTrackInformation({ addressType: 0, address: 1500 })));
    expect(byLba.trackNumber).toBe(2);
    await expect(drive.trackInformation(9)).rejects.toMatchObject({ asc: 0x24 });
  });

  test('mcn() and isrc() from the model (READ SUB-CHANNEL)', async () => {
    const disc = createAudioCd([1000, 1000], { mcn: '0123456789012', isrcs: ['USABC0412345', undefined] });
    const drive = Drive.fromTransport(createEmulatedDrive({ disc }));
    expect(await drive.mcn()).toBe('0123456789012');
    expect(await drive.isrc(1)).toBe('USABC0412345');
    expect(await drive.isrc(2)).toBeUndefined();
    await expect(drive.isrc(7)).rejects.toMatchObject({ asc: 0x24 });
    const plain = Drive.fromTransport(createEmulatedDrive({ disc: createDataCd(10) }));
    expect(await plain.mcn()).toBeUndefined();
  });

  test('READ SUB-CHANNEL current position follows the last read, LBA and MSF forms', async () => {
    const disc = createSyntheticDisc({ tracks: [{ mode: 'audio', sectors: 1000 }, { mode: 'audio', sectors: 1000, pregap: 150 }] });
    const drive = Drive.fromTransport(createEmulatedDrive({ disc }));
    await drive.readCd(1100, 1); // pregap of track 2 (1000..1149), head ends at 1101 → position 1100
    const lba = scsi.parseSubChannel(await drive.execute(scsi.buildReadSubChannel({ format: 1 })), { msf: false });
    expect(lba).toMatchObject({ format: 1, audioStatus: 0x15, adr: 1, control: 0, trackNumber: 2, indexNumber: 0, absoluteLba: 1100, trackRelativeLba: -50 });
    const msf = scsi.parseSubChannel(await drive.execute(scsi.buildReadSubChannel({ format: 1, msf: true })), { msf: true });
    expect(msf).toMatchObject({ trackNumber: 2, indexNumber: 0, absoluteLba: 1100, trackRelativeLba: 50 });
    const headerOnly = scsi.parseSubChannel(await drive.execute(scsi.buildReadSubChannel({ format: 1, subQ: false })), { msf: false });
    expect(headerOnly.format).toBe(0);
  });

  test('mediaStatus(): media present, tray closed, no event', async () => {
    const drive = Drive.fromTransport(createEmulatedDrive({ disc: createDataCd(10) }));
    expect(await drive.mediaStatus()).toEqual({
      nea: false,
      notificationClass: 4,
      supportedClasses: 0x10,
      media: { eventCode: 0, eventName: 'NoChg', doorOpen: false, mediaPresent: true, startSlot: 0, endSlot: 0 },
    });
  });

  test('READ TOC format 5: CD-Text packs from the model, header only without them, 05/24/00 on drives without CD-Text', async () => {
    const packs = new Uint8Array(36).map((_, i) => i);
    const disc = createSyntheticDisc({ tracks: [{ mode: 'audio', sectors: 100 }], cdTextPacks: packs });
    const drive = Drive.fromTransport(createEmulatedDrive({ disc }));
    const data = await drive.execute(scsi.buildReadToc({ format: 5 }));
    expect(Array.from(data.subarray(0, 4))).toEqual([0, 38, 0, 0]);
    expect(Array.from(data.subarray(4))).toEqual(Array.from(packs));
    const none = await Drive.fromTransport(createEmulatedDrive({ disc: createAudioCd([100]) })).execute(scsi.buildReadToc({ format: 5 }));
    expect(Array.from(none)).toEqual([0, 2, 0, 0]);
    const cheap = Drive.fromTransport(createEmulatedDrive({ disc, profile: 'cheap' }));
    await expect(cheap.execute(scsi.buildReadToc({ format: 5 }))).rejects.toMatchObject({ asc: 0x24 });
  });
});
