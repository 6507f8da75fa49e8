// The Python client (issue 23): a 1 GiB handoff into a Python process (acquire + map()) against the
// same bytes over a plain Unix socket, and sequential 1 KiB read cycles from Python against a Python
// client's round trip with the plain echo server (its answer carries the same 1 KiB), in
// interleaved rounds. The Python side is tools/bench/processes/python-client.py.
const { execFile } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { promisify } = require('node:util');
const { connect } = require('@packice/client');
const { median, start, startNode, stop } = require('../processes.cjs');

const GiB = 2 ** 30;
const KiB = 1024;
const SCRIPT = join(__dirname, '../processes/python-client.py');
const SRC = join(__dirname, '../../../clients/python/src');

async function python(...args) {
  const { stdout } = await promisify(execFile)('python3', [SCRIPT, ...args.map(String)], {
    env: { ...process.env, PYTHONPATH: SRC },
    timeout: 300_000,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout);
}

/** Runs the Python section; `quick` takes fewer and shorter rounds. */
async function pythonClient({ quick, log }) {
  const rounds = quick ? 2 : 5;
  const seconds = quick ? 1 : 3;
  const dir = mkdtempSync(join(tmpdir(), 'packice-bench-python-'));
  const node = await startNode('mem', join(dir, 'node.sock'));
  const data = await start('plain-server.cjs', [join(dir, 'data.sock'), 'data']);
  const bytes = await start('plain-server.cjs', [join(dir, 'bytes.sock'), 'bytes']);
  const rows = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [measure, socket] of [
        ['echo-read', join(dir, 'data.sock')],
        ['read', join(dir, 'node.sock')],
      ]) {
        const { ops, seconds: took } = await python(measure, socket, seconds, KiB);
        rows.push({ measure, round, bytes: KiB, opsPerSecond: ops / took });
        log(`python ${measure} 1 KiB, round ${round + 1}/${rounds}: ${Math.round(ops / took)}/s`);
      }
    }
    const client = await connect(join(dir, 'node.sock'));
    try {
      const lease = await client.acquire({ intent: 'create', objectId: 'python-gib', blobs: [{ size: GiB }] });
      (await lease.mapWritable()).fill(0x5a);
      await lease.seal();
      await lease.release({ wait: true });
    } finally {
      await client.close();
    }
    const handoff = await python('handoff', join(dir, 'node.sock'), 'python-gib', quick ? 5 : 15);
    const copy = await python('copy', join(dir, 'bytes.sock'), GiB, quick ? 1 : 3);
    const gib = { bytes: GiB, handoffMs: median(handoff.times_ms), copyMs: median(copy.times_ms) };
    log(`python 1 GiB: acquire + map() ${gib.handoffMs.toFixed(3)} ms, socket copy ${gib.copyMs.toFixed(0)} ms`);
    return { rounds, seconds, rows, gib };
  } finally {
    await stop(data.child, bytes.child, node.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { pythonClient };
