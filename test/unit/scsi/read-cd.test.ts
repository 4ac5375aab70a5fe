import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../lib/errors.js';
import {
  buildReadCd,
  buildReadCdMsf,
  ErrorField,
  ExpectedSectorType,
  HeaderCodes,
  readCdBytesPerSector,
  readCdSectorLayout,
  splitReadCdResponse,
  SubChannelSelection,
} from '../../../lib/scsi/read-cd.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

const USER_DATA_ONLY = { sync: false, headerCodes: HeaderCodes.NONE, userData: true, edcEcc: false };

describe('constants', () => {
  it('use the MMC field values', () => {
    expect(ExpectedSectorType).toEqual({ ANY: 0, CDDA: 1, MODE1: 2, MODE2_FORMLESS: 3, MODE2_FORM1: 4, MODE2_FORM2: 5 });
    expect(HeaderCodes).toEqual({ NONE: 0, HEADER: 1, SUBHEADER: 2, ALL: 3 });
    expect(ErrorField).toEqual({ NONE: 0, C2: 1, C2_AND_BLOCK: 2 });
    expect(SubChannelSelection).toEqual({ NONE: 0, RAW: 1, Q: 2, RW: 4 });
  });
});

describe('buildReadCd', () => {
  it('reads full 2352-byte sectors of any type by default (byte 9 = F8h)', () => {
    const command = buildReadCd({ lba: 12345, sectorCount: 1 });
    expect(hex(command.cdb)).toBe('be 00 00 00 30 39 00 00 01 f8 00 00');
    expect(command).toEqual({ cdb: command.cdb, direction: 'in', dataLength: 2352 });
  });

  it('encodes CD-DA user data with C2 and raw P-W', () => {
    const command = buildReadCd({
      lba: 0,
      sectorCount: 2,
      expectedSectorType: ExpectedSectorType.CDDA,
      ...USER_DATA_ONLY,
      errorField: ErrorField.C2,
      subChannelSelection: SubChannelSelection.RAW,
    });
    expect(hex(command.cdb)).toBe('be 04 00 00 00 00 00 00 02 12 01 00');
    expect(command.dataLength).toBe(2 * (2352 + 294 + 96));
  });

  it('encodes DAP, the 296-byte error field and formatted Q', () => {
    const command = buildReadCd({
      lba: 16,
      sectorCount: 3,
      expectedSectorType: ExpectedSectorType.MODE1,
      dap: true,
      errorField: ErrorField.C2_AND_BLOCK,
      subChannelSelection: SubChannelSelection.Q,
    });
    expect(hex(command.cdb)).toBe('be 0a 00 00 00 10 00 00 03 fc 02 00');
    expect(command.dataLength).toBe(3 * (2352 + 296 + 16));
  });

  it('encodes each header code and R-W', () => {
    const cdb = (headerCodes: number) =>
      hex(buildReadCd({ lba: 0, sectorCount: 1, headerCodes, subChannelSelection: SubChannelSelection.RW }).cdb);
    expect(cdb(HeaderCodes.NONE)).toBe('be 00 00 00 00 00 00 00 01 98 04 00');
    expect(cdb(HeaderCodes.HEADER)).toBe('be 00 00 00 00 00 00 00 01 b8 04 00');
    expect(cdb(HeaderCodes.SUBHEADER)).toBe('be 00 00 00 00 00 00 00 01 d8 04 00');
    expect(cdb(HeaderCodes.ALL)).toBe('be 00 00 00 00 00 00 00 01 f8 04 00');
  });

  it('writes negative LBAs in two’s complement', () => {
    expect(hex(buildReadCd({ lba: -150, sectorCount: 1 }).cdb)).toBe('be 00 ff ff ff 6a 00 00 01 f8 00 00');
    expect(hex(buildReadCd({ lba: -45150, sectorCount: 1 }).cdb)).toBe('be 00 ff ff 4f a2 00 00 01 f8 00 00');
    expect(hex(buildReadCd({ lba: 0x7fffffff, sectorCount: 1 }).cdb)).toBe('be 00 7f ff ff ff 00 00 01 f8 00 00');
  });

  it('writes the transfer length as 24 bits', () => {
    const command = buildReadCd({
      lba: 0,
      sectorCount: 0x0fffff,
      sync: false,
      headerCodes: HeaderCodes.NONE,
      userData: false,
      edcEcc: false,
      subChannelSelection: SubChannelSelection.Q,
    });
    expect(hex(command.cdb)).toBe('be 00 00 00 00 00 0f ff ff 00 02 00');
    expect(command.dataLength).toBe(0x0fffff * 16);
  });

  it('sizes Mode 1 user data exactly, and allocates for the largest type with ANY', () => {
    const mode1 = buildReadCd({ lba: 0, sectorCount: 4, expectedSectorType: ExpectedSectorType.MODE1, ...USER_DATA_ONLY });
    expect(hex(mode1.cdb)).toBe('be 08 00 00 00 00 00 00 04 10 00 00');
    expect(mode1.dataLength).toBe(4 * 2048);
    expect(buildReadCd({ lba: 0, sectorCount: 4, ...USER_DATA_ONLY }).dataLength).toBe(4 * 2352);
  });

  it('validates its options', () => {
    expect(() => buildReadCd({ lba: 0, sectorCount: 0 })).toThrow(
      new RangeError('Expected "sectorCount" to be between 1 and 16777215, got 0'),
    );
    expect(() => buildReadCd({ lba: -45151, sectorCount: 1 })).toThrow(
      new RangeError('Expected "lba" to be between -45150 and 2147483647, got -45151'),
    );
    expect(() => buildReadCd({ lba: 2 ** 31, sectorCount: 1 })).toThrow(RangeError);
    expect(() => buildReadCd({ lba: 0, sectorCount: 1, expectedSectorType: 6 })).toThrow(
      new RangeError('Expected "expectedSectorType" to be between 0 and 5, got 6'),
    );
    expect(() => buildReadCd({ lba: 0, sectorCount: 1, headerCodes: 4 })).toThrow(RangeError);
    expect(() => buildReadCd({ lba: 0, sectorCount: 1, errorField: 3 })).toThrow(RangeError);
    expect(() => buildReadCd({ lba: 0, sectorCount: 1, subChannelSelection: 3 })).toThrow(
      new RangeError('Expected "subChannelSelection" to be 0, 1, 2 or 4, got 3'),
    );
    expect(() => buildReadCd({ lba: 0, sectorCount: 1, subChannelSelection: 5 })).toThrow(RangeError);
    expect(() => buildReadCd({ lba: 0, sectorCount: 1, sync: 'yes' as never })).toThrow(
      new TypeError('Expected "sync" to be a boolean, got "yes"'),
    );
    expect(() => buildReadCd({ lba: 0.5, sectorCount: 1 })).toThrow(TypeError);
    expect(() => buildReadCd(null as never)).toThrow(TypeError);
    expect(() =>
      buildReadCd({ lba: 0, sectorCount: 1, sync: false, headerCodes: 0, userData: false, edcEcc: false }),
    ).toThrow(new RangeError('Expected the READ CD fields to select at least one part of the sector'));
  });

  it('refuses transfers over 16 MiB', () => {
    expect(buildReadCd({ lba: 0, sectorCount: 7133 }).dataLength).toBe(7133 * 2352);
    expect(() => buildReadCd({ lba: 0, sectorCount: 7134 })).toThrow(
      new RangeError('Expected the READ CD transfer (7134 sectors × 2352 bytes) to be at most 16777216 bytes, got 16779168'),
    );
  });
});

describe('buildReadCdMsf', () => {
  it('writes start and exclusive end as binary MSF', () => {
    const command = buildReadCdMsf({ start: { minute: 0, second: 2, frame: 0 }, end: { minute: 0, second: 2, frame: 10 } });
    expect(hex(command.cdb)).toBe('b9 00 00 00 02 00 00 02 0a f8 00 00');
    expect(command).toEqual({ cdb: command.cdb, direction: 'in', dataLength: 10 * 2352 });
  });

  it('takes the same data-selection fields as READ CD', () => {
    const command = buildReadCdMsf({
      start: { minute: 12, second: 34, frame: 56 },
      end: { minute: 12, second: 35, frame: 0 },
      expectedSectorType: ExpectedSectorType.CDDA,
      ...USER_DATA_ONLY,
      errorField: ErrorField.C2_AND_BLOCK,
      subChannelSelection: SubChannelSelection.Q,
    });
    expect(hex(command.cdb)).toBe('b9 04 00 0c 22 38 0c 23 00 14 02 00');
    expect(command.dataLength).toBe(19 * (2352 + 296 + 16));
  });

  it('counts from the lead-in into the program area', () => {
    const command = buildReadCdMsf({ start: { minute: 99, second: 59, frame: 0 }, end: { minute: 0, second: 0, frame: 5 } });
    expect(hex(command.cdb)).toBe('b9 00 00 63 3b 00 00 00 05 f8 00 00');
    expect(command.dataLength).toBe(80 * 2352);
  });

  it('validates start and end', () => {
    const start = { minute: 0, second: 2, frame: 0 };
    expect(() => buildReadCdMsf({ start, end: start })).toThrow(
      new RangeError('Expected "end" to be after "start" (end is exclusive), got 0 sectors'),
    );
    expect(() => buildReadCdMsf({ start, end: { minute: 0, second: 1, frame: 0 } })).toThrow(RangeError);
    expect(() => buildReadCdMsf({ start: { minute: 0, second: 60, frame: 0 }, end: start })).toThrow(
      new RangeError('Expected "start.second" to be between 0 and 59, got 60'),
    );
    expect(() => buildReadCdMsf({ start, end: { minute: 0, second: 2, frame: 75 } })).toThrow(
      new RangeError('Expected "end.frame" to be between 0 and 74, got 75'),
    );
    expect(() => buildReadCdMsf({ end: start } as never)).toThrow(
      new TypeError('Expected "start" to be an object {minute, second, frame}, got undefined'),
    );
  });
});

describe('readCdSectorLayout', () => {
  const full = {};
  it('gives the full 2352-byte layout of each sector type', () => {
    expect(readCdSectorLayout(full, ExpectedSectorType.CDDA)).toEqual({
      sync: 0, header: 0, subheader: 0, userData: 2352, edcEcc: 0, main: 2352, c2: 0, subchannel: 0, total: 2352,
    });
    expect(readCdSectorLayout(full, ExpectedSectorType.MODE1)).toEqual({
      sync: 12, header: 4, subheader: 0, userData: 2048, edcEcc: 288, main: 2352, c2: 0, subchannel: 0, total: 2352,
    });
    expect(readCdSectorLayout(full, ExpectedSectorType.MODE2_FORMLESS)).toEqual({
      sync: 12, header: 4, subheader: 0, userData: 2336, edcEcc: 0, main: 2352, c2: 0, subchannel: 0, total: 2352,
    });
    expect(readCdSectorLayout(full, ExpectedSectorType.MODE2_FORM1)).toEqual({
      sync: 12, header: 4, subheader: 8, userData: 2048, edcEcc: 280, main: 2352, c2: 0, subchannel: 0, total: 2352,
    });
    expect(readCdSectorLayout(full, ExpectedSectorType.MODE2_FORM2)).toEqual({
      sync: 12, header: 4, subheader: 8, userData: 2324, edcEcc: 4, main: 2352, c2: 0, subchannel: 0, total: 2352,
    });
  });

  it('follows the header code', () => {
    const form1 = ExpectedSectorType.MODE2_FORM1;
    expect(readCdSectorLayout({ headerCodes: HeaderCodes.HEADER }, form1)).toMatchObject({ header: 4, subheader: 0, main: 2344 });
    expect(readCdSectorLayout({ headerCodes: HeaderCodes.SUBHEADER }, form1)).toMatchObject({ header: 0, subheader: 8, main: 2348 });
    expect(readCdSectorLayout({ headerCodes: HeaderCodes.SUBHEADER }, ExpectedSectorType.MODE1)).toMatchObject({
      header: 0, subheader: 0, main: 2348,
    });
  });

  it('gives CD-DA 2352 bytes only when user data is selected', () => {
    expect(readCdSectorLayout(USER_DATA_ONLY, ExpectedSectorType.CDDA).main).toBe(2352);
    expect(readCdSectorLayout({ userData: false }, ExpectedSectorType.CDDA).main).toBe(0);
    expect(readCdSectorLayout({ userData: false }, ExpectedSectorType.MODE1).main).toBe(12 + 4 + 288);
  });

  it('adds C2 and sub-channel sizes', () => {
    expect(readCdSectorLayout({ errorField: ErrorField.C2, subChannelSelection: SubChannelSelection.RAW }, 1)).toMatchObject({
      c2: 294, subchannel: 96, total: 2742,
    });
    expect(readCdSectorLayout({ errorField: ErrorField.C2_AND_BLOCK, subChannelSelection: SubChannelSelection.Q }, 1)).toMatchObject({
      c2: 296, subchannel: 16, total: 2664,
    });
    expect(readCdSectorLayout({ subChannelSelection: SubChannelSelection.RW }, 1).subchannel).toBe(96);
  });

  it('needs an actual sector type', () => {
    expect(() => readCdSectorLayout(full, ExpectedSectorType.ANY)).toThrow(
      new RangeError('Expected "sectorType" to be between 1 and 5, got 0'),
    );
  });
});

describe('readCdBytesPerSector', () => {
  it('is exact when the type is known or does not matter', () => {
    expect(readCdBytesPerSector({})).toBe(2352);
    expect(readCdBytesPerSector({ errorField: ErrorField.C2, subChannelSelection: SubChannelSelection.RAW })).toBe(2742);
    expect(readCdBytesPerSector({ errorField: ErrorField.C2_AND_BLOCK, subChannelSelection: SubChannelSelection.RAW })).toBe(2744);
    expect(readCdBytesPerSector({ subChannelSelection: SubChannelSelection.Q })).toBe(2368);
    expect(readCdBytesPerSector({ expectedSectorType: ExpectedSectorType.MODE1, ...USER_DATA_ONLY })).toBe(2048);
    expect(readCdBytesPerSector({ expectedSectorType: ExpectedSectorType.MODE2_FORM2, ...USER_DATA_ONLY })).toBe(2324);
  });

  it('refuses ANY when the size depends on the sector type', () => {
    expect(() => readCdBytesPerSector(USER_DATA_ONLY)).toThrow(
      new RangeError(
        'Expected "expectedSectorType" to be set: with ANY the sector size depends on the sector type (2352, 2048, 2336, 2324 bytes)',
      ),
    );
  });
});

describe('splitReadCdResponse', () => {
  /** Two sectors: main filled with 1/2, C2 with C1/C2, sub-channel with 51/52. */
  function response(c2: 294 | 296, subchannelFirst = false): Uint8Array {
    const perSector = 2352 + c2 + 96;
    const data = new Uint8Array(2 * perSector);
    for (let i = 0; i < 2; i++) {
      const base = i * perSector;
      data.fill(i + 1, base, base + 2352);
      const c2Start = subchannelFirst ? base + 2352 + 96 : base + 2352;
      const subStart = subchannelFirst ? base + 2352 : base + 2352 + c2;
      if (c2 === 296) {
        data[c2Start] = 0xa0 + i;
        data.fill(0xc1 + i, c2Start + 2, c2Start + 296);
      } else {
        data.fill(0xc1 + i, c2Start, c2Start + 294);
      }
      data.fill(0x51 + i, subStart, subStart + 96);
    }
    return data;
  }

  it('splits main, C2 and sub-channel as views', () => {
    const layout = readCdSectorLayout({ errorField: ErrorField.C2, subChannelSelection: SubChannelSelection.RAW }, 1);
    const data = response(294);
    const sectors = splitReadCdResponse(data, layout, 2);
    expect(sectors).toHaveLength(2);
    sectors.forEach((sector, i) => {
      expect(sector.main.length).toBe(2352);
      expect(sector.main.every((b) => b === i + 1)).toBe(true);
      expect(sector.c2?.length).toBe(294);
      expect(sector.c2?.every((b) => b === 0xc1 + i)).toBe(true);
      expect(sector.subchannel?.length).toBe(96);
      expect(sector.subchannel?.every((b) => b === 0x51 + i)).toBe(true);
      expect('blockErrorByte' in sector).toBe(false);
      expect(sector.main.buffer).toBe(data.buffer);
    });
    expect(sectors[1]?.main.byteOffset).toBe(2742);
    expect(sectors[1]?.subchannel?.byteOffset).toBe(2742 + 2352 + 294);
  });

  it('takes the block error byte and pad before the 294 C2 bytes', () => {
    const layout = readCdSectorLayout({ errorField: ErrorField.C2_AND_BLOCK, subChannelSelection: SubChannelSelection.RAW }, 1);
    const sectors = splitReadCdResponse(response(296), layout, 2);
    expect(sectors[0]?.blockErrorByte).toBe(0xa0);
    expect(sectors[1]?.blockErrorByte).toBe(0xa1);
    expect(sectors[1]?.c2?.length).toBe(294);
    expect(sectors[1]?.c2?.every((b) => b === 0xc2)).toBe(true);
    expect(sectors[1]?.subchannel?.every((b) => b === 0x52)).toBe(true);
  });

  it('handles drives that send sub-channel before C2', () => {
    const layout = readCdSectorLayout({ errorField: ErrorField.C2, subChannelSelection: SubChannelSelection.RAW }, 1);
    const sectors = splitReadCdResponse(response(294, true), layout, 2, { subchannelBeforeC2: true });
    expect(sectors[0]?.c2?.every((b) => b === 0xc1)).toBe(true);
    expect(sectors[0]?.subchannel?.every((b) => b === 0x51)).toBe(true);
  });

  it('leaves C2 and sub-channel undefined when not requested', () => {
    const layout = readCdSectorLayout({ expectedSectorType: 2, ...USER_DATA_ONLY }, ExpectedSectorType.MODE1);
    const sectors = splitReadCdResponse(new Uint8Array(4096), layout, 2);
    expect(sectors.map((s) => [s.main.length, s.c2, s.subchannel])).toEqual([
      [2048, undefined, undefined],
      [2048, undefined, undefined],
    ]);
    expect(splitReadCdResponse(new Uint8Array(0), layout, 0)).toEqual([]);
  });

  it('rejects a response of the wrong size', () => {
    const layout = readCdSectorLayout({}, ExpectedSectorType.CDDA);
    expect(() => splitReadCdResponse(new Uint8Array(4703), layout, 2)).toThrow(MalformedResponseError);
    expect(() => splitReadCdResponse(new Uint8Array(4703), layout, 2)).toThrow(
      'READ CD: malformed response: expected 4704 bytes (2 sectors × 2352), got 4703',
    );
    expect(() => splitReadCdResponse(new Uint8Array(4705), layout, 2)).toThrow(MalformedResponseError);
  });

  it('rejects an inconsistent layout', () => {
    const layout = { ...readCdSectorLayout({}, ExpectedSectorType.CDDA), total: 2000 };
    expect(() => splitReadCdResponse(new Uint8Array(2000), layout, 1)).toThrow(RangeError);
  });
});
