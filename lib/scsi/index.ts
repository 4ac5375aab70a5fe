/** The pure SCSI/MMC layer: command builders, response parsers, sense decoding. */

export * from './sense.js';
export * from './asc-table.js';
export * from './msf.js';
export * from './inquiry.js';
export * from './test-unit-ready.js';
export * from './request-sense.js';
export * from './read-capacity.js';
export * from './read.js';
export * from './read-cd.js';
export * from './mode.js';
export * from './speed.js';
export * from './start-stop.js';

export * from './allocation.js';
export * from './read-toc.js';
export * from './disc-information.js';
export * from './track-information.js';
export * from './get-configuration.js';
export * from './read-sub-channel.js';
export * from './event-status.js';
