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
  createHiddenTrackAudioCd,
  createMixedModeCd,
  createMultisessionCd,
  createSyntheticDisc,
  syntheticAudioSample,
  syntheticUserByte,
  syntheticUserData,
} from './synthetic-disc.js';
export type { ContentFill, SyntheticDiscSpec, SyntheticTrackSpec, TrackContent } from './synthetic-disc.js';
export { synthesizeQ } from './subchannel-synth.js';
export {
  DISC_IMAGE_EXTENSIONS,
  ISO_CD_MAX_BYTES,
  ISO_DVD_MAX_BYTES,
  isoDiscFromBytes,
  openCdrdaoTocDisc,
  openCueDisc,
  openDiscImage,
  openIsoDisc,
} from './models/index.js';
export type { FileDiscModel, IsoDiscOptions } from './models/index.js';
export { saveDiscAsCueBin } from './save-cue-bin.js';
export type { SaveCueBinOptions, SaveCueBinProgress, SaveCueBinResult } from './save-cue-bin.js';
