export * from './errors.js';
export * from './transport/transport.js';
export { CommandQueue } from './transport/command-queue.js';
export { classifyCompletion, transportErrorFromSystemError } from './transport/classify.js';
