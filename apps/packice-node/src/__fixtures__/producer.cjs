// node producer.cjs <target> <prefix> <count>: puts <count> small objects <prefix>-<i>, one after
// the other, then prints {made, ms}.
const { connect } = require('@packice/client');

const [target, prefix, count] = process.argv.slice(2);

(async () => {
  const client = await connect(target);
  const started = Date.now();
  for (let i = 0; i < Number(count); i++) await client.put(`payload ${i}`, { objectId: `${prefix}-${i}` });
  await client.close();
  process.stdout.write(JSON.stringify({ made: Number(count), ms: Date.now() - started }));
})().catch((err) => {
  process.stdout.write(JSON.stringify({ fatal: `${err.code} ${err.message}` }));
  process.exit(1);
});
