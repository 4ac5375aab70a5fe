import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../lib/errors.js';
import {
  NotificationClass,
  buildGetEventStatusNotification,
  parseEventStatus,
} from '../../../lib/scsi/event-status.js';

describe('buildGetEventStatusNotification', () => {
  it('builds the default polled media-class request', () => {
    const command = buildGetEventStatusNotification();
    expect([...command.cdb]).toEqual([0x4a, 0x01, 0, 0, 0x10, 0, 0, 0x00, 0x08, 0]);
    expect(command.direction).toBe('in');
    expect(command.dataLength).toBe(8);
  });

  it('sets the class request and allocation length', () => {
    const command = buildGetEventStatusNotification({
      polled: false,
      notificationClassRequest: 0x5e,
      allocationLength: 0x100,
    });
    expect([...command.cdb]).toEqual([0x4a, 0x00, 0, 0, 0x5e, 0, 0, 0x01, 0x00, 0]);
  });

  it('rejects bad options naming the field', () => {
    expect(() => buildGetEventStatusNotification({ notificationClassRequest: 256 })).toThrow(
      /"notificationClassRequest"/,
    );
    expect(() => buildGetEventStatusNotification({ polled: 'yes' as unknown as boolean })).toThrow(TypeError);
  });
});

describe('parseEventStatus', () => {
  it('parses a media event: new media, disc present, tray closed', () => {
    expect(parseEventStatus(Uint8Array.from([0x00, 0x06, 0x04, 0x10, 0x02, 0x02, 0x00, 0x00]))).toEqual({
      nea: false,
      notificationClass: NotificationClass.MEDIA,
      supportedClasses: 0x10,
      media: {
        eventCode: 2,
        eventName: 'NewMedia',
        doorOpen: false,
        mediaPresent: true,
        startSlot: 0,
        endSlot: 0,
      },
    });
  });

  it('parses an open tray and an eject request', () => {
    expect(parseEventStatus(Uint8Array.from([0x00, 0x06, 0x04, 0x5e, 0x00, 0x01, 0x00, 0x00])).media).toEqual({
      eventCode: 0,
      eventName: 'NoChg',
      doorOpen: true,
      mediaPresent: false,
      startSlot: 0,
      endSlot: 0,
    });
    expect(parseEventStatus(Uint8Array.from([0x00, 0x06, 0x04, 0x10, 0x01, 0x02, 0x01, 0x03])).media).toMatchObject({
      eventName: 'EjectRequest',
      startSlot: 1,
      endSlot: 3,
    });
  });

  it('parses NEA (no event available) without a descriptor', () => {
    expect(parseEventStatus(Uint8Array.from([0x00, 0x02, 0x80, 0x10]))).toEqual({
      nea: true,
      notificationClass: 0,
      supportedClasses: 0x10,
    });
  });

  it('rejects a truncated header or media descriptor', () => {
    expect(() => parseEventStatus(Uint8Array.from([0x00, 0x06, 0x04]))).toThrow(MalformedResponseError);
    expect(() => parseEventStatus(Uint8Array.from([0x00, 0x06, 0x04, 0x10, 0x02, 0x02]))).toThrow(
      /media event needs 8 bytes, the data covers 6/,
    );
    expect(() => parseEventStatus(Uint8Array.from([0x00, 0x02, 0x04, 0x10, 0x02, 0x02, 0, 0]))).toThrow(
      /the data covers 4/,
    );
    expect(() => parseEventStatus(Uint8Array.from([0x00, 0x01, 0x04, 0x10]))).toThrow(/shorter than the header/);
  });
});

describe('parseEventStatus: drives that count the length from byte 4', () => {
  it('accepts QEMU\'s media event with Event Data Length 4 when 8 bytes arrived', () => {
    const status = parseEventStatus(Uint8Array.from([0x00, 0x04, 0x04, 0x10, 0x00, 0x02, 0x00, 0x00]));
    expect(status.media).toMatchObject({ eventCode: 0, doorOpen: false, mediaPresent: true });
  });
});
