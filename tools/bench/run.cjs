// `npm run bench [-- --quick]`: runs every PackIce benchmark in one process tree and writes
// docs/bench/results.json, docs/bench/README.md (tables) and the SVG charts the README embeds.
// Figures go into docs and notes, never into test assertions.
const { execFile } = require('node:child_process');
const os = require('node:os');
const { join } = require('node:path');
const { promisify } = require('node:util');
const { handoff } = require('./suites/handoff.cjs');
const { operations } = require('./suites/operations.cjs');
const { http } = require('./suites/http.cjs');
const { create } = require('./suites/create.cjs');
const { smallObjects } = require('./suites/small-objects.cjs');
const { pythonClient } = require('./suites/python.cjs');
const { s3Storage } = require('./suites/s3.cjs');
const { writeReport } = require('./report/write.cjs');
const { targets } = require('./report/targets.cjs');

const ROOT = join(__dirname, '../..');
const OUT = join(ROOT, 'docs/bench');
const quick = process.argv.slice(2).some((arg) => arg === '--quick' || arg === '--quick=true');
const log = (line) => console.log(`[bench] ${line}`);

/** The node app's own benchmarks (events, scale-out catalog), run as they are; full runs only. */
async function extras() {
  const run = promisify(execFile);
  const bench = join(ROOT, 'apps/packice-node/bench');
  const found = [];
  for (const [title, script] of [
    ['Events (node app)', 'events.bench.cjs'],
    ['Scale-out: Redis catalog (node app)', 'catalog.bench.cjs'],
  ]) {
    log(`${title}: ${script}`);
    try {
      const { stdout } = await run(process.execPath, [join(bench, script)], { cwd: bench, timeout: 300_000 });
      found.push({ title, output: stdout });
    } catch (err) {
      found.push({
        title,
        output: `not measured: ${
          String(err.stderr || err.message)
            .trim()
            .split('\n')[0]
        }`,
      });
    }
  }
  return found;
}

async function main() {
  const started = Date.now();
  const cpus = os.cpus();
  const results = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    quick,
    machine: {
      cpus: cpus.length,
      cpu: cpus[0]?.model ?? 'unknown',
      memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      node: process.versions.node,
      os: `${os.type()} ${os.release()}`,
    },
  };
  results.handoff = await handoff({ quick, log });
  results.operations = await operations({ quick, log });
  results.http = await http({ quick, log });
  results.create = await create({ quick, log });
  results.small = await smallObjects({ quick, log });
  results.python = await pythonClient({ quick, log });
  results.s3 = await s3Storage({ quick, log });
  results.extra = quick ? [] : await extras();
  results.targets = targets(results);
  results.seconds = (Date.now() - started) / 1000;

  await writeReport(results, OUT);
  for (const t of results.targets)
    log(`${t.met ? 'met ' : 'MISS'} ${t.target}: ${t.ratio.toFixed(2)}x (${t.packice} vs ${t.baseline})`);
  log(
    `wrote docs/bench (results.json, README.md, handoff.svg, operations.svg, small-objects.svg) in ${Math.round(results.seconds)} s`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
