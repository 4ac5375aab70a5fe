/**
 * GNU ddrescue 1.27 as the oracle: for several defect maps, `ddrescue -b2048 --test-mode=<defects>`
 * over a plain file and our rescue of the same file as an emulated data CD with the same defects
 * end with equal mapfiles (`ddrescuelog -p` exits 0) and identical images.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { run } from '../../lib/cli/run.js';
import type { CliContext } from '../../lib/cli/io.js';
import { rescue } from '../../lib/rescue/engine.js';
import { openSectorSource } from '../../lib/sources/open-source.js';
import { defectScenarios } from './defect-scenarios.js';
import {
  blockLines,
  defectMap,
  expectedImage,
  HAVE_DDRESCUE,
  HAVE_DDRESCUELOG,
  mapBlocks,
  ORACLE_NOTE,
  randomBytes,
  runTool,
  sameMaps,
  SECTOR,
  tempFolder,
} from './helpers.js';

const SECTORS = 2000; // 4 MB
const folder = tempFolder('equivalence');
const plain = folder.path('plain.iso');
const data = randomBytes(SECTORS * SECTOR, 11);

beforeAll(() => writeFileSync(plain, data));
afterAll(() => folder.remove());

describe.skipIf(!HAVE_DDRESCUE || !HAVE_DDRESCUELOG)(`same final map and image as GNU ddrescue${ORACLE_NOTE}`, () => {
  defectScenarios(SECTORS).forEach((scenario, i) => {
    test(scenario.name, async () => {
      const defects = folder.path(`defects${i}`);
      writeFileSync(defects, defectMap(SECTORS, scenario.bad));
      const theirs = { image: folder.path(`theirs${i}.img`), map: folder.path(`theirs${i}.map`) };
      const r = runTool('ddrescue', ['-b2048', `--test-mode=${defects}`, plain, theirs.image, theirs.map]);
      expect(r.status, r.stderr).toBe(0);

      const ours = { image: folder.path(`ours${i}.img`), map: folder.path(`ours${i}.map`) };
      const source = await openSectorSource(`emu:${plain}`, { emulator: { defects: { path: defects } } });
      try {
        const result = await rescue({ source, imagePath: ours.image, mapfilePath: ours.map });
        expect(result.badSectorBytes).toBe(scenario.bad.size * SECTOR);
      } finally {
        await source.close();
      }
      const compared = sameMaps(ours.map, theirs.map);
      expect(compared.same, compared.output).toBe(true);
      expect(mapBlocks(readFileSync(ours.map, 'latin1'))).toBe(blockLines(SECTORS, (lba) => (scenario.bad.has(lba) ? '-' : '+')));
      const ourImage = readFileSync(ours.image);
      expect(ourImage.equals(readFileSync(theirs.image))).toBe(true);
      expect(ourImage.equals(Buffer.from(expectedImage(data, scenario.bad)))).toBe(true);
    });
  });

  test('through the CLI: discrescue rescue emu:<file> --defects', async () => {
    const scenario = defectScenarios(SECTORS)[2]!;
    const defects = folder.path('defects-cli');
    writeFileSync(defects, defectMap(SECTORS, scenario.bad));
    const theirs = { image: folder.path('theirs-cli.img'), map: folder.path('theirs-cli.map') };
    expect(runTool('ddrescue', ['-b2048', `--test-mode=${defects}`, plain, theirs.image, theirs.map]).status).toBe(0);
    const ours = { image: folder.path('ours-cli.img'), map: folder.path('ours-cli.map') };
    let stdout = '';
    let stderr = '';
    const ctx: CliContext = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
    const code = await run(['rescue', `emu:${plain}`, ours.image, ours.map, '--defects', defects, '--json'], ctx);
    expect(stderr).toBe('');
    expect(code).toBe(1); // sectors left unrescued
    const report = JSON.parse(stdout) as { badSectorBytes: number; complete: boolean; drive: { failedReads: number } };
    expect(report).toMatchObject({ complete: false, badSectorBytes: scenario.bad.size * SECTOR });
    expect(report.drive.failedReads).toBeGreaterThan(0);
    const compared = sameMaps(ours.map, theirs.map);
    expect(compared.same, compared.output).toBe(true);
    expect(readFileSync(ours.image).equals(readFileSync(theirs.image))).toBe(true);
  });
});
