/**
 * One suite, every Transport: the emulated drive always, and a real drive when TEST_DRIVE names
 * one (TEST_DRIVE=/dev/sr0 npm test). The tests only assume an MMC drive with a data disc.
 */
import { describe, expect, it } from 'vitest';
import { Drive } from '../../lib/drive/drive.js';
import { createEmulatedDrive } from '../../lib/emulator/emulated-drive.js';
import { createDataCd } from '../../lib/emulator/synthetic-disc.js';
import { IllegalRequestError, PermissionError, TransportClosedError } from '../../lib/errors.js';
import * as scsi from '../../lib/scsi/index.js';
import type { Transport } from '../../lib/transport/transport.js';

interface Target {
  name: string;
  open: () => Promise<Transport>;
  skip?: string;
}

const realDrive = process.env.TEST_DRIVE;
const targets: Target[] = [
  { name: 'emulated drive (good profile, data CD)', open: async () => createEmulatedDrive({ disc: createDataCd(3000) }) },
  { name: 'emulated drive (qemu-scsi-cd profile)', open: async () => createEmulatedDrive({ disc: createDataCd(3000), profile: 'qemu-scsi-cd' }) },
  {
    name: `real drive ${realDrive ?? '(set TEST_DRIVE=/dev/srN to run)'}`,
    open: async () => (await Drive.open(realDrive ?? '/dev/sr0')).transport,
    ...(realDrive ? {} : { skip: 'TEST_DRIVE is not set: no real drive to test' }),
  },
];

for (const target of targets) {
  describe.skipIf(target.skip !== undefined)(`Transport conformance: ${target.name}`, () => {
    const withDrive = async (fn: (drive: Drive) => Promise<void>) => {
      const drive = Drive.fromTransport(await target.open());
      try {
        await drive.waitReady({ timeoutMs: 30_000 });
        await fn(drive);
      } finally {
        await drive.close();
      }
    };

    it('identifies as an MMC device', () =>
      withDrive(async (drive) => {
        const inquiry = await drive.inquiry();
        expect(inquiry.deviceType).toBe(5);
        expect(inquiry.removable).toBe(true);
      }));

    it('truncates to the allocation length and reports the residual', () =>
      withDrive(async (drive) => {
        const result = await drive.transport.execute(scsi.buildInquiry({ allocationLength: 5 }));
        expect(result.status).toBe(0);
        expect(result.data.length).toBe(5);
        expect(result.residual).toBe(0);
        expect(result.data[4]).toBeGreaterThanOrEqual(31);
      }));

    it('reads the volume descriptor area of a data disc', () =>
      withDrive(async (drive) => {
        const toc = await drive.toc();
        const data = toc.tracks.find((t) => t.isData);
        expect(data).toBeDefined();
        const sectors = await drive.readSectors(data!.startLba + 16, 2);
        expect(sectors.length).toBe(4096);
      }));

    it('refuses a read past the end with ILLEGAL REQUEST', () =>
      withDrive(async (drive) => {
        const toc = await drive.toc();
        const error = await drive.readSectors(toc.leadOutLba + 100, 1).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(IllegalRequestError);
      }));

    it('rejects an unsupported opcode as a value, not a crash', async () => {
      const transport = await target.open();
      try {
        const cdb = new Uint8Array(6);
        cdb[0] = 0x02; // reserved in SPC
        const result = await transport.execute({ cdb, direction: 'none' }).catch((e: unknown) => e);
        if (result instanceof PermissionError) return; // the kernel filter answered first
        expect(result).toMatchObject({ status: 2 });
        const sense = scsi.decodeSense((result as { sense: Uint8Array }).sense);
        expect(sense?.senseKey).toBe(5);
      } finally {
        await transport.close();
      }
    });

    it('runs concurrent commands one at a time, in order', () =>
      withDrive(async (drive) => {
        const results = await Promise.all([drive.inquiry(), drive.testUnitReady(), drive.inquiry(), drive.toc()]);
        expect(results[0]).toEqual(results[2]);
        expect(results[1]).toEqual({ ready: true });
      }));

    it('refuses commands after close', async () => {
      const transport = await target.open();
      await transport.close();
      await expect(transport.execute(scsi.buildTestUnitReady())).rejects.toBeInstanceOf(TransportClosedError);
      await transport.close();
    });
  });
}
