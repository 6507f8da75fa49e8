import type { Access, LeaseInfo, ObjectInfo } from '@packice/core';
import type { BlobAccess, CallOptions, ClientTransport } from '@packice/protocol';
import { PackIceError } from '@packice/core';
import { closeQuietly, freezeMapping } from '@packice/native';
import type { BlobIo, WritableView } from './blob-io';
import { BytesBlobIo } from './bytes-blob-io';
import { FileBlobIo } from './file-blob-io';
import type { BlobFile } from './stream-blob-file';
import { InProcessBlobIo } from './in-process-blob-io';
import { UrlBlobIo } from './url-blob-io';
import { httpCredentials } from './http-credentials';
import { createHttpClientTransport, HttpTransport } from '@packice/transport-http';

/** Options of {@link Lease.release}. */
export interface ReleaseOptions extends CallOptions {
  /** Resolve only once the node has ended the lease (default: once the request is sent). */
  wait?: boolean;
}

/** A blob in another node's memory (scale-out): read over HTTP from that node's data plane. */
function remoteBlobIo(url: string): BlobIo {
  const match = /^(https?:\/\/[^/]+)\/v1\/leases\/([^/]+)\/blobs\/(\d+)$/.exec(url);
  if (!match) throw new PackIceError('INTERNAL', `the node sent a blob URL this client cannot read: ${url}`);
  const owner = createHttpClientTransport(new HttpTransport(match[1], httpCredentials(match[1])));
  return new UrlBlobIo(owner, decodeURIComponent(match[2]), Number(match[3]));
}

function blobIo(access: BlobAccess, lease: LeaseInfo, transport: ClientTransport): BlobIo {
  switch (access.kind) {
    case 'fd':
      return FileBlobIo.ofDescriptor(access.fd);
    case 'path':
      return new FileBlobIo(access.path);
    case 'blob':
      return new InProcessBlobIo(access.blob, lease.access);
    case 'url':
      return new UrlBlobIo(transport, access.leaseId, access.index);
    case 'remote':
      return remoteBlobIo(access.url);
    case 'bytes':
      return new BytesBlobIo(access.data);
  }
}

/**
 * A lease held by a Client: the right to read (or create) one object until `expiresAt`. It owns
 * the descriptors its transport received and closes them on `release()`; Buffers from `map()`
 * stay valid after that (their memory stays pinned until they are collected). Every call that
 * can wait takes `{ signal }`.
 */
export class Lease implements AsyncDisposable {
  #record: LeaseInfo;
  #object: ObjectInfo;
  readonly #blobs: BlobIo[];
  readonly #transport: ClientTransport;
  /** Writable views handed out by mapWritable(), frozen at seal. */
  readonly #writableViews: WritableView[] = [];
  #released = false;
  readonly #onRelease: (lease: Lease, answer: Promise<void>) => void;

  /** @internal Leases come from `Client.acquire()`. */
  constructor(
    transport: ClientTransport,
    record: LeaseInfo,
    object: ObjectInfo,
    access: readonly BlobAccess[],
    onRelease: (lease: Lease, answer: Promise<void>) => void = (_lease, answer) => void answer.catch(() => undefined),
  ) {
    this.#onRelease = onRelease;
    this.#transport = transport;
    this.#record = record;
    this.#object = object;
    this.#blobs = access.map((a) => blobIo(a, record, transport));
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
  async read(blob = 0, options: CallOptions = {}): Promise<Buffer> {
    return this.#blob(blob).read(options);
  }

  /** Replaces a blob's bytes (create lease, before seal); returns the bytes written. */
  async write(data: Uint8Array | string, blob = 0, options: CallOptions = {}): Promise<number> {
    this.#assertWritable();
    return this.#blob(blob).write(typeof data === 'string' ? Buffer.from(data) : data, options);
  }

  /**
   * Replaces a blob's bytes with what a stream yields, chunk by chunk, never holding it whole
   * (create lease, before seal); returns the bytes written. The signal stops it between chunks.
   */
  async writeFrom(source: AsyncIterable<Uint8Array | string>, blob = 0, options: CallOptions = {}): Promise<number> {
    const file = await this.open('w', blob);
    try {
      let written = 0;
      for await (const chunk of source) {
        options.signal?.throwIfAborted();
        written += (await file.write(chunk)).bytesWritten;
      }
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
  async map(blob = 0, options: CallOptions = {}): Promise<Buffer> {
    const io = this.#blob(blob);
    // A sealed blob's size is final: the answer's figure spares an fstat per map.
    return io.map(options, this.#object.state === 'sealed' ? this.#object.blobs[blob]?.size : undefined);
  }

  /**
   * Opens a blob as a file: Node's own `FileHandle` over a new descriptor where the blob is a
   * descriptor or a file (closing it never closes the lease's own), else a {@link BlobFile} that
   * streams through the HTTP data plane or the in-process blob. Modes: `r`; `w`, which replaces
   * the blob with what is written (create lease, before seal); `r+` for descriptors and files only.
   */
  async open(mode: 'r' | 'r+' | 'w' = 'r', blob = 0): Promise<BlobFile> {
    if (mode !== 'r') this.#assertWritable();
    return this.#blob(blob).open(mode);
  }

  /**
   * A writable Buffer over a blob's shared memory (create lease, before seal; the blob needs a
   * size hint): writes land in the object with no copy. At `seal()` the view is turned read-only
   * in place (a private copy-on-write mapping at the same address), so the Buffer stays valid for
   * reading and the kernel seal can apply; later writes to it stay private to this process.
   */
  async mapWritable(blob = 0): Promise<Buffer> {
    this.#assertWritable();
    const writable = this.#blob(blob).mapWritable();
    this.#writableViews.push(writable);
    return writable.view;
  }

  /** Seals the object (create lease); the lease stays held until released. */
  async seal(options: CallOptions = {}): Promise<ObjectInfo> {
    // The kernel refuses F_SEAL_WRITE while a writable shared mapping exists: freeze ours first.
    for (const { view, freezeFd } of this.#writableViews.splice(0)) {
      freezeMapping(view, freezeFd);
      closeQuietly(freezeFd);
    }
    this.#object = await this.#transport.seal(this.leaseId, options);
    return this.#object;
  }

  /** Extends the lease by `ttlMs` (default its own) from now. */
  async renew(ttlMs?: number, options: CallOptions = {}): Promise<void> {
    this.#record = await this.#transport.renew(this.leaseId, ttlMs, options);
  }

  /**
   * Ends the lease (an unsealed create is aborted) and closes its descriptors. Idempotent. The
   * request is sent at once but, unless `wait: true`, not waited for: a read cycle then costs one
   * round trip, but a call made right after may still see the lease. A release that fails (other
   * than for an already ended lease) is thrown by the client's next call. With `wait: true` it
   * resolves once the node has ended the lease, and throws what the node answered.
   */
  async release(options: ReleaseOptions = {}): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    closeQuietly(...this.#writableViews.splice(0).map((w) => w.freezeFd));
    for (const blob of this.#blobs) blob.close();
    const { wait = false, ...callOptions } = options;
    const answer = this.#transport.release(this.leaseId, { ...callOptions, defer: !wait }).then(
      () => undefined,
      (err: unknown) => {
        // Already ended (expired, or its connection closed): nothing more to release.
        if ((err as { code?: string }).code !== 'LEASE_NOT_FOUND') throw err;
      },
    );
    // Waited for, a failure is the caller's; otherwise the client keeps it for its next call.
    this.#onRelease(this, wait ? answer.catch(() => undefined) : answer);
    if (wait) await answer;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  #assertWritable(): void {
    if (this.access !== 'create') throw new PackIceError('WRONG_ACCESS', 'only a create lease may write');
    if (this.#object.state === 'sealed') throw new PackIceError('ALREADY_SEALED', `object ${this.objectId} is sealed`);
  }

  #blob(index: number): BlobIo {
    if (this.#released) throw new PackIceError('LEASE_NOT_FOUND', `lease ${this.leaseId} was released`);
    const io = this.#blobs[index];
    if (!io) throw new PackIceError('BAD_REQUEST', `object ${this.objectId} has no blob ${index}`);
    return io;
  }
}
