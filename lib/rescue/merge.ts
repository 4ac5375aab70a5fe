/**
 * Merging image+mapfile pairs made on other drives or machines (GNU ddrescue's `-m` workflow):
 * every block finished in an input and not yet in the output is copied over; finished output data
 * is never overwritten. Optionally, overlapping finished blocks are compared.
 */

import { constants as fsConstants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { DiscError } from '../errors.js';
import { IntervalMap } from './interval-map.js';
import { loadMapfile, saveMapfile, type Mapfile } from './mapfile.js';

export interface MergeInput {
  image: string;
  mapfile: string;
}

export interface MergeOptions {
  image: string;
  mapfile: string;
  inputs: MergeInput[];
  /** Compare the bytes where both the output and an input are finished. Default false. */
  check?: boolean;
  commandLine?: string;
}

export interface MergeResult {
  /** Bytes copied into the output, per input. */
  copiedBytes: number[];
  /** Byte ranges where a finished input disagrees with the finished output (only with `check`). */
  conflicts: Array<{ input: number; pos: number; size: number }>;
  rescuedBytes: number;
  sizeBytes: number;
  complete: boolean;
}

const CHUNK = 1 << 20;

export async function mergeRescues(options: MergeOptions): Promise<MergeResult> {
  const inputs = await Promise.all(options.inputs.map(async (i) => ({ ...i, map: await loadMapfile(i.mapfile) })));
  const output: Mapfile = await loadMapfile(options.mapfile).catch(async (error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const size = Math.max(0, ...inputs.map((i) => i.map.map.size));
    return { currentPos: 0, currentStatus: '?', currentPass: 1, map: new IntervalMap(size, '?') } satisfies Mapfile;
  });
  const imageInfo = await stat(options.image).catch(() => undefined);
  if (imageInfo && imageInfo.size > 0 && output.map.count('+') === 0 && output.map.size > 0) {
    const existed = await stat(options.mapfile).catch(() => undefined);
    if (!existed) throw new DiscError(`${options.image} exists but ${options.mapfile} does not: refusing to merge over unknown data`);
  }
  for (const input of inputs) {
    if (input.map.map.size !== output.map.size) {
      throw new DiscError(
        `${input.mapfile} describes ${input.map.map.size} bytes but ${options.mapfile} ${output.map.size}: not the same disc`,
      );
    }
  }
  const out = await open(options.image, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o644);
  const result: MergeResult = { copiedBytes: [], conflicts: [], rescuedBytes: 0, sizeBytes: output.map.size, complete: false };
  try {
    for (const [index, input] of inputs.entries()) {
      const source = await open(input.image, 'r');
      let copied = 0;
      try {
        const finished: Array<{ pos: number; size: number }> = [];
        input.map.map.forEachRun((pos, size, status) => {
          if (status === '+') finished.push({ pos, size });
        });
        for (const run of finished) {
          for (let pos = run.pos; pos < run.pos + run.size; ) {
            const here = output.map.runAt(pos);
            const end = Math.min(run.pos + run.size, here.pos + here.size);
            if (here.status !== '+') {
              await copyRange(source, out, pos, end - pos);
              output.map.set(pos, end - pos, '+');
              copied += end - pos;
            } else if (options.check) {
              await compareRange(source, out, pos, end - pos, (p, s) => result.conflicts.push({ input: index, pos: p, size: s }));
            }
            pos = end;
          }
        }
      } finally {
        await source.close();
      }
      result.copiedBytes.push(copied);
    }
    await out.datasync();
  } finally {
    await out.close();
  }
  await saveMapfile(options.mapfile, output, {
    commandLine: options.commandLine ?? 'discrescue merge',
    startTime: new Date(),
    currentTime: new Date(),
    finished: output.map.count('+') === output.map.size,
  });
  result.rescuedBytes = output.map.count('+');
  result.complete = result.rescuedBytes === result.sizeBytes;
  return result;
}

async function copyRange(from: FileHandle, to: FileHandle, pos: number, size: number): Promise<void> {
  const buffer = Buffer.alloc(Math.min(CHUNK, size));
  for (let done = 0; done < size; ) {
    const n = Math.min(buffer.length, size - done);
    const { bytesRead } = await from.read(buffer, 0, n, pos + done);
    if (bytesRead !== n) throw new DiscError(`the input image is shorter than its mapfile says (at byte ${pos + done + bytesRead})`);
    await to.write(buffer, 0, n, pos + done);
    done += n;
  }
}

async function compareRange(a: FileHandle, b: FileHandle, pos: number, size: number, report: (pos: number, size: number) => void): Promise<void> {
  const x = Buffer.alloc(Math.min(CHUNK, size));
  const y = Buffer.alloc(x.length);
  for (let done = 0; done < size; ) {
    const n = Math.min(x.length, size - done);
    await a.read(x, 0, n, pos + done);
    await b.read(y, 0, n, pos + done);
    if (!x.subarray(0, n).equals(y.subarray(0, n))) report(pos + done, n);
    done += n;
  }
}
