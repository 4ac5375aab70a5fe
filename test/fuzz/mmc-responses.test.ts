/**
 * Drive responses and other binary records a drive or a dump file hands over: sense data, every
 * MMC response parser, READ CD splitting, Q sub-channel, CD-TEXT packs. Valid samples come from
 * the emulated drive (each demo disc in each drive profile) and the corpus; the property is that
 * every parser returns a value or throws a DiscError (MalformedResponseError, FormatError) —
 * never another exception, never a long call.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildCdTextPacks, cdTextPacksFromDump, parseCdText } from '../../lib/cd/cd-text.js';
import { decodeQ, deinterleaveQ, deinterleaveSubchannel } from '../../lib/cd/subchannel.js';
import { createDemoDisc, DEMO_DISC_NAMES } from '../../lib/emulator/demo-discs.js';
import { createEmulatedDrive } from '../../lib/emulator/emulated-drive.js';
import { encodeSense } from '../../lib/emulator/sense-data.js';
import type { DriveProfilePreset } from '../../lib/emulator/drive-profile.js';
import { parseDiscInformation, buildReadDiscInformation } from '../../lib/scsi/disc-information.js';
import { buildGetEventStatusNotification, parseEventStatus } from '../../lib/scsi/event-status.js';
import {
  buildGetConfiguration,
  decodeBdReadFeature,
  decodeCdReadFeature,
  decodeCoreFeature,
  decodeDriveSerialNumber,
  decodeDvdReadFeature,
  decodeFirmwareInformation,
  decodeProfileList,
  decodeRealTimeStreamingFeature,
  decodeRemovableMediumFeature,
  FeatureCode,
  parseConfiguration,
  type ConfigurationFeature,
} from '../../lib/scsi/get-configuration.js';
import { buildInquiry, parseInquiry } from '../../lib/scsi/inquiry.js';
import { buildModeSense10, parseCapabilitiesPage, parseErrorRecoveryPage, parseModeSense10 } from '../../lib/scsi/mode.js';
import { buildReadCapacity10, parseReadCapacity10 } from '../../lib/scsi/read-capacity.js';
import { ErrorField, HeaderCodes, readCdSectorLayout, splitReadCdResponse, SubChannelSelection } from '../../lib/scsi/read-cd.js';
import { buildReadSubChannel, parseSubChannel } from '../../lib/scsi/read-sub-channel.js';
import {
  buildReadToc,
  parseAtip,
  parseCdTextPacks,
  parseFullToc,
  parseSessionInfo,
  parseToc,
  summarizeFullToc,
} from '../../lib/scsi/read-toc.js';
import { cdbStartLba, decodeSense, describeSense } from '../../lib/scsi/sense.js';
import { buildReadTrackInformation, parseTrackInformation } from '../../lib/scsi/track-information.js';
import type { ScsiCommand } from '../../lib/transport/transport.js';
import { PROPERTY_TIMEOUT_MS, check, corpusFiles, hostileBytes, typed } from './harness.js';

/** Valid responses by command, collected from the emulator. */
const samples = new Map<string, Uint8Array[]>();
function add(kind: string, data: Uint8Array | undefined): void {
  if (data === undefined || data.length === 0) return;
  let list = samples.get(kind);
  if (!list) samples.set(kind, (list = []));
  list.push(Uint8Array.from(data));
}
function get(kind: string): Uint8Array[] {
  const list = samples.get(kind) ?? [];
  // Never fuzz from nothing: an empty sample still mutates into something.
  return list.length > 0 ? list : [new Uint8Array(8)];
}

const PROFILES: DriveProfilePreset[] = ['good', 'cheap', 'dvd-bd', 'qemu-scsi-cd'];

beforeAll(async () => {
  for (const profile of PROFILES) {
    for (const name of DEMO_DISC_NAMES) {
      const demo = createDemoDisc(name);
      const drive = createEmulatedDrive({ disc: demo.disc, profile });
      const run = async (kind: string, command: ScsiCommand): Promise<void> => {
        // The first commands after loading report UNIT ATTENTION; ask again.
        for (let attempt = 0; attempt < 4; attempt++) {
          const result = await drive.execute(command);
          add('sense', result.sense);
          if (result.status === 0) return add(kind, result.data);
        }
      };
      await run('inquiry', buildInquiry({ allocationLength: 96 }));
      await run('capacity', buildReadCapacity10());
      for (const msf of [false, true]) {
        await run('toc0', buildReadToc({ format: 0, msf }));
        await run('toc1', buildReadToc({ format: 1, msf }));
        await run(`sub1-${msf}`, buildReadSubChannel({ format: 1, msf }));
      }
      await run('toc2', buildReadToc({ format: 2 }));
      await run('toc4', buildReadToc({ format: 4 }));
      await run('toc5', buildReadToc({ format: 5 }));
      await run('discinfo', buildReadDiscInformation());
      for (let track = 1; track <= 3; track++) await run('trackinfo', buildReadTrackInformation({ addressType: 1, address: track }));
      await run('config', buildGetConfiguration({ allocationLength: 65530 }));
      await run('mode', buildModeSense10({ pageCode: 0x3f, allocationLength: 4096 }));
      await run('mode', buildModeSense10({ pageCode: 0x2a }));
      await run('event', buildGetEventStatusNotification());
      await run('sub2', buildReadSubChannel({ format: 2 }));
      await run('sub3', buildReadSubChannel({ format: 3, trackNumber: 1 }));
      await drive.close();
    }
  }
  for (const sense of [
    encodeSense({ senseKey: 3, asc: 0x11, ascq: 0, information: 1234 }),
    encodeSense({ senseKey: 5, asc: 0x24, ascq: 0 }),
    // Descriptor format: 72h, key/asc/ascq, an information descriptor.
    Uint8Array.of(0x72, 0x03, 0x11, 0x00, 0, 0, 0, 12, 0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34),
  ]) add('sense', sense);
  const cdt = corpusFiles(['libcdio/test/data/cdtext.cdt', 'libcdio/test/data/cdtext-libburnia.cdt']);
  for (const f of cdt) add('cdtext', f.bytes);
  add('cdtext', buildCdTextPacks([{ languageCode: 0x09, album: { title: 'Album', performer: 'Band' }, tracks: [{ number: 1, title: 'One' }, { number: 2, title: 'Two', performer: 'X' }] }]));
});

describe('fuzz: MMC responses and binary records', () => {
  it('collected valid samples from the emulator', () => {
    for (const kind of ['inquiry', 'capacity', 'toc0', 'toc1', 'toc2', 'discinfo', 'trackinfo', 'config', 'mode', 'event', 'sense', 'cdtext']) {
      expect(samples.get(kind)?.length ?? 0, kind).toBeGreaterThan(0);
    }
  });

  it('sense data: decodeSense returns a value or undefined and never throws', async () => {
    await check(hostileBytes(get('sense'), 300), (bytes) => {
      const sense = decodeSense(bytes);
      if (sense) describeSense(sense);
      // A CDB-shaped input is fine too: cdbStartLba must not throw on any bytes.
      cdbStartLba(bytes);
    });
  }, PROPERTY_TIMEOUT_MS);

  it('INQUIRY and READ CAPACITY', async () => {
    await check(hostileBytes([...get('inquiry'), ...get('capacity')], 300), (bytes) => {
      typed('parseInquiry', () => parseInquiry(bytes));
      typed('parseReadCapacity10', () => parseReadCapacity10(bytes));
    });
  }, PROPERTY_TIMEOUT_MS);

  it('READ TOC formats 0, 1, 2, 4, 5', async () => {
    const all = ['toc0', 'toc1', 'toc2', 'toc4', 'toc5'].flatMap(get);
    await check(fc.tuple(hostileBytes(all, 1200), fc.boolean()), ([bytes, msf]) => {
      typed('parseToc', () => parseToc(bytes, { msf }));
      typed('parseSessionInfo', () => parseSessionInfo(bytes, { msf }));
      const full = typed('parseFullToc', () => parseFullToc(bytes));
      if (full) typed('summarizeFullToc', () => summarizeFullToc(full));
      typed('parseAtip', () => parseAtip(bytes));
      const packs = typed('parseCdTextPacks', () => parseCdTextPacks(bytes));
      if (packs) typed('parseCdText(packs)', () => parseCdText(packs.packs, { unsupportedBlocks: 'skip' }));
    });
  }, PROPERTY_TIMEOUT_MS);

  it('READ DISC INFORMATION, READ TRACK INFORMATION, GET EVENT STATUS', async () => {
    await check(hostileBytes([...get('discinfo'), ...get('trackinfo'), ...get('event')], 300), (bytes) => {
      typed('parseDiscInformation', () => parseDiscInformation(bytes));
      typed('parseTrackInformation', () => parseTrackInformation(bytes));
      typed('parseEventStatus', () => parseEventStatus(bytes));
    });
  }, PROPERTY_TIMEOUT_MS);

  it('GET CONFIGURATION and every feature decoder', async () => {
    const decoders = new Map<number, (f: ConfigurationFeature) => unknown>([
      [FeatureCode.PROFILE_LIST, decodeProfileList],
      [FeatureCode.CORE, decodeCoreFeature],
      [FeatureCode.REMOVABLE_MEDIUM, decodeRemovableMediumFeature],
      [FeatureCode.CD_READ, decodeCdReadFeature],
      [FeatureCode.DVD_READ, decodeDvdReadFeature],
      [FeatureCode.BD_READ, decodeBdReadFeature],
      [FeatureCode.REAL_TIME_STREAMING, decodeRealTimeStreamingFeature],
      [FeatureCode.DRIVE_SERIAL_NUMBER, decodeDriveSerialNumber],
      [FeatureCode.FIRMWARE_INFORMATION, decodeFirmwareInformation],
    ]);
    await check(hostileBytes(get('config'), 2000), (bytes) => {
      const config = typed('parseConfiguration', () => parseConfiguration(bytes));
      for (const feature of config?.features ?? []) {
        const decode = decoders.get(feature.code);
        if (decode) typed(`decode feature ${feature.code}`, () => decode(feature));
      }
    });
  }, PROPERTY_TIMEOUT_MS);

  it('MODE SENSE(10) and pages 01h, 2Ah', async () => {
    await check(hostileBytes(get('mode'), 600), (bytes) => {
      const mode = typed('parseModeSense10', () => parseModeSense10(bytes));
      for (const page of mode?.pages ?? []) {
        if (page.pageCode === 0x01) typed('parseErrorRecoveryPage', () => parseErrorRecoveryPage(page.bytes));
        if (page.pageCode === 0x2a) typed('parseCapabilitiesPage', () => parseCapabilitiesPage(page.bytes));
      }
      // The page parsers on their own, with a page code that matches.
      const asPage = (code: number): Uint8Array => {
        const copy = Uint8Array.from(bytes.length >= 1 ? bytes : [0]);
        copy[0] = (copy[0]! & 0xc0) | code;
        return copy;
      };
      typed('parseErrorRecoveryPage', () => parseErrorRecoveryPage(asPage(0x01)));
      typed('parseCapabilitiesPage', () => parseCapabilitiesPage(asPage(0x2a)));
    });
  }, PROPERTY_TIMEOUT_MS);

  it('READ SUB-CHANNEL formats 1, 2, 3', async () => {
    const all = ['sub1-false', 'sub1-true', 'sub2', 'sub3'].flatMap(get);
    await check(fc.tuple(hostileBytes(all, 100), fc.boolean()), ([bytes, msf]) => {
      typed('parseSubChannel', () => parseSubChannel(bytes, { msf }));
    });
  }, PROPERTY_TIMEOUT_MS);

  it('READ CD: splitting a response of any length under any valid layout', async () => {
    const flags = fc.record({
      sync: fc.boolean(),
      headerCodes: fc.constantFrom(HeaderCodes.NONE, HeaderCodes.HEADER, HeaderCodes.SUBHEADER, HeaderCodes.ALL),
      userData: fc.boolean(),
      edcEcc: fc.boolean(),
      errorField: fc.constantFrom(ErrorField.NONE, ErrorField.C2, ErrorField.C2_AND_BLOCK),
      subChannelSelection: fc.constantFrom(SubChannelSelection.NONE, SubChannelSelection.RAW, SubChannelSelection.Q, SubChannelSelection.RW),
    });
    await check(
      fc.tuple(flags, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.integer({ min: -200, max: 200 })),
      ([fields, sectorType, sectorCount, subFirst, slack]) => {
        const layout = typed('readCdSectorLayout', () => readCdSectorLayout(fields, sectorType));
        if (!layout) return;
        const length = Math.max(0, layout.total * sectorCount + slack);
        const sectors = typed('splitReadCdResponse', () =>
          splitReadCdResponse(new Uint8Array(length), layout, sectorCount, { subchannelBeforeC2: subFirst }),
        );
        if (sectors) {
          expect(sectors.length).toBe(sectorCount);
          for (const s of sectors) expect(s.main.length).toBe(layout.main);
        }
      },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('Q sub-channel: decodeQ never throws on 12 bytes; de-interleaving any 96 bytes works', async () => {
    await check(fc.tuple(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ minLength: 96, maxLength: 96 })), ([q, raw]) => {
      const decoded = decodeQ(q);
      expect(typeof decoded.crcOk).toBe('boolean');
      decodeQ(deinterleaveQ(raw));
      deinterleaveSubchannel(raw);
    });
  }, PROPERTY_TIMEOUT_MS);

  it('CD-TEXT dumps and packs', async () => {
    await check(fc.tuple(hostileBytes(get('cdtext'), 2000), fc.constantFrom('throw' as const, 'skip' as const)), ([bytes, unsupportedBlocks]) => {
      const dump = typed('cdTextPacksFromDump', () => cdTextPacksFromDump(bytes));
      if (dump) typed('parseCdText(dump)', () => parseCdText(dump.packs, { unsupportedBlocks }));
      typed('parseCdText(bytes)', () => parseCdText(bytes, { unsupportedBlocks }));
    });
  }, PROPERTY_TIMEOUT_MS);
});
