// Lua scripts: each catalog transition is one script, so it is atomic on the Redis server. Every
// key shares the cluster's hash tag (KEYS[1] is the prefix `{cluster}:`), so a script's keys live
// in one slot, as Redis Cluster requires.

/** Counts the live leases of an object (ARGV now): shared by the scripts below. */
const LIVE = `
local function live(p, id, now)
  local n = 0
  for _, lid in ipairs(redis.call('SMEMBERS', p .. 'olease:' .. id)) do
    local at = redis.call('ZSCORE', p .. 'leases', lid)
    if at and tonumber(at) > now then n = n + 1 end
  end
  return n
end
local function forget(p, id)
  local okey = p .. 'obj:' .. id
  local bytes = tonumber(redis.call('HGET', okey, 'bytes') or '0')
  for _, lid in ipairs(redis.call('SMEMBERS', p .. 'olease:' .. id)) do
    redis.call('DEL', p .. 'lease:' .. lid)
    redis.call('ZREM', p .. 'leases', lid)
  end
  redis.call('DEL', okey, p .. 'olease:' .. id)
  redis.call('SREM', p .. 'objects', id)
  redis.call('DECRBY', p .. 'bytes', bytes)
end
`;

/** ARGV: id, record JSON, state, bytes, capacity (-1: none). EXISTS, FULL or OK. */
export const CREATE = `
local p = KEYS[1]
local okey = p .. 'obj:' .. ARGV[1]
if redis.call('EXISTS', okey) == 1 then return 'EXISTS' end
local bytes = tonumber(ARGV[4])
local cap = tonumber(ARGV[5])
local used = tonumber(redis.call('GET', p .. 'bytes') or '0')
if cap >= 0 and used + bytes > cap then return 'FULL' end
redis.call('HSET', okey, 'rec', ARGV[2], 'state', ARGV[3], 'bytes', bytes, 'deleting', '0')
redis.call('SADD', p .. 'objects', ARGV[1])
redis.call('INCRBY', p .. 'bytes', bytes)
return 'OK'
`;

/** ARGV: id, record JSON, bytes, capacity, created_at. GONE, FULL or OK; publishes the seal. */
export const SEAL = `
local p = KEYS[1]
local okey = p .. 'obj:' .. ARGV[1]
if redis.call('EXISTS', okey) == 0 then return 'GONE' end
local before = tonumber(redis.call('HGET', okey, 'bytes') or '0')
local bytes = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local used = tonumber(redis.call('GET', p .. 'bytes') or '0')
if cap >= 0 and bytes > before and used + bytes - before > cap then return 'FULL' end
redis.call('HSET', okey, 'rec', ARGV[2], 'state', 'sealed', 'bytes', bytes, 'created_at', ARGV[5])
redis.call('INCRBY', p .. 'bytes', bytes - before)
redis.call('PUBLISH', p .. 'notices', cjson.encode({ type = 'sealed', objectId = ARGV[1] }))
return 'OK'
`;

/**
 * ARGV: id, record JSON, bytes, created_at, node. 1 when added, or when the node's own unsealed
 * record is now sealed (its seal reached the storage but not the catalog); else 0.
 */
export const REGISTER = `
local p = KEYS[1]
local okey = p .. 'obj:' .. ARGV[1]
local before = 0
if redis.call('EXISTS', okey) == 1 then
  if redis.call('HGET', okey, 'state') ~= 'creating' then return 0 end
  if cjson.decode(redis.call('HGET', okey, 'rec')).node ~= ARGV[5] then return 0 end
  before = tonumber(redis.call('HGET', okey, 'bytes') or '0')
end
redis.call('HSET', okey, 'rec', ARGV[2], 'state', 'sealed', 'bytes', ARGV[3], 'created_at', ARGV[4])
if before == 0 then redis.call('HSET', okey, 'deleting', '0') end
redis.call('SADD', p .. 'objects', ARGV[1])
redis.call('INCRBY', p .. 'bytes', tonumber(ARGV[3]) - before)
redis.call('PUBLISH', p .. 'notices', cjson.encode({ type = 'sealed', objectId = ARGV[1] }))
return 1
`;

/** ARGV: id. 1 when an unsealed object was forgotten. */
export const ABORT = `${LIVE}
local p = KEYS[1]
local okey = p .. 'obj:' .. ARGV[1]
if redis.call('HGET', okey, 'state') ~= 'creating' then return 0 end
forget(p, ARGV[1])
return 1
`;

/** ARGV: lease id, object id, access, expires_at, lease JSON, created_at (-1: any). GONE, CREATING or OK. */
export const ADD_LEASE = `
local p = KEYS[1]
local okey = p .. 'obj:' .. ARGV[2]
local state = redis.call('HGET', okey, 'state')
if not state or redis.call('HGET', okey, 'deleting') == '1' then return 'GONE' end
if tonumber(ARGV[6]) >= 0 and redis.call('HGET', okey, 'created_at') ~= ARGV[6] then return 'GONE' end
if ARGV[3] == 'read' and state ~= 'sealed' then return 'CREATING' end
redis.call('HSET', p .. 'lease:' .. ARGV[1], 'json', ARGV[5], 'object_id', ARGV[2], 'access', ARGV[3])
redis.call('ZADD', p .. 'leases', ARGV[4], ARGV[1])
redis.call('SADD', p .. 'olease:' .. ARGV[2], ARGV[1])
return 'OK'
`;

/** ARGV: lease id, expires_at, lease JSON. */
export const RENEW_LEASE = `
local p = KEYS[1]
local lkey = p .. 'lease:' .. ARGV[1]
if redis.call('EXISTS', lkey) == 0 then return 0 end
redis.call('HSET', lkey, 'json', ARGV[3])
redis.call('ZADD', p .. 'leases', 'XX', ARGV[2], ARGV[1])
return 1
`;

/** ARGV: lease id, object id, now. deleted (its last lease ended a pending delete) or kept. */
export const REMOVE_LEASE = `${LIVE}
local p = KEYS[1]
local id = ARGV[2]
local now = tonumber(ARGV[3])
redis.call('DEL', p .. 'lease:' .. ARGV[1])
redis.call('ZREM', p .. 'leases', ARGV[1])
redis.call('SREM', p .. 'olease:' .. id, ARGV[1])
local okey = p .. 'obj:' .. id
if redis.call('HGET', okey, 'deleting') == '1' and live(p, id, now) == 0 then
  forget(p, id)
  return 'deleted'
end
return 'kept'
`;

/** ARGV: id, now. NOT_FOUND, pending or deleted. */
export const DELETE = `${LIVE}
local p = KEYS[1]
local id = ARGV[1]
local okey = p .. 'obj:' .. id
local state = redis.call('HGET', okey, 'state')
if not state then return 'NOT_FOUND' end
if redis.call('HGET', okey, 'deleting') == '1' then return 'pending' end
if state == 'sealed' and live(p, id, tonumber(ARGV[2])) == 0 then
  forget(p, id)
  return 'deleted'
end
redis.call('HSET', okey, 'deleting', '1')
return 'pending'
`;

/** ARGV: now, most leases to end. A flat list: object id, outcome, ... */
export const SWEEP = `${LIVE}
local p = KEYS[1]
local now = tonumber(ARGV[1])
local out = {}
for _, lid in ipairs(redis.call('ZRANGEBYSCORE', p .. 'leases', '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))) do
  local lkey = p .. 'lease:' .. lid
  local id = redis.call('HGET', lkey, 'object_id')
  local access = redis.call('HGET', lkey, 'access')
  redis.call('DEL', lkey)
  redis.call('ZREM', p .. 'leases', lid)
  if id then
    redis.call('SREM', p .. 'olease:' .. id, lid)
    local okey = p .. 'obj:' .. id
    local state = redis.call('HGET', okey, 'state')
    if state == 'creating' and access == 'create' then
      forget(p, id)
      table.insert(out, id)
      table.insert(out, 'aborted')
    elseif state and redis.call('HGET', okey, 'deleting') == '1' and live(p, id, now) == 0 then
      forget(p, id)
      table.insert(out, id)
      table.insert(out, 'deleted')
    end
  end
end
return out
`;

/** ARGV: node, ttl ms. 1 when the node was alive, 0 when its heartbeat had expired or is new. */
export const HEARTBEAT = `
local p = KEYS[1]
local was = redis.call('EXISTS', p .. 'alive:' .. ARGV[1])
redis.call('SADD', p .. 'nodes', ARGV[1])
redis.call('SET', p .. 'alive:' .. ARGV[1], '1', 'PX', ARGV[2])
return was
`;

/**
 * Forgets sealed memory objects (records with a dataUrl) of nodes that sent heartbeats and whose
 * heartbeat expired. Returns id, size pairs.
 */
export const FORGET_DEAD = `${LIVE}
local p = KEYS[1]
local dead = {}
local any = false
for _, node in ipairs(redis.call('SMEMBERS', p .. 'nodes')) do
  if redis.call('EXISTS', p .. 'alive:' .. node) == 0 then
    dead[node] = true
    any = true
    redis.call('SREM', p .. 'nodes', node)
  end
end
local out = {}
if not any then return out end
for _, id in ipairs(redis.call('SMEMBERS', p .. 'objects')) do
  local okey = p .. 'obj:' .. id
  local h = redis.call('HMGET', okey, 'rec', 'state', 'deleting')
  if h[1] and h[2] == 'sealed' and h[3] ~= '1' then
    local rec = cjson.decode(h[1])
    if rec.dataUrl ~= nil and dead[rec.node] then
      forget(p, id)
      table.insert(out, id)
      table.insert(out, tostring(rec.size))
    end
  end
end
return out
`;
