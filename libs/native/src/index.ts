/**
 * @packice/native: the one place that calls libc through koffi. memfd, seals, fallocate,
 * mmap with Buffer views whose mappings live as long as the Buffer. Linux only; importing is
 * always safe, and calls on other platforms throw a `NativeError`.
 */
export {
  F_SEAL_GROW,
  F_SEAL_IMMUTABLE,
  F_SEAL_SEAL,
  F_SEAL_SHRINK,
  F_SEAL_WRITE,
  MFD_ALLOW_SEALING,
  MFD_CLOEXEC,
} from './constants';
export { addSeals, dupCloexec, fallocate, ftruncate, getSeals, memfdCreate, reopenReadOnly } from './memfd';
export { freezeMapping, isMapped, LIVE_MAPPINGS_MAX, liveMappings, mapFd, QUIET_BYTES_MAX } from './mmap';
export type { MapOptions } from './mmap';
export { errnoName, isNativeError, NativeError } from './native-error';
export type { ErrnoName } from './native-error';
export { assertSupported, isSupported } from './support';
export { closeQuietly } from './close-quietly';
export { getFileLimit, openDescriptorCount, pageSize, raiseFileLimit } from './file-limit';
export type { FileLimit } from './file-limit';
export { tryLockFile, unlockFile } from './file-lock';
export { watchFd } from './fd-watcher';
export type { FdWatcher, WatchEvents } from './fd-watcher';
export {
  MAX_FDS_PER_MESSAGE,
  MESSAGE_CHUNK_BYTES,
  receiveMessage,
  sendMessage,
  sendText,
  TEXT_MESSAGE_MAX_CHARS,
} from './socket-messages';
export type { ReceivedMessage } from './socket-messages';
export { acceptConnection, connectUnix, listenUnix, peerCredentials } from './unix-socket';
export type { PeerCredentials } from './unix-socket';
