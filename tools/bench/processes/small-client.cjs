// One client process of the small-objects benchmark: runs one kind of operation, one after
// another, for a while, and reports how many it completed (to its parent over IPC).
// node small-client.cjs <kind> <target> <seconds> [bytes]
//   kind: echo-read | echo-put (net NDJSON echo whose answer / request carries the bytes),
//         koffi-echo-read (the same read echo over koffi-owned sockets, koffi-echo.cjs),
//         read | put (PackIce TS client), redis-get | redis-set (ioredis)
const { connect } = require('@packice/client');
const { echoClient } = require('./echo-client.cjs');
const { koffiEchoClient } = require('./koffi-echo.cjs');

const [kind, target, secondsArg, bytesArg] = process.argv.slice(2);
const seconds = Number(secondsArg);
const bytes = Number(bytesArg ?? 1024);
const payload = Buffer.alloc(bytes, 0x5a);

/** The echo baseline: the answer (reads) or the request (puts) carries the bytes, base64. */
function echo(carries) {
  const data = payload.toString('base64');
  return echoClient(target, (id) => (carries === 'request' ? { id, op: 'put', data } : { id, op: 'get', bytes }));
}

async function packice(op) {
  const client = await connect(target);
  let n = 0;
  const objectId = `obj-${bytes}`;
  const call =
    op === 'read'
      ? async () => {
          const lease = await client.acquire({ intent: 'read', objectId });
          await lease.map();
          await lease.release();
        }
      : () => client.put(payload, { objectId: `put-${process.pid}-${++n}` });
  return { call, close: () => client.close() };
}

async function redis(op) {
  const Redis = require('ioredis');
  const client = new Redis({ path: target, lazyConnect: true, enableAutoPipelining: false });
  await client.connect();
  const key = `obj-${bytes}`;
  let n = 0;
  const call = op === 'get' ? () => client.getBuffer(key) : () => client.set(`put-${process.pid}-${++n}`, payload);
  return { call, close: async () => client.disconnect() };
}

async function main() {
  const opened =
    kind === 'echo-read'
      ? await echo('answer')
      : kind === 'koffi-echo-read'
        ? await koffiEchoClient(target, (id) => ({ id, op: 'get', bytes }))
        : kind === 'echo-put'
          ? await echo('request')
          : kind.startsWith('redis-')
            ? await redis(kind.slice(6))
            : await packice(kind);
  // Warm up (connections, JIT) for half the time, at most 0.5 s; not counted. A fifth (0.2 s)
  // left a fresh client process still partly in V8's baseline tiers: its longer code path then
  // measured up to a third slower than in steady state, the echo's short one hardly so.
  const warm = performance.now() + Math.min(seconds / 2, 0.5) * 1000;
  while (performance.now() < warm) await opened.call();
  process.send({ warmed: true });
  await new Promise((resolve) => process.once('message', resolve)); // every client starts together
  let ops = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    await opened.call();
    ops++;
  }
  const took = (performance.now() - started) / 1000;
  await opened.close();
  process.send({ ops, seconds: took });
}

main().catch((err) => {
  process.send({ error: String(err && err.stack ? err.stack : err) });
  process.exit(1);
});
