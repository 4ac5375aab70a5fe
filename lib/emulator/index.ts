/**
 * The emulated drive: a Transport that behaves like an MMC optical drive, for tests of anything
 * built on the library (docs/emulator.md).
 */

export { EmulatedDrive, createEmulatedDrive } from './emulated-drive.js';
export type { EmulatedAccess, EmulatedDriveOptions, EmulatedDriveStats } from './emulated-drive.js';
export { trackAt, indexAt } from './disc-model.js';
export type { DiscModel, MediaKind, ModelIndex, ModelSession, ModelTrack, SectorKind, TrackMode } from './disc-model.js';
export { driveProfiles, driveProfileFromJson, resolveDriveProfile } from './drive-profile.js';
export type { DriveFeatures, DriveProfile, DriveProfileFromJsonOptions, DriveProfilePreset, LoadingMechanism } from './drive-profile.js';
export { FaultInjector } from './faults.js';
export type {
  AudioJitterFault,
  C2ErrorFault,
  DefectMapFault,
  FaultOptions,
  LbaRange,
  LbaRangeInput,
  SilentCorruptionFault,
  TimeoutFault,
  WeakSectorFault,
} from './faults.js';
export { VirtualClock, TICKS_PER_SECOND } from './virtual-clock.js';
export type { VirtualClockOptions } from './virtual-clock.js';
export {
  BECOMING_READY_POLL_TICKS,
  COMMAND_TICKS,
  DEFAULT_READ_RETRY_COUNT,
  DEFAULT_SPEED_FACTOR,
  SPIN_UP_TICKS,
  failureTicks,
  readTicks,
  seekTicks,
} from './cost-model.js';
export {
  createAudioCd,
  createBd,
  createCdExtra,
  createDataCd,
  createDvd,
  createSyntheticDisc,
  syntheticAudioSample,
  syntheticUserByte,
  syntheticUserData,
} from './synthetic-disc.js';
export type { SyntheticDiscSpec, SyntheticTrackSpec } from './synthetic-disc.js';
export { synthesizeQ } from './subchannel-synth.js';
