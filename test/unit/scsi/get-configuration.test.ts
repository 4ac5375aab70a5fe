import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../lib/errors.js';
import {
  FeatureCode,
  Profile,
  RequestType,
  buildGetConfiguration,
  decodeBdReadFeature,
  decodeCdReadFeature,
  decodeCoreFeature,
  decodeDriveSerialNumber,
  decodeDvdReadFeature,
  decodeFirmwareInformation,
  decodeProfileList,
  decodeRealTimeStreamingFeature,
  decodeRemovableMediumFeature,
  featureName,
  parseConfiguration,
  profileName,
} from '../../../lib/scsi/get-configuration.js';

const ascii = (s: string) => [...Buffer.from(s, 'latin1')];

/** Feature descriptor: code, byte 2 (version<<2 | persistent<<1 | current), data. */
function feature(code: number, flags: number, data: number[]): number[] {
  return [code >> 8, code & 0xff, flags, data.length, ...data];
}

/** GET CONFIGURATION response: Data Length (BE32) covering bytes 4.., reserved, current profile. */
function configuration(currentProfile: number, ...features: number[][]): Uint8Array {
  const body = features.flat();
  const length = 4 + body.length;
  return Uint8Array.from([
    (length >>> 24) & 0xff,
    (length >>> 16) & 0xff,
    (length >>> 8) & 0xff,
    length & 0xff,
    0,
    0,
    currentProfile >> 8,
    currentProfile & 0xff,
    ...body,
  ]);
}

const bdReadData = [
  0x01, 0, 0, 0, // BCA
  0x00, 0x07, 0, 0, 0, 0, 0, 0, // class 0-3 BD-RE
  0x00, 0x03, 0, 0, 0, 0, 0, 0, // class 0-3 BD-R
  0x00, 0x03, 0, 0, 0, 0, 0, 0, // class 0-3 BD-ROM
];

const features = [
  feature(0x0000, 0x03, [0x00, 0x10, 0x00, 0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x09, 0x00, 0x00]),
  feature(0x0001, 0x0b, [0x00, 0x00, 0x00, 0x02, 0x03, 0x00, 0x00, 0x00]),
  feature(0x0003, 0x0b, [0x39, 0x00, 0x00, 0x00]),
  feature(0x001e, 0x09, [0x83, 0x00, 0x00, 0x00]),
  feature(0x001f, 0x08, [0x01, 0x00, 0x03, 0x00]),
  feature(0x0040, 0x04, bdReadData),
  feature(0x0107, 0x0d, [0x1a, 0x00, 0x00, 0x00]),
  feature(0x0108, 0x03, ascii('AB12 XY ')),
  feature(0x010c, 0x03, [...ascii('20091231235958'), 0, 0]),
];
const drive = configuration(0x0008, ...features);

describe('buildGetConfiguration', () => {
  it('builds the default CDB (all features, allocation 65530)', () => {
    const command = buildGetConfiguration();
    expect([...command.cdb]).toEqual([0x46, 0x00, 0x00, 0x00, 0, 0, 0, 0xff, 0xfa, 0]);
    expect(command.direction).toBe('in');
    expect(command.dataLength).toBe(65530);
  });

  it('builds the current-profile probe and a current-only request', () => {
    expect([...buildGetConfiguration({ requestType: RequestType.ONE, allocationLength: 8 }).cdb]).toEqual([
      0x46, 0x02, 0x00, 0x00, 0, 0, 0, 0x00, 0x08, 0,
    ]);
    const command = buildGetConfiguration({
      requestType: RequestType.CURRENT,
      startingFeature: 0x010c,
      allocationLength: 4096,
    });
    expect([...command.cdb]).toEqual([0x46, 0x01, 0x01, 0x0c, 0, 0, 0, 0x10, 0x00, 0]);
  });

  it('rejects bad options naming the field', () => {
    expect(() => buildGetConfiguration({ requestType: 3 })).toThrow(/"requestType"/);
    expect(() => buildGetConfiguration({ startingFeature: 0x10000 })).toThrow(/"startingFeature"/);
    expect(() => buildGetConfiguration({ allocationLength: -1 })).toThrow(RangeError);
  });
});

describe('parseConfiguration', () => {
  it('parses the header and every descriptor', () => {
    const parsed = parseConfiguration(drive);
    expect(parsed.dataLength).toBe(drive.length - 4);
    expect(parsed.currentProfile).toBe(0x0008);
    expect(parsed.currentProfileName).toBe('CD-ROM');
    expect(parsed.truncated).toBe(false);
    expect(parsed.features.map((f) => [f.code, f.name, f.version, f.persistent, f.current, f.data.length])).toEqual([
      [0x0000, 'Profile List', 0, true, true, 12],
      [0x0001, 'Core', 2, true, true, 8],
      [0x0003, 'Removable Medium', 2, true, true, 4],
      [0x001e, 'CD Read', 2, false, true, 4],
      [0x001f, 'DVD Read', 2, false, false, 4],
      [0x0040, 'BD Read', 1, false, false, 28],
      [0x0107, 'Real Time Streaming', 3, false, true, 4],
      [0x0108, 'Drive Serial Number', 0, true, true, 8],
      [0x010c, 'Firmware Information', 0, true, true, 16],
    ]);
    expect(parsed.features[1]!.data.buffer).toBe(drive.buffer);
  });

  it('parses only the part the data length declares', () => {
    const padded = new Uint8Array(drive.length + 8).fill(0xff);
    padded.set(drive);
    expect(parseConfiguration(padded).features).toHaveLength(9);
    const short = Uint8Array.from(drive);
    short[3] = 4 + 16; // header + Profile List only
    const parsed = parseConfiguration(short);
    expect(parsed.features.map((f) => f.code)).toEqual([0x0000]);
    expect(parsed.truncated).toBe(false);
  });

  it('returns the complete descriptors when the allocation cut the response, flagged truncated', () => {
    // Profile List (16) + Core (12) + half of Removable Medium.
    const cut = drive.subarray(0, 8 + 16 + 12 + 3);
    const parsed = parseConfiguration(cut);
    expect(parsed.truncated).toBe(true);
    expect(parsed.dataLength).toBe(drive.length - 4);
    expect(parsed.features.map((f) => f.code)).toEqual([0x0000, 0x0001]);
  });

  it('reads the current profile from a header-only reply (RT=2, allocation 8)', () => {
    const parsed = parseConfiguration(drive.subarray(0, 8));
    expect(parsed).toEqual({
      dataLength: drive.length - 4,
      currentProfile: 8,
      currentProfileName: 'CD-ROM',
      features: [],
      truncated: true,
    });
  });

  it('rejects a descriptor running past the data length', () => {
    const data = configuration(0x0010, feature(0x0001, 0x03, [0, 0, 0, 1, 0, 0, 0, 0]));
    data[3] = (data[3] ?? 0) - 2;
    expect(() => parseConfiguration(data)).toThrow(MalformedResponseError);
    expect(() => parseConfiguration(data)).toThrow(/feature 0001h at byte 8 runs past the data length \(20 > 18\)/);
  });

  it('rejects a descriptor header cut by the data length', () => {
    const data = configuration(0x0010, [0x00, 0x01]);
    expect(() => parseConfiguration(data)).toThrow(/cut by the data length/);
  });

  it('rejects a short header and a data length below 4', () => {
    expect(() => parseConfiguration(drive.subarray(0, 7))).toThrow(/feature header needs 8 bytes, got 7/);
    expect(() => parseConfiguration(Uint8Array.from([0, 0, 0, 3, 0, 0, 0, 8]))).toThrow(/data length 3/);
  });
});

describe('feature decoders', () => {
  const parsed = parseConfiguration(drive);
  const find = (code: number) => {
    const found = parsed.features.find((f) => f.code === code);
    if (!found) throw new Error(`no feature ${code}`);
    return found;
  };

  it('decodes the Profile List', () => {
    expect(decodeProfileList(find(FeatureCode.PROFILE_LIST))).toEqual([
      { profile: 0x0010, name: 'DVD-ROM', current: false },
      { profile: 0x0008, name: 'CD-ROM', current: true },
      { profile: 0x0009, name: 'CD-R', current: false },
    ]);
  });

  it('decodes Core, Removable Medium, CD Read, DVD Read, BD Read and Real Time Streaming', () => {
    expect(decodeCoreFeature(find(FeatureCode.CORE))).toEqual({
      physicalInterface: 2,
      physicalInterfaceName: 'ATAPI',
      dbe: true,
      inq2: true,
    });
    expect(decodeRemovableMediumFeature(find(FeatureCode.REMOVABLE_MEDIUM))).toEqual({
      loadingMechanism: 1,
      loadingMechanismName: 'Tray',
      load: true,
      eject: true,
      preventJumper: false,
      dbml: false,
      lock: true,
    });
    expect(decodeCdReadFeature(find(FeatureCode.CD_READ))).toEqual({ dap: true, c2Flags: true, cdText: true });
    expect(decodeDvdReadFeature(find(FeatureCode.DVD_READ))).toEqual({ multi110: true, dualR: true, dualRw: true });
    expect(decodeBdReadFeature(find(FeatureCode.BD_READ))).toEqual({
      bca: true,
      bdReClass0: 0x0007,
      bdRClass0: 0x0003,
      bdRomClass0: 0x0003,
    });
    expect(decodeRealTimeStreamingFeature(find(FeatureCode.REAL_TIME_STREAMING))).toEqual({
      sw: false,
      wspd: true,
      mp2a: false,
      scs: true,
      rbcb: true,
    });
  });

  it('decodes the serial number and the firmware date', () => {
    expect(decodeDriveSerialNumber(find(FeatureCode.DRIVE_SERIAL_NUMBER))).toBe('AB12 XY');
    expect(decodeFirmwareInformation(find(FeatureCode.FIRMWARE_INFORMATION))).toBe('2009-12-31T23:59:58');
  });

  it('leaves version-dependent bits out of older descriptors', () => {
    const v1 = { code: FeatureCode.REMOVABLE_MEDIUM, version: 1, data: Uint8Array.from([0x5d, 0, 0, 0]) };
    expect(decodeRemovableMediumFeature(v1)).toEqual({
      loadingMechanism: 2,
      loadingMechanismName: 'Pop-up',
      eject: true,
      preventJumper: true,
      lock: true,
    });
    expect(decodeCoreFeature({ code: 1, version: 0, data: Uint8Array.from([0, 0, 0, 1]) })).toEqual({
      physicalInterface: 1,
      physicalInterfaceName: 'SCSI Family',
    });
    expect(decodeCdReadFeature({ code: FeatureCode.CD_READ, data: new Uint8Array(0) })).toEqual({
      dap: false,
      c2Flags: false,
      cdText: false,
    });
  });

  it('rejects a wrong feature, and data too short or malformed', () => {
    expect(() => decodeCdReadFeature(find(FeatureCode.CORE))).toThrow(TypeError);
    expect(() => decodeCdReadFeature(find(FeatureCode.CORE))).toThrow(/"feature.code" to be 001Eh \(CD Read\)/);
    expect(() => decodeProfileList({ code: 0, data: Uint8Array.from([0, 8, 1]) })).toThrow(/not a multiple of 4/);
    expect(() => decodeBdReadFeature({ code: 0x40, data: new Uint8Array(21) })).toThrow(MalformedResponseError);
    expect(() => decodeCoreFeature({ code: 1, data: new Uint8Array(3) })).toThrow(/needs 4 data bytes, got 3/);
    const badDate = { code: 0x010c, data: Uint8Array.from([...ascii('2009123123595X'), 0, 0]) };
    expect(() => decodeFirmwareInformation(badDate)).toThrow(/not 14 ASCII digits/);
  });
});

describe('profile and feature tables', () => {
  it('names profiles', () => {
    expect(profileName(Profile.CD_ROM)).toBe('CD-ROM');
    expect(profileName(Profile.BD_R_SRM)).toBe('BD-R SRM');
    expect(profileName(0x002b)).toBe('DVD+R DL');
    expect(profileName(0x005a)).toBe('HD DVD-RW DL');
    expect(profileName(0xffff)).toBe('Non-conforming');
    expect(profileName(0)).toBe('No current profile');
    expect(profileName(0x0099)).toBe('Unknown profile 0x0099');
  });

  it('names features', () => {
    expect(featureName(FeatureCode.CD_TRACK_AT_ONCE)).toBe('CD Track at Once');
    expect(featureName(0x010d)).toBe('AACS');
    expect(featureName(0x0037)).toBe('CD-RW Media Write Support');
    expect(featureName(0x7777)).toBe('Feature 0x7777');
  });
});
