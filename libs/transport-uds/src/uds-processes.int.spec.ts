import type { WireStats } from '@packice/protocol';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectUds, type UdsTransport } from './uds-transport';
import { eventually } from './__fixtures__/eventually';

const fixtures = join(__dirname, '__fixtures__');
const dir = mkdtempSync(join(tmpdir(), 'packice-uds-proc-'));
const path = join(dir, 'node.sock');
let node: ChildProcess;
let inspector: UdsTransport;

interface Outcome {
  ok: boolean;
  [key: string]: unknown;
}

/** Runs a client process to its end; resolves with the JSON line it printed. */
async function runClient(...args: string[]): Promise<Outcome> {
  const child = fork(join(fixtures, 'uds-client.cjs'), args, {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    execArgv: [],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  // 'close', not 'exit': a process may have exited while its last output is still in the pipe.
  const [code] = (await once(child, 'close')) as [number];
  const outcome = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Outcome;
  if (code !== 0) throw new Error(`client ${args.join(' ')} exited ${code}: ${JSON.stringify(outcome)}`);
  return outcome;
}

const isSlab = (fd: string): boolean => {
  try {
    return readlinkSync(`/proc/${node.pid}/fd/${fd}`).startsWith('/memfd:packice:slab:');
  } catch {
    return false;
  }
};
// Small-object slabs are the node's own memory (a size class keeps its last one when empty): apart.
const nodeFds = (): number => readdirSync(`/proc/${node.pid}/fd`).filter((fd) => !isSlab(fd)).length;
const slabFds = (): number => readdirSync(`/proc/${node.pid}/fd`).filter(isSlab).length;

async function stats(): Promise<WireStats> {
  return (await inspector.request('stats')).body;
}

beforeAll(async () => {
  node = fork(join(fixtures, 'uds-node.cjs'), [path], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const [message] = (await once(node, 'message')) as [{ ready: boolean }];
  expect(message.ready).toBe(true);
  inspector = await connectUds(path);
});

afterAll(async () => {
  await inspector?.close();
  if (node.exitCode === null) {
    const exited = once(node, 'exit');
    node.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('a node process serving client processes over UDS', () => {
  it('serves a 0600 socket', () => {
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('one process writes and seals 64 MiB; another, connected first and waiting, maps and checks it', async () => {
    const size = 64 << 20;
    const before = nodeFds();
    const reader = runClient('read', path, 'big', '30000');
    await eventually(() => nodeFds() > before); // the reader is connected before the writer starts
    const writer = await runClient('write', path, 'big', String(size));
    expect(writer).toEqual({ ok: true, size, tamper: 'EPERM' });
    await expect(reader).resolves.toMatchObject({ ok: true, size, mapped: true });
  });

  it('8 concurrent clients x 500 create/read/release cycles: no error, no descriptor growth in the node', async () => {
    const before = nodeFds();
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => runClient('cycle', path, `c${i}`, '500')));
    expect(outcomes).toEqual(Array.from({ length: 8 }, () => ({ ok: true, cycles: 500 })));
    await eventually(() => nodeFds() <= before);
    expect(slabFds()).toBeLessThanOrEqual(2); // the cycles' objects are of one or two size classes
    await expect(stats()).resolves.toMatchObject({ leases: 0 });
    const left = (await inspector.request('list_objects')).body.objects as { object_id: string }[];
    expect(left.filter((o) => /^c\d-/.test(o.object_id))).toEqual([]);
  }, 120_000);

  it('a client killed with SIGKILL mid-create leaves no object and no descriptor behind', async () => {
    const before = nodeFds();
    const holder = fork(join(fixtures, 'uds-client.cjs'), ['hold', path, 'doomed', String(8 << 20)], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      execArgv: [],
    });
    await once(holder.stdout as NodeJS.ReadableStream, 'data');
    await expect(inspector.request('stat', { object_id: 'doomed' })).resolves.toMatchObject({
      body: { object: { state: 'creating' } },
    });
    const exited = once(holder, 'exit');
    holder.kill('SIGKILL');
    await exited;
    await eventually(async () => {
      const s = await stats();
      return s.leases === 0 && nodeFds() <= before;
    });
    await expect(inspector.request('stat', { object_id: 'doomed' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('shuts down gracefully on SIGTERM: exit 0, socket file removed', async () => {
    await inspector.close();
    const exited = once(node, 'exit');
    node.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
    expect(existsSync(path)).toBe(false);
  });
});
