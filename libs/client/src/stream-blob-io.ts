import type { Access, Blob, CallOptions, ClientTransport } from '@packice/core';
import { PackIceError } from '@packice/core';
import type { BlobIo, WritableView } from './blob-io';
import { FileBlobIo } from './file-blob-io';
import { StreamBlobFile, type BlobFile, type BlobStreams } from './stream-blob-file';

async function collect(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Buffer> {
  const all: Uint8Array[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return Buffer.concat(all);
}

/** A blob reached through the HTTP data plane: every read is a copy. */
export class UrlBlobIo implements BlobIo {
  readonly #streams: (options?: CallOptions) => BlobStreams;
  readonly #put: (bytes: Uint8Array, options?: CallOptions) => Promise<number>;

  constructor(transport: ClientTransport, leaseId: string, index: number) {
    const { putBlob, streamBlob } = transport;
    if (!putBlob || !streamBlob) throw new PackIceError('INTERNAL', `a ${transport.kind} transport has no data plane`);
    this.#put = (bytes, options) => putBlob(leaseId, index, bytes, options);
    this.#streams = (options) => ({
      read: (start, end) => streamBlob(leaseId, index, { start, end }, options),
      write: (source) => putBlob(leaseId, index, source, options),
    });
  }

  async read(options?: CallOptions): Promise<Buffer> {
    return collect(await this.#streams(options).read(0));
  }

  write(bytes: Uint8Array, options?: CallOptions): Promise<number> {
    return this.#put(bytes, options);
  }

  map(options?: CallOptions): Promise<Buffer> {
    return this.read(options);
  }

  async open(mode: 'r' | 'r+' | 'w'): Promise<BlobFile> {
    if (mode === 'r+')
      throw new PackIceError('BAD_REQUEST', "'r+' needs a descriptor or a file; use 'w' to replace the blob");
    return new StreamBlobFile(this.#streams(), mode);
  }

  mapWritable(): WritableView {
    throw new PackIceError('BAD_REQUEST', 'this blob has no descriptor or file to map');
  }

  close(): void {
    // nothing is held: each read or write is its own request
  }
}

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
