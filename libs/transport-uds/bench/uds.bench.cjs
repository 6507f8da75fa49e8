// Benchmark: sequential round trips over the UDS binding (ping; acquire-read + release of a
// 1 KiB object, fd passed each time) next to a plain `net` JSON echo between two Node
// processes, measured in the same run. `npm run bench`; figures go into notes, not assertions.
const { fork } = require('node:child_process');
const { once } = require('node:events');
const { closeSync, mkdtempSync, rmSync, writeSync } = require('node:fs');
const net = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { connectUds } = require('../dist'); // this lib, built

const ROUNDS = 3;
const PINGS = 20_000;
const CYCLES = 5_000;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function start(script, args) {
  const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  await once(child, 'message');
  return child;
}

async function netFloor(path) {
  const socket = net.createConnection(path);
  await once(socket, 'connect');
  socket.setEncoding('utf8');
  let buffer = '';
  let waiting = null;
  socket.on('data', (chunk) => {
    buffer += chunk;
    const nl = buffer.indexOf('\n');
    if (nl !== -1 && waiting) {
      buffer = buffer.slice(nl + 1);
      const w = waiting;
      waiting = null;
      w();
    }
  });
  const start = now();
  for (let id = 1; id <= PINGS; id++) {
    await new Promise((resolve) => {
      waiting = resolve;
      socket.write(`${JSON.stringify({ id, op: 'ping' })}\n`);
    });
  }
  const ms = now() - start;
  socket.destroy();
  return PINGS / (ms / 1000);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'packice-bench-'));
  const nodePath = join(dir, 'node.sock');
  const echoPath = join(dir, 'echo.sock');
  const node = await start(join(__dirname, '../src/__fixtures__/uds-node.cjs'), [nodePath]);
  const echo = await start(join(__dirname, 'net-echo.cjs'), [echoPath]);
  const t = await connectUds(nodePath);
  const created = await t.request('acquire', { intent: 'create', object_id: 'kib', blobs: [{ size: 1024 }] });
  writeSync(created.fds[0], Buffer.alloc(1024, 7), 0, 1024, 0);
  closeSync(created.fds[0]);
  await t.request('seal', { lease_id: created.body.lease.lease_id });

  const results = { floor: [], ping: [], cycle: [] };
  for (let round = 0; round < ROUNDS; round++) {
    results.floor.push(await netFloor(echoPath));
    let start = now();
    for (let i = 0; i < PINGS; i++) await t.request('ping');
    results.ping.push(PINGS / ((now() - start) / 1000));
    start = now();
    for (let i = 0; i < CYCLES; i++) {
      const read = await t.request('acquire', { intent: 'read', object_id: 'kib' });
      closeSync(read.fds[0]);
      await t.request('release', { lease_id: read.body.lease.lease_id });
    }
    results.cycle.push(CYCLES / ((now() - start) / 1000));
  }
  const floor = median(results.floor);
  const ping = median(results.ping);
  const cycle = median(results.cycle);
  console.table({
    'net JSON echo (floor)': { 'ops/s': Math.round(floor), 'µs/op': (1e6 / floor).toFixed(1), 'vs floor': '1.00x' },
    'UDS ping': {
      'ops/s': Math.round(ping),
      'µs/op': (1e6 / ping).toFixed(1),
      'vs floor': `${(ping / floor).toFixed(2)}x`,
    },
    'UDS acquire-read (1 fd) + release': {
      'ops/s': Math.round(cycle),
      'µs/op': (1e6 / cycle).toFixed(1),
      'vs floor': `${(cycle / floor).toFixed(2)}x (2 round trips)`,
    },
  });
  await t.close();
  node.kill('SIGTERM');
  echo.kill('SIGTERM');
  await Promise.all([once(node, 'exit'), once(echo, 'exit')]);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
