/**
 * Mode pages of the emulated drive (MMC-FACTS §2.13): 01h Read/Write Error Recovery, whose read
 * retry count drives the cost of failed reads, and 2Ah CD/DVD Capabilities, read-only. MODE
 * SENSE(10) returns current, changeable or default values; MODE SELECT(10) validates the whole
 * parameter list before changing anything.
 */

import { readBe16, writeBe16 } from '../scsi/bytes.js';
import { ModePage, PageControl } from '../scsi/mode.js';
import { DEFAULT_READ_RETRY_COUNT, DEFAULT_SPEED_FACTOR, kbpsFromSpeedFactor } from './cost-model.js';
import type { DriveProfile } from './drive-profile.js';
import { Sense, invalidFieldInCdb, invalidFieldInParameterList } from './sense-data.js';

const PAGE_01_LENGTH = 12;
const PAGE_2A_LENGTH = 32;
/** Bits MODE SELECT may change in page 01h: recovery flags, read/write retry counts, time limit. */
const PAGE_01_CHANGEABLE = Uint8Array.from([0x00, 0x00, 0xff, 0xff, 0, 0, 0, 0, 0xff, 0, 0xff, 0xff]);

/** What page 2Ah reports besides the profile. */
export interface CapabilitiesState {
  speedFactor: number;
  locked: boolean;
}

export class ModePages {
  readonly #profile: DriveProfile;
  readonly #page01: Uint8Array;

  constructor(profile: DriveProfile) {
    this.#profile = profile;
    this.#page01 = defaultPage01();
  }

  /** Mode page 01h byte 3. */
  get readRetryCount(): number {
    return this.#page01[3] ?? DEFAULT_READ_RETRY_COUNT;
  }

  /** The response to a MODE SENSE(10) CDB. */
  modeSense10(cdb: Uint8Array, state: CapabilitiesState): Uint8Array {
    const pageControl = (cdb[2] ?? 0) >> 6;
    const pageCode = (cdb[2] ?? 0) & 0x3f;
    const subpage = cdb[3] ?? 0;
    if (pageControl === PageControl.SAVED) throw Sense.savingNotSupported();
    if (subpage !== 0 && !(pageCode === ModePage.ALL && subpage === 0xff)) throw invalidFieldInCdb(3);
    let pages: Uint8Array[];
    if (pageCode === ModePage.READ_WRITE_ERROR_RECOVERY) pages = [this.#page01For(pageControl)];
    else if (pageCode === ModePage.CD_CAPABILITIES) pages = [this.#page2aFor(pageControl, state)];
    else if (pageCode === ModePage.ALL) pages = [this.#page01For(pageControl), this.#page2aFor(pageControl, state)];
    else throw invalidFieldInCdb(2);
    const length = 8 + pages.reduce((sum, p) => sum + p.length, 0);
    const out = new Uint8Array(length);
    writeBe16(out, 0, length - 2);
    let o = 8;
    for (const page of pages) {
      out.set(page, o);
      o += page.length;
    }
    return out;
  }

  /**
   * Applies a MODE SELECT(10) (PF=1, SP=0). Only page 01h may change, and only its changeable
   * bits; a bad list is 05/26/00 pointing at the offending byte, a short one 05/1A/00.
   */
  modeSelect10(cdb: Uint8Array, data: Uint8Array): void {
    const b1 = cdb[1] ?? 0;
    if ((b1 & 0x10) === 0) throw invalidFieldInCdb(1, 4);
    if (b1 & 0x01) throw invalidFieldInCdb(1, 0);
    const listLength = readBe16(cdb, 7);
    if (listLength === 0) return;
    if (listLength > data.length || listLength < 8) throw Sense.parameterListLength();
    const list = data.subarray(0, listLength);
    const blockDescriptorLength = readBe16(list, 6);
    if (blockDescriptorLength !== 0) throw invalidFieldInParameterList(6);
    const updates: Array<{ offset: number; page: Uint8Array }> = [];
    for (let o = 8; o < list.length; ) {
      if (o + 2 > list.length) throw Sense.parameterListLength();
      const b0 = list[o] ?? 0;
      if (b0 & 0xc0) throw invalidFieldInParameterList(o);
      const code = b0 & 0x3f;
      const pageLength = list[o + 1] ?? 0;
      if (o + 2 + pageLength > list.length) throw Sense.parameterListLength();
      if (code !== ModePage.READ_WRITE_ERROR_RECOVERY) throw invalidFieldInParameterList(o);
      if (pageLength !== 0x0a && pageLength !== 0x06) throw invalidFieldInParameterList(o + 1);
      const page = list.subarray(o, o + 2 + pageLength);
      for (let i = 2; i < page.length; i++) {
        const changed = (page[i] ?? 0) ^ (this.#page01[i] ?? 0);
        if (changed & ~(PAGE_01_CHANGEABLE[i] ?? 0) & 0xff) throw invalidFieldInParameterList(o + i);
      }
      updates.push({ offset: o, page });
      o += 2 + pageLength;
    }
    for (const { page } of updates) this.#page01.set(page.subarray(2), 2);
  }

  #page01For(pageControl: number): Uint8Array {
    if (pageControl === PageControl.CHANGEABLE) {
      const mask = PAGE_01_CHANGEABLE.slice();
      mask[0] = ModePage.READ_WRITE_ERROR_RECOVERY;
      mask[1] = PAGE_01_LENGTH - 2;
      return mask;
    }
    return pageControl === PageControl.DEFAULT ? defaultPage01() : this.#page01.slice();
  }

  #page2aFor(pageControl: number, state: CapabilitiesState): Uint8Array {
    const page = new Uint8Array(PAGE_2A_LENGTH);
    page[0] = ModePage.CD_CAPABILITIES;
    page[1] = PAGE_2A_LENGTH - 2;
    if (pageControl === PageControl.CHANGEABLE) return page;
    const p = this.#profile;
    const dvd = p.mediaKinds.includes('dvd');
    page[2] = (p.mediaKinds.includes('cd') ? 0x07 : 0) | (dvd ? 0x08 | 0x10 | 0x20 : 0);
    page[3] = 0;
    page[4] = 0x01 | 0x10 | 0x20 | 0x40;
    page[5] = 0x01 | (p.accurateStream ? 0x02 : 0) | 0x04 | 0x08 | (p.c2Pointers ? 0x10 : 0) | 0x20 | 0x40;
    const mechanism = { caddy: 0, tray: 1, 'pop-up': 2 }[p.features.loadingMechanism];
    const locked = pageControl === PageControl.CURRENT && state.locked;
    page[6] = 0x01 | (locked ? 0x02 : 0) | 0x08 | (mechanism << 5);
    writeBe16(page, 8, p.maxReadSpeedKBps);
    writeBe16(page, 10, 256);
    writeBe16(page, 12, Math.round((p.cacheSectors * 2352) / 1024));
    const factor = pageControl === PageControl.DEFAULT ? DEFAULT_SPEED_FACTOR : state.speedFactor;
    writeBe16(page, 14, Math.min(p.maxReadSpeedKBps, kbpsFromSpeedFactor(factor)));
    writeBe16(page, 22, 1);
    return page;
  }
}

function defaultPage01(): Uint8Array {
  const page = new Uint8Array(PAGE_01_LENGTH);
  page[0] = ModePage.READ_WRITE_ERROR_RECOVERY;
  page[1] = PAGE_01_LENGTH - 2;
  page[3] = DEFAULT_READ_RETRY_COUNT;
  return page;
}
