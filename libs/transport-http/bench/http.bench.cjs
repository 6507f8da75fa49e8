// Benchmark: read acquire + release of a sealed 1 KiB object over HTTP with keep-alive,
// one connection and eight, next to fastify's hello-world route in the same run (autocannon).
// `npm run bench`; figures go into notes, not assertions.
const autocannon = require('autocannon');
const { fork } = require('node:child_process');
const { once } = require('node:events');
const { join } = require('node:path');

const DURATION = Number(process.env.BENCH_SECONDS ?? 5); // seconds per measurement

const children = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

async function start(script, args = []) {
  const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  children.push(child);
  const [{ url }] = await once(child, 'message');
  return { child, url };
}

function run(options) {
  return new Promise((resolve, reject) => {
    autocannon({ duration: DURATION, ...options }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function main() {
  const node = await start(join(__dirname, '../src/__fixtures__/http-node.cjs'), ['mem']);
  const hello = await start(join(__dirname, 'hello.cjs'));
  const post = async (path, body) => {
    const init =
      body === undefined
        ? { method: 'POST' }
        : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    const response = await fetch(new URL(path, node.url), init);
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
  const created = await post('/v1/leases', { intent: 'create', object_id: 'kib', blobs: [{ size: 1024 }] });
  await post(`/v1/leases/${created.lease.lease_id}/seal`, undefined);

  const pair = [
    {
      method: 'POST',
      path: '/v1/leases',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ intent: 'read', object_id: 'kib' }),
      onResponse: (status, body, context) => {
        context.leaseId = JSON.parse(body).lease.lease_id;
      },
    },
    { method: 'DELETE', setupRequest: (req, context) => ({ ...req, path: `/v1/leases/${context.leaseId}` }) },
  ];
  const rows = {};
  for (const connections of [1, 8]) {
    const h = await run({ url: hello.url, connections });
    const p = await run({ url: node.url, connections, requests: pair });
    const pairs = p.requests.average / 2;
    rows[`hello world, ${connections} conn`] = {
      'req/s': Math.round(h.requests.average),
      'p50 ms': h.latency.p50,
      errors: h.errors + h.non2xx,
    };
    rows[`acquire+release, ${connections} conn`] = {
      'req/s': Math.round(p.requests.average),
      'pairs/s': Math.round(pairs),
      'p50 ms': p.latency.p50,
      errors: p.errors + p.non2xx,
      'vs hello (req/s)': `${(p.requests.average / h.requests.average).toFixed(2)}x`,
    };
  }
  console.table(rows);
  for (const { child } of [node, hello]) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
