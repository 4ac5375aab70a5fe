import { describe, expect, it } from 'vitest';
import { DRIVE_OFFSET_RECORD_SIZE, formatDriveOffsets, lookupDriveOffset, normalizeDriveName, parseDriveOffsets } from '../../../lib/audio/index.js';
import { FormatError } from '../../../lib/errors.js';

/** A small DriveOffsets.bin built byte by byte (the record layout, independently of formatDriveOffsets). */
function handMade(): Uint8Array {
  const records: [number, string][] = [
    [667, 'PIONEER  - BD-RW   BDR-209D'],
    [6, 'ASUS     - DRW-24F1ST   a'],
    [-472, '- CD-ROM 52X'],
    [48, 'HL-DT-ST - DVDRAM GH24NSD1'],
    [102, 'TSSTcorp - CDDVDW SH-224DB'],
    [30, 'PLEXTOR  - DVDR   PX-716A'],
    [98, 'LITE-ON  - DVDR   PX-716A'],
  ];
  const out = new Uint8Array(records.length * 69);
  records.forEach(([offset, name], i) => {
    const at = i * 69;
    out[at] = offset & 0xff;
    out[at + 1] = (offset >> 8) & 0xff;
    for (let c = 0; c < name.length; c++) out[at + 2 + c] = name.charCodeAt(c);
    out[at + 35] = 0x2a; // submission data, kept raw
  });
  return out;
}

describe('AccurateRip drive offsets', () => {
  const records = parseDriveOffsets(handMade());

  it('parses offset (signed LE), name, vendor and product, and keeps the 34 trailing bytes', () => {
    expect(records).toHaveLength(7);
    expect(records[0]).toMatchObject({ name: 'PIONEER  - BD-RW   BDR-209D', vendor: 'PIONEER', product: 'BD-RW BDR-209D', offset: 667 });
    expect(records[2]).toMatchObject({ vendor: '', product: 'CD-ROM 52X', offset: -472 });
    expect(records[0]!.extra).toHaveLength(34);
    expect(records[0]!.extra[0]).toBe(0x2a);
  });

  it('looks drives up by their INQUIRY strings (padding and case do not matter)', () => {
    expect(lookupDriveOffset(records, 'PIONEER ', 'BD-RW   BDR-209D')).toMatchObject({ offset: 667, match: 'exact' });
    expect(lookupDriveOffset(records, 'hl-dt-st', 'dvdram gh24nsd1 ')).toMatchObject({ offset: 48, match: 'exact' });
    expect(lookupDriveOffset(records, 'ANYONE', 'CD-ROM 52X')).toMatchObject({ offset: -472, match: 'product' });
    expect(lookupDriveOffset(records, 'TSSTCORP', 'CDDVDW SH-224DB')?.offset).toBe(102);
    // Same product under two vendors with different offsets: no guess.
    expect(lookupDriveOffset(records, 'OTHER', 'DVDR PX-716A')).toBeUndefined();
    expect(lookupDriveOffset(records, 'PLEXTOR', 'DVDR   PX-716A')?.offset).toBe(30);
    expect(lookupDriveOffset(records, 'NOBODY', 'NOTHING')).toBeUndefined();
    expect(normalizeDriveName('  a \t b\0 ')).toBe('A B');
  });

  it('formatDriveOffsets writes the same bytes', () => {
    const built = formatDriveOffsets(records.map((r) => ({ name: r.name, offset: r.offset, extra: r.extra })));
    expect(built).toEqual(handMade());
  });

  it('bad files are FormatErrors', () => {
    expect(() => parseDriveOffsets(new Uint8Array(0))).toThrow(FormatError);
    expect(() => parseDriveOffsets(new Uint8Array(DRIVE_OFFSET_RECORD_SIZE + 1))).toThrow(/whole number/u);
    const bad = handMade();
    bad[5] = 0xe9;
    expect(() => parseDriveOffsets(bad, 'DriveOffsets.bin')).toThrow(/DriveOffsets.bin: .*non-ASCII/u);
    expect(parseDriveOffsets(new Uint8Array(69))).toEqual([]);
  });
});
