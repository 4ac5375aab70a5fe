import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Drive } from '../../../lib/drive/drive.js';
import { DeviceBusyError, IllegalRequestError, MediumError, NotReadyError } from '../../../lib/errors.js';
import type { ScsiCommand } from '../../../lib/transport/transport.js';
import { checkCondition, ScriptedTransport, type Reply } from '../../helpers/scripted-transport.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** 11-byte full TOC descriptor. */
function desc(session: number, adrControl: number, point: number, pmin: number, psec: number, pframe: number, msf = [0, 0, 0]): number[] {
  return [session, adrControl, 0, point, msf[0] ?? 0, msf[1] ?? 0, msf[2] ?? 0, 0, pmin, psec, pframe];
}

function fullToc(first: number, last: number, descriptors: number[][]): number[] {
  const body = descriptors.flat();
  const length = body.length + 2;
  return [length >> 8, length & 0xff, first, last, ...body];
}

/** CD-Extra: session 1 audio tracks 1-2, session 2 data track 3. */
const cdExtraToc = fullToc(1, 2, [
  desc(1, 0x10, 0xa0, 1, 0x00, 0),
  desc(1, 0x10, 0xa1, 2, 0, 0),
  desc(1, 0x10, 0xa2, 10, 0, 0), // LBA 44850
  desc(1, 0x10, 0x01, 0, 2, 0), // LBA 0
  desc(1, 0x10, 0x02, 5, 0, 0), // LBA 22350
  desc(1, 0x50, 0xb0, 79, 59, 74, [12, 32, 0]),
  desc(2, 0x14, 0xa0, 3, 0x20, 0),
  desc(2, 0x14, 0xa1, 3, 0, 0),
  desc(2, 0x14, 0xa2, 15, 0, 0), // LBA 67350
  desc(2, 0x14, 0x03, 12, 34, 0), // LBA 56400
]);

function byOpcode(table: Record<number, (c: ScsiCommand) => Reply>) {
  return (c: ScsiCommand): Reply => {
    const f = table[c.cdb[0] ?? -1];
    return f ? f(c) : checkCondition(5, 0x20, 0);
  };
}

describe('Drive.execute', () => {
  it('throws the sense key subclass with the failing LBA', async () => {
    const t = new ScriptedTransport(() => checkCondition(3, 0x11, 0x05, 12345));
    const drive = Drive.fromTransport(t);
    const error = await drive.readSectors(12340, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediumError);
    expect((error as MediumError).lba).toBe(12345);
    expect((error as MediumError).message).toBe('READ(10) (0x28) at LBA 12345: MEDIUM ERROR, L-EC uncorrectable error (03/11/05)');
  });
});

describe('Drive.inquiry', () => {
  it('decodes identity', async () => {
    const data = new Uint8Array(96);
    data[0] = 0x05;
    data[1] = 0x80;
    data[4] = 91;
    data.set(Buffer.from('PLEXTOR DVDR   PX-716A  1.11'), 8);
    const t = new ScriptedTransport(() => ({ data }));
    const info = await Drive.fromTransport(t).inquiry();
    expect([info.vendor, info.product, info.revision, info.deviceType, info.removable]).toEqual(['PLEXTOR', 'DVDR   PX-716A', '1.11', 5, true]);
    expect(hex(t.sent[0]!.cdb)).toBe('120000006000');
  });
});

describe('Drive.waitReady', () => {
  it('rides out unit attention and becoming ready', async () => {
    const replies = [checkCondition(6, 0x28, 0), checkCondition(2, 0x04, 0x01), checkCondition(2, 0x04, 0x01), {}];
    const t = new ScriptedTransport(() => replies.shift() ?? {});
    const result = await Drive.fromTransport(t).waitReady({ pollIntervalMs: 1 });
    expect(result).toEqual({ mediumChanged: true, polls: 4 });
    expect(t.opcodes()).toEqual([0, 0, 0, 0]);
  });

  it('spins the disc up when the drive needs an initializing command', async () => {
    const replies = [checkCondition(2, 0x04, 0x02), {}, {}];
    const t = new ScriptedTransport(() => replies.shift() ?? {});
    await Drive.fromTransport(t).waitReady({ pollIntervalMs: 1 });
    expect(t.sent.map((c) => hex(c.cdb))).toEqual(['000000000000', '1b0000000100', '000000000000']);
  });

  it('throws at once when there is no medium', async () => {
    const t = new ScriptedTransport(() => checkCondition(2, 0x3a, 0x01));
    const error = await Drive.fromTransport(t).waitReady({ pollIntervalMs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotReadyError);
    expect(t.sent).toHaveLength(1);
  });

  it('gives up after its timeout', async () => {
    const t = new ScriptedTransport(() => checkCondition(2, 0x04, 0x01));
    const error = await Drive.fromTransport(t).waitReady({ pollIntervalMs: 5, timeoutMs: 30 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotReadyError);
    expect(t.sent.length).toBeGreaterThan(1);
  });

  it('stops when aborted', async () => {
    const t = new ScriptedTransport(() => checkCondition(2, 0x04, 0x01));
    const controller = new AbortController();
    const waiting = Drive.fromTransport(t).waitReady({ pollIntervalMs: 1000, signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(waiting).rejects.toThrow(/abort/iu);
  });
});

describe('Drive.toc', () => {
  it('reads every session from the full TOC', async () => {
    const t = new ScriptedTransport(byOpcode({ 0x43: () => ({ data: cdExtraToc }) }));
    const toc = await Drive.fromTransport(t).toc();
    expect(hex(t.sent[0]!.cdb)).toBe('43020200000000100080');
    expect(toc.source).toBe('full-toc');
    expect(toc.sessions.map((s) => [s.number, s.firstTrack, s.lastTrack, s.discType, s.leadOutLba])).toEqual([
      [1, 1, 2, 0x00, 44850],
      [2, 3, 3, 0x20, 67350],
    ]);
    expect(toc.tracks.map((tr) => [tr.number, tr.session, tr.isData, tr.startLba, tr.endLba, tr.sectorCount])).toEqual([
      [1, 1, false, 0, 22350, 22350],
      [2, 1, false, 22350, 44850, 22500],
      [3, 2, true, 56400, 67350, 10950],
    ]);
    expect(toc.leadOutLba).toBe(67350);
  });

  it('falls back to the formatted TOC when the full TOC is refused', async () => {
    const format0 = [0, 26, 1, 2, 0, 0x14, 1, 0, 0, 0, 0, 0, 0, 0x10, 2, 0, 0, 0, 0x10, 0, 0, 0x10, 0xaa, 0, 0, 0, 0x20, 0];
    const sessionInfo = [0, 10, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0];
    const t = new ScriptedTransport(
      byOpcode({
        0x43: (c) => ((c.cdb[2] ?? 0) === 2 ? checkCondition(5, 0x24, 0) : (c.cdb[2] ?? 0) === 1 ? { data: sessionInfo } : { data: format0 }),
      }),
    );
    const toc = await Drive.fromTransport(t).toc();
    expect(toc.source).toBe('toc');
    expect(toc.tracks.map((tr) => [tr.number, tr.isData, tr.startLba, tr.sectorCount])).toEqual([
      [1, true, 0, 0x1000],
      [2, false, 0x1000, 0x1000],
    ]);
    expect(toc.leadOutLba).toBe(0x2000);
  });
});

describe('Drive.readSectors', () => {
  it('splits reads at the transfer limit and concatenates in order', async () => {
    const t = new ScriptedTransport((c) => {
      const lba = new DataView(c.cdb.buffer, c.cdb.byteOffset).getUint32(2);
      const count = ((c.cdb[7] ?? 0) << 8) | (c.cdb[8] ?? 0);
      const data = new Uint8Array(count * 2048);
      for (let i = 0; i < count; i++) data.fill((lba + i) & 0xff, i * 2048, (i + 1) * 2048);
      return { data };
    }, 4 * 2048);
    const data = await Drive.fromTransport(t).readSectors(100, 10, { fua: true });
    expect(t.sent.map((c) => hex(c.cdb))).toEqual(['28080000006400000400', '28080000006800000400', '28080000006c00000200']);
    expect(Array.from({ length: 10 }, (_, i) => data[i * 2048])).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
  });

  it('rejects a short transfer instead of returning zeros', async () => {
    const t = new ScriptedTransport(() => ({ data: new Uint8Array(2048) }));
    await expect(Drive.fromTransport(t).readSectors(0, 2)).rejects.toThrow(/returned 2048 of 4096 bytes/u);
  });

  it('validates its arguments', async () => {
    const drive = Drive.fromTransport(new ScriptedTransport(() => ({})));
    await expect(drive.readSectors(0, 0)).rejects.toBeInstanceOf(RangeError);
    await expect(drive.readSectors(-1, 1)).rejects.toBeInstanceOf(RangeError);
  });
});

describe('Drive.readCd', () => {
  it('asks for raw sectors with C2 and splits by bytes per sector', async () => {
    const t = new ScriptedTransport((c) => ({ data: new Uint8Array((((c.cdb[6] ?? 0) << 16) | ((c.cdb[7] ?? 0) << 8) | (c.cdb[8] ?? 0)) * 2646) }), 2646 * 3);
    const result = await Drive.fromTransport(t).readCd(-150, 5, { c2: 294 });
    expect(result.bytesPerSector).toBe(2646);
    expect(result.data.length).toBe(5 * 2646);
    expect(t.sent.map((c) => hex(c.cdb))).toEqual(['be00ffffff6a000003fa0000', 'be00ffffff6d000002fa0000']);
  });
});

describe('Drive.capabilities', () => {
  it('re-issues GET CONFIGURATION with the length the drive asks for and merges page 2Ah', async () => {
    const features = [
      [0x00, 0x00, 0x03, 8, 0x00, 0x10, 0x01, 0, 0x00, 0x08, 0x00, 0],
      [0x00, 0x1e, 0x0b, 4, 0x83, 0, 0, 0],
    ].flat();
    const response = [0, 0, 0, 4 + features.length, 0, 0, 0x00, 0x10, ...features];
    const page = new Uint8Array(8 + 30);
    page[1] = 36;
    page[8] = 0x2a;
    page[9] = 28;
    page[8 + 5] = 0x12; // accurate stream + C2
    const t = new ScriptedTransport(
      byOpcode({
        0x46: () => ({ data: response }),
        0x5a: () => ({ data: page }),
      }),
    );
    // A 4096-byte allocation gets everything: one command.
    const caps = await Drive.fromTransport(t).capabilities();
    expect(caps.currentProfile).toBe(0x10);
    expect(caps.profiles).toEqual([
      { profile: 0x10, name: 'DVD-ROM', current: true },
      { profile: 0x08, name: 'CD-ROM', current: false },
    ]);
    expect(caps.cdRead).toEqual({ dap: true, c2Flags: true, cdText: true });
    expect([caps.c2Pointers, caps.accurateStream, caps.dvdRead, caps.bdRead, caps.hasConfiguration]).toEqual([true, true, false, false, true]);
    expect(t.opcodes()).toEqual([0x46, 0x5a]);
  });

  it('copes with an MMC-1 drive that refuses GET CONFIGURATION', async () => {
    const t = new ScriptedTransport(byOpcode({}));
    const caps = await Drive.fromTransport(t).capabilities();
    expect(caps.hasConfiguration).toBe(false);
    expect(caps.capabilitiesPage).toBeUndefined();
    expect(caps.currentProfile).toBe(0);
  });

  it('re-issues when the response is longer than the allocation', async () => {
    const big = new Uint8Array(5000);
    big.set([0, 0, 0x13, 0x84, 0, 0, 0, 0x08], 0);
    for (let o = 8; o + 4 <= 5000; o += 4) big.set([0x01, 0x00 + ((o / 4) & 0xff), 0, 0], o);
    const t = new ScriptedTransport(byOpcode({ 0x46: () => ({ data: big }) }));
    const config = await Drive.fromTransport(t).configuration();
    expect(t.sent.map((c) => c.dataLength)).toEqual([4096, 5000]);
    expect(config.truncated).toBe(false);
  });
});

describe('Drive.setReadSpeed', () => {
  it('uses SET CD SPEED on CD media', async () => {
    const t = new ScriptedTransport(byOpcode({ 0x46: () => ({ data: [0, 0, 0, 4, 0, 0, 0, 0x08] }), 0xbb: () => ({}) }));
    await Drive.fromTransport(t).setReadSpeed(1764);
    expect(hex(t.sent[1]!.cdb)).toBe('bb0006e4ffff000000000000');
  });

  it('uses SET STREAMING on DVD media', async () => {
    const t = new ScriptedTransport(
      byOpcode({
        0x46: () => ({ data: [0, 0, 0, 4, 0, 0, 0, 0x10] }),
        0x25: () => ({ data: [0, 0x22, 0x3e, 0xff, 0, 0, 8, 0] }),
        0xb6: () => ({}),
      }),
    );
    await Drive.fromTransport(t).setReadSpeed(5540);
    expect(t.opcodes()).toEqual([0x46, 0x25, 0xb6]);
    expect(t.sent[2]!.direction).toBe('out');
  });

  it('surfaces refusals as typed errors', async () => {
    const t = new ScriptedTransport(byOpcode({ 0x46: () => ({ data: [0, 0, 0, 4, 0, 0, 0, 0x08] }) }));
    await expect(Drive.fromTransport(t).setReadSpeed(1764)).rejects.toBeInstanceOf(IllegalRequestError);
  });
});

describe('Drive tray commands', () => {
  it('sends eject, load and lock', async () => {
    const t = new ScriptedTransport(() => ({}));
    const drive = Drive.fromTransport(t);
    await drive.eject();
    await drive.load();
    await drive.lock(true);
    await drive.lock(false);
    expect(t.sent.map((c) => hex(c.cdb))).toEqual(['1b0000000200', '1b0000000300', '1e0000000100', '1e0000000000']);
    await drive.close();
    expect(t.closed).toBe(true);
  });
});

describe.skipIf(process.platform !== 'linux')('Drive.open', () => {
  it('refuses a mounted disc and names the mount point, before opening the device', async () => {
    const root = await mkdtemp(join(tmpdir(), 'discrescue-open-'));
    try {
      const dev = join(root, 'sys/devices/host0/0:0:0:0');
      await mkdir(dev, { recursive: true });
      await writeFile(join(dev, 'type'), '5\n');
      await mkdir(join(root, 'sys/class/block/sr0'), { recursive: true });
      await symlink(dev, join(root, 'sys/class/block/sr0/device'));
      await writeFile(join(root, 'sys/class/block/sr0/dev'), '11:0\n');
      await writeFile(join(root, 'mountinfo'), '99 26 11:0 / /media/disc ro - iso9660 /dev/sr0 ro\n');
      const error = await Drive.open('/dev/sr0', {
        discovery: { sysRoot: join(root, 'sys'), mountinfoPath: join(root, 'mountinfo') },
        nativeBinding: {} as never,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeviceBusyError);
      expect((error as Error).message).toBe('/dev/sr0: the disc is mounted at /media/disc; unmount it first (umount "/media/disc")');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
