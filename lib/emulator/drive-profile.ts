/**
 * What kind of drive the emulator pretends to be: identity, read offset, C2 and cache behaviour,
 * speed, which commands it refuses and which media it reads. Quirks live here as data, never as
 * `if (model === …)` in the command handlers.
 */

import { checkBoolean, checkInteger } from '../scsi/bytes.js';
import { Opcode } from '../scsi/opcodes.js';
import type { MediaKind } from './disc-model.js';

/** Loading mechanism, as GET CONFIGURATION feature 0003h and page 2Ah report it. */
export type LoadingMechanism = 'caddy' | 'tray' | 'pop-up';

/** Feature bits the drive reports (GET CONFIGURATION, page 2Ah). */
export interface DriveFeatures {
  /** CD Read feature DAP bit: READ CD honours Digital Audio Play. */
  dap: boolean;
  /** READ TOC format 5 works and CD Read reports CD-Text. */
  cdText: boolean;
  /** Real Time Streaming feature 0107h present (SET STREAMING accepted). */
  realTimeStreaming: boolean;
  /** Core feature Physical Interface Standard: 1 SCSI, 2 ATAPI, 7 Serial ATAPI, 8 USB. */
  physicalInterface: number;
  loadingMechanism: LoadingMechanism;
  /** Drive Serial Number feature 0108h and INQUIRY VPD page 80h; absent when undefined. */
  serialNumber?: string | undefined;
}

export interface DriveProfile {
  /** Short name; weak-sector faults name the profiles that can read them. */
  name: string;
  /** INQUIRY vendor identification, up to 8 ASCII characters. */
  vendor: string;
  /** INQUIRY product identification, up to 16 ASCII characters. */
  product: string;
  /** INQUIRY product revision level, up to 4 ASCII characters. */
  revision: string;
  /**
   * Read offset in samples (MMC-FACTS §3.9): positive reads earlier than requested, so READ CD of
   * audio at LBA L returns the disc's samples from L × 588 − offset.
   */
  readOffsetSamples: number;
  /** Page 2Ah "CD-DA stream is accurate": without it, audio reads jitter when a jitter fault is set. */
  accurateStream: boolean;
  /** READ CD can return C2 error pointers; otherwise asking for them is 05/24/00. */
  c2Pointers: boolean;
  /** Fraction of corrupted bytes the drive flags in C2 (0..1). */
  c2Accuracy: number;
  /** Read cache size in sectors; 0 disables the cache. */
  cacheSectors: number;
  /** A re-read of a cached audio sector returns the cached copy (unless FUA or flushed). */
  audioFromCache: boolean;
  /** Fastest read speed, kB/s (48× = 8467). */
  maxReadSpeedKBps: number;
  /** When set, only these opcodes are implemented; others are 05/20/00. */
  supportedCommands?: readonly number[] | undefined;
  /** Opcodes the drive answers with 05/20/00 (e.g. READ CD on QEMU's scsi-cd). */
  refusedCommands: readonly number[];
  features: DriveFeatures;
  /** Media the drive reads; another medium is 02/30/02. */
  mediaKinds: readonly MediaKind[];
}

/** Names of the built-in profiles. */
export type DriveProfilePreset = 'good' | 'cheap' | 'dvd-bd' | 'qemu-scsi-cd';

const BASE_FEATURES: DriveFeatures = {
  dap: true,
  cdText: true,
  realTimeStreaming: true,
  physicalInterface: 2,
  loadingMechanism: 'tray',
};

/**
 * Built-in profiles. Vendor strings are deliberately fictional ("EMULATED") so no offset table
 * mistakes them for real drives; the qemu one copies QEMU's strings because it models QEMU.
 */
export const driveProfiles: Readonly<Record<DriveProfilePreset, DriveProfile>> = {
  // A secure-ripping drive: accurate stream, exact C2, no audio caching.
  good: {
    name: 'good',
    vendor: 'EMULATED',
    product: 'ACCURATE READER',
    revision: '1.00',
    readOffsetSamples: 6,
    accurateStream: true,
    c2Pointers: true,
    c2Accuracy: 1,
    cacheSectors: 1024,
    audioFromCache: false,
    maxReadSpeedKBps: 8467,
    refusedCommands: [],
    features: { ...BASE_FEATURES, serialNumber: 'EMU0000001' },
    mediaKinds: ['cd'],
  },
  // A budget combo drive: no C2, jittery audio, 1 MiB cache that serves audio re-reads, 24× max.
  // +667 samples is a common offset of real budget drives.
  cheap: {
    name: 'cheap',
    vendor: 'EMULATED',
    product: 'CHEAP COMBO',
    revision: '0.9',
    readOffsetSamples: 667,
    accurateStream: false,
    c2Pointers: false,
    c2Accuracy: 0,
    cacheSectors: 445,
    audioFromCache: true,
    maxReadSpeedKBps: 4234,
    refusedCommands: [],
    features: { ...BASE_FEATURES, dap: false, cdText: false },
    mediaKinds: ['cd'],
  },
  // A BD combo reader.
  'dvd-bd': {
    name: 'dvd-bd',
    vendor: 'EMULATED',
    product: 'BD COMBO READER',
    revision: '2.00',
    readOffsetSamples: 6,
    accurateStream: true,
    c2Pointers: true,
    c2Accuracy: 1,
    cacheSectors: 2048,
    audioFromCache: false,
    maxReadSpeedKBps: 8467,
    refusedCommands: [],
    features: { ...BASE_FEATURES, physicalInterface: 7, serialNumber: 'EMU0000002' },
    mediaKinds: ['cd', 'dvd', 'bd'],
  },
  // QEMU's virtio scsi-cd (QEMU-NOTES): READ CD and READ SUB-CHANNEL are refused.
  'qemu-scsi-cd': {
    name: 'qemu-scsi-cd',
    vendor: 'QEMU',
    product: 'QEMU CD-ROM',
    revision: '2.5+',
    readOffsetSamples: 0,
    accurateStream: true,
    c2Pointers: false,
    c2Accuracy: 0,
    cacheSectors: 0,
    audioFromCache: false,
    maxReadSpeedKBps: 8467,
    refusedCommands: [Opcode.READ_CD, Opcode.READ_CD_MSF, Opcode.READ_SUB_CHANNEL],
    features: { ...BASE_FEATURES, dap: false, cdText: false, realTimeStreaming: false, physicalInterface: 1 },
    mediaKinds: ['cd', 'dvd'],
  },
};

/** A preset by name, or a profile object validated as driveProfileFromJson does. */
export function resolveDriveProfile(profile: DriveProfile | DriveProfilePreset | undefined): DriveProfile {
  if (profile === undefined) return driveProfiles.good;
  if (typeof profile === 'string') {
    const preset = (driveProfiles as Record<string, DriveProfile | undefined>)[profile];
    if (!preset) {
      throw new RangeError(`Expected "profile" to be one of ${Object.keys(driveProfiles).join(', ')}, got ${JSON.stringify(profile)}`);
    }
    return preset;
  }
  return driveProfileFromJson(profile, { base: 'good' });
}

export interface DriveProfileFromJsonOptions {
  /** Preset whose values fill the fields the JSON leaves out. Default 'good'. */
  base?: DriveProfilePreset;
}

const MEDIA_KINDS: readonly MediaKind[] = ['cd', 'dvd', 'bd'];
const PROFILE_KEYS: readonly string[] = [
  'name',
  'vendor',
  'product',
  'revision',
  'readOffsetSamples',
  'accurateStream',
  'c2Pointers',
  'c2Accuracy',
  'cacheSectors',
  'audioFromCache',
  'maxReadSpeedKBps',
  'supportedCommands',
  'refusedCommands',
  'features',
  'mediaKinds',
];
const FEATURE_KEYS: readonly string[] = ['dap', 'cdText', 'realTimeStreaming', 'physicalInterface', 'loadingMechanism', 'serialNumber'];
const MECHANISMS: readonly LoadingMechanism[] = ['caddy', 'tray', 'pop-up'];

/**
 * Builds a profile from a parsed JSON object (a drive-quirks file). Fields left out come from the
 * `base` preset; opcodes may be numbers or names from the Opcode table ("READ_CD"). Throws
 * TypeError or RangeError naming the field: `Expected "c2Accuracy" to be between 0 and 1`.
 */
export function driveProfileFromJson(json: unknown, options: DriveProfileFromJsonOptions = {}): DriveProfile {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TypeError(`Expected the drive profile to be an object, got ${json === null ? 'null' : typeof json}`);
  }
  const base = resolveDriveProfile(options.base ?? 'good');
  const o = json as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!PROFILE_KEYS.includes(key)) throw new RangeError(`Unknown drive profile field "${key}"; expected one of ${PROFILE_KEYS.join(', ')}`);
  }
  const pick = <T>(key: string, check: (name: string, value: unknown) => T, fallback: T): T =>
    o[key] === undefined ? fallback : check(key, o[key]);
  const features = pick('features', (n, v) => checkFeatures(n, v, base.features), base.features);
  const supported = o.supportedCommands === undefined ? base.supportedCommands : checkOpcodes('supportedCommands', o.supportedCommands);
  const profile: DriveProfile = {
    name: pick('name', (n, v) => checkString(n, v, 1, 64), base.name),
    vendor: pick('vendor', (n, v) => checkString(n, v, 0, 8), base.vendor),
    product: pick('product', (n, v) => checkString(n, v, 0, 16), base.product),
    revision: pick('revision', (n, v) => checkString(n, v, 0, 4), base.revision),
    readOffsetSamples: pick('readOffsetSamples', (n, v) => checkInteger(n, v, -5880, 5880), base.readOffsetSamples),
    accurateStream: pick('accurateStream', checkBoolean, base.accurateStream),
    c2Pointers: pick('c2Pointers', checkBoolean, base.c2Pointers),
    c2Accuracy: pick('c2Accuracy', checkFraction, base.c2Accuracy),
    cacheSectors: pick('cacheSectors', (n, v) => checkInteger(n, v, 0, 1 << 20), base.cacheSectors),
    audioFromCache: pick('audioFromCache', checkBoolean, base.audioFromCache),
    maxReadSpeedKBps: pick('maxReadSpeedKBps', (n, v) => checkInteger(n, v, 177, 0xfffe), base.maxReadSpeedKBps),
    refusedCommands: pick('refusedCommands', checkOpcodes, base.refusedCommands),
    features,
    mediaKinds: pick('mediaKinds', checkMediaKinds, base.mediaKinds),
  };
  if (supported !== undefined) profile.supportedCommands = supported;
  return profile;
}

function checkString(name: string, value: unknown, minLength: number, maxLength: number): string {
  if (typeof value !== 'string') throw new TypeError(`Expected "${name}" to be a string, got ${typeof value}`);
  if (!/^[\x20-\x7e]*$/u.test(value)) throw new RangeError(`Expected "${name}" to be printable ASCII, got ${JSON.stringify(value)}`);
  if (value.length < minLength || value.length > maxLength) {
    throw new RangeError(`Expected "${name}" to be ${minLength} to ${maxLength} characters long, got ${value.length}`);
  }
  return value;
}

function checkFraction(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`Expected "${name}" to be a number, got ${typeof value}`);
  if (!(value >= 0 && value <= 1)) throw new RangeError(`Expected "${name}" to be between 0 and 1, got ${value}`);
  return value;
}

function checkOpcodes(name: string, value: unknown): number[] {
  if (!Array.isArray(value)) throw new TypeError(`Expected "${name}" to be an array of opcodes, got ${typeof value}`);
  return value.map((item: unknown, i) => {
    if (typeof item === 'string') {
      const code = (Opcode as Record<string, number | undefined>)[item];
      if (code === undefined) throw new RangeError(`Expected "${name}[${i}]" to name an opcode (e.g. "READ_CD"), got ${JSON.stringify(item)}`);
      return code;
    }
    return checkInteger(`${name}[${i}]`, item, 0, 0xff);
  });
}

function checkMediaKinds(name: string, value: unknown): MediaKind[] {
  if (!Array.isArray(value)) throw new TypeError(`Expected "${name}" to be an array, got ${typeof value}`);
  if (value.length === 0) throw new RangeError(`Expected "${name}" to name at least one medium`);
  return value.map((item: unknown, i) => {
    if (typeof item !== 'string' || !(MEDIA_KINDS as readonly string[]).includes(item)) {
      throw new RangeError(`Expected "${name}[${i}]" to be one of ${MEDIA_KINDS.join(', ')}, got ${JSON.stringify(item)}`);
    }
    return item as MediaKind;
  });
}

function checkFeatures(name: string, value: unknown, fallback: DriveFeatures): DriveFeatures {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`Expected "${name}" to be an object, got ${value === null ? 'null' : typeof value}`);
  }
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!FEATURE_KEYS.includes(key)) throw new RangeError(`Unknown field "${name}.${key}"; expected one of ${FEATURE_KEYS.join(', ')}`);
  }
  const features: DriveFeatures = {
    dap: o.dap === undefined ? fallback.dap : checkBoolean(`${name}.dap`, o.dap),
    cdText: o.cdText === undefined ? fallback.cdText : checkBoolean(`${name}.cdText`, o.cdText),
    realTimeStreaming:
      o.realTimeStreaming === undefined ? fallback.realTimeStreaming : checkBoolean(`${name}.realTimeStreaming`, o.realTimeStreaming),
    physicalInterface:
      o.physicalInterface === undefined
        ? fallback.physicalInterface
        : checkInteger(`${name}.physicalInterface`, o.physicalInterface, 0, 0xffff),
    loadingMechanism: fallback.loadingMechanism,
    serialNumber: fallback.serialNumber,
  };
  if (o.loadingMechanism !== undefined) {
    if (typeof o.loadingMechanism !== 'string' || !(MECHANISMS as readonly string[]).includes(o.loadingMechanism)) {
      throw new RangeError(`Expected "${name}.loadingMechanism" to be one of ${MECHANISMS.join(', ')}, got ${JSON.stringify(o.loadingMechanism)}`);
    }
    features.loadingMechanism = o.loadingMechanism as LoadingMechanism;
  }
  if (o.serialNumber !== undefined) features.serialNumber = checkString(`${name}.serialNumber`, o.serialNumber, 1, 64);
  return features;
}

/** Whether the profile answers `opcode` at all (supportedCommands, then refusedCommands). */
export function profileImplements(profile: DriveProfile, opcode: number): boolean {
  if (profile.supportedCommands && !profile.supportedCommands.includes(opcode)) return false;
  return !profile.refusedCommands.includes(opcode);
}

