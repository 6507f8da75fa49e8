import type { Access, Blob, BlobHandle } from '@packice/core';
import { PackIceError } from '@packice/core';

/** What an {@link S3Blob} needs from its storage: the bucket's copy and the local cache. */
export interface S3BlobHost {
  /** Reads `length` bytes at `position` of the blob's key (a ranged GET). */
  readRemote(blob: S3Blob, position: number, length: number): Promise<Buffer>;
  /** Fetches the whole blob into a new sealed local blob (ranged GETs in parallel). */
  fetch(blob: S3Blob): Promise<Blob>;
  /** Tells the cache the blob's local copy was used (`hit`) or has just been made (`filled`). */
  cached(blob: S3Blob, how: 'hit' | 'filled'): void;
  /** Frees a local blob (a memfd of the local store). */
  free(local: Blob): Promise<void>;
  /** Forgets the blob in the cache (it is being disposed). */
  forget(blob: S3Blob): void;
}

/**
 * A blob of S3 storage. While created it is a local memfd blob (writable, kernel-sealed at
 * seal, uploaded at commit); once sealed, the bucket holds it and a local copy is a cache entry,
 * fetched whole by {@link prepare} before a read lease is granted and dropped under the cache's bound.
 */
export class S3Blob implements Blob {
  #local: Blob | null;
  #fetching: Promise<void> | null = null;
  #size: number | null;
  #sealed: boolean;
  #disposed = false;

  constructor(
    readonly host: S3BlobHost,
    readonly objectId: string,
    readonly index: number,
    readonly key: string,
    local: Blob | null,
    sealedSize: number | null,
  ) {
    this.#local = local;
    this.#size = sealedSize;
    this.#sealed = sealedSize !== null;
  }

  get size(): number {
    return this.#size ?? (this.#local as Blob).size;
  }

  get sealed(): boolean {
    return this.#sealed;
  }

  /** The local copy's bytes, or 0 (what the cache counts). */
  get localBytes(): number {
    return this.#local === null ? 0 : this.size;
  }

  get local(): Blob | null {
    return this.#local;
  }

  async read(position = 0, length?: number): Promise<Buffer> {
    const local = this.#local;
    if (local) return local.read(position, length);
    const end = Math.min(this.size, length === undefined ? this.size : position + length);
    return end > position ? this.host.readRemote(this, position, end - position) : Buffer.alloc(0);
  }

  async write(data: Uint8Array, position?: number): Promise<number> {
    return this.#writable().write(data, position);
  }

  async truncate(length: number): Promise<void> {
    return this.#writable().truncate(length);
  }

  /** Kernel-seals the local memfd; the upload is the storage's commit. */
  async seal(): Promise<void> {
    if (this.#sealed) return;
    const local = this.#writable();
    await local.seal();
    this.#size = local.size;
    this.#sealed = true;
  }

  handle(access: Access): BlobHandle {
    if (this.#disposed) throw new PackIceError('NOT_FOUND', `object ${this.objectId} was removed`);
    if (access === 'read' && !this.#sealed)
      throw new PackIceError('NOT_SEALED', `object ${this.objectId} is not sealed`);
    if (!this.#local) {
      // prepare() fetched it, and the cache dropped it again before the answer went out.
      throw new PackIceError('UNAVAILABLE', `object ${this.objectId} left the local cache: acquire it again`);
    }
    this.host.cached(this, 'hit');
    return this.#local.handle(access);
  }

  prepare(): Promise<void> | undefined {
    if (this.#local || !this.#sealed || this.#disposed) return undefined;
    this.#fetching ??= this.host.fetch(this).then(
      async (local) => {
        this.#fetching = null;
        if (this.#disposed) {
          await this.host.free(local);
          return;
        }
        this.#local = local;
        this.host.cached(this, 'filled');
      },
      (err: unknown) => {
        this.#fetching = null;
        throw err;
      },
    );
    return this.#fetching;
  }

  /** Drops the local copy (the cache's eviction; the bucket keeps the blob). */
  async drop(): Promise<void> {
    const local = this.#local;
    if (!local || !this.#sealed) return;
    this.#local = null;
    await this.host.free(local);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.host.forget(this);
    const local = this.#local;
    this.#local = null;
    if (local) await this.host.free(local);
  }

  #writable(): Blob {
    if (this.#sealed) throw new PackIceError('ALREADY_SEALED', `object ${this.objectId} is sealed`);
    return this.#local as Blob;
  }
}
