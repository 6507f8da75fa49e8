// The comparison for the client benchmark: one process sends N bytes over a plain Unix socket
// (net), the receiving process collects them into one Buffer. node socket-pair.cjs <path> <send|receive> <bytes>
const net = require('node:net');

const [path, role, size] = process.argv.slice(2);
const bytes = Number(size);
const now = () => Number(process.hrtime.bigint()) / 1e6;

if (role === 'send') {
  const data = Buffer.alloc(bytes, 0x5a);
  const server = net.createServer((socket) => socket.end(data));
  server.listen(path, () => process.send({ ready: true }));
  process.once('SIGTERM', () => server.close(() => process.disconnect()));
} else {
  const start = now();
  const buffer = Buffer.allocUnsafe(bytes);
  let at = 0;
  const socket = net.createConnection(path);
  socket.on('data', (chunk) => {
    chunk.copy(buffer, at);
    at += chunk.length;
  });
  socket.on('end', () => {
    const ready = now() - start;
    let sum = 0;
    for (let i = 0; i < buffer.length; i += 4096) sum += buffer[i];
    process.send({ ready, touched: now() - start, bytes: at, sum });
  });
}
