import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogObject, describeCatalog } from '@packice/cluster/testing';
import { createRedisCatalog, type RedisCatalog } from './redis-catalog';
import { startRedisCluster, type TestRedisCluster } from './testing/redis-cluster';

let cluster: TestRedisCluster;
let n = 0;

beforeAll(async () => {
  cluster = await startRedisCluster();
}, 30_000);

afterAll(async () => {
  await cluster?.stop();
});

async function fresh(name = `c${++n}`): Promise<RedisCatalog> {
  const catalog = createRedisCatalog({ url: cluster.url, cluster: name, commandTimeoutMs: 2_000 });
  await catalog.connect();
  return catalog;
}

// The same contract on a real three-master Redis Cluster: every script's keys share the cluster
// name's hash tag, so each is legal there (one slot).
describeCatalog('Redis Cluster', () => fresh());

describe('Redis Cluster', () => {
  it('serves several PackIce clusters side by side, each under its own hash tag', async () => {
    const catalogs = await Promise.all(['alpha', 'beta', 'gamma', 'delta'].map((name) => fresh(name)));
    const object = catalogObject('x');
    for (const catalog of catalogs) await catalog.create(object, null);
    for (const catalog of catalogs) await expect(catalog.get('x')).resolves.toMatchObject({ objectId: 'x' });
    await Promise.all(catalogs.map((c) => c.close()));
  });
});
