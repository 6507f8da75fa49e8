export { createRedisCatalog, REDIS_CATALOG_DEFAULTS } from './redis-catalog';
export type { RedisCatalog, RedisCatalogOptions } from './redis-catalog';
export { clusterNodesFromUrl, redisOptionsFromUrl } from './redis-url';
