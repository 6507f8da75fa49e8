// The koffi echo: plain-server.cjs's `data` echo and echo-client.cjs's client over sockets that
// koffi owns (`@packice/native`: watchFd + recvmsg/sendmsg, as PackIce's UDS binding does), so
// the bench can tell what the message path costs apart from what PackIce's operations add.
// node koffi-echo.cjs <path> : the server; sends { ready } to its parent; SIGTERM closes it.
const { acceptConnection, closeQuietly, connectUnix, listenUnix, MESSAGE_CHUNK_BYTES } = require('@packice/native');
const { receiveMessage, sendMessage, watchFd } = require('@packice/native');
const { oneAtATime } = require('./echo-client.cjs');

/** Reads `fd` as NDJSON lines, calling `onLine` for each; returns the watcher. */
function readLines(fd, onLine) {
  let pending = '';
  const watcher = watchFd(
    fd,
    { readable: true },
    () => {
      for (;;) {
        const got = receiveMessage(fd);
        if (got === null) return;
        if (got.end) {
          watcher.close();
          closeQuietly(fd);
          return;
        }
        pending += got.data.toString('utf8');
        for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          onLine(line);
        }
        if (got.data.length < MESSAGE_CHUNK_BYTES) return;
      }
    },
    { ref: true },
  );
  return watcher;
}

/** Sends one line (with its newline); the echo's lines are small, so a full socket is not expected (it throws). */
function sendLine(fd, line) {
  const data = Buffer.from(line);
  if (sendMessage(fd, data) !== data.length) throw new Error('koffi echo: a line did not fit the socket');
}

/** Connects to a koffi echo server; `request(id)` makes each request object. */
async function koffiEchoClient(path, request) {
  const fd = connectUnix(path);
  const calls = oneAtATime((line) => sendLine(fd, line), request);
  const watcher = readLines(fd, (line) => calls.onLine(line));
  return {
    call: calls.call,
    close: async () => {
      watcher.close();
      closeQuietly(fd);
    },
  };
}

function serve(path) {
  const listening = listenUnix(path);
  const encoded = new Map();
  const watchers = new Set();
  const acceptor = watchFd(
    listening,
    { readable: true },
    () => {
      for (let fd = acceptConnection(listening); fd !== null; fd = acceptConnection(listening)) {
        const conn = fd;
        const watcher = readLines(conn, (line) => {
          const { id, bytes } = JSON.parse(line);
          if (!encoded.has(bytes)) encoded.set(bytes, Buffer.alloc(bytes, 0x5a).toString('base64'));
          sendLine(conn, `${JSON.stringify({ id, ok: true, data: encoded.get(bytes) })}\n`);
        });
        watchers.add(watcher);
      }
    },
    { ref: true },
  );
  process.send({ ready: true });
  process.once('SIGTERM', () => {
    // Every watcher closed, the loop ends by itself (exiting with koffi watchers open aborts).
    for (const watcher of [acceptor, ...watchers]) watcher.close();
    closeQuietly(listening);
    process.disconnect();
  });
}

if (require.main === module) serve(process.argv[2]);

module.exports = { koffiEchoClient };
