// Child process of mem-storage.int.spec.ts: gets a memfd as its descriptor 3 and obeys the
// parent's IPC messages. Plain CommonJS so it runs under bare node, without a transpiler.
const fs = require('node:fs');

const FD = 3;
const pattern = (length, seed) => {
  const buf = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) buf[i] = (i * 31 + seed) & 0xff;
  return buf;
};
const attempt = (fn) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err.code;
  }
};

process.on('message', (msg) => {
  if (msg.op === 'write') {
    const data = pattern(msg.length, msg.seed);
    let done = 0;
    while (done < data.length) done += fs.writeSync(FD, data, done, data.length - done, done);
    process.send({ op: 'write', written: done });
  } else if (msg.op === 'tamper') {
    process.send({
      op: 'tamper',
      write: attempt(() => fs.writeSync(FD, 'tampered', 0)),
      shrink: attempt(() => fs.ftruncateSync(FD, 1)),
      grow: attempt(() => fs.ftruncateSync(FD, 64 << 20)),
    });
  } else if (msg.op === 'exit') {
    process.disconnect();
  }
});
process.send({ op: 'ready', pid: process.pid });
