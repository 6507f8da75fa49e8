// The round-trip floor: a plain `net` server answering JSON lines, in its own process.
// node net-echo.cjs <path>. Sends { ready } to its parent; SIGTERM closes it.
const net = require('node:net');

const server = net.createServer((socket) => {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const request = JSON.parse(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      socket.write(`${JSON.stringify({ id: request.id, ok: true })}\n`);
    }
  });
});
server.listen(process.argv[2], () => process.send({ ready: true }));
process.once('SIGTERM', () => server.close(() => process.disconnect()));
