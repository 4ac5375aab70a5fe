/**
 * The addon is context-aware: it loads and works in worker_threads, in several at once, and the
 * main thread's instance is unaffected when they exit (even with an open still running).
 */

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { loadNativeBinding } from '../../lib/transport/native-binding.js';
import { loadTestingAddon, repoRoot } from './testing-addon.js';

const onLinux = process.platform === 'linux';
const testing = onLinux ? loadTestingAddon() : { reason: 'the addon is Linux-only' };

// Plain CommonJS run by each worker: the addon path comes in workerData.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const addon = require(workerData.addonPath);
async function main() {
  const results = [];
  for (let round = 0; round < workerData.rounds; round += 1) {
    for (const path of ['/dev/null', '/dev/sr99']) {
      try {
        await addon.open(path);
        results.push({ path, code: 'OPENED' });
      } catch (e) {
        results.push({ path, code: e.code, errno: e.errno, syscall: e.syscall, isError: e instanceof Error });
      }
    }
  }
  let typeError = false;
  try { addon.open(42); } catch (e) { typeError = e instanceof TypeError; }
  parentPort.postMessage({ results, typeError, hasDevice: typeof addon.Device === 'function' });
}
main().catch((e) => parentPort.postMessage({ crashed: String(e) }));
`;

interface WorkerReport {
  results?: { path: string; code: string; errno?: number; syscall?: string; isError?: boolean }[];
  typeError?: boolean;
  hasDevice?: boolean;
  crashed?: string;
}

function addonPath(): string {
  return (createRequire(import.meta.url)('node-gyp-build') as { resolve: (dir: string) => string }).resolve(repoRoot);
}

function runWorker(rounds = 3): Promise<{ report: WorkerReport; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerSource, { eval: true, workerData: { addonPath: addonPath(), rounds } });
    let report: WorkerReport = {};
    worker.on('message', (message: WorkerReport) => {
      report = message;
    });
    worker.on('error', reject);
    worker.on('exit', (exitCode) => resolve({ report, exitCode }));
  });
}

function expectHealthy({ report, exitCode }: { report: WorkerReport; exitCode: number }): void {
  expect(report.crashed).toBeUndefined();
  expect(exitCode).toBe(0);
  expect(report.typeError).toBe(true);
  expect(report.hasDevice).toBe(true);
  expect(report.results?.length).toBeGreaterThan(0);
  for (const result of report.results ?? []) {
    if (result.path === '/dev/null') expect(result).toMatchObject({ code: 'ENOTTY', errno: -25, syscall: 'ioctl', isError: true });
    else expect(result).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'open', isError: true });
  }
}

async function mainThreadStillWorks(): Promise<void> {
  await expect(loadNativeBinding().open('/dev/null')).rejects.toMatchObject({ code: 'ENOTTY', errno: -25 });
}

describe.skipIf(!onLinux)('the addon in worker threads', () => {
  it('loads and works inside one worker', async () => {
    await mainThreadStillWorks();
    expectHealthy(await runWorker());
    await mainThreadStillWorks();
  });

  it('works in two workers at once', async () => {
    const [first, second] = await Promise.all([runWorker(20), runWorker(20)]);
    expectHealthy(first!);
    expectHealthy(second!);
    await mainThreadStillWorks();
  });

  it('survives a worker terminated while its opens are running', async () => {
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.addonPath);
      for (let i = 0; i < 100; i += 1) addon.open(i % 2 ? '/dev/null' : '/dev/sr99').catch(() => {});
      parentPort.postMessage('queued');
      setInterval(() => {}, 1000);
    `;
    for (let round = 0; round < 5; round += 1) {
      const worker = new Worker(source, { eval: true, workerData: { addonPath: addonPath() } });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      await worker.terminate();
    }
    await mainThreadStillWorks();
    expectHealthy(await runWorker(1));
  });

  it.skipIf(!testing.path)('survives a worker terminated while commands run on its devices (test build)', async () => {
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.addonPath);
      (async () => {
        const devices = await Promise.all(Array.from({ length: 4 }, () => addon.openUnchecked('/dev/null')));
        for (let i = 0; i < 200; i += 1) {
          const device = devices[i % devices.length];
          if (!device.closed) device.execute(new Uint8Array(10), 'in', 65536, 1000).catch(() => {});
          if (i === 150) device.close();
        }
        parentPort.postMessage('running');
        setInterval(() => {}, 1000);
      })();
    `;
    for (let round = 0; round < 5; round += 1) {
      const worker = new Worker(source, { eval: true, workerData: { addonPath: testing.path } });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      await worker.terminate();
    }
    await mainThreadStillWorks();
  });
});
