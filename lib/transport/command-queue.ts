import { AbortError, TransportClosedError } from '../errors.js';

/**
 * Runs async jobs one at a time, in order. Every transport uses it so that only one command is in
 * flight per device, whoever calls.
 */
export class CommandQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  get closed(): boolean {
    return this.#closed;
  }

  run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closedError());
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const result = this.#tail.then(() => {
      if (this.#closed) throw this.#closedError();
      if (signal?.aborted) throw abortReason(signal);
      return job();
    });
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Like run(), and an abort rejects at once while the job still waits its turn; a job already
   * started runs to completion (an SG_IO in flight cannot be interrupted).
   */
  runAbortable<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal === undefined) return this.run(job);
    let started = false;
    const result = this.run(() => {
      started = true;
      return job();
    }, signal);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        if (!started) reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      result.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Refuses new jobs; resolves when the running and queued ones have settled. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#tail;
  }

  #closedError(): TransportClosedError {
    return new TransportClosedError(`${this.#path}: the transport is closed`, { path: this.#path });
  }
}

export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new AbortError('The operation was aborted');
}
