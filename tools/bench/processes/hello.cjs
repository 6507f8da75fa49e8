// The reference for the HTTP benchmark: fastify's hello-world route, in its own process.
const Fastify = require('fastify');

const app = Fastify();
app.get('/', async () => ({ hello: 'world' }));
app.listen({ host: '127.0.0.1', port: 0 }).then(() => {
  process.send({ url: `http://127.0.0.1:${app.server.address().port}` });
});
process.once('SIGTERM', () => app.close().then(() => process.disconnect()));
