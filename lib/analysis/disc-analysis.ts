/**
 * What a disc is and what is on it, from a drive: the disc type (audio, data Mode 1 or Mode 2/XA,
 * Mixed Mode, CD-Extra, multisession, DVD, BD), sessions, tracks with their modes, CONTROL flags
 * and LBAs, MCN and ISRCs, and the filesystems of every data track.
 */

import type { Drive } from '../drive/drive.js';
import type { DiscToc, TocTrack } from '../drive/toc.js';
import { readDiscCodes } from '../drive/disc-codes.js';
import { DiscError, ScsiError } from '../errors.js';
import { detectFileSystems, type DetectedFileSystem, type IsoDetails } from '../fs/detect.js';
import type { UdfVolume } from '../fs/udf/volume.js';
import { SenseKey } from '../scsi/sense.js';
import { createDriveSource } from '../sources/drive-source.js';
import { readDiscLayout } from '../sources/drive-extent.js';
import { controlFlags, type ControlFlags } from '../cd/constants.js';

export { controlFlags, type ControlFlags };

/** The disc types `analyzeDisc` tells apart. */
export type DiscType =
  | 'audio'
  | 'data-mode1'
  | 'data-mode2'
  | 'data-mode2-xa'
  | 'mixed-mode'
  | 'cd-extra'
  | 'multisession-data'
  | 'dvd'
  | 'bd'
  | 'hd-dvd'
  | 'unknown';

/** Human names of the disc types, for reports. */
export const DISC_TYPE_NAMES: Readonly<Record<DiscType, string>> = {
  audio: 'audio CD (CD-DA)',
  'data-mode1': 'data CD (Mode 1)',
  'data-mode2': 'data CD (Mode 2)',
  'data-mode2-xa': 'data CD (Mode 2/XA)',
  'mixed-mode': 'mixed mode CD (data and audio in one session)',
  'cd-extra': 'CD-Plus/Extra (audio session, then a data session)',
  'multisession-data': 'multisession data CD',
  dvd: 'DVD',
  bd: 'BD',
  'hd-dvd': 'HD DVD',
  unknown: 'unknown',
};

/**
 * A track's sector format: 'mode2-xa' has XA subheaders (Form 1/Form 2), 'mode2' is formless;
 * 'block' is a DVD/BD 2048-byte block; 'unknown' when the header could not be read.
 */
export type TrackMode = 'audio' | 'mode1' | 'mode2' | 'mode2-xa' | 'block' | 'unknown';


/** A filesystem on a data track, with the fields a report needs. */
export interface FileSystemSummary {
  type: DetectedFileSystem['type'];
  name: DetectedFileSystem['name'];
  /** Volume identifier (ISO 9660), logical volume identifier (UDF), volume name (HFS, HFS+). */
  label: string;
  /** Blocks the volume declares (ISO 9660: volume space size, absolute on later sessions). */
  blockCount: number;
  blockSize: number;
  /** Sectors of 2048 bytes from the track start to the volume's end. */
  sizeSectors: number;
  version: string;
  /** Byte offset from the track start. */
  at: number;
  systemId?: string;
  volumeSetId?: string;
  publisher?: string;
  dataPreparer?: string;
  application?: string;
  created?: string;
  jolietLabel?: string;
  elTorito?: boolean;
  xa?: boolean;
  partition?: { map: 'apm' | 'mbr' | 'gpt'; index: number; type: string };
}

export interface TrackAnalysis {
  number: number;
  type: 'audio' | 'data';
  mode: TrackMode;
  /** The raw CONTROL nibble. */
  controlNibble: number;
  control: ControlFlags;
  startLba: number;
  lengthSectors: number;
  /** Audio tracks, when the drive reports one. */
  isrc?: string;
  /** Data tracks only: what detectFileSystems found on the track. */
  fileSystems: FileSystemSummary[];
}

export interface SessionAnalysis {
  number: number;
  /** A0 PSEC from the full TOC: 0x00 CD-DA/CD-ROM, 0x10 CD-I, 0x20 CD-ROM XA; absent without one. */
  tocDiscType?: number;
  leadOutLba: number;
  tracks: TrackAnalysis[];
}

export interface DiscAnalysis {
  discType: DiscType;
  discTypeName: string;
  /** GET CONFIGURATION current profile, when the drive answered. */
  profile?: number;
  sessions: SessionAnalysis[];
  mcn?: string;
}

export interface AnalyzeOptions {
  signal?: AbortSignal;
  /** Look for filesystems on data tracks (default true). */
  fileSystems?: boolean;
  /** Ask for the MCN and the ISRCs of audio tracks (default true). */
  subChannel?: boolean;
}

const CD_SYNC = [0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
const TOC_DISC_TYPE_XA = 0x20;
/** Sectors tried at a data track's start when the first is unreadable: the mode only needs one header. */
const MODE_PROBE_OFFSETS = [0, 1, 16, 17];

/** The disc type of a drive's current profile, for DVD, BD and HD DVD; undefined for CDs and unknown ones. */
export function discTypeOfProfile(profile: number): DiscType | undefined {
  if (profile >= 0x10 && profile <= 0x1f) return 'dvd';
  if (profile === 0x2a || profile === 0x2b) return 'dvd';
  if (profile >= 0x40 && profile <= 0x4f) return 'bd';
  if (profile >= 0x50 && profile <= 0x5f) return 'hd-dvd';
  return undefined;
}

/**
 * The mode of a raw 2352-byte data sector from its header (byte 15), and for Mode 2 whether
 * the two copies of the XA subheader agree; undefined when there is no sync pattern.
 */
export function sectorMode(sector: Uint8Array): Exclude<TrackMode, 'audio' | 'block' | 'unknown'> | undefined {
  if (sector.length < 24) return undefined;
  for (let i = 0; i < CD_SYNC.length; i++) if (sector[i] !== CD_SYNC[i]) return undefined;
  const mode = sector[15];
  if (mode === 1) return 'mode1';
  if (mode !== 2) return undefined;
  for (let i = 16; i < 20; i++) if (sector[i] !== sector[i + 4]) return 'mode2';
  return 'mode2-xa';
}

/**
 * Classifies a CD from its tracks (libcdio's cdio_get_discmode and cd_types in one): all audio;
 * all data in one session (Mode 1, Mode 2, Mode 2/XA — XA wins when any track is XA); data in
 * several sessions; audio session first and data in a later one (CD-Extra); otherwise data and
 * audio together (Mixed Mode).
 */
export function classifyCd(sessions: readonly SessionAnalysis[]): DiscType {
  const tracks = sessions.flatMap((s) => s.tracks);
  if (tracks.length === 0) return 'unknown';
  const data = tracks.filter((t) => t.type === 'data');
  if (data.length === 0) return 'audio';
  if (data.length === tracks.length) {
    if (sessions.length > 1) return 'multisession-data';
    if (data.some((t) => t.mode === 'mode2-xa')) return 'data-mode2-xa';
    if (data.some((t) => t.mode === 'mode2')) return 'data-mode2';
    return 'data-mode1';
  }
  const first = sessions[0];
  if (sessions.length > 1 && first !== undefined && first.tracks.every((t) => t.type === 'audio')) {
    const later = sessions.slice(1).flatMap((s) => s.tracks);
    if (later.length > 0 && later.every((t) => t.type === 'data')) return 'cd-extra';
  }
  return 'mixed-mode';
}

/**
 * Analyzes the disc in `drive`: profile, TOC (or READ CAPACITY on DVD/BD), each data track's mode
 * from a raw sector header, MCN and ISRCs, and the filesystems of each data track, read through a
 * SectorSource whose first LBA is the track's start so absolutely addressed volumes (a second
 * session's ISO 9660) are found. Drives that refuse READ CD, READ SUB-CHANNEL or GET
 * CONFIGURATION give a report without those parts. The drive stays open.
 */
export async function analyzeDisc(drive: Drive, options: AnalyzeOptions = {}): Promise<DiscAnalysis> {
  if (typeof options !== 'object' || options === null) throw new TypeError('Expected "options" to be an object');
  const signalOption = options.signal ? { signal: options.signal } : {};
  const wantFs = options.fileSystems ?? true;
  const wantSub = options.subChannel ?? true;
  const layout = await readDiscLayout(drive);
  const profile = layout.profile;
  const blockType = profile === undefined ? undefined : discTypeOfProfile(profile);
  if (layout.toc === undefined || blockType !== undefined) {
    const track: TrackAnalysis = {
      number: 1,
      type: 'data',
      mode: 'block',
      controlNibble: 0x4,
      control: controlFlags(0x4),
      startLba: 0,
      lengthSectors: layout.endLba,
      fileSystems: wantFs && layout.endLba > 0 ? await trackFileSystems(drive, 0, layout.endLba) : [],
    };
    const analysis: DiscAnalysis = {
      discType: blockType ?? 'unknown',
      discTypeName: DISC_TYPE_NAMES[blockType ?? 'unknown'],
      sessions: [{ number: 1, leadOutLba: layout.endLba, tracks: [track] }],
    };
    if (profile !== undefined) analysis.profile = profile;
    return analysis;
  }
  const toc = layout.toc;
  const codes = wantSub ? await readDiscCodes(drive, toc, options.signal) : undefined;
  const sessions: SessionAnalysis[] = [];
  for (const s of toc.sessions) {
    const tracks: TrackAnalysis[] = [];
    for (const t of s.tracks) {
      const mode = t.isData ? await dataTrackMode(drive, t, s.discType, signalOption) : 'audio';
      const track: TrackAnalysis = {
        number: t.number,
        type: t.isData ? 'data' : 'audio',
        mode,
        controlNibble: t.control,
        control: controlFlags(t.control),
        startLba: t.startLba,
        lengthSectors: t.sectorCount,
        fileSystems: [],
      };
      const isrc = codes?.isrcs.get(t.number);
      if (isrc !== undefined) track.isrc = isrc;
      if (t.isData && wantFs && t.sectorCount > 0) {
        track.fileSystems = await trackFileSystems(drive, t.startLba, dataSectors(toc, t));
      }
      tracks.push(track);
    }
    const session: SessionAnalysis = { number: s.number, leadOutLba: s.leadOutLba, tracks };
    if (s.discType !== undefined) session.tocDiscType = s.discType;
    sessions.push(session);
  }
  const discType = classifyCd(sessions);
  const analysis: DiscAnalysis = { discType, discTypeName: DISC_TYPE_NAMES[discType], sessions };
  if (profile !== undefined) analysis.profile = profile;
  if (codes?.mcn !== undefined) analysis.mcn = codes.mcn;
  return analysis;
}

/**
 * Sectors of a data track worth reading: to its end, less the 150-sector pregap of a following
 * audio track in the same session (audio sectors there refuse READ(10)).
 */
function dataSectors(toc: DiscToc, track: TocTrack): number {
  const next = toc.tracks.find((t) => t.number === track.number + 1);
  const trim = next !== undefined && !next.isData && next.session === track.session ? 150 : 0;
  return Math.max(1, track.sectorCount - trim);
}

async function dataTrackMode(drive: Drive, track: TocTrack, tocDiscType: number | undefined, signalOption: { signal?: AbortSignal }): Promise<TrackMode> {
  for (const offset of MODE_PROBE_OFFSETS) {
    if (offset >= track.sectorCount) break;
    const read = await probe(() => drive.readCd(track.startLba + offset, 1, signalOption));
    if (read === 'refused') break;
    if (read === undefined) continue;
    const mode = sectorMode(read.data);
    if (mode !== undefined) return mode;
  }
  // No raw header: the session's A0 disc type is the best hint left.
  if (tocDiscType === TOC_DISC_TYPE_XA) return 'mode2-xa';
  if (tocDiscType === 0x00) return 'mode1';
  return 'unknown';
}

/**
 * Like optional, but tells 'refused' (ILLEGAL REQUEST other than out of range 21h or wrong
 * mode 64h: the command itself is unsupported) from a sector that merely failed.
 */
async function probe<T>(query: () => Promise<T>): Promise<T | undefined | 'refused'> {
  try {
    return await query();
  } catch (error) {
    if (error instanceof ScsiError) {
      if (error.senseKey === SenseKey.ILLEGAL_REQUEST && error.asc !== 0x21 && error.asc !== 0x64) return 'refused';
      return undefined;
    }
    throw error;
  }
}

async function trackFileSystems(drive: Drive, startLba: number, sectorCount: number): Promise<FileSystemSummary[]> {
  let source;
  try {
    source = await createDriveSource(drive, { mode: 'data', firstLba: startLba, sectorCount, name: `${drive.path} LBA ${startLba}` });
  } catch (error) {
    if (error instanceof DiscError) return [];
    throw error;
  }
  try {
    // The source's first LBA is the track start: detection reads absolute addresses, so offset 0.
    const detection = await detectFileSystems(source);
    return detection.fileSystems.map(summarize);
  } finally {
    await source.close();
  }
}

/** The report fields of a detected filesystem. */
export function summarize(fs: DetectedFileSystem): FileSystemSummary {
  const out: FileSystemSummary = {
    type: fs.type,
    name: fs.name,
    label: fs.label,
    blockCount: fs.blockCount,
    blockSize: fs.blockSize,
    sizeSectors: fs.sizeSectors,
    version: fs.version,
    at: fs.at,
  };
  if (fs.type === 'iso9660') {
    const d = fs.details as IsoDetails;
    out.systemId = d.systemIdentifier;
    out.volumeSetId = d.volumeSetIdentifier;
    out.publisher = d.publisher;
    out.dataPreparer = d.dataPreparer;
    out.application = d.application;
    out.created = d.created;
    if (d.joliet !== undefined) out.jolietLabel = d.joliet;
    out.elTorito = d.elTorito;
    out.xa = d.xa;
  } else if (fs.type === 'udf') {
    out.volumeSetId = (fs.details as UdfVolume).volumeSetIdentifier;
  }
  if (fs.partition !== undefined) out.partition = fs.partition;
  return out;
}
