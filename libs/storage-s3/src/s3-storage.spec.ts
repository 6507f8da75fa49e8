import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Blob } from '@packice/core';
import { createPeer, type Peer } from '@packice/core';
import { describeBlobStore } from '@packice/core/testing';
import { createMemStorage } from '@packice/storage-mem';
import { createHash, randomBytes } from 'node:crypto';
import { readSync } from 'node:fs';
import { S3_ENV, type S3Server, startS3Server } from './testing';
import { createS3Storage, type S3StorageOptions } from './s3-storage';

const BUCKET = 'packice-test';
let server: S3Server;
let prefixes = 0;
const saved = { ...process.env };

beforeAll(async () => {
  Object.assign(process.env, S3_ENV);
  server = await startS3Server();
  await server.createBucket(BUCKET);
});

afterAll(async () => {
  await server.stop();
  process.env = saved;
});

/** A store over its own key prefix, so each starts empty. */
function store(options: Partial<S3StorageOptions> = {}) {
  return createS3Storage({
    bucket: BUCKET,
    endpoint: server.endpoint,
    pathStyle: true,
    checksums: 'when-required',
    prefix: `t${++prefixes}/`,
    local: createMemStorage({ smallObjectMaxBytes: 0 }),
    ...options,
  });
}

describeBlobStore('s3 (s3rver)', () => store(), { handleKind: 'fd' });

const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

function readFd(blob: Blob): Buffer {
  const handle = blob.handle('read');
  if (handle.kind !== 'fd') throw new Error(`expected an fd handle, got ${handle.kind}`);
  const out = Buffer.alloc(blob.size);
  let got = 0;
  while (got < out.length) got += readSync(handle.fd, out, got, out.length - got, got);
  return out;
}

describe('createS3Storage', () => {
  const peers: Peer[] = [];
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
  });

  const peerOf = (storage: ReturnType<typeof store>): Peer => {
    const peer = createPeer({ storage, capacityBytes: null });
    peers.push(peer);
    return peer;
  };

  async function put(peer: Peer, objectId: string, data: Buffer, meta: Record<string, string> = {}) {
    const { lease, object } = await peer.acquire({ intent: 'create', objectId, blobs: [{ size: data.length }], meta });
    await object.blobs[0].write(data, 0);
    await peer.seal(lease.leaseId);
    await peer.release(lease.leaseId);
  }

  it('recovers every sealed object from the bucket in a new store with an empty cache, multipart included', async () => {
    const prefix = `recover${++prefixes}/`;
    const first = peerOf(store({ prefix }));
    const big = randomBytes(20 * 1024 * 1024 + 123); // three parts of 8 MiB: a multipart upload
    const small = randomBytes(1000);
    await put(first, 'big', big, { kind: 'video' });
    await put(first, 'small', small);
    await first.close();

    const again = store({ prefix });
    const second = peerOf(again);
    const listed = await second.listObjects();
    expect(listed.map((o) => [o.objectId, o.size, o.state]).sort()).toEqual([
      ['big', big.length, 'sealed'],
      ['small', 1000, 'sealed'],
    ]);
    expect(listed.find((o) => o.objectId === 'big')?.meta).toEqual({ kind: 'video' });
    expect(again.cacheStats()).toMatchObject({ misses: 0, bytesCached: 0 });
    const { lease, object } = await second.acquire({ intent: 'read', objectId: 'big' });
    expect(sha(readFd(object.blobs[0]))).toBe(sha(big));
    await second.release(lease.leaseId);
    expect(again.cacheStats()).toMatchObject({ misses: 1, bytesFetched: big.length });
    const warm = await second.acquire({ intent: 'read', objectId: 'big' });
    expect(sha(readFd(warm.object.blobs[0]))).toBe(sha(big));
    expect(again.cacheStats().hits).toBeGreaterThan(0);
    expect(again.cacheStats().misses).toBe(1);
    await second.release(warm.lease.leaseId);
    expect((await again.createBlobs('x', [1]))[0].size).toBe(1);
  });

  it('keeps its cache within the bound: copies are dropped and fetched again, reads stay correct', async () => {
    const prefix = `cache${++prefixes}/`;
    const datas = [0, 1, 2, 3].map(() => randomBytes(600_000));
    const writer = peerOf(store({ prefix }));
    for (const [i, data] of datas.entries()) await put(writer, `o${i}`, data);
    await writer.close();
    const reader = store({ prefix, cacheBytes: 1_000_000 });
    const peer = peerOf(reader);
    for (let round = 0; round < 2; round++) {
      for (const [i, data] of datas.entries()) {
        const { lease, object } = await peer.acquire({ intent: 'read', objectId: `o${i}` });
        expect(sha(readFd(object.blobs[0]))).toBe(sha(data));
        await peer.release(lease.leaseId);
        expect(reader.cacheStats().bytesCached).toBeLessThanOrEqual(1_000_000);
      }
    }
    expect(reader.cacheStats().misses).toBe(8); // each read fetched again: one copy fits at a time
    expect((await peer.listObjects()).length).toBe(4); // dropping a copy is no eviction
  });

  it('an eviction (capacity) frees the node, never the bucket: a new store lists the evicted object again', async () => {
    const prefix = `evict${++prefixes}/`;
    const peer = createPeer({ storage: store({ prefix }), capacityBytes: 1_500_000 });
    peers.push(peer);
    const first = randomBytes(1_000_000);
    await put(peer, 'first', first);
    await put(peer, 'second', randomBytes(1_000_000)); // over the capacity: 'first' is evicted
    expect((await peer.listObjects()).map((o) => o.objectId)).toEqual(['second']);
    expect((await peer.stats()).evictions).toBe(1);
    await peer.close();
    const again = store({ prefix });
    const found = await again.open();
    expect(found.map((o) => o.info.objectId).sort()).toEqual(['first', 'second']);
    const evicted = found.find((o) => o.info.objectId === 'first');
    expect(sha(await (evicted?.blobs[0] as Blob).read())).toBe(sha(first));
    await again.close();
  });

  it('deletes the keys: a new store finds nothing', async () => {
    const prefix = `delete${++prefixes}/`;
    const peer = peerOf(store({ prefix }));
    await put(peer, 'gone', randomBytes(10));
    await peer.delete('gone');
    await peer.close();
    const after = store({ prefix });
    await expect(after.open()).resolves.toEqual([]);
    await after.close();
  });

  it('fails a seal with UNAVAILABLE while the server is away, leaves nothing, and seals once it is back', async () => {
    const prefix = `outage${++prefixes}/`;
    const peer = peerOf(store({ prefix }));
    const data = randomBytes(50_000);
    const { lease, object } = await peer.acquire({
      intent: 'create',
      objectId: 'later',
      blobs: [{ size: data.length }],
    });
    await object.blobs[0].write(data, 0);
    await server.stop({ keep: true });
    try {
      await expect(peer.seal(lease.leaseId)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect((await peer.stat('later')).state).toBe('creating');
    } finally {
      await server.restart();
    }
    const probe = store({ prefix });
    await expect(probe.open()).resolves.toEqual([]); // nothing half-visible
    await probe.close();
    await peer.seal(lease.leaseId);
    await peer.release(lease.leaseId);
    const after = store({ prefix });
    const [found] = await after.open();
    expect(found.info.objectId).toBe('later');
    expect(sha(await found.blobs[0].read())).toBe(sha(data));
    await after.close();
  });

  it('fails a cold read with UNAVAILABLE while the server is away, and reads once it is back', async () => {
    const prefix = `cold${++prefixes}/`;
    const data = randomBytes(3 * 1024 * 1024);
    const writer = peerOf(store({ prefix }));
    await put(writer, 'cold', data);
    await writer.close();
    const reader = peerOf(store({ prefix }));
    await reader.listObjects(); // opened: the object is known, nothing cached
    await server.stop({ keep: true });
    try {
      await expect(reader.acquire({ intent: 'read', objectId: 'cold' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(await reader.listLeases()).toEqual([]);
    } finally {
      await server.restart();
    }
    const { lease, object } = await reader.acquire({ intent: 'read', objectId: 'cold' });
    expect(sha(readFd(object.blobs[0]))).toBe(sha(data));
    await reader.release(lease.leaseId);
  });

  it('refuses to open on a missing bucket or refused credentials, naming the bucket and endpoint', async () => {
    const missing = store({ bucket: 'no-such-bucket' });
    await expect(missing.open()).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining(`no-such-bucket does not exist at ${server.endpoint}`),
    });
    await missing.close();
    process.env.AWS_ACCESS_KEY_ID = 'NOT-A-KEY'; // s3rver knows one key id (it checks ids, not secrets)
    const refused = store();
    try {
      await expect(refused.open()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    } finally {
      process.env.AWS_ACCESS_KEY_ID = S3_ENV.AWS_ACCESS_KEY_ID;
      await refused.close();
    }
  });
});
