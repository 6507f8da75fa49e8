/**
 * @packice/storage-fs: objects as files under a root directory (handle: the absolute path),
 * metadata written atomically at seal, sealed objects recovered when a node restarts.
 */
export { createFsStorage } from './fs-storage';
export type { FsStorage, FsStorageOptions } from './fs-storage';
export { META_FILE } from './object-meta';
export type { StoredMeta } from './object-meta';
