import { afterAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpTransport } from './http-transport';

const SIZE = 256 << 20;
const CHUNK = 1 << 20;
const dir = mkdtempSync(join(tmpdir(), 'packice-http-proc-'));
const nodes: ChildProcess[] = [];

/** Resident memory of a process, in bytes. */
function rss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

async function* generate(hash: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  for (let sent = 0; sent < SIZE; sent += CHUNK) {
    const chunk = Buffer.alloc(CHUNK, (sent / CHUNK) % 251);
    hash.update(chunk);
    yield chunk;
  }
}

afterAll(async () => {
  for (const node of nodes) {
    if (node.exitCode === null) {
      const exited = once(node, 'exit');
      node.kill('SIGTERM');
      await exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['mem', 'fs'] as const)('a node process, %s storage, over HTTP', (storage) => {
  it('moves 256 MiB through the data plane both ways with the node RSS growing well under that', async () => {
    const node = fork(join(__dirname, '__fixtures__/http-node.cjs'), [storage, join(dir, storage)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    nodes.push(node);
    const [{ url, pid }] = (await once(node, 'message')) as [{ url: string; pid: number }];
    const t = new HttpTransport(url);
    const baseline = rss(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 20);
    try {
      const created = await t.request('acquire', {
        intent: 'create',
        object_id: 'big',
        blobs: [{ size: SIZE }],
      });
      const sent = createHash('sha256');
      await expect(t.putBlob(created.lease.lease_id, 0, generate(sent))).resolves.toBe(SIZE);
      await t.request('seal', { lease_id: created.lease.lease_id });
      const read = await t.request('acquire', { intent: 'read', object_id: 'big' });
      const received = createHash('sha256');
      let bytes = 0;
      for await (const chunk of await t.getBlob(read.lease.lease_id, 0)) {
        received.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      expect(bytes).toBe(SIZE);
      expect(received.digest('hex')).toBe(sent.digest('hex'));
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - baseline;
    process.stdout.write(
      `${storage}: node RSS ${(baseline / 2 ** 20).toFixed(0)} MiB, peak +${(growth / 2 ** 20).toFixed(1)} MiB for a 256 MiB round trip\n`,
    );
    expect(growth).toBeLessThan(SIZE / 4);
  }, 120_000);
});
