// Benchmark (scale-out): sequential acquire-read + release cycles over UDS through one node with
// its own in-memory catalog, through one node with the Redis catalog, and through two Redis-catalog
// nodes at once (one client each), in one run, rounds interleaved. fs storage in a temp dir; the
// redis-server is the benchmark's own (unix socket, nothing saved).
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { connect } = require('@packice/client');
const { startRedisServer } = require('@packice/catalog-redis/testing');

const CYCLES = Number(process.env.BENCH_CYCLES ?? 3000);
const ROUNDS = 3;

async function startNode(args) {
  const node = spawn(process.execPath, [join(__dirname, '../dist/main.js'), ...args, '--log-level', 'silent'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const [report] = await once(node, 'message');
  if (report.type !== 'ready') throw new Error(`node failed: ${report.message}`);
  return node;
}

async function cycles(client, objectId) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < CYCLES; i++) {
    const lease = await client.acquire({ intent: 'read', objectId });
    await lease.release();
  }
  return CYCLES / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'packice-bench-catalog-'));
  const redis = await startRedisServer();
  const fs = (name) => ['--storage', 'fs', '--dir', join(dir, name), '--socket', join(dir, `${name}.sock`)];
  const cluster = ['--redis', redis.url, '--cluster', 'bench'];
  const nodes = [
    await startNode(fs('alone')),
    await startNode([...fs('shared'), ...cluster, '--node-id', 'a', '--socket', join(dir, 'a.sock')]),
    await startNode([...fs('shared'), ...cluster, '--node-id', 'b', '--socket', join(dir, 'b.sock')]),
  ];
  const alone = await connect(join(dir, 'alone.sock'));
  const a = await connect(join(dir, 'a.sock'));
  const b = await connect(join(dir, 'b.sock'));
  await alone.put('bench object', { objectId: 'obj' });
  await a.put('bench object', { objectId: 'obj' });
  await cycles(alone, 'obj'); // warm-up
  await cycles(a, 'obj');
  const rows = [];
  for (let round = 0; round < ROUNDS; round++) {
    const memory = await cycles(alone, 'obj');
    const redisOne = await cycles(a, 'obj');
    const [viaA, viaB] = await Promise.all([cycles(a, 'obj'), cycles(b, 'obj')]);
    rows.push({
      round,
      'one node, memory catalog (cycles/s)': Math.round(memory),
      'one node, Redis catalog': Math.round(redisOne),
      'ratio Redis/memory': (redisOne / memory).toFixed(2),
      'two nodes at once, total': Math.round(viaA + viaB),
      'ratio two/one (Redis)': ((viaA + viaB) / redisOne).toFixed(2),
    });
  }
  console.log(`acquire-read + release, ${CYCLES} sequential cycles per client per round, UDS, fs storage`);
  console.table(rows);
  await Promise.all([alone.close(), a.close(), b.close()]);
  for (const node of nodes) {
    node.kill('SIGTERM');
    await once(node, 'exit');
  }
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
