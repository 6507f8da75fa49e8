import { afterAll, describe, expect, it } from '@jest/globals';
import { connect } from '@packice/client';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bothBindings,
  fdCount,
  slabCount,
  killNodeProcesses,
  rssBytes,
  SOAK,
  startNodeProcess,
  until,
} from './__fixtures__/node-process';

// Load: 8 client processes, half over UDS and half over HTTP, mixed operations on one node for a
// bounded time. Zero errors, every read exactly the sealed bytes, and the node's descriptors and
// memory back where they were once the objects are gone.

const dir = mkdtempSync(join(tmpdir(), 'packice-load-'));
const trafficClient = join(__dirname, '__fixtures__', 'traffic-client.cjs');
const MB = 2 ** 20;

afterAll(async () => {
  await killNodeProcesses();
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  ops: number;
  errors: number;
  verified: number;
  made: number;
  kinds: Record<string, number>;
  fatal?: string;
}

async function runClient(target: string, prefix: string, ms: number): Promise<Outcome> {
  const child = spawn(process.execPath, [trafficClient, target, prefix, String(ms), 'mixed'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await once(child, 'exit');
  return JSON.parse(out.trim().split('\n').pop() as string) as Outcome;
}

describe('load', () => {
  it('8 clients over UDS and HTTP with mixed operations: no error, exact bytes, flat descriptors and memory', async () => {
    const socket = join(dir, 'node.sock');
    const node = await startNodeProcess(bothBindings(socket));
    const url = node.report.url as string;
    const checker = await connect(socket);
    // Warm up once so that the baseline includes what the first requests allocate for good.
    await (await connect(url)).put('warm', { objectId: 'warm' });
    await checker.delete('warm');
    const fdsBefore = fdCount(node.pid);
    const rssBefore = rssBytes(node.pid);
    const ms = 4_000 * SOAK;
    const started = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => runClient(i < 4 ? socket : url, `c${i}`, ms)),
    );
    const seconds = (Date.now() - started) / 1000;
    const rssPeak = rssBytes(node.pid);
    expect(outcomes.filter((o) => o.fatal)).toEqual([]);
    expect(outcomes.map((o) => o.kinds)).toEqual(outcomes.map(() => ({})));
    const total = outcomes.reduce(
      (t, o) => ({ ops: t.ops + o.ops, verified: t.verified + o.verified, made: t.made + o.made }),
      {
        ops: 0,
        verified: 0,
        made: 0,
      },
    );
    expect(total.verified).toBeGreaterThanOrEqual(total.made);

    for (const object of await checker.listObjects()) await checker.delete(object.objectId);
    await until('no objects or leases left', async () => {
      const stats = await checker.stats();
      return stats.objects === 0 && stats.leases === 0 ? true : null;
    });
    await until('node descriptors back to baseline', () => (fdCount(node.pid) <= fdsBefore ? true : null));
    // With every object gone, each small-object size class keeps at most its last (empty) slab.
    expect(slabCount(node.pid)).toBeLessThanOrEqual(11);
    const rssAfter = rssBytes(node.pid);
    process.stdout.write(
      `load: ${total.ops} operations (${Math.round(total.ops / seconds)}/s) by 8 clients in ${seconds.toFixed(1)} s, ` +
        `${total.made} objects made, ${total.verified} reads verified, 0 errors; node fds ${fdsBefore} -> ${fdCount(node.pid)}, ` +
        `RSS ${(rssBefore / MB).toFixed(0)} MiB, peak ${(rssPeak / MB).toFixed(0)} MiB, after ${(rssAfter / MB).toFixed(0)} MiB\n`,
    );
    // Memory may keep V8's grown heap, but not the objects' bytes (hundreds of MiB went through).
    expect(rssAfter - rssBefore).toBeLessThan(96 * MB);
    await checker.close();
    expect(await node.stop()).toBe(0);
  }, 300_000);
});
