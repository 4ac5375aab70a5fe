/**
 * `emu:<image>` and `emu:demo-*` addresses: wherever a device path is accepted, an emulated drive
 * can stand in, loaded with an image file or a built-in demo disc.
 */

import { readFile } from 'node:fs/promises';
import { FormatError, UnsupportedError } from '../errors.js';
import { createDemoDisc, DEMO_DISC_NAMES, isDemoDiscName } from './demo-discs.js';
import type { DiscModel } from './disc-model.js';
import { driveProfileFromJson, resolveDriveProfile, type DriveProfile, type DriveProfilePreset } from './drive-profile.js';
import { createEmulatedDrive, type EmulatedDrive } from './emulated-drive.js';
import type { FaultOptions } from './faults.js';

export const EMULATED_PREFIX = 'emu:';

export interface EmulatedAddressOptions {
  /** GNU ddrescue mapfile of the disc's defects: its text, or a path to read it from. */
  defects?: string | { path: string } | undefined;
  /** Sector size the defect map counts in. Default 2048. */
  defectSectorSize?: number | undefined;
  /** A preset name, a profile object, or a path to a JSON profile. Default 'good'. */
  driveProfile?: DriveProfile | string | undefined;
  /** Seed of the drive's random faults. Default 0. */
  seed?: number | undefined;
  /** More faults, on top of a demo disc's own. */
  faults?: FaultOptions | undefined;
  /** Opens image files (ISO, CUE, TOC) as disc models; supplied by the file-model module. */
  openImage?: ((path: string) => Promise<DiscModel> | DiscModel) | undefined;
}

export function isEmulatedAddress(path: string): boolean {
  return typeof path === 'string' && path.startsWith(EMULATED_PREFIX);
}

/** Opens the emulated drive an `emu:` address names. */
export async function openEmulatedAddress(address: string, options: EmulatedAddressOptions = {}): Promise<EmulatedDrive> {
  if (!isEmulatedAddress(address)) throw new TypeError(`Expected an "emu:" address, got ${JSON.stringify(address)}`);
  const target = address.slice(EMULATED_PREFIX.length);
  if (target.length === 0) {
    throw new FormatError(`"${address}" names no disc: use emu:<image.iso|.cue|.toc> or one of ${DEMO_DISC_NAMES.map((n) => `emu:${n}`).join(', ')}`);
  }
  let disc: DiscModel;
  let faults: FaultOptions = {};
  if (isDemoDiscName(target)) {
    const demo = createDemoDisc(target);
    disc = demo.disc;
    faults = demo.faults;
  } else if (target.startsWith('demo-')) {
    throw new FormatError(`unknown demo disc "${target}": choose one of ${DEMO_DISC_NAMES.join(', ')}`);
  } else {
    if (!options.openImage) throw new UnsupportedError(`opening image files needs the image models (${target})`);
    disc = await options.openImage(target);
  }
  const defects = options.defects;
  if (defects !== undefined) {
    const text = typeof defects === 'string' ? defects : await readFile(defects.path, 'utf8');
    faults = {
      ...faults,
      defectMap: { mapfile: text, sectorSize: options.defectSectorSize ?? 2048 },
    };
  }
  if (options.faults) faults = mergeFaults(faults, options.faults);
  return createEmulatedDrive({
    disc,
    profile: await loadProfile(options.driveProfile),
    faults,
    seed: options.seed ?? 0,
    path: address,
  });
}

async function loadProfile(profile: DriveProfile | string | undefined): Promise<DriveProfile> {
  if (profile === undefined || typeof profile === 'object') return resolveDriveProfile(profile);
  if (profile.endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(profile, 'utf8'));
    } catch (error) {
      throw new FormatError(`cannot read the drive profile: ${(error as Error).message}`, { file: profile, cause: error });
    }
    return driveProfileFromJson(json);
  }
  return resolveDriveProfile(profile as DriveProfilePreset);
}

function mergeFaults(base: FaultOptions, extra: FaultOptions): FaultOptions {
  return {
    ...base,
    ...extra,
    badSectors: [...(base.badSectors ?? []), ...(extra.badSectors ?? [])],
    weakSectors: [...(base.weakSectors ?? []), ...(extra.weakSectors ?? [])],
  };
}
