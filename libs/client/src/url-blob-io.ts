import { PackIceError } from '@packice/core';
import type { CallOptions, ClientTransport } from '@packice/protocol';
import type { BlobIo, WritableView } from './blob-io';
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
