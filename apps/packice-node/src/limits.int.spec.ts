import { afterAll, describe, expect, it } from '@jest/globals';
import { connect, type Client } from '@packice/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fdCount, killNodeProcesses, startNodeProcess } from './__fixtures__/node-process';

// A node under a 1,024-descriptor limit (soft and hard, so it cannot raise it), filled with
// 100-byte memory objects until it refuses, as a careless client would.

const dir = mkdtempSync(join(tmpdir(), 'packice-limits-'));
const LIMIT = 1024;

afterAll(async () => {
  await killNodeProcesses();
  rmSync(dir, { recursive: true, force: true });
});

describe('a node at its descriptor limit', () => {
  it('holds one descriptor per object, refuses more with OUT_OF_CAPACITY, keeps serving, and recovers', async () => {
    const socket = join(dir, 'node.sock');
    const node = await startNodeProcess(['--socket', socket], { shell: `ulimit -n ${LIMIT}` });
    const pid = node.pid;
    const client = await connect(socket);
    let made = 0;
    let refusal: unknown = null;
    while (refusal === null && made < LIMIT) {
      try {
        await client.put(Buffer.alloc(100, made & 0xff), { objectId: `o-${made}` });
        made++;
      } catch (err) {
        refusal = err;
      }
    }
    expect(refusal).toMatchObject({ code: 'OUT_OF_CAPACITY', message: expect.stringContaining('RLIMIT_NOFILE') });
    // The reserve (64) and the node's own descriptors (about 30) are all it keeps back.
    expect(made).toBeGreaterThan(LIMIT - 64 - 60);
    expect(fdCount(pid)).toBeLessThan(LIMIT);
    const stats = await client.stats();
    expect(stats).toMatchObject({ objects: made, fdsLimit: LIMIT, bytes: made * 4096 });
    expect(stats.fdsInUse).toBeGreaterThan(made);

    // New clients still connect, read (a descriptor passed per answer), and see the same node.
    const others: Client[] = [];
    for (let i = 0; i < 8; i++) others.push(await connect(socket));
    for (const [i, other] of others.entries()) {
      const lease = await other.acquire({ intent: 'read', objectId: `o-${i}` });
      expect((await lease.map()).equals(Buffer.alloc(100, i))).toBe(true);
      await lease.release();
    }
    await Promise.all(others.map((other) => other.close()));

    // Deleting objects gives their descriptors back: creates work again.
    for (let i = 0; i < 10; i++) await client.delete(`o-${i}`);
    await client.put('again', { objectId: 'after-delete' });
    expect((await client.get('after-delete')).toString()).toBe('again');
    await client.close();
    expect(await node.stop()).toBe(0);
  }, 120_000);
});
