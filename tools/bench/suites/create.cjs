// Create + write + seal in memory storage, next to a plain write into a fallocated memfd.
const { once } = require('node:events');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { median, start, startNode, stop } = require('../processes.cjs');

const MiB = 2 ** 20;
const LABELS = {
  baseline: 'memfd_create + fallocate + write (baseline)',
  storage: 'memory storage: create + write + seal',
  client: 'client over UDS: acquire create + mapWritable() + copy + seal + release',
};

/** Runs the create benchmark; `quick` runs each size fewer times. */
async function create({ quick, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'packice-bench-create-'));
  const socket = join(dir, 'node.sock');
  const node = await startNode('mem', socket);
  const rows = [];
  try {
    for (const bytes of [64 * MiB, 1024 * MiB]) {
      const runs = bytes > 64 * MiB ? (quick ? 2 : 5) : quick ? 3 : 9;
      const { child, first } = await start('create.cjs', [String(bytes), String(runs), socket], {
        execArgv: ['--expose-gc'],
      });
      await once(child, 'exit');
      for (const [how, times] of Object.entries(first.times)) {
        const ms = median(times);
        rows.push({ how, label: LABELS[how], bytes, ms, gibPerSecond: bytes / 2 ** 30 / (ms / 1000), runs });
        log(`create ${LABELS[how]}, ${bytes} bytes: ${ms.toFixed(1)} ms median of ${runs}`);
      }
    }
  } finally {
    await stop(node.child);
    rmSync(dir, { recursive: true, force: true });
  }
  return { labels: LABELS, rows };
}

module.exports = { create };
