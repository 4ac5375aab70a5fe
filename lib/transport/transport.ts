/**
 * The single seam between the library and any device: the native SG_IO transport, the emulated
 * drive, or a recorded session. A CHECK CONDITION is a value in the result; only failures of the
 * path to the device (errno, host or driver status, timeout, inconsistent residual) are thrown as
 * TransportError.
 */

/** SG_IO dxfer_direction, simplified: no data, device to host ('in'), host to device ('out'). */
export type DataDirection = 'none' | 'in' | 'out';

export interface ScsiCommand {
  /** Command descriptor block, 6 to 16 bytes. */
  cdb: Uint8Array;
  direction: DataDirection;
  /** Bytes to receive, for direction 'in'. */
  dataLength?: number;
  /** Bytes to send, for direction 'out'. */
  data?: Uint8Array;
  /** Command timeout; the transport's default when absent. */
  timeoutMs?: number;
}

export interface CommandResult {
  /** SCSI status byte: 0x00 GOOD, 0x02 CHECK CONDITION, 0x08 BUSY, 0x18 RESERVATION CONFLICT. */
  status: number;
  /** Sense bytes the device wrote (empty when none). */
  sense: Uint8Array;
  /** Received bytes for 'in' commands: dataLength − residual of them. Empty otherwise. */
  data: Uint8Array;
  /** dxfer_len minus what was actually transferred. */
  residual: number;
  /** SG_IO host_status (DID_*); always 0 in a result that was not thrown. */
  hostStatus: number;
  /** SG_IO driver_status (DRIVER_*); 0 or DRIVER_SENSE in a result that was not thrown. */
  driverStatus: number;
  /** Time the device took, as the kernel measured it (or the emulator's virtual clock). */
  durationMs: number;
}

export interface ExecuteOptions {
  /**
   * Cancels a command still waiting its turn. A command already sent to the device cannot be
   * interrupted: it ends at the latest when its timeout expires.
   */
  signal?: AbortSignal;
}

export interface Transport {
  /** Device path or a descriptive name ("emulated:…"). */
  readonly path: string;
  /** Largest data transfer one command may carry, in bytes. */
  readonly maxTransferBytes: number;
  readonly closed: boolean;
  /** Send one command. Commands are serialized: one in flight per device. */
  execute(command: ScsiCommand, options?: ExecuteOptions): Promise<CommandResult>;
  /** Waits for the command in flight, then releases the device. Idempotent. */
  close(): Promise<void>;
}

export const ScsiStatus = {
  GOOD: 0x00,
  CHECK_CONDITION: 0x02,
  CONDITION_MET: 0x04,
  BUSY: 0x08,
  RESERVATION_CONFLICT: 0x18,
  TASK_SET_FULL: 0x28,
  ACA_ACTIVE: 0x30,
  TASK_ABORTED: 0x40,
} as const;

/** SG_IO host_status values (MMC-FACTS §1.4). */
export const HostStatus = {
  DID_OK: 0x00,
  DID_NO_CONNECT: 0x01,
  DID_BUS_BUSY: 0x02,
  DID_TIME_OUT: 0x03,
  DID_BAD_TARGET: 0x04,
  DID_ABORT: 0x05,
  DID_PARITY: 0x06,
  DID_ERROR: 0x07,
  DID_RESET: 0x08,
  DID_BAD_INTR: 0x09,
  DID_PASSTHROUGH: 0x0a,
  DID_SOFT_ERROR: 0x0b,
  DID_IMM_RETRY: 0x0c,
  DID_REQUEUE: 0x0d,
  DID_TRANSPORT_DISRUPTED: 0x0e,
  DID_TRANSPORT_FAILFAST: 0x0f,
  DID_TARGET_FAILURE: 0x10,
  DID_NEXUS_FAILURE: 0x11,
} as const;

/** SG_IO driver_status values; the low nibble is the driver byte, the high nibble obsolete. */
export const DriverStatus = {
  DRIVER_OK: 0x00,
  DRIVER_BUSY: 0x01,
  DRIVER_SOFT: 0x02,
  DRIVER_MEDIA: 0x03,
  DRIVER_ERROR: 0x04,
  DRIVER_INVALID: 0x05,
  DRIVER_TIMEOUT: 0x06,
  DRIVER_HARD: 0x07,
  DRIVER_SENSE: 0x08,
  DRIVER_MASK: 0x0f,
} as const;
