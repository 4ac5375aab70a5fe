import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../lib/errors.js';
import { buildInquiry, deviceTypeName, parseInquiry } from '../../../lib/scsi/inquiry.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

/** A 96-byte standard INQUIRY response of an LG DVD writer. */
function lgResponse(additionalLength = 91): Uint8Array {
  const data = new Uint8Array(96);
  data.set([0x05, 0x80, 0x05, 0x32, additionalLength, 0x00, 0x00, 0x00]);
  data.set(ascii('HL-DT-ST'), 8);
  data.set(ascii('DVDRAM GH24NSD1 '), 16);
  data.set(ascii('LG00'), 32);
  data.set(ascii('K0A 2020/01/01      '), 36);
  data.set([0x00, 0x60, 0x03, 0x60, 0x00, 0x00, 0x02, 0x60], 58);
  return data;
}

describe('buildInquiry', () => {
  it('asks for 96 bytes of standard data by default', () => {
    const command = buildInquiry();
    expect(hex(command.cdb)).toBe('12 00 00 00 60 00');
    expect(command).toEqual({ cdb: command.cdb, direction: 'in', dataLength: 96 });
  });

  it('writes the allocation length big-endian and the VPD page', () => {
    expect(hex(buildInquiry({ allocationLength: 36 }).cdb)).toBe('12 00 00 00 24 00');
    expect(hex(buildInquiry({ allocationLength: 300 }).cdb)).toBe('12 00 00 01 2c 00');
    const vpd = buildInquiry({ evpd: true, pageCode: 0x80, allocationLength: 252 });
    expect(hex(vpd.cdb)).toBe('12 01 80 00 fc 00');
    expect(vpd.dataLength).toBe(252);
  });

  it('validates its options', () => {
    expect(() => buildInquiry({ pageCode: 0x80 })).toThrow(
      new RangeError('Expected "pageCode" to be 0 when "evpd" is false, got 128'),
    );
    expect(() => buildInquiry({ allocationLength: 0 })).toThrow(
      new RangeError('Expected "allocationLength" to be between 1 and 65535, got 0'),
    );
    expect(() => buildInquiry({ allocationLength: '96' as never })).toThrow(TypeError);
    expect(() => buildInquiry({ evpd: 1 as never })).toThrow(new TypeError('Expected "evpd" to be a boolean, got 1'));
    expect(() => buildInquiry({ evpd: true, pageCode: 256 })).toThrow(RangeError);
  });
});

describe('parseInquiry', () => {
  it('decodes a full response', () => {
    expect(parseInquiry(lgResponse())).toEqual({
      peripheralQualifier: 0,
      deviceType: 5,
      deviceTypeName: 'CD/DVD device',
      removable: true,
      version: 5,
      responseDataFormat: 2,
      additionalLength: 91,
      vendor: 'HL-DT-ST',
      product: 'DVDRAM GH24NSD1',
      revision: 'LG00',
      vendorSpecific: 'K0A 2020/01/01',
      versionDescriptors: [0x0060, 0x0360, 0x0260],
    });
  });

  it('decodes the 36 mandatory bytes alone', () => {
    const data = lgResponse(31).subarray(0, 36);
    const parsed = parseInquiry(data);
    expect(parsed.vendor).toBe('HL-DT-ST');
    expect(parsed.revision).toBe('LG00');
    expect(parsed.vendorSpecific).toBe('');
    expect(parsed.versionDescriptors).toEqual([]);
  });

  it('ignores bytes past the additional length (padding or garbage)', () => {
    const parsed = parseInquiry(lgResponse(31));
    expect(parsed.vendorSpecific).toBe('');
    expect(parsed.versionDescriptors).toEqual([]);
    // Additional length 55 ends the data at byte 60: the first version descriptor only.
    expect(parseInquiry(lgResponse(55)).versionDescriptors).toEqual([0x0060]);
    expect(parseInquiry(lgResponse(57)).versionDescriptors).toEqual([0x0060, 0x0360]);
  });

  it('decodes qualifier and type bits and names unknown types', () => {
    const data = lgResponse();
    data[0] = 0x7f;
    data[1] = 0x00;
    expect(parseInquiry(data)).toMatchObject({
      peripheralQualifier: 3,
      deviceType: 0x1f,
      deviceTypeName: 'unknown or no device type',
      removable: false,
    });
    expect(deviceTypeName(0x06)).toBe('device type 0x06');
  });

  it('rejects fewer than 36 bytes', () => {
    expect(() => parseInquiry(lgResponse().subarray(0, 35))).toThrow(MalformedResponseError);
    expect(() => parseInquiry(lgResponse().subarray(0, 35))).toThrow(
      'INQUIRY: malformed response: response needs 36 bytes, got 35',
    );
    expect(() => parseInquiry(new Uint8Array(0))).toThrow(MalformedResponseError);
  });
});
