/**
 * GET CONFIGURATION responses (MMC-FACTS §2.10): the feature descriptors a read-only drive
 * reports, from the profile (what it can do) and the medium (what is current).
 */

import { writeBe16, writeBe32 } from '../scsi/bytes.js';
import { FeatureCode, Profile } from '../scsi/get-configuration.js';
import type { MediaKind } from './disc-model.js';
import type { DriveProfile } from './drive-profile.js';
import { invalidFieldInCdb } from './sense-data.js';

/** Current profile per medium (0 = none, MMC-FACTS §2.10). */
export function profileForMedium(kind: MediaKind | undefined): number {
  switch (kind) {
    case 'cd':
      return Profile.CD_ROM;
    case 'dvd':
      return Profile.DVD_ROM;
    case 'bd':
      return Profile.BD_ROM;
    default:
      return Profile.NONE;
  }
}

interface Feature {
  code: number;
  version: number;
  persistent: boolean;
  current: boolean;
  data: number[];
}

const MECHANISM_CODES = { caddy: 0, tray: 1, 'pop-up': 2 } as const;

/**
 * Every feature the drive supports, ascending by code. `medium` is the kind of the disc that is
 * loaded and ready (undefined: none), which sets the current bits.
 */
export function driveFeatures(profile: DriveProfile, medium: MediaKind | undefined): Feature[] {
  const reads = (kind: MediaKind): boolean => profile.mediaKinds.includes(kind);
  const current = profileForMedium(medium);
  const features: Feature[] = [];
  const profiles: number[] = [];
  // Highest profile first, as drives list them.
  for (const kind of ['bd', 'dvd', 'cd'] as const) {
    if (!reads(kind)) continue;
    const code = profileForMedium(kind);
    profiles.push(code >> 8, code & 0xff, code === current ? 0x01 : 0x00, 0x00);
  }
  features.push({ code: FeatureCode.PROFILE_LIST, version: 0, persistent: true, current: true, data: profiles });
  const core = new Uint8Array(8);
  writeBe32(core, 0, profile.features.physicalInterface);
  core[4] = 0x01; // DBE: device busy events
  features.push({ code: FeatureCode.CORE, version: 1, persistent: true, current: true, data: [...core] });
  const mechanism = MECHANISM_CODES[profile.features.loadingMechanism];
  features.push({
    code: FeatureCode.REMOVABLE_MEDIUM,
    version: 0,
    persistent: true,
    current: true,
    // Eject supported, lockable.
    data: [(mechanism << 5) | 0x08 | 0x01, 0, 0, 0],
  });
  const random = new Uint8Array(8);
  writeBe32(random, 0, 2048);
  writeBe16(random, 4, medium === 'dvd' ? 16 : medium === 'bd' ? 32 : 1);
  features.push({ code: FeatureCode.RANDOM_READABLE, version: 0, persistent: false, current: medium !== undefined, data: [...random] });
  if (reads('cd')) {
    features.push({ code: FeatureCode.MULTI_READ, version: 0, persistent: false, current: medium === 'cd', data: [] });
    const bits = (profile.features.dap ? 0x80 : 0) | (profile.c2Pointers ? 0x02 : 0) | (profile.features.cdText ? 0x01 : 0);
    features.push({ code: FeatureCode.CD_READ, version: 2, persistent: false, current: medium === 'cd', data: [bits, 0, 0, 0] });
  }
  if (reads('dvd')) {
    features.push({ code: FeatureCode.DVD_READ, version: 1, persistent: false, current: medium === 'dvd', data: [0x01, 0, 0x01, 0] });
  }
  if (reads('bd')) {
    const bd = new Uint8Array(28);
    writeBe16(bd, 20, 0x0002); // Class 0 BD-ROM: version 1
    features.push({ code: FeatureCode.BD_READ, version: 1, persistent: false, current: medium === 'bd', data: [...bd] });
  }
  if (profile.features.realTimeStreaming) {
    // SCS (SET CD SPEED) and MP2A (page 2Ah speeds); no stream writing on a reader.
    features.push({ code: FeatureCode.REAL_TIME_STREAMING, version: 3, persistent: false, current: medium !== undefined, data: [0x0c, 0, 0, 0] });
  }
  const serial = profile.features.serialNumber;
  if (serial !== undefined) {
    const padded = serial.padEnd(Math.ceil(serial.length / 4) * 4, ' ');
    features.push({
      code: FeatureCode.DRIVE_SERIAL_NUMBER,
      version: 0,
      persistent: true,
      current: true,
      data: [...padded].map((c) => c.charCodeAt(0)),
    });
  }
  return features;
}

/**
 * The response to a GET CONFIGURATION CDB: RT 0 every feature from the starting one, RT 1 only
 * current ones, RT 2 just the named feature (header only when unsupported); RT 3 is 05/24/00.
 */
export function getConfigurationResponse(profile: DriveProfile, medium: MediaKind | undefined, cdb: Uint8Array): Uint8Array {
  const requestType = (cdb[1] ?? 0) & 0x03;
  if (requestType === 3) throw invalidFieldInCdb(1, 1);
  const starting = ((cdb[2] ?? 0) << 8) | (cdb[3] ?? 0);
  const selected = driveFeatures(profile, medium).filter((f) => {
    if (requestType === 2) return f.code === starting;
    if (f.code < starting) return false;
    return requestType === 0 || f.current;
  });
  const length = 8 + selected.reduce((sum, f) => sum + 4 + f.data.length, 0);
  const out = new Uint8Array(length);
  writeBe32(out, 0, length - 4);
  writeBe16(out, 6, profileForMedium(medium));
  let o = 8;
  for (const f of selected) {
    writeBe16(out, o, f.code);
    out[o + 2] = (f.version << 2) | (f.persistent ? 0x02 : 0) | (f.current ? 0x01 : 0);
    out[o + 3] = f.data.length;
    out.set(f.data, o + 4);
    o += 4 + f.data.length;
  }
  return out;
}
