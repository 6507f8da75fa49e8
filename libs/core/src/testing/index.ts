/**
 * Test helpers for PackIce storage and transport libs: `@packice/core/testing`.
 * Needs Jest (`@jest/globals`) at run time; never import it from production code.
 */
export { createBufferBlobStore } from './buffer-blob-store';
export type { BufferBlobStore, BufferBlobStoreOptions } from './buffer-blob-store';
export { describeBlobStore } from './describe-blob-store';
export type { BlobStoreSuiteOptions } from './describe-blob-store';
export { describeLeaseStore } from './describe-lease-store';
export type { LeaseStoreSuiteOptions } from './describe-lease-store';
export { ManualClock } from './manual-clock';
