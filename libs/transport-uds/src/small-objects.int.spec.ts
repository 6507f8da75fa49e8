import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createPeer, type Peer } from '@packice/core';
import { F_SEAL_WRITE, getSeals } from '@packice/native';
import type { WireLease, WireObject } from '@packice/protocol';
import { createMemStorage } from '@packice/storage-mem';
import { closeSync, fstatSync, mkdtempSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './__fixtures__/eventually';
import { RawClient } from './__fixtures__/raw-client';
import { createUdsServer, type UdsServer } from './uds-server';
import { connectUds } from './uds-transport';

let dir: string;
let path: string;
let peer: Peer;
let server: UdsServer;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'packice-small-'));
  path = join(dir, 'node.sock');
  peer = createPeer({ storage: createMemStorage({ smallObjectMaxBytes: 64 * 1024 }) });
  server = createUdsServer(peer, { path });
  await server.listen();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await server.close();
  await peer.close();
  rmSync(dir, { recursive: true, force: true });
});

async function raw(): Promise<RawClient> {
  const c = await RawClient.connect(path);
  cleanups.push(() => c.close());
  return c;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('small objects over UDS (docs/protocol.md, "Small objects")', () => {
  it('creates, writes and seals in one request, and answers a client that takes inline bytes with them', async () => {
    const c = await raw();
    const hello = await c.call({ id: 1, op: 'hello', client: 'raw-test', features: ['inline-bytes'] });
    expect(hello.features).toContain('inline-bytes');
    const put = await c.call({
      id: 2,
      op: 'acquire',
      intent: 'create',
      object_id: 'tiny',
      blobs: [{ data: b64('Zero-Copy Data!') }],
      seal: true,
    });
    expect(put).toMatchObject({ ok: true, lease: { access: 'create' }, object: { state: 'sealed', size: 15 } });
    expect(put.fds).toBeUndefined();
    const read = await c.call({ id: 3, op: 'acquire', intent: 'read', object_id: 'tiny', release: [] });
    expect(read).toMatchObject({
      ok: true,
      object: { blobs: [{ size: 15, handle: { kind: 'inline', data: b64('Zero-Copy Data!') } }] },
    });
    expect(read.fds).toBeUndefined();
    // It holds a 64-byte slot of a slab, not a page; the rest of the slab is spare.
    const stats = await c.call({ id: 4, op: 'stats' });
    expect(stats).toMatchObject({ objects: 1, bytes: 64 });
    expect(stats.spare_bytes).toBeGreaterThan(0);
  });

  it('answers a client that did not announce inline-bytes with a sealed, read-only memfd copy', async () => {
    const writer = await raw();
    await writer.call({
      id: 1,
      op: 'acquire',
      intent: 'create',
      object_id: 'old',
      blobs: [{ data: b64('for old clients') }],
      seal: true,
    });
    const old = await connectUds(path);
    cleanups.push(() => old.close());
    await old.request('ping', {}); // the node has taken the connection (its end is in this process too)
    const before = readdirSync('/proc/self/fd').length;
    const { body, fds } = await old.request('acquire', { intent: 'read', object_id: 'old' });
    expect(body.object.blobs[0].handle).toEqual({ kind: 'fd', fd: 0 });
    expect(fds).toHaveLength(1);
    const [fd] = fds;
    try {
      expect(fstatSync(fd).size).toBe(15);
      expect(getSeals(fd) & F_SEAL_WRITE).toBe(F_SEAL_WRITE);
      const buf = Buffer.alloc(15);
      readSync(fd, buf, 0, 15, 0);
      expect(buf.toString()).toBe('for old clients');
      expect(() => writeSync(fd, 'x', 0)).toThrow();
    } finally {
      closeSync(fd);
    }
    // The node closes its copy once the kernel has passed it on.
    await eventually(() => readdirSync('/proc/self/fd').length === before);
  });

  it('refuses data that is not base64 with BAD_REQUEST and creates nothing', async () => {
    const c = await raw();
    const bad = await c.call({
      id: 1,
      op: 'acquire',
      intent: 'create',
      object_id: 'bad',
      blobs: [{ data: '***' }],
      seal: true,
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const mismatch = await c.call({
      id: 2,
      op: 'acquire',
      intent: 'create',
      object_id: 'bad',
      blobs: [{ data: b64('abc'), size: 9 }],
    });
    expect(mismatch).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    await expect(c.call({ id: 3, op: 'list_objects' })).resolves.toMatchObject({ objects: [] });
  });

  it('puts an object in one request that leaves no lease and sends no bytes back, carrying releases', async () => {
    const c = await raw();
    const hello = await c.call({ id: 1, op: 'hello', client: 'raw-test', features: ['inline-bytes'] });
    expect(hello.features).toContain('put');
    const first = await c.call({ id: 2, op: 'put', object_id: 'p1', meta: { k: 'v' }, blobs: [{ data: b64('one') }] });
    expect(first).toMatchObject({ ok: true, object: { object_id: 'p1', state: 'sealed', size: 3, meta: { k: 'v' } } });
    expect((first.object as WireObject).blobs).toEqual([{ size: 3 }]);
    expect(first.lease).toBeUndefined();
    expect(first.fds).toBeUndefined();
    await expect(c.call({ id: 3, op: 'stats' })).resolves.toMatchObject({ objects: 1, leases: 0 });
    // A read lease, then a put that carries its release and a lease id that is not there.
    const read = await c.call({ id: 4, op: 'acquire', intent: 'read', object_id: 'p1' });
    expect((read.object as WireObject).blobs[0].handle).toEqual({ kind: 'inline', data: b64('one') });
    const second = await c.call({
      id: 5,
      op: 'put',
      blobs: [{ data: b64('two') }, { data: '' }],
      release: [(read.lease as WireLease).lease_id, 'no-such-lease'],
    });
    expect(second).toMatchObject({ ok: true, object: { state: 'sealed', size: 3, blobs: [{ size: 3 }, { size: 0 }] } });
    expect(second.release_failed).toEqual([
      { lease_id: 'no-such-lease', error: expect.objectContaining({ code: 'LEASE_NOT_FOUND' }) },
    ]);
    await expect(c.call({ id: 6, op: 'stats' })).resolves.toMatchObject({ objects: 2, leases: 0 });
    const back = await c.call({
      id: 7,
      op: 'acquire',
      intent: 'read',
      object_id: (second.object as WireObject).object_id,
    });
    expect((back.object as WireObject).blobs.map((b) => (b.handle as { data: string }).data)).toEqual([b64('two'), '']);
  });

  it('refuses a put without bytes, with bytes that are not base64 or under a taken id, and changes nothing', async () => {
    const c = await raw();
    await c.call({ id: 1, op: 'put', object_id: 'kept', blobs: [{ data: b64('kept') }] });
    const bad = [
      { op: 'put', object_id: 'x' },
      { op: 'put', object_id: 'x', blobs: [] },
      { op: 'put', object_id: 'x', blobs: 2 },
      { op: 'put', object_id: 'x', blobs: [{ size: 4 }] },
      { op: 'put', object_id: 'x', blobs: [{ data: b64('ok') }, null] },
      { op: 'put', object_id: 'x', blobs: [{ data: '***' }] },
      { op: 'put', object_id: 'x', blobs: [{ data: b64('ok') }], release: 'not-a-list' },
    ];
    for (const [i, request] of bad.entries()) {
      await expect(c.call({ id: 10 + i, ...request })).resolves.toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST' },
      });
    }
    const badId = await c.call({ id: 29, op: 'put', object_id: 'bad id!', blobs: [{ data: b64('ok') }] });
    expect(badId).toMatchObject({ ok: false, error: { code: 'INVALID_ID' } });
    const taken = await c.call({ id: 30, op: 'put', object_id: 'kept', blobs: [{ data: b64('other') }] });
    expect(taken).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS' } });
    const objects = await c.call({ id: 31, op: 'list_objects' });
    expect((objects.objects as WireObject[]).map((o) => o.object_id)).toEqual(['kept']);
    await expect(c.call({ id: 32, op: 'stats' })).resolves.toMatchObject({ objects: 1, leases: 0 });
    const read = await c.call({ id: 33, op: 'acquire', intent: 'read', object_id: 'kept' });
    expect(read.fds).toBe(1); // this client did not announce inline-bytes: a sealed memfd copy
  });
});
