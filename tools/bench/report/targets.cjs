// The performance targets (issues 15 and 22), each as a ratio to its baseline from the same run.
const GiB = 2 ** 30;
const KiB = 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The small-object comparisons (issue 22): PackIce's measure and its baseline's, as [measure,
 * clients, bytes], and the goal (null: reported, no target). Ratios are medians over rounds.
 */
const SMALL_PAIRS = [
  ['1 KiB read cycle, 1 client, vs the net echo', ['read', 1, KiB], ['echo-read', 1, KiB], 0.8],
  [
    'the echo over koffi sockets vs the net echo (the message path alone)',
    ['koffi-echo-read', 1, KiB],
    ['echo-read', 1, KiB],
    null,
  ],
  ['1 KiB read cycle, 16 client processes, vs the echo with 16', ['read', 16, KiB], ['echo-read', 16, KiB], 0.5],
  ['1 KiB put(), 1 client, vs the net echo', ['put', 1, KiB], ['echo-put', 1, KiB], 0.8],
  ['1 KiB read cycle vs Redis GET', ['read', 1, KiB], ['redis-get', 1, KiB], 0.8],
  ['1 KiB put() vs Redis SET', ['put', 1, KiB], ['redis-set', 1, KiB], 0.8],
  ['64 KiB read cycle vs Redis GET', ['read', 1, 64 * KiB], ['redis-get', 1, 64 * KiB], 1],
  ['1 KiB put(), fs storage, vs the net echo', ['fs-put', 1, KiB], ['echo-put', 1, KiB], null],
];
const ms = (x) => `${x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2)} ms`;
const perSecond = (x, unit) => `${Math.round(x).toLocaleString('en-US')} ${unit}/s`;

/** The median over rounds of PackIce's rate to a baseline's, for one pair of measures (null if unmeasured). */
function medianRatio(small, [measure, clients, bytes], [base, baseClients, baseBytes]) {
  const at = (m, c, b, round) =>
    small.rows.find((r) => r.measure === m && r.clients === c && r.bytes === b && r.round === round);
  const ratios = [];
  const rates = [];
  const baseRates = [];
  for (let round = 0; round < small.rounds; round++) {
    const p = at(measure, clients, bytes, round);
    const q = at(base, baseClients, baseBytes, round);
    if (!p || !q) continue;
    ratios.push(p.opsPerSecond / q.opsPerSecond);
    rates.push(p.opsPerSecond);
    baseRates.push(q.opsPerSecond);
  }
  return ratios.length
    ? { ratio: median(ratios), packice: median(rates), baseline: median(baseRates), rounds: ratios.length }
    : null;
}

/** The Python section's read cycle against its echo: the median over rounds of the rounds' ratios. */
function pythonReadRatio(python) {
  const at = (measure, round) => python.rows.find((r) => r.measure === measure && r.round === round);
  const pairs = [];
  for (let round = 0; round < python.rounds; round++) {
    const [p, q] = [at('read', round), at('echo-read', round)];
    if (p && q) pairs.push([p.opsPerSecond, q.opsPerSecond]);
  }
  if (!pairs.length) return null;
  return {
    ratio: median(pairs.map(([p, q]) => p / q)),
    packice: median(pairs.map(([p]) => p)),
    baseline: median(pairs.map(([, q]) => q)),
    rounds: pairs.length,
  };
}

/** Every target with PackIce's figure, the baseline's, their ratio and whether it is met. */
function targets({ handoff, operations, http, create, small, python, s3 }) {
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
  if (small) {
    for (const [what, measure, base, goal] of SMALL_PAIRS) {
      const found = medianRatio(small, measure, base);
      if (goal === null || !found) continue;
      add(
        `${what}, >= ${goal}x (median of ${found.rounds} rounds)`,
        found.ratio,
        goal,
        perSecond(found.packice, 'ops'),
        perSecond(found.baseline, 'ops'),
      );
    }
    const { many } = small;
    add(
      `${many.count.toLocaleString('en-US')} live 1 KiB objects under ulimit -n 1024, each read back identical: < 200 node descriptors`,
      many.identical === many.count ? 200 / many.fds : 0,
      1,
      `${many.fds} descriptors (${many.slabs} slabs), ${many.identical.toLocaleString('en-US')} identical`,
      '200 descriptors',
    );
    add(
      'node memory per live 1 KiB object (outside shared memory, plus slab bytes), <= 2.5 KiB',
      (2.5 * KiB) / many.perObjectBytes,
      1,
      `${(many.perObjectBytes / KiB).toFixed(2)} KiB`,
      '2.5 KiB',
    );
  }
  if (python) {
    add(
      '1 GiB handoff into a Python process, acquire + map(), >= 1000x the same bytes over a plain Unix socket',
      python.gib.copyMs / python.gib.handoffMs,
      1000,
      ms(python.gib.handoffMs),
      ms(python.gib.copyMs),
    );
    const read = pythonReadRatio(python);
    if (read)
      add(
        `1 KiB read cycle from Python, >= 0.8x a Python round trip with the plain echo (median of ${read.rounds} rounds)`,
        read.ratio,
        0.8,
        perSecond(read.packice, 'cycles'),
        perSecond(read.baseline, 'round trips'),
      );
  }
  if (s3) {
    const mib = `${s3.bytes / 2 ** 20} MiB`;
    add(
      `S3 storage: seal of ${mib} (the upload), >= 0.8x the SDK's own Upload`,
      s3.uploadMs / s3.sealMs,
      0.8,
      ms(s3.sealMs),
      ms(s3.uploadMs),
    );
    add(
      `S3 storage: cold read of ${mib} (fetch + map()), >= 0.8x the SDK's own download`,
      s3.downloadMs / s3.coldMs,
      0.8,
      ms(s3.coldMs),
      ms(s3.downloadMs),
    );
    add(
      `S3 storage: warm read of ${mib} (map()), within 2x of memory storage's map()`,
      (2 * s3.memoryMs) / s3.warmMs,
      1,
      ms(s3.warmMs),
      ms(s3.memoryMs),
    );
  }
  return list;
}

module.exports = { medianRatio, pythonReadRatio, SMALL_PAIRS, targets };
