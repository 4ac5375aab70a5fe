import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../lib/errors.js';
import {
  TrackAddressType,
  buildReadTrackInformation,
  parseTrackInformation,
} from '../../../lib/scsi/track-information.js';

/** 48-byte Track Information Block of track 4 (session 2) of a CD-Extra. */
function block(): Uint8Array {
  return Uint8Array.from([
    0x00, 0x2e, // data length 46
    0x04, 0x02, // track 4, session 2 (LSB)
    0x00,
    0x14, // copy, track mode 4 (data, uninterrupted)
    0x02, // data mode 2
    0x00, // no LRA_V / NWA_V
    0x00, 0x00, 0xdc, 0x50, // track start 56400
    0x00, 0x00, 0x00, 0x00, // next writable address
    0x00, 0x00, 0x00, 0x00, // free blocks
    0x00, 0x00, 0x00, 0x00, // fixed packet size
    0x00, 0x00, 0x0d, 0xac, // track size 3500
    0x00, 0x00, 0xea, 0x5f, // last recorded address 59999
    0x00, 0x00, // track / session MSB
    0x00, 0x00,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  ]);
}

describe('buildReadTrackInformation', () => {
  it('builds a track-number request with the default allocation', () => {
    const command = buildReadTrackInformation({ addressType: TrackAddressType.TRACK, address: 4 });
    expect([...command.cdb]).toEqual([0x52, 0x01, 0, 0, 0, 0x04, 0, 0x00, 0x30, 0]);
    expect(command.direction).toBe('in');
    expect(command.dataLength).toBe(48);
  });

  it('builds an LBA and a session request', () => {
    expect([...buildReadTrackInformation({ addressType: 0, address: 0x12345678, allocationLength: 28 }).cdb]).toEqual([
      0x52, 0x00, 0x12, 0x34, 0x56, 0x78, 0, 0x00, 0x1c, 0,
    ]);
    expect([...buildReadTrackInformation({ addressType: TrackAddressType.SESSION, address: 2 }).cdb]).toEqual([
      0x52, 0x02, 0, 0, 0, 0x02, 0, 0x00, 0x30, 0,
    ]);
  });

  it('rejects bad options naming the field', () => {
    expect(() => buildReadTrackInformation({ addressType: 3, address: 0 })).toThrow(/"addressType"/);
    expect(() => buildReadTrackInformation({ addressType: 1, address: 0x10000 })).toThrow(/"address"/);
    expect(() => buildReadTrackInformation({ addressType: 0, address: -1 })).toThrow(RangeError);
    expect(() => buildReadTrackInformation({ addressType: 0, address: 0, allocationLength: 1e6 })).toThrow(
      /"allocationLength"/,
    );
  });
});

describe('parseTrackInformation', () => {
  it('parses a complete block', () => {
    expect(parseTrackInformation(block())).toEqual({
      trackNumber: 4,
      sessionNumber: 2,
      damage: false,
      copy: true,
      trackMode: 4,
      rt: false,
      blank: false,
      packet: false,
      fp: false,
      dataMode: 2,
      lraValid: false,
      nwaValid: false,
      trackStartLba: 56400,
      freeBlocks: 0,
      fixedPacketSize: 0,
      trackSize: 3500,
    });
  });

  it('decodes the flags, NWA/LRA when valid and the MSB bytes', () => {
    const data = block();
    data[5] = 0x27; // damage, mode 7
    data[6] = 0xf1; // RT, blank, packet, FP, mode 1
    data[7] = 0x03; // LRA_V, NWA_V
    data.set([0x00, 0x01, 0x00, 0x00], 12);
    data.set([0x00, 0x00, 0x00, 0x20], 20);
    data[32] = 0x01; // track 0x0104
    data[33] = 0x01; // session 0x0102
    const info = parseTrackInformation(data);
    expect(info).toMatchObject({
      trackNumber: 0x104,
      sessionNumber: 0x102,
      damage: true,
      copy: false,
      trackMode: 7,
      rt: true,
      blank: true,
      packet: true,
      fp: true,
      dataMode: 1,
      lraValid: true,
      nwaValid: true,
      nextWritableAddress: 65536,
      fixedPacketSize: 32,
      lastRecordedAddress: 59999,
    });
  });

  it('accepts an MMC-1 28-byte block without LRA or MSB bytes', () => {
    const data = block().subarray(0, 28);
    data[1] = 26;
    data[7] = 0x02; // LRA_V set, but the field is not there
    const info = parseTrackInformation(data);
    expect(info.trackNumber).toBe(4);
    expect(info.trackSize).toBe(3500);
    expect(info.lastRecordedAddress).toBeUndefined();
  });

  it('ignores the MSB bytes when the length field does not cover them', () => {
    const data = block();
    data[1] = 30; // covers bytes 0-31
    data[32] = 0x01;
    expect(parseTrackInformation(data).trackNumber).toBe(4);
  });

  it('rejects a block shorter than 28 bytes', () => {
    expect(() => parseTrackInformation(block().subarray(0, 27))).toThrow(MalformedResponseError);
    expect(() => parseTrackInformation(block().subarray(0, 1))).toThrow(/got 1/);
  });
});
