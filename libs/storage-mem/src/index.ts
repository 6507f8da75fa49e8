/**
 * @packice/storage-mem: memory storage. Blobs are memfds sealed by the kernel (descriptors a
 * node can pass to other processes), or, where memfd is missing, files of an in-process memfs
 * volume.
 */
export { createMemStorage, MEM_STORAGE_DEFAULTS } from './mem-storage';
export type { MemStorage, MemStorageOptions } from './mem-storage';
