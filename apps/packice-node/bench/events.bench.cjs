// Benchmark: events per second delivered to a subscriber (another process, over UDS), and the cost
// of one subscriber on create + write + seal + release throughput, in one run against a node
// process: rounds without and with a subscriber, alternating.
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { connect } = require('@packice/client');

const N = Number(process.env.BENCH_EVENTS ?? 3000);
const ROUNDS = 3;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'packice-bench-events-'));
  const socket = join(dir, 'node.sock');
  const node = spawn(
    process.execPath,
    [join(__dirname, '../dist/main.js'), '--socket', socket, '--log-level', 'silent'],
    {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  await once(node, 'message');
  const client = await connect(socket);
  const produce = async (tag) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await client.put('x', { objectId: `bench-${tag}-${i}` });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (let i = 0; i < N; i++) await client.delete(`bench-${tag}-${i}`);
    return N / seconds;
  };
  const rows = [];
  for (let round = 0; round < ROUNDS; round++) {
    const without = await produce(`a${round}`);
    const sub = spawn(process.execPath, [join(__dirname, 'subscriber.cjs'), socket, String(N)], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    const exited = once(sub, 'exit');
    let out = '';
    sub.stdout.on('data', (c) => (out += c));
    await once(sub, 'message');
    const withOne = await produce(`b${round}`);
    await exited;
    const { events, ms } = JSON.parse(out);
    rows.push({
      round,
      'puts/s, no subscriber': Math.round(without),
      'puts/s, one subscriber': Math.round(withOne),
      ratio: (withOne / without).toFixed(2),
      'events/s delivered': Math.round((events / ms) * 1000),
    });
  }
  console.table(rows);
  await client.close();
  node.kill('SIGTERM');
  await once(node, 'exit');
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
