/**
 * CD physical and logical format constants (MMC-FACTS §3.1, §3.4, §3.5, §3.9). Sizes are bytes,
 * lengths are sectors (1/75 s) unless the name says otherwise.
 *
 * Sources: ECMA-130 (Yellow Book) §14 (sector structure), §22 (sub-channel), Red Book (CD-DA).
 */

/** Sectors per second: one MSF frame = one sector = 1/75 s (ECMA-130 §14). */
export const SECTORS_PER_SECOND = 75;
/** A raw sector as READ CD returns it with all main-channel fields selected (ECMA-130 §14). */
export const SECTOR_SIZE_RAW = 2352;
/** F1 frames of 24 bytes per sector (ECMA-130 §16): 98 × 24 = 2352. */
export const F1_FRAMES_PER_SECTOR = 98;

/** Sync field at bytes 0-11 of every data sector (ECMA-130 §14). */
export const SYNC_SIZE = 12;
/** Header (3 BCD MSF bytes + mode byte) at bytes 12-15 (ECMA-130 §14). */
export const HEADER_SIZE = 4;
/** Offset of the header in a raw sector. */
export const HEADER_OFFSET = 12;
/** Offset of the mode byte. */
export const MODE_OFFSET = 15;
/** The sync pattern `00 FF×10 00` (ECMA-130 §14). Frozen; copy it with `buf.set(SYNC_PATTERN, offset)`. */
export const SYNC_PATTERN: readonly number[] = Object.freeze([
  0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,
]);

/** CD-XA subheader (4 bytes written twice) at bytes 16-23 of Mode 2 Form 1/2 sectors (Yellow Book XA; MMC-FACTS §3.5). */
export const SUBHEADER_SIZE = 8;
/** Offset of the first subheader copy. */
export const SUBHEADER_OFFSET = 16;

/** User data of a Mode 1 sector, bytes 16-2063 (ECMA-130 §14). */
export const USER_DATA_SIZE_MODE1 = 2048;
/** User data of a Mode 2 Form 1 sector, bytes 24-2071 (CD-ROM XA). */
export const USER_DATA_SIZE_MODE2_FORM1 = 2048;
/** User data of a Mode 2 Form 2 sector, bytes 24-2347 (CD-ROM XA). */
export const USER_DATA_SIZE_MODE2_FORM2 = 2324;
/** Everything after the header of a Mode 2 (formless) or Mode 0 sector, bytes 16-2351 (ECMA-130 §14). */
export const USER_DATA_SIZE_MODE2 = 2336;
/** A CD-DA sector is all audio. */
export const USER_DATA_SIZE_AUDIO = 2352;

/** Mode 1 EDC at 2064-2067, zero (intermediate) field at 2068-2075 (ECMA-130 §14). */
export const MODE1_EDC_OFFSET = 2064;
export const MODE1_INTERMEDIATE_OFFSET = 2068;
export const MODE1_INTERMEDIATE_SIZE = 8;
/** Mode 2 Form 1 EDC at 2072-2075. */
export const MODE2_FORM1_EDC_OFFSET = 2072;
/** Mode 2 Form 2 (optional) EDC at 2348-2351. */
export const MODE2_FORM2_EDC_OFFSET = 2348;
/** P parity: 172 bytes at 2076-2247; Q parity: 104 bytes at 2248-2351 (ECMA-130 Annex A). */
export const ECC_P_OFFSET = 2076;
export const ECC_P_SIZE = 172;
export const ECC_Q_OFFSET = 2248;
export const ECC_Q_SIZE = 104;

/** Raw P-W sub-channel per sector: 98 sub-code symbols minus the 2 sync symbols (ECMA-130 §22). */
export const SUBCHANNEL_SIZE_RAW = 96;
/** One sub-channel (P or Q) per sector: 96 bits. */
export const SUBCHANNEL_CHANNEL_SIZE = 12;
/** R-W as six 12-byte channels (R, S, T, U, V, W). */
export const SUBCHANNEL_RW_SIZE = 72;
/** The formatted Q returned by READ CD sub-channel selection 010b (MMC READ CD). */
export const SUBCHANNEL_Q_FORMATTED_SIZE = 16;

/** C2 error pointers: one bit per main-channel byte (MMC READ CD, C2 error field 01b). */
export const C2_POINTERS_SIZE = 294;
/** C2 pointers plus the block error byte and a pad byte (MMC READ CD, C2 error field 10b). */
export const C2_POINTERS_WITH_BLOCK_SIZE = 296;

/** Stereo 16-bit samples per sector (Red Book): 2352 / 4. */
export const SAMPLES_PER_SECTOR = 588;
/** Bytes per stereo sample (L and R, 16-bit little-endian each). */
export const BYTES_PER_SAMPLE = 4;
/** CD-DA sample rate in Hz (Red Book). */
export const SAMPLE_RATE = 44100;

/** The 2-second pregap before track 1: LBA −150 … −1 (MMC-FACTS §3.1). */
export const PREGAP_SECTORS = 150;
/** Minimum lead-in, 60 s (MMC-FACTS §3.1; redumper `CD_LEADIN_MIN_SIZE`). */
export const LEAD_IN_MIN_SECTORS = 4500;
/** Lead-out of the first session, 90 s (MMC-FACTS §3.1, §3.4). */
export const LEAD_OUT_FIRST_SESSION_SECTORS = 6750;
/** Lead-out of the second and later sessions, 30 s (MMC-FACTS §3.4, lengths unverified as mandatory). */
export const LEAD_OUT_LATER_SESSION_SECTORS = 2250;
/** Session 1 lead-out start → session 2 track 1: 6750 + 4500 + 150 (MMC-FACTS §3.4, libdiscid XA_INTERVAL). */
export const SESSION_GAP_FIRST = 11400;
/** Session n lead-out start → session n+1 track 1 for n ≥ 2: 2250 + 4500 + 150 (MMC-FACTS §3.4). */
export const SESSION_GAP_LATER = 6900;

/** Track numbers 1-99; the lead-out is track 0xAA (Red Book, ECMA-130 §22.3). */
export const MAX_TRACKS = 99;
export const LEAD_OUT_TRACK = 0xaa;
/** Indexes 0-99; index 0 is the pregap/pause (ECMA-130 §22.3). */
export const MAX_INDEX = 99;

/** The CONTROL nibble's flags (MMC: 0x1 pre-emphasis on audio, 0x2 digital copy permitted, 0x8 four channels). */
export interface ControlFlags {
  preEmphasis: boolean;
  copyPermitted: boolean;
  fourChannel: boolean;
}

/** CONTROL bit 2: a data track (then bit 0 means incremental recording, not pre-emphasis). */
export const CONTROL_DATA = 0x4;

/** Splits a TOC/Q CONTROL nibble into its flags. */
export function controlFlags(control: number): ControlFlags {
  return { preEmphasis: (control & 0x1) !== 0, copyPermitted: (control & 0x2) !== 0, fourChannel: (control & 0x8) !== 0 };
}
