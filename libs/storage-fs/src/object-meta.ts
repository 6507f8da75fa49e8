import type { ObjectInfo } from '@packice/core';
import { isValidObjectId } from '@packice/core';
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** File name of an object's metadata, written at seal. Its presence means "sealed". */
export const META_FILE = 'meta.json';

/** What `meta.json` holds (format version 1). */
export interface StoredMeta {
  version: 1;
  objectId: string;
  meta: Record<string, string>;
  createdAt: number;
  sealedAt: number;
  sizes: number[];
}

/** Writes `meta.json` atomically: a temp file, fsync, rename over, fsync the directory. */
export async function writeObjectMeta(dir: string, object: ObjectInfo): Promise<void> {
  const stored: StoredMeta = {
    version: 1,
    objectId: object.objectId,
    meta: { ...object.meta },
    createdAt: object.createdAt,
    sealedAt: object.sealedAt ?? Date.now(),
    sizes: object.blobs.map((b) => b.size),
  };
  const temp = join(dir, `.${META_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(temp, 'wx', 0o444);
  try {
    await file.writeFile(JSON.stringify(stored));
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(temp, join(dir, META_FILE));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

/** Reads and checks `meta.json`; `null` when missing or not a valid version-1 record. */
export async function readObjectMeta(dir: string, objectId: string): Promise<StoredMeta | null> {
  let raw: string;
  try {
    raw = await readFile(join(dir, META_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    const value = JSON.parse(raw) as Partial<StoredMeta>;
    const valid =
      value.version === 1 &&
      value.objectId === objectId &&
      isValidObjectId(value.objectId) &&
      typeof value.meta === 'object' &&
      value.meta !== null &&
      Object.values(value.meta).every((v) => typeof v === 'string') &&
      Number.isSafeInteger(value.createdAt) &&
      Number.isSafeInteger(value.sealedAt) &&
      Array.isArray(value.sizes) &&
      value.sizes.length > 0 &&
      value.sizes.every((n) => Number.isSafeInteger(n) && n >= 0);
    return valid ? (value as StoredMeta) : null;
  } catch {
    return null;
  }
}
