import type { Access, Blob, BlobHandle } from '@packice/core';
import { PackIceError } from '@packice/core';
import type { SlabAllocator, SlabSlot } from './slab-allocator';

/**
 * A small blob in a slot of a node-owned slab: created with its final bytes (a create that carries
 * them and seals in the same step), read by copying from the node's own mapping. It has no
 * descriptor to hand out: its handle is `in-process`, and transports send its bytes (or a sealed
 * memfd copy). The node alone writes slabs, and this blob refuses writes once sealed, so its bytes
 * never change; the slot is freed only at dispose (object gone, no lease on it).
 */
export class SlabBlob implements Blob {
  // A node may hold 100,000s of these: the slot's fields sit here (no object of their own) and the
  // label for errors is built only when one is thrown.
  #slab: SlabSlot['slab'] | null;
  readonly #offset: number;
  readonly #capacity: number;
  #size: number;
  #sealed = false;
  readonly #slabs: SlabAllocator;
  readonly #objectId: string;

  constructor(slabs: SlabAllocator, slot: SlabSlot, size: number, index: number, objectId: string) {
    this.#slabs = slabs;
    this.#slab = slot.slab;
    this.#offset = slot.offset;
    this.#capacity = slot.capacity;
    this.#size = size;
    this.index = index;
    this.#objectId = objectId;
  }

  get #label(): string {
    return `object ${this.#objectId} blob ${this.index}`;
  }

  readonly index: number;

  get size(): number {
    return this.#size;
  }

  get sealed(): boolean {
    return this.#sealed;
  }

  /** False once disposed (its slot is free). */
  get live(): boolean {
    return this.#slab !== null;
  }

  get heldBytes(): number {
    return this.#capacity;
  }

  async read(position = 0, length?: number): Promise<Buffer> {
    return this.readNow(position, length);
  }

  /** A copy of the bytes, at once (no I/O: the slab is mapped in this process). */
  readNow(position = 0, length?: number): Buffer {
    const { slab, offset } = this.#live();
    const start = Math.min(Math.max(position, 0), this.#size);
    const end = Math.min(start + (length ?? this.#size - start), this.#size);
    return Buffer.from(slab.view.subarray(offset + start, offset + end));
  }

  async write(data: Uint8Array, position?: number): Promise<number> {
    const { slab, offset, capacity } = this.#live();
    if (this.#sealed) throw new PackIceError('ALREADY_SEALED', `${this.#label} is sealed`);
    const at = position ?? this.#size;
    if (at + data.byteLength > capacity) {
      throw new PackIceError(
        'BAD_REQUEST',
        `${this.#label} was created with its bytes and cannot grow past ${capacity}`,
      );
    }
    slab.view.set(data, offset + at);
    this.#size = Math.max(this.#size, at + data.byteLength);
    return data.byteLength;
  }

  async truncate(length: number): Promise<void> {
    const { slab, offset, capacity } = this.#live();
    if (this.#sealed) throw new PackIceError('ALREADY_SEALED', `${this.#label} is sealed`);
    if (length > capacity) throw new PackIceError('BAD_REQUEST', `${this.#label} cannot grow past ${capacity}`);
    if (length > this.#size) slab.view.fill(0, offset + this.#size, offset + length);
    this.#size = length;
  }

  async seal(): Promise<void> {
    this.#live();
    this.#sealed = true;
  }

  handle(access: Access): BlobHandle {
    this.#live();
    if (!this.#sealed && access === 'read') throw new PackIceError('NOT_SEALED', `${this.#label} is not sealed`);
    return { kind: 'in-process' };
  }

  async dispose(): Promise<void> {
    if (!this.#slab) return;
    this.#slabs.free({ slab: this.#slab, offset: this.#offset, capacity: this.#capacity });
    this.#slab = null;
  }

  #live(): SlabSlot {
    if (!this.#slab) throw new PackIceError('NOT_FOUND', `${this.#label} was deleted`);
    return { slab: this.#slab, offset: this.#offset, capacity: this.#capacity };
  }
}
