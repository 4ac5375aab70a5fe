/**
 * The whole error hierarchy. Every error has a stable `code`; big context objects (response bytes)
 * are non-enumerable so logging an error does not dump a buffer.
 */

export interface DiscErrorOptions {
  cause?: unknown;
}

/** Base class of every error discrescue throws on purpose. */
export class DiscError extends Error {
  readonly code: string = 'ERR_DISC';
  constructor(message: string, options?: DiscErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/**
 * The description in a Node system error's message ("ENOSPC: no space left on device, write"
 * → "no space left on device"), for messages that name the file and the call themselves.
 */
export function systemErrorReason(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message !== 'string') return String(error);
  return message.replace(/^[A-Z0-9]+: /u, '').replace(/, \w+( '.*')?$/u, '');
}

/** Attach a value without making it enumerable (keeps logs small). */
export function hideProperty(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: false, configurable: true });
}

export interface TransportErrorDetails {
  /** Node-style errno code such as 'ENOENT'. */
  errnoCode?: string;
  /** Negative errno number as Node reports it (e.g. -2 for ENOENT). */
  errno?: number;
  syscall?: string;
  path?: string;
  hostStatus?: number;
  driverStatus?: number;
  cause?: unknown;
}

/**
 * The command never reached the device, or the kernel or host adapter failed it: errno from
 * open/ioctl, host_status/driver_status failures, timeouts, inconsistent residual counts.
 */
export class TransportError extends DiscError {
  override readonly code: string = 'ERR_TRANSPORT';
  readonly errno: number | undefined;
  readonly syscall: string | undefined;
  readonly path: string | undefined;
  readonly hostStatus: number | undefined;
  readonly driverStatus: number | undefined;
  /** errno name ('ENOENT', …) when the failure came from a system call. */
  readonly errnoCode: string | undefined;
  constructor(message: string, details: TransportErrorDetails = {}) {
    super(message, { cause: details.cause });
    this.errno = details.errno;
    this.syscall = details.syscall;
    this.path = details.path;
    this.hostStatus = details.hostStatus;
    this.driverStatus = details.driverStatus;
    this.errnoCode = details.errnoCode;
  }
}

/** ENOENT/ENXIO/ENODEV: no device at that path. */
export class DeviceNotFoundError extends TransportError {
  override readonly code = 'ERR_DEVICE_NOT_FOUND';
}

/** EBUSY: the medium is mounted, or another program holds the drive exclusively. */
export class DeviceBusyError extends TransportError {
  override readonly code = 'ERR_DEVICE_BUSY';
}

/** EACCES/EPERM: the user may not open the device or send this command. */
export class PermissionError extends TransportError {
  override readonly code = 'ERR_PERMISSION';
}

/** ENOTTY/EINVAL on SG_GET_VERSION_NUM: the path is not a SCSI generic capable device. */
export class NotScsiDeviceError extends TransportError {
  override readonly code = 'ERR_NOT_SCSI_DEVICE';
}

/** ENOMEDIUM from open or ioctl. */
export class NoMediumTransportError extends TransportError {
  override readonly code = 'ERR_NO_MEDIUM';
}

/** The command timed out (DID_TIME_OUT, DRIVER_TIMEOUT or ETIMEDOUT). */
export class CommandTimeoutError extends TransportError {
  override readonly code = 'ERR_COMMAND_TIMEOUT';
}

/** The transport was closed, before or while the command was queued. */
export class TransportClosedError extends TransportError {
  override readonly code = 'ERR_TRANSPORT_CLOSED';
}

/** The operation was cancelled through an AbortSignal. */
export class AbortError extends DiscError {
  override readonly code = 'ABORT_ERR';
}

/** Decoded sense data, fixed or descriptor format (SPC; MMC-FACTS §1.5). */
export interface SenseData {
  /** Response code (0x70/0x71 fixed, 0x72/0x73 descriptor). */
  responseCode: number;
  /** True for 0x71/0x73. */
  deferred: boolean;
  format: 'fixed' | 'descriptor';
  senseKey: number;
  asc: number;
  ascq: number;
  /** INFORMATION field when VALID (fixed) or an information descriptor is present; else undefined. */
  information: number | undefined;
  /** Fixed format byte 2 bits. */
  filemark: boolean;
  endOfMedium: boolean;
  incorrectLength: boolean;
  /** Sense-key specific bytes when SKSV is set. */
  senseKeySpecific: number | undefined;
  fru: number;
}

export interface ScsiErrorDetails {
  opcode: number;
  commandName: string;
  sense: SenseData | undefined;
  status: number;
  /** Failing LBA (the INFORMATION field) when the drive reported one. */
  lba?: number | undefined;
  cdb?: Uint8Array;
}

/**
 * The device answered CHECK CONDITION (or another non-GOOD status). Transports return this as a
 * value; the Drive layer throws it.
 */
export class ScsiError extends DiscError {
  override readonly code: string = 'ERR_SCSI';
  readonly opcode: number;
  readonly commandName: string;
  readonly sense: SenseData | undefined;
  readonly status: number;
  readonly lba: number | undefined;
  declare readonly cdb: Uint8Array | undefined;
  constructor(message: string, details: ScsiErrorDetails) {
    super(message);
    this.opcode = details.opcode;
    this.commandName = details.commandName;
    this.sense = details.sense;
    this.status = details.status;
    this.lba = details.lba;
    hideProperty(this, 'cdb', details.cdb);
  }
  get senseKey(): number | undefined {
    return this.sense?.senseKey;
  }
  get asc(): number | undefined {
    return this.sense?.asc;
  }
  get ascq(): number | undefined {
    return this.sense?.ascq;
  }
}

/** Sense key 1: the data came back, after recovery. */
export class RecoveredError extends ScsiError {
  override readonly code = 'ERR_SCSI_RECOVERED';
}
/** Sense key 2: no disc, spinning up, tray open. */
export class NotReadyError extends ScsiError {
  override readonly code = 'ERR_SCSI_NOT_READY';
}
/** Sense key 3: unreadable sector. */
export class MediumError extends ScsiError {
  override readonly code = 'ERR_SCSI_MEDIUM';
}
/** Sense key 4: the drive failed. */
export class HardwareError extends ScsiError {
  override readonly code = 'ERR_SCSI_HARDWARE';
}
/** Sense key 5: unsupported command, field or address. */
export class IllegalRequestError extends ScsiError {
  override readonly code = 'ERR_SCSI_ILLEGAL_REQUEST';
}
/** Sense key 6: medium changed, reset; the command should be repeated. */
export class UnitAttentionError extends ScsiError {
  override readonly code = 'ERR_SCSI_UNIT_ATTENTION';
}
/** Sense key 7. */
export class DataProtectError extends ScsiError {
  override readonly code = 'ERR_SCSI_DATA_PROTECT';
}
/** Sense key 0x0B. */
export class AbortedCommandError extends ScsiError {
  override readonly code = 'ERR_SCSI_ABORTED_COMMAND';
}

/** The feature needs something this platform, drive or build does not offer. */
export class UnsupportedError extends DiscError {
  override readonly code = 'ERR_UNSUPPORTED';
}

export interface FormatErrorDetails {
  file?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
  cause?: unknown;
}

/** Malformed input: mapfile, CUE, TOC, filesystem structure. Names the file and line when known. */
export class FormatError extends DiscError {
  override readonly code: string = 'ERR_FORMAT';
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  constructor(message: string, details: FormatErrorDetails = {}) {
    const where = [details.file, details.line, details.column].filter((v) => v !== undefined).join(':');
    super(where ? `${where}: ${message}` : message, { cause: details.cause });
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
  }
}

/**
 * A drive answered with a response that is truncated or inconsistent with itself. Drives can send
 * garbage; parsers never read past what they were given.
 */
export class MalformedResponseError extends DiscError {
  override readonly code = 'ERR_MALFORMED_RESPONSE';
  readonly commandName: string;
  declare readonly response: Uint8Array | undefined;
  constructor(commandName: string, message: string, response?: Uint8Array) {
    super(`${commandName}: malformed response: ${message}`);
    this.commandName = commandName;
    hideProperty(this, 'response', response);
  }
}

/**
 * Writing the image or the mapfile failed (a full disk, a read-only or vanished filesystem). What
 * the mapfile on disk claims stays true: it is replaced only after the image data is flushed.
 */
export class OutputWriteError extends DiscError {
  override readonly code = 'ERR_OUTPUT_WRITE';
  /** errno code of the failed call ('ENOSPC', 'EIO', 'EROFS' …). */
  readonly errnoCode: string | undefined;
  readonly path: string;
  constructor(message: string, path: string, cause: unknown) {
    super(message, { cause });
    this.path = path;
    const code = (cause as { code?: unknown } | null)?.code;
    this.errnoCode = typeof code === 'string' ? code : undefined;
  }
}

/** A verification found a mismatch. */
export class VerificationError extends DiscError {
  override readonly code = 'ERR_VERIFICATION';
}
