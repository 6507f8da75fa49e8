import type { Access, Blob } from '@packice/core';
import { PackIceError } from '@packice/core';
import type { BlobIo, WritableView } from './blob-io';
import { FileBlobIo } from './file-blob-io';
import { StreamBlobFile, type BlobFile, type BlobStreams } from './stream-blob-file';

/**
 * The storage's own blob, in this process: reads and writes call it directly; where it has a
 * descriptor or a file (memfd, file storage) map and open go through that, zero-copy.
 */
export class InProcessBlobIo implements BlobIo {
  readonly #blob: Blob;
  readonly #access: Access;

  constructor(blob: Blob, access: Access) {
    this.#blob = blob;
    this.#access = access;
  }

  read(): Promise<Buffer> {
    return this.#blob.read();
  }

  async write(bytes: Uint8Array): Promise<number> {
    await this.#blob.write(bytes, 0);
    await this.#blob.truncate(bytes.byteLength);
    return bytes.byteLength;
  }

  async map(): Promise<Buffer> {
    const file = this.#blob.sealed ? this.#file() : null;
    return file ? file.map() : this.read();
  }

  async open(mode: 'r' | 'r+' | 'w'): Promise<BlobFile> {
    const file = this.#file();
    if (file) return file.open(mode);
    if (mode === 'r+')
      throw new PackIceError('BAD_REQUEST', "'r+' needs a descriptor or a file; use 'w' to replace the blob");
    const blob = this.#blob;
    const streams: BlobStreams = {
      read: async (start, end) => [await blob.read(start, end === undefined ? undefined : end - start + 1)],
      write: async (source) => {
        let position = 0;
        for await (const chunk of source) position += await blob.write(chunk, position);
        await blob.truncate(position);
        return position;
      },
    };
    return new StreamBlobFile(streams, mode);
  }

  mapWritable(): WritableView {
    const file = this.#file();
    if (!file) throw new PackIceError('BAD_REQUEST', 'this blob has no descriptor or file to map');
    return file.mapWritable();
  }

  close(): void {
    // the blob and its descriptors belong to the storage
  }

  // The blob's own descriptor or file, borrowed (never closed here); null for memfs blobs.
  #file(): FileBlobIo | null {
    const handle = this.#blob.handle(this.#access);
    if (handle.kind === 'fd') return new FileBlobIo(`/proc/self/fd/${handle.fd}`);
    if (handle.kind === 'path') return new FileBlobIo(handle.path);
    return null;
  }
}
