export { startRedisServer } from './redis-server';
export type { TestRedis } from './redis-server';
