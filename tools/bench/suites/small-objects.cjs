// Small objects (issue 22): 1 KiB reads and puts from TS client processes against the node app,
// next to a net NDJSON echo whose answer (reads) or request (puts) carries the same bytes, and to
// Redis (a redis-server started here on a Unix socket, ioredis GET/SET), in interleaved rounds;
// then 100,000 live 1 KiB objects in a node under `ulimit -n 1024`: descriptors, memory, bytes.
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { connect } = require('@packice/client');
const { start, startNode, stop } = require('../processes.cjs');

const KiB = 1024;
const NODE_APP = join(__dirname, '../../../apps/packice-node/dist/main.js');
const CLIENT = join(__dirname, '../processes/small-client.cjs');

/** What each measure is, and the kind of client process that makes it. */
const MEASURES = {
  'echo-read': { label: 'net echo, answer carries the bytes', kind: 'echo-read' },
  'koffi-echo-read': { label: 'the same echo over koffi-owned sockets (recvmsg/sendmsg)', kind: 'koffi-echo-read' },
  read: { label: 'PackIce read cycle (acquire + map() + release)', kind: 'read' },
  'echo-put': { label: 'net echo, request carries the bytes', kind: 'echo-put' },
  put: { label: 'PackIce put()', kind: 'put' },
  'redis-get': { label: 'Redis GET (ioredis, Unix socket)', kind: 'redis-get' },
  'redis-set': { label: 'Redis SET (ioredis, Unix socket)', kind: 'redis-set' },
  'fs-put': { label: 'PackIce put(), fs storage', kind: 'put' },
};

/** The cells of one round, run one after another (so that every round interleaves them all). */
const CELLS = [
  { measure: 'echo-read', clients: 1, bytes: KiB },
  { measure: 'koffi-echo-read', clients: 1, bytes: KiB },
  { measure: 'read', clients: 1, bytes: KiB },
  { measure: 'redis-get', clients: 1, bytes: KiB },
  { measure: 'echo-put', clients: 1, bytes: KiB },
  { measure: 'put', clients: 1, bytes: KiB },
  { measure: 'redis-set', clients: 1, bytes: KiB },
  { measure: 'read', clients: 1, bytes: 64 * KiB },
  { measure: 'redis-get', clients: 1, bytes: 64 * KiB },
  { measure: 'echo-read', clients: 16, bytes: KiB },
  { measure: 'read', clients: 16, bytes: KiB },
  { measure: 'fs-put', clients: 1, bytes: KiB },
];

/** Runs `clients` client processes of one measure at once; resolves with their total rate. */
async function run(kind, target, clients, seconds, bytes) {
  const children = Array.from({ length: clients }, () =>
    spawn(process.execPath, [CLIENT, kind, target, String(seconds), String(bytes)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const next = (child) =>
    new Promise((resolve, reject) => {
      child.once('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m)));
      child.once('exit', (code) => reject(new Error(`${kind} client exited ${code}`)));
    });
  try {
    await Promise.all(children.map(next)); // warmed up
    const done = children.map(next);
    children.forEach((child) => child.send('go'));
    const results = await Promise.all(done);
    return results.reduce((sum, r) => sum + r.ops / r.seconds, 0);
  } finally {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = once(child, 'exit');
          child.kill('SIGKILL');
          await exited;
        }
      }),
    );
  }
}

/** A redis-server of the bench's own on a Unix socket in `dir` (nothing on disk); null when missing. */
async function startRedis(dir) {
  const path = join(dir, 'redis.sock');
  const child = spawn('redis-server', ['--port', '0', '--unixsocket', path, '--save', '', '--appendonly', 'no'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise((resolve) => {
    let out = '';
    child.once('error', () => resolve(false));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (/ready to accept connections/i.test(out)) resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
  return ready ? { child, path } : null;
}

const anonBytes = (pid) => Number(/^RssAnon:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * KiB;
const fdsOf = (pid) =>
  readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return '';
    }
  });

/** 100,000 live 1 KiB objects in a node started under `ulimit -n 1024`, each read back. */
async function manyObjects(dir, count) {
  const socket = join(dir, 'many.sock');
  const child = spawn(
    'sh',
    [
      '-c',
      `ulimit -n 1024 && exec "${process.execPath}" "${NODE_APP}" "$@"`,
      'sh',
      '--socket',
      socket,
      '--log-level',
      'silent',
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  try {
    const [report] = await once(child, 'message');
    if (report.type !== 'ready') throw new Error(`the node did not start: ${JSON.stringify(report)}`);
    const clients = await Promise.all(Array.from({ length: 4 }, () => connect(socket)));
    const payload = (i) => {
      const bytes = Buffer.alloc(KiB, i % 251);
      bytes.writeUInt32LE(i, 0);
      return bytes;
    };
    const before = anonBytes(child.pid);
    const started = performance.now();
    await Promise.all(
      clients.map(async (client, w) => {
        for (let i = w; i < count; i += clients.length) await client.put(payload(i), { objectId: `k-${i}` });
      }),
    );
    const fillSeconds = (performance.now() - started) / 1000;
    const links = fdsOf(child.pid);
    const slabs = links.filter((l) => l.startsWith('/memfd:packice:slab:')).length;
    const perObject = (anonBytes(child.pid) - before + slabs * 4 * 2 ** 20) / count;
    let identical = 0;
    for (let startAt = 0; startAt < count; startAt += 256) {
      const ids = Array.from({ length: Math.min(256, count - startAt) }, (_, k) => `k-${startAt + k}`);
      for (const [k, lease] of (await clients[0].acquireMany(ids)).entries()) {
        if (lease instanceof Error) continue;
        if ((await lease.map()).equals(payload(startAt + k))) identical++;
        await lease.release();
      }
    }
    await Promise.all(clients.map((client) => client.close()));
    return { count, fds: links.length, slabs, perObjectBytes: perObject, identical, fillSeconds };
  } finally {
    await stop(child);
  }
}

/** Runs the small-objects benchmark; `quick` measures for less time and fewer rounds. */
async function smallObjects({ quick, log }) {
  const seconds = quick ? 0.4 : 1;
  const rounds = quick ? 3 : 5;
  const dir = mkdtempSync(join(tmpdir(), 'packice-bench-small-'));
  const socket = join(dir, 'node.sock');
  const fsSocket = join(dir, 'fs.sock');
  const node = await startNode('mem', socket);
  const fsNode = await startNode('fs', fsSocket, join(dir, 'fs'));
  const echo = await start('plain-server.cjs', [join(dir, 'echo.sock'), 'data']);
  const koffiEcho = await start('koffi-echo.cjs', [join(dir, 'koffi-echo.sock')]);
  const redis = await startRedis(dir);
  const rows = [];
  try {
    const producer = await connect(socket);
    for (const bytes of [KiB, 64 * KiB]) await producer.put(Buffer.alloc(bytes, 0x5a), { objectId: `obj-${bytes}` });
    await producer.close();
    if (redis) {
      const Redis = require('ioredis');
      const r = new Redis({ path: redis.path });
      for (const bytes of [KiB, 64 * KiB]) await r.set(`obj-${bytes}`, Buffer.alloc(bytes, 0x5a));
      r.disconnect();
    } else log('small objects: redis-server not found; Redis not measured');
    const targetOf = (measure) =>
      measure.startsWith('echo')
        ? join(dir, 'echo.sock')
        : measure === 'koffi-echo-read'
          ? join(dir, 'koffi-echo.sock')
          : measure.startsWith('redis')
            ? redis?.path
            : measure === 'fs-put'
              ? fsSocket
              : socket;
    for (let round = 0; round < rounds; round++) {
      for (const cell of CELLS) {
        const target = targetOf(cell.measure);
        if (!target) continue;
        const opsPerSecond = await run(MEASURES[cell.measure].kind, target, cell.clients, seconds, cell.bytes);
        rows.push({ ...cell, round, opsPerSecond });
      }
      log(`small objects: round ${round + 1} of ${rounds}`);
    }
    const many = await manyObjects(dir, quick ? 20_000 : 100_000);
    log(
      `small objects: ${many.count} objects, ${many.fds} descriptors, ${(many.perObjectBytes / KiB).toFixed(2)} KiB each`,
    );
    return {
      measures: Object.fromEntries(Object.entries(MEASURES).map(([k, v]) => [k, v.label])),
      rounds,
      seconds,
      rows,
      many,
    };
  } finally {
    await stop(node.child, fsNode.child, echo.child, koffiEcho.child, ...(redis ? [redis.child] : []));
    rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { smallObjects };
