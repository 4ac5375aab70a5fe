/** The rescue layer: ddrescue-compatible mapfiles, the interval map behind them, atomic saves. */

export { IntervalMap, IntervalMapBuilder, combine } from './interval-map.js';
export type { BlockStatus, Run, ByteRange, StatusSelector, CombineOperation } from './interval-map.js';
export {
  DATA_SECTOR_SIZE,
  RAW_SECTOR_SIZE,
  readMapfile,
  loadMapfile,
  formatMapfile,
  formatMapfileBody,
  saveMapfile,
  saveMapfileSync,
  phaseMessage,
  mapfileStats,
  listBlocks,
  bytesToSectors,
  sectorsToBytes,
} from './mapfile.js';
export type {
  Mapfile,
  MapfileHeader,
  PassDirection,
  ReadMapfileOptions,
  FormatMapfileOptions,
  MapfileStats,
  DomainOptions,
  ListBlocksOptions,
  SectorRange,
} from './mapfile.js';
export { writeFileAtomic, writeFileAtomicSync } from './atomic-file.js';
export type { WriteFileAtomicOptions } from './atomic-file.js';
export { parseMapfile } from './mapfile-parse.js';
export type { Mapfile as ParsedMapfile, MapfileBlock, MapfileStatus, MapfileBlockStatus, ParseMapfileOptions } from './mapfile-parse.js';
