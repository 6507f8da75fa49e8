// The second process of the handoff benchmark: connected once, it is asked over IPC (advanced
// serialization) to get a readable view of an object by one method, `tries` times, and answers
// the times in ms from asking to holding the view. node --expose-gc reader.cjs
const net = require('node:net');
const { connect } = require('@packice/client');
const { serve } = require('./serve.cjs');

const now = () => Number(process.hrtime.bigint()) / 1e6;
const gc = typeof global.gc === 'function' ? global.gc : () => undefined;
const ZERO_COPY = new Set(['uds-map', 'http-path']);
const clients = {};
let plain;

/** Resolves with `size` bytes sent by the plain socket server, collected into one Buffer. */
function plainReceive(size) {
  return new Promise((resolve) => {
    const buffer = Buffer.allocUnsafe(size);
    let at = 0;
    const onData = (chunk) => {
      chunk.copy(buffer, at);
      at += chunk.length;
      if (at < size) return;
      plain.off('data', onData);
      resolve(buffer);
    };
    plain.on('data', onData);
    plain.write(`${size}\n`);
  });
}

function ipcReceive(size) {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (!message.ipc) return;
      process.off('message', onMessage);
      resolve(message.ipc);
    };
    process.on('message', onMessage);
    process.send({ ipcRequest: size });
  });
}

/** One handoff: resolves with the readable view (and how to let it go). */
async function view(method, objectId, size) {
  const client = { 'uds-map': 'uds', 'uds-read': 'uds', 'http-path': 'httpFs', 'http-data': 'http' }[method];
  if (client) {
    const lease = await clients[client].acquire({ intent: 'read', objectId });
    const bytes = method.endsWith('map') || method === 'http-path' ? await lease.map() : await lease.read();
    return { bytes, done: () => lease.release({ wait: true }) };
  }
  const bytes = method === 'plain' ? await plainReceive(size) : await ipcReceive(size);
  return { bytes, done: async () => undefined };
}

const handlers = {
  async connect({ socket, url, fsUrl, plainPath }) {
    clients.uds = await connect(socket);
    clients.http = await connect(url);
    clients.httpFs = await connect(fsUrl);
    plain = net.createConnection(plainPath);
    await new Promise((resolve) => plain.once('connect', resolve));
    return {};
  },
  async measure({ method, objectId, size, tries, warmup }) {
    const times = [];
    for (let i = -warmup; i < tries; i++) {
      const start = now();
      const { bytes, done } = await view(method, objectId, size);
      const ms = now() - start;
      if (bytes.length !== size) throw new Error(`${method} gave ${bytes.length} bytes, not ${size}`);
      if (bytes[size - 1] !== 0x5a) throw new Error(`${method} gave the wrong bytes`);
      await done();
      if (i >= 0) times.push(ms);
      if (size >= 2 ** 26 && !ZERO_COPY.has(method)) gc();
    }
    return { times };
  },
  async close() {
    await Promise.all(Object.values(clients).map((c) => c.close()));
    plain.destroy();
    return {};
  },
};

serve(handlers);
