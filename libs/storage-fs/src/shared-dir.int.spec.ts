import { afterEach, describe, expect, it } from '@jest/globals';
import { type Catalog, createClusterPeer, createMemoryCatalog } from '@packice/cluster';
import { createPeer, type Peer } from '@packice/core';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStorage } from './fs-storage';

const dirs: string[] = [];
const peers: Peer[] = [];

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function sharedDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'packice-shared-'));
  dirs.push(dir);
  return dir;
}

/** A node of a cluster: its own Peer over the shared directory, and the catalog. */
function node(root: string, catalog: Catalog, nodeId: string): Peer {
  const storage = createFsStorage({ root, shared: true });
  const peer = createClusterPeer({ local: createPeer({ storage }), storage, catalog, nodeId, sweepIntervalMs: 50 });
  peers.push(peer);
  return peer;
}

async function put(peer: Peer, objectId: string, text: string): Promise<string> {
  const { lease, object } = await peer.acquire({ intent: 'create', objectId, blobs: [{ size: text.length }] });
  await object.blobs[0].write(Buffer.from(text), 0);
  await peer.seal(lease.leaseId);
  await peer.release(lease.leaseId);
  return lease.leaseId;
}

describe('fs storage shared by the nodes of a cluster (memory catalog)', () => {
  it('a node reads, by path, the file another node sealed', async () => {
    const root = sharedDir();
    const catalog = createMemoryCatalog();
    const [a, b] = [node(root, catalog, 'a'), node(root, catalog, 'b')];
    await put(a, 'doc', 'sealed by a');
    const { lease, object } = await b.acquire({ intent: 'read', objectId: 'doc' });
    const handle = object.blobs[0].handle('read');
    expect(handle.kind).toBe('path');
    expect(readFileSync((handle as { path: string }).path, 'utf8')).toBe('sealed by a');
    expect(lease.holder.node).toBe('b');
    await expect(a.listLeases()).resolves.toEqual([expect.objectContaining({ leaseId: lease.leaseId })]);
    await b.release(lease.leaseId);
  });

  it('a node opening the directory leaves another node’s unsealed object alone; load() takes only sealed ones', async () => {
    const root = sharedDir();
    const catalog = createMemoryCatalog();
    const a = node(root, catalog, 'a');
    const { lease, object } = await a.acquire({ intent: 'create', objectId: 'wip', blobs: [{ size: 4 }] });
    const late = createFsStorage({ root, shared: true });
    await expect(late.open()).resolves.toEqual([]);
    expect(existsSync(join(root, 'objects', 'wip'))).toBe(true);
    await expect(late.storedIds?.()).resolves.toEqual(['wip']);
    await expect(late.load?.('wip')).resolves.toBeNull();
    await object.blobs[0].write(Buffer.from('done'), 0);
    await a.seal(lease.leaseId);
    const loaded = await late.load?.('wip');
    expect(loaded?.info).toMatchObject({ objectId: 'wip', state: 'sealed', size: 4 });
    await late.close();
    // Without `shared`, an unsealed object is half-written debris and open() removes it.
    await a.acquire({ intent: 'create', objectId: 'debris', blobs: 1 });
    await createFsStorage({ root }).open();
    expect(existsSync(join(root, 'objects', 'debris'))).toBe(false);
    await a.release(lease.leaseId);
  });

  it('a delete through one node waits for the other node’s lease, then removes the files once', async () => {
    const root = sharedDir();
    const catalog = createMemoryCatalog();
    const [a, b] = [node(root, catalog, 'a'), node(root, catalog, 'b')];
    await put(a, 'held', 'bytes');
    const { lease } = await b.acquire({ intent: 'read', objectId: 'held' });
    await expect(a.delete('held')).resolves.toEqual({ deleted: false, pending: true });
    expect(existsSync(join(root, 'objects', 'held'))).toBe(true);
    await b.release(lease.leaseId);
    expect(existsSync(join(root, 'objects', 'held'))).toBe(false);
    await expect(a.stat('held')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
