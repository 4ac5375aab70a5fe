import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../lib/errors.js';
import {
  SubChannelFormat,
  buildReadSubChannel,
  parseSubChannel,
  subChannelResponseLength,
} from '../../../lib/scsi/read-sub-channel.js';

const ascii = (s: string) => [...Buffer.from(s, 'latin1')];

/** Sub-channel response: reserved, audio status, BE16 data length, data. */
function response(audioStatus: number, data: number[]): Uint8Array {
  return Uint8Array.from([0, audioStatus, data.length >> 8, data.length & 0xff, ...data]);
}

const mcnData = (valid: boolean, digits: number[]) => [0x02, 0, 0, 0, valid ? 0x80 : 0, ...digits, 0x00, 0x21];
const isrcData = (valid: boolean, chars: number[]) => [
  ...[0x03, 0x10, 0x05, 0, valid ? 0x80 : 0],
  ...chars,
  ...[0x00, 0x12, 0x00],
];

describe('buildReadSubChannel', () => {
  it('builds an MCN request with the defaults', () => {
    const command = buildReadSubChannel({ format: SubChannelFormat.MCN });
    expect([...command.cdb]).toEqual([0x42, 0x00, 0x40, 0x02, 0, 0, 0x00, 0x00, 0x30, 0]);
    expect(command.direction).toBe('in');
    expect(command.dataLength).toBe(48);
  });

  it('builds ISRC and current-position requests', () => {
    const isrc = buildReadSubChannel({ format: SubChannelFormat.ISRC, trackNumber: 5, allocationLength: 24 });
    expect([...isrc.cdb]).toEqual([0x42, 0x00, 0x40, 0x03, 0, 0, 0x05, 0x00, 0x18, 0]);
    const position = buildReadSubChannel({ format: SubChannelFormat.CURRENT_POSITION, msf: true, subQ: false });
    expect([...position.cdb]).toEqual([0x42, 0x02, 0x00, 0x01, 0, 0, 0x00, 0x00, 0x30, 0]);
  });

  it('rejects bad options naming the field', () => {
    expect(() => buildReadSubChannel({ format: 0 })).toThrow(/"format"/);
    expect(() => buildReadSubChannel({ format: 4 })).toThrow(RangeError);
    expect(() => buildReadSubChannel({ format: 3, trackNumber: 100 })).toThrow(/"trackNumber"/);
    expect(() => buildReadSubChannel({ format: 2, subQ: 1 as unknown as boolean })).toThrow(TypeError);
  });
});

describe('subChannelResponseLength', () => {
  it('reads the length at bytes 2-3', () => {
    expect(subChannelResponseLength(Uint8Array.from([0, 0x15, 0x00, 0x14]))).toBe(24);
    expect(subChannelResponseLength(Uint8Array.from([0, 0x15, 0x00]))).toBeUndefined();
  });
});

describe('parseSubChannel', () => {
  it('parses a valid MCN', () => {
    const data = response(0x15, mcnData(true, ascii('0724384960650')));
    expect(data.length).toBe(24);
    expect(parseSubChannel(data, { msf: false })).toEqual({
      format: 2,
      audioStatus: 0x15,
      audioStatusName: 'no current audio status',
      mcValid: true,
      mcn: '0724384960650',
      aframe: 0x21,
    });
  });

  it('returns no MCN when MCVal is clear, whatever the bytes', () => {
    const parsed = parseSubChannel(response(0x00, mcnData(false, new Array<number>(13).fill(0xff))), { msf: false });
    expect(parsed).toMatchObject({ format: SubChannelFormat.MCN, mcValid: false, mcn: undefined });
  });

  it('rejects an MCN with garbage', () => {
    const data = response(0x15, mcnData(true, ascii('07243849606A0')));
    expect(() => parseSubChannel(data, { msf: false })).toThrow(MalformedResponseError);
    expect(() => parseSubChannel(data, { msf: false })).toThrow(/MCN "07243849606A0" is not 13 ASCII digits/);
    const nul = response(0x15, mcnData(true, [...ascii('072438496065'), 0]));
    expect(() => parseSubChannel(nul, { msf: false })).toThrow(/not 13 ASCII digits/);
  });

  it('parses a valid ISRC', () => {
    expect(parseSubChannel(response(0x13, isrcData(true, ascii('GBAYE6800011'))), { msf: false })).toEqual({
      format: 3,
      audioStatus: 0x13,
      audioStatusName: 'play completed',
      tcValid: true,
      isrc: 'GBAYE6800011',
      adr: 1,
      control: 0,
      trackNumber: 5,
      aframe: 0x12,
    });
  });

  it('rejects an ISRC with lower case or punctuation', () => {
    const lower = response(0x15, isrcData(true, ascii('gbAYE6800011')));
    expect(() => parseSubChannel(lower, { msf: false })).toThrow(/ISRC "gbAYE6800011" is not 12 characters/);
    const dash = response(0x15, isrcData(true, ascii('GB-YE6800011')));
    expect(() => parseSubChannel(dash, { msf: false })).toThrow(MalformedResponseError);
  });

  it('parses the current position in LBA and MSF form', () => {
    const lba = response(0x11, [0x01, 0x10, 0x02, 0x01, 0x00, 0x00, 0x3a, 0x98, 0xff, 0xff, 0xff, 0xf6]);
    expect(parseSubChannel(lba, { msf: false })).toEqual({
      format: 1,
      audioStatus: 0x11,
      audioStatusName: 'play in progress',
      adr: 1,
      control: 0,
      trackNumber: 2,
      indexNumber: 1,
      absoluteLba: 15000,
      trackRelativeLba: -10,
    });
    const msf = response(0x12, [0x01, 0x14, 0x03, 0x01, 0, 6, 42, 10, 0, 0, 1, 5]);
    expect(parseSubChannel(msf, { msf: true })).toMatchObject({
      format: 1,
      audioStatusName: 'play paused',
      control: 4,
      trackNumber: 3,
      absoluteLba: 30010,
      trackRelativeLba: 80,
    });
  });

  it('returns the header only for SubQ = 0', () => {
    expect(parseSubChannel(Uint8Array.from([0, 0x15, 0, 0]), { msf: false })).toEqual({
      format: 0,
      audioStatus: 0x15,
      audioStatusName: 'no current audio status',
    });
  });

  it('rejects a truncated header, short data and an unknown format code', () => {
    expect(() => parseSubChannel(Uint8Array.from([0, 0x15, 0]), { msf: false })).toThrow(/header needs 4 bytes/);
    const shortMcn = response(0x15, mcnData(true, ascii('0724384960650'))).subarray(0, 20);
    expect(() => parseSubChannel(shortMcn, { msf: false })).toThrow(/needs 24 bytes, the data covers 20/);
    expect(() => parseSubChannel(response(0, [0x07, 0, 0, 0]), { msf: false })).toThrow(/format code 7/);
  });
});
