import { afterAll, describe, expect, it } from '@jest/globals';
import { connect, type Client } from '@packice/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anonBytes, fdCount, killNodeProcesses, slabCount, startNodeProcess } from './__fixtures__/node-process';

// A node under a 1,024-descriptor limit (soft and hard, so it cannot raise it). With slabs off,
// filled with 100-byte memory objects until it refuses, as a careless client would; with slabs
// (the default), 100,000 small objects under the same limit.

const dir = mkdtempSync(join(tmpdir(), 'packice-limits-'));
const LIMIT = 1024;

afterAll(async () => {
  await killNodeProcesses();
  rmSync(dir, { recursive: true, force: true });
});

describe('a node at its descriptor limit', () => {
  it('with slabs off, holds one descriptor per object, refuses more with OUT_OF_CAPACITY, keeps serving, and recovers', async () => {
    const socket = join(dir, 'node.sock');
    const node = await startNodeProcess(['--socket', socket, '--small-objects', '0'], {
      shell: `ulimit -n ${LIMIT}`,
    });
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

  it('with slabs (the default), holds 100,000 live 1 KiB objects in under 200 descriptors, each read back exact', async () => {
    const socket = join(dir, 'many.sock');
    const node = await startNodeProcess(['--socket', socket], { shell: `ulimit -n ${LIMIT}` });
    const COUNT = 100_000;
    const WRITERS = 4;
    const payload = (i: number): Buffer => {
      const bytes = Buffer.alloc(1024, i % 251);
      bytes.writeUInt32LE(i, 0);
      return bytes;
    };
    const clients = await Promise.all(Array.from({ length: WRITERS }, () => connect(socket)));
    const before = anonBytes(node.pid);
    await Promise.all(
      clients.map(async (client, w) => {
        for (let i = w; i < COUNT; i += WRITERS) await client.put(payload(i), { objectId: `k-${i}` });
      }),
    );
    const stats = await clients[0].stats();
    expect(stats).toMatchObject({ objects: COUNT, bytes: COUNT * 1024, fdsLimit: LIMIT });
    const slabs = slabCount(node.pid);
    const fds = fdCount(node.pid) + slabs;
    expect(fds).toBeLessThan(200);
    // Memory outside shared memory plus the slabs' bytes, per live object (payload included).
    const perObject = (anonBytes(node.pid) - before + slabs * 4 * 2 ** 20) / COUNT;
    let verified = 0;
    const BATCH = 256;
    await Promise.all(
      clients.map(async (client, w) => {
        for (let start = w * BATCH; start < COUNT; start += WRITERS * BATCH) {
          const ids = Array.from({ length: Math.min(BATCH, COUNT - start) }, (_, k) => `k-${start + k}`);
          for (const [k, lease] of (await client.acquireMany(ids)).entries()) {
            if (lease instanceof Error) throw lease;
            if ((await lease.map()).equals(payload(start + k))) verified++;
            await lease.release();
          }
        }
      }),
    );
    expect(verified).toBe(COUNT);
    // A replay over 100,000 objects stays within the events' bound: what fits, then an overflow
    // that counts the rest; none twice, none missing from the count.
    const replayed = new Set<string>();
    let dropped = 0;
    for await (const event of clients[1].watch({ replay: true })) {
      if (event.event === 'overflow') dropped += event.dropped;
      else if (event.replay) replayed.add(event.objectId);
      if (replayed.size + dropped >= COUNT) break;
    }
    expect(replayed.size + dropped).toBe(COUNT);
    expect(fdCount(node.pid) + slabCount(node.pid)).toBeLessThan(200);
    // Listing pages (1,000 a page): every object, none twice, without an answer of many MiB.
    const listed = await clients[0].listObjects();
    expect(new Set(listed.map((o) => o.objectId)).size).toBe(COUNT);
    process.stdout.write(
      `limits: ${COUNT} objects of 1 KiB under ulimit -n ${LIMIT}: ${fds} node descriptors (${slabs} slabs), ` +
        `${(perObject / 1024).toFixed(2)} KiB of node memory per object, all ${verified} read back exact\n`,
    );
    // Issue 22's bound, payload included; garbage not yet collected counts too (a live object
    // holds ~0.7 KiB of heap and its 1 KiB slot).
    expect(perObject).toBeLessThan(2.5 * 1024);
    await Promise.all(clients.map((client) => client.close()));
    expect(await node.stop()).toBe(0);
  }, 180_000);
});
