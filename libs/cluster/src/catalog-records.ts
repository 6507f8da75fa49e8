import type { ObjectInfo } from '@packice/core';
import type { CatalogObject } from './catalog';

/** What blobs of these sizes hold in a storage of this allocation unit (whole units, at least one each). */
export function heldBytes(sizes: readonly number[], unit: number | undefined): number {
  if (!unit) return sizes.reduce((a, b) => a + b, 0);
  return sizes.reduce((total, size) => total + Math.max(1, Math.ceil(size / unit)) * unit, 0);
}

/** The catalog's record of an object made or sealed through `node`. */
export function catalogRecord(
  object: Pick<ObjectInfo, 'objectId' | 'state' | 'size' | 'meta' | 'createdAt' | 'sealedAt'>,
  blobSizes: readonly number[],
  where: { node: string; unit: number | undefined; dataUrl?: string | null },
): CatalogObject {
  return {
    objectId: object.objectId,
    state: object.state,
    size: object.size,
    meta: object.meta,
    createdAt: object.createdAt,
    sealedAt: object.sealedAt,
    blobSizes,
    bytes: heldBytes(blobSizes, where.unit),
    node: where.node,
    deleting: false,
    ...(where.dataUrl === undefined ? {} : { dataUrl: where.dataUrl }),
  };
}

/** What `stat` and `list_objects` show of a catalog record. */
export function toObjectInfo(record: CatalogObject): ObjectInfo {
  return {
    objectId: record.objectId,
    state: record.state,
    size: record.size,
    meta: record.meta,
    createdAt: record.createdAt,
    sealedAt: record.sealedAt,
    blobs: record.blobSizes.map((size) => ({ size })),
  };
}
