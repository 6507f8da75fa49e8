// The baselines' client: line JSON over a plain `net` Unix socket to plain-server.cjs, one request
// at a time. Each answer is parsed, and the bytes it carries (base64 `data`) decoded, as PackIce's
// clients do with theirs.
const net = require('node:net');

/**
 * One request at a time over any line transport: `send(line)` sends a request line; feed each
 * answer line to `onLine`. Each answer is parsed and its bytes (base64 `data`) decoded.
 */
function oneAtATime(send, request) {
  let waiting = null;
  let id = 0;
  return {
    onLine(line) {
      const answer = JSON.parse(line);
      if (answer.data) Buffer.from(answer.data, 'base64');
      const resolve = waiting;
      waiting = null;
      resolve?.();
    },
    call: () =>
      new Promise((resolve) => {
        waiting = resolve;
        send(`${JSON.stringify(request(++id))}\n`);
      }),
  };
}

/** Connects to the echo server at `path`; `request(id)` makes each request object. */
async function echoClient(path, request) {
  const socket = net.createConnection(path);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.setEncoding('utf8');
  const calls = oneAtATime((line) => socket.write(line), request);
  let buffer = '';
  socket.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      calls.onLine(line);
    }
  });
  return { call: calls.call, close: async () => socket.destroy() };
}

module.exports = { echoClient, oneAtATime };
