/**
 * A FLAC file written as PCM arrives: the header (with a placeholder STREAMINFO) and frames go out
 * in order, and close() patches STREAMINFO with the sample count, frame sizes and MD5.
 */

import { open, rm, type FileHandle } from 'node:fs/promises';
import { DiscError, OutputWriteError, systemErrorReason } from '../../errors.js';
import { FlacEncoder, STREAMINFO_OFFSET, checkDeclaredSamples, type FlacEncoderOptions, type FlacSummary } from './encoder.js';

/** What {@link createFlacWriter} returns. */
export interface FlacWriter {
  /**
   * Encodes whole sample frames of signed little-endian interleaved PCM (CD audio: 4 bytes a
   * frame) and writes the frames completed. Encoding happens during the call, so the caller may
   * reuse `pcm` at once; the file writes are queued in order. Rejects with FormatError when `pcm`
   * ends inside a sample frame (nothing is consumed then), OutputWriteError when the file fails.
   */
  write(pcm: Uint8Array): Promise<void>;
  /**
   * Encodes the rest, patches STREAMINFO and closes the file. Rejects with FormatError after
   * finishing the file when `totalSamples` was given and a different number was written.
   */
  close(): Promise<FlacSummary & { path: string }>;
  /** Closes and deletes the file (a rip that failed). */
  abort(): Promise<void>;
}

/**
 * Starts a FLAC file at `path` (created or truncated on the first write or close). Options as
 * {@link FlacEncoderOptions}; for CD audio only `tags` and `totalSamples` matter.
 */
export function createFlacWriter(path: string, options: FlacEncoderOptions = {}): FlacWriter {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('Expected "path" to be a non-empty string');
  const encoder = new FlacEncoder(options);
  let handle: FileHandle | undefined;
  let position = 0;
  let failure: unknown;
  let state: 'open' | 'closing' | 'closed' = 'open';
  let queue: Promise<void> = Promise.resolve();

  const fail = (error: unknown, call: string): never => {
    throw error instanceof DiscError ? error : new OutputWriteError(`${path}: ${call} failed: ${systemErrorReason(error)}`, path, error);
  };
  const put = async (bytes: Uint8Array, at: number): Promise<void> => {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await handle!.write(bytes, done, bytes.length - done, at + done);
      done += bytesWritten;
    }
  };
  /** Queues a file operation after the earlier ones; the first failure sticks. */
  const enqueue = (step: () => Promise<void>): Promise<void> => {
    const run = queue.then(async () => {
      if (failure !== undefined) throw failure;
      try {
        if (handle === undefined) {
          handle = await open(path, 'w').catch((error: unknown) => fail(error, 'open'));
          const header = encoder.header();
          await put(header, 0).catch((error: unknown) => fail(error, 'write'));
          position = header.length;
        }
        await step();
      } catch (error) {
        failure ??= error;
        throw error;
      }
    });
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    write(pcm: Uint8Array): Promise<void> {
      if (state !== 'open') return Promise.reject(new DiscError(`${path}: FLAC writer is closed`));
      let frames: Uint8Array;
      try {
        frames = encoder.encode(pcm);
      } catch (error) {
        return Promise.reject(error);
      }
      if (frames.length === 0 && handle !== undefined) return enqueue(async () => undefined);
      return enqueue(async () => {
        await put(frames, position).catch((error: unknown) => fail(error, 'write'));
        position += frames.length;
      });
    },

    async close(): Promise<FlacSummary & { path: string }> {
      if (state !== 'open') throw new DiscError(`${path}: FLAC writer is closed`);
      state = 'closing';
      const end = encoder.finish();
      try {
        await enqueue(async () => {
          await put(end.frames, position).catch((error: unknown) => fail(error, 'write'));
          position += end.frames.length;
          await put(end.streamInfo, STREAMINFO_OFFSET).catch((error: unknown) => fail(error, 'write'));
          await handle!.close().catch((error: unknown) => fail(error, 'close'));
          handle = undefined;
        });
      } finally {
        state = 'closed';
        if (handle !== undefined) await handle.close().catch(() => undefined);
        handle = undefined;
      }
      checkDeclaredSamples(encoder, end.summary, path);
      return { ...end.summary, path };
    },

    async abort(): Promise<void> {
      state = 'closed';
      await queue;
      if (handle !== undefined) await handle.close().catch(() => undefined);
      handle = undefined;
      await rm(path, { force: true }).catch(() => undefined);
    },
  };
}
