// node subscriber.cjs <socket> <count>: watches until <count> sealed events came; prints {events, ms}.
// Tells its parent 'ready' once the subscription is in place.
const { connect } = require('@packice/client');

const [socket, count] = process.argv.slice(2);
(async () => {
  const client = await connect(socket);
  const events = client.watch({ prefix: 'bench-' });
  const next = events.next(); // subscribes
  await client.stats(); // answered after the subscribe request
  process.send?.('ready');
  let seen = 0;
  let first = 0;
  for (let result = await next; !result.done; result = await events.next()) {
    if (result.value.event !== 'sealed') continue;
    if (seen === 0) first = Date.now();
    if (++seen === Number(count)) break;
  }
  await events.return?.();
  process.stdout.write(JSON.stringify({ events: seen, ms: Date.now() - first }));
  await client.close();
  process.disconnect?.();
})();
