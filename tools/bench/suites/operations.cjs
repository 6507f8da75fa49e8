// Operations per second: ping, read cycle and create cycle over UDS, HTTP and in-process, from
// 1, 4 and 16 concurrent clients, next to a plain `net` JSON echo (the floor) with as many.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { connect } = require('@packice/client');
const { ask, start, startNode, stop } = require('../processes.cjs');

const OPS = {
  ping: 'ping (UDS ping op, HTTP GET /v1/health, in-process stat)',
  read: 'read cycle (acquire read + map() + release)',
  batch: 'batch read (acquireMany of 16 objects, each mapped and released; counted per object)',
  create: 'create cycle (put of 1 KiB: acquire create + write + seal + release)',
  echo: 'net JSON echo round trip (the floor)',
};
const TRANSPORTS = ['uds', 'http', 'in-process'];

/** Runs the operations benchmark; `quick` runs each measurement for less time. */
async function operations({ quick, log }) {
  const seconds = quick ? 0.5 : 2;
  const dir = mkdtempSync(join(tmpdir(), 'packice-bench-ops-'));
  const socket = join(dir, 'node.sock');
  const node = await startNode('mem', socket);
  const echo = await start('plain-server.cjs', [join(dir, 'echo.sock'), 'echo']);
  const load = await start('load.cjs');
  const rows = [];
  try {
    const producer = await connect(socket);
    for (const objectId of ['kib', ...Array.from({ length: 16 }, (_, i) => `kib-${i}`)]) {
      await producer.put(Buffer.alloc(1024, 0x5a), { objectId });
    }
    await producer.close();
    await ask(load.child, 'setup', { socket, url: node.first.url, echo: join(dir, 'echo.sock') });
    const cells = [];
    for (const clients of [1, 4, 16]) {
      cells.push({ op: 'echo', transport: 'net', clients });
      for (const op of ['ping', 'read', 'batch', 'create']) {
        for (const transport of TRANSPORTS) cells.push({ op, transport, clients });
      }
    }
    for (const cell of cells) {
      const { ops, seconds: took } = await ask(load.child, 'run', { ...cell, seconds });
      const row = { ...cell, opsPerSecond: ops / took, ops, seconds: took };
      rows.push(row);
      log(`ops ${cell.op} over ${cell.transport}, ${cell.clients} clients: ${Math.round(row.opsPerSecond)}/s`);
    }
    await ask(load.child, 'close');
  } finally {
    await stop(load.child, echo.child, node.child);
    rmSync(dir, { recursive: true, force: true });
  }
  return { ops: OPS, rows };
}

module.exports = { operations };
