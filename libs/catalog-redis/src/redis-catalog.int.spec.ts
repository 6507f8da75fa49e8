import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogObject, describeCatalog } from '@packice/cluster/testing';
import { createRedisCatalog, type RedisCatalog } from './redis-catalog';
import { startRedisServer, type TestRedis } from './testing/redis-server';

let redis: TestRedis;
let n = 0;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis?.stop();
});

async function fresh(cluster = `t${++n}`): Promise<RedisCatalog> {
  const catalog = createRedisCatalog({ url: redis.url, cluster, commandTimeoutMs: 1_000 });
  await catalog.connect();
  return catalog;
}

describeCatalog('Redis', () => fresh());

describe('Redis catalog', () => {
  it('keeps every key of a cluster under one hash tag, and clusters apart', async () => {
    const a = await fresh('alpha');
    const b = await fresh('beta');
    const object = catalogObject('same-id');
    await a.create(object, null);
    await b.create(object, null);
    expect(a.prefix).toBe('{alpha}:');
    await a.close();
    await b.close();
  });

  it('refuses bad URLs and cluster names with BAD_REQUEST', () => {
    expect(() => createRedisCatalog({ url: 'http://x' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => createRedisCatalog({ url: redis.url, cluster: 'a b' })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });

  it('answers UNAVAILABLE within its timeout while Redis is gone, and works again once it is back', async () => {
    const catalog = await fresh('restart');
    let reconnected = 0;
    catalog.onReconnect(() => reconnected++);
    await redis.kill();
    const started = Date.now();
    await expect(catalog.get('x')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(3_000);
    await redis.restart();
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await catalog.get('x');
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    expect(reconnected).toBe(1);
    await catalog.close();
  });

  it('cannot connect to a server that is not there: UNAVAILABLE', async () => {
    const catalog = createRedisCatalog({ url: 'unix:///nonexistent/redis.sock', connectTimeoutMs: 500 });
    await expect(catalog.connect()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await catalog.close();
  });
});
