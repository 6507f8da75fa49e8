// A TypeScript peer for the Python client's interop tests (the real @packice/client, built):
//   node peer.cjs produce TARGET ID SIZE   creates ID of SIZE bytes (a pattern), seals it, prints {sha256}
//   node peer.cjs consume TARGET ID        maps ID, prints {size, sha256}
//   node peer.cjs put TARGET PREFIX COUNT  puts COUNT small objects PREFIX-i, prints {made}
const { createHash } = require('node:crypto');
const { connect } = require('@packice/client');

const MIB = 1 << 20;
const [mode, target, a, b] = process.argv.slice(2);

async function main() {
  const client = await connect(target);
  try {
    if (mode === 'produce') {
      const size = Number(b);
      const lease = await client.acquire({ intent: 'create', objectId: a, blobs: [{ size }] });
      const view = await lease.mapWritable();
      for (let offset = 0, i = 1; offset < size; offset += MIB, i++)
        view.fill(i % 251, offset, Math.min(size, offset + MIB));
      const sha256 = createHash('sha256').update(view).digest('hex');
      await lease.seal();
      await lease.release({ wait: true });
      return { sha256 };
    }
    if (mode === 'consume') {
      const lease = await client.acquire({ intent: 'read', objectId: a, timeoutMs: 10_000 });
      const view = await lease.map();
      const result = { size: view.length, sha256: createHash('sha256').update(view).digest('hex') };
      await lease.release({ wait: true });
      return result;
    }
    if (mode === 'put') {
      for (let i = 0; i < Number(b); i++) await client.put(`payload ${i}`, { objectId: `${a}-${i}` });
      return { made: Number(b) };
    }
    throw new Error(`unknown mode ${mode}`);
  } finally {
    await client.close();
  }
}

main().then(
  (result) => process.stdout.write(JSON.stringify(result)),
  (err) => {
    process.stdout.write(JSON.stringify({ fatal: `${err.code} ${err.message}` }));
    process.exit(1);
  },
);
