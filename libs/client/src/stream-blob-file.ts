import { PackIceError } from '@packice/core';
import { PassThrough, Readable, type Writable } from 'node:stream';

/**
 * What `Lease.open()` gives: Node's own `FileHandle` where the blob is a descriptor or a file,
 * otherwise (HTTP URLs, the in-process memfs fallback) an object with these same members.
 */
export interface BlobFile extends AsyncDisposable {
  /** Reads into `buffer` from `position` (default: where the last read ended). */
  read(
    buffer: Uint8Array,
    offset?: number,
    length?: number,
    position?: number | null,
  ): Promise<{ bytesRead: number; buffer: Uint8Array }>;
  /** Writes at the end of what was written so far. */
  write(data: Uint8Array | string): Promise<{ bytesWritten: number }>;
  createReadStream(options?: { start?: number; end?: number }): Readable;
  createWriteStream(): Writable;
  close(): Promise<void>;
}

/** How a stream-backed file reaches its blob. */
export interface BlobStreams {
  /** Bytes `start` to `end` (inclusive; default: to the end). */
  read(start: number, end?: number): Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>>;
  /** Starts replacing the blob with what `source` yields; settles when it is all stored. */
  write(source: AsyncIterable<Uint8Array>): Promise<number>;
}

/**
 * A BlobFile over streams, for blobs without a descriptor: reads are ranged requests, and a
 * file opened for writing streams everything written into one upload that `close()` completes.
 */
export class StreamBlobFile implements BlobFile {
  #position = 0;
  #upload: { input: PassThrough; done: Promise<number> } | null = null;
  #closed = false;

  constructor(
    private readonly streams: BlobStreams,
    mode: 'r' | 'w',
  ) {
    if (mode === 'w') {
      const input = new PassThrough();
      const done = streams.write(input);
      done.catch(() => undefined); // reported by close()
      this.#upload = { input, done };
    }
  }

  async read(
    buffer: Uint8Array,
    offset = 0,
    length = buffer.byteLength - offset,
    position: number | null = null,
  ): Promise<{ bytesRead: number; buffer: Uint8Array }> {
    this.#open();
    const start = position ?? this.#position;
    let bytesRead = 0;
    if (length > 0) {
      for await (const chunk of await this.streams.read(start, start + length - 1)) {
        const take = Math.min(chunk.byteLength, length - bytesRead);
        buffer.set(chunk.subarray(0, take), offset + bytesRead);
        bytesRead += take;
      }
    }
    if (position === null) this.#position = start + bytesRead;
    return { bytesRead, buffer };
  }

  async write(data: Uint8Array | string): Promise<{ bytesWritten: number }> {
    const input = this.#writer();
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (!input.write(bytes)) await new Promise((resolve) => input.once('drain', resolve));
    return { bytesWritten: bytes.byteLength };
  }

  createReadStream(options: { start?: number; end?: number } = {}): Readable {
    this.#open();
    const streams = this.streams;
    return Readable.from(
      (async function* () {
        yield* await streams.read(options.start ?? 0, options.end);
      })(),
    );
  }

  createWriteStream(): Writable {
    return this.#writer();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#upload) {
      if (!this.#upload.input.writableEnded) this.#upload.input.end();
      await this.#upload.done;
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #writer(): PassThrough {
    this.#open();
    if (!this.#upload) throw new PackIceError('BAD_REQUEST', 'the file is open for reading');
    return this.#upload.input;
  }

  #open(): void {
    if (this.#closed) throw new PackIceError('BAD_REQUEST', 'the file is closed');
  }
}
