/**
 * A damaged or foreign mapfile is refused, through the CLI, and left as it was: never "repaired"
 * into something that calls unread data rescued. (The engine's own refusals are in
 * test/rescue/engine.test.ts and the parser's in test/unit/rescue/mapfile.test.ts; these go
 * through `discrescue rescue` and `discrescue dump` and check the files afterwards.)
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run } from '../../lib/cli/run.js';
import { blockLines, randomBytes, SECTOR, tempFolder } from '../rescue/helpers.js';

const folder = tempFolder('foreign');
afterAll(() => folder.remove());
const SECTORS = 400;
const DATA = randomBytes(SECTORS * SECTOR, 3);
const iso = folder.path('disc.iso');
beforeAll(() => writeFileSync(iso, DATA));

function cli(): { ctx: { stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean } }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    ctx: { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) } },
    out: () => out,
    err: () => err,
  };
}

const hex = (value: number) => `0x${value.toString(16).toUpperCase().padStart(8, '0')}`;
const finishedUpTo = (bytes: number, size: number) => `${hex(0)}  ${hex(bytes)}  +\n${hex(bytes)}  ${hex(size - bytes)}  ?\n`;

let serial = 0;
/** Runs `discrescue <args>` on a prepared image and mapfile; both must be byte-identical afterwards. */
async function refused(command: 'rescue' | 'dump', mapText: string, imageBytes: Uint8Array | undefined): Promise<string> {
  const dir = folder.path(`case-${++serial}`);
  mkdirSync(dir);
  const image = join(dir, command === 'rescue' ? 'out.img' : 'disc.raw');
  const map = join(dir, command === 'rescue' ? 'out.map' : 'disc.map');
  writeFileSync(map, mapText);
  if (imageBytes) writeFileSync(image, imageBytes);
  const c = cli();
  const args = command === 'rescue' ? ['rescue', `emu:${iso}`, image, map, '--json'] : ['dump', 'emu:demo-mixed', join(dir, 'disc.cue'), '--json'];
  expect(await run(args, c.ctx)).toBe(1);
  expect(c.out()).toBe('');
  expect(readFileSync(map, 'latin1')).toBe(mapText);
  if (imageBytes) expect(readFileSync(image).equals(Buffer.from(imageBytes))).toBe(true);
  else expect(existsSync(image) ? readFileSync(image).length : 0).toBe(0);
  if (command === 'dump') expect(existsSync(join(dir, 'disc.cue'))).toBe(false);
  return c.err();
}

describe('rescue refuses a mapfile that is not this rescue\'s, and leaves it alone', () => {
  test('garbage', async () => {
    expect(await refused('rescue', 'this is not a mapfile\n\u0000\u0001\n', DATA)).toMatch(
      /^discrescue: \S+\/out\.map:1: expected the status line "current_pos current_status \[current_pass\]", got 5 fields \[ERR_FORMAT\]\n$/u,
    );
  });
  test('a torn last line (a mapfile cut mid-write by another tool)', async () => {
    const text = `${hex(0)}  +\n${hex(0)}  ${hex(100 * SECTOR)}  +\n${hex(100 * SECTOR)}  0x0000`;
    expect(await refused('rescue', text, DATA)).toMatch(/^discrescue: \S+\/out\.map:3: expected a block line "pos size status", got 2 fields \[ERR_FORMAT\]\n$/u);
  });
  test('overlapping blocks', async () => {
    const text = `${hex(0)}  +\n${hex(0)}  ${hex(100 * SECTOR)}  +\n${hex(50 * SECTOR)}  ${hex(350 * SECTOR)}  ?\n`;
    expect(await refused('rescue', text, DATA)).toMatch(/^discrescue: \S+\/out\.map:3: .* \[ERR_FORMAT\]\n$/u);
  });
  test('a larger disc\'s mapfile with rescued data past this disc\'s end', async () => {
    const text = `${hex(0)}  +\n${finishedUpTo((SECTORS + 10) * SECTOR, (SECTORS + 20) * SECTOR)}`;
    expect(await refused('rescue', text, new Uint8Array((SECTORS + 10) * SECTOR))).toContain(
      `describes ${(SECTORS + 20) * SECTOR} bytes with rescued data up to byte ${(SECTORS + 10) * SECTOR}, but the source has ${SECTORS * SECTOR}: is this the same disc? [ERR_RESCUE_SETUP]`,
    );
  });
  test('a mapfile that calls more rescued than the image holds', async () => {
    const text = `${hex(0)}  +\n${finishedUpTo(300 * SECTOR, SECTORS * SECTOR)}`;
    expect(await refused('rescue', text, DATA.subarray(0, 200 * SECTOR))).toContain(
      `says data up to byte ${300 * SECTOR} is rescued, but `,
    );
  });
  test('a mapfile without its image', async () => {
    const text = `${hex(0)}  +\n${finishedUpTo(300 * SECTOR, SECTORS * SECTOR)}`;
    expect(await refused('rescue', text, undefined)).toMatch(/out\.img does not exist: is this the right image\? Use --force/u);
  });
});

describe('dump refuses a mapfile that is not this dump\'s, and leaves it alone', () => {
  test('garbage', async () => {
    expect(await refused('dump', '%%% garbage\n', undefined)).toMatch(
      /^discrescue: \S+\/disc\.map:1: expected current_pos to be an integer \(decimal, 0x hex or 0 octal\), got "%%%" \[ERR_FORMAT\]\n$/u,
    );
  });
  test('a rescue\'s mapfile in 2048-byte sectors with its ISO as the work image: the finished area does not fit 2352-byte sectors', async () => {
    // The same disc rescued as user data: 7200 sectors of 2048 bytes, all finished.
    const text = `${hex(0)}  +\n${blockLines(7200, () => '+')}\n`;
    const err = await refused('dump', text, new Uint8Array(1000 * SECTOR));
    expect(err).toContain(`says data up to byte ${7200 * SECTOR} is rescued, but `);
  });
});
