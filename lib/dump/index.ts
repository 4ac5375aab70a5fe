/** Raw dumps of every session of a CD to BIN/CUE/TOC/JSON. */

export { dumpDisc, dumpPaths, describeDump, type DumpOptions, type DumpResult, type DumpTrackReport, type DumpChecksums, type DumpOffsetReport } from './dump.js';
export {
  dumpTracks,
  dumpDomain,
  dumpCueSheet,
  assumedPregap,
  sessionLeadOuts,
  binName,
  cueTextValue,
  DUMP_SECTOR_SIZE,
  type DumpCdTextFields,
  type DumpCueText,
  type DumpTrack,
  type DumpSession,
  type PregapInfo,
  type PregapSource,
} from './layout.js';
export { probeTracks, findPregap, findIndexes, readCodes, readCdTextPacks, probeSideChannels, sectorMode } from './probe.js';
export {
  SideChannelTransport,
  DumpSideFiles,
  countC2Flags,
  sideChannelSectorSize,
  sideChannelWorkPaths,
  type SideChannelSink,
  type SideChannelOptions,
  type C2Stats,
} from './side-channels.js';
export {
  audioRuns,
  edgeSectorsNeeded,
  readShiftedAudio,
  shiftedSourceRange,
  runOf,
  MAX_OFFSET_SAMPLES,
  BYTES_PER_SAMPLE,
  type AudioRun,
} from './audio-offset.js';
