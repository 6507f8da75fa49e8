export { startRedisServer } from './redis-server';
export type { TestRedis } from './redis-server';
export { startRedisCluster } from './redis-cluster';
export type { TestRedisCluster } from './redis-cluster';
