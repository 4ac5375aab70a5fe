import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../lib/errors.js';
import {
  TocFormat,
  buildReadToc,
  cdTextPackCrc,
  parseAtip,
  parseCdTextPacks,
  parseFullToc,
  parseSessionInfo,
  parseToc,
  summarizeFullToc,
} from '../../../lib/scsi/read-toc.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

/** A READ TOC response: BE16 data length (everything after it), then the two header bytes and the body. */
function response(b2: number, b3: number, body: number[]): Uint8Array {
  const length = 2 + body.length;
  return Uint8Array.from([length >> 8, length & 0xff, b2, b3, ...body]);
}

/** One 8-byte format-0/1 track descriptor with an LBA address. */
function trackLba(adrControl: number, track: number, lba: number): number[] {
  return [0, adrControl, track, 0, (lba >>> 24) & 0xff, (lba >>> 16) & 0xff, (lba >>> 8) & 0xff, lba & 0xff];
}

/** One 8-byte format-0/1 track descriptor with an MSF address. */
function trackMsf(adrControl: number, track: number, m: number, s: number, f: number): number[] {
  return [0, adrControl, track, 0, 0, m, s, f];
}

/** One 11-byte full-TOC descriptor. */
function full(
  session: number,
  adrControl: number,
  point: number,
  pmsf: [number, number, number],
  msf: [number, number, number] = [0, 0, 0],
  zero = 0,
): number[] {
  return [session, adrControl, 0, point, ...msf, zero, ...pmsf];
}

describe('buildReadToc', () => {
  it('builds format 0 with the defaults (format 0 also in byte 9 is all zero)', () => {
    const command = buildReadToc({ format: TocFormat.TOC });
    expect([...command.cdb]).toEqual([0x43, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00]);
    expect(command.direction).toBe('in');
    expect(command.dataLength).toBe(4096);
  });

  it('puts formats 1 and 2 also in byte 9 bits 7-6 for SFF-8020 drives', () => {
    expect([...buildReadToc({ format: TocFormat.FULL_TOC, trackSessionNumber: 1 }).cdb]).toEqual([
      0x43, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x10, 0x00, 0x80,
    ]);
    expect([...buildReadToc({ format: TocFormat.SESSION_INFO, msf: true, allocationLength: 12 }).cdb]).toEqual([
      0x43, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x40,
    ]);
  });

  it('leaves byte 9 alone when legacyFormatField is false, and for formats above 2', () => {
    expect([...buildReadToc({ format: 2, legacyFormatField: false }).cdb]).toEqual([
      0x43, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
    ]);
    const cdText = buildReadToc({ format: TocFormat.CD_TEXT, allocationLength: 0xffff });
    expect([...cdText.cdb]).toEqual([0x43, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00]);
    expect(cdText.dataLength).toBe(65535);
  });

  it('rejects bad options naming the field', () => {
    expect(() => buildReadToc({ format: 6 })).toThrow(RangeError);
    expect(() => buildReadToc({ format: 6 })).toThrow(/"format"/);
    expect(() => buildReadToc({ format: 0, msf: 1 as unknown as boolean })).toThrow(TypeError);
    expect(() => buildReadToc({ format: 0, trackSessionNumber: 256 })).toThrow(/"trackSessionNumber"/);
    expect(() => buildReadToc({ format: 0, allocationLength: 65536 })).toThrow(/"allocationLength"/);
    expect(() => buildReadToc({ format: 0, allocationLength: 1.5 })).toThrow(TypeError);
    expect(() => buildReadToc({ format: 0, legacyFormatField: 'no' as unknown as boolean })).toThrow(
      /"legacyFormatField"/,
    );
  });
});

describe('parseToc (format 0)', () => {
  const lbaToc = response(1, 3, [
    ...trackLba(0x10, 1, 0),
    ...trackLba(0x10, 2, 15000),
    ...trackLba(0x14, 3, 30000),
    ...trackLba(0x14, 0xaa, 45000),
  ]);

  it('parses LBA descriptors', () => {
    expect(lbaToc.length).toBe(36);
    expect(parseToc(lbaToc, { msf: false })).toEqual({
      firstTrack: 1,
      lastTrack: 3,
      tracks: [
        { adr: 1, control: 0, trackNumber: 1, isLeadOut: false, isData: false, lba: 0 },
        { adr: 1, control: 0, trackNumber: 2, isLeadOut: false, isData: false, lba: 15000 },
        { adr: 1, control: 4, trackNumber: 3, isLeadOut: false, isData: true, lba: 30000 },
        { adr: 1, control: 4, trackNumber: 0xaa, isLeadOut: true, isData: true, lba: 45000 },
      ],
    });
  });

  it('parses MSF descriptors and converts them to LBA', () => {
    const data = response(1, 2, [
      ...trackMsf(0x12, 1, 0, 2, 0),
      ...trackMsf(0x10, 2, 3, 22, 0),
      ...trackMsf(0x10, 0xaa, 10, 2, 0),
    ]);
    expect(parseToc(data, { msf: true })).toEqual({
      firstTrack: 1,
      lastTrack: 2,
      tracks: [
        {
          adr: 1,
          control: 2,
          trackNumber: 1,
          isLeadOut: false,
          isData: false,
          lba: 0,
          msf: { minute: 0, second: 2, frame: 0 },
        },
        {
          adr: 1,
          control: 0,
          trackNumber: 2,
          isLeadOut: false,
          isData: false,
          lba: 15000,
          msf: { minute: 3, second: 22, frame: 0 },
        },
        {
          adr: 1,
          control: 0,
          trackNumber: 0xaa,
          isLeadOut: true,
          isData: false,
          lba: 45000,
          msf: { minute: 10, second: 2, frame: 0 },
        },
      ],
    });
  });

  it('ignores received bytes beyond the data length', () => {
    const padded = new Uint8Array(64).fill(0xee);
    padded.set(lbaToc);
    expect(parseToc(padded, { msf: false }).tracks).toHaveLength(4);
  });

  it('keeps a negative LBA (lead-in/pregap addresses are signed)', () => {
    const data = response(1, 1, [...trackLba(0x10, 1, -150), ...trackLba(0x10, 0xaa, 1000)]);
    expect(parseToc(data, { msf: false }).tracks[0]?.lba).toBe(-150);
  });

  it('rejects a truncated header', () => {
    expect(() => parseToc(bytes(0x00, 0x0a, 0x01), { msf: false })).toThrow(MalformedResponseError);
    expect(() => parseToc(new Uint8Array(0), { msf: false })).toThrow(/header needs 4 bytes, got 0/);
  });

  it('rejects a data length that is not 2 + k×8', () => {
    const bad = Uint8Array.from(lbaToc);
    bad[1] = 0x21;
    expect(() => parseToc(bad, { msf: false })).toThrow(/not 2 \+ n×8/);
  });

  it('rejects first track > last track', () => {
    const data = response(5, 3, [...trackLba(0x10, 0xaa, 45000)]);
    expect(() => parseToc(data, { msf: false })).toThrow(/first track 5 > last track 3/);
  });

  it('rejects a descriptor running past the received data', () => {
    expect(() => parseToc(lbaToc.subarray(0, 30), { msf: false })).toThrow(
      /truncated: the drive announced 36 bytes, 30/,
    );
  });

  it('rejects an MSF with seconds ≥ 60', () => {
    const data = response(1, 1, [...trackMsf(0x10, 1, 0, 60, 0), ...trackMsf(0x10, 0xaa, 1, 0, 0)]);
    expect(() => parseToc(data, { msf: true })).toThrow(/invalid MSF 0:60:0/);
  });

  it('carries the response bytes on the error without making them enumerable', () => {
    try {
      parseToc(bytes(0, 1), { msf: false });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect((error as MalformedResponseError).commandName).toBe('READ TOC/PMA/ATIP');
      expect([...((error as MalformedResponseError).response ?? [])]).toEqual([0, 1]);
    }
  });
});

describe('parseSessionInfo (format 1)', () => {
  it('parses the last session start as LBA', () => {
    const data = bytes(0x00, 0x0a, 0x01, 0x02, 0x00, 0x14, 0x04, 0x00, 0x00, 0x00, 0xdc, 0x50);
    expect(parseSessionInfo(data, { msf: false })).toEqual({
      firstSession: 1,
      lastSession: 2,
      firstTrackInLastSession: 4,
      lastSessionStartLba: 56400,
      adr: 1,
      control: 4,
    });
  });

  it('parses the last session start as MSF', () => {
    const data = bytes(0x00, 0x0a, 0x01, 0x02, 0x00, 0x14, 0x04, 0x00, 0x00, 12, 34, 0);
    expect(parseSessionInfo(data, { msf: true })).toEqual({
      firstSession: 1,
      lastSession: 2,
      firstTrackInLastSession: 4,
      lastSessionStartLba: 56400,
      lastSessionStartMsf: { minute: 12, second: 34, frame: 0 },
      adr: 1,
      control: 4,
    });
  });

  it('rejects a header without descriptor and first session > last session', () => {
    expect(() => parseSessionInfo(bytes(0x00, 0x02, 0x01, 0x01), { msf: false })).toThrow(/no track descriptor/);
    const reversed = bytes(0x00, 0x0a, 0x03, 0x02, 0x00, 0x14, 0x04, 0x00, 0x00, 0x00, 0xdc, 0x50);
    expect(() => parseSessionInfo(reversed, { msf: false })).toThrow(/first session 3 > last session 2/);
  });
});

describe('parseFullToc / summarizeFullToc (format 2)', () => {
  // CD-Extra: session 1 = audio tracks 1-3 with B0/C0, session 2 = data track 4 (11 400 sectors later).
  const cdExtra = response(1, 2, [
    ...full(1, 0x10, 0xa0, [1, 0x00, 0]),
    ...full(1, 0x10, 0xa1, [3, 0, 0]),
    ...full(1, 0x10, 0xa2, [10, 2, 0]),
    ...full(1, 0x10, 0x01, [0, 2, 0]),
    ...full(1, 0x10, 0x02, [3, 22, 0]),
    ...full(1, 0x10, 0x03, [6, 42, 0]),
    ...full(1, 0x50, 0xb0, [79, 59, 74], [12, 32, 0], 2),
    ...full(1, 0x50, 0xc0, [97, 27, 0], [0x80, 0, 0]),
    ...full(2, 0x14, 0xa0, [4, 0x20, 0]),
    ...full(2, 0x14, 0xa1, [4, 0, 0]),
    ...full(2, 0x14, 0xa2, [13, 22, 0]),
    ...full(2, 0x14, 0x04, [12, 34, 0]),
  ]);

  it('parses every 11-byte descriptor of a CD-Extra', () => {
    expect(cdExtra.length).toBe(4 + 12 * 11);
    const parsed = parseFullToc(cdExtra);
    expect(parsed.firstSession).toBe(1);
    expect(parsed.lastSession).toBe(2);
    expect(parsed.descriptors).toHaveLength(12);
    expect(parsed.descriptors[6]).toEqual({
      session: 1,
      adr: 5,
      control: 0,
      tno: 0,
      point: 0xb0,
      min: 12,
      sec: 32,
      frame: 0,
      zero: 2,
      pmin: 79,
      psec: 59,
      pframe: 74,
    });
    expect(parsed.descriptors[11]).toEqual({
      session: 2,
      adr: 1,
      control: 4,
      tno: 0,
      point: 4,
      min: 0,
      sec: 0,
      frame: 0,
      zero: 0,
      pmin: 12,
      psec: 34,
      pframe: 0,
    });
  });

  it('summarizes a CD-Extra per session', () => {
    const parsed = parseFullToc(cdExtra);
    const summary = summarizeFullToc(parsed);
    expect(summary).toEqual({
      firstSession: 1,
      lastSession: 2,
      sessions: [
        {
          session: 1,
          firstTrack: 1,
          lastTrack: 3,
          discType: 0x00,
          leadOutLba: 45000,
          tracks: [
            { trackNumber: 1, control: 0, adr: 1, startLba: 0 },
            { trackNumber: 2, control: 0, adr: 1, startLba: 15000 },
            { trackNumber: 3, control: 0, adr: 1, startLba: 30000 },
          ],
          nextProgramAreaLba: 56250,
          lastPossibleLeadOutLba: 359849,
          firstLeadInLba: -11625,
          otherDescriptors: [parsed.descriptors[6], parsed.descriptors[7]],
        },
        {
          session: 2,
          firstTrack: 4,
          lastTrack: 4,
          discType: 0x20,
          leadOutLba: 60000,
          tracks: [{ trackNumber: 4, control: 4, adr: 1, startLba: 56400 }],
          otherDescriptors: [],
        },
      ],
    });
    // The classic CD-Extra gap: lead-out of session 1 to track 1 of session 2.
    expect(summary.sessions[1]!.tracks[0]!.startLba - summary.sessions[0]!.leadOutLba).toBe(11400);
  });

  it('summarizes a single-session CD, without B0/C0 fields', () => {
    const data = response(1, 1, [
      ...full(1, 0x10, 0xa0, [1, 0x00, 0]),
      ...full(1, 0x10, 0xa1, [2, 0, 0]),
      ...full(1, 0x10, 0xa2, [5, 0, 0]),
      ...full(1, 0x10, 0x01, [0, 2, 0]),
      ...full(1, 0x11, 0x02, [2, 30, 10]),
    ]);
    const summary = summarizeFullToc(parseFullToc(data));
    expect(summary.sessions).toHaveLength(1);
    const session = summary.sessions[0]!;
    expect(session).toEqual({
      session: 1,
      firstTrack: 1,
      lastTrack: 2,
      discType: 0,
      leadOutLba: 22350,
      tracks: [
        { trackNumber: 1, control: 0, adr: 1, startLba: 0 },
        { trackNumber: 2, control: 1, adr: 1, startLba: 11110 },
      ],
      otherDescriptors: [],
    });
    expect(Object.keys(session)).not.toContain('nextProgramAreaLba');
    expect(Object.keys(session)).not.toContain('firstLeadInLba');
  });

  it('sorts track points and derives first/last track without A0/A1', () => {
    const data = response(1, 1, [
      ...full(1, 0x10, 0x02, [1, 0, 0]),
      ...full(1, 0x10, 0x01, [0, 2, 0]),
      ...full(1, 0x10, 0xa2, [2, 0, 0]),
    ]);
    const session = summarizeFullToc(parseFullToc(data)).sessions[0]!;
    expect(session.firstTrack).toBe(1);
    expect(session.lastTrack).toBe(2);
    expect(session.discType).toBeUndefined();
    expect(session.tracks.map((t) => t.trackNumber)).toEqual([1, 2]);
    expect(session.tracks.map((t) => t.startLba)).toEqual([0, 4350]);
  });

  it('treats B0 with FF:FF:FF as a closed disc (no next program area)', () => {
    const data = response(1, 1, [
      ...full(1, 0x10, 0xa0, [1, 0, 0]),
      ...full(1, 0x10, 0xa1, [1, 0, 0]),
      ...full(1, 0x10, 0xa2, [5, 0, 0]),
      ...full(1, 0x10, 0x01, [0, 2, 0]),
      ...full(1, 0x50, 0xb0, [0xff, 0xff, 0xff], [0xff, 0xff, 0xff]),
    ]);
    const session = summarizeFullToc(parseFullToc(data)).sessions[0]!;
    expect(session.nextProgramAreaLba).toBeUndefined();
    expect(session.lastPossibleLeadOutLba).toBeUndefined();
    expect(session.otherDescriptors.map((d) => d.point)).toEqual([0xb0]);
  });

  it('rejects a data length that is not 2 + k×11', () => {
    const bad = Uint8Array.from(cdExtra);
    bad[1] = (bad[1] ?? 0) - 1;
    expect(() => parseFullToc(bad)).toThrow(/not 2 \+ n×11/);
  });

  it('rejects first session > last session', () => {
    const data = response(2, 1, [...full(1, 0x10, 0xa2, [5, 0, 0])]);
    expect(() => parseFullToc(data)).toThrow(/first session 2 > last session 1/);
  });

  it('rejects a descriptor past the received end', () => {
    expect(() => parseFullToc(cdExtra.subarray(0, cdExtra.length - 5))).toThrow(MalformedResponseError);
  });

  it('rejects a session without A2 and a track with an invalid PMSF', () => {
    const noLeadOut = response(1, 1, [...full(1, 0x10, 0xa0, [1, 0, 0]), ...full(1, 0x10, 0x01, [0, 2, 0])]);
    expect(() => summarizeFullToc(parseFullToc(noLeadOut))).toThrow(/session 1: no A2h/);
    const badTime = response(1, 1, [...full(1, 0x10, 0xa2, [5, 0, 0]), ...full(1, 0x10, 0x01, [0, 2, 75])]);
    expect(() => summarizeFullToc(parseFullToc(badTime))).toThrow(/track 1: invalid MSF 0:2:75/);
  });
});

describe('parseAtip (format 4)', () => {
  const atip = bytes(
    0x00, 0x1a, 0x00, 0x00,
    0xd2, 0x40, 0xd4, 0x00,
    97, 26, 66, 0x00,
    79, 59, 71, 0x00,
    0x0a, 0x0b, 0x0c, 0x00,
    0x01, 0x02, 0x03, 0x00,
    0x04, 0x05, 0x06, 0x00,
  );

  it('parses the ATIP descriptor of a CD-RW', () => {
    const parsed = parseAtip(atip);
    expect(parsed).toEqual({
      indicativeWritingPower: 5,
      referenceSpeed: 2,
      unrestrictedUse: true,
      discType: 1,
      erasable: true,
      discSubType: 2,
      a1Valid: true,
      a2Valid: false,
      a3Valid: false,
      leadInStartMsf: { minute: 97, second: 26, frame: 66 },
      leadInStartLba: -11634,
      lastPossibleLeadOutStartMsf: { minute: 79, second: 59, frame: 71 },
      lastPossibleLeadOutStartLba: 359846,
      a1Values: bytes(0x0a, 0x0b, 0x0c),
    });
    expect(parsed.a2Values).toBeUndefined();
  });

  it('rejects an ATIP whose length does not reach the lead-out time', () => {
    const short = Uint8Array.from(atip);
    short[1] = 10;
    expect(() => parseAtip(short)).toThrow(/ATIP: needs 15 bytes, the data covers 12/);
    expect(() => parseAtip(atip.subarray(0, 3))).toThrow(MalformedResponseError);
  });
});

describe('CD-TEXT (format 5)', () => {
  const pack1 = [0x80, 0x00, 0x00, 0x00, ...Buffer.from('Hello\0World\0'), 0xa1, 0xe8];
  const pack2 = [0x81, 0x00, 0x01, 0x00, ...Buffer.from('Artist'), 0, 0, 0, 0, 0, 0, 0x00, 0x00];

  it('computes CRC-16/GSM over bytes 0-15 (check value 0xCE3C; leading zeros do not change it)', () => {
    const pack = new Uint8Array(18);
    pack.set(Buffer.from('123456789'), 7);
    expect(cdTextPackCrc(pack)).toBe(0xce3c);
    expect(cdTextPackCrc(Uint8Array.from(pack1))).toBe(0xa1e8);
  });

  it('splits the packs and checks each CRC', () => {
    const data = Uint8Array.from([0x00, 0x26, 0x00, 0x00, ...pack1, ...pack2]);
    const parsed = parseCdTextPacks(data);
    expect(parsed.packs).toHaveLength(2);
    expect([...parsed.packs[0]!]).toEqual(pack1);
    expect([...parsed.packs[1]!]).toEqual(pack2);
    expect(parsed.packs[0]!.buffer).toBe(data.buffer);
    expect(parsed.crcOk).toEqual([true, false]);
  });

  it('accepts an empty CD-TEXT (data length 2)', () => {
    expect(parseCdTextPacks(bytes(0x00, 0x02, 0x00, 0x00))).toEqual({ packs: [], crcOk: [] });
  });

  it('rejects a length that is not 2 + k×18', () => {
    const data = Uint8Array.from([0x00, 0x25, 0x00, 0x00, ...pack1, ...pack2.slice(0, 17)]);
    expect(() => parseCdTextPacks(data)).toThrow(/not 2 \+ n×18/);
  });
});
