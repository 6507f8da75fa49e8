import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPeer, type Peer } from '@packice/core';
import { isMapped } from '@packice/native';
import { createMemStorage } from '@packice/storage-mem';
import { createUdsServer, type UdsServer } from '@packice/transport-uds';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from './connect';

let dir: string;
let peer: Peer;
let server: UdsServer;
/** The ops the server answered, in order, with `ok` or their error code. */
const answered: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'packice-client-small-'));
  peer = createPeer({ storage: createMemStorage({ smallObjectMaxBytes: 64 * 1024 }) });
  server = createUdsServer(peer, {
    path: join(dir, 'node.sock'),
    onRequest: (op, code) => answered.push(`${op} ${code}`),
  });
  await server.listen();
});

afterAll(async () => {
  await server.close();
  await peer.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('small objects through the client over UDS', () => {
  it('puts in one request, and map() gives a copy that stays the same after release, delete and reuse', async () => {
    await using client = await connect(join(dir, 'node.sock'));
    const info = await client.put('small and quick', { objectId: 'q', meta: { k: 'v' } });
    expect(info).toMatchObject({ objectId: 'q', state: 'sealed', size: 15, meta: { k: 'v' }, blobs: [{ size: 15 }] });
    const lease = await client.acquire({ intent: 'read', objectId: 'q' });
    const view = await lease.map();
    expect(view.toString()).toBe('small and quick');
    expect(isMapped(view)).toBe(false);
    const file = await lease.open('r');
    const into = Buffer.alloc(15);
    expect((await file.read(into, 0, 15, 0)).bytesRead).toBe(15);
    expect(into.toString()).toBe('small and quick');
    await file.close();
    await lease.release({ wait: true });
    await client.delete('q');
    // The freed slot is reused by the next small object: the copy does not change.
    await client.put('another object!', { objectId: 'r' });
    expect(view.toString()).toBe('small and quick');
    await expect(client.get('r')).resolves.toEqual(Buffer.from('another object!'));
    // Larger than the one-request bound: the descriptor path, mapped zero-copy.
    const big = Buffer.alloc(128 * 1024, 3);
    await client.put(big, { objectId: 'big' });
    await using bigLease = await client.acquire({ intent: 'read', objectId: 'big' });
    const bigView = await bigLease.map();
    expect(bigView.equals(big)).toBe(true);
    expect(isMapped(bigView)).toBe(true);
  });

  it('puts a small object in one request that leaves no lease, and carries the releases queued before it', async () => {
    await using client = await connect(join(dir, 'node.sock'));
    await client.stats(); // after hello
    answered.length = 0;
    const info = await client.put(Buffer.from('one request'), { objectId: 'one', meta: { a: 'b' } });
    expect(info).toMatchObject({ objectId: 'one', state: 'sealed', size: 11, meta: { a: 'b' }, blobs: [{ size: 11 }] });
    expect(answered).toEqual(['put ok']);
    expect((await peer.stats()).leases).toBe(0);
    const lease = await client.acquire({ intent: 'read', objectId: 'one' });
    await lease.release(); // queued: it rides on the put that follows
    await client.put('two', { objectId: 'two' });
    expect(answered).toEqual(['put ok', 'acquire ok', 'put ok']);
    expect((await peer.stats()).leases).toBe(0);
    await expect(client.put('again', { objectId: 'two' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(client.get('two')).resolves.toEqual(Buffer.from('two'));
  });
});
