// HTTP: read acquire + release pairs of a sealed 1 KiB object with keep-alive, over one
// connection and eight, next to fastify's hello-world route in the same run (autocannon).
const autocannon = require('autocannon');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { BENCH_TOKEN, start, startNode, stop } = require('../processes.cjs');

const auth = { authorization: `Bearer ${BENCH_TOKEN}` };

function run(options) {
  return new Promise((resolve, reject) => {
    autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** Runs the HTTP benchmark; `quick` runs each measurement for less time. */
async function http({ quick, log }) {
  const duration = quick ? 2 : 5;
  const dir = mkdtempSync(join(tmpdir(), 'packice-bench-http-'));
  const node = await startNode('mem', join(dir, 'node.sock'));
  const hello = await start('hello.cjs');
  const rows = [];
  try {
    const post = async (path, body) => {
      const init = { method: 'POST', headers: auth };
      if (body)
        Object.assign(init, { headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const response = await fetch(new URL(path, node.first.url), init);
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
      return response.json();
    };
    const created = await post('/v1/leases', { intent: 'create', object_id: 'kib', blobs: [{ size: 1024 }] });
    await post(`/v1/leases/${created.lease.lease_id}/seal`);
    const pair = [
      {
        method: 'POST',
        path: '/v1/leases',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ intent: 'read', object_id: 'kib' }),
        onResponse: (status, body, context) => {
          context.leaseId = JSON.parse(body).lease.lease_id;
        },
      },
      {
        method: 'DELETE',
        headers: auth,
        setupRequest: (req, context) => ({ ...req, path: `/v1/leases/${context.leaseId}` }),
      },
    ];
    for (const connections of [1, 8]) {
      const h = await run({ url: hello.first.url, connections, duration });
      const p = await run({ url: node.first.url, connections, duration, requests: pair });
      const errors = p.errors + p.non2xx + h.errors + h.non2xx;
      if (errors > 0) throw new Error(`HTTP benchmark saw ${errors} failed requests`);
      rows.push({ what: 'hello', connections, requestsPerSecond: h.requests.average, p50: h.latency.p50 });
      rows.push({
        what: 'pair',
        connections,
        requestsPerSecond: p.requests.average,
        pairsPerSecond: p.requests.average / 2,
        p50: p.latency.p50,
      });
      log(
        `http ${connections} conn: hello ${Math.round(h.requests.average)} req/s, pairs ${Math.round(p.requests.average / 2)}/s`,
      );
    }
  } finally {
    await stop(node.child, hello.child);
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows };
}

module.exports = { http };
