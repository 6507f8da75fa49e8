export { createRedisCatalog, REDIS_CATALOG_DEFAULTS } from './redis-catalog';
export type { RedisCatalog, RedisCatalogOptions } from './redis-catalog';
export { redisOptionsFromUrl } from './redis-url';
