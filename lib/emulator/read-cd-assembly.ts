/**
 * Assembling what READ CD returns for one sector from the 2352 raw bytes: the selected parts of
 * the main channel in MMC order (sync, header, subheader, user data, EDC/ECC), then the C2 error
 * field, then sub-channel (MMC-FACTS §2.5, §3.5).
 */

import { ErrorField, ExpectedSectorType, readCdSectorLayout, type ReadCdFields, type ReadCdSectorLayout } from '../scsi/read-cd.js';
import type { SectorKind } from './disc-model.js';

/** READ CD Expected Sector Type code of a sector kind; Mode 0 uses the formless layout. */
export function sectorTypeCode(kind: SectorKind): number {
  switch (kind) {
    case 'audio':
      return ExpectedSectorType.CDDA;
    case 'mode1':
      return ExpectedSectorType.MODE1;
    case 'mode2-form1':
      return ExpectedSectorType.MODE2_FORM1;
    case 'mode2-form2':
      return ExpectedSectorType.MODE2_FORM2;
    case 'mode0':
    case 'mode2-formless':
      return ExpectedSectorType.MODE2_FORMLESS;
  }
}

/** Does a sector of `kind` satisfy Expected Sector Type `expected`? Mode 0 matches only ANY. */
export function matchesExpectedType(kind: SectorKind, expected: number): boolean {
  if (expected === ExpectedSectorType.ANY) return true;
  if (kind === 'mode0') return false;
  return sectorTypeCode(kind) === expected;
}

/** Where each main-channel part starts in the raw 2352-byte sector. */
function rawOffsets(kind: SectorKind): { user: number; edcEcc: number } {
  switch (kind) {
    case 'audio':
      return { user: 0, edcEcc: 2352 };
    case 'mode1':
      return { user: 16, edcEcc: 2064 };
    case 'mode2-form1':
      return { user: 24, edcEcc: 2072 };
    case 'mode2-form2':
      return { user: 24, edcEcc: 2348 };
    case 'mode0':
    case 'mode2-formless':
      return { user: 16, edcEcc: 2352 };
  }
}

/** The layout READ CD returns for a sector of `kind` with these fields. */
export function layoutForKind(fields: ReadCdFields, kind: SectorKind): ReadCdSectorLayout {
  return readCdSectorLayout(fields, sectorTypeCode(kind));
}

/**
 * Writes one sector's READ CD block at `out[offset]`: main-channel parts, then the error field
 * (294 C2 bytes, or block error byte + pad + 294), then the sub-channel bytes (already
 * synthesized by the caller). `flags` marks, per raw byte, the bytes the drive reports in C2.
 * Returns the bytes written (= layout.total).
 */
export function assembleReadCdSector(
  fields: ReadCdFields,
  kind: SectorKind,
  raw: Uint8Array,
  flags: Uint8Array | undefined,
  subchannel: Uint8Array | undefined,
  out: Uint8Array,
  offset: number,
): number {
  const layout = layoutForKind(fields, kind);
  const at = rawOffsets(kind);
  let o = offset;
  const copy = (start: number, length: number): void => {
    if (length === 0) return;
    out.set(raw.subarray(start, start + length), o);
    o += length;
  };
  if (kind === 'audio') {
    copy(0, layout.userData);
  } else {
    copy(0, layout.sync);
    copy(12, layout.header);
    copy(16, layout.subheader);
    copy(at.user, layout.userData);
    copy(at.edcEcc, layout.edcEcc);
  }
  if (layout.c2 > 0) {
    const c2 = packC2(flags);
    if (fields.errorField === ErrorField.C2_AND_BLOCK) {
      out[o] = c2.reduce((acc, byte) => acc | byte, 0);
      out[o + 1] = 0;
      o += 2;
    }
    out.set(c2, o);
    o += 294;
  }
  if (layout.subchannel > 0 && subchannel) {
    out.set(subchannel.subarray(0, layout.subchannel), o);
    o += layout.subchannel;
  }
  return o - offset;
}

/** 2352 per-byte flags → 294 C2 bytes, MSB of byte 0 for sector byte 0. */
export function packC2(flags: Uint8Array | undefined): Uint8Array {
  const c2 = new Uint8Array(294);
  if (!flags) return c2;
  for (let i = 0; i < 2352; i++) {
    if (flags[i]) c2[i >> 3] = (c2[i >> 3] ?? 0) | (0x80 >> (i & 7));
  }
  return c2;
}
