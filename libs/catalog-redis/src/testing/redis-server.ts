import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server of a test's own: on a unix socket in a temp dir, keeping nothing on disk. */
export interface TestRedis {
  /** `unix:///.../redis.sock`. */
  readonly url: string;
  readonly socket: string;
  readonly pid: number;
  /** Stops it (SIGKILL: nothing to save) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts a new empty server on the same socket (after `kill()`): Redis restarted. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

async function answers(socket: string, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      if (!existsSync(socket)) return resolve(false);
      const probe = createConnection(socket);
      probe.once('error', () => resolve(false));
      probe.once('connect', () => probe.write('PING\r\n'));
      probe.once('data', (chunk: Buffer) => {
        probe.destroy();
        resolve(chunk.toString().startsWith('+PONG'));
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${socket}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts `redis-server` (from PATH) for one test file; `stop()` it in afterAll. */
export async function startRedisServer(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'packice-redis-'));
  const socket = join(dir, 'redis.sock');
  let child: ChildProcess;
  const launch = async (): Promise<void> => {
    child = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--unixsocket',
        socket,
        '--unixsocketperm',
        '700',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    const failed = once(child, 'error').then(([err]) => {
      throw new Error(`cannot start redis-server (is it installed?): ${String(err)}`);
    });
    await Promise.race([answers(socket, Date.now() + 10_000), failed]);
  };
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    rmSync(socket, { force: true });
  };
  await launch();
  return {
    url: `unix://${socket}`,
    socket,
    get pid() {
      return child.pid as number;
    },
    kill,
    restart: launch,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
