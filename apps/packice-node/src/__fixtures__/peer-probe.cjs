// Run as another user by the security suite: node peer-probe.cjs <socket>. Connects and asks for
// stats; prints {code} of the error it gets, or {ok: true}.
const { connect } = require('@packice/client');

connect(process.argv[2])
  .then(async (client) => {
    try {
      await client.stats();
      process.stdout.write(JSON.stringify({ ok: true }));
    } finally {
      await client.close().catch(() => undefined);
    }
  })
  .catch((err) => process.stdout.write(JSON.stringify({ code: err.code, message: err.message })));
