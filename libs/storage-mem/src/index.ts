/**
 * @packice/storage-mem: memory storage. Blobs are memfds sealed by the kernel (descriptors a
 * node can pass to other processes), or, where memfd is missing, files of an in-process memfs
 * volume. Also the in-memory lease store nodes use.
 */
export { createMemStorage, MEM_STORAGE_DEFAULTS } from './mem-storage';
export type { MemStorage, MemStorageOptions } from './mem-storage';
export { createMemoryLeaseStore } from './memory-lease-store';
export type { MemoryLeaseStore } from './memory-lease-store';
