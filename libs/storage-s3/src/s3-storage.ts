import type { Blob, BlobStore, ObjectInfo, RecoveredObject } from '@packice/core';
import { PackIceError } from '@packice/core';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { mapFd } from '@packice/native';
import { S3Blob, type S3BlobHost } from './s3-blob';
import { S3Cache, type S3CacheStats } from './s3-cache';
import { createS3Client, eachLimited, type S3Connection } from './s3-client';
import { s3Error } from './s3-errors';

/** Options of {@link createS3Storage}. */
export interface S3StorageOptions extends S3Connection {
  bucket: string;
  /** Key prefix of every object (e.g. `packice/`); default none. */
  prefix?: string;
  /** Bound of the local read-through cache, in bytes; default 1 GiB. */
  cacheBytes?: number;
  /**
   * Where blobs live locally (being written, and cached): a memory storage without slabs, so
   * each blob is a memfd a UDS client maps. The assembler (the node app) makes it.
   */
  local: BlobStore;
  /** Parts of one blob uploaded or fetched at once; default 4. */
  parallel?: number;
  /** Part size of multipart uploads and ranged fetches; default 8 MiB (S3's minimum is 5 MiB). */
  partBytes?: number;
  /**
   * Several nodes share the bucket (scale-out, with the catalog): `load(id)` takes in an object
   * another node sealed, `storedIds()` lists the bucket, and `open()` removes nothing.
   */
  shared?: boolean;
}

/** S3 storage: the BlobStore, plus its bucket and cache counters. */
export interface S3Storage extends BlobStore {
  readonly bucket: string;
  cacheStats(): S3CacheStats;
}

interface Manifest {
  version: 1;
  object_id: string;
  meta: Record<string, string>;
  created_at: number;
  sealed_at: number;
  blobs: { size: number; key: string }[];
}

const MiB = 1024 * 1024;
/** Blob keys left without a manifest (a seal that failed mid-upload) are removed at open after this. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

/**
 * Makes S3 storage: blobs are written to local memfds, kernel-sealed, uploaded at commit (multipart
 * for large blobs, parts in parallel), and recorded by a manifest key written last, the commit
 * point. Reads go through a bounded LRU cache of local memfds, filled whole by ranged GETs.
 */
export function createS3Storage(options: S3StorageOptions): S3Storage {
  const { bucket, local } = options;
  const prefix = options.prefix ?? '';
  const parallel = options.parallel ?? 4;
  const partBytes = Math.max(5 * MiB, options.partBytes ?? 8 * MiB);
  const where = { bucket, endpoint: options.endpoint ?? 'AWS' };
  const s3 = createS3Client(options);
  const cache = new S3Cache(options.cacheBytes ?? 1024 * MiB);
  const committed = new Set<string>();
  const blobKey = (objectId: string, index: number): string => `${prefix}${objectId}/blob-${index}`;
  const manifestKey = (objectId: string): string => `${prefix}${objectId}/manifest.json`;
  const fail = (what: string) => (err: unknown) => {
    throw s3Error(err, what, where);
  };

  const get = async (key: string, range?: string): Promise<Buffer> => {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
    const bytes = (await answer.Body?.transformToByteArray()) ?? new Uint8Array(0);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength); // a view, not a copy
  };

  const host: S3BlobHost = {
    readRemote: (blob, position, length) =>
      get(blob.key, `bytes=${position}-${position + length - 1}`).catch(fail(`reading ${blob.key}`)),
    async fetch(blob) {
      // The memfd is allocated while the first parts are on their way; each part is written as it streams in.
      const made = local.createBlobs(blob.objectId, [blob.size]);
      made.catch(() => undefined);
      try {
        const offsets = Array.from({ length: Math.ceil(blob.size / partBytes) }, (_, i) => i * partBytes);
        await eachLimited(offsets, parallel * 2, async (offset) => {
          const end = Math.min(blob.size, offset + partBytes) - 1;
          const answer = await s3
            .send(new GetObjectCommand({ Bucket: bucket, Key: blob.key, Range: `bytes=${offset}-${end}` }))
            .catch(fail(`fetching ${blob.key}`));
          const [copy] = await made;
          let position = offset;
          for await (const chunk of answer.Body as AsyncIterable<Uint8Array>)
            position += await copy.write(chunk, position);
          if (position !== end + 1)
            throw new PackIceError('UNAVAILABLE', `fetching ${blob.key}: the part at ${offset} came short`);
        });
        const [copy] = await made;
        await copy.seal();
        return copy;
      } catch (err) {
        const copies = await made.catch(() => []);
        await local.remove(blob.objectId, copies);
        throw err instanceof PackIceError ? err : s3Error(err, `fetching ${blob.key}`, where);
      }
    },
    cached: (blob, how) => (how === 'hit' ? cache.hit(blob) : cache.add(blob, true)),
    free: (copy) => local.remove('', [copy]),
    forget: (blob) => cache.forget(blob),
  };

  async function upload(blob: S3Blob): Promise<void> {
    const copy = blob.local as Blob;
    const handle = copy.handle('read');
    // A read-only view of the sealed memfd: the upload slices its parts out of it, copying nothing.
    const body = blob.size === 0 || handle.kind !== 'fd' ? await copy.read() : mapFd(handle.fd, blob.size);
    const upload = new Upload({
      client: s3,
      params: { Bucket: bucket, Key: blob.key, Body: body },
      queueSize: parallel,
      partSize: partBytes,
      leavePartsOnError: false, // a failed multipart upload is aborted: no part stays billed or visible
    });
    await upload.done();
  }

  async function deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk, Quiet: true } }));
    }
  }

  async function listKeys(): Promise<{ Key?: string; LastModified?: Date }[]> {
    const keys: { Key?: string; LastModified?: Date }[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async function recover(key: string): Promise<RecoveredObject | null> {
    let manifest: Manifest;
    try {
      manifest = JSON.parse((await get(key)).toString('utf8')) as Manifest;
    } catch (err) {
      if (err instanceof SyntaxError) return null; // not ours, or torn: left alone
      const coded = s3Error(err, `reading ${key}`, where);
      if (coded.code === 'NOT_FOUND') return null;
      throw coded;
    }
    const objectId = manifest.object_id;
    const blobs = manifest.blobs.map((b, i) => new S3Blob(host, objectId, i, b.key, null, b.size));
    committed.add(objectId);
    const size = blobs.reduce((n, b) => n + b.size, 0);
    const info = {
      objectId,
      state: 'sealed' as const,
      size,
      meta: manifest.meta,
      createdAt: manifest.created_at,
      sealedAt: manifest.sealed_at,
    };
    return { info, blobs };
  }

  return {
    name: 's3',
    bucket,
    cacheStats: () => cache.stats(),
    async open() {
      await local.open();
      await s3.send(new HeadBucketCommand({ Bucket: bucket })).catch((err: unknown) => {
        const coded = s3Error(err, `bucket ${bucket} at ${where.endpoint}`, where);
        throw coded.code === 'NOT_FOUND'
          ? new PackIceError('NOT_FOUND', `the bucket ${bucket} does not exist at ${where.endpoint}`, {
              details: coded.details,
              cause: err,
            })
          : coded;
      });
      const keys = await listKeys().catch(fail(`listing ${bucket}`));
      const manifests = keys.map((k) => k.Key ?? '').filter((k) => k.endsWith('/manifest.json'));
      const withManifest = new Set(manifests.map((k) => k.slice(0, -'manifest.json'.length)));
      const old = Date.now() - ORPHAN_AGE_MS;
      const orphans = keys
        .filter((k) => k.Key && !withManifest.has(k.Key.slice(0, k.Key.lastIndexOf('/') + 1)))
        .filter((k) => (k.LastModified?.getTime() ?? 0) < old)
        .map((k) => k.Key as string);
      // Another node of a shared bucket may be uploading them: only a node on its own removes them.
      if (orphans.length > 0 && !options.shared) await deleteKeys(orphans).catch(fail('removing half-uploaded blobs'));
      const recovered: RecoveredObject[] = [];
      await eachLimited(manifests, 16, async (key) => {
        const found = await recover(key);
        if (found) recovered.push(found);
      });
      return recovered;
    },
    ...(options.shared
      ? {
          load: (objectId: string) => recover(manifestKey(objectId)),
          async storedIds() {
            const keys = await listKeys().catch(fail(`listing ${bucket}`));
            return keys
              .map((k) => k.Key ?? '')
              .filter((k) => k.endsWith('/manifest.json'))
              .map((k) => k.slice(prefix.length, -'/manifest.json'.length));
          },
        }
      : {}),
    async createBlobs(objectId, sizeHints, contents) {
      const copies = await local.createBlobs(objectId, sizeHints, contents);
      return copies.map((copy, i) => new S3Blob(host, objectId, i, blobKey(objectId, i), copy, null));
    },
    async commit(object: ObjectInfo<Blob>) {
      const blobs = object.blobs as S3Blob[];
      try {
        for (const blob of blobs) await upload(blob);
        const manifest: Manifest = {
          version: 1,
          object_id: object.objectId,
          meta: { ...object.meta },
          created_at: object.createdAt,
          sealed_at: object.sealedAt ?? Date.now(),
          blobs: blobs.map((b) => ({ size: b.size, key: b.key })),
        };
        const body = JSON.stringify(manifest);
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: manifestKey(object.objectId),
            Body: body,
            ContentType: 'application/json',
          }),
        );
      } catch (err) {
        // Nothing half-visible: what was uploaded goes (best effort; the manifest never was).
        await deleteKeys(blobs.map((b) => b.key)).catch(() => undefined);
        throw s3Error(err, `uploading object ${object.objectId} to ${bucket}`, where);
      }
      committed.add(object.objectId);
      for (const blob of blobs) cache.add(blob, false);
    },
    async remove(objectId, blobs, reason) {
      const s3Blobs = blobs as S3Blob[];
      try {
        // An eviction frees the node's room and its cache, never the bucket's copy.
        if (reason !== 'evicted' && committed.delete(objectId))
          await deleteKeys([manifestKey(objectId), ...s3Blobs.map((b) => b.key)]).catch(fail(`deleting ${objectId}`));
      } finally {
        await Promise.all(s3Blobs.map((b) => b.dispose()));
      }
    },
    async close() {
      await local.close();
      s3.destroy();
    },
  };
}
