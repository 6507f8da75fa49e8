import { PackIceError } from '@packice/core';
import type { BlobIo, WritableView } from './blob-io';
import { StreamBlobFile, type BlobFile } from './stream-blob-file';

const readOnly = (): PackIceError => new PackIceError('WRONG_ACCESS', 'a small object that came inline is read-only');

/**
 * A small sealed blob whose bytes came with the acquire answer: the Lease's own copy. `map()`
 * returns it (no descriptor, no mapping), so what it returns never changes, whatever happens to
 * the object or its slab slot afterwards; `open('r')` reads from it.
 */
export class BytesBlobIo implements BlobIo {
  readonly #data: Buffer;

  constructor(data: Buffer) {
    this.#data = data;
  }

  async read(): Promise<Buffer> {
    return Buffer.from(this.#data);
  }

  async write(): Promise<number> {
    throw readOnly();
  }

  async map(): Promise<Buffer> {
    return this.#data;
  }

  async open(mode: 'r' | 'r+' | 'w'): Promise<BlobFile> {
    if (mode !== 'r') throw readOnly();
    const data = this.#data;
    return new StreamBlobFile(
      {
        read: async (start, end) => [data.subarray(start, end === undefined ? undefined : end + 1)],
        write: async () => {
          throw readOnly();
        },
      },
      'r',
    );
  }

  mapWritable(): WritableView {
    throw readOnly();
  }

  close(): void {
    // nothing is held but the copy, which map()'s callers may keep
  }
}
