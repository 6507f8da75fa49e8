import type * as Koffi from 'koffi';
import { loadLibc } from './libc';
import { NativeError } from './native-error';

/** What a {@link watchFd} callback is told. */
export interface WatchEvents {
  readable: boolean;
  writable: boolean;
  disconnect: boolean;
}

/** A descriptor watched by the event loop. */
export interface FdWatcher {
  /** Changes which events are watched; disconnects are reported unless `disconnect` is false. */
  update(events: { readable?: boolean; writable?: boolean; disconnect?: boolean }): void;
  /** Whether the watcher keeps the process alive (like `ref()`/`unref()` of Node handles). */
  setRef(ref: boolean): void;
  /** Stops watching. Must be called before the descriptor is closed. Idempotent. */
  close(): void;
}

/**
 * Watches a descriptor with the event loop (`koffi.node.poll`); no thread, no blocking. Only one
 * watcher per descriptor, and never on a descriptor libuv already watches: either aborts the
 * process. Watchers do not keep the process alive unless `ref` is set.
 */
export function watchFd(
  fd: number,
  events: { readable?: boolean; writable?: boolean },
  callback: (events: WatchEvents, error: NativeError | null) => void,
  options: { ref?: boolean } = {},
): FdWatcher {
  const { koffi } = loadLibc();
  let closed = false;
  const handler = (status: number, ev: WatchEvents): void => {
    if (closed) return;
    callback(
      ev ?? { readable: false, writable: false, disconnect: true },
      status < 0 ? new NativeError('poll', -status) : null,
    );
  };
  // koffi calls back with (status, events); its typings say (events) only.
  const poll = koffi.node.poll as unknown as (
    fd: number,
    opts: { readable?: boolean; writable?: boolean; disconnect?: boolean },
    cb: (status: number, ev: WatchEvents) => void,
  ) => Koffi.node.PollHandle;
  const handle = poll(fd, { readable: !!events.readable, writable: !!events.writable, disconnect: true }, handler);
  if (!options.ref) handle.unref();
  return {
    update(next) {
      if (closed) return;
      const start = handle.start as unknown as (
        opts: { readable?: boolean; writable?: boolean; disconnect?: boolean },
        cb: (status: number, ev: WatchEvents) => void,
      ) => void;
      start.call(
        handle,
        { readable: !!next.readable, writable: !!next.writable, disconnect: next.disconnect !== false },
        handler,
      );
    },
    setRef(ref) {
      if (closed) return;
      if (ref) handle.ref();
      else handle.unref();
    },
    close() {
      if (closed) return;
      closed = true;
      handle.stop();
      handle.close();
    },
  };
}
