import type { CommandResult, ScsiCommand, Transport } from '../../lib/transport/transport.js';

export type Reply = { data?: Uint8Array | number[]; status?: number; sense?: Uint8Array | number[] };

/** A Transport that answers from a handler and records every command it was sent. */
export class ScriptedTransport implements Transport {
  readonly path = 'scripted:0';
  closed = false;
  readonly sent: ScsiCommand[] = [];
  constructor(
    private readonly handler: (command: ScsiCommand) => Reply,
    readonly maxTransferBytes = 65536,
  ) {}

  async execute(command: ScsiCommand): Promise<CommandResult> {
    this.sent.push(command);
    const reply = this.handler(command);
    const full = Uint8Array.from(reply.data ?? []);
    const allocated = command.direction === 'in' ? (command.dataLength ?? 0) : 0;
    const data = full.subarray(0, Math.min(allocated, full.length));
    return {
      status: reply.status ?? 0,
      sense: Uint8Array.from(reply.sense ?? []),
      data,
      residual: allocated - data.length,
      hostStatus: 0,
      driverStatus: reply.sense ? 8 : 0,
      durationMs: 1,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  opcodes(): number[] {
    return this.sent.map((c) => c.cdb[0] ?? -1);
  }
}

/** CHECK CONDITION with 18-byte fixed-format sense, INFORMATION valid when `information` given. */
export function checkCondition(senseKey: number, asc: number, ascq: number, information?: number): Reply {
  const sense = new Uint8Array(18);
  sense[0] = information === undefined ? 0x70 : 0xf0;
  sense[2] = senseKey;
  if (information !== undefined) {
    new DataView(sense.buffer).setUint32(3, information >>> 0);
  }
  sense[7] = 10;
  sense[12] = asc;
  sense[13] = ascq;
  return { status: 2, sense };
}
