/**
 * Importing the library loads no native code (the pure modules work on any OS); the first
 * loadNativeBinding() does. Runs in its own process, so nothing else has loaded the addon yet.
 */

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const onLinux = process.platform === 'linux';

function loadedAddons(): string[] {
  return Object.keys(createRequire(import.meta.url).cache).filter((file) => file.endsWith('.node'));
}

describe('lazy loading of the addon', () => {
  it('importing the package entry point loads no .node file', async () => {
    const library = await import('../../lib/index.js');
    expect(typeof library.openNativeTransport).toBe('function');
    expect(typeof library.loadNativeBinding).toBe('function');
    expect(loadedAddons()).toEqual([]);
  });

  it.skipIf(!onLinux)('loadNativeBinding() loads the addon once and caches it', async () => {
    const { loadNativeBinding } = await import('../../lib/transport/native-binding.js');
    const first = loadNativeBinding();
    expect(loadedAddons()).toHaveLength(1);
    expect(loadedAddons()[0]).toMatch(/discrescue.*\.node$/);
    expect(loadNativeBinding()).toBe(first);
  });

  it.skipIf(onLinux)('loadNativeBinding() throws UnsupportedError off Linux', async () => {
    const { loadNativeBinding } = await import('../../lib/transport/native-binding.js');
    const { UnsupportedError } = await import('../../lib/errors.js');
    expect(() => loadNativeBinding()).toThrow(UnsupportedError);
    expect(() => loadNativeBinding()).toThrow(process.platform);
  });
});
