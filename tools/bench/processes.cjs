// Child processes of the benchmarks: started, asked over IPC, and always stopped.
const { fork } = require('node:child_process');
const { once } = require('node:events');
const { isAbsolute, join } = require('node:path');

// Nodes always require an HTTP token: every node and client of a bench run shares this one
// (the nodes read PACKICE_TOKEN, the clients send it), as a deployment passes one in the environment.
const BENCH_TOKEN =
  (process.env.PACKICE_TOKEN ||= `packice-bench-${require('node:crypto').randomBytes(16).toString('hex')}`);

const started = new Set();
process.on('exit', () => started.forEach((child) => child.kill('SIGKILL')));

/** Forks `processes/<script>` (or a script at an absolute path) and resolves with it and its first message. */
async function start(script, args = [], options = {}) {
  const child = fork(isAbsolute(script) ? script : join(__dirname, 'processes', script), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...options,
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  const [first] = await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`${script} exited (${code}) before it was ready`);
    }),
  ]);
  return { child, first };
}

const NODE_APP = join(__dirname, '../../apps/packice-node/dist/main.js');

/**
 * Starts the node app itself, as `npx packice node start` would, serving UDS at `socket` and HTTP
 * on a free port, with `mem` storage or `fs` under `dir`; resolves with it and its ready report.
 */
async function startNode(storage, socket, dir) {
  const args = ['--socket', socket, '--transport', 'uds,http', '--port', '0', '--log-level', 'silent'];
  args.push('--storage', storage, ...(storage === 'fs' ? ['--dir', dir] : []));
  const node = await start(NODE_APP, args);
  if (node.first.type !== 'ready') throw new Error(`the node did not start: ${JSON.stringify(node.first)}`);
  return node;
}

/** Sends `{ cmd, ...params }` to a child and resolves with its reply. */
function ask(child, cmd, params = {}) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message.reply !== cmd) return;
      child.off('message', onMessage);
      if (message.error) reject(new Error(message.error));
      else resolve(message);
    };
    child.on('message', onMessage);
    child.send({ cmd, ...params });
  });
}

/** Stops children with SIGTERM and waits for them to exit. */
async function stop(...children) {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }),
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

module.exports = { ask, BENCH_TOKEN, median, start, startNode, stop };
