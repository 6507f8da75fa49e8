// The copy baseline: a plain `net` Unix socket server that answers a line "N\n" with N bytes.
// node plain-socket.cjs <path>. Sends { ready } to its parent; SIGTERM closes it.
const net = require('node:net');

const payloads = new Map();
const server = net.createServer((socket) => {
  let pending = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) !== -1) {
      const bytes = Number(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      if (!payloads.has(bytes)) payloads.set(bytes, Buffer.alloc(bytes, 0x5a));
      socket.write(payloads.get(bytes));
    }
  });
});
server.listen(process.argv[2], () => process.send({ ready: true }));
process.once('SIGTERM', () => server.close(() => process.disconnect()));
