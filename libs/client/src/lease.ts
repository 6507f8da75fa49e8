import type { Access, Lease as LeaseRecord, ObjectInfo } from '@packice/core';
import { PackIceError } from '@packice/core';
import { freezeMapping, ftruncate, isNativeError, mapFd } from '@packice/native';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import type { BlobAccess, ClientTransport } from './client-transport';
import { type BlobFile, type BlobStreams, StreamBlobFile } from './stream-blob-file';

function readFd(fd: number): Buffer {
  const size = fstatSync(fd).size;
  const buffer = Buffer.allocUnsafe(size);
  let done = 0;
  while (done < size) {
    const n = readSync(fd, buffer, done, size - done, done);
    if (n === 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}

function writeFd(fd: number, data: Uint8Array): number {
  let done = 0;
  while (done < data.byteLength) done += writeSync(fd, data, done, data.byteLength - done, done);
  ftruncate(fd, done);
  return done;
}

/**
 * A lease held by a Client: the right to read (or create) one object until `expiresAt`. It owns
 * the descriptors its transport received and closes them on `release()`; Buffers from `map()`
 * stay valid after that (their memory stays pinned until they are collected).
 */
export class Lease implements AsyncDisposable {
  #record: LeaseRecord;
  #object: ObjectInfo;
  readonly #access: BlobAccess[];
  readonly #transport: ClientTransport;
  /** Writable views handed out by mapWritable(), with the descriptor each maps. */
  readonly #writableViews: { view: Buffer; fd: number }[] = [];
  #released = false;
  readonly #onRelease: (lease: Lease) => void;

  constructor(
    transport: ClientTransport,
    record: LeaseRecord,
    object: ObjectInfo,
    access: BlobAccess[],
    onRelease: (lease: Lease) => void = () => undefined,
  ) {
    this.#onRelease = onRelease;
    this.#transport = transport;
    this.#record = record;
    this.#object = object;
    this.#access = access;
  }

  get leaseId(): string {
    return this.#record.leaseId;
  }

  get objectId(): string {
    return this.#record.objectId;
  }

  get access(): Access {
    return this.#record.access;
  }

  get expiresAt(): number {
    return this.#record.expiresAt;
  }

  /** The object as it was when the lease was acquired (or last sealed through it). */
  get object(): ObjectInfo {
    return this.#object;
  }

  /** Reads a whole blob into a new Buffer (a copy). */
  async read(blob = 0): Promise<Buffer> {
    const access = this.#blob(blob);
    switch (access.kind) {
      case 'fd':
        return readFd(access.fd);
      case 'path': {
        const fd = openSync(access.path, 'r');
        try {
          return readFd(fd);
        } finally {
          closeSync(fd);
        }
      }
      case 'blob':
        return access.blob.read();
      case 'url': {
        const chunks: Uint8Array[] = [];
        for await (const chunk of await this.#streams(access).read(0)) chunks.push(chunk);
        return Buffer.concat(chunks);
      }
    }
  }

  /** Replaces a blob's bytes (create lease, before seal); returns the bytes written. */
  async write(data: Uint8Array | string, blob = 0): Promise<number> {
    this.#assertWritable();
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const access = this.#blob(blob);
    switch (access.kind) {
      case 'fd':
        try {
          return writeFd(access.fd, bytes);
        } catch (err) {
          if ((err as { code?: string }).code === 'EPERM') throw new PackIceError('ALREADY_SEALED', 'the object is sealed', { cause: err });
          throw err;
        }
      case 'path': {
        const fd = openSync(access.path, 'r+');
        try {
          return writeFd(fd, bytes);
        } finally {
          closeSync(fd);
        }
      }
      case 'blob':
        await access.blob.write(bytes, 0);
        await access.blob.truncate(bytes.byteLength);
        return bytes.byteLength;
      case 'url':
        return (this.#transport.putBlob as NonNullable<ClientTransport['putBlob']>)(access.leaseId, access.index, bytes);
    }
  }

  /**
   * Replaces a blob's bytes with what a stream yields, chunk by chunk, never holding it whole
   * (create lease, before seal); returns the bytes written.
   */
  async writeFrom(source: AsyncIterable<Uint8Array | string>, blob = 0): Promise<number> {
    const file = await this.open('w', blob);
    try {
      let written = 0;
      for await (const chunk of source) written += (await file.write(chunk)).bytesWritten;
      return written;
    } finally {
      await file.close();
    }
  }

  /**
   * A Buffer over a sealed blob's memory, zero-copy where the blob is a descriptor or a file
   * (private copy-on-write mapping: writes to it never reach the object). Over HTTP URLs and
   * in-process memfs blobs it is a copy.
   */
  async map(blob = 0): Promise<Buffer> {
    const access = this.#blob(blob);
    const path = this.#filePath(access);
    if (path === null || (access.kind === 'blob' && !access.blob.sealed)) return this.read(blob);
    try {
      return this.#mapPath(path);
    } catch (err) {
      // Electron's V8 memory cage forbids external buffers: a copy is all that can be had there.
      if (isNativeError(err, 'EOPNOTSUPP')) return this.read(blob);
      throw err;
    }
  }


  /**
   * Opens a blob as a file: Node's own `FileHandle` over a new descriptor where the blob is a
   * descriptor or a file (closing it never closes the lease's own), else a {@link BlobFile} that
   * streams through the HTTP data plane or the in-process blob. Modes: `r`; `w`, which replaces
   * the blob with what is written (create lease, before seal); `r+` for descriptors and files only.
   */
  async open(mode: 'r' | 'r+' | 'w' = 'r', blob = 0): Promise<BlobFile> {
    if (mode !== 'r') this.#assertWritable();
    const access = this.#blob(blob);
    const path = this.#filePath(access);
    if (path === null) {
      if (mode === 'r+') throw new PackIceError('BAD_REQUEST', "'r+' needs a descriptor or a file; use 'w' to replace the blob");
      return new StreamBlobFile(this.#streams(access), mode);
    }
    try {
      return (await openFile(path, mode)) as unknown as BlobFile;
    } catch (err) {
      if ((err as { code?: string }).code === 'EPERM') throw new PackIceError('ALREADY_SEALED', 'the object is sealed', { cause: err });
      throw err;
    }
  }

  /**
   * A writable Buffer over a blob's shared memory (create lease, before seal; the blob needs a
   * size hint): writes land in the object with no copy. At `seal()` the view is turned read-only
   * in place (a private copy-on-write mapping at the same address), so the Buffer stays valid for
   * reading and the kernel seal can apply; later writes to it stay private to this process.
   */
  async mapWritable(blob = 0): Promise<Buffer> {
    this.#assertWritable();
    const path = this.#filePath(this.#blob(blob));
    if (path === null) throw new PackIceError('BAD_REQUEST', 'this blob has no descriptor or file to map');
    const fd = openSync(path, 'r+');
    try {
      const size = fstatSync(fd).size;
      if (size === 0) throw new PackIceError('BAD_REQUEST', 'mapWritable needs a blob with a size hint, e.g. blobs: [{ size: N }]');
      const view = mapFd(fd, size, { mode: 'write' });
      this.#writableViews.push({ view, fd: openSync(path, 'r') });
      return view;
    } catch (err) {
      if ((err as { code?: string }).code === 'EPERM') throw new PackIceError('ALREADY_SEALED', 'the object is sealed', { cause: err });
      throw err;
    } finally {
      closeSync(fd);
    }
  }

  /** Seals the object (create lease); the lease stays held until released. */
  async seal(): Promise<ObjectInfo> {
    // The kernel refuses F_SEAL_WRITE while a writable shared mapping exists: freeze ours first.
    for (const { view, fd } of this.#writableViews.splice(0)) {
      freezeMapping(view, fd);
      closeSync(fd);
    }
    this.#object = await this.#transport.seal(this.leaseId);
    return this.#object;
  }

  /** Extends the lease by `ttlMs` (default its own) from now. */
  async renew(ttlMs?: number): Promise<void> {
    this.#record = await this.#transport.renew(this.leaseId, ttlMs);
  }

  /** Ends the lease (an unsealed create is aborted) and closes its descriptors. Idempotent. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#onRelease(this);
    for (const { fd } of this.#writableViews.splice(0)) closeSync(fd);
    for (const access of this.#access) if (access.kind === 'fd') closeSync(access.fd);
    try {
      await this.#transport.release(this.leaseId);
    } catch (err) {
      // Already ended (expired, or its connection closed): nothing more to release.
      if ((err as { code?: string }).code !== 'LEASE_NOT_FOUND') throw err;
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  #assertWritable(): void {
    if (this.access !== 'create') throw new PackIceError('WRONG_ACCESS', 'only a create lease may write');
    if (this.#object.state === 'sealed') throw new PackIceError('ALREADY_SEALED', `object ${this.objectId} is sealed`);
  }

  /** Streams for a blob without a descriptor: the HTTP data plane, or the in-process blob. */
  #streams(access: BlobAccess): BlobStreams {
    const transport = this.#transport;
    if (access.kind === 'url') {
      return {
        read: (start, end) =>
          (transport.streamBlob as NonNullable<ClientTransport['streamBlob']>)(access.leaseId, access.index, { start, end }),
        write: (source) => (transport.putBlob as NonNullable<ClientTransport['putBlob']>)(access.leaseId, access.index, source),
      };
    }
    if (access.kind !== 'blob') throw new PackIceError('INTERNAL', `no streams for a ${access.kind} blob`);
    const { blob } = access;
    return {
      read: async (start, end) => [await blob.read(start, end === undefined ? undefined : end - start + 1)],
      write: async (source) => {
        let position = 0;
        for await (const chunk of source) position += await blob.write(chunk, position);
        await blob.truncate(position);
        return position;
      },
    };
  }

  /** A path that opens this blob: the file itself, or the descriptor through /proc/self/fd. */
  #filePath(access: BlobAccess): string | null {
    if (access.kind === 'fd') return `/proc/self/fd/${access.fd}`;
    if (access.kind === 'path') return access.path;
    if (access.kind === 'blob') {
      const handle = access.blob.handle(this.access);
      if (handle.kind === 'fd') return `/proc/self/fd/${handle.fd}`;
      if (handle.kind === 'path') return handle.path;
    }
    return null;
  }

  #mapPath(path: string): Buffer {
    const fd = openSync(path, 'r');
    try {
      return mapFd(fd, fstatSync(fd).size);
    } finally {
      closeSync(fd);
    }
  }

  #blob(index: number): BlobAccess {
    if (this.#released) throw new PackIceError('LEASE_NOT_FOUND', `lease ${this.leaseId} was released`);
    const access = this.#access[index];
    if (!access) throw new PackIceError('BAD_REQUEST', `object ${this.objectId} has no blob ${index}`);
    return access;
  }
}
