// A PackIce node for the benchmarks, on the built libs: node node.cjs <mem|fs> <socket> [fs root].
// Serves one Peer over UDS and HTTP; sends { url } to its parent; SIGTERM closes it.
const { createPeer } = require('@packice/core');
const { createMemStorage } = require('@packice/storage-mem');
const { createFsStorage } = require('@packice/storage-fs');
const { createUdsServer } = require('@packice/transport-uds');
const { createHttpServer } = require('@packice/transport-http');

async function main() {
  const [storage, socket, root] = process.argv.slice(2);
  const peer = createPeer({ storage: storage === 'fs' ? createFsStorage({ root }) : createMemStorage() });
  await peer.start();
  const uds = createUdsServer(peer, { path: socket });
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
