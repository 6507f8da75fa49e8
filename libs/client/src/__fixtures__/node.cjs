// A bare node process serving one Peer over UDS and HTTP at once (no node app), for the client
// tests: node node.cjs <socket path>. Sends { url } to its parent; SIGTERM closes it.
const { createPeer } = require('@packice/core');
const { createMemStorage } = require('@packice/storage-mem');
const { createUdsServer } = require('@packice/transport-uds');
const { createHttpServer } = require('@packice/transport-http');

async function main() {
  const peer = createPeer({ storage: createMemStorage() });
  await peer.start();
  const uds = createUdsServer(peer, { path: process.argv[2] });
  await uds.listen();
  const http = createHttpServer(peer);
  const url = await http.listen();
  process.once('SIGTERM', async () => {
    await Promise.all([uds.close(), http.close()]);
    await peer.close();
    process.disconnect?.();
  });
  process.send({ url });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
