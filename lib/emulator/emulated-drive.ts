/**
 * EmulatedDrive: a Transport that answers the exact CDBs the library sends as an MMC drive does —
 * data, or CHECK CONDITION with fixed-format sense — from a DiscModel, with a drive profile,
 * seeded faults and a virtual clock. It is the test bench for everything above the transport, and
 * public API for applications that want to test against a drive without one (like undici's
 * MockAgent).
 */

import diagnosticsChannel from 'node:diagnostics_channel';
import { types } from 'node:util';
import { CommandTimeoutError, PermissionError } from '../errors.js';
import { readBe16, readBe24, readBe32, readBe32Signed, writeBe32 } from '../scsi/bytes.js';
import { msfToLba } from '../scsi/msf.js';
import { Opcode, cdbLengthForOpcode } from '../scsi/opcodes.js';
import { ErrorField, ExpectedSectorType, type ReadCdFields } from '../scsi/read-cd.js';
import { SenseKey } from '../scsi/sense.js';
import { CommandQueue } from '../transport/command-queue.js';
import { transportErrorFromSystemError } from '../transport/classify.js';
import { COMMAND_CHANNEL, type CommandEvent } from '../transport/native-transport.js';
import { DriverStatus, HostStatus, ScsiStatus, type CommandResult, type ExecuteOptions, type ScsiCommand, type Transport } from '../transport/transport.js';
import { readAudio } from './audio-stream.js';
import { getConfigurationResponse } from './configuration-response.js';
import {
  BECOMING_READY_POLL_TICKS,
  COMMAND_TICKS,
  DEFAULT_SPEED_FACTOR,
  SPIN_UP_TICKS,
  failureTicks,
  readTicks,
  seekTicks,
  speedFactorFromKBps,
  ticksFromMilliseconds,
} from './cost-model.js';
import type { DiscModel, SectorKind } from './disc-model.js';
import { discInformationResponse, trackInformationResponse } from './disc-info-responses.js';
import { profileImplements, resolveDriveProfile, type DriveProfile, type DriveProfilePreset } from './drive-profile.js';
import { FaultInjector, type FaultOptions, type LbaRange } from './faults.js';
import { inquiryResponse } from './inquiry-data.js';
import { ModePages } from './mode-pages.js';
import { assembleReadCdSector, layoutForKind, matchesExpectedType } from './read-cd-assembly.js';
import { SectorCache, type CachedSector } from './sector-cache.js';
import { CheckCondition, Sense, encodeSense, invalidFieldInCdb, invalidFieldInParameterList, type SenseFields } from './sense-data.js';
import { readSubChannelResponse } from './sub-channel-response.js';
import { writeSubchannel } from './subchannel-synth.js';
import { readTocResponse } from './toc-response.js';
import { TICKS_PER_SECOND, VirtualClock } from './virtual-clock.js';

/**
 * Which commands the kernel's SG_IO filter lets through (MMC-FACTS §1.8): 'rawio' everything (root
 * or CAP_SYS_RAWIO), 'read-write' read-safe and write-safe commands, 'read-only' read-safe ones.
 * A filtered command throws PermissionError (EPERM) without reaching the drive.
 */
export type EmulatedAccess = 'rawio' | 'read-write' | 'read-only';

export interface EmulatedDriveOptions {
  /** The disc in the drive; none when omitted (or when faults.noMedium). */
  disc?: DiscModel;
  /** A preset name or a profile. Default 'good'. */
  profile?: DriveProfile | DriveProfilePreset;
  faults?: FaultOptions;
  /** Seed of every random fault decision. Default 0. */
  seed?: number;
  /** Share a clock between drives, or keep a handle on it. Default: a new VirtualClock. */
  clock?: VirtualClock;
  /** Largest transfer per command. Default 65536. */
  maxTransferBytes?: number;
  /** Transport path. Default `emulated:<profile name>`. */
  path?: string;
  /** Kernel command filter to model. Default 'rawio'. */
  access?: EmulatedAccess;
  /** Timeout of commands that name none (what a timeout fault costs). Default 30 000 ms. */
  defaultTimeoutMs?: number;
}

/** Counters since the drive was created. */
export interface EmulatedDriveStats {
  /** Commands sent, including those that failed or threw. */
  commands: number;
  /** Sectors transferred by successful reads (medium or cache). */
  sectorsRead: number;
  /** Read commands that ended with a MEDIUM ERROR. */
  failedReads: number;
  /** Simulated time this drive spent on commands, in seconds. */
  simulatedSeconds: number;
}

/** GET EVENT STATUS NOTIFICATION media event codes. */
const MediaEvent = { NO_CHANGE: 0, EJECT_REQUEST: 1, NEW_MEDIA: 2, MEDIA_REMOVAL: 3 } as const;

/** Commands a pending UNIT ATTENTION does not fail (SPC; MMC: GET CONFIGURATION, GESN). */
const UNIT_ATTENTION_EXEMPT = new Set<number>([
  Opcode.INQUIRY,
  Opcode.REQUEST_SENSE,
  Opcode.GET_CONFIGURATION,
  Opcode.GET_EVENT_STATUS_NOTIFICATION,
]);

/** Read-safe opcodes of the kernel filter (MMC-FACTS §1.8). */
const READ_SAFE = new Set<number>([
  0x00, 0x03, 0x12, 0x08, 0x28, 0xa8, 0x1a, 0x5a, 0x1b, 0x5c, 0xbe, 0xb9, 0x51, 0x25, 0xad, 0x44, 0x52, 0x42, 0x43, 0xa4,
  0x46, 0x23, 0x4a, 0xac, 0x2b, 0x45, 0x47, 0x4b, 0xba, 0x4e, 0xbd,
]);
/** Write-safe opcodes of the kernel filter (need a descriptor opened for writing). */
const WRITE_SAFE = new Set<number>([0x15, 0x55, 0xbb, 0xb6, 0x1e, 0xa6, 0xa7, 0xa3, 0x0a, 0x2a, 0xaa, 0x2e, 0x35, 0xa1, 0x04, 0x53, 0x5b, 0x54]);

/** Opcodes the emulator implements; a profile may refuse some of them. */
const IMPLEMENTED = new Set<number>([
  Opcode.TEST_UNIT_READY,
  Opcode.REQUEST_SENSE,
  Opcode.INQUIRY,
  Opcode.START_STOP_UNIT,
  Opcode.PREVENT_ALLOW_MEDIUM_REMOVAL,
  Opcode.READ_CAPACITY_10,
  Opcode.READ_10,
  Opcode.READ_12,
  Opcode.SEEK_10,
  Opcode.READ_SUB_CHANNEL,
  Opcode.READ_TOC_PMA_ATIP,
  Opcode.GET_CONFIGURATION,
  Opcode.GET_EVENT_STATUS_NOTIFICATION,
  Opcode.READ_DISC_INFORMATION,
  Opcode.READ_TRACK_INFORMATION,
  Opcode.MODE_SELECT_10,
  Opcode.MODE_SENSE_10,
  Opcode.SET_STREAMING,
  Opcode.READ_CD_MSF,
  Opcode.SET_CD_SPEED,
  Opcode.READ_CD,
]);

const MAX_DATA_BYTES = 16 * 1024 * 1024;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const commandChannel = diagnosticsChannel.channel(COMMAND_CHANNEL);

/** What one command did, besides its data. */
interface CommandContext {
  ticks: number;
  charged: boolean;
}

/** One sector's main channel as the model has it. */
interface ModelSector {
  kind: SectorKind;
  raw: Uint8Array;
}

/**
 * An MMC drive in software. Create it with createEmulatedDrive(); wrap it with
 * Drive.fromTransport() to test code that uses the Drive API.
 */
export class EmulatedDrive implements Transport {
  readonly path: string;
  readonly maxTransferBytes: number;
  readonly profile: DriveProfile;
  readonly clock: VirtualClock;
  readonly faults: FaultInjector;
  readonly access: EmulatedAccess;
  readonly defaultTimeoutMs: number;
  readonly #queue: CommandQueue;
  readonly #modePages: ModePages;
  readonly #cache: SectorCache;
  readonly #maxSpeedFactor: number;
  #closed = false;
  #disc: DiscModel | undefined;
  #trayOpen: boolean;
  #locked = false;
  #stopped = false;
  /** Spin-up in progress until the clock reaches this tick count. */
  #spinUpUntil: number | undefined;
  /** Whether the running spin-up, when it ends, reports the medium change (06/28/00). */
  #pendingChange = false;
  #unitAttentions: SenseFields[] = [];
  #becomingReadyLeft: number;
  #events: number[] = [];
  #speedFactor: number;
  #headLba = 0;
  #headKnown = false;
  #mediaReads = 0;
  #commands = 0;
  #sectorsRead = 0;
  #failedReads = 0;
  #busyTicks = 0;

  constructor(options: EmulatedDriveOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('Expected "options" to be an object');
    this.profile = resolveDriveProfile(options.profile);
    this.faults = new FaultInjector(options.faults ?? {}, options.seed ?? 0);
    this.clock = options.clock ?? new VirtualClock();
    if (!(this.clock instanceof VirtualClock)) throw new TypeError('Expected "clock" to be a VirtualClock');
    this.maxTransferBytes = checkPositiveInteger('maxTransferBytes', options.maxTransferBytes ?? 65536, MAX_DATA_BYTES);
    this.defaultTimeoutMs = checkPositiveInteger('defaultTimeoutMs', options.defaultTimeoutMs ?? 30_000, MAX_TIMEOUT_MS);
    const access = options.access ?? 'rawio';
    if (access !== 'rawio' && access !== 'read-write' && access !== 'read-only') {
      throw new RangeError(`Expected "access" to be 'rawio', 'read-write' or 'read-only', got ${JSON.stringify(access)}`);
    }
    this.access = access;
    this.path = options.path ?? `emulated:${this.profile.name}`;
    if (typeof this.path !== 'string' || this.path.length === 0) throw new TypeError('Expected "path" to be a non-empty string');
    this.#queue = new CommandQueue(this.path);
    this.#modePages = new ModePages(this.profile);
    this.#cache = new SectorCache(this.profile.cacheSectors);
    this.#maxSpeedFactor = speedFactorFromKBps(this.profile.maxReadSpeedKBps);
    this.#speedFactor = Math.min(DEFAULT_SPEED_FACTOR, this.#maxSpeedFactor);
    const noMedium = this.faults.options.noMedium;
    this.#disc = noMedium === undefined || noMedium === false ? options.disc : undefined;
    if (this.#disc !== undefined) checkDisc(this.#disc);
    this.#trayOpen = noMedium === 'tray-open';
    this.#becomingReadyLeft = this.faults.options.becomingReadyCommands ?? 0;
    if (this.faults.options.powerOnReset) this.#unitAttentions.push(unitAttention(0x29));
    if (this.faults.options.mediumChanged) this.#unitAttentions.push(unitAttention(0x28));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The disc on the tray (whether the tray is open or closed). */
  get disc(): DiscModel | undefined {
    return this.#disc;
  }

  get trayOpen(): boolean {
    return this.#trayOpen;
  }

  /** PREVENT ALLOW MEDIUM REMOVAL state. */
  get locked(): boolean {
    return this.#locked;
  }

  /** Current read speed as a CD speed factor (24 = 24×). */
  get speedFactor(): number {
    return this.#speedFactor;
  }

  /** Mode page 01h read retry count in effect. */
  get readRetryCount(): number {
    return this.#modePages.readRetryCount;
  }

  get stats(): EmulatedDriveStats {
    return {
      commands: this.#commands,
      sectorsRead: this.#sectorsRead,
      failedReads: this.#failedReads,
      simulatedSeconds: this.#busyTicks / TICKS_PER_SECOND,
    };
  }

  /**
   * A person or robot puts `disc` in the drive and closes the tray (the lock does not stop them):
   * the drive spins up for 2 s (medium commands answer 02/04/01), then reports 06/28/00 once.
   */
  insertDisc(disc: DiscModel): void {
    checkDisc(disc);
    this.#disc = disc;
    this.#trayOpen = false;
    this.#startSpinUp(true);
  }

  /** A person takes the disc out: the tray is left open. */
  removeDisc(): void {
    if (this.#disc !== undefined) this.#events.push(MediaEvent.MEDIA_REMOVAL);
    this.#disc = undefined;
    this.#trayOpen = true;
    this.#spinUpUntil = undefined;
    this.#forgetMedium();
  }

  /**
   * The eject button: opens the tray, or with the tray locked only reports an eject request
   * (GET EVENT STATUS NOTIFICATION event 1).
   */
  pressEjectButton(): void {
    if (this.#locked) {
      this.#events.push(MediaEvent.EJECT_REQUEST);
      return;
    }
    this.#openTray();
  }

  /**
   * Sends one command. CHECK CONDITION comes back as a result with fixed-format sense; a vanished
   * drive, a filtered command or a timeout throw TransportError subclasses, as the native
   * transport does. Commands run one at a time, in order.
   */
  async execute(command: ScsiCommand, options: ExecuteOptions = {}): Promise<CommandResult> {
    if (typeof options !== 'object' || options === null) throw new TypeError('Expected "options" to be an object');
    const { signal } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('Expected "signal" to be an AbortSignal');
    const prepared = prepareCommand(command, this.maxTransferBytes, this.defaultTimeoutMs);
    return this.#queue.runAbortable(() => this.#run(prepared), signal);
  }

  /** Refuses new commands and waits for queued ones. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue.close();
  }

  async #run(command: ScsiCommand): Promise<CommandResult> {
    const commandsBefore = this.#commands++;
    const cdb = command.cdb;
    const opcode = cdb[0] ?? 0;
    if (this.faults.vanished(commandsBefore)) {
      const error = transportErrorFromSystemError(
        { code: 'ENODEV', errno: -19, syscall: 'ioctl', message: 'No such device' },
        this.path,
      );
      this.#report({ path: this.path, cdb, status: undefined, durationMs: 0, error });
      throw error;
    }
    if (!this.#filterAllows(opcode)) {
      const error = new PermissionError(
        `${this.path}: the kernel refused this command (EPERM): it needs a writable descriptor or CAP_SYS_RAWIO`,
        { errnoCode: 'EPERM', errno: -1, syscall: 'ioctl', path: this.path },
      );
      this.#report({ path: this.path, cdb, status: undefined, durationMs: 0, error });
      throw error;
    }
    const timeoutMs = command.timeoutMs ?? this.defaultTimeoutMs;
    if (this.faults.timesOut(commandsBefore, readRange(cdb))) {
      const ticks = ticksFromMilliseconds(timeoutMs);
      this.#spend(ticks);
      await this.clock.pace(ticks);
      const error = new CommandTimeoutError(`${this.path}: opcode 0x${hex(opcode)} timed out (host status DID_TIME_OUT)`, {
        path: this.path,
        hostStatus: HostStatus.DID_TIME_OUT,
        driverStatus: DriverStatus.DRIVER_OK,
      });
      this.#report({ path: this.path, cdb, status: undefined, durationMs: ticks / (TICKS_PER_SECOND / 1000), error });
      throw error;
    }
    const context: CommandContext = { ticks: 0, charged: false };
    let result: CommandResult;
    try {
      const response = this.#dispatch(command, context);
      const allocation = allocationLength(cdb);
      const data = response && allocation !== undefined && response.length > allocation ? response.subarray(0, allocation) : response;
      if (!context.charged) this.#charge(context, COMMAND_TICKS);
      result = this.#goodResult(command, data, context.ticks);
    } catch (error) {
      if (!(error instanceof CheckCondition)) throw error;
      if (!context.charged) this.#charge(context, COMMAND_TICKS);
      result = this.#checkConditionResult(command, error.sense, context.ticks);
    }
    this.#spend(context.ticks);
    await this.clock.pace(context.ticks);
    const event: CommandEvent = { path: this.path, cdb, status: result.status, durationMs: result.durationMs };
    if (result.sense.length > 2) event.senseKey = (result.sense[2] ?? 0) & 0x0f;
    this.#report(event);
    return result;
  }

  #filterAllows(opcode: number): boolean {
    if (this.access === 'rawio' || READ_SAFE.has(opcode)) return true;
    return this.access === 'read-write' && WRITE_SAFE.has(opcode);
  }

  #spend(ticks: number): void {
    this.clock.advanceTicks(ticks);
    this.#busyTicks += ticks;
  }

  #charge(context: CommandContext, ticks: number): void {
    context.ticks += ticks;
    context.charged = true;
  }

  #goodResult(command: ScsiCommand, response: Uint8Array | undefined, ticks: number): CommandResult {
    const allocated = command.direction === 'in' ? (command.dataLength ?? 0) : 0;
    const length = Math.min(allocated, response?.length ?? 0);
    const data = response ? response.slice(0, length) : new Uint8Array(0);
    return {
      status: ScsiStatus.GOOD,
      sense: new Uint8Array(0),
      data,
      residual: allocated - length,
      hostStatus: HostStatus.DID_OK,
      driverStatus: DriverStatus.DRIVER_OK,
      durationMs: (ticks * 1000) / TICKS_PER_SECOND,
    };
  }

  #checkConditionResult(command: ScsiCommand, sense: Uint8Array, ticks: number): CommandResult {
    const allocated = command.direction === 'in' ? (command.dataLength ?? 0) : 0;
    return {
      status: ScsiStatus.CHECK_CONDITION,
      sense,
      data: new Uint8Array(0),
      residual: allocated,
      hostStatus: HostStatus.DID_OK,
      driverStatus: DriverStatus.DRIVER_SENSE,
      durationMs: (ticks * 1000) / TICKS_PER_SECOND,
    };
  }

  #report(event: CommandEvent): void {
    if (commandChannel.hasSubscribers) commandChannel.publish(event);
  }

  /** Runs one command; returns data-in bytes (full length; the caller truncates) or throws CheckCondition. */
  #dispatch(command: ScsiCommand, context: CommandContext): Uint8Array | undefined {
    const cdb = command.cdb;
    const opcode = cdb[0] ?? 0;
    this.#finishSpinUp();
    if (this.#unitAttentions.length > 0 && !UNIT_ATTENTION_EXEMPT.has(opcode)) {
      const attention = this.#unitAttentions.shift();
      if (attention) throw new CheckCondition(attention);
    }
    if (!IMPLEMENTED.has(opcode) || !profileImplements(this.profile, opcode)) throw Sense.invalidOpcode();
    if (opcode === Opcode.SET_STREAMING && !this.profile.features.realTimeStreaming) throw Sense.invalidOpcode();
    if (cdb.length < cdbLengthForOpcode(opcode)) throw invalidFieldInCdb(0);
    const data = command.direction === 'out' ? (command.data ?? new Uint8Array(0)) : new Uint8Array(0);
    switch (opcode) {
      case Opcode.TEST_UNIT_READY:
        this.#requireMedium(context);
        return undefined;
      case Opcode.REQUEST_SENSE:
        return this.#requestSense(cdb);
      case Opcode.INQUIRY:
        return inquiryResponse(this.profile, cdb);
      case Opcode.START_STOP_UNIT:
        this.#startStopUnit(cdb, context);
        return undefined;
      case Opcode.PREVENT_ALLOW_MEDIUM_REMOVAL:
        this.#locked = ((cdb[4] ?? 0) & 0x01) !== 0;
        return undefined;
      case Opcode.READ_CAPACITY_10:
        return this.#readCapacity(cdb, context);
      case Opcode.READ_10:
        return this.#read(cdb, readBe32(cdb, 2), readBe16(cdb, 7), context);
      case Opcode.READ_12:
        return this.#read(cdb, readBe32(cdb, 2), readBe32(cdb, 6), context);
      case Opcode.SEEK_10:
        this.#seek(readBe32(cdb, 2), context);
        return undefined;
      case Opcode.READ_SUB_CHANNEL: {
        const disc = this.#requireMedium(context);
        if (disc.kind !== 'cd') throw Sense.incompatibleFormat();
        return readSubChannelResponse(disc, cdb, this.#headKnown ? this.#headLba - 1 : 0);
      }
      case Opcode.READ_TOC_PMA_ATIP:
        return readTocResponse(this.#requireMedium(context), this.profile, cdb);
      case Opcode.GET_CONFIGURATION:
        return getConfigurationResponse(this.profile, this.#readyMediumKind(), cdb);
      case Opcode.GET_EVENT_STATUS_NOTIFICATION:
        return this.#eventStatus(cdb);
      case Opcode.READ_DISC_INFORMATION:
        return discInformationResponse(this.#requireMedium(context), cdb);
      case Opcode.READ_TRACK_INFORMATION:
        return trackInformationResponse(this.#requireMedium(context), cdb);
      case Opcode.MODE_SENSE_10:
        return this.#modePages.modeSense10(cdb, { speedFactor: this.#speedFactor, locked: this.#locked });
      case Opcode.MODE_SELECT_10:
        this.#modePages.modeSelect10(cdb, data);
        return undefined;
      case Opcode.SET_CD_SPEED:
        this.#setCdSpeed(cdb);
        return undefined;
      case Opcode.SET_STREAMING:
        this.#setStreaming(cdb, data);
        return undefined;
      case Opcode.READ_CD:
        return this.#readCdCommand(cdb, readBe32Signed(cdb, 2), readBe24(cdb, 6), context);
      case Opcode.READ_CD_MSF: {
        const start = readMsfField(cdb, 3);
        const end = readMsfField(cdb, 6);
        if (end < start) throw invalidFieldInCdb(6);
        return this.#readCdCommand(cdb, start, end - start, context);
      }
      default:
        throw Sense.invalidOpcode();
    }
  }

  // --- medium state -------------------------------------------------------------------------

  #startSpinUp(mediumChanged: boolean): void {
    this.#stopped = false;
    this.#spinUpUntil = this.clock.ticks + SPIN_UP_TICKS;
    this.#pendingChange = mediumChanged;
    if (mediumChanged) this.#events.push(MediaEvent.NEW_MEDIA);
    this.#forgetMedium();
  }

  #finishSpinUp(): void {
    if (this.#spinUpUntil === undefined || this.clock.ticks < this.#spinUpUntil) return;
    this.#spinUpUntil = undefined;
    if (this.#pendingChange) this.#unitAttentions.push(unitAttention(0x28));
    this.#pendingChange = false;
  }

  #forgetMedium(): void {
    this.#cache.flush();
    this.#headKnown = false;
    this.#headLba = 0;
  }

  #openTray(): void {
    if (!this.#trayOpen && this.#disc !== undefined) this.#events.push(MediaEvent.MEDIA_REMOVAL);
    this.#trayOpen = true;
    this.#spinUpUntil = undefined;
    this.#pendingChange = false;
    this.#forgetMedium();
  }

  /** The sense a medium command would get now, without side effects; undefined when ready. */
  #notReadySense(): SenseFields | undefined {
    if (this.#trayOpen) return Sense.noMediumTrayOpen().fields;
    if (this.#disc === undefined) return Sense.noMediumTrayClosed().fields;
    if (this.#spinUpUntil !== undefined) return Sense.becomingReady().fields;
    if (!this.profile.mediaKinds.includes(this.#disc.kind)) return Sense.incompatibleMedium().fields;
    return undefined;
  }

  /** The loaded, readable disc; otherwise throws the NOT READY sense a drive would give. */
  #requireMedium(context: CommandContext): DiscModel {
    const notReady = this.#notReadySense();
    if (notReady) {
      if (notReady.asc === 0x04) this.#charge(context, BECOMING_READY_POLL_TICKS);
      throw new CheckCondition(notReady);
    }
    if (this.#becomingReadyLeft > 0) {
      this.#becomingReadyLeft--;
      this.#charge(context, BECOMING_READY_POLL_TICKS);
      throw Sense.becomingReady();
    }
    if (this.#stopped) {
      // Stopped by START STOP UNIT: the drive spins up on its own for the next medium access.
      this.#stopped = false;
      this.#charge(context, SPIN_UP_TICKS);
    }
    const disc = this.#disc;
    if (!disc) throw Sense.noMediumTrayClosed();
    return disc;
  }

  #readyMediumKind(): DiscModel['kind'] | undefined {
    return this.#notReadySense() === undefined ? this.#disc?.kind : undefined;
  }

  #requestSense(cdb: Uint8Array): Uint8Array {
    if ((cdb[1] ?? 0) & 0x01) throw invalidFieldInCdb(1, 0);
    const attention = this.#unitAttentions.shift();
    if (attention) return encodeSense(attention);
    const notReady = this.#notReadySense();
    if (notReady) return encodeSense(notReady);
    return encodeSense({ senseKey: SenseKey.NO_SENSE, asc: 0, ascq: 0 });
  }

  #startStopUnit(cdb: Uint8Array, context: CommandContext): void {
    const immediate = ((cdb[1] ?? 0) & 0x01) !== 0;
    const b4 = cdb[4] ?? 0;
    // A power condition other than 0 only changes power state, which is not modelled.
    if (b4 >> 4 !== 0) return;
    const loadEject = (b4 & 0x02) !== 0;
    const start = (b4 & 0x01) !== 0;
    if (loadEject && !start) {
      if (this.#locked) throw Sense.removalPrevented();
      this.#openTray();
      return;
    }
    if (loadEject && start) {
      if (!this.#trayOpen) {
        if (this.#stopped && this.#disc) this.#spinUp(immediate, context);
        return;
      }
      this.#trayOpen = false;
      if (this.#disc !== undefined) this.#startSpinUp(true);
      return;
    }
    if (start) {
      if (this.#trayOpen || !this.#disc) throw new CheckCondition(this.#notReadySense() ?? Sense.noMediumTrayClosed().fields);
      if (this.#stopped) this.#spinUp(immediate, context);
      return;
    }
    this.#stopped = this.#disc !== undefined && !this.#trayOpen;
  }

  /** START without load: IMMED returns at once (1 ms) and the spin-up runs on; otherwise the command takes the 2 s. */
  #spinUp(immediate: boolean, context: CommandContext): void {
    this.#stopped = false;
    if (immediate) {
      this.#spinUpUntil = this.clock.ticks + COMMAND_TICKS + SPIN_UP_TICKS;
      this.#pendingChange = false;
    } else {
      this.#charge(context, SPIN_UP_TICKS);
    }
  }

  #eventStatus(cdb: Uint8Array): Uint8Array {
    if (((cdb[1] ?? 0) & 0x01) === 0) throw invalidFieldInCdb(1, 0);
    const supported = 1 << 4;
    if (((cdb[4] ?? 0) & supported) === 0) return Uint8Array.from([0, 2, 0x80, supported]);
    const code = this.#events.shift() ?? MediaEvent.NO_CHANGE;
    const present = !this.#trayOpen && this.#disc !== undefined;
    return Uint8Array.from([0, 6, 4, supported, code, (this.#trayOpen ? 0x01 : 0) | (present ? 0x02 : 0), 0, 0]);
  }

  #setCdSpeed(cdb: Uint8Array): void {
    if (((cdb[1] ?? 0) & 0x03) > 1) throw invalidFieldInCdb(1);
    const kbps = readBe16(cdb, 2);
    this.#speedFactor = kbps === 0xffff ? this.#maxSpeedFactor : Math.min(this.#maxSpeedFactor, speedFactorFromKBps(kbps));
  }

  #setStreaming(cdb: Uint8Array, data: Uint8Array): void {
    if ((cdb[8] ?? 0) !== 0) throw invalidFieldInCdb(8);
    const length = readBe16(cdb, 9);
    if (length === 0) return;
    if (length < 28 || length > data.length) throw Sense.parameterListLength();
    if ((data[0] ?? 0) & 0x04) {
      this.#speedFactor = Math.min(DEFAULT_SPEED_FACTOR, this.#maxSpeedFactor);
      return;
    }
    const startLba = readBe32(data, 4);
    const endLba = readBe32(data, 8);
    if (endLba < startLba) throw invalidFieldInParameterList(8);
    const readSize = readBe32(data, 12);
    const readTime = readBe32(data, 16);
    if (readTime === 0) throw invalidFieldInParameterList(16);
    const kbps = (readSize * 1000) / readTime;
    this.#speedFactor = Math.min(this.#maxSpeedFactor, speedFactorFromKBps(kbps));
  }

  // --- reading ------------------------------------------------------------------------------

  /** First LBA after the last readable sector: the last session's lead-out. */
  #endLba(disc: DiscModel): number {
    return disc.sessions[disc.sessions.length - 1]?.leadOutLba ?? 0;
  }

  #readCapacity(cdb: Uint8Array, context: CommandContext): Uint8Array {
    const disc = this.#requireMedium(context);
    if (((cdb[8] ?? 0) & 0x01) === 0 && readBe32(cdb, 2) !== 0) throw invalidFieldInCdb(2);
    const out = new Uint8Array(8);
    writeBe32(out, 0, this.#endLba(disc) - 1);
    writeBe32(out, 4, 2048);
    return out;
  }

  #seek(lba: number, context: CommandContext): void {
    const disc = this.#requireMedium(context);
    if (lba >= this.#endLba(disc)) throw Sense.lbaOutOfRange();
    this.#charge(context, seekTicks(lba - this.#headLba));
    this.#headLba = lba;
    this.#headKnown = true;
  }

  /** The model's sectors [lba, lba + count); 05/21/00 for any that is not recorded. */
  #modelSectors(disc: DiscModel, lba: number, count: number): ModelSector[] {
    const sectors: ModelSector[] = [];
    for (let i = 0; i < count; i++) {
      const raw = new Uint8Array(2352);
      const kind = disc.readSector(lba + i, raw);
      if (kind === undefined) throw Sense.lbaOutOfRange();
      sectors.push({ kind, raw });
    }
    return sectors;
  }

  /** READ(10) / READ(12): 2048-byte user data of Mode 1 and Mode 2 Form 1 sectors (and DVD/BD blocks). */
  #read(cdb: Uint8Array, lba: number, count: number, context: CommandContext): Uint8Array | undefined {
    const b1 = cdb[1] ?? 0;
    if (b1 & 0x01) throw invalidFieldInCdb(1, 0);
    const fua = (b1 & 0x08) !== 0;
    const disc = this.#requireMedium(context);
    // FUA forces a medium access and, on the drives modelled, drops the read cache.
    if (fua) this.#cache.flush();
    if (count === 0) return undefined;
    const end = this.#endLba(disc);
    if (lba >= end || lba + count > end) throw Sense.lbaOutOfRange();
    this.#checkTransfer(count * 2048);
    const sectors = this.#modelSectors(disc, lba, count);
    const out = new Uint8Array(count * 2048);
    sectors.forEach((sector, i) => {
      const offset = disc.kind === 'cd' ? userDataOffset(sector.kind) : 0;
      if (offset === undefined) throw Sense.illegalModeForTrack();
      out.set(sector.raw.subarray(offset, offset + 2048), i * 2048);
    });
    const fromCache = this.#accessMedium(lba, count, false, fua, context);
    if (!fromCache) this.#cache.record(lba, sectors.map(() => ({})));
    this.#sectorsRead += count;
    return out;
  }

  /** READ CD / READ CD MSF, after the address decoding. */
  #readCdCommand(cdb: Uint8Array, lba: number, count: number, context: CommandContext): Uint8Array | undefined {
    const fields = decodeReadCdFields(cdb);
    const disc = this.#requireMedium(context);
    if (disc.kind !== 'cd') throw Sense.incompatibleFormat();
    if (fields.errorField !== ErrorField.NONE && !this.profile.c2Pointers) throw invalidFieldInCdb(9, 1);
    if (count === 0) return undefined;
    if (lba < -150 || lba + count > this.#endLba(disc)) throw Sense.lbaOutOfRange();
    const sectors = this.#modelSectors(disc, lba, count);
    const audio = sectors[0]?.kind === 'audio';
    let total = 0;
    for (const sector of sectors) {
      if (!matchesExpectedType(sector.kind, fields.expectedSectorType)) throw Sense.illegalModeForTrack();
      // With ANY the drive stops where CD-DA and data meet (Pioneer manual): one command, one kind.
      if ((sector.kind === 'audio') !== audio) throw Sense.illegalModeForTrack();
      total += layoutForKind(fields, sector.kind).total;
    }
    this.#checkTransfer(total);
    const fromCache = this.#accessMedium(lba, count, audio, false, context);
    let delivered: CachedSector[];
    if (!audio) {
      delivered = sectors.map(() => ({}));
    } else if (fromCache) {
      delivered = sectors.map((_, i) => this.#cache.get(lba + i) ?? {});
    } else {
      const jitter = this.profile.accurateStream ? 0 : this.faults.nextJitterSamples();
      const read = readAudio(disc, this.faults, lba, count, this.profile.readOffsetSamples + jitter, this.profile.c2Accuracy, this.#mediaReads++);
      delivered = sectors.map((_, i) => ({
        audio: read.audio.subarray(i * 2352, (i + 1) * 2352),
        flags: read.flags.subarray(i * 2352, (i + 1) * 2352),
      }));
    }
    if (!fromCache) this.#cache.record(lba, delivered);
    const out = new Uint8Array(total);
    const subchannel = new Uint8Array(96);
    let offset = 0;
    sectors.forEach((sector, i) => {
      const copy = delivered[i];
      const raw = audio && copy?.audio ? copy.audio : sector.raw;
      const length = writeSubchannel(disc, lba + i, fields.subChannelSelection, subchannel, 0);
      offset += assembleReadCdSector(fields, sector.kind, raw, copy?.flags, length > 0 ? subchannel : undefined, out, offset);
    });
    this.#sectorsRead += count;
    return out;
  }

  #checkTransfer(bytes: number): void {
    // A real drive would overrun the host's buffer; the library never asks for this much at once.
    if (bytes > MAX_DATA_BYTES) throw invalidFieldInCdb(6);
  }

  /**
   * Moves the head over [lba, lba + count) and charges the time: from the cache (1 ms) when every
   * sector is cached and may be served from it, else seek + transfer, or up to the first
   * unreadable sector plus the failure penalty (then MEDIUM ERROR). Returns true for a cache hit.
   */
  #accessMedium(lba: number, count: number, audio: boolean, fua: boolean, context: CommandContext): boolean {
    const cacheable = this.profile.cacheSectors > 0 && (!audio || this.profile.audioFromCache);
    if (cacheable && !fua && this.#cache.covers(lba, count)) {
      this.#charge(context, COMMAND_TICKS);
      return true;
    }
    let ticks = 0;
    if (!this.#headKnown || lba !== this.#headLba) ticks += seekTicks(lba - this.#headLba);
    for (let i = 0; i < count; i++) {
      if (this.faults.readSucceeds(lba + i, this.profile.name)) continue;
      ticks += readTicks(i, this.#speedFactor) + failureTicks(this.#modePages.readRetryCount);
      this.#headLba = lba + i + 1;
      this.#headKnown = true;
      this.#cache.flush();
      this.#failedReads++;
      this.#charge(context, ticks);
      throw Sense.unrecoveredReadError(lba + i);
    }
    this.#charge(context, ticks + readTicks(count, this.#speedFactor));
    this.#headLba = lba + count;
    this.#headKnown = true;
    return false;
  }
}

/** Creates an EmulatedDrive (see EmulatedDriveOptions). */
export function createEmulatedDrive(options: EmulatedDriveOptions = {}): EmulatedDrive {
  return new EmulatedDrive(options);
}

function unitAttention(asc: number): SenseFields {
  return { senseKey: SenseKey.UNIT_ATTENTION, asc, ascq: 0 };
}

/** Where READ(10) finds the 2048 user bytes in a raw sector; undefined for sectors it cannot read. */
function userDataOffset(kind: SectorKind): number | undefined {
  if (kind === 'mode1') return 16;
  if (kind === 'mode2-form1') return 24;
  return undefined;
}

/** Decodes and checks READ CD byte 1 and bytes 9-10 (MMC-FACTS §2.5). */
function decodeReadCdFields(cdb: Uint8Array): ReadCdFields {
  const b1 = cdb[1] ?? 0;
  const b9 = cdb[9] ?? 0;
  const b10 = cdb[10] ?? 0;
  const expectedSectorType = (b1 >> 2) & 0x07;
  if (expectedSectorType > ExpectedSectorType.MODE2_FORM2) throw invalidFieldInCdb(1, 2);
  if (b1 & 0x01) throw invalidFieldInCdb(1, 0);
  const errorField = (b9 >> 1) & 0x03;
  if (errorField === 3) throw invalidFieldInCdb(9, 1);
  const subChannelSelection = b10 & 0x07;
  if (subChannelSelection !== 0 && subChannelSelection !== 1 && subChannelSelection !== 2 && subChannelSelection !== 4) {
    throw invalidFieldInCdb(10, 0);
  }
  return {
    expectedSectorType,
    dap: (b1 & 0x02) !== 0,
    sync: (b9 & 0x80) !== 0,
    headerCodes: (b9 >> 5) & 0x03,
    userData: (b9 & 0x10) !== 0,
    edcEcc: (b9 & 0x08) !== 0,
    errorField,
    subChannelSelection,
  };
}

/** A binary MSF in a READ CD MSF CDB, as an LBA; 05/24/00 when it is not a valid address. */
function readMsfField(cdb: Uint8Array, offset: number): number {
  const minute = cdb[offset] ?? 0;
  const second = cdb[offset + 1] ?? 0;
  const frame = cdb[offset + 2] ?? 0;
  if (minute > 99 || second > 59 || frame > 74) throw invalidFieldInCdb(offset);
  return msfToLba({ minute, second, frame });
}

/**
 * The CDB's allocation length for variable-length responses: the drive sends at most this much
 * (MMC-FACTS §2.16); the length fields inside still give the full length.
 */
function allocationLength(cdb: Uint8Array): number | undefined {
  switch (cdb[0]) {
    case Opcode.INQUIRY:
      return readBe16(cdb, 3);
    case Opcode.REQUEST_SENSE:
      return cdb[4] ?? 0;
    case Opcode.MODE_SENSE_10:
    case Opcode.READ_TOC_PMA_ATIP:
    case Opcode.GET_CONFIGURATION:
    case Opcode.GET_EVENT_STATUS_NOTIFICATION:
    case Opcode.READ_DISC_INFORMATION:
    case Opcode.READ_TRACK_INFORMATION:
    case Opcode.READ_SUB_CHANNEL:
      return readBe16(cdb, 7);
    default:
      return undefined;
  }
}

/** The sectors a read-type CDB addresses, for timeout faults. */
function readRange(cdb: Uint8Array): LbaRange | undefined {
  switch (cdb[0]) {
    case Opcode.READ_10:
      return span(readBe32(cdb, 2), readBe16(cdb, 7));
    case Opcode.READ_12:
      return span(readBe32(cdb, 2), readBe32(cdb, 6));
    case Opcode.READ_CD:
      return span(readBe32Signed(cdb, 2), readBe24(cdb, 6));
    case Opcode.SEEK_10:
      return span(readBe32(cdb, 2), 1);
    case Opcode.READ_CD_MSF: {
      const start = cdb.length >= 9 ? safeMsf(cdb, 3) : undefined;
      const end = cdb.length >= 9 ? safeMsf(cdb, 6) : undefined;
      return start === undefined || end === undefined ? undefined : span(start, end - start);
    }
    default:
      return undefined;
  }
}

function span(startLba: number, count: number): LbaRange {
  return { startLba, endLba: startLba + count };
}

function safeMsf(cdb: Uint8Array, offset: number): number | undefined {
  try {
    return readMsfField(cdb, offset);
  } catch {
    return undefined;
  }
}

function hex(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, '0');
}

function checkPositiveInteger(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number') throw new TypeError(`Expected "${name}" to be a positive integer`);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new RangeError(`Expected "${name}" to be an integer from 1 to ${max}`);
  return value;
}

function checkDisc(disc: unknown): void {
  const d = disc as Partial<DiscModel> | null;
  if (typeof d !== 'object' || d === null || typeof d.readSector !== 'function' || !Array.isArray(d.tracks) || !Array.isArray(d.sessions)) {
    throw new TypeError('Expected "disc" to be a DiscModel (kind, sessions, tracks, readSector)');
  }
  if (d.sessions.length === 0 || d.tracks.length === 0) throw new RangeError('Expected "disc" to have at least one session and one track');
}

/** Checks a ScsiCommand as the native transport does, and copies it (callers may reuse buffers). */
function prepareCommand(command: unknown, maxTransferBytes: number, defaultTimeoutMs: number): ScsiCommand {
  if (typeof command !== 'object' || command === null) throw new TypeError('Expected "command" to be an object');
  const { cdb, direction, dataLength, data, timeoutMs } = command as Record<keyof ScsiCommand, unknown>;
  if (!types.isUint8Array(cdb)) throw new TypeError('Expected "cdb" to be a Uint8Array');
  if (cdb.length < 6 || cdb.length > 16) throw new RangeError(`Expected "cdb" to be 6 to 16 bytes long, got ${cdb.length}`);
  const timeout = timeoutMs ?? defaultTimeoutMs;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_MS) {
    throw new RangeError('Expected "timeoutMs" to be a positive integer');
  }
  const limit = Math.min(maxTransferBytes, MAX_DATA_BYTES);
  const copy = new Uint8Array(cdb);
  switch (direction) {
    case 'none':
      if (data !== undefined) throw new TypeError(`Expected no "data" for direction 'none'`);
      if (dataLength !== undefined && dataLength !== 0) throw new TypeError(`Expected no "dataLength" for direction 'none'`);
      return { cdb: copy, direction, timeoutMs: timeout };
    case 'in': {
      if (data !== undefined) throw new TypeError(`Expected "dataLength", not "data", for direction 'in'`);
      if (typeof dataLength !== 'number') throw new TypeError(`Expected "dataLength" to be an integer from 0 to ${limit} (the device's maxTransferBytes)`);
      if (!Number.isInteger(dataLength) || dataLength < 0 || dataLength > limit) {
        throw new RangeError(`Expected "dataLength" to be an integer from 0 to ${limit} (the device's maxTransferBytes)`);
      }
      return { cdb: copy, direction, dataLength, timeoutMs: timeout };
    }
    case 'out': {
      if (!types.isUint8Array(data)) throw new TypeError(`Expected "data" to be a Uint8Array for direction 'out'`);
      if (dataLength !== undefined && dataLength !== data.length) {
        throw new RangeError(`Expected "dataLength" to equal data.length (${data.length}) for direction 'out'`);
      }
      if (data.length > limit) throw new RangeError(`Expected "data.length" to be an integer from 0 to ${limit} (the device's maxTransferBytes)`);
      return { cdb: copy, direction, data: new Uint8Array(data), timeoutMs: timeout };
    }
    default:
      throw new TypeError(`Expected "direction" to be 'none', 'in' or 'out'`);
  }
}

