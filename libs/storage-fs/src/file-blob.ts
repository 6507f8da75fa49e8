import type { Access, Blob, BlobHandle } from '@packice/core';
import { PackIceError } from '@packice/core';
import { chmod, open, stat, type FileHandle } from 'node:fs/promises';
import { statSync } from 'node:fs';

/**
 * A blob stored as a file; its handle is the file's absolute path. While creating, the blob
 * keeps a read-write handle open; sealing flushes it to disk, closes it and makes the file
 * read-only (0444). Immutability rests on file permissions, not on kernel seals.
 */
export class FileBlob implements Blob {
  #file: FileHandle | null;
  #sealed: boolean;
  #disposed = false;

  /**
   * @param path the blob file's absolute path
   * @param file an open read-write handle while creating; `null` for a sealed (recovered) blob
   */
  constructor(
    readonly path: string,
    readonly index: number,
    file: FileHandle | null,
  ) {
    this.#file = file;
    this.#sealed = file === null;
  }

  get size(): number {
    this.#alive();
    return statSync(this.path).size;
  }

  get sealed(): boolean {
    return this.#sealed;
  }

  async read(position = 0, length?: number): Promise<Buffer> {
    this.#alive();
    const file = await open(this.path, 'r');
    try {
      const size = (await file.stat()).size;
      const want = Math.max(Math.min(length ?? size, size - position), 0);
      const buffer = Buffer.allocUnsafe(want);
      let done = 0;
      while (done < want) {
        const { bytesRead } = await file.read(buffer, done, want - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buffer.subarray(0, done);
    } finally {
      await file.close();
    }
  }

  async write(data: Uint8Array, position?: number): Promise<number> {
    this.#alive();
    if (this.#sealed || !this.#file) throw new PackIceError('ALREADY_SEALED', `${this.path} is sealed`);
    const at = position ?? (await this.#file.stat()).size;
    let done = 0;
    while (done < data.byteLength) {
      const { bytesWritten } = await this.#file.write(data, done, data.byteLength - done, at + done);
      done += bytesWritten;
    }
    return done;
  }

  async truncate(length: number): Promise<void> {
    this.#alive();
    if (this.#sealed || !this.#file) throw new PackIceError('ALREADY_SEALED', `${this.path} is sealed`);
    await this.#file.truncate(length);
  }

  async seal(): Promise<void> {
    this.#alive();
    if (this.#sealed) return;
    const file = this.#file as FileHandle;
    await file.sync();
    await chmod(this.path, 0o444);
    await file.close();
    this.#file = null;
    this.#sealed = true;
  }

  handle(access: Access): BlobHandle {
    this.#alive();
    if (access === 'read' && !this.#sealed) throw new PackIceError('NOT_SEALED', `${this.path} is not sealed`);
    return { kind: 'path', path: this.path };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    const file = this.#file;
    this.#file = null;
    await file?.close();
  }

  /** The file's size on disk now (for recovery checks). */
  static async sizeOf(path: string): Promise<number | null> {
    try {
      return (await stat(path)).size;
    } catch {
      return null;
    }
  }

  #alive(): void {
    if (this.#disposed) throw new PackIceError('NOT_FOUND', `${this.path} was deleted`);
  }
}
