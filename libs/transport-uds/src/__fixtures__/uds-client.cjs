// A client process for the integration tests, on the built libs:
//   write <socket> <id> <bytes>        create, write a pattern through a writable mapping, seal
//   read <socket> <id> <timeout ms>    wait for the object, map it, check the pattern
//   cycle <socket> <prefix> <count>    create/write/seal/read/check/release/delete, count times
//   hold <socket> <id> <bytes>         create, write half, report, then wait to be killed
// Prints one JSON line with the outcome.
const { closeSync, writeSync } = require('node:fs');
const { freezeMapping, isMapped, mapFd, reopenReadOnly } = require('@packice/native');
const { connectUds } = require('../../dist'); // this lib, built: plain node runs no TypeScript

const [mode, path, id, arg] = process.argv.slice(2);

const byteAt = (i) => (i * 31 + 7) & 0xff;
function fill(view) {
  for (let i = 0; i < view.length; i++) view[i] = byteAt(i);
}
function check(view) {
  for (let i = 0; i < view.length; i++) if (view[i] !== byteAt(i)) return false;
  return true;
}

async function main() {
  const t = await connectUds(path);
  try {
    if (mode === 'write') {
      const size = Number(arg);
      const { body, fds } = await t.request('acquire', { intent: 'create', object_id: id, blobs: [{ size }] });
      const view = mapFd(fds[0], size, { mode: 'write' });
      fill(view);
      const ro = reopenReadOnly(fds[0]);
      freezeMapping(view, ro);
      closeSync(ro);
      const sealed = await t.request('seal', { lease_id: body.lease.lease_id });
      let tamper = 'ok';
      try {
        writeSync(fds[0], 'x', 0);
      } catch (err) {
        tamper = err.code;
      }
      closeSync(fds[0]);
      await t.request('release', { lease_id: body.lease.lease_id });
      return { ok: true, size: sealed.body.object.size, tamper };
    }
    if (mode === 'read') {
      const started = Date.now();
      const { body, fds } = await t.request('acquire', { intent: 'read', object_id: id, timeout_ms: Number(arg) });
      const view = mapFd(fds[0], body.object.size);
      closeSync(fds[0]);
      const good = check(view);
      await t.request('release', { lease_id: body.lease.lease_id });
      return { ok: good, size: view.length, mapped: isMapped(view), waitedMs: Date.now() - started };
    }
    if (mode === 'cycle') {
      const count = Number(arg);
      for (let i = 0; i < count; i++) {
        const objectId = `${id}-${i}`;
        const created = await t.request('acquire', { intent: 'create', object_id: objectId, blobs: [{ size: 1024 }] });
        writeSync(created.fds[0], Buffer.from(objectId), 0, objectId.length, 0);
        closeSync(created.fds[0]);
        await t.request('seal', { lease_id: created.body.lease.lease_id });
        const read = await t.request('acquire', { intent: 'read', object_id: objectId });
        const view = mapFd(read.fds[0], 1024);
        closeSync(read.fds[0]);
        if (view.subarray(0, objectId.length).toString() !== objectId) throw new Error(`wrong bytes in ${objectId}`);
        await t.request('release', { lease_id: read.body.lease.lease_id });
        await t.request('release', { lease_id: created.body.lease.lease_id });
        await t.request('delete', { object_id: objectId });
      }
      return { ok: true, cycles: count };
    }
    if (mode === 'hold') {
      const size = Number(arg);
      const { fds } = await t.request('acquire', { intent: 'create', object_id: id, blobs: [{ size }] });
      writeSync(fds[0], Buffer.alloc(size / 2, 1), 0, size / 2, 0);
      process.stdout.write(`${JSON.stringify({ ok: true, holding: id })}\n`);
      setInterval(() => undefined, 1 << 30); // stay alive until killed
      await new Promise(() => undefined);
    }
    throw new Error(`unknown mode ${mode}`);
  } finally {
    await t.close();
  }
}

main().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (err) => {
    process.stdout.write(`${JSON.stringify({ ok: false, code: err.code, message: err.message })}\n`);
    process.exitCode = 1;
  },
);
