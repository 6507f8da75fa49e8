// A bare UDS node (Peer + memory storage + this lib's server, no node app) in its own process:
// node uds-node.cjs <socket path> [capacity bytes]. Runs on the built libs. Tells its parent
// "ready" over IPC; SIGTERM closes it gracefully.
const { createPeer } = require('@packice/core');
const { createMemStorage } = require('@packice/storage-mem');
const { createUdsServer } = require('../../dist'); // this lib, built: plain node runs no TypeScript

const [path, capacity] = process.argv.slice(2);

async function main() {
  const peer = createPeer({
    storage: createMemStorage(),
    capacityBytes: capacity ? Number(capacity) : null,
  });
  await peer.start();
  const server = createUdsServer(peer, { path });
  await server.listen();
  process.once('SIGTERM', async () => {
    await server.close();
    await peer.close();
    process.disconnect?.();
  });
  process.send({ ready: true, pid: process.pid });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
