import { PackIceError } from '@packice/core';
import { isNativeError } from '@packice/native';

/** Translates a failed system call into the PackIce code a client can act on. */
export function fromNativeError(err: unknown, what: string): PackIceError {
  if (isNativeError(err)) {
    if (err.code === 'ENOMEM' || err.code === 'ENOSPC' || err.code === 'EFBIG') {
      return new PackIceError('OUT_OF_CAPACITY', `${what}: ${err.message}`, { cause: err, details: { errno: err.code } });
    }
    if (err.code === 'EPERM') {
      return new PackIceError('ALREADY_SEALED', `${what}: the blob is sealed`, { cause: err, details: { errno: err.code } });
    }
    return new PackIceError('INTERNAL', `${what}: ${err.message}`, { cause: err, details: { errno: err.code } });
  }
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EPERM') return new PackIceError('ALREADY_SEALED', `${what}: the blob is sealed`, { cause: err });
  if (code === 'ENOSPC' || code === 'ENOMEM') return new PackIceError('OUT_OF_CAPACITY', `${what}: ${String(err)}`, { cause: err });
  return new PackIceError('INTERNAL', `${what}: ${String(err)}`, { cause: err });
}
