// Child process of benchmark 3 (bench/scale.mjs), so that its peak RSS is the rescue's alone:
// rescues an emulated BD with many small bad areas into an image file and prints one JSON line.
//
//   node bench/bd-child.mjs <sectors> <badAreas> <seed> <workdir>

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBd, createEmulatedDrive } from '../dist/emulator/index.js';
import { Drive } from '../dist/drive/drive.js';
import { createDriveSource } from '../dist/sources/drive-source.js';
import { rescue } from '../dist/rescue/engine.js';
import { readMapfile } from '../dist/rescue/mapfile.js';
import { diskUsage, writeBdDefects } from './lib.mjs';

const [sectors, badAreas, seed] = process.argv.slice(2, 5).map(Number);
const dir = process.argv[5];
if (!Number.isSafeInteger(sectors) || !Number.isSafeInteger(badAreas) || !dir) {
  console.error('usage: node bench/bd-child.mjs <sectors> <badAreas> <seed> <workdir>');
  process.exit(2);
}

// The defect map is the bench's input: the parent writes it (defects.map in the work folder),
// so the child's peak RSS is the emulated drive's and the rescue's.
const defectsPath = join(dir, 'defects.map');
if (!existsSync(defectsPath)) writeBdDefects(defectsPath, sectors, badAreas, seed);
const rssAfterSetup = process.memoryUsage().rss;

const emulated = createEmulatedDrive({ disc: createBd(sectors), profile: 'dvd-bd', faults: { defectMap: { mapfile: readFileSync(defectsPath, 'utf8') } } });
const source = await createDriveSource(Drive.fromTransport(emulated), { closeDrive: true });
const imagePath = join(dir, 'bd.img');
const mapfilePath = join(dir, 'bd.map');
let peakHeap = 0;
const start = performance.now();
let result;
try {
  result = await rescue({
    source,
    imagePath,
    mapfilePath,
    retryPasses: 0,
    commandLine: 'bench',
    progressIntervalMs: 1000,
    onProgress: () => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    },
  });
} finally {
  await source.close();
}
const wallSeconds = (performance.now() - start) / 1000;
const usage = diskUsage(imagePath);
const maxRssKiB = process.resourceUsage().maxRSS;
// The check against the defect map comes after the peak is taken (and the parent sees the whole child).
const map = readMapfile(readFileSync(mapfilePath, 'utf8')).map;
const truth = readMapfile(readFileSync(defectsPath, 'utf8')).map;
console.log(
  JSON.stringify({
    sectors,
    badAreas: truth.countRuns('-'),
    badSectors: truth.count('-') / 2048,
    wallSeconds,
    simulation: result.simulation,
    readErrors: result.readErrors,
    finalBadAreas: result.badAreas.length,
    mapRuns: map.runCount,
    mapMatchesDefects: map.equals(truth),
    imageApparentBytes: usage.apparent,
    imageAllocatedBytes: usage.allocated,
    maxRssKiB,
    rssAfterSetupMiB: rssAfterSetup / 1048576,
    peakHeapMiB: peakHeap / 1048576,
  }),
);

