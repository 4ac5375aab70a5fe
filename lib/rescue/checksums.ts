import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

export interface ImageChecksums {
  md5: string;
  sha1: string;
  sha256: string;
  /** Bytes hashed: the image size. */
  bytes: number;
}

/** MD5, SHA-1 and SHA-256 of a file in one read, for reports and archival manifests. */
export async function checksumFile(path: string, signal?: AbortSignal): Promise<ImageChecksums> {
  const hashes = { md5: createHash('md5'), sha1: createHash('sha1'), sha256: createHash('sha256') };
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(1 << 22);
  let bytes = 0;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, bytes);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hashes.md5.update(chunk);
      hashes.sha1.update(chunk);
      hashes.sha256.update(chunk);
      bytes += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { md5: hashes.md5.digest('hex'), sha1: hashes.sha1.digest('hex'), sha256: hashes.sha256.digest('hex'), bytes };
}
