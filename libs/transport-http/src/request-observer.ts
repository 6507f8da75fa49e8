import { DATA_PLANE, opNames, OPS } from '@packice/protocol';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { answeredCode } from './error-handling';

const OP_OF_ROUTE = new Map<string, string>([
  ...opNames.flatMap((op) => {
    const http = OPS[op].http;
    return http ? [[`${http.method} ${http.path}`, op] as [string, string]] : [];
  }),
  [`${DATA_PLANE.write.method} ${DATA_PLANE.write.path}`, 'blob_write'],
  [`${DATA_PLANE.read.method} ${DATA_PLANE.read.path}`, 'blob_read'],
]);

/** Tells `observe` of every answered request: its op (from the op table), `ok` or the error code, its duration. */
export const requestObserver = fp(
  async (app: FastifyInstance, options: { observe: (op: string, code: string, seconds: number) => void }) => {
    app.addHook('onResponse', async (request, reply) => {
      const op = OP_OF_ROUTE.get(`${request.method} ${request.routeOptions.url ?? ''}`) ?? 'unknown';
      const code = reply.statusCode < 400 ? 'ok' : (answeredCode(request) ?? `HTTP_${reply.statusCode}`);
      options.observe(op, code, reply.elapsedTime / 1000);
    });
  },
  { name: 'packice-request-observer' },
);
