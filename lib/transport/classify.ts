import {
  CommandTimeoutError,
  DeviceBusyError,
  DeviceNotFoundError,
  NoMediumTransportError,
  NotScsiDeviceError,
  PermissionError,
  TransportError,
} from '../errors.js';
import { toHex } from '../scsi/bytes.js';
import { DriverStatus, HostStatus, type CommandResult, type ScsiCommand } from './transport.js';

/** What a raw SG_IO completion looks like before it is judged. */
export interface RawCompletion {
  status: number;
  sense: Uint8Array;
  data: Uint8Array;
  residual: number;
  hostStatus: number;
  driverStatus: number;
  durationMs: number;
}

const hostStatusNames: Record<number, string> = Object.fromEntries(
  Object.entries(HostStatus).map(([name, value]) => [value, name]),
);

const driverStatusNames: Record<number, string> = Object.fromEntries(
  Object.entries(DriverStatus)
    .filter(([name]) => name !== 'DRIVER_MASK')
    .map(([name, value]) => [value, name]),
);

/**
 * Judges a completed SG_IO the way MMC-FACTS §1.3 describes: host_status, then driver_status, then
 * residual consistency. Throws TransportError for anything that makes data and sense untrustworthy;
 * returns the result (which may carry CHECK CONDITION) otherwise.
 */
export function classifyCompletion(command: ScsiCommand, raw: RawCompletion, path: string): CommandResult {
  const opName = `opcode 0x${toHex(command.cdb[0] ?? 0)}`;
  if (raw.hostStatus !== HostStatus.DID_OK) {
    const name = hostStatusNames[raw.hostStatus] ?? `0x${toHex(raw.hostStatus)}`;
    const details = { path, hostStatus: raw.hostStatus, driverStatus: raw.driverStatus };
    if (raw.hostStatus === HostStatus.DID_TIME_OUT) {
      throw new CommandTimeoutError(`${path}: ${opName} timed out (host status ${name})`, details);
    }
    throw new TransportError(`${path}: ${opName} failed in the host adapter (host status ${name})`, details);
  }
  const driverByte = raw.driverStatus & DriverStatus.DRIVER_MASK;
  if (driverByte !== DriverStatus.DRIVER_OK && driverByte !== DriverStatus.DRIVER_SENSE) {
    const name = driverStatusNames[driverByte] ?? `0x${toHex(driverByte)}`;
    const details = { path, hostStatus: raw.hostStatus, driverStatus: raw.driverStatus };
    if (driverByte === DriverStatus.DRIVER_TIMEOUT) {
      throw new CommandTimeoutError(`${path}: ${opName} timed out (driver status ${name})`, details);
    }
    throw new TransportError(`${path}: ${opName} failed in the driver (driver status ${name})`, details);
  }
  const requested = command.direction === 'in' ? (command.dataLength ?? 0) : command.direction === 'out' ? (command.data?.length ?? 0) : 0;
  if (!Number.isInteger(raw.residual) || raw.residual < 0 || raw.residual > requested) {
    throw new TransportError(
      `${path}: ${opName} reported residual ${raw.residual} for a transfer of ${requested} bytes`,
      { path, hostStatus: raw.hostStatus, driverStatus: raw.driverStatus },
    );
  }
  if (command.direction === 'in' && raw.data.length !== requested - raw.residual) {
    throw new TransportError(
      `${path}: ${opName} returned ${raw.data.length} bytes but residual says ${requested - raw.residual}`,
      { path },
    );
  }
  return {
    status: raw.status,
    sense: raw.sense,
    data: raw.data,
    residual: raw.residual,
    hostStatus: raw.hostStatus,
    driverStatus: raw.driverStatus,
    durationMs: raw.durationMs,
  };
}

/** A Node-style system error as the native addon throws it. */
export interface SystemErrorLike {
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  path?: unknown;
  message?: unknown;
}

/**
 * Maps an errno failure to the TransportError subclass a caller can act on, with a message that
 * says what to do.
 */
export function transportErrorFromSystemError(error: SystemErrorLike, path: string): TransportError {
  const code = typeof error.code === 'string' ? error.code : undefined;
  const errno = typeof error.errno === 'number' ? error.errno : undefined;
  const syscall = typeof error.syscall === 'string' ? error.syscall : undefined;
  const details = { errnoCode: code, errno, syscall, path, cause: error };
  const base = typeof error.message === 'string' ? error.message : String(code ?? 'unknown error');
  switch (code) {
    case 'ENOENT':
    case 'ENXIO':
    case 'ENODEV':
      return new DeviceNotFoundError(`${path}: no such device (${code}, ${syscall ?? 'open'})`, details);
    case 'EACCES':
    case 'EPERM':
      return new PermissionError(
        syscall === 'ioctl'
          ? `${path}: the kernel refused this command (${code}): it needs a writable descriptor or CAP_SYS_RAWIO`
          : `${path}: permission denied (${code}); add your user to the "cdrom" group (then log in again) or check the device's permissions`,
        details,
      );
    case 'EBUSY':
      return new DeviceBusyError(
        `${path}: device or resource busy (EBUSY): the disc is mounted or another program has the drive open exclusively; unmount it first`,
        details,
      );
    case 'ENOTTY':
    case 'ENOTBLK':
    case 'EISDIR':
      return new NotScsiDeviceError(`${path}: not a SCSI device (${code}): SG_IO is not supported here`, details);
    case 'ENOMEDIUM':
      return new NoMediumTransportError(`${path}: no medium in the drive (ENOMEDIUM)`, details);
    case 'ETIMEDOUT':
      return new CommandTimeoutError(`${path}: command timed out (ETIMEDOUT)`, details);
    default:
      return new TransportError(`${path}: ${base}`, details);
  }
}
