import type { Blob, BlobStore } from '@packice/core';
import { fromSystemError, PackIceError } from '@packice/core';
import { fallocate, getFileLimit, isSupported, memfdCreate, openDescriptorCount, pageSize } from '@packice/native';
import { Volume } from 'memfs';
import { closeSync } from 'node:fs';
import { totalmem } from 'node:os';
import { MemfdBlob } from './memfd-blob';
import { MemfsBlob } from './memfs-blob';
import { SlabAllocator } from './slab-allocator';
import { SlabBlob } from './slab-blob';

/** Options of {@link createMemStorage}. */
export interface MemStorageOptions {
  /**
   * `memfd` (kernel-sealed, descriptors passable to other processes), `memfs` (in-process only,
   * for platforms without memfd), or `auto` (default): memfd where supported.
   */
  backend?: 'auto' | 'memfd' | 'memfs';
  /**
   * Most bytes of size hints preallocated at once. A hint beyond it is `OUT_OF_CAPACITY` before
   * anything is allocated: `fallocate` on a memfd never fails for lack of memory, it gets the
   * process OOM-killed. Default: half of the machine's memory.
   */
  budgetBytes?: number;
  /**
   * Descriptors kept free for everything but new blobs (accepting clients, passing descriptors in
   * answers, files): a create that would eat into them is `OUT_OF_CAPACITY`, naming the limit.
   */
  descriptorReserve?: number;
  /**
   * Objects whose blobs are this small or smaller (bytes) share slab memfds, many to a descriptor,
   * instead of a memfd each (memfd backend only); 0 turns slabs off. Their bytes are kept immutable
   * by the node, not by kernel seals, and reach other processes as copies (docs/storage.md).
   * Default 4 KiB: where a read cycle of an object carried inline in the answer stops beating one
   * passed as a descriptor and mapped (measured: 5,558 vs 5,172/s at 1 KiB, 3,827 vs 5,023/s at
   * 16 KiB, 2,114 vs 5,090/s at 64 KiB; docs/storage.md).
   */
  smallObjectMaxBytes?: number;
  /** Bytes of each slab memfd. */
  slabBytes?: number;
}

/** Defaults of {@link MemStorageOptions}. */
export const MEM_STORAGE_DEFAULTS = Object.freeze({
  backend: 'auto' as const,
  budgetBytes: (): number => Math.floor(totalmem() / 2), // half of MemTotal
  descriptorReserve: 64,
  smallObjectMaxBytes: 4 * 1024,
  slabBytes: 4 * 2 ** 20, // 4 MiB
});

/** The memory storage: a BlobStore that also tells how much of its budget is used. */
export interface MemStorage extends BlobStore {
  /** `memfd` or `memfs`, as chosen. */
  readonly backend: 'memfd' | 'memfs';
  readonly budgetBytes: number;
  /** Bytes of size hints currently preallocated, in whole pages (memfd). */
  readonly allocatedBytes: number;
  /** Blobs alive (made and not removed). */
  readonly liveBlobs: number;
  /** Slab memfds alive (0 with slabs off). */
  readonly slabs: number;
  /** Bytes of slab slots not in use (slab memory reused by the next small objects). */
  readonly slabFreeBytes: number;
}

/**
 * Makes a memory storage. Objects live as long as the process: `open()` recovers nothing, and
 * `close()` frees every blob.
 */
export function createMemStorage(options: MemStorageOptions = {}): MemStorage {
  const requested = options.backend ?? MEM_STORAGE_DEFAULTS.backend;
  if (!['auto', 'memfd', 'memfs'].includes(requested)) {
    throw new PackIceError('BAD_REQUEST', `backend must be auto, memfd or memfs, not ${String(requested)}`);
  }
  const budgetBytes = options.budgetBytes ?? MEM_STORAGE_DEFAULTS.budgetBytes();
  if (!Number.isSafeInteger(budgetBytes) || budgetBytes <= 0) {
    throw new PackIceError('BAD_REQUEST', 'budgetBytes must be a positive integer');
  }
  const backend = requested === 'auto' ? (isSupported() ? 'memfd' : 'memfs') : requested;
  if (backend === 'memfd' && !isSupported()) {
    throw new PackIceError(
      'INTERNAL',
      'memfd is not available on this platform; use backend "memfs" (in-process only)',
    );
  }
  const descriptorReserve = options.descriptorReserve ?? MEM_STORAGE_DEFAULTS.descriptorReserve;
  if (!Number.isSafeInteger(descriptorReserve) || descriptorReserve < 0) {
    throw new PackIceError('BAD_REQUEST', 'descriptorReserve must be a non-negative integer');
  }
  const smallMax = options.smallObjectMaxBytes ?? MEM_STORAGE_DEFAULTS.smallObjectMaxBytes;
  const slabBytes = options.slabBytes ?? MEM_STORAGE_DEFAULTS.slabBytes;
  if (!Number.isSafeInteger(smallMax) || smallMax < 0 || !Number.isSafeInteger(slabBytes) || slabBytes < smallMax) {
    throw new PackIceError(
      'BAD_REQUEST',
      'smallObjectMaxBytes must be a non-negative integer no larger than slabBytes',
    );
  }
  const volume = backend === 'memfs' ? new Volume() : null;
  const unit = volume ? undefined : pageSize();
  const pages = (bytes: number): number => (unit ? Math.max(1, Math.ceil(bytes / unit)) * unit : bytes);
  // Preallocated pages per memfd blob. Slab blobs are only counted: a node may hold 100,000s, and
  // a map entry each would cost more than their bookkeeping needs.
  const hints = new Map<Blob, number>();
  let slabBlobs = 0;
  let allocated = 0;
  // Descriptors held by blobs (a memfd each; none for blobs in slabs).
  let descriptors = 0;
  let closed = false;
  const slabs =
    volume || smallMax === 0
      ? null
      : new SlabAllocator({
          maxObjectBytes: smallMax,
          slabBytes,
          reserve(bytes) {
            checkDescriptors(1);
            if (allocated + bytes > budgetBytes) {
              throw new PackIceError(
                'OUT_OF_CAPACITY',
                `a new ${bytes}-byte slab exceeds the memory budget (${allocated} of ${budgetBytes} bytes preallocated)`,
              );
            }
            allocated += bytes;
          },
          release(bytes) {
            allocated -= bytes;
          },
        });

  const makeMemfdBlob = (objectId: string, index: number, hint: number): Blob => {
    const label = `object ${objectId} blob ${index}`;
    const fd = memfdCreate(`packice:${objectId}:${index}`);
    try {
      fallocate(fd, 0, hint);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    descriptors++;
    const blob: MemfdBlob = new MemfdBlob(fd, index, label, slabs ?? undefined, () => {
      // Moved into a slab at seal: its memfd and its preallocated pages are gone.
      descriptors--;
      allocated -= hints.get(blob) ?? 0;
      hints.set(blob, 0);
    });
    return blob;
  };

  const makeMemfsBlob = (vol: Volume, objectId: string, index: number, hint: number): Blob => {
    const dir = `/${objectId}`;
    vol.mkdirSync(dir, { recursive: true });
    vol.writeFileSync(`${dir}/${index}`, Buffer.alloc(hint));
    return new MemfsBlob(vol, `${dir}/${index}`, index);
  };

  // Each memfd blob holds one descriptor. Counting /proc/self/fd costs a directory read, so it is
  // done only once the blobs alone come near the limit.
  const checkDescriptors = (count: number): void => {
    if (volume || count === 0) return; // slab objects need no descriptor (a new slab asks for its own)
    const limit = getFileLimit().soft;
    if (descriptors + (slabs?.slabs ?? 0) + count + 2 * descriptorReserve < limit) return;
    const inUse = openDescriptorCount();
    if (inUse + count + descriptorReserve > limit) {
      throw new PackIceError(
        'OUT_OF_CAPACITY',
        `no descriptors left for new objects: ${inUse} of the process's descriptor limit (RLIMIT_NOFILE) ${limit} are open ` +
          `and ${descriptorReserve} are kept for clients; delete objects or raise the limit`,
        { details: { errno: 'EMFILE', fdsInUse: inUse, fdsLimit: limit } },
      );
    }
  };

  const forget = async (blob: Blob): Promise<void> => {
    if (blob instanceof SlabBlob) {
      if (!blob.live) return;
      slabBlobs--;
      return blob.dispose();
    }
    const hint = hints.get(blob);
    if (hint === undefined) return;
    hints.delete(blob);
    allocated -= hint;
    if (blob instanceof MemfdBlob && !blob.inSlab) descriptors--;
    await blob.dispose();
  };

  return {
    name: 'mem',
    allocationUnit: unit,
    backend,
    budgetBytes,
    get allocatedBytes() {
      return allocated;
    },
    get liveBlobs() {
      return hints.size + slabBlobs;
    },
    get slabs() {
      return slabs?.slabs ?? 0;
    },
    get slabFreeBytes() {
      return slabs?.freeBytes ?? 0;
    },
    get spareBytes() {
      return slabs ? slabs.freeBytes : undefined;
    },
    async open() {
      return [];
    },
    async createBlobs(objectId, sizeHints, contents) {
      if (closed) throw new PackIceError('SHUTTING_DOWN', 'the storage is closed');
      // Blobs that come with their bytes and fit a slot go straight into a slab: no descriptor.
      const inSlab = (i: number): boolean => {
        const data = contents?.[i];
        return slabs !== null && data !== undefined && data.byteLength <= smallMax;
      };
      checkDescriptors(sizeHints.filter((_h, i) => !inSlab(i)).length);
      const need = sizeHints.reduce<number>((n, h, i) => n + (inSlab(i) ? 0 : pages(h ?? 0)), 0);
      if (allocated + need > budgetBytes) {
        throw new PackIceError(
          'OUT_OF_CAPACITY',
          `size hints of ${need} bytes exceed the memory budget (${allocated} of ${budgetBytes} bytes preallocated)`,
        );
      }
      allocated += need;
      const made: Blob[] = [];
      try {
        for (const [index, hint] of sizeHints.entries()) {
          const data = contents?.[index];
          if (slabs && data && inSlab(index)) {
            const blob = new SlabBlob(slabs, slabs.store(data), data.byteLength, index, objectId);
            made.push(blob);
            slabBlobs++;
            continue;
          }
          const blob = volume
            ? makeMemfsBlob(volume, objectId, index, hint ?? 0)
            : makeMemfdBlob(objectId, index, hint ?? 0);
          made.push(blob);
          hints.set(blob, pages(hint ?? 0));
          if (data) await blob.write(data, 0);
        }
      } catch (err) {
        allocated -= need - made.reduce((n, b) => n + (b instanceof SlabBlob ? 0 : (hints.get(b) ?? 0)), 0);
        await Promise.all(made.map(forget));
        throw fromSystemError(err, `creating object ${objectId}`);
      }
      return made;
    },
    async commit() {
      // Nothing to persist: memory objects live as long as the process.
    },
    async remove(objectId, blobs) {
      await Promise.all(blobs.map(forget));
      volume?.rmSync(`/${objectId}`, { recursive: true, force: true });
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...hints.keys()].map(forget));
      slabs?.close(); // every slab blob's slot with it
      slabBlobs = 0;
    },
  };
}
