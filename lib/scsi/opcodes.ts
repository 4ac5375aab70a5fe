/** Operation codes used by discrescue (SPC, MMC; MMC-FACTS §2.1). */
export const Opcode = {
  TEST_UNIT_READY: 0x00,
  REQUEST_SENSE: 0x03,
  INQUIRY: 0x12,
  MODE_SELECT_6: 0x15,
  MODE_SENSE_6: 0x1a,
  START_STOP_UNIT: 0x1b,
  PREVENT_ALLOW_MEDIUM_REMOVAL: 0x1e,
  READ_FORMAT_CAPACITIES: 0x23,
  READ_CAPACITY_10: 0x25,
  READ_10: 0x28,
  SEEK_10: 0x2b,
  SYNCHRONIZE_CACHE: 0x35,
  READ_SUB_CHANNEL: 0x42,
  READ_TOC_PMA_ATIP: 0x43,
  READ_HEADER: 0x44,
  GET_CONFIGURATION: 0x46,
  GET_EVENT_STATUS_NOTIFICATION: 0x4a,
  READ_DISC_INFORMATION: 0x51,
  READ_TRACK_INFORMATION: 0x52,
  MODE_SELECT_10: 0x55,
  MODE_SENSE_10: 0x5a,
  REPORT_KEY: 0xa4,
  SEND_KEY: 0xa3,
  READ_12: 0xa8,
  GET_PERFORMANCE: 0xac,
  READ_DISC_STRUCTURE: 0xad,
  SET_STREAMING: 0xb6,
  READ_CD_MSF: 0xb9,
  SET_CD_SPEED: 0xbb,
  MECHANISM_STATUS: 0xbd,
  READ_CD: 0xbe,
} as const;

export type OpcodeName = keyof typeof Opcode;

const names = new Map<number, string>(
  Object.entries(Opcode).map(([name, code]) => [code, name.replace(/_/gu, ' ').replace(/ (6|10|12)$/u, '($1)')]),
);

/** Human name of an opcode as the spec writes it: `READ CD`, `READ(10)`, `MODE SENSE(10)`. */
export function opcodeName(opcode: number): string {
  return names.get(opcode) ?? `opcode 0x${opcode.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** CDB length implied by the opcode group (MMC-FACTS §1.10). */
export function cdbLengthForOpcode(opcode: number): number {
  switch (opcode >> 5) {
    case 0:
      return 6;
    case 1:
    case 2:
      return 10;
    case 4:
      return 16;
    case 5:
      return 12;
    default:
      return 10;
  }
}
