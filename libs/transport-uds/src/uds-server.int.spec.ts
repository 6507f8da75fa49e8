import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createPeer, type Peer } from '@packice/core';
import {
  connectUnix,
  freezeMapping,
  listenUnix,
  mapFd,
  receiveMessage,
  reopenReadOnly,
  sendMessage,
  watchFd,
} from '@packice/native';
import { createFsStorage } from '@packice/storage-fs';
import { createMemStorage } from '@packice/storage-mem';
import { once } from 'node:events';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient } from './__fixtures__/raw-client';
import { eventually } from './__fixtures__/eventually';
import { createUdsServer, type UdsServer } from './uds-server';
import { connectUds, type UdsTransport } from './uds-transport';

let dir: string;
let peer: Peer;
let server: UdsServer;
let path: string;
const cleanups: (() => Promise<void> | void)[] = [];

async function startNode(options: { capacityBytes?: number; fs?: boolean; allowUids?: number[] } = {}): Promise<void> {
  path = join(dir, 'node.sock');
  peer = createPeer({
    storage: options.fs ? createFsStorage({ root: join(dir, 'store') }) : createMemStorage(),
    capacityBytes: options.capacityBytes ?? 1 << 20,
  });
  server = createUdsServer(peer, { path, allowUids: options.allowUids });
  await server.listen();
  cleanups.push(async () => {
    await server.close();
    await peer.close();
  });
}

async function client(): Promise<UdsTransport> {
  const transport = await connectUds(path);
  cleanups.push(() => transport.close());
  return transport;
}

async function raw(): Promise<RawClient> {
  const c = await RawClient.connect(path);
  cleanups.push(() => c.close());
  return c;
}

const readAll = (fd: number, length: number): string => {
  const buf = Buffer.alloc(length);
  return buf.subarray(0, readSync(fd, buf, 0, length, 0)).toString();
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'packice-uds-'));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('UDS binding, spoken raw (net + JSON lines, from docs/protocol.md alone)', () => {
  beforeEach(() => startNode());

  it('makes the socket file 0600', () => {
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('answers hello, ping, stats, list_objects and list_leases', async () => {
    const c = await raw();
    await expect(c.call({ id: 1, op: 'hello', client: 'raw-test' })).resolves.toMatchObject({
      id: 1,
      ok: true,
      protocol: 1,
      server: { name: 'packice', version: expect.any(String) },
      storage: 'mem',
      transport: 'uds',
      features: expect.arrayContaining(['fd-handles', 'wait-for-seal', 'release-with-acquire']),
    });
    await expect(c.call({ id: 2, op: 'ping' })).resolves.toEqual({ id: 2, ok: true });
    await expect(c.call({ id: 3, op: 'stats' })).resolves.toEqual({
      id: 3,
      ok: true,
      objects: 0,
      leases: 0,
      bytes: 0,
      capacity: 1 << 20,
      evictions: 0,
      spare_bytes: 0, // no slab yet
      uptime_ms: expect.any(Number),
    });
    await expect(c.call({ id: 4, op: 'list_objects' })).resolves.toEqual({ id: 4, ok: true, objects: [] });
    await expect(c.call({ id: 5, op: 'list_leases' })).resolves.toEqual({ id: 5, ok: true, leases: [] });
  });

  it('creates, seals and reads an object; answers carry fds: N and fd handles', async () => {
    const c = await raw();
    const created = await c.call({
      id: 1,
      op: 'acquire',
      intent: 'create',
      object_id: 'raw-obj',
      blobs: [{ size: 5 }],
      meta: { k: 'v' },
    });
    expect(created).toMatchObject({
      ok: true,
      fds: 1,
      lease: {
        object_id: 'raw-obj',
        access: 'create',
        holder: { transport: 'uds', pid: process.pid, uid: process.getuid?.() },
      },
      object: {
        object_id: 'raw-obj',
        state: 'creating',
        meta: { k: 'v' },
        blobs: [{ size: 5, handle: { kind: 'fd', fd: 0 } }],
      },
    });
    const leaseId = (created.lease as { lease_id: string }).lease_id;
    await expect(c.call({ id: 2, op: 'seal', lease_id: leaseId })).resolves.toMatchObject({
      ok: true,
      object: { state: 'sealed', size: 5, sealed_at: expect.any(Number) },
    });
    await expect(c.call({ id: 3, op: 'stat', object_id: 'raw-obj' })).resolves.toMatchObject({
      object: { object_id: 'raw-obj', state: 'sealed', blobs: [{ size: 5 }] },
    });
    await expect(c.call({ id: 4, op: 'renew', lease_id: leaseId, ttl_ms: 5000 })).resolves.toMatchObject({
      lease: { lease_id: leaseId, ttl_ms: 5000 },
    });
    await expect(c.call({ id: 5, op: 'list_leases', object_id: 'raw-obj' })).resolves.toMatchObject({
      leases: [{ lease_id: leaseId }],
    });
    await expect(c.call({ id: 6, op: 'release', lease_id: leaseId })).resolves.toEqual({ id: 6, ok: true });
    await expect(c.call({ id: 7, op: 'delete', object_id: 'raw-obj' })).resolves.toEqual({
      id: 7,
      ok: true,
      deleted: true,
      pending: false,
    });
  });

  it('releases the leases an acquire names in release first, reports those it could not, and checks the list', async () => {
    const c = await raw();
    const created = await c.call({ id: 1, op: 'acquire', intent: 'create', object_id: 'rel', blobs: [{ size: 1 }] });
    const createLease = (created.lease as { lease_id: string }).lease_id;
    await c.call({ id: 2, op: 'seal', lease_id: createLease });
    const held = await c.call({ id: 3, op: 'acquire', intent: 'read', object_id: 'rel' });
    const readLease = (held.lease as { lease_id: string }).lease_id;
    let listId = 100;
    const leaseIds = async (): Promise<string[]> =>
      ((await c.call({ id: ++listId, op: 'list_leases', object_id: 'rel' })).leases as { lease_id: string }[]).map(
        (l) => l.lease_id,
      );
    expect((await leaseIds()).sort()).toEqual([createLease, readLease].sort());

    // A bad list is BAD_REQUEST and changes nothing.
    const tooMany = [readLease, ...Array.from({ length: 256 }, (_, n) => `l-${n}`)];
    for (const [i, release] of [readLease, [readLease, 1], tooMany].entries()) {
      await expect(
        c.call({ id: 10 + i, op: 'acquire', intent: 'read', object_id: 'rel', release }),
      ).resolves.toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect(await leaseIds()).toHaveLength(2);

    const next = await c.call({
      id: 5,
      op: 'acquire',
      intent: 'read',
      object_id: 'rel',
      release: [createLease, 'no-such-lease', readLease],
    });
    expect(next).toMatchObject({
      ok: true,
      fds: 1,
      release_failed: [{ lease_id: 'no-such-lease', error: { code: 'LEASE_NOT_FOUND' } }],
    });
    expect(await leaseIds()).toEqual([(next.lease as { lease_id: string }).lease_id]);

    // The releases happen even when the acquire itself fails; all went well: no release_failed.
    const last = (next.lease as { lease_id: string }).lease_id;
    await expect(
      c.call({ id: 6, op: 'acquire', intent: 'read', object_id: 'missing', release: [last] }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await leaseIds()).toEqual([]);
    const clean = await c.call({ id: 7, op: 'acquire', intent: 'read', object_id: 'rel', release: [] });
    expect(clean).not.toHaveProperty('release_failed');
  });

  it('gets descriptors through a plain recvmsg, as any language can', async () => {
    const transport = await client();
    const { body, fds } = await transport.request('acquire', { intent: 'create', object_id: 'fd-obj' });
    writeSync(fds[0], 'bytes from a descriptor');
    closeSync(fds[0]);
    await transport.request('seal', { lease_id: (body.lease as { lease_id: string }).lease_id });

    const fd = connectUnix(path);
    try {
      sendMessage(fd, Buffer.from('{"id":9,"op":"acquire","intent":"read","object_id":"fd-obj"}\n'));
      const got = await new Promise<{ data: Buffer; fds: number[] }>((resolve, reject) => {
        const watcher = watchFd(fd, { readable: true }, () => {
          watcher.close();
          const message = receiveMessage(fd);
          if (message) resolve(message);
          else reject(new Error('nothing received'));
        });
      });
      const answer = JSON.parse(got.data.toString()) as { fds: number; object: { blobs: { handle: unknown }[] } };
      expect(answer.fds).toBe(1);
      expect(answer.object.blobs[0].handle).toEqual({ kind: 'fd', fd: 0 });
      expect(got.fds).toHaveLength(1);
      expect(readAll(got.fds[0], 100)).toBe('bytes from a descriptor');
      expect(() => writeSync(got.fds[0], 'x')).toThrow(expect.objectContaining({ code: 'EBADF' }));
      closeSync(got.fds[0]);
    } finally {
      closeSync(fd);
    }
  });

  it('answers coded errors for bad lines and keeps the connection usable', async () => {
    const c = await raw();
    c.write('this is not json\n');
    await expect(c.waitFor((a) => a.id === null)).resolves.toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    c.answers.length = 0;
    c.write('[1,2]\n{"op":"ping"}\n{"id":"seven","op":"ping"}\n');
    await c.waitFor(() => c.answers.length === 3);
    expect(c.answers.map((a) => [a.id, (a.error as { code: string }).code])).toEqual([
      [null, 'BAD_REQUEST'],
      [null, 'BAD_REQUEST'],
      [null, 'BAD_REQUEST'],
    ]);
    const cases: [Record<string, unknown>, string][] = [
      [{ op: 'frobnicate' }, 'UNKNOWN_OP'],
      [{ op: 7 }, 'BAD_REQUEST'],
      [{ op: 'acquire', intent: 'read', object_id: '../etc/passwd' }, 'INVALID_ID'],
      [{ op: 'acquire', intent: 'read', object_id: 42 }, 'BAD_REQUEST'],
      [{ op: 'acquire', intent: 'create', ttl_ms: '60' }, 'BAD_REQUEST'],
      [{ op: 'acquire', intent: 'create', blobs: -1 }, 'BAD_REQUEST'],
      [{ op: 'acquire', intent: 'read', object_id: 'nope' }, 'NOT_FOUND'],
      [{ op: 'seal', lease_id: 'not-a-lease' }, 'LEASE_NOT_FOUND'],
      [{ op: 'seal' }, 'BAD_REQUEST'],
      [{ op: 'delete', object_id: 'nope' }, 'NOT_FOUND'],
      [{ op: 'stat' }, 'BAD_REQUEST'],
    ];
    for (const [i, [request, code]] of cases.entries()) {
      await expect(c.call({ id: 100 + i, ...request })).resolves.toMatchObject({
        id: 100 + i,
        ok: false,
        error: { code },
      });
    }
    await expect(c.call({ id: 999, op: 'ping' })).resolves.toEqual({ id: 999, ok: true });
    await expect(c.call({ id: 1000, op: 'stats' })).resolves.toMatchObject({ objects: 0, leases: 0 });
  });

  it('answers out of order: a waiting read does not hold up the connection', async () => {
    const c = await raw();
    c.write(`${JSON.stringify({ id: 1, op: 'acquire', intent: 'read', object_id: 'later', timeout_ms: 10_000 })}\n`);
    await expect(c.call({ id: 2, op: 'ping' })).resolves.toEqual({ id: 2, ok: true });
    expect(c.answers.map((a) => a.id)).toEqual([2]);
    const producer = await client();
    const { body, fds } = await producer.request('acquire', { intent: 'create', object_id: 'later' });
    closeSync(fds[0]);
    await producer.request('seal', { lease_id: (body.lease as { lease_id: string }).lease_id });
    await expect(c.waitFor((a) => a.id === 1)).resolves.toMatchObject({ ok: true, fds: 1, lease: { access: 'read' } });
  });

  it('answers PAYLOAD_TOO_LARGE to a line over 1 MiB and closes only that connection', async () => {
    const bystander = await raw();
    const c = await raw();
    c.write(`{"id":1,"op":"ping","pad":"${'x'.repeat((1 << 20) + 10)}"}\n`);
    await expect(c.waitFor((a) => a.id === null)).resolves.toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    await c.waitClosed();
    await expect(bystander.call({ id: 1, op: 'ping' })).resolves.toEqual({ id: 1, ok: true });
  });
});

describe('UDS binding through UdsTransport', () => {
  /** Creates and seals an object of `blobs` blobs, blob i holding `${objectId}:${i}`. */
  async function sealed(t: UdsTransport, objectId: string, blobs = 1): Promise<void> {
    const sizes = Array.from({ length: blobs }, (_, i) => ({ size: `${objectId}:${i}`.length }));
    const { body, fds } = await t.request('acquire', { intent: 'create', object_id: objectId, blobs: sizes });
    fds.forEach((fd, i) => writeSync(fd, `${objectId}:${i}`, 0));
    fds.forEach((fd) => closeSync(fd));
    const leaseId = (body.lease as { lease_id: string }).lease_id;
    await t.request('seal', { lease_id: leaseId });
    await t.request('release', { lease_id: leaseId });
  }

  it('acquire_many: read leases on several objects in one answer, each on its own, descriptors numbered across it', async () => {
    await startNode();
    const t = await client();
    await sealed(t, 'one');
    await sealed(t, 'two', 2);
    await sealed(t, 'three');
    const waiting = t.request('acquire_many', { object_ids: ['later', 'one'], timeout_ms: 5_000 });
    const { body, fds } = await t.request('acquire_many', { object_ids: ['one', 'missing', 'two', '../bad', 'three'] });
    expect(fds).toHaveLength(4);
    type Result = { error?: { code: string }; object: { object_id: string; blobs: { handle: { fd: number } }[] } };
    const results = body.results as unknown as (Result & { lease?: { access: string } })[];
    expect(results.map((r) => r.error?.code ?? r.object.object_id)).toEqual([
      'one',
      'NOT_FOUND',
      'two',
      'INVALID_ID',
      'three',
    ]);
    expect(results[1]).toMatchObject({ object_id: 'missing' });
    const handles = results.filter((r) => r.lease).flatMap((r) => r.object.blobs.map((b) => b.handle.fd));
    expect(handles).toEqual([0, 1, 2, 3]);
    expect(fds.map((fd) => readAll(fd, 16))).toEqual(['one:0', 'two:0', 'two:1', 'three:0']);
    fds.forEach((fd) => closeSync(fd));
    expect(results.filter((r) => r.lease).every((r) => r.lease?.access === 'read')).toBe(true);

    // A read that waits is answered once the object is sealed, with the others.
    await sealed(t, 'later');
    const late = await waiting;
    expect((late.body.results as unknown as Result[]).map((r) => r.object.object_id)).toEqual(['later', 'one']);
    late.fds.forEach((fd) => closeSync(fd));

    // Leases named in release end first; a bad request changes nothing.
    const leaseIds = (await t.request('list_leases')).body.leases.map((l) => l.lease_id);
    expect(leaseIds).toHaveLength(5);
    for (const bad of [
      { object_ids: [] },
      { object_ids: 'one' },
      { object_ids: Array.from({ length: 257 }, () => 'one') },
      { object_ids: ['one'], ttl_ms: -1 },
      { object_ids: ['one'], timeout_ms: 'soon' },
    ]) {
      await expect(t.request('acquire_many', { ...bad, release: leaseIds } as never)).rejects.toMatchObject({
        code: 'BAD_REQUEST',
      });
    }
    expect((await t.request('list_leases')).body.leases).toHaveLength(5);
    const last = await t.request('acquire_many', { object_ids: ['three'], release: [...leaseIds, 'gone'] });
    last.fds.forEach((fd) => closeSync(fd));
    expect(last.body.release_failed).toMatchObject([{ lease_id: 'gone', error: { code: 'LEASE_NOT_FOUND' } }]);
    expect((await t.request('list_leases')).body.leases).toHaveLength(1);
  });

  it('acquire_many: an object whose descriptors would not fit in the answer is PAYLOAD_TOO_LARGE, and keeps no lease', async () => {
    await startNode({ capacityBytes: 8 << 20 });
    const t = await client();
    await sealed(t, 'wide-a', 200);
    await sealed(t, 'wide-b', 200);
    const { body, fds } = await t.request('acquire_many', { object_ids: ['wide-a', 'wide-b'] });
    expect(fds).toHaveLength(200);
    fds.forEach((fd) => closeSync(fd));
    expect((body.results as { error?: { code: string } }[]).map((r) => r.error?.code ?? 'ok')).toEqual([
      'ok',
      'PAYLOAD_TOO_LARGE',
    ]);
    expect((await t.request('list_leases', { object_id: 'wide-b' })).body.leases).toEqual([]);
  });
  it('exercises every remaining error code', async () => {
    await startNode({ capacityBytes: 1 << 20 });
    const t = await client();
    const { body, fds } = await t.request('acquire', { intent: 'create', object_id: 'obj', blobs: [{ size: 16 }] });
    const leaseId = (body.lease as { lease_id: string }).lease_id;
    closeSync(fds[0]);
    await expect(t.request('acquire', { intent: 'create', object_id: 'obj' })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    await expect(t.request('acquire', { intent: 'read', object_id: 'obj' })).rejects.toMatchObject({
      code: 'NOT_SEALED',
    });
    await expect(t.request('acquire', { intent: 'read', object_id: 'obj', timeout_ms: 30 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    await t.request('seal', { lease_id: leaseId });
    await expect(t.request('seal', { lease_id: leaseId })).rejects.toMatchObject({ code: 'ALREADY_SEALED' });
    const read = await t.request('acquire', { intent: 'read', object_id: 'obj' });
    read.fds.forEach((fd) => closeSync(fd));
    await expect(
      t.request('seal', { lease_id: (read.body.lease as { lease_id: string }).lease_id }),
    ).rejects.toMatchObject({
      code: 'WRONG_ACCESS',
    });
    await expect(t.request('acquire', { intent: 'create', blobs: [{ size: 2 << 20 }] })).rejects.toMatchObject({
      code: 'OUT_OF_CAPACITY',
    });
    await expect(t.request('delete', { object_id: 'obj' })).resolves.toMatchObject({
      body: { deleted: false, pending: true },
    });
    await expect(t.request('acquire', { intent: 'read', object_id: 'obj' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('shares a sealed memfd read-only, mappable, and sealed against the creator', async () => {
    await startNode();
    const t = await client();
    const { body, fds } = await t.request('acquire', {
      intent: 'create',
      object_id: 'shared',
      blobs: [{ size: 4096 }],
    });
    const view = mapFd(fds[0], 4096, { mode: 'write' });
    view.write('Zero-Copy Data!');
    const [createFd] = fds;
    // The client's writable mapping must go before the seal (EBUSY otherwise): it maps, writes, unmaps.
    await expect(t.request('seal', { lease_id: (body.lease as { lease_id: string }).lease_id })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    const ro = reopenReadOnly(createFd);
    freezeMapping(view, ro);
    closeSync(ro);
    await t.request('seal', { lease_id: (body.lease as { lease_id: string }).lease_id });
    expect(() => writeSync(createFd, 'tamper', 0)).toThrow(expect.objectContaining({ code: 'EPERM' }));
    closeSync(createFd);
    const read = await t.request('acquire', { intent: 'read', object_id: 'shared' });
    const mapped = mapFd(read.fds[0], (read.body.object as { size: number }).size);
    expect(mapped.subarray(0, 15).toString()).toBe('Zero-Copy Data!');
    closeSync(read.fds[0]);
  });

  it('closes a connection of a uid not on the allow list with UNAUTHORIZED', async () => {
    await startNode({ allowUids: [424_242] });
    const t = await client();
    await expect(t.request('ping')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await t.whenClosed;
    expect(server.connections).toBe(0);
  });

  it('answers SHUTTING_DOWN to waiting reads when the server closes, and removes its socket', async () => {
    await startNode();
    const t = await client();
    const waiting = t.request('acquire', { intent: 'read', object_id: 'never', timeout_ms: 60_000 });
    await expect(t.request('ping')).resolves.toBeDefined();
    await server.close();
    await expect(waiting).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(existsSync(path)).toBe(false);
    await expect(connectUds(path)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('answers INTERNAL when the storage fails under the node, and keeps no lease', async () => {
    await startNode({ fs: true });
    const t = await client();
    const { body, fds } = await t.request('acquire', { intent: 'create', object_id: 'fragile' });
    writeSync(fds[0], 'data');
    closeSync(fds[0]);
    await t.request('seal', { lease_id: (body.lease as { lease_id: string }).lease_id });
    await t.request('release', { lease_id: (body.lease as { lease_id: string }).lease_id });
    rmSync(join(dir, 'store', 'objects', 'fragile', '0'));
    await expect(t.request('acquire', { intent: 'read', object_id: 'fragile' })).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    await expect(t.request('list_leases')).resolves.toMatchObject({ body: { leases: [] } });
  });

  it('closes a transport gracefully: calls under way get their answers, new ones are refused', async () => {
    await startNode();
    const t = await connectUds(path);
    const waiting = t.request('acquire', { intent: 'read', object_id: 'late', timeout_ms: 200 });
    const closing = t.close();
    await expect(t.request('ping')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(t.closed).toBe(false);
    await expect(waiting).rejects.toMatchObject({ code: 'TIMEOUT' });
    await closing;
    expect(t.closed).toBe(true);
    await eventually(() => server.connections === 0);
  });

  it('destroys a transport at once: calls under way reject UNAVAILABLE and the node ends their waits', async () => {
    await startNode();
    const t = await connectUds(path);
    const waiting = t.request('acquire', { intent: 'read', object_id: 'never', timeout_ms: 60_000 });
    await expect(t.request('ping')).resolves.toBeDefined();
    await t.destroy();
    await expect(waiting).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(t.request('ping')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await eventually(() => server.connections === 0);
    await expect(peer.stats()).resolves.toMatchObject({ leases: 0 });
  });

  it('stops reading a client that does not read its answers: descriptors held for it stay bounded', async () => {
    await startNode();
    const t = await client();
    const created = await t.request('acquire', { intent: 'create', object_id: 'popular', blobs: [{ size: 4096 }] });
    closeSync(created.fds[0]);
    await t.request('seal', { lease_id: created.body.lease.lease_id });
    const openFds = (): number => readdirSync('/proc/self/fd').length;
    const before = openFds();
    const greedy = createConnection(path);
    await once(greedy, 'connect');
    greedy.pause();
    const line = (id: number): string =>
      `${JSON.stringify({ id, op: 'acquire', intent: 'read', object_id: 'popular' })}\n`;
    greedy.write(Array.from({ length: 3000 }, (_, i) => line(i)).join(''));
    // Let the node take all it will; it must stop well before 3,000 descriptors.
    let peak = 0;
    for (let i = 0; i < 40; i++) {
      peak = Math.max(peak, openFds() - before);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(peak).toBeLessThan(64 + 64 + 32);
    await expect(t.request('ping')).resolves.toBeDefined();
    greedy.destroy();
    await eventually(async () => openFds() <= before + 1 && (await peer.stats()).leases === 1);
  });

  it('releases the leases of a closed connection and aborts its unsealed creates', async () => {
    await startNode();
    const t = await connectUds(path);
    const { fds } = await t.request('acquire', { intent: 'create', object_id: 'orphan', blobs: [{ size: 1024 }] });
    fds.forEach((fd) => closeSync(fd));
    await t.close();
    await eventually(async () => (await peer.stats()).objects === 0 && (await peer.stats()).leases === 0);
  });

  it('replaces a stale socket file, and never takes a live one', async () => {
    path = join(dir, 'node.sock');
    closeSync(listenUnix(path)); // a node that died without removing its socket
    await startNode();
    await expect((await client()).request('ping')).resolves.toBeDefined();
    const thief = createUdsServer(createPeer({ storage: createMemStorage() }), { path });
    await expect(thief.listen()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await expect((await client()).request('ping')).resolves.toBeDefined();
    writeFileSync(join(dir, 'plain-file'), 'keep me');
    const wrong = createUdsServer(createPeer({ storage: createMemStorage() }), { path: join(dir, 'plain-file') });
    await expect(wrong.listen()).rejects.toMatchObject({ code: 'EEXIST' });
  });
});
