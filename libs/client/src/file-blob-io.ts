import type { CallOptions } from '@packice/protocol';
import { fromSystemError, PackIceError } from '@packice/core';
import { closeQuietly, ftruncate, isNativeError, mapFd } from '@packice/native';
import { fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import type { BlobIo, WritableView } from './blob-io';
import type { BlobFile } from './stream-blob-file';

/** A blob that opens as a file: a descriptor this process received (through /proc/self/fd), or a path. */
export class FileBlobIo implements BlobIo {
  readonly #path: string;
  readonly #ownedFd: number | null;

  /** @param ownedFd a received descriptor this access owns and closes; `null` for a plain path */
  constructor(path: string, ownedFd: number | null = null) {
    this.#path = path;
    this.#ownedFd = ownedFd;
  }

  /** For a descriptor this process owns. */
  static ofDescriptor(fd: number): FileBlobIo {
    return new FileBlobIo(`/proc/self/fd/${fd}`, fd);
  }

  async read(): Promise<Buffer> {
    return this.#withFd('r', readAll);
  }

  async write(bytes: Uint8Array): Promise<number> {
    return this.#withFd('r+', (fd) => {
      let done = 0;
      while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done, done);
      ftruncate(fd, done);
      return done;
    });
  }

  async map(_options?: CallOptions, size?: number): Promise<Buffer> {
    try {
      // The mapping outlives the descriptor, so the lease's own serves (no open and close per map).
      return this.#withFd('r', (fd) => mapFd(fd, size ?? fstatSync(fd).size));
    } catch (err) {
      // Electron's V8 memory cage forbids external buffers, and a process with too many views
      // not yet collected may map no more for now (ENOMEM): a copy is what can be had then.
      if (isNativeError(err, 'EOPNOTSUPP') || isNativeError(err, 'ENOMEM')) return this.read();
      throw err;
    }
  }

  async open(mode: 'r' | 'r+' | 'w'): Promise<BlobFile> {
    try {
      // Node's FileHandle has every member of BlobFile (and more).
      return (await openFile(this.#path, mode)) as unknown as BlobFile;
    } catch (err) {
      throw fromSystemError(err, `cannot open blob for '${mode}'`);
    }
  }

  mapWritable(): WritableView {
    return this.#withFd(
      'r+',
      (fd) => {
        const size = fstatSync(fd).size;
        if (size === 0) {
          throw new PackIceError('BAD_REQUEST', 'mapWritable needs a blob with a size hint, e.g. blobs: [{ size: N }]');
        }
        let view: Buffer;
        try {
          view = mapFd(fd, size, { mode: 'write' });
        } catch (err) {
          throw fromSystemError(err, 'cannot map the blob writable');
        }
        return { view, freezeFd: openSync(this.#path, 'r') };
      },
      true,
    );
  }

  close(): void {
    if (this.#ownedFd !== null) closeQuietly(this.#ownedFd);
  }

  // Uses the owned descriptor for plain reads and writes; anything else opens its own.
  #withFd<T>(mode: 'r' | 'r+', fn: (fd: number) => T, fresh = false): T {
    if (this.#ownedFd !== null && !fresh) return this.#run(this.#ownedFd, fn);
    let fd: number;
    try {
      fd = openSync(this.#path, mode);
    } catch (err) {
      throw fromSystemError(err, `cannot open blob for '${mode}'`);
    }
    try {
      return this.#run(fd, fn);
    } finally {
      closeQuietly(fd);
    }
  }

  #run<T>(fd: number, fn: (fd: number) => T): T {
    try {
      return fn(fd);
    } catch (err) {
      if (isNativeError(err, 'EOPNOTSUPP') || isNativeError(err, 'ENOMEM')) throw err;
      throw fromSystemError(err, 'blob access failed');
    }
  }
}

function readAll(fd: number): Buffer {
  const size = fstatSync(fd).size;
  const buffer = Buffer.allocUnsafe(size);
  let done = 0;
  while (done < size) {
    const n = readSync(fd, buffer, done, size - done, done);
    if (n === 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}
