import { openEmulatedAddress, type EmulatedAddressOptions } from './address.js';
import type { EmulatedDrive } from './emulated-drive.js';

/** `emu:` addresses with image files opened by the file-backed disc models. */
export async function openEmulated(address: string, options: EmulatedAddressOptions): Promise<EmulatedDrive> {
  return openEmulatedAddress(address, { ...options, openImage: options.openImage ?? openImageLazily });
}

async function openImageLazily(path: string) {
  const models = (await import('./models/index.js')) as { openDiscImage(path: string): Promise<import('./disc-model.js').DiscModel> | import('./disc-model.js').DiscModel };
  return models.openDiscImage(path);
}
