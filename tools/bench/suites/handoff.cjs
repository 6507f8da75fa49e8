// Handoff time vs object size: how long a second, connected process takes from asking to holding
// a readable view of an object, by PackIce's ways and by two ways of copying the bytes.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { connect } = require('@packice/client');
const { ask, median, start, startNode, stop } = require('../processes.cjs');

const KiB = 1024;
const MiB = KiB * KiB;
const METHODS = {
  'uds-map': 'PackIce UDS, map() (zero-copy)',
  'uds-read': 'PackIce UDS, read() (copy)',
  'http-path': 'PackIce HTTP, file path + map()',
  'http-data': 'PackIce HTTP, data plane (GET bytes)',
  plain: 'plain Unix socket (net), bytes sent',
  ipc: 'child_process IPC, advanced serialization',
};
const ZERO_COPY = new Set(['uds-map', 'http-path']);

async function put(client, objectId, size) {
  const lease = await client.acquire({ intent: 'create', objectId, blobs: [{ size }] });
  (await lease.mapWritable()).fill(0x5a);
  await lease.seal();
  await lease.release({ wait: true });
}

/** Runs the handoff benchmark; `quick` measures fewer sizes and tries. */
async function handoff({ quick, log }) {
  const sizes = quick ? [KiB, MiB, 64 * MiB, 1024 * MiB] : [KiB, 16 * KiB, 256 * KiB, 4 * MiB, 64 * MiB, 1024 * MiB];
  const dir = mkdtempSync(join(tmpdir(), 'packice-bench-handoff-'));
  const mem = await startNode('mem', join(dir, 'mem.sock'));
  const fs = await startNode('fs', join(dir, 'fs.sock'), join(dir, 'fs-root'));
  const plain = await start('plain-server.cjs', [join(dir, 'plain.sock'), 'bytes']);
  const reader = await start('reader.cjs', [], { serialization: 'advanced', execArgv: ['--expose-gc'] });
  const producers = { mem: await connect(join(dir, 'mem.sock')), fs: await connect(join(dir, 'fs.sock')) };
  let payload = null;
  reader.child.on('message', (message) => {
    if (message.ipcRequest) reader.child.send({ ipc: payload });
  });
  const rows = [];
  try {
    await ask(reader.child, 'connect', {
      socket: join(dir, 'mem.sock'),
      url: mem.first.url,
      fsUrl: fs.first.url,
      plainPath: join(dir, 'plain.sock'),
    });
    for (const size of sizes) {
      const objectId = `handoff-${size}`;
      await put(producers.mem, objectId, size);
      await put(producers.fs, objectId, size);
      payload = Buffer.alloc(size, 0x5a);
      for (const method of Object.keys(METHODS)) {
        const big = size >= 64 * MiB;
        const tries = !big ? (quick ? 15 : 41) : ZERO_COPY.has(method) ? (quick ? 7 : 15) : quick ? 1 : 3;
        const { times } = await ask(reader.child, 'measure', { method, objectId, size, tries, warmup: big ? 0 : 2 });
        rows.push({ method, label: METHODS[method], bytes: size, ms: median(times), best: Math.min(...times), tries });
        log(`handoff ${METHODS[method]}, ${size} bytes: ${median(times).toFixed(3)} ms median of ${tries}`);
      }
      payload = null;
      await producers.mem.delete(objectId);
      await producers.fs.delete(objectId);
    }
    await ask(reader.child, 'close');
  } finally {
    await Promise.all(Object.values(producers).map((c) => c.close()));
    await stop(reader.child, plain.child, mem.child, fs.child);
    rmSync(dir, { recursive: true, force: true });
  }
  return { methods: METHODS, rows };
}

module.exports = { handoff };
