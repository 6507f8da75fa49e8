import type { Access, Blob, BlobHandle } from '@packice/core';
import { fromSystemError, PackIceError } from '@packice/core';
import { addSeals, F_SEAL_IMMUTABLE, ftruncate, isNativeError, reopenReadOnly } from '@packice/native';
import { close, fstatSync, read, write } from 'node:fs';
import { promisify } from 'node:util';

const readAsync = promisify(read);
const writeAsync = promisify(write);
const closeAsync = promisify(close);

/**
 * A blob in a memfd, holding one descriptor: read-write while it is being created, then, once
 * sealed (kernel seals against write, shrink and grow), a read-only one in its place. Every handle
 * is that descriptor; the blob closes it at dispose.
 */
export class MemfdBlob implements Blob {
  #fd: number;
  readonly #label: string;
  #sealed = false;
  #sealedSize: number | null = null;
  #disposed = false;

  /** @param fd a read-write, sealable memfd that this blob now owns */
  constructor(
    fd: number,
    readonly index: number,
    label: string,
  ) {
    this.#fd = fd;
    this.#label = label;
  }

  get size(): number {
    this.#alive();
    // Sealed against shrinking and growing, the size can no longer change: one fstat is enough.
    if (this.#sealedSize !== null) return this.#sealedSize;
    const { size } = fstatSync(this.#fd);
    if (this.#sealed) this.#sealedSize = size;
    return size;
  }

  get sealed(): boolean {
    return this.#sealed;
  }

  async read(position = 0, length?: number): Promise<Buffer> {
    this.#alive();
    const available = Math.max(this.size - position, 0);
    const want = Math.min(length ?? available, available);
    const buffer = Buffer.allocUnsafe(want);
    let done = 0;
    while (done < want) {
      const { bytesRead } = await readAsync(this.#fd, buffer, done, want - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buffer.subarray(0, done);
  }

  async write(data: Uint8Array, position?: number): Promise<number> {
    this.#alive();
    if (this.sealed) throw new PackIceError('ALREADY_SEALED', `${this.#label} is sealed`);
    const at = position ?? this.size;
    let done = 0;
    try {
      while (done < data.byteLength) {
        const { bytesWritten } = await writeAsync(this.#fd, data, done, data.byteLength - done, at + done);
        done += bytesWritten;
      }
    } catch (err) {
      throw fromSystemError(err, `writing ${this.#label}`);
    }
    return done;
  }

  async truncate(length: number): Promise<void> {
    this.#alive();
    if (this.sealed) throw new PackIceError('ALREADY_SEALED', `${this.#label} is sealed`);
    try {
      ftruncate(this.#fd, length);
    } catch (err) {
      throw fromSystemError(err, `truncating ${this.#label}`);
    }
  }

  async seal(): Promise<void> {
    this.#alive();
    if (this.sealed) return;
    try {
      addSeals(this.#fd, F_SEAL_IMMUTABLE);
    } catch (err) {
      if (isNativeError(err, 'EBUSY')) {
        throw new PackIceError(
          'BAD_REQUEST',
          `${this.#label} still has a writable shared mapping: unmap it, or seal through the client, which freezes its view first`,
          { cause: err, details: { errno: 'EBUSY' } },
        );
      }
      throw fromSystemError(err, `sealing ${this.#label}`);
    }
    let readOnly: number;
    try {
      readOnly = reopenReadOnly(this.#fd);
    } catch (err) {
      throw fromSystemError(err, `sealing ${this.#label}`);
    }
    // The writable descriptor goes: a sealed blob holds only the read-only one.
    const writable = this.#fd;
    this.#fd = readOnly;
    this.#sealed = true;
    await closeAsync(writable);
  }

  handle(access: Access): BlobHandle {
    this.#alive();
    if (!this.#sealed && access === 'read') throw new PackIceError('NOT_SEALED', `${this.#label} is not sealed`);
    return { kind: 'fd', fd: this.#fd };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await closeAsync(this.#fd);
  }

  #alive(): void {
    if (this.#disposed) throw new PackIceError('NOT_FOUND', `${this.#label} was deleted`);
  }
}
