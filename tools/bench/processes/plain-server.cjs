// The baselines' server: a plain `net` Unix socket server reading lines, in its own process.
// node plain-server.cjs <path> echo : answers each JSON line {id} with {id, ok: true} (the floor).
// node plain-server.cjs <path> bytes: answers a line "N" with N bytes (the copy baseline).
// node plain-server.cjs <path> data : answers {id, op: "get", bytes} with {id, ok, data} (N bytes,
//   base64) and {id, op: "put", data} with {id, ok} once decoded (the small-object baselines).
// Sends { ready } to its parent; SIGTERM closes it.
const net = require('node:net');

const [path, mode] = process.argv.slice(2);
const payloads = new Map();
const encoded = new Map();
const answer = (line) => {
  if (mode === 'echo') return `${JSON.stringify({ id: JSON.parse(line).id, ok: true })}\n`;
  if (mode === 'data') {
    const request = JSON.parse(line);
    if (request.op === 'put')
      return `${JSON.stringify({ id: request.id, ok: true, size: Buffer.from(request.data, 'base64').length })}\n`;
    if (!encoded.has(request.bytes)) encoded.set(request.bytes, Buffer.alloc(request.bytes, 0x5a).toString('base64'));
    return `${JSON.stringify({ id: request.id, ok: true, data: encoded.get(request.bytes) })}\n`;
  }
  const bytes = Number(line);
  if (!payloads.has(bytes)) payloads.set(bytes, Buffer.alloc(bytes, 0x5a));
  return payloads.get(bytes);
};

const server = net.createServer((socket) => {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      socket.write(answer(line));
    }
  });
});
server.listen(path, () => process.send({ ready: true }));
process.once('SIGTERM', () => server.close(() => process.disconnect()));
