// The create benchmark, in a process of its own: writing N bytes into memory storage next to a
// plain write into a memfd that was fallocated first. node create.cjs <bytes> <runs> <socket>
// (a node with memory storage for the mapWritable() rows). Sends { times } to its parent.
const { closeSync, writeSync } = require('node:fs');
const { connect } = require('@packice/client');
const { fallocate, memfdCreate } = require('@packice/native');
const { createMemStorage } = require('@packice/storage-mem');

const now = () => performance.now();
const CHUNK = 16 * 2 ** 20;
const gc = typeof global.gc === 'function' ? global.gc : () => undefined;

async function main() {
  const [bytes, runs, socket] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
  const src = Buffer.alloc(bytes, 0x5a);
  const storage = createMemStorage();
  const client = await connect(socket);
  const ways = {
    // The fair baseline: memfd_create + fallocate + write (in chunks, as a copy loop would), no seal.
    async baseline() {
      const start = now();
      const fd = memfdCreate('bench-baseline');
      fallocate(fd, 0, bytes);
      for (let done = 0; done < bytes;) done += writeSync(fd, src, done, Math.min(bytes - done, CHUNK), done);
      const ms = now() - start;
      closeSync(fd);
      return ms;
    },
    // Memory storage: create (fallocated to the hint), write, kernel seal.
    async storage() {
      const start = now();
      const [blob] = await storage.createBlobs('s', [bytes]);
      await blob.write(src, 0);
      await blob.seal();
      const ms = now() - start;
      await storage.remove('s', [blob]);
      return ms;
    },
    // A client of a node (UDS): acquire create, mapWritable(), copy in, seal, release.
    async client() {
      const start = now();
      const lease = await client.acquire({ intent: 'create', objectId: 'c', blobs: [{ size: bytes }] });
      src.copy(await lease.mapWritable());
      await lease.seal();
      await lease.release();
      const ms = now() - start;
      await client.delete('c');
      return ms;
    },
  };
  const names = Object.keys(ways);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  // Run -1 is not kept, and the order turns every run: in a VM, memory just given back is slow to
  // touch again, so whichever way runs right after a large free pays for it.
  for (let r = -1; r < runs; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + Math.max(r, 0)) % names.length];
      const ms = await ways[name]();
      if (r >= 0) times[name].push(ms);
      // The client's view of the deleted object pins its 1 GiB until collected: let it go now, so
      // that the next way does not pay for memory the host must find anew.
      gc();
    }
  }
  await client.close();
  await storage.close();
  process.send({ times });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
