/**
 * @packice/storage-s3: S3 storage. Sealed blobs live in an S3-compatible bucket (AWS S3, MinIO,
 * Ceph, Garage, R2), each object's manifest written last; writes and reads go through local memfds
 * (a bounded read-through cache), so UDS clients still map descriptors.
 */
export { createS3Storage } from './s3-storage';
export type { S3Storage, S3StorageOptions } from './s3-storage';
export type { S3Connection } from './s3-client';
export type { S3CacheStats } from './s3-cache';
