// docs/bench/README.md from a results.json: the machine and date first, then each benchmark as a
// table with its baseline from the same run and the ratio, then the targets.
const KiB = 1024;
const size = (b) => (b >= 2 ** 30 ? `${b / 2 ** 30} GiB` : b >= 2 ** 20 ? `${b / 2 ** 20} MiB` : `${b / KiB} KiB`);
const fixed = (x, d = 1) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(d));
const ratio = (x) => `${x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2)}x`;
const table = (head, rows) =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

function handoffTable({ handoff }) {
  const sizes = [...new Set(handoff.rows.map((r) => r.bytes))];
  const at = (method, bytes) => handoff.rows.find((r) => r.method === method && r.bytes === bytes);
  return table(
    ['way', ...sizes.map(size)],
    Object.entries(handoff.methods).map(([method, label]) => [
      label,
      ...sizes.map((b) => {
        const row = at(method, b);
        const plain = at('plain', b);
        return method === 'plain' ? `${fixed(row.ms, 3)} ms` : `${fixed(row.ms, 3)} ms (${ratio(plain.ms / row.ms)})`;
      }),
    ]),
  );
}

function operationsTable({ operations }) {
  const cell = (op, transport, clients) =>
    operations.rows.find((r) => r.op === op && r.transport === transport && r.clients === clients);
  const rows = [];
  for (const op of ['ping', 'read', 'batch', 'create']) {
    for (const transport of ['uds', 'http', 'in-process']) {
      rows.push([
        `${op} / ${transport}`,
        ...[1, 4, 16].map((c) => {
          const r = cell(op, transport, c);
          return `${fixed(r.opsPerSecond, 0)} (${ratio(r.opsPerSecond / cell('echo', 'net', c).opsPerSecond)})`;
        }),
      ]);
    }
  }
  rows.push(['net JSON echo (floor)', ...[1, 4, 16].map((c) => fixed(cell('echo', 'net', c).opsPerSecond, 0))]);
  return table(['operation / transport', '1 client', '4 clients', '16 clients'], rows);
}

function httpTable({ http }) {
  const hello = (c) => http.rows.find((r) => r.what === 'hello' && r.connections === c);
  return table(
    ['', 'connections', 'requests/s', 'acquire+release pairs/s', 'p50 ms', 'vs hello world (requests/s)'],
    http.rows.map((r) => [
      r.what === 'hello' ? "fastify's hello world (baseline)" : 'read acquire + release',
      r.connections,
      fixed(r.requestsPerSecond, 0),
      r.pairsPerSecond ? fixed(r.pairsPerSecond, 0) : '',
      r.p50,
      r.what === 'pair' ? ratio(r.requestsPerSecond / hello(r.connections).requestsPerSecond) : '',
    ]),
  );
}

function createTable({ create }) {
  const base = (bytes) => create.rows.find((r) => r.how === 'baseline' && r.bytes === bytes);
  return table(
    ['size', 'way', 'ms (median)', 'GiB/s', 'vs baseline (speed)'],
    create.rows.map((r) => [
      size(r.bytes),
      r.label,
      fixed(r.ms),
      r.gibPerSecond.toFixed(2),
      r.how === 'baseline' ? '' : ratio(base(r.bytes).ms / r.ms),
    ]),
  );
}

function smallTable(small) {
  const { medianRatio, SMALL_PAIRS } = require('./targets.cjs');
  const rows = SMALL_PAIRS.map(([what, measure, base, goal]) => {
    const found = medianRatio(small, measure, base);
    if (!found) return [what, 'not measured', '', '', goal === null ? '' : `${goal}x`];
    return [
      what,
      fixed(found.packice, 0),
      fixed(found.baseline, 0),
      ratio(found.ratio),
      goal === null ? '' : `${goal}x`,
    ];
  });
  return table(['comparison', 'PackIce ops/s', 'baseline ops/s', 'ratio (median)', 'target'], rows);
}

function smallSection({ small }) {
  if (!small) return '';
  const { many } = small;
  return `
## Small objects

Client processes (the TS client, a net NDJSON echo client, ioredis) each doing one operation
after another for ${small.seconds} s, ${small.rounds} interleaved rounds; every ratio is the median of the rounds'
ratios. The echo's answer (reads) or request (puts) carries the same bytes as base64 JSON, as
PackIce's inline answers do; Redis is a \`redis-server\` the bench starts on a Unix socket.

![small objects](small-objects.svg)

${smallTable(small)}

${many.count.toLocaleString('en-US')} live 1 KiB objects in a node started under \`ulimit -n 1024\` (filled by 4 clients in
${many.fillSeconds.toFixed(1)} s): ${many.fds} open descriptors (${many.slabs} of them slabs), ${(many.perObjectBytes / KiB).toFixed(2)} KiB of node memory per object
(resident outside shared memory, plus the slabs' bytes; payload included), ${many.identical.toLocaleString('en-US')} read back identical.
`;
}

function pythonSection({ python }) {
  if (!python) return '';
  const { pythonReadRatio } = require('./targets.cjs');
  const read = pythonReadRatio(python);
  const rows = [
    [
      '1 KiB read cycle (acquire + map() + release), 1 client',
      read ? `${fixed(read.packice, 0)}/s` : 'not measured',
      read ? `${fixed(read.baseline, 0)}/s` : '',
      read ? ratio(read.ratio) : '',
    ],
    [
      '1 GiB handoff (acquire + map())',
      `${fixed(python.gib.handoffMs, 3)} ms`,
      `${fixed(python.gib.copyMs, 0)} ms`,
      ratio(python.gib.copyMs / python.gib.handoffMs),
    ],
  ];
  return `
## Python client

The Python client (\`clients/python\`, standard library only) in its own process against the node
app over UDS, next to a Python client of the plain echo server (its answer carries the same 1 KiB as
base64 JSON) and to the same 1 GiB read from a plain Unix socket into a Python buffer;
${python.rounds} interleaved rounds of ${python.seconds} s each, ratios the median of the rounds'.

${table(['measure', 'PackIce', 'baseline', 'ratio'], rows)}
`;
}

function s3Section({ s3 }) {
  if (!s3) return '';
  const rows = [
    [
      'seal (the upload: parts of 8 MiB, 4 at once, then the manifest)',
      `${fixed(s3.sealMs, 0)} ms`,
      `SDK Upload ${fixed(s3.uploadMs, 0)} ms`,
      ratio(s3.uploadMs / s3.sealMs),
    ],
    [
      'cold read (a fresh node: fetch into its cache, then map())',
      `${fixed(s3.coldMs, 0)} ms`,
      `SDK GetObject ${fixed(s3.downloadMs, 0)} ms`,
      ratio(s3.downloadMs / s3.coldMs),
    ],
    [
      'warm read (acquire + map() of the cached memfd)',
      `${fixed(s3.warmMs, 2)} ms`,
      `memory storage ${fixed(s3.memoryMs, 2)} ms`,
      ratio(s3.memoryMs / s3.warmMs),
    ],
  ];
  return `
## S3 storage

The node app on S3 storage against s3rver (an S3 API server serving a temp directory, on the same
two cores), ${size(s3.bytes)}, medians of ${s3.tries}; the baselines are the AWS SDK's own \`Upload\` and
\`GetObject\` of the same bytes against the same server, and memory storage's \`map()\`.

${table(['measure', 'PackIce', 'baseline', 'ratio'], rows)}
`;
}

function targetsTable({ targets }) {
  return table(
    ['target', 'measured', 'PackIce', 'baseline', 'met'],
    targets.map((t) => [t.target, ratio(t.ratio), t.packice, t.baseline, t.met ? 'yes' : '**no**']),
  );
}

/** The page, in Markdown. */
function markdown(results) {
  const { machine } = results;
  return `# PackIce benchmarks

${results.date} · ${machine.cpus} x ${machine.cpu} · ${machine.memory} · Node ${machine.node} · ${machine.os}
· \`npm run bench${results.quick ? ' -- --quick' : ''}\` (${results.quick ? 'quick' : 'full'} run, ${Math.round(results.seconds)} s)

Written by \`npm run bench\` (\`tools/bench\`); every figure is from this one run, next to its
baseline from the same run. The raw figures are in [results.json](results.json). The machine is a
small shared VM: figures move by 10-30% between runs, and memory just freed is slow to touch again,
so read the ratios rather than the absolute numbers.

## Targets

${targetsTable(results)}

## Handoff time vs object size

A second process, already connected, asks for an object and holds a readable view of it; median
milliseconds, and in brackets how many times faster than the plain Unix socket copy.

![handoff time vs object size](handoff.svg)

${handoffTable(results)}

## Operations per second

Each client is its own connection, doing one operation after another; in brackets the ratio to the
\`net\` JSON echo with as many clients. Ping is the UDS \`ping\` op, HTTP \`GET /v1/health\` and
\`stat\` in-process; a read cycle is acquire (read) + \`map()\` + \`release()\` of a 1 KiB object; a
batch read is \`acquireMany()\` of 16 such objects, each mapped and released (counted per object: over
UDS one round trip per 16); a create cycle is \`put()\` of 1 KiB (acquire create + write + seal +
release).

![operations per second](operations.svg)

${operationsTable(results)}

## HTTP (autocannon, keep-alive)

${httpTable(results)}

## Create + write + seal in memory storage

${createTable(results)}
${smallSection(results)}${pythonSection(results)}${s3Section(results)}${results.extra.map((e) => `\n## ${e.title}\n\n\`\`\`text\n${e.output.trim()}\n\`\`\`\n`).join('')}`;
}

module.exports = { markdown, size };
