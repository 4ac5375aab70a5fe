/**
 * The pure CD format layer: constants, raw sector layout (ECMA-130 §14, CD-ROM XA), EDC/ECC
 * (ECMA-130 Annex A), the scrambler (ECMA-130 Annex B), sub-channel P-W and Q (ECMA-130 §22),
 * CD-TEXT packs. No I/O; everything works on Uint8Array.
 */

export * from './constants.js';
export * from './crc16-gsm.js';
export * from './edc.js';
export * from './ecc.js';
export * from './scrambler.js';
export * from './sector-header.js';
export * from './xa-subheader.js';
export * from './sector.js';
export * from './subchannel.js';
export * from './cd-text.js';
