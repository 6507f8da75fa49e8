// The load generator of the operations benchmark: asked over IPC to run one operation from N
// concurrent clients (each its own connection) for a while, it answers how many it completed.
// node load.cjs. In-process runs use a Peer of its own, in this process.
const net = require('node:net');
const { connect } = require('@packice/client');
const { createPeer } = require('@packice/core');
const { createMemStorage } = require('@packice/storage-mem');
const { connectUds } = require('@packice/transport-uds');

const KIB = Buffer.alloc(1024, 0x5a);
let targets;
let peer;
let made = 0;

/** A line-JSON client of the net echo server: one request at a time. */
async function echoClient(path) {
  const socket = net.createConnection(path);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.setEncoding('utf8');
  let buffer = '';
  let waiting = null;
  socket.on('data', (chunk) => {
    buffer += chunk;
    const nl = buffer.indexOf('\n');
    if (nl === -1 || !waiting) return;
    buffer = buffer.slice(nl + 1);
    const resolve = waiting;
    waiting = null;
    resolve();
  });
  let id = 0;
  return {
    call: () =>
      new Promise((resolve) => ((waiting = resolve), socket.write(`${JSON.stringify({ id: ++id, op: 'ping' })}\n`))),
    close: async () => socket.destroy(),
  };
}

/** One client's operation as a function, and how to let go of the client. */
async function opener(transport, op) {
  if (transport === 'net') return echoClient(targets.echo);
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
  };
  return { call: calls[op], close: () => client.close() };
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
    await c.put(KIB, { objectId: 'kib' });
    await c.close();
    return {};
  },
  async run({ transport, op, clients, seconds }) {
    const opened = await Promise.all(Array.from({ length: clients }, () => opener(transport, op)));
    for (const { call } of opened) for (let i = 0; i < 20; i++) await call(); // warm up
    let ops = 0;
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      opened.map(async ({ call }) => {
        while (performance.now() < deadline) {
          await call();
          ops++;
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

process.on('message', (message) => {
  if (!message.cmd) return;
  handlers[message.cmd](message).then(
    (result) => process.send({ reply: message.cmd, ...result }),
    (err) => process.send({ reply: message.cmd, error: String(err?.stack ?? err) }),
  );
});
process.send({ ready: true });
