/**
 * GET CONFIGURATION (46h), MMC-6 "GET CONFIGURATION Command", with the Profile and Feature tables of MMC-6
 * "Features" (MMC-FACTS §2.10).
 *
 * Bytes 0-3 of the response hold the Data Length (bytes following that field): the complete response is
 * `readBe32(data, 0) + 4` bytes (`requiredAllocationLength(data, 4)`). Drives often have more features than
 * a first allocation holds; `parseConfiguration` then returns the complete descriptors that arrived with
 * `truncated: true`, and the Drive re-issues with a larger allocation.
 */

import { MalformedResponseError } from '../errors.js';
import type { ScsiCommand } from '../transport/transport.js';
import { checkInteger, readBe16, readBe32, toHex, writeBe16 } from './bytes.js';
import { Opcode } from './opcodes.js';

const COMMAND = 'GET CONFIGURATION';

/** RT field (CDB byte 1 bits 1-0), MMC-6 GET CONFIGURATION, "The CDB and its parameters". */
export const RequestType = {
  /** Every feature the drive supports, current or not, from Starting Feature Number on. */
  ALL: 0,
  /** Only features whose Current bit is set, from Starting Feature Number on. */
  CURRENT: 1,
  /** Only the feature named by Starting Feature Number (header only when unsupported). */
  ONE: 2,
} as const;
export type RequestType = (typeof RequestType)[keyof typeof RequestType];

export interface GetConfigurationOptions {
  /** RequestType value. Default ALL. */
  requestType?: number;
  /** Starting Feature Number, 0-FFFFh. Default 0. */
  startingFeature?: number;
  /** Allocation Length, 1-65535. Default 65530. */
  allocationLength?: number;
}

/**
 * GET CONFIGURATION CDB (MMC-6 GET CONFIGURATION, "The CDB and its parameters"): `46 | b1 bits1-0 RT | b2-3
 * Starting Feature Number | b7-8 Allocation Length | b9`.
 */
export function buildGetConfiguration(options: GetConfigurationOptions = {}): ScsiCommand {
  const requestType = checkInteger('requestType', options.requestType ?? RequestType.ALL, 0, 2);
  const startingFeature = checkInteger('startingFeature', options.startingFeature ?? 0, 0, 0xffff);
  const allocationLength = checkInteger('allocationLength', options.allocationLength ?? 65530, 1, 0xffff);
  const cdb = new Uint8Array(10);
  cdb[0] = Opcode.GET_CONFIGURATION;
  cdb[1] = requestType;
  writeBe16(cdb, 2, startingFeature);
  writeBe16(cdb, 7, allocationLength);
  return { cdb, direction: 'in', dataLength: allocationLength };
}

/** Profile numbers (MMC-6 "Profile List", Table "Profile List"; MMC-FACTS §2.10). */
export const Profile = {
  /** No current profile: typically no medium (0000h is reserved in MMC). */
  NONE: 0x0000,
  NON_REMOVABLE_DISK: 0x0001,
  REMOVABLE_DISK: 0x0002,
  MO_ERASABLE: 0x0003,
  OPTICAL_WRITE_ONCE: 0x0004,
  AS_MO: 0x0005,
  CD_ROM: 0x0008,
  CD_R: 0x0009,
  CD_RW: 0x000a,
  DVD_ROM: 0x0010,
  DVD_R_SEQUENTIAL: 0x0011,
  DVD_RAM: 0x0012,
  DVD_RW_RESTRICTED_OVERWRITE: 0x0013,
  DVD_RW_SEQUENTIAL: 0x0014,
  DVD_R_DL_SEQUENTIAL: 0x0015,
  DVD_R_DL_LAYER_JUMP: 0x0016,
  DVD_RW_DL: 0x0017,
  DVD_DOWNLOAD: 0x0018,
  DVD_PLUS_RW: 0x001a,
  DVD_PLUS_R: 0x001b,
  DDCD_ROM: 0x0020,
  DDCD_R: 0x0021,
  DDCD_RW: 0x0022,
  DVD_PLUS_RW_DL: 0x002a,
  DVD_PLUS_R_DL: 0x002b,
  BD_ROM: 0x0040,
  BD_R_SRM: 0x0041,
  BD_R_RRM: 0x0042,
  BD_RE: 0x0043,
  HD_DVD_ROM: 0x0050,
  HD_DVD_R: 0x0051,
  HD_DVD_RAM: 0x0052,
  HD_DVD_RW: 0x0053,
  HD_DVD_R_DL: 0x0058,
  HD_DVD_RW_DL: 0x005a,
  NON_CONFORMING: 0xffff,
} as const;
export type Profile = (typeof Profile)[keyof typeof Profile];

const PROFILE_NAMES = new Map<number, string>([
  [Profile.NONE, 'No current profile'],
  [Profile.NON_REMOVABLE_DISK, 'Non-removable disk'],
  [Profile.REMOVABLE_DISK, 'Removable disk'],
  [Profile.MO_ERASABLE, 'MO erasable'],
  [Profile.OPTICAL_WRITE_ONCE, 'Optical write once'],
  [Profile.AS_MO, 'AS-MO'],
  [Profile.CD_ROM, 'CD-ROM'],
  [Profile.CD_R, 'CD-R'],
  [Profile.CD_RW, 'CD-RW'],
  [Profile.DVD_ROM, 'DVD-ROM'],
  [Profile.DVD_R_SEQUENTIAL, 'DVD-R sequential recording'],
  [Profile.DVD_RAM, 'DVD-RAM'],
  [Profile.DVD_RW_RESTRICTED_OVERWRITE, 'DVD-RW restricted overwrite'],
  [Profile.DVD_RW_SEQUENTIAL, 'DVD-RW sequential recording'],
  [Profile.DVD_R_DL_SEQUENTIAL, 'DVD-R DL sequential recording'],
  [Profile.DVD_R_DL_LAYER_JUMP, 'DVD-R DL layer jump recording'],
  [Profile.DVD_RW_DL, 'DVD-RW DL'],
  [Profile.DVD_DOWNLOAD, 'DVD-Download disc recording'],
  [Profile.DVD_PLUS_RW, 'DVD+RW'],
  [Profile.DVD_PLUS_R, 'DVD+R'],
  [Profile.DDCD_ROM, 'DDCD-ROM'],
  [Profile.DDCD_R, 'DDCD-R'],
  [Profile.DDCD_RW, 'DDCD-RW'],
  [Profile.DVD_PLUS_RW_DL, 'DVD+RW DL'],
  [Profile.DVD_PLUS_R_DL, 'DVD+R DL'],
  [Profile.BD_ROM, 'BD-ROM'],
  [Profile.BD_R_SRM, 'BD-R SRM'],
  [Profile.BD_R_RRM, 'BD-R RRM'],
  [Profile.BD_RE, 'BD-RE'],
  [Profile.HD_DVD_ROM, 'HD DVD-ROM'],
  [Profile.HD_DVD_R, 'HD DVD-R'],
  [Profile.HD_DVD_RAM, 'HD DVD-RAM'],
  [Profile.HD_DVD_RW, 'HD DVD-RW'],
  [Profile.HD_DVD_R_DL, 'HD DVD-R DL'],
  [Profile.HD_DVD_RW_DL, 'HD DVD-RW DL'],
  [Profile.NON_CONFORMING, 'Non-conforming'],
]);

/**
 * Name of a profile number as MMC writes it, e.g. `CD-ROM`, `BD-R SRM`; `Unknown profile 0x00XX` otherwise.
 */
export function profileName(code: number): string {
  return PROFILE_NAMES.get(code) ?? `Unknown profile 0x${toHex(code, 4)}`;
}

/** Feature codes (MMC-6 "Features", Table "Feature Codes"). */
export const FeatureCode = {
  PROFILE_LIST: 0x0000,
  CORE: 0x0001,
  MORPHING: 0x0002,
  REMOVABLE_MEDIUM: 0x0003,
  WRITE_PROTECT: 0x0004,
  RANDOM_READABLE: 0x0010,
  MULTI_READ: 0x001d,
  CD_READ: 0x001e,
  DVD_READ: 0x001f,
  RANDOM_WRITABLE: 0x0020,
  INCREMENTAL_STREAMING_WRITABLE: 0x0021,
  FORMATTABLE: 0x0023,
  HARDWARE_DEFECT_MANAGEMENT: 0x0024,
  WRITE_ONCE: 0x0025,
  RESTRICTED_OVERWRITE: 0x0026,
  CD_RW_CAV_WRITE: 0x0027,
  MRW: 0x0028,
  ENHANCED_DEFECT_REPORTING: 0x0029,
  DVD_PLUS_RW: 0x002a,
  DVD_PLUS_R: 0x002b,
  RIGID_RESTRICTED_OVERWRITE: 0x002c,
  CD_TRACK_AT_ONCE: 0x002d,
  CD_MASTERING: 0x002e,
  DVD_R_RW_WRITE: 0x002f,
  DDCD_READ: 0x0030,
  DDCD_R_WRITE: 0x0031,
  DDCD_RW_WRITE: 0x0032,
  LAYER_JUMP_RECORDING: 0x0033,
  LJ_RIGID_RESTRICTED_OVERWRITE: 0x0034,
  STOP_LONG_OPERATION: 0x0035,
  CD_RW_MEDIA_WRITE_SUPPORT: 0x0037,
  BD_R_POW: 0x0038,
  DVD_PLUS_RW_DUAL_LAYER: 0x003a,
  DVD_PLUS_R_DUAL_LAYER: 0x003b,
  BD_READ: 0x0040,
  BD_WRITE: 0x0041,
  TSR: 0x0042,
  HD_DVD_READ: 0x0050,
  HD_DVD_WRITE: 0x0051,
  HD_DVD_RW_FRAGMENT_RECORDING: 0x0052,
  HYBRID_DISC: 0x0080,
  POWER_MANAGEMENT: 0x0100,
  SMART: 0x0101,
  EMBEDDED_CHANGER: 0x0102,
  CD_AUDIO_EXTERNAL_PLAY: 0x0103,
  MICROCODE_UPGRADE: 0x0104,
  TIMEOUT: 0x0105,
  DVD_CSS: 0x0106,
  REAL_TIME_STREAMING: 0x0107,
  DRIVE_SERIAL_NUMBER: 0x0108,
  MEDIA_SERIAL_NUMBER: 0x0109,
  DISC_CONTROL_BLOCKS: 0x010a,
  DVD_CPRM: 0x010b,
  FIRMWARE_INFORMATION: 0x010c,
  AACS: 0x010d,
  DVD_CSS_MANAGED_RECORDING: 0x010e,
  VCPS: 0x0110,
  SECUR_DISC: 0x0113,
  OSSC: 0x0142,
} as const;
export type FeatureCode = (typeof FeatureCode)[keyof typeof FeatureCode];

const FEATURE_NAMES = new Map<number, string>([
  [FeatureCode.PROFILE_LIST, 'Profile List'],
  [FeatureCode.CORE, 'Core'],
  [FeatureCode.MORPHING, 'Morphing'],
  [FeatureCode.REMOVABLE_MEDIUM, 'Removable Medium'],
  [FeatureCode.WRITE_PROTECT, 'Write Protect'],
  [FeatureCode.RANDOM_READABLE, 'Random Readable'],
  [FeatureCode.MULTI_READ, 'Multi-Read'],
  [FeatureCode.CD_READ, 'CD Read'],
  [FeatureCode.DVD_READ, 'DVD Read'],
  [FeatureCode.RANDOM_WRITABLE, 'Random Writable'],
  [FeatureCode.INCREMENTAL_STREAMING_WRITABLE, 'Incremental Streaming Writable'],
  [FeatureCode.FORMATTABLE, 'Formattable'],
  [FeatureCode.HARDWARE_DEFECT_MANAGEMENT, 'Hardware Defect Management'],
  [FeatureCode.WRITE_ONCE, 'Write Once'],
  [FeatureCode.RESTRICTED_OVERWRITE, 'Restricted Overwrite'],
  [FeatureCode.CD_RW_CAV_WRITE, 'CD-RW CAV Write'],
  [FeatureCode.MRW, 'MRW'],
  [FeatureCode.ENHANCED_DEFECT_REPORTING, 'Enhanced Defect Reporting'],
  [FeatureCode.DVD_PLUS_RW, 'DVD+RW'],
  [FeatureCode.DVD_PLUS_R, 'DVD+R'],
  [FeatureCode.RIGID_RESTRICTED_OVERWRITE, 'Rigid Restricted Overwrite'],
  [FeatureCode.CD_TRACK_AT_ONCE, 'CD Track at Once'],
  [FeatureCode.CD_MASTERING, 'CD Mastering'],
  [FeatureCode.DVD_R_RW_WRITE, 'DVD-R/-RW Write'],
  [FeatureCode.DDCD_READ, 'DDCD Read'],
  [FeatureCode.DDCD_R_WRITE, 'DDCD-R Write'],
  [FeatureCode.DDCD_RW_WRITE, 'DDCD-RW Write'],
  [FeatureCode.LAYER_JUMP_RECORDING, 'Layer Jump Recording'],
  [FeatureCode.LJ_RIGID_RESTRICTED_OVERWRITE, 'LJ Rigid Restricted Overwrite'],
  [FeatureCode.STOP_LONG_OPERATION, 'Stop Long Operation'],
  [FeatureCode.CD_RW_MEDIA_WRITE_SUPPORT, 'CD-RW Media Write Support'],
  [FeatureCode.BD_R_POW, 'BD-R POW'],
  [FeatureCode.DVD_PLUS_RW_DUAL_LAYER, 'DVD+RW Dual Layer'],
  [FeatureCode.DVD_PLUS_R_DUAL_LAYER, 'DVD+R Dual Layer'],
  [FeatureCode.BD_READ, 'BD Read'],
  [FeatureCode.BD_WRITE, 'BD Write'],
  [FeatureCode.TSR, 'TSR'],
  [FeatureCode.HD_DVD_READ, 'HD DVD Read'],
  [FeatureCode.HD_DVD_WRITE, 'HD DVD Write'],
  [FeatureCode.HD_DVD_RW_FRAGMENT_RECORDING, 'HD DVD-RW Fragment Recording'],
  [FeatureCode.HYBRID_DISC, 'Hybrid Disc'],
  [FeatureCode.POWER_MANAGEMENT, 'Power Management'],
  [FeatureCode.SMART, 'SMART'],
  [FeatureCode.EMBEDDED_CHANGER, 'Embedded Changer'],
  [FeatureCode.CD_AUDIO_EXTERNAL_PLAY, 'CD Audio External Play'],
  [FeatureCode.MICROCODE_UPGRADE, 'Microcode Upgrade'],
  [FeatureCode.TIMEOUT, 'Timeout'],
  [FeatureCode.DVD_CSS, 'DVD CSS'],
  [FeatureCode.REAL_TIME_STREAMING, 'Real Time Streaming'],
  [FeatureCode.DRIVE_SERIAL_NUMBER, 'Drive Serial Number'],
  [FeatureCode.MEDIA_SERIAL_NUMBER, 'Media Serial Number'],
  [FeatureCode.DISC_CONTROL_BLOCKS, 'Disc Control Blocks'],
  [FeatureCode.DVD_CPRM, 'DVD CPRM'],
  [FeatureCode.FIRMWARE_INFORMATION, 'Firmware Information'],
  [FeatureCode.AACS, 'AACS'],
  [FeatureCode.DVD_CSS_MANAGED_RECORDING, 'DVD CSS Managed Recording'],
  [FeatureCode.VCPS, 'VCPS'],
  [FeatureCode.SECUR_DISC, 'SecurDisc'],
  [FeatureCode.OSSC, 'OSSC'],
]);

/** Name of a feature code as MMC writes it, e.g. `CD Read`; `Feature 0xXXXX` when not in the table. */
export function featureName(code: number): string {
  return FEATURE_NAMES.get(code) ?? `Feature 0x${toHex(code, 4)}`;
}

/** One Feature Descriptor (MMC-6 "Feature Descriptor format"). */
export interface ConfigurationFeature {
  /** Feature Code. */
  code: number;
  name: string;
  /** Version (byte 2 bits 5-2). */
  version: number;
  /** Persistent (byte 2 bit 1): always current. */
  persistent: boolean;
  /** Current (byte 2 bit 0): usable with the medium now in the drive. */
  current: boolean;
  /** Feature-dependent data (Additional Length bytes from descriptor byte 4), a view. */
  data: Uint8Array;
}

/** GET CONFIGURATION response (MMC-6 GET CONFIGURATION, "Response Parameter List"). */
export interface Configuration {
  /** Data Length field: bytes following it in the complete response. */
  dataLength: number;
  /** Current Profile (bytes 6-7); 0 typically means no medium. */
  currentProfile: number;
  currentProfileName: string;
  features: ConfigurationFeature[];
  /** The Data Length announced more than was received: re-issue with `dataLength + 4` bytes. */
  truncated: boolean;
}

/**
 * Parses a GET CONFIGURATION response (MMC-6 GET CONFIGURATION, "Response Parameter List"): 8-byte Feature
 * Header, then Feature Descriptors (4 + Additional Length bytes each). Only the part the Data Length covers
 * is parsed. When the Data Length announces more than was received (allocation too small), the complete
 * descriptors that arrived are returned with `truncated: true`. A descriptor running past the Data Length
 * is malformed.
 */
export function parseConfiguration(data: Uint8Array): Configuration {
  if (data.length < 8) {
    throw new MalformedResponseError(COMMAND, `feature header needs 8 bytes, got ${data.length}`, data);
  }
  const dataLength = readBe32(data, 0);
  if (dataLength < 4) {
    throw new MalformedResponseError(COMMAND, `data length ${dataLength} is shorter than the feature header`, data);
  }
  const declaredEnd = 4 + dataLength;
  const truncated = declaredEnd > data.length;
  const currentProfile = readBe16(data, 6);
  const features: ConfigurationFeature[] = [];
  let offset = 8;
  while (offset < declaredEnd) {
    if (offset + 4 > declaredEnd) {
      throw new MalformedResponseError(COMMAND, `feature descriptor at byte ${offset} is cut by the data length`, data);
    }
    if (offset + 4 > data.length) break;
    const code = readBe16(data, offset);
    const flags = data[offset + 2] ?? 0;
    const next = offset + 4 + (data[offset + 3] ?? 0);
    if (next > declaredEnd) {
      throw new MalformedResponseError(
        COMMAND,
        `feature ${toHex(code, 4)}h at byte ${offset} runs past the data length (${next} > ${declaredEnd})`,
        data,
      );
    }
    if (next > data.length) break;
    features.push({
      code,
      name: featureName(code),
      version: (flags >> 2) & 0x0f,
      persistent: (flags & 0x02) !== 0,
      current: (flags & 0x01) !== 0,
      data: data.subarray(offset + 4, next),
    });
    offset = next;
  }
  return { dataLength, currentProfile, currentProfileName: profileName(currentProfile), features, truncated };
}

type FeatureInput = Pick<ConfigurationFeature, 'code' | 'data'> & Partial<Pick<ConfigurationFeature, 'version'>>;

function expectFeature(feature: FeatureInput, code: number, minDataLength: number): Uint8Array {
  if (feature.code !== code) {
    throw new TypeError(
      `Expected "feature.code" to be ${toHex(code, 4)}h (${featureName(code)}), got ${toHex(feature.code, 4)}h`,
    );
  }
  if (feature.data.length < minDataLength) {
    throw new MalformedResponseError(
      COMMAND,
      `${featureName(code)} feature needs ${minDataLength} data bytes, got ${feature.data.length}`,
      feature.data,
    );
  }
  return feature.data;
}

/** One Profile Descriptor of the Profile List feature. */
export interface ProfileListEntry {
  /** Profile Number. */
  profile: number;
  name: string;
  /** CurrentP (byte 2 bit 0). */
  current: boolean;
}

/** Profile List feature 0000h (MMC-6 "Feature 0000h: Profile List"): 4-byte Profile Descriptors. */
export function decodeProfileList(feature: FeatureInput): ProfileListEntry[] {
  const data = expectFeature(feature, FeatureCode.PROFILE_LIST, 0);
  if (data.length % 4 !== 0) {
    throw new MalformedResponseError(COMMAND, `Profile List length ${data.length} is not a multiple of 4`, data);
  }
  const out: ProfileListEntry[] = [];
  for (let o = 0; o < data.length; o += 4) {
    const profile = readBe16(data, o);
    out.push({ profile, name: profileName(profile), current: ((data[o + 2] ?? 0) & 0x01) !== 0 });
  }
  return out;
}

/** Physical Interface Standard codes of the Core feature (MMC-6 "Feature 0001h: Core"). */
const PHYSICAL_INTERFACES = new Map<number, string>([
  [0, 'Unspecified'],
  [1, 'SCSI Family'],
  [2, 'ATAPI'],
  [3, 'IEEE 1394-1995'],
  [4, 'IEEE 1394A'],
  [5, 'Fibre Channel'],
  [6, 'IEEE 1394B'],
  [7, 'Serial ATAPI'],
  [8, 'USB'],
  [0xffff, 'Vendor Unique'],
]);

export interface CoreFeature {
  /** Physical Interface Standard (bytes 4-7). */
  physicalInterface: number;
  physicalInterfaceName: string;
  /** DBE, Device Busy Event supported (byte 8 bit 0), when the descriptor has byte 8. */
  dbe?: boolean;
  /** INQ2, INQUIRY with EVPD/16-bit allocation (byte 8 bit 1), when version ≥ 2. */
  inq2?: boolean;
}

/** Core feature 0001h (MMC-6 "Feature 0001h: Core"). */
export function decodeCoreFeature(feature: FeatureInput): CoreFeature {
  const data = expectFeature(feature, FeatureCode.CORE, 4);
  const physicalInterface = readBe32(data, 0);
  const out: CoreFeature = {
    physicalInterface,
    physicalInterfaceName: PHYSICAL_INTERFACES.get(physicalInterface) ?? `Unknown interface ${physicalInterface}`,
  };
  const b8 = data[4];
  if (b8 !== undefined) {
    out.dbe = (b8 & 0x01) !== 0;
    if ((feature.version ?? 0) >= 2) out.inq2 = (b8 & 0x02) !== 0;
  }
  return out;
}

const LOADING_MECHANISMS = new Map<number, string>([
  [0, 'Caddy/Slot'],
  [1, 'Tray'],
  [2, 'Pop-up'],
  [4, 'Embedded changer with individually changeable discs'],
  [5, 'Embedded changer using a magazine'],
]);

export interface RemovableMediumFeature {
  /** Loading Mechanism Type (byte 4 bits 7-5). */
  loadingMechanism: number;
  loadingMechanismName: string;
  /** Load (byte 4 bit 4): the drive can load the medium; version ≥ 2 only. */
  load?: boolean;
  /** Eject (byte 4 bit 3). */
  eject: boolean;
  /** Pvnt Jmpr (byte 4 bit 2): the prevent jumper is absent/present as MMC defines. */
  preventJumper: boolean;
  /** DBML (byte 4 bit 1): Device Busy events during load/unload; version ≥ 2 only. */
  dbml?: boolean;
  /** Lock (byte 4 bit 0): PREVENT ALLOW MEDIUM REMOVAL can lock the medium. */
  lock: boolean;
}

/** Removable Medium feature 0003h (MMC-6 "Feature 0003h: Removable Medium"). */
export function decodeRemovableMediumFeature(feature: FeatureInput): RemovableMediumFeature {
  const b4 = expectFeature(feature, FeatureCode.REMOVABLE_MEDIUM, 1)[0] ?? 0;
  const loadingMechanism = b4 >> 5;
  const out: RemovableMediumFeature = {
    loadingMechanism,
    loadingMechanismName: LOADING_MECHANISMS.get(loadingMechanism) ?? `Reserved (${loadingMechanism})`,
    eject: (b4 & 0x08) !== 0,
    preventJumper: (b4 & 0x04) !== 0,
    lock: (b4 & 0x01) !== 0,
  };
  if ((feature.version ?? 0) >= 2) {
    out.load = (b4 & 0x10) !== 0;
    out.dbml = (b4 & 0x02) !== 0;
  }
  return out;
}

export interface CdReadFeature {
  /** DAP (byte 4 bit 7): READ CD honours the DAP bit. */
  dap: boolean;
  /** C2 Flags (byte 4 bit 1): READ CD can return C2 error pointers. */
  c2Flags: boolean;
  /** CD-Text (byte 4 bit 0): READ TOC/PMA/ATIP format 0101b works. */
  cdText: boolean;
}

/**
 * CD Read feature 001Eh (MMC-6 "Feature 001Eh: CD Read"). A version 0 descriptor without data reports all
 * false.
 */
export function decodeCdReadFeature(feature: FeatureInput): CdReadFeature {
  const b4 = expectFeature(feature, FeatureCode.CD_READ, 0)[0] ?? 0;
  return { dap: (b4 & 0x80) !== 0, c2Flags: (b4 & 0x02) !== 0, cdText: (b4 & 0x01) !== 0 };
}

export interface DvdReadFeature {
  /** MULTI110 (byte 4 bit 0): DVD Multi version 1.1 compliant. */
  multi110: boolean;
  /** DUAL-R (byte 6 bit 0): reads DVD-R DL. */
  dualR: boolean;
  /** DUAL-RW (byte 6 bit 1): reads DVD-RW DL. */
  dualRw: boolean;
}

/**
 * DVD Read feature 001Fh (MMC-6 "Feature 001Fh: DVD Read"). Version 0 descriptors carry no data: all false.
 */
export function decodeDvdReadFeature(feature: FeatureInput): DvdReadFeature {
  const data = expectFeature(feature, FeatureCode.DVD_READ, 0);
  const b4 = data[0] ?? 0;
  const b6 = data[2] ?? 0;
  return { multi110: (b4 & 0x01) !== 0, dualR: (b6 & 0x01) !== 0, dualRw: (b6 & 0x02) !== 0 };
}

export interface BdReadFeature {
  /** BCA (byte 4 bit 0): the drive can read the Burst Cutting Area. */
  bca: boolean;
  /** Class 0 BD-RE Read Support bitmap (bytes 8-9): bit n = version n (bit 0 old, 1 v1, 2 v2 …). */
  bdReClass0: number;
  /** Class 0 BD-R Read Support bitmap (bytes 16-17). */
  bdRClass0: number;
  /** Class 0 BD-ROM Read Support bitmap (bytes 24-25). */
  bdRomClass0: number;
}

/**
 * BD Read feature 0040h (MMC-6 "Feature 0040h: BD Read"): needs the data through byte 25 of the descriptor.
 */
export function decodeBdReadFeature(feature: FeatureInput): BdReadFeature {
  const data = expectFeature(feature, FeatureCode.BD_READ, 22);
  return {
    bca: ((data[0] ?? 0) & 0x01) !== 0,
    bdReClass0: readBe16(data, 4),
    bdRClass0: readBe16(data, 12),
    bdRomClass0: readBe16(data, 20),
  };
}

export interface RealTimeStreamingFeature {
  /** SW (byte 4 bit 0): Stream Writing. */
  sw: boolean;
  /** WSPD (bit 1): Write Speed Performance Descriptor in GET PERFORMANCE / SET STREAMING. */
  wspd: boolean;
  /** MP2A (bit 2): mode page 2Ah write speed descriptors. */
  mp2a: boolean;
  /** SCS (bit 3): SET CD SPEED supported. */
  scs: boolean;
  /** RBCB (bit 4): READ BUFFER CAPACITY with Block bit. */
  rbcb: boolean;
}

/**
 * Real Time Streaming feature 0107h (MMC-6 "Feature 0107h: Real Time Streaming"). Version 0 without data:
 * all false.
 */
export function decodeRealTimeStreamingFeature(feature: FeatureInput): RealTimeStreamingFeature {
  const b4 = expectFeature(feature, FeatureCode.REAL_TIME_STREAMING, 0)[0] ?? 0;
  return {
    sw: (b4 & 0x01) !== 0,
    wspd: (b4 & 0x02) !== 0,
    mp2a: (b4 & 0x04) !== 0,
    scs: (b4 & 0x08) !== 0,
    rbcb: (b4 & 0x10) !== 0,
  };
}

/**
 * Drive Serial Number feature 0108h (MMC-6 "Feature 0108h: Drive Serial Number"): ASCII, trailing spaces
 * and NULs removed.
 */
export function decodeDriveSerialNumber(feature: FeatureInput): string {
  const data = expectFeature(feature, FeatureCode.DRIVE_SERIAL_NUMBER, 0);
  let s = '';
  for (const c of data) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : c === 0 ? ' ' : '?';
  return s.trim();
}

/**
 * Firmware Information feature 010Ch (MMC-6 "Feature 010Ch: Firmware Information"): Century, Year, Month,
 * Day, Hour, Minute, Second as 2 ASCII digits each (bytes 4-17), returned as `YYYY-MM-DDTHH:MM:SS`.
 */
export function decodeFirmwareInformation(feature: FeatureInput): string {
  const data = expectFeature(feature, FeatureCode.FIRMWARE_INFORMATION, 14);
  const text = String.fromCharCode(...data.subarray(0, 14));
  if (!/^[0-9]{14}$/u.test(text)) {
    throw new MalformedResponseError(COMMAND, `Firmware Information date is not 14 ASCII digits`, feature.data);
  }
  const [yyyy, mm, dd, hh, mi, ss] = [0, 4, 6, 8, 10, 12].map((at) => text.slice(at, at === 0 ? 4 : at + 2));
  return `${yyyy}-${mm}-${dd}T${hh}:${mi}:${ss}`;
}
