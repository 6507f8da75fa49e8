import type { CatalogObject } from '@packice/cluster';
import { isPackIceError, PackIceError } from '@packice/core';

/** The record as stored in the `rec` field: what does not change with state (state, bytes, deleting are fields). */
type StoredRecord = Omit<CatalogObject, 'state' | 'bytes' | 'deleting'>;

/** The `rec` field of an object's hash. */
export function storedRecord(object: StoredRecord): string {
  const { objectId, size, meta, createdAt, sealedAt, blobSizes, node, dataUrl } = object;
  return JSON.stringify({ objectId, size, meta, createdAt, sealedAt, blobSizes, node, dataUrl });
}

/** An object's hash back to a record, or null when there is none. */
export function parseObject(hash: Record<string, string> | null): CatalogObject | null {
  if (!hash || !hash.rec) return null;
  const record = JSON.parse(hash.rec) as StoredRecord;
  return {
    ...record,
    state: hash.state === 'sealed' ? 'sealed' : 'creating',
    bytes: Number(hash.bytes ?? 0),
    deleting: hash.deleting === '1',
  };
}

/** A Redis failure as the catalog reports it: `UNAVAILABLE` (PackIce errors pass through). */
export function unavailable(err: unknown): PackIceError {
  if (isPackIceError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PackIceError('UNAVAILABLE', `the catalog (Redis) cannot be reached: ${message}`, { cause: err });
}
