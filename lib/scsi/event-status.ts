/**
 * GET EVENT STATUS NOTIFICATION (4Ah), MMC-6 "GET EVENT STATUS NOTIFICATION Command"
 * (MMC-FACTS §2.15).
 *
 * Bytes 0-1 of the response hold the Event Descriptor Length (excluding those two bytes): the
 * complete response is `readBe16(data, 0) + 2` bytes (`requiredAllocationLength(data, 2)`).
 */

import { MalformedResponseError } from '../errors.js';
import type { ScsiCommand } from '../transport/transport.js';
import { checkBoolean, checkInteger, readBe16, writeBe16 } from './bytes.js';
import { Opcode } from './opcodes.js';

const COMMAND = 'GET EVENT STATUS NOTIFICATION';

/** Notification Class field values (response byte 2 bits 2-0); request bit n asks for class n. */
export const NotificationClass = {
  NONE: 0,
  OPERATIONAL_CHANGE: 1,
  POWER_MANAGEMENT: 2,
  EXTERNAL_REQUEST: 3,
  MEDIA: 4,
  MULTI_HOST: 5,
  DEVICE_BUSY: 6,
} as const;
export type NotificationClass = (typeof NotificationClass)[keyof typeof NotificationClass];

export interface GetEventStatusNotificationOptions {
  /** Polled bit. Only polled operation is supported by most drives. Default true. */
  polled?: boolean;
  /** Notification Class Request bitmap, 0-255. Default 10h (media class). */
  notificationClassRequest?: number;
  /** Allocation Length, 1-65535. Default 8 (header + media event descriptor). */
  allocationLength?: number;
}

/**
 * GET EVENT STATUS NOTIFICATION CDB: `4A | b1 bit0 Polled | b4 Notification Class Request |
 * b7-8 Allocation Length | b9`.
 */
export function buildGetEventStatusNotification(options: GetEventStatusNotificationOptions = {}): ScsiCommand {
  const polled = checkBoolean('polled', options.polled ?? true);
  const request = checkInteger('notificationClassRequest', options.notificationClassRequest ?? 0x10, 0, 0xff);
  const allocationLength = checkInteger('allocationLength', options.allocationLength ?? 8, 1, 0xffff);
  const cdb = new Uint8Array(10);
  cdb[0] = Opcode.GET_EVENT_STATUS_NOTIFICATION;
  cdb[1] = polled ? 0x01 : 0x00;
  cdb[4] = request;
  writeBe16(cdb, 7, allocationLength);
  return { cdb, direction: 'in', dataLength: allocationLength };
}

const MEDIA_EVENT_NAMES = [
  'NoChg',
  'EjectRequest',
  'NewMedia',
  'MediaRemoval',
  'MediaChanged',
  'BGFormat-Completed',
  'BGFormat-Restarted',
] as const;

/** Media Event Descriptor (media class, MMC-6 "Media Class Events"). */
export interface MediaEvent {
  /** Media Event Code (byte 4 bits 3-0). */
  eventCode: number;
  /**
   * MMC name: NoChg, EjectRequest, NewMedia, MediaRemoval, MediaChanged, BGFormat-Completed,
   * BGFormat-Restarted.
   */
  eventName: string;
  /** Door or Tray Open (byte 5 bit 0). */
  doorOpen: boolean;
  /** Media Present (byte 5 bit 1). */
  mediaPresent: boolean;
  /** Start Slot (byte 6) and End Slot (byte 7), for changers. */
  startSlot: number;
  endSlot: number;
}

/** GET EVENT STATUS NOTIFICATION response. */
export interface EventStatus {
  /** NEA (byte 2 bit 7): no event of the requested classes is available. */
  nea: boolean;
  /** Notification Class of the returned event (byte 2 bits 2-0). */
  notificationClass: number;
  /** Supported Event Classes bitmap (byte 3): bit n = class n. */
  supportedClasses: number;
  /** The media event, when the response carries one. */
  media?: MediaEvent;
}

/**
 * Parses the Event Status Notification response: 4-byte header, then (unless NEA) one event
 * descriptor. A media-class event must have its 4 descriptor bytes covered and received.
 */
export function parseEventStatus(data: Uint8Array): EventStatus {
  if (data.length < 4) {
    throw new MalformedResponseError(COMMAND, `header needs 4 bytes, got ${data.length}`, data);
  }
  const declaredEnd = readBe16(data, 0) + 2;
  if (declaredEnd < 4) {
    const length = declaredEnd - 2;
    throw new MalformedResponseError(COMMAND, `event descriptor length ${length} is shorter than the header`, data);
  }
  const end = Math.min(data.length, declaredEnd);
  const b2 = data[2] ?? 0;
  const status: EventStatus = {
    nea: (b2 & 0x80) !== 0,
    notificationClass: b2 & 0x07,
    supportedClasses: data[3] ?? 0,
  };
  if (!status.nea && status.notificationClass === NotificationClass.MEDIA) {
    // Some drives (and Linux's own reader) count Event Data Length from byte 4, giving 4 instead
    // of 6: accept the descriptor when its 4 bytes actually arrived.
    const end = declaredEnd === 6 && data.length >= 8 ? 8 : Math.min(data.length, declaredEnd);
    if (end < 8) {
      throw new MalformedResponseError(COMMAND, `media event needs 8 bytes, the data covers ${end}`, data);
    }
    const eventCode = (data[4] ?? 0) & 0x0f;
    const b5 = data[5] ?? 0;
    status.media = {
      eventCode,
      eventName: MEDIA_EVENT_NAMES[eventCode] ?? `Reserved (${eventCode})`,
      doorOpen: (b5 & 0x01) !== 0,
      mediaPresent: (b5 & 0x02) !== 0,
      startSlot: data[6] ?? 0,
      endSlot: data[7] ?? 0,
    };
  }
  return status;
}
