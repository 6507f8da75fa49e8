import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRedisServer, type TestRedis } from '@packice/catalog-redis/testing';
import { connect } from '@packice/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killNodeProcesses, startNodeProcess } from './__fixtures__/node-process';
import { writeTestCertificate } from './__fixtures__/test-certificate';

// A memory-storage cluster over HTTPS: nodes advertise https:// data-plane URLs, read each other's
// objects through them trusting --tls-ca, and clients find that CA in the owner's record.

const dir = mkdtempSync(join(tmpdir(), 'packice-scale-tls-'));
const env = { XDG_RUNTIME_DIR: join(dir, 'runtime'), PACKICE_TOKEN: '' };
const saved = process.env.XDG_RUNTIME_DIR;
let redis: TestRedis;

beforeAll(async () => {
  process.env.XDG_RUNTIME_DIR = env.XDG_RUNTIME_DIR;
  redis = await startRedisServer();
}, 30_000);

afterAll(async () => {
  await killNodeProcesses();
  await redis?.stop();
  if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
  else process.env.XDG_RUNTIME_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('memory storage over one Redis, over HTTPS', () => {
  it('a node reads an object in another node’s memory over that node’s HTTPS data plane', async () => {
    const { certFile, keyFile } = await writeTestCertificate(dir);
    const flags = (name: string): string[] => [
      ...['--socket', join(dir, `${name}.sock`), '--transport', 'uds,http', '--port', '0'],
      ...['--redis', redis.url, '--cluster', 'tls', '--node-id', name, '--token', 'cluster-shared-token'],
      ...['--tls-cert', certFile, '--tls-key', keyFile, '--tls-ca', certFile],
    ];
    const owner = await startNodeProcess(flags('owner'), { env });
    const other = await startNodeProcess(flags('other'), { env });
    expect(owner.report.url).toMatch(/^https:\/\//);
    const atOwner = await connect(owner.report.socket as string);
    const atOther = await connect(other.report.socket as string);
    const bytes = Buffer.alloc(150_000, 9);
    await atOwner.put(bytes, { objectId: 'tls-frame' });
    // The other node takes the lease at the owner over HTTPS; the client copies from the owner's
    // https:// URL with the token and CA of the owner's record.
    const lease = await atOther.acquire({ intent: 'read', objectId: 'tls-frame' });
    expect((await lease.read()).equals(bytes)).toBe(true);
    await lease.release({ wait: true });
    await Promise.all([atOwner.close(), atOther.close()]);
    await Promise.all([owner.stop(), other.stop()]);
  }, 30_000);
});
