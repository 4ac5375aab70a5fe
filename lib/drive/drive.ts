/**
 * Drive: the library's view of one optical drive, composed over a Transport (the native SG_IO
 * transport, the emulated drive, or any other). It builds commands with lib/scsi, sends them,
 * throws ScsiError for CHECK CONDITION, and decodes the answers.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { DeviceBusyError, FormatError, MalformedResponseError, NotReadyError, ScsiError, TransportError, UnitAttentionError } from '../errors.js';
import * as scsi from '../scsi/index.js';
import { ScsiStatus, type ExecuteOptions, type ScsiCommand, type Transport } from '../transport/transport.js';
import { openNativeTransport } from '../transport/native-transport.js';
import type { NativeBinding } from '../transport/native-binding.js';
import { findDrive, type DiscoveryOptions } from './discovery.js';
import type { EmulatedAddressOptions } from '../emulator/address.js';
import { describeCapabilities, type DriveCapabilities } from './capabilities.js';
import { tocFromFullToc, tocFromFormat0, type DiscToc } from './toc.js';

export interface OpenOptions {
  /** Open with O_EXCL so no other program (or mount) can use the drive meanwhile. Default false. */
  exclusive?: boolean;
  /**
   * Read-write descriptor (needed for MODE SELECT, SET CD SPEED, PREVENT ALLOW without
   * CAP_SYS_RAWIO). 'auto' (default) tries read-write and falls back to read-only.
   */
  writable?: boolean | 'auto';
  /** Default command timeout. Default 30 000 ms. */
  timeoutMs?: number;
  /** Refuse to open a drive whose medium is mounted. Default true. */
  refuseMounted?: boolean;
  /** The native addon to use: an object or a path to a .node file (tests, bundlers). */
  nativeBinding?: NativeBinding | string;
  /** Where to look for sysfs and mountinfo (tests). */
  discovery?: DiscoveryOptions;
  /** For `emu:` addresses: defect map, drive profile, seed. */
  emulator?: EmulatedAddressOptions;
}

/** Counters of an emulated drive's virtual clock. */
export interface SimulationStats {
  commands: number;
  sectorsRead: number;
  failedReads: number;
  simulatedSeconds: number;
}

export interface CommandOptions extends ExecuteOptions {
  timeoutMs?: number;
}

export interface WaitReadyOptions {
  /** Give up after this long. Default 60 000 ms. */
  timeoutMs?: number;
  /** Pause between TEST UNIT READY polls. Default 250 ms. */
  pollIntervalMs?: number;
  /** Keep polling while there is no disc (a robot or a person is loading one). Default false. */
  waitForMedium?: boolean;
  signal?: AbortSignal;
}

export interface WaitReadyResult {
  /** A UNIT ATTENTION said the medium changed (or the drive was reset) while waiting. */
  mediumChanged: boolean;
  /** Number of TEST UNIT READY commands sent. */
  polls: number;
}

export interface ReadSectorsOptions extends CommandOptions {
  /** Logical block size. Default 2048. */
  blockLength?: number;
  /** Force Unit Access: bypass the drive cache. Default false. */
  fua?: boolean;
}

export interface ReadCdOptions extends CommandOptions {
  /** Default ANY: the drive returns whatever type the sector has. */
  expectedSectorType?: number;
  /** Digital Audio Play: let the drive conceal audio errors. Default false. */
  dap?: boolean;
  /** C2 error pointers: 294 bytes, or 296 with the block-error byte. Default none. */
  c2?: false | 294 | 296;
  /** Sub-channel: raw P-W (96), formatted Q (16), corrected R-W (96). Default none. */
  subchannel?: 'none' | 'raw' | 'q' | 'rw';
  /** Main-channel parts; default the whole 2352-byte sector. */
  sync?: boolean;
  headerCodes?: number;
  userData?: boolean;
  edcEcc?: boolean;
}

export interface ReadCdResult {
  /** Everything the drive returned, sector after sector. */
  data: Uint8Array;
  /** Bytes per sector in `data`. */
  bytesPerSector: number;
  sectorCount: number;
}

const NOT_READY_ASC_BECOMING = 0x04;
const NO_MEDIUM_ASC = 0x3a;

export class Drive {
  readonly transport: Transport;
  #capabilities: DriveCapabilities | undefined;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  /**
   * Opens a drive by path (`/dev/sr0` or `/dev/sg1`). Refuses a drive whose medium is mounted,
   * with a message saying where, because reading under a mounted filesystem gives EBUSY or races.
   */
  static async open(path: string, options: OpenOptions = {}): Promise<Drive> {
    if (typeof path !== 'string' || path.length === 0) {
      throw new TypeError(`Expected "path" to be a non-empty string`);
    }
    if (path.startsWith('replay:')) {
      // A recorded session (RecordingTransport JSON) answers instead of a drive.
      const { readFile } = await import('node:fs/promises');
      const { ReplayTransport } = await import('../transport/recording.js');
      const file = path.slice('replay:'.length);
      let json: unknown;
      try {
        json = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        throw new FormatError(`cannot read the recording: ${(error as Error).message}`, { file, cause: error });
      }
      return new Drive(new ReplayTransport(json, { order: 'lookup' }));
    }
    if (path.startsWith('emu:')) {
      // Loaded on demand: real drives never pay for the emulator.
      const { openEmulated } = await import('../emulator/open-emulated.js');
      return new Drive(await openEmulated(path, options.emulator ?? {}));
    }
    const refuseMounted = options.refuseMounted ?? true;
    const info = process.platform === 'linux' ? await findDrive(path, options.discovery) : undefined;
    if (refuseMounted && info?.mounted) {
      throw mountedError(path, info.mountPoints);
    }
    try {
      const transport = await openNativeTransport(path, {
        exclusive: options.exclusive ?? false,
        writable: options.writable ?? 'auto',
        ...(options.timeoutMs === undefined ? {} : { defaultTimeoutMs: options.timeoutMs }),
        ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }),
      });
      return new Drive(transport);
    } catch (error) {
      if (error instanceof DeviceBusyError && info?.mounted) throw mountedError(path, info.mountPoints, error);
      throw error;
    }
  }

  /** Wraps any Transport (the emulated drive, a recorded session). */
  static fromTransport(transport: Transport): Drive {
    return new Drive(transport);
  }

  get path(): string {
    return this.transport.path;
  }

  /** The virtual clock's counters when the drive is emulated; undefined for a real drive. */
  get simulation(): SimulationStats | undefined {
    const stats = (this.transport as { stats?: unknown }).stats;
    if (typeof stats !== 'object' || stats === null) return undefined;
    const { commands, sectorsRead, failedReads, simulatedSeconds } = stats as SimulationStats;
    return { commands, sectorsRead, failedReads, simulatedSeconds };
  }

  /**
   * Sends one command; returns the received bytes. A non-GOOD status is thrown as the ScsiError
   * subclass of its sense key.
   */
  async execute(command: ScsiCommand, options: CommandOptions = {}): Promise<Uint8Array> {
    const toSend = options.timeoutMs === undefined ? command : { ...command, timeoutMs: options.timeoutMs };
    const result = await this.transport.execute(toSend, options.signal ? { signal: options.signal } : {});
    if (result.status !== ScsiStatus.GOOD) throw scsi.scsiErrorFromResult(toSend, result);
    return result.data;
  }

  /**
   * Sends a command whose response starts with a length field; if the drive has more than was
   * allocated, sends it again with the length it asked for.
   */
  async #executeVariable(
    build: (allocationLength: number) => ScsiCommand,
    initialAllocation: number,
    lengthFieldSize: 2 | 4,
    maxAllocation: number,
    options: CommandOptions,
  ): Promise<Uint8Array> {
    const first = await this.execute(build(initialAllocation), options);
    const needed = scsi.requiredAllocationLength(first, lengthFieldSize);
    if (needed === undefined || needed <= initialAllocation || first.length < initialAllocation) return first;
    return this.execute(build(Math.min(needed, maxAllocation)), options);
  }

  async inquiry(options: CommandOptions = {}): Promise<scsi.InquiryData> {
    return scsi.parseInquiry(await this.execute(scsi.buildInquiry({ allocationLength: 96 }), options));
  }

  /** TEST UNIT READY: true when ready; the ScsiError otherwise (a value: not ready is not a failure). */
  async testUnitReady(options: CommandOptions = {}): Promise<{ ready: true } | { ready: false; error: ScsiError }> {
    try {
      await this.execute(scsi.buildTestUnitReady(), options);
      return { ready: true };
    } catch (error) {
      if (error instanceof ScsiError) return { ready: false, error };
      throw error;
    }
  }

  /**
   * Polls TEST UNIT READY until the drive is ready: rides out "becoming ready" (02/04/01),
   * spins the disc up when the drive asks for it (02/04/02), and swallows the UNIT ATTENTIONs a
   * medium change or reset leaves behind (06/28/00, 06/29/xx), remembering them. Throws the
   * NotReadyError for "medium not present" unless `waitForMedium`.
   */
  async waitReady(options: WaitReadyOptions = {}): Promise<WaitReadyResult> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const pollIntervalMs = options.pollIntervalMs ?? 250;
    const deadline = Date.now() + timeoutMs;
    let mediumChanged = false;
    let polls = 0;
    let startSent = false;
    for (;;) {
      options.signal?.throwIfAborted();
      polls++;
      const state = await this.testUnitReady(options.signal ? { signal: options.signal } : {});
      if (state.ready) {
        if (mediumChanged) this.#capabilities = undefined;
        return { mediumChanged, polls };
      }
      const error = state.error;
      if (error instanceof UnitAttentionError) {
        mediumChanged = true;
        continue;
      }
      if (!(error instanceof NotReadyError)) throw error;
      if (error.asc === NO_MEDIUM_ASC && !options.waitForMedium) throw error;
      if (error.asc === NOT_READY_ASC_BECOMING && error.ascq === 0x02 && !startSent) {
        startSent = true;
        await this.execute(scsi.buildStartStopUnit({ start: true, loadEject: false }), options.signal ? { signal: options.signal } : {});
        continue;
      }
      if (Date.now() + pollIntervalMs > deadline) throw error;
      await sleep(pollIntervalMs, undefined, options.signal ? { signal: options.signal } : {});
    }
  }

  /**
   * What the drive can do: profiles and features (GET CONFIGURATION), and mode page 2Ah. Either
   * may be missing on old or odd drives; the result says what was learnt. Cached until a medium
   * change is seen by waitReady().
   */
  async capabilities(options: CommandOptions = {}): Promise<DriveCapabilities> {
    if (this.#capabilities) return this.#capabilities;
    const configuration = await this.configuration(options).catch(ignoreIllegalRequest);
    const page = await this.modeSensePage(scsi.ModePage.CD_CAPABILITIES, options).catch(ignoreIllegalRequest);
    this.#capabilities = describeCapabilities(configuration, page === undefined ? undefined : scsi.parseCapabilitiesPage(page));
    return this.#capabilities;
  }

  /** GET CONFIGURATION, all features, re-issued with a larger allocation when needed. */
  async configuration(options: CommandOptions = {}): Promise<scsi.Configuration> {
    const data = await this.#executeVariable(
      (allocationLength) => scsi.buildGetConfiguration({ requestType: scsi.RequestType.ALL, allocationLength }),
      4096,
      4,
      65530,
      options,
    );
    return scsi.parseConfiguration(data);
  }

  /** The current profile only (RT=2, feature 0): cheap, used to choose SET STREAMING over SET CD SPEED. */
  async currentProfile(options: CommandOptions = {}): Promise<number> {
    const data = await this.execute(
      scsi.buildGetConfiguration({ requestType: scsi.RequestType.ONE, startingFeature: 0, allocationLength: 8 }),
      options,
    );
    return scsi.parseConfiguration(data).currentProfile;
  }

  /** MODE SENSE(10) for one page (current values unless `pageControl`); returns the page bytes. */
  async modeSensePage(pageCode: number, options: CommandOptions & { pageControl?: number } = {}): Promise<Uint8Array> {
    const data = await this.#executeVariable(
      (allocationLength) =>
        scsi.buildModeSense10({ pageCode, pageControl: options.pageControl ?? 0, allocationLength }),
      256,
      2,
      65535,
      options,
    );
    const parsed = scsi.parseModeSense10(data);
    const page = parsed.pages.find((p) => p.pageCode === pageCode);
    if (!page) throw new MalformedResponseError(`MODE SENSE(10)`, `page 0x${pageCode.toString(16).padStart(2, "0")} missing from the response`, data);
    return page.bytes;
  }

  /** MODE SELECT(10) of one page (PS bit cleared for you). Needs a writable descriptor. */
  async modeSelectPage(page: Uint8Array, options: CommandOptions = {}): Promise<void> {
    await this.execute(scsi.buildModeSelect10([page]), options);
  }

  /** READ CAPACITY(10). On CDs prefer toc(): the capacity of multisession discs is unreliable. */
  async readCapacity(options: CommandOptions = {}): Promise<scsi.ReadCapacity10Data> {
    return scsi.parseReadCapacity10(await this.execute(scsi.buildReadCapacity10(), options));
  }

  /**
   * The table of contents of every session. Uses the full TOC (format 2) and falls back to the
   * formatted TOC (format 0, plus session info) when the drive or medium refuses it (DVD, BD,
   * some emulated drives).
   */
  async toc(options: CommandOptions = {}): Promise<DiscToc> {
    try {
      const data = await this.#executeVariable(
        // MSF=1: the raw TOC is MSF by nature, and some drives put LBAs in PMSF when MSF=0.
        (allocationLength) => scsi.buildReadToc({ format: scsi.TocFormat.FULL_TOC, msf: true, allocationLength }),
        4096,
        2,
        65535,
        options,
      );
      const full = scsi.parseFullToc(data);
      if (full.descriptors.some((d) => d.adr === 1 && d.point >= 1 && d.point <= 99)) {
        return tocFromFullToc(scsi.summarizeFullToc(full));
      }
    } catch (error) {
      // Refused, or a full TOC that does not describe a disc (no lead-out, no tracks): use format 0.
      if (!isIllegalRequest(error) && !(error instanceof MalformedResponseError)) throw error;
    }
    const formatted = scsi.parseToc(
      await this.#executeVariable(
        (allocationLength) => scsi.buildReadToc({ format: scsi.TocFormat.TOC, allocationLength }),
        4096,
        2,
        65535,
        options,
      ),
      { msf: false },
    );
    const session = await this.execute(scsi.buildReadToc({ format: scsi.TocFormat.SESSION_INFO, allocationLength: 12 }), options)
      .then((d) => scsi.parseSessionInfo(d, { msf: false }))
      .catch(ignoreIllegalRequest);
    return tocFromFormat0(formatted, session);
  }

  /** READ DISC INFORMATION. */
  async discInformation(options: CommandOptions = {}): Promise<scsi.DiscInformation> {
    const data = await this.#executeVariable(
      (allocationLength) => scsi.buildReadDiscInformation({ allocationLength }),
      34,
      2,
      65535,
      options,
    );
    return scsi.parseDiscInformation(data);
  }

  /** READ TRACK INFORMATION for a track number. */
  async trackInformation(trackNumber: number, options: CommandOptions = {}): Promise<scsi.TrackInformation> {
    const data = await this.execute(
      scsi.buildReadTrackInformation({ addressType: scsi.TrackAddressType.TRACK, address: trackNumber }),
      options,
    );
    return scsi.parseTrackInformation(data);
  }

  /** Media Catalogue Number from READ SUB-CHANNEL, or undefined when the disc has none. */
  async mcn(options: CommandOptions = {}): Promise<string | undefined> {
    const data = await this.execute(scsi.buildReadSubChannel({ format: scsi.SubChannelFormat.MCN }), options);
    const parsed = scsi.parseSubChannel(data, { msf: false });
    return parsed.format === scsi.SubChannelFormat.MCN ? parsed.mcn : undefined;
  }

  /** ISRC of one audio track, or undefined. */
  async isrc(trackNumber: number, options: CommandOptions = {}): Promise<string | undefined> {
    const data = await this.execute(
      scsi.buildReadSubChannel({ format: scsi.SubChannelFormat.ISRC, trackNumber }),
      options,
    );
    const parsed = scsi.parseSubChannel(data, { msf: false });
    return parsed.format === scsi.SubChannelFormat.ISRC ? parsed.isrc : undefined;
  }

  /** GET EVENT STATUS NOTIFICATION, media class: tray and disc presence without disturbing the drive. */
  async mediaStatus(options: CommandOptions = {}): Promise<scsi.EventStatus> {
    return scsi.parseEventStatus(await this.execute(scsi.buildGetEventStatusNotification({}), options));
  }

  /**
   * Reads 2048-byte (or `blockLength`) sectors with READ(10), split into commands that fit the
   * device's transfer limit. Fails as a whole on the first error, with the failing LBA.
   */
  async readSectors(lba: number, sectorCount: number, options: ReadSectorsOptions = {}): Promise<Uint8Array> {
    const blockLength = options.blockLength ?? 2048;
    const fua = options.fua ?? false;
    return this.#readChunked('READ(10)', lba, sectorCount, blockLength, 65535, options, (start, count) =>
      scsi.buildRead10({ lba: start, sectorCount: count, blockLength, fua }),
    );
  }

  /**
   * READ CD: raw 2352-byte sectors by default, optionally with C2 pointers and sub-channel, split
   * into commands that fit the transfer limit.
   */
  async readCd(lba: number, sectorCount: number, options: ReadCdOptions = {}): Promise<ReadCdResult> {
    checkCount('sectorCount', sectorCount);
    const fields = readCdFields(options);
    const bytesPerSector = scsi.readCdBytesPerSector(fields);
    const data = await this.#readChunked('READ CD', lba, sectorCount, bytesPerSector, Number.MAX_SAFE_INTEGER, options, (start, count) =>
      scsi.buildReadCd({ ...fields, lba: start, sectorCount: count }),
    );
    return { data, bytesPerSector, sectorCount };
  }

  /**
   * Reads `sectorCount` sectors in commands that fit the transfer limit, in order, into one
   * buffer; a short transfer is an error, never zeros.
   */
  async #readChunked(
    name: string,
    lba: number,
    sectorCount: number,
    bytesPerSector: number,
    maxPerCommand: number,
    options: CommandOptions,
    build: (start: number, count: number) => ScsiCommand,
  ): Promise<Uint8Array> {
    checkCount('sectorCount', sectorCount);
    const perCommand = Math.max(1, Math.min(maxPerCommand, Math.floor(this.transport.maxTransferBytes / bytesPerSector)));
    const out = new Uint8Array(sectorCount * bytesPerSector);
    for (let done = 0; done < sectorCount; ) {
      const count = Math.min(perCommand, sectorCount - done);
      const data = await this.execute(build(lba + done, count), options);
      if (data.length !== count * bytesPerSector) {
        throw new TransportError(
          `${this.path}: ${name} at LBA ${lba + done} returned ${data.length} of ${count * bytesPerSector} bytes`,
          { path: this.path },
        );
      }
      out.set(data, done * bytesPerSector);
      done += count;
    }
    return out;
  }

  /**
   * Sets the read speed in kB/s ('max' for the fastest). CD media use SET CD SPEED; DVD and BD
   * use SET STREAMING first, since many drives ignore SET CD SPEED for them.
   */
  async setReadSpeed(speed: number | 'max', options: CommandOptions = {}): Promise<void> {
    const readSpeedKBps = speed === 'max' ? 0xffff : speed;
    const profile = await this.currentProfile(options).catch(() => 0);
    if (profile >= 0x10 && speed !== 'max') {
      try {
        const capacity = await this.readCapacity(options);
        await this.execute(
          scsi.buildSetStreaming({ startLba: 0, endLba: capacity.lastLba, readSizeKB: readSpeedKBps, readTimeMs: 1000 }),
          options,
        );
        return;
      } catch (error) {
        if (!isIllegalRequest(error)) throw error;
      }
    }
    await this.execute(scsi.buildSetCdSpeed({ readSpeedKBps }), options);
  }

  /** Opens the tray (START STOP UNIT LoEj). */
  async eject(options: CommandOptions = {}): Promise<void> {
    await this.execute(scsi.buildStartStopUnit({ start: false, loadEject: true }), options);
  }

  /** Closes the tray and spins up. */
  async load(options: CommandOptions = {}): Promise<void> {
    await this.execute(scsi.buildStartStopUnit({ start: true, loadEject: true }), options);
  }

  /** Locks or unlocks the tray (PREVENT ALLOW MEDIUM REMOVAL). Needs a writable descriptor. */
  async lock(locked: boolean, options: CommandOptions = {}): Promise<void> {
    await this.execute(scsi.buildPreventAllowMediumRemoval({ prevent: locked }), options);
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}

function readCdFields(options: ReadCdOptions): scsi.ReadCdFields {
  return {
    expectedSectorType: options.expectedSectorType ?? scsi.ExpectedSectorType.ANY,
    dap: options.dap ?? false,
    sync: options.sync ?? true,
    headerCodes: options.headerCodes ?? scsi.HeaderCodes.ALL,
    userData: options.userData ?? true,
    edcEcc: options.edcEcc ?? true,
    errorField:
      options.c2 === 294 ? scsi.ErrorField.C2 : options.c2 === 296 ? scsi.ErrorField.C2_AND_BLOCK : scsi.ErrorField.NONE,
    subChannelSelection:
      options.subchannel === 'raw'
        ? scsi.SubChannelSelection.RAW
        : options.subchannel === 'q'
          ? scsi.SubChannelSelection.Q
          : options.subchannel === 'rw'
            ? scsi.SubChannelSelection.RW
            : scsi.SubChannelSelection.NONE,
  };
}

function checkCount(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`Expected "${name}" to be a positive integer, got ${String(value)}`);
  }
}

function isIllegalRequest(error: unknown): boolean {
  return error instanceof ScsiError && error.senseKey === 0x05;
}

function ignoreIllegalRequest(error: unknown): undefined {
  if (isIllegalRequest(error)) return undefined;
  throw error;
}

function mountedError(path: string, mountPoints: string[], cause?: unknown): DeviceBusyError {
  const where = mountPoints.join(', ');
  return new DeviceBusyError(
    `${path}: the disc is mounted at ${where}; unmount it first (umount ${JSON.stringify(mountPoints[0] ?? path)})`,
    { path, errnoCode: 'EBUSY', cause },
  );
}
