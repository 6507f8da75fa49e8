import type { FdWatcher } from '@packice/native';
import { closeQuietly, MESSAGE_CHUNK_BYTES, receiveMessage, sendMessage, sendText, watchFd } from '@packice/native';
import { TEXT_MESSAGE_MAX_CHARS } from '@packice/native';

/** Options of {@link LineSocket}. */
export interface LineSocketOptions {
  /** Longest line accepted; a longer one calls `onOverflow` and stops reading. */
  maxLineBytes: number;
  /** Keep received descriptors in the FIFO (clients); `false` closes them at once (servers). */
  acceptFds: boolean;
  /** Called for each complete line, in order, while not paused. */
  onLine: (line: string) => void;
  /** Called once a line grew past `maxLineBytes`; reading has stopped. */
  onOverflow: () => void;
  /** Called once, when the socket is closed (by either side); `error` when it broke. */
  onClose: (error: Error | null) => void;
  /** Called once the peer has hung up; lines it sent before still follow, then the socket closes. */
  onHangup?: () => void;
  /** Queued output above which reading pauses until it drains (bytes). */
  highWaterBytes?: number;
  /** Descriptors waiting in queued output above which reading pauses too. */
  highWaterFds?: number;
}

interface Outgoing {
  data: Buffer;
  offset: number;
  fds: number[];
  /** Called once the message is fully sent (`true`) or dropped (`false`). */
  done?: (sent: boolean) => void;
}

const DEFAULT_HIGH_WATER = 1 << 20; // 1 MiB of queued answers
const DEFAULT_HIGH_WATER_FDS = 64; // descriptors held by queued answers
const NEWLINE = 0x0a;

/**
 * One end of docs/protocol.md's UDS framing on a non-blocking socket owned by this object: UTF-8
 * JSON lines; descriptors travel with `sendmsg`/`recvmsg` and queue up in a FIFO. Writes queue
 * and wait for writability; reading pauses while output is backed up or the owner asks, so a peer
 * that does not read cannot make this side buffer (or hold descriptors) without bound.
 */
export class LineSocket {
  readonly #fd: number;
  readonly #options: LineSocketOptions;
  readonly #highWater: number;
  readonly #highWaterFds: number;
  readonly #watcher: FdWatcher;
  readonly #fifo: number[] = [];
  readonly #lines: string[] = [];
  #partial: Buffer[] = [];
  #partialBytes = 0;
  readonly #out: Outgoing[] = [];
  #outBytes = 0;
  #outFds = 0;
  #paused = false;
  #overflowed = false;
  #ended = false;
  #endAfterFlush = false;
  #closed = false;
  #watching = { readable: true, writable: false, disconnect: true };

  /** @param fd a connected, non-blocking Unix stream socket; this object now owns it */
  constructor(fd: number, options: LineSocketOptions) {
    this.#fd = fd;
    this.#options = options;
    this.#highWater = options.highWaterBytes ?? DEFAULT_HIGH_WATER;
    this.#highWaterFds = options.highWaterFds ?? DEFAULT_HIGH_WATER_FDS;
    this.#watcher = watchFd(fd, { readable: true }, (events, error) => {
      if (error) {
        // libuv reports POLLERR (e.g. ECONNRESET: the peer closed with our request unread) as
        // EBADF; what the peer wrote before closing is still readable, so read it first.
        this.#read(true);
        return this.destroy(error);
      }
      if (events.writable) this.#flush();
      // A hang-up is reported until read to the end, even while paused: read the rest now.
      if (events.disconnect && !this.#ended) this.#read(true);
      else if (events.readable) this.#read();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes queued and not yet sent (event streams drop events past a bound). */
  get queuedBytes(): number {
    return this.#outBytes;
  }

  /** Whether this socket's watcher keeps the process alive. */
  setRef(ref: boolean): void {
    if (!this.#closed) this.#watcher.setRef(ref);
  }

  /**
   * Queues one line (a newline is added) with `fds` to pass along; the caller keeps its own
   * descriptors. `done` tells whether it was sent. Returns false when the socket is closed.
   */
  send(line: string, fds: number[] = [], done?: (sent: boolean) => void): boolean {
    if (this.#closed || this.#endAfterFlush) {
      done?.(false);
      return false;
    }
    const text = `${line}\n`;
    // Nothing queued: the line goes straight from the string into the native send buffer.
    let offset = 0;
    if (this.#out.length === 0 && text.length <= TEXT_MESSAGE_MAX_CHARS) {
      let sent;
      try {
        sent = sendText(this.#fd, text, fds);
      } catch (err) {
        done?.(false);
        this.#read(true);
        this.destroy(err as Error);
        return false;
      }
      if (sent !== null && sent.sent === sent.bytes) {
        done?.(true);
        return true;
      }
      offset = sent?.sent ?? 0;
    }
    const data = Buffer.from(text);
    this.#out.push({ data, offset, fds, done });
    this.#outBytes += data.length - offset;
    this.#outFds += fds.length;
    this.#flush();
    return true;
  }

  /** Takes `n` received descriptors from the FIFO, oldest first; fewer if fewer arrived. */
  takeFds(n: number): number[] {
    return this.#fifo.splice(0, n);
  }

  /** Stops delivering lines (and reading) until {@link resume}. */
  pause(): void {
    this.#paused = true;
    this.#updateWatch();
  }

  /** Starts delivering (and reading) again after {@link pause}; a no-op when not paused. */
  resume(): void {
    // Not paused, reading never stopped on our account: a read now would only cost a recvmsg
    // answering EAGAIN (once per request on the node).
    if (!this.#paused) return;
    this.#paused = false;
    this.#deliver();
    this.#updateWatch();
    if (!this.#closed && !this.#blocked()) this.#read();
  }

  /**
   * Closes gracefully: no more lines are read or sent, what is queued is sent, then the socket
   * closes (`onClose` tells when). Idempotent; {@link destroy} still cuts it short.
   */
  close(): void {
    if (this.#closed) return;
    this.#endAfterFlush = true;
    if (this.#out.length === 0) this.destroy(null);
    else this.#updateWatch();
  }

  /** Closes now: queued output is dropped, unclaimed descriptors are closed. Idempotent. */
  destroy(error: Error | null = null): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#watcher.close();
    closeQuietly(this.#fd);
    closeQuietly(...this.#fifo.splice(0));
    for (const entry of this.#out.splice(0)) entry.done?.(false);
    this.#outBytes = 0;
    this.#outFds = 0;
    this.#options.onClose(error);
  }

  #backedUp(): boolean {
    return this.#outBytes > this.#highWater || this.#outFds > this.#highWaterFds;
  }

  #blocked(): boolean {
    return this.#paused || this.#endAfterFlush || this.#backedUp() || this.#overflowed || this.#ended;
  }

  #updateWatch(): void {
    if (this.#closed) return;
    const next = { readable: !this.#blocked(), writable: this.#out.length > 0, disconnect: !this.#ended };
    const now = this.#watching;
    if (next.readable === now.readable && next.writable === now.writable && next.disconnect === now.disconnect) return;
    this.#watching = next;
    this.#watcher.update(next);
  }

  #read(toTheEnd = false): void {
    while (!this.#closed && (toTheEnd || !this.#blocked())) {
      let got;
      try {
        got = receiveMessage(this.#fd);
      } catch (err) {
        return this.destroy(err as Error);
      }
      if (got === null) break;
      if (this.#options.acceptFds) this.#fifo.push(...got.fds);
      else closeQuietly(...got.fds);
      if (got.end) {
        this.#ended = true;
        this.#options.onHangup?.();
        this.#deliver();
        break;
      }
      this.#split(got.data);
      this.#deliver();
      // A short read drained the socket (as libuv assumes too): skip the recvmsg that would
      // only answer EAGAIN; the watcher reports the next data.
      if (!toTheEnd && got.data.length < MESSAGE_CHUNK_BYTES) break;
    }
    this.#updateWatch();
  }

  #split(data: Buffer): void {
    let start = 0;
    for (let nl = data.indexOf(NEWLINE, start); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
      const piece = data.subarray(start, nl);
      if (this.#partialBytes + piece.length > this.#options.maxLineBytes) return this.#overflow();
      const line = this.#partialBytes === 0 ? piece : Buffer.concat([...this.#partial, piece]);
      this.#partial = [];
      this.#partialBytes = 0;
      this.#lines.push(line.toString('utf8'));
      start = nl + 1;
    }
    if (start < data.length) {
      const rest = data.subarray(start);
      this.#partial.push(rest);
      this.#partialBytes += rest.length;
      if (this.#partialBytes > this.#options.maxLineBytes) this.#overflow();
    }
  }

  #overflow(): void {
    this.#overflowed = true;
    this.#partial = [];
    this.#partialBytes = 0;
    this.#updateWatch();
    this.#options.onOverflow();
  }

  #deliver(): void {
    // Lines already read wait too while output is backed up: each answer may hold descriptors.
    while (this.#lines.length > 0 && !this.#paused && !this.#closed && !this.#backedUp()) {
      this.#options.onLine(this.#lines.shift() as string);
    }
    // The peer is gone and every line it sent has been handed over: finish sending, then close.
    if (this.#ended && this.#lines.length === 0 && !this.#closed) this.close();
  }

  #flush(): void {
    while (this.#out.length > 0 && !this.#closed) {
      const entry = this.#out[0];
      let sent: number | null;
      try {
        // Descriptors travel with the first byte only: a partial send has delivered them already.
        sent = sendMessage(this.#fd, entry.data, entry.offset, entry.offset === 0 ? entry.fds : []);
      } catch (err) {
        // The peer is gone; what it said before going (e.g. why it closed) is still readable.
        this.#read(true);
        return this.destroy(err as Error);
      }
      if (sent === null) break;
      entry.offset += sent;
      this.#outBytes -= sent;
      if (entry.offset === entry.data.length) {
        this.#out.shift();
        this.#outFds -= entry.fds.length;
        entry.done?.(true);
      }
    }
    if (this.#out.length === 0 && this.#endAfterFlush) return this.destroy(null);
    this.#updateWatch();
    if (!this.#blocked() && !this.#closed && this.#lines.length > 0) this.#deliver();
  }
}
