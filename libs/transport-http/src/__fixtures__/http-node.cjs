// An HTTP node in its own process for the integration tests and the benchmark, on the built
// libs: node http-node.cjs <mem|fs> [root]. Sends its URL to the parent over IPC; SIGTERM closes it.
const { createPeer } = require('@packice/core');
const { createMemStorage } = require('@packice/storage-mem');
const { createFsStorage } = require('@packice/storage-fs');
const { createHttpServer } = require('../../dist'); // this lib, built: plain node runs no TypeScript

const [storage, root] = process.argv.slice(2);

async function main() {
  const peer = createPeer({ storage: storage === 'fs' ? createFsStorage({ root }) : createMemStorage() });
  await peer.start();
  const server = createHttpServer(peer);
  const url = await server.listen();
  process.once('SIGTERM', async () => {
    await server.close();
    await peer.close();
    process.disconnect?.();
  });
  process.send({ url, pid: process.pid });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
