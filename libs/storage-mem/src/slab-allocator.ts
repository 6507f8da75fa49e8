import { PackIceError } from '@packice/core';
import { closeQuietly, fallocate, mapFd, memfdCreate } from '@packice/native';

/** One slot of a slab: where a small object's bytes live. */
export interface SlabSlot {
  readonly slab: Slab;
  readonly offset: number;
  /** The slot's size class in bytes (what the object holds in storage). */
  readonly capacity: number;
}

/** A node-owned memfd cut into slots of one size class, mapped writable in this process only. */
export class Slab {
  readonly fd: number;
  readonly view: Buffer;
  readonly #free: number[] = [];
  #used = 0;

  constructor(
    readonly classBytes: number,
    readonly bytes: number,
  ) {
    this.fd = memfdCreate(`packice:slab:${classBytes}`);
    try {
      // Preallocated whole: running out of memory is an error here, not a SIGBUS later. The
      // pages exist then, so mapping them all now costs one call instead of a fault per page
      // on the first small objects' writes (a quarter of a 1 KiB put's page faults).
      fallocate(this.fd, 0, bytes);
      this.view = mapFd(this.fd, bytes, { mode: 'write', populate: true });
    } catch (err) {
      closeQuietly(this.fd);
      throw err;
    }
    for (let offset = bytes - classBytes; offset >= 0; offset -= classBytes) this.#free.push(offset);
  }

  get used(): number {
    return this.#used;
  }

  get full(): boolean {
    return this.#free.length === 0;
  }

  take(): number {
    const offset = this.#free.pop() as number;
    this.#used++;
    return offset;
  }

  give(offset: number): void {
    this.#free.push(offset);
    this.#used--;
  }

  close(): void {
    // The mapping goes when the view is collected; the descriptor goes now.
    closeQuietly(this.fd);
  }
}

/** Options of {@link SlabAllocator}. */
export interface SlabAllocatorOptions {
  /** Largest object kept in slabs (bytes); larger ones get a memfd of their own. */
  maxObjectBytes: number;
  /** Bytes of each slab (a multiple of the largest class). */
  slabBytes: number;
  /** Asked before a new slab is made: throws `OUT_OF_CAPACITY` when its bytes do not fit the budget. */
  reserve(bytes: number): void;
  /** Told when a slab's bytes are given back. */
  release(bytes: number): void;
}

const MIN_CLASS = 64; // bytes: the smallest slot

/**
 * Small objects' memory: slabs per power-of-two size class (64 B up to `maxObjectBytes`), each a
 * memfd whose descriptor never leaves the node (a read-only descriptor of an unsealed memfd can be
 * reopened writable through /proc). A slot is reused once freed, which the storage does only when
 * its object is gone and no lease holds it; a slab whose slots are all free is dropped, so its
 * memory returns, unless it is its class's last.
 */
export class SlabAllocator {
  readonly #options: SlabAllocatorOptions;
  readonly #classes = new Map<number, Slab[]>();
  #slabs = 0;
  #slabBytes = 0;
  #slotBytes = 0;

  constructor(options: SlabAllocatorOptions) {
    this.#options = options;
  }

  get maxObjectBytes(): number {
    return this.#options.maxObjectBytes;
  }

  /** Slabs alive (each holds one descriptor). */
  get slabs(): number {
    return this.#slabs;
  }

  /** Bytes of slab slots not in use. */
  get freeBytes(): number {
    return this.#slabBytes - this.#slotBytes;
  }

  /** The size class of an object of `size` bytes. */
  classFor(size: number): number {
    let bytes = MIN_CLASS;
    while (bytes < size) bytes *= 2;
    return bytes;
  }

  /** Stores `data` in a new slot; `OUT_OF_CAPACITY` when a new slab does not fit the budget. */
  store(data: Uint8Array): SlabSlot {
    if (data.byteLength > this.#options.maxObjectBytes) {
      throw new PackIceError('INTERNAL', `${data.byteLength} bytes are more than a slab slot holds`);
    }
    const classBytes = this.classFor(data.byteLength);
    const slab = this.#slabWithRoom(classBytes);
    const offset = slab.take();
    this.#slotBytes += classBytes;
    slab.view.set(data, offset);
    return { slab, offset, capacity: classBytes };
  }

  /** Frees a slot for reuse. */
  free(slot: SlabSlot): void {
    const { slab, offset, capacity } = slot;
    slab.give(offset);
    this.#slotBytes -= capacity;
    const list = this.#classes.get(slab.classBytes) ?? [];
    if (slab.used === 0 && list.length > 1) {
      list.splice(list.indexOf(slab), 1);
      this.#drop(slab);
    }
  }

  /** Drops every slab. */
  close(): void {
    for (const list of this.#classes.values()) for (const slab of list.splice(0)) this.#drop(slab);
    this.#classes.clear();
    this.#slotBytes = 0;
  }

  #slabWithRoom(classBytes: number): Slab {
    let list = this.#classes.get(classBytes);
    if (!list) this.#classes.set(classBytes, (list = []));
    for (let i = list.length - 1; i >= 0; i--) if (!list[i].full) return list[i];
    const bytes = Math.max(this.#options.slabBytes, classBytes);
    this.#options.reserve(bytes);
    let slab: Slab;
    try {
      slab = new Slab(classBytes, bytes);
    } catch (err) {
      this.#options.release(bytes);
      throw err;
    }
    list.push(slab);
    this.#slabs++;
    this.#slabBytes += bytes;
    return slab;
  }

  #drop(slab: Slab): void {
    slab.close();
    this.#slabs--;
    this.#slabBytes -= slab.bytes;
    this.#options.release(slab.bytes);
  }
}
