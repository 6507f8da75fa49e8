import type { Blob } from './blob';
import { PackIceError } from './errors';
import type { Access, Lease, ObjectInfo } from './model';

/**
 * How a node of a cluster reads an object that lives in another node's memory: through that
 * node's HTTP binding (the node app gives an implementation; core does no I/O).
 */
export interface RemoteReads {
  /** A read lease at the node whose HTTP base URL is `baseUrl`, with each blob's absolute data-plane URL. */
  acquire(
    baseUrl: string,
    objectId: string,
    ttlMs: number | undefined,
    signal?: AbortSignal,
  ): Promise<{ lease: Lease; object: ObjectInfo; urls: string[] }>;
  release(baseUrl: string, leaseId: string): Promise<void>;
  renew(baseUrl: string, leaseId: string, ttlMs?: number): Promise<Lease>;
}

/** A blob in another node's memory: clients read it at its URL; this node holds no bytes. */
export class RemoteBlob implements Blob {
  readonly sealed = true;

  constructor(
    readonly index: number,
    readonly size: number,
    readonly url: string,
  ) {}

  handle(_access: Access): { kind: 'url'; url: string } {
    return { kind: 'url', url: this.url };
  }

  read(): Promise<Buffer> {
    return Promise.reject(new PackIceError('BAD_REQUEST', `this blob lives on another node: read it at ${this.url}`));
  }

  write(): Promise<number> {
    return Promise.reject(new PackIceError('ALREADY_SEALED', 'a blob of another node is sealed'));
  }

  truncate(): Promise<void> {
    return Promise.reject(new PackIceError('ALREADY_SEALED', 'a blob of another node is sealed'));
  }

  /** Already sealed (at its node). */
  seal(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing is held here. */
  dispose(): Promise<void> {
    return Promise.resolve();
  }
}
