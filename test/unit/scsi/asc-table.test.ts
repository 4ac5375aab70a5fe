import { describe, expect, it } from 'vitest';
import { ascText } from '../../../lib/scsi/asc-table.js';

describe('ascText', () => {
  it('knows every code of the optical quick table (MMC-FACTS §1.7)', () => {
    const expected: Array<[number, number, string]> = [
      [0x04, 0x00, 'logical unit not ready, cause not reportable'],
      [0x04, 0x01, 'logical unit is in process of becoming ready'],
      [0x04, 0x02, 'logical unit not ready, initializing command required'],
      [0x04, 0x03, 'logical unit not ready, manual intervention required'],
      [0x3a, 0x00, 'medium not present'],
      [0x3a, 0x01, 'medium not present - tray closed'],
      [0x3a, 0x02, 'medium not present - tray open'],
      [0x57, 0x00, 'unable to recover table-of-contents'],
      [0x30, 0x01, 'cannot read medium - unknown format'],
      [0x30, 0x02, 'cannot read medium - incompatible format'],
      [0x11, 0x00, 'unrecovered read error'],
      [0x11, 0x05, 'L-EC uncorrectable error'],
      [0x11, 0x06, 'CIRC unrecovered error'],
      [0x11, 0x01, 'read retries exhausted'],
      [0x11, 0x0f, 'error reading UPC/EAN number'],
      [0x11, 0x10, 'error reading ISRC number'],
      [0x02, 0x00, 'no seek complete'],
      [0x15, 0x00, 'random positioning error'],
      [0x06, 0x00, 'no reference position found'],
      [0x17, 0x01, 'recovered data with retries'],
      [0x18, 0x00, 'recovered data with error correction applied'],
      [0x20, 0x00, 'invalid command operation code'],
      [0x21, 0x00, 'logical block address out of range'],
      [0x24, 0x00, 'invalid field in CDB'],
      [0x26, 0x00, 'invalid field in parameter list'],
      [0x64, 0x00, 'illegal mode for this track'],
      [0x63, 0x00, 'end of user area encountered on this track'],
      [0x6f, 0x03, 'read of scrambled sector without authentication'],
      [0x28, 0x00, 'not ready to ready change, medium may have changed'],
      [0x29, 0x00, 'power on, reset, or bus device reset occurred'],
      [0x29, 0x07, 'I_T nexus loss occurred'],
      [0x2a, 0x01, 'mode parameters changed'],
      [0x5a, 0x01, 'operator medium removal request'],
      [0x53, 0x02, 'medium removal prevented'],
      [0x09, 0x02, 'focus servo failure'],
      [0x21, 0x02, 'invalid address for write'],
      [0x44, 0x00, 'internal target failure'],
      [0x3e, 0x01, 'logical unit failure'],
      [0x4e, 0x00, 'overlapped commands attempted'],
      [0x5d, 0x00, 'failure prediction threshold exceeded'],
      [0x73, 0x03, 'power calibration area error'],
    ];
    for (const [asc, ascq, text] of expected) expect(ascText(asc, ascq)).toBe(text);
    for (let ascq = 0; ascq <= 5; ascq++) expect(ascText(0x6f, ascq)).not.toMatch(/^ASC /u);
  });

  it('shows unknown standard codes numerically, two uppercase hex digits', () => {
    expect(ascText(0x7e, 0x01)).toBe('ASC 0x7E/ASCQ 0x01');
    expect(ascText(0x11, 0x42)).toBe('ASC 0x11/ASCQ 0x42');
  });

  it('names the vendor specific ranges', () => {
    expect(ascText(0x88, 0x01)).toBe('vendor specific ASC 0x88/ASCQ 0x01');
    expect(ascText(0xff, 0xff)).toBe('vendor specific ASC 0xFF/ASCQ 0xFF');
    expect(ascText(0x11, 0x80)).toBe('ASC 0x11/ASCQ 0x80 (vendor specific qualifier)');
    expect(ascText(0x40, 0x81)).toBe('diagnostic failure on component 0x81');
  });
});
