// The IPC side of a benchmark child: answers `{ cmd, ...params }` messages with
// `{ reply: cmd, ...result }` (or `error`) from `handlers`, then says it is ready.
function serve(handlers) {
  process.on('message', (message) => {
    if (!message.cmd) return;
    handlers[message.cmd](message).then(
      (result) => process.send({ reply: message.cmd, ...result }),
      (err) => process.send({ reply: message.cmd, error: String(err?.stack ?? err) }),
    );
  });
  process.send({ ready: true });
}

module.exports = { serve };
