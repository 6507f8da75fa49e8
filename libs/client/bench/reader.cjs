// Second process of the client benchmark: node reader.cjs <socket> <object id> <map|read>.
// Reports how long it took to hold a readable view of the object, and to touch every page.
const { connect } = require('../dist'); // this lib, built

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function main() {
  const [socket, objectId, how] = process.argv.slice(2);
  const client = await connect(socket);
  const start = now();
  const lease = await client.acquire({ intent: 'read', objectId });
  const view = how === 'map' ? await lease.map() : await lease.read();
  const ready = now() - start;
  let sum = 0;
  for (let i = 0; i < view.length; i += 4096) sum += view[i];
  const touched = now() - start;
  await lease.release();
  await client.close();
  process.send({ ready, touched, bytes: view.length, sum });
}

main();
