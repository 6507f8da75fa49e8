// The baselines' client: line JSON over a plain `net` Unix socket to plain-server.cjs, one request
// at a time. Each answer is parsed, and the bytes it carries (base64 `data`) decoded, as PackIce's
// clients do with theirs.
const net = require('node:net');

/** Connects to the echo server at `path`; `request(id)` makes each request object. */
async function echoClient(path, request) {
  const socket = net.createConnection(path);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.setEncoding('utf8');
  let buffer = '';
  let waiting = null;
  socket.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const answer = JSON.parse(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      if (answer.data) Buffer.from(answer.data, 'base64');
      const resolve = waiting;
      waiting = null;
      resolve?.();
    }
  });
  let id = 0;
  return {
    call: () =>
      new Promise((resolve) => {
        waiting = resolve;
        socket.write(`${JSON.stringify(request(++id))}\n`);
      }),
    close: async () => socket.destroy(),
  };
}

module.exports = { echoClient };
