import type { Blob, BlobHandle, BlobStore, RecoveredObject } from '../blob';
import { PackIceError } from '../errors';
import type { Access, ObjectInfo } from '../model';

/** Options of {@link createBufferBlobStore}. */
export interface BufferBlobStoreOptions {
  /** Objects to hand back from `open()`, as a storage that survived a restart would. */
  recovered?: RecoveredObject[];
  /** Refuse size hints above this many bytes with `OUT_OF_CAPACITY`. */
  maxHintBytes?: number;
  /** Report this `allocationUnit` (as a page- or block-based storage would). */
  allocationUnit?: number;
}

/** A reference in-process storage on Buffers, for tests of the Peer and of the shared suite. */
export interface BufferBlobStore extends BlobStore {
  /** Objects committed (sealed), by id. */
  readonly committed: ReadonlyMap<string, ObjectInfo<Blob>>;
  /** Blobs alive (made, not disposed). */
  readonly liveBlobs: number;
}

class BufferBlob implements Blob {
  #data: Buffer;
  #length: number;
  #sealed = false;
  #disposed = false;

  constructor(
    readonly index: number,
    hint: number,
    private readonly onDispose: () => void,
  ) {
    this.#data = Buffer.alloc(hint);
    this.#length = hint;
  }

  get size(): number {
    return this.#length;
  }

  get sealed(): boolean {
    return this.#sealed;
  }

  async read(position = 0, length?: number): Promise<Buffer> {
    this.#alive();
    const end = length === undefined ? this.#length : Math.min(this.#length, position + length);
    return Buffer.from(this.#data.subarray(Math.min(position, end), end));
  }

  async write(data: Uint8Array, position = this.#length): Promise<number> {
    this.#alive();
    if (this.#sealed) throw new PackIceError('ALREADY_SEALED', 'the blob is sealed');
    const end = position + data.byteLength;
    if (end > this.#data.length) {
      const grown = Buffer.alloc(Math.max(end, this.#data.length * 2));
      this.#data.copy(grown, 0, 0, this.#length);
      this.#data = grown;
    }
    this.#data.set(data, position);
    this.#length = Math.max(this.#length, end);
    return data.byteLength;
  }

  async truncate(length: number): Promise<void> {
    this.#alive();
    if (this.#sealed) throw new PackIceError('ALREADY_SEALED', 'the blob is sealed');
    if (length > this.#data.length) {
      const grown = Buffer.alloc(length);
      this.#data.copy(grown, 0, 0, this.#length);
      this.#data = grown;
    } else {
      this.#data.fill(0, length, this.#length);
    }
    this.#length = length;
  }

  async seal(): Promise<void> {
    this.#alive();
    this.#sealed = true;
  }

  handle(access: Access): BlobHandle {
    this.#alive();
    if (access === 'read' && !this.#sealed) throw new PackIceError('NOT_SEALED', 'read handles exist only once sealed');
    return { kind: 'in-process' };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.onDispose();
  }

  #alive(): void {
    if (this.#disposed) throw new PackIceError('NOT_FOUND', 'the blob was disposed');
  }
}

/** Makes a {@link BufferBlobStore}. */
export function createBufferBlobStore(options: BufferBlobStoreOptions = {}): BufferBlobStore {
  const committed = new Map<string, ObjectInfo<Blob>>();
  let live = 0;
  let closed = false;
  const open = (): void => {
    if (closed) throw new PackIceError('SHUTTING_DOWN', 'the storage is closed');
  };
  return {
    name: 'buffer',
    allocationUnit: options.allocationUnit,
    committed,
    get liveBlobs() {
      return live;
    },
    async open() {
      return options.recovered ?? [];
    },
    async createBlobs(_objectId, hints, contents) {
      open();
      const total = hints.reduce<number>((n, h) => n + (h ?? 0), 0);
      if (options.maxHintBytes !== undefined && total > options.maxHintBytes) {
        throw new PackIceError('OUT_OF_CAPACITY', `${total} bytes exceed ${options.maxHintBytes}`);
      }
      live += hints.length;
      const blobs = hints.map((h, i) => new BufferBlob(i, h ?? 0, () => live--));
      for (const [i, data] of (contents ?? []).entries()) if (data) await blobs[i].write(data, 0);
      return blobs;
    },
    async commit(object) {
      open();
      committed.set(object.objectId, object);
    },
    async remove(objectId, blobs) {
      committed.delete(objectId);
      await Promise.all(blobs.map((b) => b.dispose()));
    },
    async close() {
      closed = true;
    },
  };
}
