import type { Blob, BlobStore, RecoveredObject } from '@packice/core';
import { assertObjectId, fromSystemError, isValidObjectId, PackIceError } from '@packice/core';
import { fallocate } from '@packice/native';
import { statfsSync } from 'node:fs';
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { FileBlob } from './file-blob';
import { META_FILE, readObjectMeta, writeObjectMeta } from './object-meta';

/** Options of {@link createFsStorage}. */
export interface FsStorageOptions {
  /** The directory that holds the objects (made if missing). */
  root: string;
  /** Mode of the directories made (default 0o700: only the node's user). */
  dirMode?: number;
  /**
   * Several nodes share the directory (scale-out): `open()` leaves unsealed objects alone (another
   * node may be writing them; the cluster aborts those of dead nodes), and `load()` takes in
   * objects other nodes sealed.
   */
  shared?: boolean;
}

/** The file-system storage: a BlobStore with its root. */
export interface FsStorage extends BlobStore {
  /** Absolute root directory. */
  readonly root: string;
  /** Where objects live: `<root>/objects/<object_id>/<blob index>` plus `meta.json`. */
  readonly objectsDir: string;
}

/**
 * Makes a file-system storage under `root`. `open()` brings back every sealed object (those
 * with a valid `meta.json` and blob files of the recorded sizes) and removes half-written ones,
 * so a node restarted on the same directory serves every object sealed before it stopped.
 */
export function createFsStorage(options: FsStorageOptions): FsStorage {
  if (typeof options?.root !== 'string' || options.root.length === 0) {
    throw new PackIceError('BAD_REQUEST', 'createFsStorage needs { root }: a directory');
  }
  const root = resolve(options.root);
  const objectsDir = join(root, 'objects');
  const dirMode = options.dirMode ?? 0o700;
  const live = new Set<FileBlob>();
  let closed = false;

  /** The object's directory; the id rule is checked again so no id can escape the root. */
  const dirOf = (objectId: string): string => {
    assertObjectId(objectId);
    const dir = join(objectsDir, objectId);
    const rel = relative(objectsDir, dir);
    if (rel !== objectId || rel.includes(sep) || isAbsolute(rel)) {
      throw new PackIceError('INVALID_ID', `object id ${objectId} does not name a directory under ${objectsDir}`);
    }
    return dir;
  };

  const recover = async (objectId: string): Promise<RecoveredObject | null> => {
    const dir = dirOf(objectId);
    const stored = await readObjectMeta(dir, objectId);
    if (!stored) return null;
    const blobs: FileBlob[] = [];
    for (const [index, size] of stored.sizes.entries()) {
      const path = join(dir, String(index));
      if ((await FileBlob.sizeOf(path)) !== size) return null;
      blobs.push(new FileBlob(path, index, null));
    }
    blobs.forEach((b) => live.add(b));
    const { meta, createdAt, sealedAt } = stored;
    const size = stored.sizes.reduce((a, b) => a + b, 0);
    return { info: { objectId, state: 'sealed', size, meta, createdAt, sealedAt }, blobs };
  };

  let blockSize: number | undefined;

  return {
    name: 'fs',
    root,
    objectsDir,
    /** The file system's block size: what a file allocates at a time (known once open). */
    get allocationUnit() {
      return blockSize;
    },

    async open() {
      await mkdir(objectsDir, { recursive: true, mode: dirMode });
      blockSize = statfsSync(objectsDir).bsize;
      const recovered: RecoveredObject[] = [];
      for (const entry of await readdir(objectsDir, { withFileTypes: true })) {
        const objectId = entry.name;
        if (!entry.isDirectory() || !isValidObjectId(objectId)) {
          process.emitWarning(`PackIce fs storage: ignoring ${join(objectsDir, objectId)}: not an object directory`);
          continue;
        }
        const object = await recover(objectId);
        if (object) {
          recovered.push(object);
        } else if (await readObjectMeta(dirOf(objectId), objectId)) {
          // Sealed once, but its blob files do not match: keep the bytes for a human, do not serve them.
          process.emitWarning(`PackIce fs storage: object ${objectId} has blob files of the wrong size; not served`);
        } else if (!options.shared) {
          await rm(dirOf(objectId), { recursive: true, force: true });
        }
      }
      return recovered;
    },

    async createBlobs(objectId, sizeHints, contents) {
      if (closed) throw new PackIceError('SHUTTING_DOWN', 'the storage is closed');
      const dir = dirOf(objectId);
      const need = sizeHints.reduce<number>((n, h) => n + (h ?? 0), 0);
      const { bavail, bsize } = statfsSync(objectsDir);
      if (need > bavail * bsize) {
        throw new PackIceError(
          'OUT_OF_CAPACITY',
          `size hints of ${need} bytes exceed the ${bavail * bsize} bytes free in ${objectsDir}`,
        );
      }
      try {
        await mkdir(dir, { mode: dirMode });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new PackIceError('ALREADY_EXISTS', `${dir} already exists on disk`, { cause: err });
        }
        throw new PackIceError('INTERNAL', `cannot make ${dir}: ${String(err)}`, { cause: err });
      }
      const made: FileBlob[] = [];
      try {
        for (const [index, hint] of sizeHints.entries()) {
          const path = join(dir, String(index));
          const file: FileHandle = await open(path, 'wx+', 0o644);
          const blob = new FileBlob(path, index, file);
          made.push(blob);
          if (hint) fallocate(file.fd, 0, hint);
          const data = contents?.[index];
          if (data) await blob.write(data, 0);
        }
      } catch (err) {
        await Promise.all(made.map((b) => b.dispose()));
        await rm(dir, { recursive: true, force: true });
        throw fromSystemError(err, `cannot create object ${objectId}`);
      }
      made.forEach((b) => live.add(b));
      return made;
    },

    ...(options.shared
      ? {
          async load(objectId: string) {
            if (closed) throw new PackIceError('SHUTTING_DOWN', 'the storage is closed');
            return recover(objectId);
          },
          async storedIds() {
            const entries = await readdir(objectsDir, { withFileTypes: true });
            return entries.filter((e) => e.isDirectory() && isValidObjectId(e.name)).map((e) => e.name);
          },
        }
      : {}),

    async commit(object) {
      await writeObjectMeta(dirOf(object.objectId), object);
    },

    async remove(objectId, blobs: readonly Blob[]) {
      const dir = dirOf(objectId);
      for (const blob of blobs) {
        live.delete(blob as FileBlob);
        await blob.dispose();
      }
      // meta.json goes first: a crash half-way through leaves an unsealed object, removed at open.
      await rm(join(dir, META_FILE), { force: true });
      await rm(dir, { recursive: true, force: true });
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...live].map((b) => b.dispose()));
      live.clear();
    },
  };
}
