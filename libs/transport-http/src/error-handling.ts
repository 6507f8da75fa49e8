import { isPackIceError, PackIceError } from '@packice/core';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Socket } from 'node:net';

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

const answeredCodes = new WeakMap<object, string>();

/** The protocol code a request was answered with, if it was an error. */
export function answeredCode(request: object): string | undefined {
  return answeredCodes.get(request);
}

/** Every error answer, unknown routes included, is `{ error: { code, message } }` with the code's status. */
export const errorHandling = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err, request, reply) => {
      const error = toProtocolError(err);
      answeredCodes.set(request, error.code);
      if (error.code === 'INTERNAL') request.log.error({ err }, 'internal error');
      void reply.code(error.status).send({ error: error.toJSON() });
    });
    app.setNotFoundHandler((request, reply) => {
      const error = new PackIceError('UNKNOWN_OP', `no route ${request.method} ${request.url.split('?')[0]}`);
      answeredCodes.set(request, error.code);
      void reply.code(error.status).send({ error: error.toJSON() });
    });
  },
  { name: 'packice-errors' },
);

/**
 * Requests Node's HTTP parser rejects before fastify sees them (malformed, or headers too large)
 * still get the protocol's error body: 413 `PAYLOAD_TOO_LARGE` for oversized headers, 400
 * `BAD_REQUEST` otherwise. The connection then closes. (fastify's `clientErrorHandler` option.)
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new PackIceError('PAYLOAD_TOO_LARGE', 'the request headers are over the limit')
      : new PackIceError('BAD_REQUEST', `malformed HTTP request (${err.code ?? err.message})`);
  const body = JSON.stringify({ error: error.toJSON() });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${error.status} ${error.code === 'BAD_REQUEST' ? 'Bad Request' : 'Payload Too Large'}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
