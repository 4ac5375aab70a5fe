/**
 * Disc layout sheets: CDRWIN cue sheets and cdrdao TOC files — parse, write, convert, load.
 */

export * from './cue-sheet.js';
export { parseCue, formatCue } from './cue.js';
export * from './cdrdao-toc-model.js';
export { parseCdrdaoToc, formatCdrdaoToc } from './cdrdao-toc.js';
export {
  resolveCdrdaoTocLayout,
  walkCdrdaoTrack,
  cdrdaoSourceFrames,
  cdrdaoLengthFrames,
} from './cdrdao-toc-layout.js';
export type {
  CdrdaoSourceFrames,
  CdrdaoPlacedSource,
  CdrdaoPlacedMark,
  CdrdaoTrackWalk,
  CdrdaoTrackLayout,
  CdrdaoTocLayout,
} from './cdrdao-toc-layout.js';
export { cdrdaoTocToCue, cueToCdrdaoToc } from './convert.js';
export {
  loadCueSheet,
  loadCdrdaoToc,
  resolveSheetFile,
  sheetFileCandidates,
  createNodeSheetReader,
} from './sheet-loader.js';
export type { SheetFileReader, LoadSheetOptions, ResolvedSheetFile } from './sheet-loader.js';
export { decodeSheetText } from './sheet-text.js';
export type { ParseSheetOptions } from './sheet-text.js';
export {
  FRAMES_PER_SECOND,
  FRAMES_PER_MINUTE,
  SAMPLES_PER_FRAME,
  formatMsfDuration,
  framesToMsf,
  msfToFrames,
} from './msf-duration.js';
export * from './split.js';
