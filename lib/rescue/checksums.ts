import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';

export interface ImageChecksums {
  md5: string;
  sha1: string;
  sha256: string;
  /** Bytes hashed: the image size. */
  bytes: number;
}

/** The three hashes of one byte stream. */
class HashSet {
  readonly #md5: Hash = createHash('md5');
  readonly #sha1: Hash = createHash('sha1');
  readonly #sha256: Hash = createHash('sha256');
  bytes = 0;

  update(chunk: Uint8Array): void {
    this.#md5.update(chunk);
    this.#sha1.update(chunk);
    this.#sha256.update(chunk);
    this.bytes += chunk.length;
  }

  digest(): ImageChecksums {
    return { md5: this.#md5.digest('hex'), sha1: this.#sha1.digest('hex'), sha256: this.#sha256.digest('hex'), bytes: this.bytes };
  }
}

/** MD5, SHA-1 and SHA-256 of a file in one read, for reports and archival manifests. */
export async function checksumFile(path: string, signal?: AbortSignal): Promise<ImageChecksums> {
  const hashes = new HashSet();
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(1 << 22);
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, hashes.bytes);
      if (bytesRead === 0) break;
      hashes.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hashes.digest();
}

/**
 * Hashes an image while it is written, as long as the writes come in order from byte 0 (a clean
 * linear read): the file need not be read again. The first write out of order gives up; the
 * caller then hashes the file at the end.
 */
export class StreamingChecksums {
  #hashes: HashSet | undefined = new HashSet();

  /** Feeds the bytes written at `position`. */
  add(position: number, data: Uint8Array): void {
    if (this.#hashes === undefined) return;
    if (position !== this.#hashes.bytes) {
      this.#hashes = undefined;
      return;
    }
    this.#hashes.update(data);
  }

  /** The checksums when the whole image of `size` bytes went through `add` in order. */
  result(size: number): ImageChecksums | undefined {
    return this.#hashes?.bytes === size ? this.#hashes.digest() : undefined;
  }
}
