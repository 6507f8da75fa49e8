import type { Access, Blob } from '@packice/core';
import { PackIceError } from '@packice/core';

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
