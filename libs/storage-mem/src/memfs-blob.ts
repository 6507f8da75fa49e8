import type { Access, Blob, BlobHandle } from '@packice/core';
import { PackIceError } from '@packice/core';
import type { Volume } from 'memfs';

/**
 * A blob in an in-process memfs volume: the fallback where memfd is missing (macOS, Windows).
 * Its handle is `in-process`: only clients in the same process (memory:// and private peers)
 * can use it. Sealing is enforced by this class, not by a kernel.
 */
export class MemfsBlob implements Blob {
  #sealed = false;
  #disposed = false;

  constructor(
    private readonly volume: Volume,
    private readonly path: string,
    readonly index: number,
  ) {}

  get size(): number {
    this.#alive();
    return this.volume.statSync(this.path).size;
  }

  get sealed(): boolean {
    return this.#sealed;
  }

  async read(position = 0, length?: number): Promise<Buffer> {
    this.#alive();
    const data = this.volume.readFileSync(this.path) as Buffer;
    const end = length === undefined ? data.length : Math.min(data.length, position + length);
    return Buffer.from(data.subarray(Math.min(position, end), end));
  }

  async write(data: Uint8Array, position?: number): Promise<number> {
    this.#alive();
    if (this.#sealed) throw new PackIceError('ALREADY_SEALED', `${this.path} is sealed`);
    const fd = this.volume.openSync(this.path, 'r+');
    try {
      return this.volume.writeSync(fd, data, 0, data.byteLength, position ?? this.size);
    } finally {
      this.volume.closeSync(fd);
    }
  }

  async truncate(length: number): Promise<void> {
    this.#alive();
    if (this.#sealed) throw new PackIceError('ALREADY_SEALED', `${this.path} is sealed`);
    this.volume.truncateSync(this.path, length);
  }

  async seal(): Promise<void> {
    this.#alive();
    this.#sealed = true;
    this.volume.chmodSync(this.path, 0o444);
  }

  handle(access: Access): BlobHandle {
    this.#alive();
    if (access === 'read' && !this.#sealed) throw new PackIceError('NOT_SEALED', `${this.path} is not sealed`);
    return { kind: 'in-process' };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.volume.rmSync(this.path, { force: true });
  }

  #alive(): void {
    if (this.#disposed) throw new PackIceError('NOT_FOUND', `${this.path} was deleted`);
  }
}
