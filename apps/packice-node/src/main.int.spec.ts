import { afterAll, describe, expect, it } from '@jest/globals';
import { connect } from '@packice/client';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeReport } from '@packice/node-process';

const main = join(__dirname, '../dist/main.js');
const dir = mkdtempSync(join(tmpdir(), 'packice-node-app-'));
const running: ChildProcess[] = [];

afterAll(async () => {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the node app; resolves with the report it sends over its IPC channel once listening. */
async function startNode(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; ready: NodeReport }> {
  const child = spawn(process.execPath, [main, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  running.push(child);
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const ready = await new Promise<NodeReport>((resolve, reject) => {
    child.once('message', (report: NodeReport) => resolve(report));
    child.once('exit', (code) => reject(new Error(`node exited ${code}: ${err}`)));
  });
  child.disconnect();
  return { child, ready };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  return ((await exited) as [number | null])[0];
}

describe('the node app (dist/main.js)', () => {
  it('starts with the defaults: UDS + memory at $XDG_RUNTIME_DIR/packice/node.sock, 0600 in a 0700 dir', async () => {
    const runtime = join(dir, 'runtime');
    const { child, ready } = await startNode(['--log-level', 'info'], { XDG_RUNTIME_DIR: runtime });
    const socket = join(runtime, 'packice', 'node.sock');
    expect(ready).toEqual({
      type: 'ready',
      pid: child.pid,
      socket,
      url: null,
      storage: 'mem',
      pidfile: null,
      metrics: null,
      tokenFile: null,
      record: null,
    });
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(statSync(join(runtime, 'packice')).mode & 0o777).toBe(0o700);
    const client = await connect(socket);
    await client.put('default node', { objectId: 'd' });
    expect((await client.get('d')).toString()).toBe('default node');
    await client.close();
    expect(await stop(child)).toBe(0);
    expect(existsSync(socket)).toBe(false);
  });

  it('serves UDS and HTTP from one fs-backed Peer, writes a pidfile, shuts down gracefully, and comes back with its objects', async () => {
    const socket = join(dir, 'both.sock');
    const pidfile = join(dir, 'node.pid');
    const args = [
      '--impl',
      'fs',
      '--dir',
      join(dir, 'store'),
      '--transport',
      'uds,http',
      '--socket',
      socket,
      '--port',
      '0',
      '--pidfile',
      pidfile,
      '--capacity',
      '64MiB',
      '--token',
      'a-long-token',
    ];
    const first = await startNode(args);
    expect(readFileSync(pidfile, 'utf8').trim()).toBe(String(first.child.pid));
    const overUds = await connect(socket);
    await overUds.put('kept across restarts', { objectId: 'durable', meta: { via: 'uds' } });
    expect(first.ready).toMatchObject({
      type: 'ready',
      socket,
      pidfile,
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    const overHttp = await connect((first.ready as { url: string }).url, { token: 'a-long-token' });
    expect((await overHttp.get('durable')).toString()).toBe('kept across restarts');
    await expect(overHttp.stats()).resolves.toMatchObject({ capacity: 64 * 2 ** 20, objects: 1 });
    await Promise.all([overUds.close(), overHttp.close()]);
    expect(await stop(first.child)).toBe(0);
    expect(existsSync(socket)).toBe(false);
    expect(existsSync(pidfile)).toBe(false);

    const second = await startNode(args);
    const again = await connect(socket);
    await expect(again.stat('durable')).resolves.toMatchObject({ state: 'sealed', meta: { via: 'uds' } });
    expect((await again.get('durable')).toString()).toBe('kept across restarts');
    await again.close();
    expect(await stop(second.child)).toBe(0);
  });

  it('refuses bad settings with a coded message, a failed report and exit code 1', async () => {
    const child = spawn(process.execPath, [main, '--capacity', 'plenty'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    running.push(child);
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const reports: NodeReport[] = [];
    child.on('message', (report: NodeReport) => reports.push(report));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(err).toContain('BAD_REQUEST');
    expect(err).toContain('capacity');
    expect(reports).toEqual([
      { type: 'failed', pid: child.pid, code: 'BAD_REQUEST', message: expect.stringContaining('capacity') },
    ]);
  });

  it('prints its own flags with --help', async () => {
    const child = spawn(process.execPath, [main, '--help'], { stdio: ['ignore', 'pipe', 'ignore'] });
    running.push(child);
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    for (const flag of ['--storage', '--transport', '--capacity', '--default-ttl', '--config'])
      expect(out).toContain(flag);
  });
});
