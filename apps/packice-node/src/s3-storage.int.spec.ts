import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRedisServer, type TestRedis } from '@packice/catalog-redis/testing';
import { connect } from '@packice/client';
import { S3_ENV, type S3Server, startS3Server } from '@packice/storage-s3/testing';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killNodeProcesses, startNodeProcess } from './__fixtures__/node-process';

// The node app on S3 storage against a real S3 API server (s3rver on port 0, a temp directory):
// objects through both bindings, recovery by a fresh node with an empty cache, a cache smaller than
// the objects read, and the refusals at start.
const BUCKET = 'packice-node-test';
const TOKEN = 'packice-s3-test-token';
const dir = mkdtempSync(join(tmpdir(), 'packice-s3-node-'));
let server: S3Server;
let nodes = 0;

beforeAll(async () => {
  server = await startS3Server();
  await server.createBucket(BUCKET);
});

afterAll(async () => {
  await killNodeProcesses();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

function s3Node(flags: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const socket = join(dir, `node-${++nodes}.sock`);
  const node = startNodeProcess(
    [
      '--socket',
      socket,
      '--transport',
      'uds,http',
      '--port',
      '0',
      '--token',
      TOKEN,
      '--storage',
      's3',
      '--s3-bucket',
      BUCKET,
      '--s3-endpoint',
      server.endpoint,
      '--s3-path-style',
      ...flags,
    ],
    { env: { ...S3_ENV, ...env } },
  );
  return { socket, node };
}

describe('the node app on S3 storage', () => {
  it('serves objects over UDS and HTTP, and a fresh node with an empty cache recovers every one', async () => {
    const first = s3Node(['--s3-prefix', 'recovery/', '--s3-checksums', 'when-required']);
    const a = await first.node;
    expect(a.report.storage).toBe('s3');
    const big = randomBytes(12 * 1024 * 1024 + 7); // two parts: a multipart upload
    const small = randomBytes(700);
    const uds = await connect(first.socket);
    await uds.put(big, { objectId: 'big', meta: { kind: 'frames' } });
    const http = await connect(a.report.url as string, { token: TOKEN });
    await http.put(small, { objectId: 'small' });
    expect(sha(await http.get('big'))).toBe(sha(big));
    const lease = await uds.acquire({ intent: 'read', objectId: 'small' });
    expect(sha(await lease.map())).toBe(sha(small));
    await lease.release({ wait: true });
    await Promise.all([uds.close(), http.close()]);
    expect(await a.stop()).toBe(0);

    // Another node, nothing cached, the checksum switch from the SDK's own environment variables.
    const second = s3Node(['--s3-prefix', 'recovery/'], {
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    });
    const b = await second.node;
    const client = await connect(second.socket);
    const listed = await client.listObjects();
    expect(listed.map((o) => [o.objectId, o.size]).sort()).toEqual([
      ['big', big.length],
      ['small', 700],
    ]);
    expect(listed.find((o) => o.objectId === 'big')?.meta).toEqual({ kind: 'frames' });
    const cold = await client.acquire({ intent: 'read', objectId: 'big' });
    expect(sha(await cold.map())).toBe(sha(big)); // a descriptor of the fetched cache entry
    await cold.release({ wait: true });
    expect(sha(await client.get('small'))).toBe(sha(small));
    expect(await client.delete('small')).toMatchObject({ deleted: true });
    await client.close();
    expect(await b.stop()).toBe(0);
  }, 60_000);

  it('a 1 GiB object goes up in parts and comes back whole, by hash, into a fresh node', async () => {
    const GiB = 2 ** 30;
    const first = s3Node(['--s3-prefix', 'gib/', '--s3-checksums', 'when-required']);
    const a = await first.node;
    const writer = await connect(first.socket);
    const lease = await writer.acquire({ intent: 'create', objectId: 'gib', blobs: [{ size: GiB }] });
    const view = await lease.mapWritable();
    for (let offset = 0, i = 0; offset < GiB; offset += 1 << 20, i++) view.fill(i % 251, offset, offset + (1 << 20));
    const written = sha(view);
    await lease.seal(); // answers once the bucket has every part and the manifest
    await lease.release({ wait: true });
    await writer.close();
    expect(await a.stop()).toBe(0);
    const second = s3Node(['--s3-prefix', 'gib/', '--s3-checksums', 'when-required', '--s3-cache', '2GiB']);
    const b = await second.node;
    const reader = await connect(second.socket);
    const read = await reader.acquire({ intent: 'read', objectId: 'gib' });
    expect(sha(await read.map())).toBe(written);
    await read.release({ wait: true });
    await reader.delete('gib');
    await reader.close();
    expect(await b.stop()).toBe(0);
  }, 180_000);

  it('fails a seal with UNAVAILABLE while S3 is away (nothing visible), and seals once it is back', async () => {
    const { socket, node } = s3Node(['--s3-prefix', 'outage/', '--s3-checksums', 'when-required']);
    const started = await node;
    const client = await connect(socket);
    const data = randomBytes(100_000);
    const lease = await client.acquire({ intent: 'create', objectId: 'during-outage', blobs: [{ size: data.length }] });
    await lease.write(data);
    await server.stop({ keep: true });
    try {
      await expect(lease.seal()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect((await client.stat('during-outage')).state).toBe('creating');
    } finally {
      await server.restart();
    }
    await lease.seal();
    await lease.release({ wait: true });
    expect(sha(await client.get('during-outage'))).toBe(sha(data));
    await client.close();
    expect(await started.stop()).toBe(0);
  }, 60_000);

  it('stays correct with a cache smaller than the objects it reads', async () => {
    const { socket, node } = s3Node([
      '--s3-prefix',
      'small-cache/',
      '--s3-cache',
      '1MiB',
      '--s3-checksums',
      'when-required',
    ]);
    const started = await node;
    const client = await connect(socket);
    const datas = [0, 1, 2].map(() => randomBytes(700_000));
    for (const [i, data] of datas.entries()) await client.put(data, { objectId: `o${i}` });
    for (let round = 0; round < 2; round++)
      for (const [i, data] of datas.entries()) expect(sha(await client.get(`o${i}`))).toBe(sha(data));
    expect((await client.stats()).objects).toBe(3);
    const metrics = await (
      await fetch(`${started.report.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).text();
    const value = (name: string): number => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(metrics)?.[1]);
    expect(value('packice_cache_misses')).toBeGreaterThanOrEqual(3); // each object fetched again at least once
    expect(value('packice_cache_bytes')).toBeLessThanOrEqual(1 << 20);
    expect(value('packice_cache_capacity_bytes')).toBe(1 << 20);
    await client.close();
    expect(await started.stop()).toBe(0);
  }, 60_000);

  it('two nodes over one Redis and one bucket, no shared directory: B serves what A sealed, with A stopped', async () => {
    const redis: TestRedis = await startRedisServer();
    try {
      const cluster = (name: string) =>
        s3Node([
          '--s3-prefix',
          'cluster/',
          '--s3-checksums',
          'when-required',
          '--redis',
          redis.url,
          '--cluster',
          's3-test',
          '--node-id',
          name,
        ]);
      const a = cluster('a');
      const b = cluster('b');
      const [nodeA, nodeB] = await Promise.all([a.node, b.node]);
      const first = randomBytes(3 * 1024 * 1024);
      const second = randomBytes(9_000);
      const viaA = await connect(a.socket);
      await viaA.put(first, { objectId: 'from-a-1' });
      await viaA.put(second, { objectId: 'from-a-2' });
      await viaA.close();
      const viaB = await connect(b.socket);
      expect(sha(await viaB.get('from-a-1'))).toBe(sha(first));
      expect(await nodeA.stop()).toBe(0);
      // A is gone: B reads A's other object from the bucket itself, never through A.
      const lease = await viaB.acquire({ intent: 'read', objectId: 'from-a-2' });
      expect(sha(await lease.map())).toBe(sha(second));
      await lease.release({ wait: true });
      expect((await viaB.listObjects()).map((o) => o.objectId).sort()).toEqual(['from-a-1', 'from-a-2']);
      expect(await viaB.delete('from-a-1')).toMatchObject({ deleted: true });
      await viaB.close();
      expect(await nodeB.stop()).toBe(0);
    } finally {
      await redis.stop();
    }
  }, 60_000);

  it('refuses to start on a missing bucket, refused credentials, or no bucket at all', async () => {
    await expect(s3Node(['--s3-bucket', 'no-such-bucket']).node).rejects.toThrow(
      new RegExp(`NOT_FOUND: the bucket no-such-bucket does not exist at ${server.endpoint}`),
    );
    await expect(s3Node([], { AWS_ACCESS_KEY_ID: 'NOT-A-KEY' }).node).rejects.toThrow(
      /UNAUTHORIZED: .*credentials were refused/,
    );
    await expect(startNodeProcess(['--socket', join(dir, 'none.sock'), '--storage', 's3'])).rejects.toThrow(
      /BAD_REQUEST: s3 storage needs a bucket/,
    );
  }, 60_000);
});
