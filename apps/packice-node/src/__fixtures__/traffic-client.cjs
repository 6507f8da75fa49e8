// A client process for the fault and load suites, on the built client:
//   node traffic-client.cjs <target> <prefix> <milliseconds> [churn|mixed]
// churn: create / write / seal / read / release / delete as fast as it can, until killed or time runs out.
// mixed: the same plus reads of other clients' objects, maps and lists; deletes half of what it made.
// Every object's bytes follow a pattern from its id, so any reader can check them. Prints one JSON
// line at the end: { ops, errors, verified, made, kinds }.
const { connect } = require('@packice/client');

const [target, prefix, ms, mode = 'churn'] = process.argv.slice(2);

function seedOf(id) {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % 251;
}
function pattern(id, size) {
  const seed = seedOf(id);
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) buf[i] = (i * 31 + seed) & 0xff;
  return buf;
}
function check(id, bytes) {
  return bytes.equals(pattern(id, bytes.length));
}

async function main() {
  const client = await connect(target);
  const deadline = Date.now() + Number(ms);
  const stats = { ops: 0, errors: 0, verified: 0, made: 0, kinds: {} };
  const mine = [];
  const fail = (what, err) => {
    stats.errors++;
    stats.kinds[`${what}:${err.code ?? err.message}`] = (stats.kinds[`${what}:${err.code ?? err.message}`] ?? 0) + 1;
  };
  let n = 0;
  while (Date.now() < deadline) {
    const id = `${prefix}-${n++}`;
    const size = 1 + Math.floor(Math.random() * 64 * 1024);
    try {
      const lease = await client.acquire({ intent: 'create', objectId: id, blobs: [{ size }], meta: { by: prefix } });
      const data = pattern(id, size);
      const half = size >> 1;
      const file = await lease.open('w');
      await file.write(data.subarray(0, half));
      await file.write(data.subarray(half));
      await file.close();
      await lease.seal();
      await lease.release();
      mine.push(id);
      stats.made++;
      stats.ops += 4;
    } catch (err) {
      fail('create', err);
      continue;
    }
    try {
      const reader = await client.acquire({ intent: 'read', objectId: id });
      const view = mode === 'mixed' && n % 2 === 0 ? await reader.map() : await reader.read();
      if (check(id, view)) stats.verified++;
      else fail('verify', new Error(`bytes of ${id} differ`));
      await reader.release();
      stats.ops += 2;
    } catch (err) {
      fail('read', err);
    }
    if (mode === 'churn') {
      try {
        await client.delete(id);
        mine.pop();
        stats.ops++;
      } catch (err) {
        fail('delete', err);
      }
      continue;
    }
    try {
      if (n % 5 === 0) {
        const objects = await client.listObjects();
        stats.ops++;
        const other = objects[Math.floor(Math.random() * objects.length)];
        if (other && other.state === 'sealed') {
          const lease = await client.acquire({ intent: 'read', objectId: other.objectId }).catch((err) => {
            if (err.code === 'NOT_FOUND') return null; // deleted meanwhile by its owner
            throw err;
          });
          if (lease) {
            if (check(other.objectId, await lease.map())) stats.verified++;
            else fail('verify', new Error(`bytes of ${other.objectId} differ`));
            await lease.release();
            stats.ops += 2;
          }
        }
      }
      if (n % 2 === 0 && mine.length > 0) {
        await client.delete(mine.shift());
        stats.ops++;
      }
    } catch (err) {
      fail('mixed', err);
    }
  }
  await client.close();
  process.stdout.write(`${JSON.stringify(stats)}\n`);
}

main().catch((err) => {
  process.stdout.write(`${JSON.stringify({ fatal: `${err.code ?? ''} ${err.message}` })}\n`);
  process.exit(1);
});
