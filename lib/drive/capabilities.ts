/** What a drive can do, merged from GET CONFIGURATION and mode page 2Ah. */

import * as scsi from '../scsi/index.js';

export interface DriveCapabilities {
  /** Current profile (0 when unknown or no medium). */
  currentProfile: number;
  currentProfileName: string;
  /** Every profile the drive supports, from the Profile List feature. */
  profiles: Array<{ profile: number; name: string; current: boolean }>;
  /** Feature codes reported, with names and whether they are current. */
  features: Array<{ code: number; name: string; current: boolean; version: number }>;
  cdRead: { dap: boolean; c2Flags: boolean; cdText: boolean } | undefined;
  dvdRead: boolean;
  bdRead: boolean;
  /** SET CD SPEED supported (Real Time Streaming SCS bit), when the feature says. */
  setCdSpeed: boolean | undefined;
  /** SET STREAMING supported (Real Time Streaming feature present). */
  setStreaming: boolean;
  /** C2 error pointers (CD Read feature or page 2Ah). */
  c2Pointers: boolean;
  /** CD-DA stream is accurate (page 2Ah): audio reads land on the requested sector. */
  accurateStream: boolean | undefined;
  cdText: boolean;
  /** Page 2Ah, decoded, when the drive returned it. */
  capabilitiesPage: scsi.CapabilitiesPage | undefined;
  /** Whether GET CONFIGURATION answered (MMC-1 drives reject it). */
  hasConfiguration: boolean;
}

export function describeCapabilities(
  configuration: scsi.Configuration | undefined,
  page: scsi.CapabilitiesPage | undefined,
): DriveCapabilities {
  const features = configuration?.features ?? [];
  const find = (code: number) => features.find((f) => f.code === code);
  const profileList = find(scsi.FeatureCode.PROFILE_LIST);
  const cdReadFeature = find(scsi.FeatureCode.CD_READ);
  const cdRead = cdReadFeature ? scsi.decodeCdReadFeature(cdReadFeature) : undefined;
  const streamingFeature = find(scsi.FeatureCode.REAL_TIME_STREAMING);
  const streaming = streamingFeature ? scsi.decodeRealTimeStreamingFeature(streamingFeature) : undefined;
  const currentProfile = configuration?.currentProfile ?? 0;
  return {
    currentProfile,
    currentProfileName: scsi.profileName(currentProfile),
    profiles: profileList ? scsi.decodeProfileList(profileList) : [],
    features: features.map((f) => ({ code: f.code, name: f.name, current: f.current, version: f.version })),
    cdRead: cdRead ? { dap: cdRead.dap, c2Flags: cdRead.c2Flags, cdText: cdRead.cdText } : undefined,
    dvdRead: find(scsi.FeatureCode.DVD_READ) !== undefined || (page?.dvdRomRead ?? false),
    bdRead: find(scsi.FeatureCode.BD_READ) !== undefined,
    setCdSpeed: streaming?.scs,
    setStreaming: streamingFeature !== undefined,
    c2Pointers: (cdRead?.c2Flags ?? false) || (page?.c2PointersSupported ?? false),
    accurateStream: page?.cddaStreamIsAccurate,
    cdText: cdRead?.cdText ?? false,
    capabilitiesPage: page,
    hasConfiguration: configuration !== undefined,
  };
}
