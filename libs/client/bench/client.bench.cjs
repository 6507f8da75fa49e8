// Benchmark: how long a second process takes to get a readable view of a 1 GiB object through
// Lease.map() (zero-copy) and Lease.read() (a copy) over UDS, next to receiving the same bytes
// over a plain Unix socket. `npm run bench`; figures go into notes, not assertions.
const { fork } = require('node:child_process');
const { once } = require('node:events');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { connect } = require('../dist'); // this lib, built

const SIZE = Number(process.env.BENCH_BYTES ?? 2 ** 30);
const RUNS = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const children = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

function child(script, args) {
  const c = fork(join(__dirname, script), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  children.push(c);
  return c;
}

async function measure(script, args) {
  const c = child(script, args);
  const [result] = await once(c, 'message');
  await once(c, 'exit');
  if (result.bytes !== SIZE) throw new Error(`${script} saw ${result.bytes} bytes`);
  return result;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'packice-client-bench-'));
  const socket = join(dir, 'node.sock');
  const node = child('../src/__fixtures__/node.cjs', [socket]);
  await once(node, 'message');
  const producer = await connect(socket);
  const lease = await producer.acquire({ intent: 'create', objectId: 'gib', blobs: [{ size: SIZE }] });
  (await lease.mapWritable()).fill(0x5a);
  await lease.seal();
  await lease.release();

  const sender = child('socket-pair.cjs', [join(dir, 'plain.sock'), 'send', String(SIZE)]);
  await once(sender, 'message');
  const rows = {};
  for (const [name, script, args] of [
    ['UDS + Lease.map() (zero-copy)', 'reader.cjs', [socket, 'gib', 'map']],
    ['UDS + Lease.read() (copy)', 'reader.cjs', [socket, 'gib', 'read']],
    ['plain Unix socket (net), bytes sent', 'socket-pair.cjs', [join(dir, 'plain.sock'), 'receive', String(SIZE)]],
  ]) {
    const results = [];
    for (let r = 0; r < RUNS; r++) results.push(await measure(script, args));
    rows[name] = {
      'readable view, ms': median(results.map((x) => x.ready)).toFixed(1),
      'view + every page touched, ms': median(results.map((x) => x.touched)).toFixed(1),
    };
  }
  console.log(`${SIZE / 2 ** 20} MiB object, second process, medians of ${RUNS}`);
  console.table(rows);
  await producer.close();
  sender.kill('SIGTERM');
  node.kill('SIGTERM');
  await Promise.all([once(sender, 'exit'), once(node, 'exit')]);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
