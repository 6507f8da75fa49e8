import { createConnection, type Socket } from 'node:net';
import { once } from 'node:events';

/** An answer line as another language's client would parse it. */
export type RawAnswer = Record<string, unknown> & { id: number | null; ok: boolean };

/**
 * A client written from docs/protocol.md alone: Node's plain `net` socket and JSON lines, none of
 * PackIce's code. `net` drops descriptors (libuv reads with read()), so it sees `fds: N` and the
 * handles, not the descriptors themselves.
 */
export class RawClient {
  readonly answers: RawAnswer[] = [];
  #buffer = '';
  #waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) !== -1) {
        this.answers.push(JSON.parse(this.#buffer.slice(0, nl)) as RawAnswer);
        this.#buffer = this.#buffer.slice(nl + 1);
      }
      this.#waiters.splice(0).forEach((w) => w());
    });
    socket.on('close', () => {
      this.closed = true;
      this.#waiters.splice(0).forEach((w) => w());
    });
    socket.on('error', () => undefined);
  }

  static async connect(path: string): Promise<RawClient> {
    const socket = createConnection(path);
    await once(socket, 'connect');
    return new RawClient(socket);
  }

  /** Writes raw text (a line, or anything). */
  write(text: string): void {
    this.socket.write(text);
  }

  /** Sends one request object as a line and waits for the answer with its id. */
  async call(request: Record<string, unknown>, timeoutMs = 5_000): Promise<RawAnswer> {
    this.write(`${JSON.stringify(request)}\n`);
    return this.waitFor((a) => a.id === request.id, timeoutMs);
  }

  /** Waits until an answer matching `match` has arrived (or the connection closed). */
  async waitFor(match: (answer: RawAnswer) => boolean, timeoutMs = 5_000): Promise<RawAnswer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.answers.find(match);
      if (found) return found;
      if (this.closed) throw new Error('connection closed before the answer came');
      if (Date.now() > deadline) throw new Error('no answer in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves once the node has closed the connection. */
  async waitClosed(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
