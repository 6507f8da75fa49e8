import { afterAll, describe, expect, it } from '@jest/globals';
import { connect } from '@packice/client';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killNodeProcesses, NODE_MAIN, startNodeProcess, until } from './__fixtures__/node-process';

// A node killed with SIGKILL is a zombie until its parent reaps it: for a while on some hosts,
// forever in a container whose PID 1 does not reap. These tests make such a zombie on purpose
// (its parent execs `sleep`, which never reaps) and start a new node on its socket at once.

const dir = mkdtempSync(join(tmpdir(), 'packice-restart-'));
const holders: ChildProcess[] = [];

afterAll(async () => {
  await killNodeProcesses();
  for (const holder of holders) {
    if (holder.exitCode === null && holder.signalCode === null) {
      const exited = once(holder, 'exit');
      holder.kill('SIGKILL');
      await exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

const state = (pid: number): string | null => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] ?? null;
  } catch {
    return null;
  }
};

/** Starts a node whose parent never reaps it; resolves with its pid once it answers on `socket`. */
async function startUnreaped(args: string[], socket: string): Promise<number> {
  const flags = [...args, '--log-level', 'silent'].map((a) => `'${a}'`).join(' ');
  const script = `"${process.execPath}" "${NODE_MAIN}" ${flags} & echo $!; exec sleep 600`;
  const holder = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  holders.push(holder);
  const [chunk] = (await once(holder.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  const pid = Number(chunk.toString().split('\n')[0]);
  await until('node answers', async () => {
    try {
      const client = await connect(socket, { timeoutMs: 200 });
      await client.close();
      return true;
    } catch {
      return null;
    }
  });
  return pid;
}

describe('restarting after a crash', () => {
  it('starts at once on the socket, pidfile and directory of a SIGKILLed node that is still a zombie', async () => {
    const socket = join(dir, 'node.sock');
    const pidfile = join(dir, 'node.pid');
    const args = ['--storage', 'fs', '--dir', join(dir, 'store'), '--socket', socket, '--pidfile', pidfile];
    const first = await startUnreaped(args, socket);
    const client = await connect(socket);
    const bytes = Buffer.from('sealed before the crash');
    await client.put(bytes, { objectId: 'kept' });
    const unsealed = await client.acquire({ intent: 'create', objectId: 'half', blobs: [{ size: 64 }] });
    await unsealed.write('half written');
    process.kill(first, 'SIGKILL');
    await until('zombie', () => (state(first) === 'Z' ? true : null));
    await client.close();

    const second = await startNodeProcess(args);
    expect(second.report).toMatchObject({ type: 'ready', socket, pidfile });
    expect(readFileSync(pidfile, 'utf8').trim()).toBe(String(second.pid));
    const again = await connect(socket);
    expect((await again.get('kept')).equals(bytes)).toBe(true);
    await expect(again.stat('half')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await again.close();

    await expect(startNodeProcess(args)).rejects.toThrow(/ALREADY_EXISTS: pidfile .* is held by a running node/);
    expect(await second.stop()).toBe(0);
  }, 60_000);
});
