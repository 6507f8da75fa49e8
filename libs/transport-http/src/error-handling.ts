import { isPackIceError, PackIceError } from '@packice/core';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Maps anything thrown in a route to the protocol's error (and so its status). */
export function toProtocolError(err: unknown): PackIceError {
  if (isPackIceError(err)) return err;
  const e = err as FastifyError;
  if (e?.validation) return new PackIceError('BAD_REQUEST', e.message, { cause: err });
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PackIceError('PAYLOAD_TOO_LARGE', e.message, { cause: err });
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new PackIceError('BAD_REQUEST', e.message, { cause: err });
  }
  return new PackIceError('INTERNAL', e?.message ?? String(err), { cause: err });
}

/** Every error answer, unknown routes included, is `{ error: { code, message } }` with the code's status. */
export const errorHandling = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err, request, reply) => {
      const error = toProtocolError(err);
      if (error.code === 'INTERNAL') request.log.error({ err }, 'internal error');
      void reply.code(error.status).send({ error: error.toJSON() });
    });
    app.setNotFoundHandler((request, reply) => {
      const error = new PackIceError('UNKNOWN_OP', `no route ${request.method} ${request.url.split('?')[0]}`);
      void reply.code(error.status).send({ error: error.toJSON() });
    });
  },
  { name: 'packice-errors' },
);
