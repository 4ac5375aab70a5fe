import { describe, expect, it } from 'vitest';
import { Drive } from '../../../lib/drive/drive.js';
import { FormatError, MediumError, TransportError } from '../../../lib/errors.js';
import { RecordingTransport, ReplayMismatchError, ReplayTransport } from '../../../lib/transport/recording.js';
import type { Transport } from '../../../lib/transport/transport.js';
import { checkCondition, ScriptedTransport } from '../../helpers/scripted-transport.js';

function source(): ScriptedTransport {
  return new ScriptedTransport((c) => {
    if (c.cdb[0] === 0x28 && c.cdb[5] === 7) return checkCondition(3, 0x11, 0x05, 7);
    if (c.cdb[0] === 0x28) return { data: new Uint8Array(2048).fill(c.cdb[5] ?? 0) };
    return {};
  });
}

describe('record and replay', () => {
  it('replays a session through JSON with identical results', async () => {
    const recorder = new RecordingTransport(source());
    const live = Drive.fromTransport(recorder);
    await live.testUnitReady();
    const sector = await live.readSectors(3, 1);
    const liveError = await live.readSectors(7, 1).catch((e: unknown) => e);
    const json = JSON.stringify(recorder.recording());

    const replay = new ReplayTransport(JSON.parse(json));
    const drive = Drive.fromTransport(replay);
    expect(await drive.testUnitReady()).toEqual({ ready: true });
    expect(await drive.readSectors(3, 1)).toEqual(sector);
    const error = await drive.readSectors(7, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediumError);
    expect((error as Error).message).toBe((liveError as Error).message);
    expect(replay.remaining).toBe(0);
  });

  it('rejects a command out of order, or in lookup mode answers any order', async () => {
    const recorder = new RecordingTransport(source());
    const live = Drive.fromTransport(recorder);
    await live.readSectors(1, 1);
    await live.readSectors(2, 1);
    const strict = Drive.fromTransport(new ReplayTransport(recorder.recording()));
    await expect(strict.readSectors(2, 1)).rejects.toBeInstanceOf(ReplayMismatchError);
    const lookup = Drive.fromTransport(new ReplayTransport(recorder.recording(), { order: 'lookup' }));
    expect((await lookup.readSectors(2, 1))[0]).toBe(2);
    expect((await lookup.readSectors(1, 1))[0]).toBe(1);
    await expect(lookup.readSectors(1, 1)).rejects.toBeInstanceOf(ReplayMismatchError);
  });

  it('records transport failures and replays them as TransportError', async () => {
    const failing: Transport = {
      path: 'x',
      maxTransferBytes: 65536,
      closed: false,
      execute: async () => {
        throw new TransportError('x: gone', { errnoCode: 'ENODEV' });
      },
      close: async () => undefined,
    };
    const recorder = new RecordingTransport(failing);
    await expect(Drive.fromTransport(recorder).testUnitReady()).rejects.toBeInstanceOf(TransportError);
    const replayed = await Drive.fromTransport(new ReplayTransport(recorder.recording())).testUnitReady().catch((e: unknown) => e);
    expect(replayed).toBeInstanceOf(TransportError);
    expect((replayed as TransportError).errnoCode).toBe('ENODEV');
  });

  it('refuses malformed recordings with a FormatError', () => {
    for (const bad of [null, {}, { format: 'discrescue-recording', version: 2 }, { format: 'discrescue-recording', version: 1, path: 'p', maxTransferBytes: 1, exchanges: [{ cdb: 'zz', direction: 'in' }] }]) {
      expect(() => new ReplayTransport(bad)).toThrow(FormatError);
    }
  });
});
