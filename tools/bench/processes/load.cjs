// The load generator of the operations benchmark: asked over IPC to run one operation from N
// concurrent clients (each its own connection) for a while, it answers how many it completed.
// node load.cjs. In-process runs use a Peer of its own, in this process.
const { connect } = require('@packice/client');
const { echoClient } = require('./echo-client.cjs');
const { serve } = require('./serve.cjs');
const { createPeer } = require('@packice/core');
const { createMemStorage } = require('@packice/storage-mem');
const { connectUds } = require('@packice/transport-uds');

const KIB = Buffer.alloc(1024, 0x5a);
const MAX_MADE = 6_000;
const BATCH_IDS = Array.from({ length: 16 }, (_, i) => `kib-${i}`);
let targets;
let peer;
let made = 0;

/** One client's operation as a function, and how to let go of the client. */
async function opener(transport, op) {
  if (transport === 'net') return echoClient(targets.echo, (id) => ({ id, op: 'ping' }));
  if (transport === 'uds' && op === 'ping') {
    const uds = await connectUds(targets.socket);
    return { call: () => uds.request('ping'), close: () => uds.close() };
  }
  if (transport === 'http' && op === 'ping') {
    const url = new URL('/v1/health', targets.url);
    return { call: async () => (await fetch(url)).arrayBuffer(), close: async () => undefined };
  }
  const client = await connect({ uds: targets.socket, http: targets.url, 'in-process': peer }[transport]);
  const calls = {
    ping: () => client.stat('kib'),
    read: async () => {
      const lease = await client.acquire({ intent: 'read', objectId: 'kib' });
      await lease.map();
      await lease.release();
    },
    create: () => client.put(KIB, { objectId: `made-${process.pid}-${++made}` }),
    // acquireMany of BATCH objects, each mapped and released: counts as BATCH reads.
    batch: async () => {
      for (const lease of await client.acquireMany(BATCH_IDS)) {
        if (!(lease instanceof Error)) {
          await lease.map();
          await lease.release();
        }
      }
    },
  };
  return { call: calls[op], close: () => client.close(), weight: op === 'batch' ? BATCH_IDS.length : 1 };
}

/** Deletes the objects a create run made, so runs do not add up (not timed). */
async function removeMade(transport) {
  const client = await connect({ uds: targets.socket, http: targets.url, 'in-process': peer }[transport]);
  for (const { objectId } of await client.listObjects()) {
    if (objectId.startsWith('made-')) await client.delete(objectId);
  }
  await client.close();
}

const handlers = {
  async setup(message) {
    targets = message;
    peer = createPeer({ storage: createMemStorage() });
    await peer.start();
    const c = await connect(peer);
    for (const objectId of ['kib', ...BATCH_IDS]) await c.put(KIB, { objectId });
    await c.close();
    return {};
  },
  async run({ transport, op, clients, seconds }) {
    const opened = await Promise.all(Array.from({ length: clients }, () => opener(transport, op)));
    // Warm up (JIT, connections) for half the time measured, at most 1 s; not counted.
    const warm = performance.now() + Math.min(seconds / 2, 1) * 1000;
    await Promise.all(
      opened.map(async ({ call }) => {
        while (performance.now() < warm) await call();
      }),
    );
    if (op === 'create') await removeMade(transport);
    let ops = 0;
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    // Creates stop early at MAX_MADE: every object made holds a descriptor until the run ends.
    const more = () => performance.now() < deadline && !(op === 'create' && ops >= MAX_MADE);
    await Promise.all(
      opened.map(async ({ call, weight = 1 }) => {
        while (more()) {
          await call();
          ops += weight;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    await Promise.all(opened.map(({ close }) => close()));
    if (op === 'create') await removeMade(transport);
    return { ops, seconds: elapsed };
  },
  async close() {
    await peer.close();
    return {};
  },
};

serve(handlers);
