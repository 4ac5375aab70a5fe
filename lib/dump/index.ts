/** Raw dumps of every session of a CD to BIN/CUE/TOC/JSON. */

export { dumpDisc, dumpPaths, describeDump, type DumpOptions, type DumpResult, type DumpTrackReport, type DumpChecksums } from './dump.js';
export {
  dumpTracks,
  dumpDomain,
  dumpCueSheet,
  assumedPregap,
  sessionLeadOuts,
  binName,
  DUMP_SECTOR_SIZE,
  type DumpTrack,
  type DumpSession,
  type PregapInfo,
  type PregapSource,
} from './layout.js';
export { probeTracks, findPregap, readCodes, sectorMode } from './probe.js';
