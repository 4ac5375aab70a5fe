import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../lib/errors.js';
import {
  buildModeSelect10,
  buildModeSense10,
  encodeErrorRecoveryPage,
  ModePage,
  PageControl,
  parseCapabilitiesPage,
  parseErrorRecoveryPage,
  parseModeSense10,
  withReadRetryCount,
} from '../../../lib/scsi/mode.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(hex.trim().split(/\s+/u), (h) => parseInt(h, 16));
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

const PAGE_01 = '81 0a 20 05 00 00 00 00 03 00 00 64';
/** An MMC-1 sized page 2Ah (page length 14h: bytes 0-21, up to the current write speed). */
const PAGE_2A_SHORT = '2a 14 3b 00 71 53 29 03 1b 90 01 00 08 00 1b 90 00 00 1b 90 00 00';

describe('constants', () => {
  it('use the SPC/MMC values', () => {
    expect(ModePage).toEqual({ READ_WRITE_ERROR_RECOVERY: 0x01, CD_CAPABILITIES: 0x2a, ALL: 0x3f });
    expect(PageControl).toEqual({ CURRENT: 0, CHANGEABLE: 1, DEFAULT: 2, SAVED: 3 });
  });
});

describe('buildModeSense10', () => {
  it('asks for the current values of one page, no block descriptors, 256 bytes', () => {
    const command = buildModeSense10({ pageCode: ModePage.CD_CAPABILITIES });
    expect(hex(command.cdb)).toBe('5a 08 2a 00 00 00 00 01 00 00');
    expect(command).toEqual({ cdb: command.cdb, direction: 'in', dataLength: 256 });
  });

  it('places page control, subpage, DBD and the allocation length', () => {
    expect(
      hex(buildModeSense10({ pageCode: 0x01, pageControl: 1, subpageCode: 0xff, dbd: false, allocationLength: 0x1234 }).cdb),
    ).toBe('5a 00 41 ff 00 00 00 12 34 00');
    expect(hex(buildModeSense10({ pageCode: ModePage.ALL, pageControl: PageControl.SAVED }).cdb)).toBe(
      '5a 08 ff 00 00 00 00 01 00 00',
    );
  });

  it('validates its options', () => {
    expect(() => buildModeSense10({ pageCode: 0x40 })).toThrow(
      new RangeError('Expected "pageCode" to be between 0 and 63, got 64'),
    );
    expect(() => buildModeSense10({ pageCode: 1, pageControl: 4 })).toThrow(RangeError);
    expect(() => buildModeSense10({ pageCode: 1, allocationLength: 0 })).toThrow(RangeError);
    expect(() => buildModeSense10({ pageCode: 1, dbd: 'no' as never })).toThrow(TypeError);
    expect(() => buildModeSense10({} as never)).toThrow(new TypeError('Expected "pageCode" to be an integer, got undefined'));
    expect(() => buildModeSense10(undefined as never)).toThrow(TypeError);
  });
});

describe('parseModeSense10', () => {
  it('splits the header and the pages', () => {
    const data = bytes(`00 28 70 00 00 00 00 00 ${PAGE_01} ${PAGE_2A_SHORT}`);
    const parsed = parseModeSense10(data);
    expect(parsed).toMatchObject({
      modeDataLength: 40,
      mediumType: 0x70,
      deviceSpecific: 0,
      blockDescriptorLength: 0,
      truncated: false,
    });
    expect(parsed.blockDescriptors.length).toBe(0);
    expect(parsed.pages.map((p) => [p.pageCode, p.parametersSaveable, hex(p.bytes)])).toEqual([
      [0x01, true, PAGE_01],
      [0x2a, false, PAGE_2A_SHORT],
    ]);
    expect('subpageCode' in (parsed.pages[0] ?? {})).toBe(false);
    expect(parsed.pages[1]?.bytes.buffer).toBe(data.buffer);
  });

  it('returns block descriptors', () => {
    const parsed = parseModeSense10(bytes(`00 1a 00 00 00 00 00 08 00 00 00 00 00 00 08 00 ${PAGE_01}`));
    expect(hex(parsed.blockDescriptors)).toBe('00 00 00 00 00 00 08 00');
    expect(parsed.pages.map((p) => p.pageCode)).toEqual([0x01]);
  });

  it('decodes sub-page format pages', () => {
    const parsed = parseModeSense10(bytes('00 0e 00 00 00 00 00 00 5c 01 00 04 aa bb cc dd'));
    expect(parsed.pages).toHaveLength(1);
    expect(parsed.pages[0]).toMatchObject({ pageCode: 0x1c, subpageCode: 1, parametersSaveable: false });
    expect(hex(parsed.pages[0]!.bytes)).toBe('5c 01 00 04 aa bb cc dd');
  });

  it('returns the complete pages of a truncated response', () => {
    const full = bytes(`00 28 70 00 00 00 00 00 ${PAGE_01} ${PAGE_2A_SHORT}`);
    const cut = parseModeSense10(full.subarray(0, 30));
    expect(cut.truncated).toBe(true);
    expect(cut.pages.map((p) => p.pageCode)).toEqual([0x01]);
    expect(parseModeSense10(full.subarray(0, 21)).pages.map((p) => p.pageCode)).toEqual([0x01]);
    expect(parseModeSense10(full.subarray(0, 8)).pages).toEqual([]);
  });

  it('ignores bytes past the mode data length', () => {
    const parsed = parseModeSense10(bytes(`00 12 00 00 00 00 00 00 ${PAGE_01} ff ff ff`));
    expect(parsed.pages.map((p) => hex(p.bytes))).toEqual([PAGE_01]);
    expect(parseModeSense10(bytes('00 06 00 00 00 00 00 00')).pages).toEqual([]);
  });

  it('rejects a page running past the mode data', () => {
    const data = bytes(`00 1c 00 00 00 00 00 00 ${PAGE_01} ${PAGE_2A_SHORT}`);
    expect(() => parseModeSense10(data)).toThrow(MalformedResponseError);
    expect(() => parseModeSense10(data)).toThrow(
      'MODE SENSE(10): malformed response: page 0x2A at byte 20 runs past the 30 bytes of mode data',
    );
    // A lone byte where a page header should be.
    expect(() => parseModeSense10(bytes(`00 13 00 00 00 00 00 00 ${PAGE_01} 2a`))).toThrow(MalformedResponseError);
  });

  it('rejects short headers and impossible lengths', () => {
    expect(() => parseModeSense10(bytes('00 06 00 00 00 00 00'))).toThrow(
      'MODE SENSE(10): malformed response: mode parameter header needs 8 bytes, got 7',
    );
    expect(() => parseModeSense10(bytes('00 04 00 00 00 00 00 00'))).toThrow(
      'MODE SENSE(10): malformed response: mode data length 4 is shorter than the header',
    );
    expect(() => parseModeSense10(bytes(`00 12 00 00 00 00 00 10 ${PAGE_01}`))).toThrow(
      'MODE SENSE(10): malformed response: block descriptor length 16 runs past the 20 bytes of mode data',
    );
  });
});

describe('buildModeSelect10', () => {
  it('sends an 8-byte zero header and the pages with PS cleared', () => {
    const page = bytes(PAGE_01);
    const command = buildModeSelect10([page]);
    expect(hex(command.cdb)).toBe('55 10 00 00 00 00 00 00 14 00');
    expect(command.direction).toBe('out');
    expect(hex(command.data!)).toBe('00 00 00 00 00 00 00 00 01 0a 20 05 00 00 00 00 03 00 00 64');
    expect(page[0]).toBe(0x81);
  });

  it('sets SP and concatenates several pages', () => {
    const command = buildModeSelect10([bytes('01 06 00 01 00 00 00 00'), bytes('5c 01 00 02 aa bb')], { savePages: true });
    expect(hex(command.cdb)).toBe('55 11 00 00 00 00 00 00 16 00');
    expect(hex(command.data!)).toBe('00 00 00 00 00 00 00 00 01 06 00 01 00 00 00 00 5c 01 00 02 aa bb');
    expect(hex(buildModeSelect10([]).cdb)).toBe('55 10 00 00 00 00 00 00 08 00');
  });

  it('rejects pages that are not what their header says', () => {
    expect(() => buildModeSelect10('x' as never)).toThrow(TypeError);
    expect(() => buildModeSelect10(['x' as never])).toThrow(new TypeError('Expected "pages[0]" to be a Uint8Array, got string'));
    expect(() => buildModeSelect10([bytes(PAGE_01).subarray(0, 11)])).toThrow(
      new RangeError('Expected "pages[0]" to be as long as its page header says (12 bytes), got 11'),
    );
    expect(() => buildModeSelect10([bytes('01')])).toThrow(
      new RangeError('Expected "pages[0]" to be as long as its page header says (at least 2 bytes), got 1'),
    );
    expect(() => buildModeSelect10([bytes('5c 01 00')])).toThrow(RangeError);
    expect(() => buildModeSelect10([], { savePages: 1 as never })).toThrow(TypeError);
  });
});

describe('page 01h Read/Write Error Recovery', () => {
  it('decodes a 12-byte page', () => {
    const page = bytes(PAGE_01);
    expect(parseErrorRecoveryPage(page)).toEqual({
      awre: false,
      arre: false,
      tb: true,
      rc: false,
      eer: false,
      per: false,
      dte: false,
      dcr: false,
      readRetryCount: 5,
      writeRetryCount: 3,
      recoveryTimeLimitMs: 100,
      bytes: page,
    });
  });

  it('decodes the 8-byte page of old drives', () => {
    expect(parseErrorRecoveryPage(bytes('01 06 c5 10 00 00 00 00'))).toMatchObject({
      awre: true,
      arre: true,
      tb: false,
      rc: false,
      eer: false,
      per: true,
      dte: false,
      dcr: true,
      readRetryCount: 16,
      writeRetryCount: undefined,
      recoveryTimeLimitMs: undefined,
    });
    expect(parseErrorRecoveryPage(bytes('01 02 ff 01'))).toMatchObject({ awre: true, dcr: true, readRetryCount: 1 });
  });

  it('keeps only the page in `bytes`', () => {
    expect(hex(parseErrorRecoveryPage(bytes(`${PAGE_01} 2a 14`)).bytes)).toBe(PAGE_01);
  });

  it('rejects other pages and truncated pages', () => {
    expect(() => parseErrorRecoveryPage(bytes(PAGE_2A_SHORT))).toThrow(
      'MODE SENSE(10): malformed response: expected error recovery page 0x01, got page 0x2A',
    );
    expect(() => parseErrorRecoveryPage(bytes(PAGE_01).subarray(0, 11))).toThrow(
      'MODE SENSE(10): malformed response: page 0x01 (page length 10) needs 12 bytes, got 11',
    );
    expect(() => parseErrorRecoveryPage(bytes('01 01 00'))).toThrow(
      'MODE SENSE(10): malformed response: page 0x01 length 1 is too short for error recovery, needs 2',
    );
    expect(() => parseErrorRecoveryPage(bytes('01'))).toThrow(MalformedResponseError);
  });

  it('encodes a 12-byte page', () => {
    expect(hex(encodeErrorRecoveryPage())).toBe('01 0a 00 00 00 00 00 00 00 00 00 00');
    const page = encodeErrorRecoveryPage({
      awre: true,
      per: true,
      dcr: true,
      readRetryCount: 1,
      writeRetryCount: 2,
      recoveryTimeLimitMs: 0x1234,
    });
    expect(hex(page)).toBe('01 0a 85 01 00 00 00 00 02 00 12 34');
    expect(parseErrorRecoveryPage(page)).toMatchObject({ awre: true, per: true, dcr: true, tb: false, writeRetryCount: 2 });
    expect(hex(encodeErrorRecoveryPage({ arre: true, tb: true, rc: true, eer: true, dte: true }))).toBe(
      '01 0a 7a 00 00 00 00 00 00 00 00 00',
    );
  });

  it('validates the fields it encodes', () => {
    expect(() => encodeErrorRecoveryPage({ readRetryCount: 256 })).toThrow(
      new RangeError('Expected "readRetryCount" to be between 0 and 255, got 256'),
    );
    expect(() => encodeErrorRecoveryPage({ awre: 1 as never })).toThrow(new TypeError('Expected "awre" to be a boolean, got 1'));
    expect(() => encodeErrorRecoveryPage({ recoveryTimeLimitMs: 65536 })).toThrow(RangeError);
  });

  it('changes only the read retry count, in a copy', () => {
    const page = bytes(PAGE_01);
    const changed = withReadRetryCount(page, 0);
    expect(hex(changed)).toBe('81 0a 20 00 00 00 00 00 03 00 00 64');
    expect(hex(page)).toBe(PAGE_01);
    expect(changed.buffer).not.toBe(page.buffer);
    expect(() => withReadRetryCount(page, 256)).toThrow(RangeError);
    expect(() => withReadRetryCount(bytes(PAGE_2A_SHORT), 1)).toThrow(MalformedResponseError);
  });
});

describe('page 2Ah CD/DVD Capabilities', () => {
  /** MMC-3 layout with two write speed descriptors (page length 26h). */
  const PAGE_2A_FULL =
    '2a 26 3b 37 f1 53 29 03 1b 90 01 00 08 00 1b 90 00 00 1b 90 1b 90 00 01 00 00 00 01 1b 90 00 02 00 01 1b 90 00 00 10 68';

  it('decodes every field of a full page', () => {
    expect(parseCapabilitiesPage(bytes(PAGE_2A_FULL))).toEqual({
      cdRRead: true,
      cdRwRead: true,
      method2: false,
      dvdRomRead: true,
      dvdRRead: true,
      dvdRamRead: true,
      cdRWrite: true,
      cdRwWrite: true,
      testWrite: true,
      dvdRWrite: true,
      dvdRamWrite: true,
      audioPlay: true,
      composite: false,
      digitalPort1: false,
      digitalPort2: false,
      mode2Form1: true,
      mode2Form2: true,
      multiSession: true,
      bufferUnderrunProtection: true,
      cddaCommandsSupported: true,
      cddaStreamIsAccurate: true,
      rwSupported: false,
      rwDeinterleavedCorrected: false,
      c2PointersSupported: true,
      isrc: false,
      upc: true,
      readBarCode: false,
      lock: true,
      lockState: false,
      preventJumper: false,
      eject: true,
      loadingMechanismType: 1,
      separateVolumeLevels: true,
      separateChannelMute: true,
      supportsDiscPresent: false,
      softwareSlotSelection: false,
      sideChangeCapable: false,
      rwInLeadIn: false,
      maxReadSpeedKBps: 7056,
      numberOfVolumeLevels: 256,
      bufferSizeKiB: 2048,
      currentReadSpeedKBps: 7056,
      maxWriteSpeedKBps: 7056,
      currentWriteSpeedKBps: 7056,
      copyManagementRevision: 1,
      rotationControlSelected: 1,
      currentWriteSpeedSelectedKBps: 7056,
      writeSpeedDescriptors: [
        { rotationControl: 1, writeSpeedKBps: 7056 },
        { rotationControl: 0, writeSpeedKBps: 4200 },
      ],
    });
  });

  it('distinguishes the bits of byte 5 and byte 7', () => {
    const page = bytes(PAGE_2A_SHORT);
    page[5] = 0xac; // read bar code, ISRC, R-W de-interleaved, R-W supported
    page[7] = 0x3c;
    expect(parseCapabilitiesPage(page)).toMatchObject({
      readBarCode: true,
      upc: false,
      isrc: true,
      c2PointersSupported: false,
      rwDeinterleavedCorrected: true,
      rwSupported: true,
      cddaStreamIsAccurate: false,
      cddaCommandsSupported: false,
      separateVolumeLevels: false,
      separateChannelMute: false,
      supportsDiscPresent: true,
      softwareSlotSelection: true,
      sideChangeCapable: true,
      rwInLeadIn: true,
    });
  });

  it('leaves fields past a short page undefined', () => {
    expect(parseCapabilitiesPage(bytes(PAGE_2A_SHORT))).toMatchObject({
      maxReadSpeedKBps: 7056,
      maxWriteSpeedKBps: 7056,
      currentWriteSpeedKBps: 0,
      copyManagementRevision: undefined,
      rotationControlSelected: undefined,
      currentWriteSpeedSelectedKBps: undefined,
      writeSpeedDescriptors: undefined,
    });
    expect(parseCapabilitiesPage(bytes('2a 06 01 00 00 10 00 00'))).toMatchObject({
      cdRRead: true,
      c2PointersSupported: true,
      maxReadSpeedKBps: undefined,
      numberOfVolumeLevels: undefined,
      bufferSizeKiB: undefined,
    });
  });

  it('keeps only the descriptors the page holds', () => {
    const page = bytes(PAGE_2A_FULL);
    page[31] = 3;
    expect(parseCapabilitiesPage(page).writeSpeedDescriptors).toHaveLength(2);
    page[31] = 0;
    expect(parseCapabilitiesPage(page).writeSpeedDescriptors).toEqual([]);
  });

  it('rejects other pages, truncated pages and pages without bytes 2-7', () => {
    expect(() => parseCapabilitiesPage(bytes(PAGE_01))).toThrow(
      'MODE SENSE(10): malformed response: expected capabilities page 0x2A, got page 0x01',
    );
    expect(() => parseCapabilitiesPage(bytes(PAGE_2A_SHORT).subarray(0, 20))).toThrow(MalformedResponseError);
    expect(() => parseCapabilitiesPage(bytes('2a 04 01 00 00 10'))).toThrow(
      'MODE SENSE(10): malformed response: page 0x2A length 4 is too short for capabilities, needs 6',
    );
    expect(() => parseCapabilitiesPage('2a' as never)).toThrow(TypeError);
  });
});
