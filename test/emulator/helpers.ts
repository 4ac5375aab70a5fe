import { expect } from 'vitest';
import { decodeSense } from '../../lib/scsi/sense.js';
import type { CommandResult, Transport } from '../../lib/transport/transport.js';

/** Sends a raw CDB: data-in when `dataLength` > 0, data-out when `data` is given, else none. */
export async function send(
  transport: Transport,
  cdb: number[] | Uint8Array,
  dataLength = 0,
  data?: Uint8Array,
): Promise<CommandResult> {
  const bytes = Uint8Array.from(cdb);
  if (data !== undefined) return transport.execute({ cdb: bytes, direction: 'out', data });
  if (dataLength > 0) return transport.execute({ cdb: bytes, direction: 'in', dataLength });
  return transport.execute({ cdb: bytes, direction: 'none' });
}

/** Asserts CHECK CONDITION with this sense key / ASC / ASCQ (and INFORMATION when given). */
export function expectSense(result: CommandResult, key: number, asc: number, ascq: number, information?: number): void {
  expect(result.status).toBe(2);
  const sense = decodeSense(result.sense);
  expect(sense, 'sense data').toBeDefined();
  expect([sense?.senseKey, sense?.asc, sense?.ascq]).toEqual([key, asc, ascq]);
  if (information !== undefined) expect(sense?.information).toBe(information >>> 0);
}

/** Asserts GOOD status. */
export function expectGood(result: CommandResult): void {
  expect(result.status, `sense ${Array.from(result.sense, (b) => b.toString(16)).join(' ')}`).toBe(0);
}

/** A CDB of `length` bytes with the given leading bytes. */
export function cdb(length: number, ...bytes: number[]): number[] {
  const out = new Array<number>(length).fill(0);
  bytes.forEach((b, i) => (out[i] = b));
  return out;
}

/** Sets a big-endian field in a CDB array. */
export function be(array: number[], offset: number, size: number, value: number): number[] {
  for (let i = 0; i < size; i++) array[offset + i] = Math.floor(value / 2 ** (8 * (size - 1 - i))) & 0xff;
  return array;
}
