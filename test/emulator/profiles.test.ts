import { describe, expect, test } from 'vitest';
import { createDataCd, createEmulatedDrive, driveProfileFromJson, driveProfiles, resolveDriveProfile } from '../../lib/emulator/index.js';
import { expectSense, send } from './helpers.js';

describe('drive profiles', () => {
  test('presets', () => {
    expect(driveProfiles.good).toMatchObject({ readOffsetSamples: 6, accurateStream: true, c2Pointers: true, c2Accuracy: 1, refusedCommands: [], mediaKinds: ['cd'] });
    expect(driveProfiles.cheap).toMatchObject({ readOffsetSamples: 667, accurateStream: false, c2Pointers: false, audioFromCache: true, maxReadSpeedKBps: 4234 });
    expect(driveProfiles.cheap.cacheSectors * 2352).toBeLessThanOrEqual(1024 * 1024);
    expect(driveProfiles['dvd-bd']).toMatchObject({ readOffsetSamples: 6, c2Pointers: true, mediaKinds: ['cd', 'dvd', 'bd'] });
    expect(driveProfiles['qemu-scsi-cd'].refusedCommands).toEqual([0xbe, 0xb9, 0x42]);
    expect(resolveDriveProfile(undefined)).toBe(driveProfiles.good);
    expect(() => resolveDriveProfile('plextor' as 'good')).toThrow(/"profile" to be one of good, cheap, dvd-bd, qemu-scsi-cd/);
  });

  test('from JSON: missing fields come from the base preset, opcodes by name or number', () => {
    const profile = driveProfileFromJson(
      { name: 'old', vendor: 'ACME', refusedCommands: ['GET_CONFIGURATION', 0x4a], features: { cdText: true } },
      { base: 'cheap' },
    );
    expect(profile).toMatchObject({ name: 'old', vendor: 'ACME', product: 'CHEAP COMBO', readOffsetSamples: 667, refusedCommands: [0x46, 0x4a] });
    expect(profile.features).toMatchObject({ cdText: true, dap: false });
    expect(driveProfileFromJson({ supportedCommands: ['INQUIRY'] }).supportedCommands).toEqual([0x12]);
  });

  test('from JSON: TypeError or RangeError naming the field', () => {
    expect(() => driveProfileFromJson(null)).toThrow(TypeError);
    expect(() => driveProfileFromJson({ readOffsetSamples: '6' })).toThrow(/Expected "readOffsetSamples" to be an integer/);
    expect(() => driveProfileFromJson({ c2Accuracy: 1.5 })).toThrow(/Expected "c2Accuracy" to be between 0 and 1, got 1.5/);
    expect(() => driveProfileFromJson({ vendor: 'MUCH TOO LONG' })).toThrow(/"vendor" to be 0 to 8 characters/);
    expect(() => driveProfileFromJson({ mediaKinds: ['hddvd'] })).toThrow(/"mediaKinds\[0\]"/);
    expect(() => driveProfileFromJson({ mediaKinds: [] })).toThrow(RangeError);
    expect(() => driveProfileFromJson({ refusedCommands: ['READ_CDDA'] })).toThrow(/"refusedCommands\[0\]"/);
    expect(() => driveProfileFromJson({ features: { loadingMechanism: 'slot' } })).toThrow(/"features.loadingMechanism"/);
    expect(() => driveProfileFromJson({ readOfsetSamples: 6 })).toThrow(/Unknown drive profile field "readOfsetSamples"/);
    expect(() => driveProfileFromJson({ features: { c2: true } })).toThrow(/Unknown field "features.c2"/);
    expect(() => driveProfileFromJson({ accurateStream: 1 })).toThrow(TypeError);
  });

  test('an MMC-1 style drive refusing GET CONFIGURATION: 05/20/00, and the Drive falls back to page 2Ah', async () => {
    const profile = driveProfileFromJson({ name: 'mmc1', refusedCommands: ['GET_CONFIGURATION'] });
    const emu = createEmulatedDrive({ disc: createDataCd(10), profile });
    expectSense(await send(emu, [0x46, 0, 0, 0, 0, 0, 0, 0, 8, 0], 8), 5, 0x20, 0);
    const { Drive } = await import('../../lib/drive/drive.js');
    const caps = await Drive.fromTransport(emu).capabilities();
    expect(caps).toMatchObject({ hasConfiguration: false, c2Pointers: true, accurateStream: true });
  });

  test('supportedCommands: everything else is an invalid opcode', async () => {
    const emu = createEmulatedDrive({ disc: createDataCd(10), profile: driveProfileFromJson({ supportedCommands: ['INQUIRY', 'TEST_UNIT_READY'] }) });
    expect((await send(emu, [0, 0, 0, 0, 0, 0])).status).toBe(0);
    expectSense(await send(emu, [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8), 5, 0x20, 0);
  });
});
