import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRedisServer, type TestRedis } from '@packice/catalog-redis/testing';
import { connect, type Client } from '@packice/client';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bothBindings,
  killNodeProcesses,
  startNodeProcess,
  until,
  type NodeProcess,
} from './__fixtures__/node-process';

const dir = mkdtempSync(join(tmpdir(), 'packice-scale-'));
const shared = join(dir, 'shared');
const CAPACITY = 1 << 20;
// Nodes of a cluster serving HTTP share one token (they read each other's objects with it).
const TOKEN = 'scale-out-shared-token';
let redis: TestRedis;
const nodes: Record<'a' | 'b', NodeProcess> = {} as never;
const clients: Client[] = [];

function nodeFlags(name: string): string[] {
  return [
    ...bothBindings(join(dir, `${name}.sock`)),
    ...['--storage', 'fs', '--dir', shared, '--redis', redis.url, '--cluster', 'scale-test', '--token', TOKEN],
    ...['--node-id', name, '--capacity', String(CAPACITY)],
  ];
}

async function client(target: string): Promise<Client> {
  const c = await connect(target);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  redis = await startRedisServer();
  nodes.a = await startNodeProcess(nodeFlags('a'));
  nodes.b = await startNodeProcess(nodeFlags('b'));
}, 30_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await Promise.all(Object.values(nodes).map((n) => n.stop()));
  await killNodeProcesses();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const pattern = (n: number, seed: number): Buffer =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) % 251));

describe('two nodes, one Redis, one shared directory', () => {
  it('an object sealed through node A is read through node B: by descriptor over UDS and by path over HTTP', async () => {
    const a = await client(nodes.a.report.socket as string);
    const bytes = pattern(300_000, 1);
    await a.put(bytes, { objectId: 'shared-1', meta: { from: 'a' } });
    const overUds = await client(nodes.b.report.socket as string);
    const overHttp = await client(nodes.b.report.url as string);
    expect((await overUds.get('shared-1')).equals(bytes)).toBe(true);
    expect((await overHttp.get('shared-1')).equals(bytes)).toBe(true);
    // The HTTP answer names the file in the shared directory: a reader on this host opens it.
    const answer = await fetch(`${nodes.b.report.url}/v1/leases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ intent: 'read', object_id: 'shared-1' }),
    });
    const { lease, object } = (await answer.json()) as {
      lease: { lease_id: string };
      object: { blobs: { handle: { kind: string; path: string } }[] };
    };
    expect(object.blobs[0].handle.kind).toBe('path');
    expect(readFileSync(object.blobs[0].handle.path).equals(bytes)).toBe(true);
    await fetch(`${nodes.b.report.url}/v1/leases/${lease.lease_id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    await expect(overUds.stat('shared-1')).resolves.toMatchObject({ size: 300_000, meta: { from: 'a' } });
  });

  it('a watch on node B sees the seals made through node A', async () => {
    const a = await client(nodes.a.report.socket as string);
    const b = await client(nodes.b.report.socket as string);
    const seen: string[] = [];
    const stop = new AbortController();
    const watching = (async () => {
      for await (const event of b.watch({ prefix: 'xw-', signal: stop.signal })) {
        if (event.event === 'sealed') seen.push(`${event.objectId} ${event.size}`);
      }
    })().catch(() => undefined);
    // The subscription is made in the background: seal until one is seen.
    for (let i = 0; seen.length === 0; i++) {
      if (i > 200) throw new Error('node B never reported a seal made through node A');
      await a.put('12345', { objectId: `xw-${i}` });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(seen[0]).toMatch(/^xw-\d+ 5$/);
    stop.abort();
    await watching;
  });

  it('a read waiting on node B wakes when node A seals', async () => {
    const a = await client(nodes.a.report.socket as string);
    const b = await client(nodes.b.report.socket as string);
    const waiting = b.acquire({ intent: 'read', objectId: 'later', timeoutMs: 10_000 });
    const creating = await a.acquire({ intent: 'create', objectId: 'later', blobs: [{ size: 5 }] });
    await creating.write(Buffer.from('hello'), 0);
    await expect(b.acquire({ intent: 'read', objectId: 'later' })).rejects.toMatchObject({ code: 'NOT_SEALED' });
    const sealedAt = Date.now();
    await creating.seal();
    const lease = await waiting;
    const woke = Date.now() - sealedAt;
    expect((await lease.read()).toString()).toBe('hello');
    expect(woke).toBeLessThan(2_000);
    await lease.release();
    await creating.release();
  });

  it('of two creates of one id through both nodes at once, exactly one wins', async () => {
    const a = await client(nodes.a.report.socket as string);
    const b = await client(nodes.b.report.url as string);
    for (let i = 0; i < 20; i++) {
      const outcomes = await Promise.allSettled([
        a.put('from a', { objectId: `race-${i}` }),
        b.put('from b', { objectId: `race-${i}` }),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect([won.length, lost.map((o) => (o.reason as { code: string }).code)]).toEqual([1, ['ALREADY_EXISTS']]);
      expect(['from a', 'from b']).toContain((await a.get(`race-${i}`)).toString());
      await a.delete(`race-${i}`);
    }
  });

  it('lists leases of every node with their node id; a delete waits for the other node to release', async () => {
    const a = await client(nodes.a.report.socket as string);
    const b = await client(nodes.b.report.socket as string);
    await a.put('keep me', { objectId: 'held' });
    const lease = await b.acquire({ intent: 'read', objectId: 'held' });
    const seen = await a.listLeases({ objectId: 'held' });
    expect(seen).toEqual([
      expect.objectContaining({ leaseId: lease.leaseId, holder: expect.objectContaining({ node: 'b' }) }),
    ]);
    await expect(a.stats()).resolves.toMatchObject({ leases: 1, capacity: CAPACITY });
    await expect(a.delete('held')).resolves.toEqual({ deleted: false, pending: true });
    await expect(a.acquire({ intent: 'read', objectId: 'held' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await lease.read()).toString()).toBe('keep me');
    expect(existsSync(join(shared, 'objects', 'held'))).toBe(true);
    await lease.release({ wait: true });
    expect(existsSync(join(shared, 'objects', 'held'))).toBe(false);
    await expect(b.stat('held')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await a.listObjects()).map((o) => o.objectId)).not.toContain('held');
  });

  it('an id deleted and made again through another node is read as the new object', async () => {
    const a = await client(nodes.a.report.socket as string);
    const b = await client(nodes.b.report.socket as string);
    await a.put('first bytes', { objectId: 'again' });
    expect((await b.get('again')).toString()).toBe('first bytes');
    await expect(a.delete('again')).resolves.toEqual({ deleted: true, pending: false });
    await a.put('second bytes', { objectId: 'again' });
    expect((await b.get('again')).toString()).toBe('second bytes');
    await b.delete('again');
  });

  it('bounds the shared space by --capacity across nodes', async () => {
    const a = await client(nodes.a.report.socket as string);
    const b = await client(nodes.b.report.socket as string);
    const { bytes } = await a.stats();
    const free = CAPACITY - bytes;
    await a.put(Buffer.alloc(free - 8192, 1), { objectId: 'big' });
    await expect(b.put(Buffer.alloc(16_384, 2), { objectId: 'too-much' })).rejects.toMatchObject({
      code: 'OUT_OF_CAPACITY',
    });
    await expect(b.stat('too-much')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await b.delete('big');
    await b.put(Buffer.alloc(16_384, 2), { objectId: 'fits-now' });
    await a.delete('fits-now');
  });

  it('a node that is SIGKILLed loses its leases after their TTL; its unsealed create is aborted by the survivor', async () => {
    const c = await startNodeProcess(nodeFlags('c'));
    const doomed = await connect(c.report.socket as string);
    await doomed.put('x', { objectId: 'read-by-c' });
    const half = await doomed.acquire({ intent: 'create', objectId: 'half-done', ttlMs: 1_000, blobs: [{ size: 10 }] });
    await half.write(Buffer.from('0123456789'), 0);
    await doomed.acquire({ intent: 'read', objectId: 'read-by-c', ttlMs: 1_000 });
    const a = await client(nodes.a.report.socket as string);
    await expect(a.delete('read-by-c')).resolves.toEqual({ deleted: false, pending: true });
    expect(existsSync(join(shared, 'objects', 'half-done'))).toBe(true);
    await c.kill();
    await doomed.close().catch(() => undefined);
    await until('the dead node’s leases are swept', async () =>
      (await a.listLeases()).some((l) => l.holder.node === 'c') ? null : true,
    );
    await until('its unsealed create is aborted', () =>
      existsSync(join(shared, 'objects', 'half-done')) ? null : true,
    );
    await until('the pending delete is done', () => (existsSync(join(shared, 'objects', 'read-by-c')) ? null : true));
    await expect(a.stat('half-done')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await a.put('new', { objectId: 'half-done' });
    await a.delete('half-done');
  }, 30_000);

  it('while Redis is gone nodes answer UNAVAILABLE in bounded time and live on; once it is back (empty) every sealed object is served again', async () => {
    const a = await client(nodes.a.report.socket as string);
    const b = await client(nodes.b.report.socket as string);
    const bytes = pattern(50_000, 9);
    await a.put(bytes, { objectId: 'survivor' });
    const held = await b.acquire({ intent: 'read', objectId: 'survivor' });
    await redis.kill();
    const started = Date.now();
    await expect(b.put('nope', { objectId: 'while-down' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(a.get('survivor')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(6_000);
    await redis.restart();
    // Each node reconnects on its own schedule: until then its calls fail with UNAVAILABLE.
    for (const [name, peer] of [
      ['B', b],
      ['A', a],
    ] as const) {
      const back = await until(`the object is served again through ${name}`, () =>
        peer.get('survivor').catch(() => null),
      );
      expect(back.equals(bytes)).toBe(true);
    }
    // The lease node B held across the restart is known again: a delete waits for it.
    await until('B’s lease is recorded again', async () => {
      const leases = await a.listLeases({ objectId: 'survivor' }).catch(() => []);
      return leases.some((l) => l.leaseId === held.leaseId) ? true : null;
    });
    await expect(a.delete('survivor')).resolves.toEqual({ deleted: false, pending: true });
    expect((await held.read()).equals(bytes)).toBe(true);
    await held.release({ wait: true });
    expect(existsSync(join(shared, 'objects', 'survivor'))).toBe(false);
    for (const node of Object.values(nodes)) expect(node.child.exitCode).toBeNull();
  }, 30_000);

  it('Redis restarted mid-traffic: calls fail with codes in bounded time, no node crashes, no sealed object is lost', async () => {
    // Two nodes of their own (another cluster, no capacity), so the traffic is bounded by time only.
    const flags = (name: string): string[] => [
      ...['--socket', join(dir, `${name}.sock`), '--storage', 'fs', '--dir', join(dir, 'mid')],
      ...['--redis', redis.url, '--cluster', 'mid-traffic', '--node-id', name, '--token', TOKEN],
    ];
    const pair = [await startNodeProcess(flags('m1')), await startNodeProcess(flags('m2'))];
    const sockets = pair.map((n) => n.report.socket as string);
    const workers = await Promise.all([0, 1, 0, 1].map((i) => client(sockets[i])));
    const readers = await Promise.all([1, 0].map((i) => client(sockets[i])));
    const sealed = new Map<string, Buffer>();
    const codes = new Map<string, number>();
    let slowest = 0;
    let ops = 0;
    let stop = false;
    const timed = async <T>(fn: () => Promise<T>): Promise<T | null> => {
      const started = Date.now();
      try {
        return await fn();
      } catch (err) {
        const code = (err as { code?: string }).code ?? String(err);
        codes.set(code, (codes.get(code) ?? 0) + 1);
        return null;
      } finally {
        ops++;
        slowest = Math.max(slowest, Date.now() - started);
      }
    };
    const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    const traffic = workers.map(async (worker, w) => {
      for (let i = 0; !stop; i++) {
        const id = `mid-${w}-${i}`;
        const bytes = pattern(1_000 + ((i * 7919) % 60_000), w + i);
        if (await timed(() => worker.put(bytes, { objectId: id }))) sealed.set(id, bytes);
        const ids = [...sealed.keys()];
        const other = ids[(i * 31) % Math.max(1, ids.length)];
        if (other) {
          const got = await timed(() => readers[w % 2].get(other));
          if (got && !got.equals(sealed.get(other) as Buffer)) codes.set('WRONG_BYTES', 1);
        }
        // While Redis is away calls fail at once: do not spin.
        if (!sealed.has(id)) await pause(10);
      }
    });
    try {
      await pause(700);
      const beforeKill = sealed.size;
      await redis.kill();
      await pause(1_000);
      await redis.restart();
      await until('traffic goes through again', () => (sealed.size > beforeKill + 20 ? true : null));
    } finally {
      stop = true;
      await Promise.all(traffic);
    }
    // Every object whose put succeeded, before, during or after, is served identical by both nodes.
    const all = [...sealed.entries()];
    for (const reader of readers) {
      for (const [id, bytes] of all) {
        const got = await until(`${id} is served`, async () => reader.get(id).catch(() => null));
        expect(got.equals(bytes)).toBe(true);
      }
    }
    for (const node of pair) expect(node.child.exitCode).toBeNull();
    expect([...codes.keys()].filter((c) => c !== 'UNAVAILABLE' && c !== 'NOT_FOUND')).toEqual([]);
    expect(codes.get('UNAVAILABLE')).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(5_000);
    process.stdout.write(
      `scale-out: Redis restarted under 4 writers and 2 readers: ${ops} calls, ${all.length} objects sealed and all ` +
        `served after; refused: ${JSON.stringify(Object.fromEntries(codes))}; slowest call ${slowest} ms\n`,
    );
    await Promise.all(pair.map((n) => n.stop()));
  }, 60_000);
});

/** Flags of a memory-storage node `name` of `cluster` (UDS and HTTP on a free port). */
function memoryClusterFlags(cluster: string, name: string): string[] {
  return [
    ...['--socket', join(dir, `${cluster}-${name}.sock`), '--transport', 'uds,http', '--port', '0'],
    ...['--redis', redis.url, '--cluster', cluster, '--node-id', name, '--token', TOKEN],
  ];
}

describe('memory storage over one Redis: objects stay with the node that made them', () => {
  it('another node answers a read with the owner’s data-plane URL; without HTTP at the owner, a coded error', async () => {
    const flags = (name: string, transport: string): string[] => [
      ...['--socket', join(dir, `${name}.sock`), '--transport', transport, '--port', '0'],
      ...['--redis', redis.url, '--cluster', 'memory', '--node-id', name, '--token', TOKEN],
    ];
    const owner = await startNodeProcess(flags('owner', 'uds,http'));
    const quiet = await startNodeProcess(flags('quiet', 'uds'));
    const atOwner = await client(owner.report.socket as string);
    const atQuiet = await client(quiet.report.socket as string);
    const overHttp = await client(owner.report.url as string);
    const bytes = pattern(200_000, 3);
    await atOwner.put(bytes, { objectId: 'in-memory', meta: { kind: 'frame' } });

    // Through the other node, over UDS: the handle is the owner's URL, the client copies the bytes from there.
    const lease = await atQuiet.acquire({ intent: 'read', objectId: 'in-memory' });
    expect((await lease.read()).equals(bytes)).toBe(true);
    const held = await overHttp.listLeases({ objectId: 'in-memory' });
    expect(held).toEqual([
      expect.objectContaining({ leaseId: lease.leaseId, holder: expect.objectContaining({ node: 'owner' }) }),
    ]);
    await expect(atOwner.delete('in-memory')).resolves.toEqual({ deleted: false, pending: true });
    await lease.release({ wait: true });
    await expect(atQuiet.stat('in-memory')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // An object in the memory of a node without HTTP cannot be read elsewhere: a code that says why.
    await atQuiet.put('kept here', { objectId: 'quiet-one' });
    await expect(atOwner.get('quiet-one')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('serves no HTTP'),
    });
    expect((await atQuiet.get('quiet-one')).toString()).toBe('kept here');
    await atQuiet.delete('quiet-one');
    await Promise.all([owner.stop(), quiet.stop()]);
  }, 30_000);

  it("a dead owner's memory objects leave the catalog once its heartbeat expires, with deleted events", async () => {
    const flags = (name: string): string[] => memoryClusterFlags('heartbeat', name);
    const doomed = await startNodeProcess(flags('doomed'));
    const survivor = await startNodeProcess(flags('survivor'));
    const atDoomed = await client(doomed.report.socket as string);
    const atSurvivor = await client(survivor.report.socket as string);
    await atDoomed.put('lost with its node', { objectId: 'doomed-1' });
    await atSurvivor.put('stays', { objectId: 'survivor-1' });
    expect((await atSurvivor.listObjects()).map((o) => o.objectId).sort()).toEqual(['doomed-1', 'survivor-1']);
    const events = atSurvivor.watch({ prefix: 'doomed-' });
    const deleted = (async () => {
      for await (const event of events) if (event.event === 'deleted') return event;
      return null;
    })();
    await doomed.kill(); // no goodbye: only its heartbeat stops
    await until('the dead owner’s object to leave the catalog', async () =>
      (await atSurvivor.listObjects()).some((o) => o.objectId === 'doomed-1') ? null : true,
    );
    await expect(deleted).resolves.toMatchObject({ event: 'deleted', objectId: 'doomed-1' });
    await expect(atSurvivor.stat('doomed-1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await atSurvivor.stats()).objects).toBe(1);
    await events.return?.();
    await atSurvivor.delete('survivor-1');
    await survivor.stop();
  }, 30_000);

  it('an owner counted dead that comes back registers its memory objects again', async () => {
    const flags = (name: string): string[] => memoryClusterFlags('comeback', name);
    const sleeper = await startNodeProcess(flags('sleeper'));
    const watcher = await startNodeProcess(flags('watcher'));
    const atSleeper = await client(sleeper.report.socket as string);
    const atWatcher = await client(watcher.report.socket as string);
    await atSleeper.put('still here', { objectId: 'sleeper-1' });
    sleeper.child.kill('SIGSTOP'); // frozen: no heartbeat, yet it keeps the bytes
    try {
      await until('the frozen owner’s object to leave the catalog', async () =>
        (await atWatcher.listObjects()).length === 0 ? true : null,
      );
    } finally {
      sleeper.child.kill('SIGCONT');
    }
    await until('the owner to register its object again', async () =>
      (await atWatcher.listObjects()).some((o) => o.objectId === 'sleeper-1') ? true : null,
    );
    expect((await atWatcher.get('sleeper-1')).toString()).toBe('still here');
    await atSleeper.delete('sleeper-1');
    await Promise.all([sleeper.stop(), watcher.stop()]);
  }, 30_000);
});
