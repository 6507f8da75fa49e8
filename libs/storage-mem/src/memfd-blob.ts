import type { Access, Blob, BlobHandle } from '@packice/core';
import { fromSystemError, PackIceError } from '@packice/core';
import { addSeals, F_SEAL_IMMUTABLE, ftruncate, isNativeError, reopenReadOnly } from '@packice/native';
import { close, fstatSync, read, readSync, write } from 'node:fs';
import { promisify } from 'node:util';
import type { SlabAllocator, SlabSlot } from './slab-allocator';

const readAsync = promisify(read);
const writeAsync = promisify(write);
const closeAsync = promisify(close);

/**
 * A blob in a memfd, holding one descriptor: read-write while it is being created, then, once
 * sealed (kernel seals against write, shrink and grow), a read-only one in its place. Every handle
 * is that descriptor; the blob closes it at dispose. With `slabs`, a blob sealed at a size a slab
 * slot holds moves into one (its descriptor is closed): many small objects then share one
 * descriptor, and reads copy from the node's own mapping; its handle becomes `in-process`.
 */
export class MemfdBlob implements Blob {
  #fd: number;
  readonly #label: string;
  #sealed = false;
  #sealedSize: number | null = null;
  #disposed = false;
  readonly #slabs: SlabAllocator | undefined;
  #slot: SlabSlot | null = null;
  readonly #onMoved: (() => void) | undefined;

  /** @param fd a read-write, sealable memfd that this blob now owns */
  constructor(
    fd: number,
    readonly index: number,
    label: string,
    slabs?: SlabAllocator,
    onMoved?: () => void,
  ) {
    this.#fd = fd;
    this.#label = label;
    this.#slabs = slabs;
    this.#onMoved = onMoved;
  }

  /** The slot it holds once moved into a slab; else its pages (counted by the Peer). */
  get heldBytes(): number | undefined {
    return this.#slot?.capacity;
  }

  /** True once its bytes live in a slab (no descriptor of its own). */
  get inSlab(): boolean {
    return this.#slot !== null;
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
    if (this.#slot) return this.#fromSlot(this.#slot, position, length);
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
    const size = this.size;
    if (this.#slabs && size <= this.#slabs.maxObjectBytes) {
      const bytes = Buffer.allocUnsafe(size);
      let done = 0;
      while (done < size) {
        const n = readSync(this.#fd, bytes, done, size - done, done);
        if (n === 0) break;
        done += n;
      }
      try {
        this.#slot = this.#slabs.store(bytes.subarray(0, done));
      } catch {
        return; // no room for a new slab: it stays in its own memfd
      }
      await closeAsync(this.#fd);
      this.#fd = -1;
      this.#onMoved?.();
    }
  }

  handle(access: Access): BlobHandle {
    this.#alive();
    if (!this.#sealed && access === 'read') throw new PackIceError('NOT_SEALED', `${this.#label} is not sealed`);
    return this.#slot ? { kind: 'in-process' } : { kind: 'fd', fd: this.#fd };
  }

  /** A copy of the bytes at once, when they live in a slab; else null. */
  readNow(position = 0, length?: number): Buffer | null {
    this.#alive();
    return this.#slot ? this.#fromSlot(this.#slot, position, length) : null;
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#slot) {
      this.#slabs?.free(this.#slot);
      this.#slot = null;
    } else await closeAsync(this.#fd);
  }

  #fromSlot({ slab, offset }: SlabSlot, position: number, length: number | undefined): Buffer {
    const size = this.#sealedSize ?? 0;
    const start = Math.min(Math.max(position, 0), size);
    const end = Math.min(start + (length ?? size - start), size);
    return Buffer.from(slab.view.subarray(offset + start, offset + end));
  }

  #alive(): void {
    if (this.#disposed) throw new PackIceError('NOT_FOUND', `${this.#label} was deleted`);
  }
}
