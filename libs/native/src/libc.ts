import type * as Koffi from 'koffi';
import { NativeError } from './native-error';

/** The libc functions PackIce calls, declared once through koffi. Pointers are BigInts. */
export interface Libc {
  koffi: typeof Koffi;
  memfd_create: (name: string, flags: number) => number;
  ftruncate: (fd: number, length: number) => number;
  fallocate: (fd: number, mode: number, offset: number, length: number) => number;
  fcntl: (fd: number, cmd: number, arg: number) => number;
  mmap: (address: bigint | null, length: number, prot: number, flags: number, fd: number, offset: number) => bigint;
  munmap: (address: bigint, length: number) => number;
  socket: (domain: number, type: number, protocol: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  listen: (fd: number, backlog: number) => number;
  accept4: (fd: number, addr: null, len: null, flags: number) => number;
  connect: (fd: number, addr: Buffer, len: number) => number;
  sendmsg: (fd: number, msg: unknown, flags: number) => number;
  recvmsg: (fd: number, msg: unknown, flags: number) => number;
  getsockopt: (fd: number, level: number, name: number, value: Buffer, len: number[]) => number;
  flock: (fd: number, operation: number) => number;
  getrlimit: (resource: number, limits: Buffer) => number;
  setrlimit: (resource: number, limits: Buffer) => number;
  sysconf: (name: number) => number;
}

let libc: Libc | null = null;
let loadError: Error | null = null;

/**
 * Loads koffi and libc on first use, never at import: importing this lib on a platform without
 * them must not crash; the call that needs them throws a clear error instead.
 */
export function loadLibc(): Libc {
  if (libc) return libc;
  if (loadError) throw loadError;
  try {
    if (process.platform !== 'linux') {
      throw new Error(`PackIce native calls need Linux; this is ${process.platform}`);
    }
    // Loaded on demand, not imported: importing this lib must work where koffi cannot load.
    const koffi = require('koffi') as typeof Koffi;
    const lib = koffi.load('libc.so.6');
    libc = {
      koffi,
      memfd_create: lib.func('int memfd_create(const char *name, unsigned int flags)') as Libc['memfd_create'],
      ftruncate: lib.func('int ftruncate(int fd, int64_t length)') as Libc['ftruncate'],
      fallocate: lib.func('int fallocate(int fd, int mode, int64_t offset, int64_t len)') as Libc['fallocate'],
      // fcntl is variadic; a fixed three-int declaration is ABI-identical for the int commands used.
      fcntl: lib.func('int fcntl(int fd, int cmd, int arg)') as Libc['fcntl'],
      mmap: lib.func(
        'void *mmap(void *addr, size_t length, int prot, int flags, int fd, int64_t offset)',
      ) as Libc['mmap'],
      munmap: lib.func('int munmap(void *addr, size_t length)') as Libc['munmap'],
      socket: lib.func('int socket(int domain, int type, int protocol)') as Libc['socket'],
      bind: lib.func('int bind(int fd, const void *addr, uint32_t len)') as Libc['bind'],
      listen: lib.func('int listen(int fd, int backlog)') as Libc['listen'],
      accept4: lib.func('int accept4(int fd, void *addr, void *len, int flags)') as Libc['accept4'],
      connect: lib.func('int connect(int fd, const void *addr, uint32_t len)') as Libc['connect'],
      sendmsg: lib.func('intptr_t sendmsg(int fd, void *msg, int flags)') as Libc['sendmsg'],
      recvmsg: lib.func('intptr_t recvmsg(int fd, void *msg, int flags)') as Libc['recvmsg'],
      getsockopt: lib.func(
        'int getsockopt(int fd, int level, int name, _Out_ void *value, _Inout_ uint32_t *len)',
      ) as Libc['getsockopt'],
      flock: lib.func('int flock(int fd, int operation)') as Libc['flock'],
      getrlimit: lib.func('int getrlimit(int resource, _Out_ void *rlim)') as Libc['getrlimit'],
      setrlimit: lib.func('int setrlimit(int resource, const void *rlim)') as Libc['setrlimit'],
      sysconf: lib.func('long sysconf(int name)') as Libc['sysconf'],
    };
    return libc;
  } catch (err) {
    loadError = new NativeError('load', 'ENOSYS', err instanceof Error ? err.message : String(err));
    throw loadError;
  }
}

/** Runs a libc call that returns -1 on failure; throws a NativeError with its errno. */
export function check(syscall: string, result: number, detail?: string): number {
  if (result === -1) throw new NativeError(syscall, loadLibc().koffi.errno(), detail);
  return result;
}
