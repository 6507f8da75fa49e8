import { PackIceError } from '@packice/core';
import { OPS } from '@packice/protocol';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * A check of `Authorization: Bearer <token>` in constant time: both sides are hashed first, so
 * neither the token's bytes nor its length show in the timing.
 */
export function bearerChecker(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    const match = /^Bearer (.+)$/.exec(header ?? '');
    return timingSafeEqual(digest(match?.[1] ?? ''), expected) && match !== null;
  };
}

/** Options of {@link admissionHook}. */
export interface AdmissionOptions {
  /** When set, every route but health needs it as a bearer token. */
  token?: string;
  /** True once the server is closing: requests are then answered `SHUTTING_DOWN`. */
  closing: () => boolean;
}

/** Refuses requests while closing, and those without the bearer token when one is set. */
export const admissionHook = fp(
  async (app: FastifyInstance, options: AdmissionOptions) => {
    const authorized = options.token ? bearerChecker(options.token) : null;
    app.addHook('onRequest', async (request) => {
      if (options.closing()) throw new PackIceError('SHUTTING_DOWN', 'the node is shutting down');
      if (!authorized || request.routeOptions.url === OPS.health.http?.path) return;
      if (!authorized(request.headers.authorization)) {
        throw new PackIceError('UNAUTHORIZED', 'missing or wrong bearer token');
      }
    });
  },
  { name: 'packice-admissionHook' },
);
