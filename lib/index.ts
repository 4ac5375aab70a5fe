export * from './errors.js';
export * from './transport/transport.js';
export { CommandQueue } from './transport/command-queue.js';
export { classifyCompletion, transportErrorFromSystemError } from './transport/classify.js';
export { openNativeTransport, NativeTransport, COMMAND_CHANNEL } from './transport/native-transport.js';
export type { NativeTransportOptions, CommandEvent } from './transport/native-transport.js';
export { loadNativeBinding } from './transport/native-binding.js';
export type { NativeBinding, NativeDevice, NativeCompletion, NativeOpenOptions, NativeDirection } from './transport/native-binding.js';
