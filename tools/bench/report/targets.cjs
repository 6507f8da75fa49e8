// The performance targets (issue 15), each as a ratio to its baseline from the same run.
const GiB = 2 ** 30;
const ms = (x) => `${x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2)} ms`;
const perSecond = (x, unit) => `${Math.round(x).toLocaleString('en-US')} ${unit}/s`;

/** Every target with PackIce's figure, the baseline's, their ratio and whether it is met. */
function targets({ handoff, operations, http, create }) {
  const handoffAt = (method) => handoff.rows.find((r) => r.method === method && r.bytes === GiB);
  const ops = (op, transport) =>
    operations.rows.find((r) => r.op === op && r.transport === transport && r.clients === 1);
  const httpRow = (what, connections) => http.rows.find((r) => r.what === what && r.connections === connections);
  const created = (how) => create.rows.find((r) => r.how === how && r.bytes === GiB);
  const list = [];
  const add = (target, ratio, goal, packice, baseline) =>
    list.push({ target, ratio, goal, met: ratio >= goal, packice, baseline });

  add(
    '1 GiB handoff, UDS acquire + map(), >= 1000x the plain Unix socket copy',
    handoffAt('plain').ms / handoffAt('uds-map').ms,
    1000,
    ms(handoffAt('uds-map').ms),
    ms(handoffAt('plain').ms),
  );
  add(
    'UDS read cycles from the TS client (1 client), >= 0.7x the net JSON echo rate',
    ops('read', 'uds').opsPerSecond / ops('echo', 'net').opsPerSecond,
    0.7,
    perSecond(ops('read', 'uds').opsPerSecond, 'cycles'),
    perSecond(ops('echo', 'net').opsPerSecond, 'round trips'),
  );
  const pairs8 = httpRow('pair', 8).pairsPerSecond;
  add(
    'HTTP acquire + release, 8 connections, >= 10,000 pairs/s',
    pairs8 / 10_000,
    1,
    perSecond(pairs8, 'pairs'),
    '10,000 pairs/s',
  );
  add(
    "HTTP on one connection, >= 0.5x fastify's hello world (requests/s)",
    httpRow('pair', 1).requestsPerSecond / httpRow('hello', 1).requestsPerSecond,
    0.5,
    perSecond(httpRow('pair', 1).requestsPerSecond, 'requests'),
    perSecond(httpRow('hello', 1).requestsPerSecond, 'requests'),
  );
  for (const how of ['storage', 'client']) {
    add(
      `1 GiB ${how === 'storage' ? 'memory storage create + write + seal' : 'client mapWritable() create + copy + seal'}, >= 0.8x a write into a fallocated memfd`,
      created('baseline').ms / created(how).ms,
      0.8,
      ms(created(how).ms),
      ms(created('baseline').ms),
    );
  }
  return list;
}

module.exports = { targets };
