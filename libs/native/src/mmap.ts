import { MAP_FIXED, MAP_POPULATE, MAP_SHARED, PROT_READ, PROT_WRITE } from './constants';
import { loadLibc } from './libc';
import { NativeError } from './native-error';

const MAP_PRIVATE = 0x2;
const MAP_FAILED = 0xffff_ffff_ffff_ffffn;

interface Mapping {
  address: bigint;
  length: number;
}

/** Options of {@link mapFd}. */
export interface MapOptions {
  /**
   * `read` (default): a private copy-on-write mapping. Reads are zero-copy from the shared
   * pages; a write from JavaScript lands in a private page of this process and never reaches the
   * object, where a `PROT_READ` mapping would kill the process with SIGSEGV.
   * `write`: a shared writable mapping; the descriptor must be writable and the memfd unsealed.
   */
  mode?: 'read' | 'write';
  /** Fault every page in up front (`MAP_POPULATE`). */
  populate?: boolean;
}

const live = { count: 0, bytes: 0 };
const mappings = new WeakMap<ArrayBuffer, Mapping>();
// Unmapping happens only here, once nothing in JavaScript can reach the ArrayBuffer any more: a
// view that could outlive its mapping would turn an ordinary read into a SIGSEGV.
const registry = new FinalizationRegistry<Mapping>((mapping) => {
  loadLibc().munmap(mapping.address, mapping.length);
  live.count--;
  live.bytes -= mapping.length;
});

/**
 * Maps `length` bytes of `fd` and returns a Buffer over them. The mapping lives exactly as long
 * as JavaScript can reach that Buffer (or any view of its ArrayBuffer); it is then unmapped by a
 * FinalizationRegistry. It also outlives `fd` being closed. Throws `NativeError` (`EACCES`, `EPERM`
 * for a writable mapping of a sealed memfd, `ENOMEM`, ...).
 */
export function mapFd(fd: number, length: number, options: MapOptions = {}): Buffer {
  if (!Number.isSafeInteger(length) || length < 0) throw new NativeError('mmap', 'EINVAL', `length ${length}`);
  if (length === 0) return Buffer.alloc(0);
  const { koffi, mmap, munmap } = loadLibc();
  const shared = options.mode === 'write';
  const flags = (shared ? MAP_SHARED : MAP_PRIVATE) | (options.populate ? MAP_POPULATE : 0);
  const address = mmap(null, length, PROT_READ | PROT_WRITE, flags, fd, 0);
  if (address === MAP_FAILED) throw new NativeError('mmap', koffi.errno(), `fd ${fd}, ${length} bytes`);
  let view: ArrayBuffer;
  try {
    view = koffi.view(address, length) as ArrayBuffer;
  } catch (err) {
    // Electron's V8 memory cage refuses external buffers: the caller falls back to a copy.
    munmap(address, length);
    throw new NativeError('mmap', 'EOPNOTSUPP', `external buffers are not allowed here: ${String(err)}`);
  }
  const mapping = { address, length };
  mappings.set(view, mapping);
  registry.register(view, mapping);
  live.count++;
  live.bytes += length;
  return Buffer.from(view);
}

/**
 * Turns a writable mapping made by {@link mapFd} into a private copy-on-write one over
 * `readOnlyFd`, in place: same address, same bytes, so every Buffer over it stays valid and
 * readable. Afterwards no shared writable mapping remains, so `F_SEAL_WRITE` can be added; later
 * writes through the Buffer stay private to this process.
 */
export function freezeMapping(view: Buffer, readOnlyFd: number): void {
  if (view.length === 0) return;
  const mapping = mappings.get(view.buffer as ArrayBuffer);
  if (!mapping) throw new NativeError('mmap', 'EINVAL', 'not a Buffer made by mapFd');
  const { koffi, mmap } = loadLibc();
  const address = mmap(mapping.address, mapping.length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, readOnlyFd, 0);
  if (address === MAP_FAILED) throw new NativeError('mmap', koffi.errno(), 'remap in place');
}

/** True when `view` is over a mapping made by {@link mapFd}. */
export function isMapped(view: Uint8Array): boolean {
  return mappings.has(view.buffer as ArrayBuffer);
}

/** Mappings made by this lib and not yet unmapped (for leak checks). */
export function liveMappings(): { count: number; bytes: number } {
  return { ...live };
}
