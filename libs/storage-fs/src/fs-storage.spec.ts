import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createPeer, type Peer } from '@packice/core';
import { describeBlobStore } from '@packice/core/testing';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStorage } from './fs-storage';

let suiteRoot = '';
describeBlobStore(
  'fs',
  () => createFsStorage({ root: (suiteRoot = mkdtempSync(join(tmpdir(), 'packice-fs-suite-'))) }),
  { handleKind: 'path', cleanup: () => rmSync(suiteRoot, { recursive: true, force: true }) },
);

const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('createFsStorage', () => {
  let root: string;
  const peers: Peer[] = [];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'packice-fs-'));
  });

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    rmSync(root, { recursive: true, force: true });
  });

  const peerOn = (dir = root): Peer => {
    const peer = createPeer({ storage: createFsStorage({ root: dir }) });
    peers.push(peer);
    return peer;
  };

  async function put(peer: Peer, objectId: string, parts: string[], meta: Record<string, string> = {}): Promise<void> {
    const { lease, object } = await peer.acquire({ intent: 'create', objectId, blobs: parts.length, meta });
    await Promise.all(parts.map((p, i) => object.blobs[i].write(Buffer.from(p))));
    await peer.seal(lease.leaseId);
    await peer.release(lease.leaseId);
  }

  it('refuses a missing root', () => {
    expect(() => createFsStorage({} as never)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('lays objects out as <root>/objects/<id>/<index> with meta.json, sealed files read-only', async () => {
    const peer = peerOn();
    await put(peer, 'laid-out', ['first', 'second!'], { kind: 'demo' });
    const dir = join(root, 'objects', 'laid-out');
    expect(readdirSync(dir).sort()).toEqual(['0', '1', 'meta.json']);
    expect(readFileSync(join(dir, '1'), 'utf8')).toBe('second!');
    expect(statSync(join(dir, '0')).mode & 0o777).toBe(0o444);
    expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'))).toMatchObject({
      version: 1,
      objectId: 'laid-out',
      meta: { kind: 'demo' },
      sizes: [5, 7],
    });
    const { object } = await peer.acquire({ intent: 'read', objectId: 'laid-out' });
    expect(object.blobs[1].handle('read')).toEqual({ kind: 'path', path: join(dir, '1') });
  });

  it('preallocates size hints on disk', async () => {
    const storage = createFsStorage({ root });
    await storage.open();
    const [blob] = await storage.createBlobs('hinted', [4 << 20]);
    const { size, blocks } = statSync(join(root, 'objects', 'hinted', '0'));
    expect(size).toBe(4 << 20);
    expect(blocks * 512).toBeGreaterThanOrEqual(4 << 20);
    await storage.remove('hinted', [blob]);
    await storage.close();
  });

  it('refuses hints larger than the free space before writing anything', async () => {
    const storage = createFsStorage({ root });
    await storage.open();
    await expect(storage.createBlobs('vast', [2 ** 50])).rejects.toMatchObject({ code: 'OUT_OF_CAPACITY' });
    expect(readdirSync(join(root, 'objects'))).toEqual([]);
    await storage.close();
  });

  it('keeps every id inside the root', async () => {
    const storage = createFsStorage({ root });
    await storage.open();
    for (const id of ['..', '../escape', '/etc', 'a/../../b', '.hidden']) {
      await expect(storage.createBlobs(id, [undefined])).rejects.toMatchObject({ code: 'INVALID_ID' });
      await expect(storage.remove(id, [])).rejects.toMatchObject({ code: 'INVALID_ID' });
    }
    expect(readdirSync(root)).toEqual(['objects']);
    await storage.close();
  });

  it('brings back sealed objects after a restart and removes half-written ones', async () => {
    const first = peerOn();
    await put(first, 'kept-1', ['alpha'], { n: '1' });
    await put(first, 'kept-2', ['beta', 'gamma'], { n: '2' });
    const half = await first.acquire({ intent: 'create', objectId: 'half-written' });
    await half.object.blobs[0].write(Buffer.from('incomplete'));
    // A crash: the node never closes, its unsealed object stays on disk.
    peers.splice(peers.indexOf(first), 1);
    expect(readdirSync(join(root, 'objects')).sort()).toEqual(['half-written', 'kept-1', 'kept-2']);

    const second = peerOn();
    const objects = await second.listObjects();
    expect(objects.map((o) => [o.objectId, o.state, o.size, o.meta]).sort()).toEqual([
      ['kept-1', 'sealed', 5, { n: '1' }],
      ['kept-2', 'sealed', 9, { n: '2' }],
    ]);
    const { object } = await second.acquire({ intent: 'read', objectId: 'kept-2' });
    expect((await object.blobs[1].read()).toString()).toBe('gamma');
    expect(readdirSync(join(root, 'objects')).sort()).toEqual(['kept-1', 'kept-2']);
    await expect(second.acquire({ intent: 'create', objectId: 'half-written' })).resolves.toBeDefined();
    await half.object.blobs[0].dispose(); // the "crashed" node's own descriptor
  });

  it('does not serve an object whose files no longer match its meta.json, and keeps its bytes', async () => {
    const first = peerOn();
    await put(first, 'damaged', ['0123456789']);
    await first.close();
    rmSync(join(root, 'objects', 'damaged', '0'), { force: true });
    writeFileSync(join(root, 'objects', 'damaged', '0'), 'short');
    await mkdir(join(root, 'objects', 'not an id'));
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const second = peerOn();
    await expect(second.listObjects()).resolves.toEqual([]);
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
    expect(readFileSync(join(root, 'objects', 'damaged', '0'), 'utf8')).toBe('short');
    await expect(second.acquire({ intent: 'create', objectId: 'damaged' })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
  });

  it('deletes the files of deleted, aborted and evicted objects', async () => {
    const storage = createFsStorage({ root });
    // Room for one block: each of these small objects holds a whole one.
    const peer = createPeer({ storage, capacityBytes: statfsSync(tmpdir()).bsize });
    peers.push(peer);
    await put(peer, 'deleted', ['x']);
    await peer.delete('deleted');
    const aborted = await peer.acquire({ intent: 'create', objectId: 'aborted' });
    await peer.release(aborted.lease.leaseId);
    await put(peer, 'old', ['123456']);
    await put(peer, 'new', ['abcdef']);
    expect(readdirSync(join(root, 'objects'))).toEqual(['new']);
    await expect(peer.stats()).resolves.toMatchObject({ bytes: statfsSync(tmpdir()).bsize, evictions: 1 });
  });

  it('leaves no descriptor open across 200 create/seal/read/delete cycles', async () => {
    const peer = peerOn();
    await peer.start();
    const before = openFds();
    for (let i = 0; i < 200; i++) {
      await put(peer, `c${i}`, [`payload-${i}`]);
      const { lease, object } = await peer.acquire({ intent: 'read', objectId: `c${i}` });
      expect((await object.blobs[0].read()).toString()).toBe(`payload-${i}`);
      await peer.release(lease.leaseId);
      await peer.delete(`c${i}`);
    }
    expect(openFds()).toBeLessThanOrEqual(before);
  });
});
