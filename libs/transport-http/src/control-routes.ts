import type { Peer } from '@packice/core';
import type { OpName, OpParams, WireHandle } from '@packice/protocol';
import { PackIceError } from '@packice/core';
import {
  callPlainOp,
  fromWireAcquire,
  isPlainOp,
  opNames,
  OPS,
  parseReleaseList,
  plainOpHandlers,
  releaseFirst,
  toWireLease,
  toWireObject,
} from '@packice/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OP_SCHEMAS } from './schemas';

/** Options of {@link controlRoutes}. */
export interface ControlRoutesOptions {
  peer: Peer;
  /** Reported by health. */
  serverName: string;
  /** Aborted when the server closes: waiting reads end. */
  shutdown: AbortSignal;
  /** Told of every release an acquire carried. */
  onCarriedRelease?: (code: string) => void;
}

/**
 * One route per op of the op table that has an HTTP binding. Params come from the path, then the
 * query (GET, DELETE) or the JSON body (POST); the answer is the op's wire answer.
 */
export async function controlRoutes(app: FastifyInstance, options: ControlRoutesOptions): Promise<void> {
  const { peer, serverName } = options;
  const plain = plainOpHandlers(peer);

  const answer = async (op: OpName, params: object, request: FastifyRequest, reply: FastifyReply): Promise<object> => {
    if (op === 'health') return { ok: true, server: serverName, storage: peer.storageName };
    if (op === 'acquire') return acquire(params as OpParams<'acquire'>, request, reply);
    if (isPlainOp(op)) return callPlainOp(plain, op, params);
    throw new PackIceError('UNKNOWN_OP', `op ${op} is not served over HTTP`);
  };

  const acquire = async (
    params: OpParams<'acquire'>,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<object> => {
    // Leases named in `release` end first, as if released by requests sent just before this one.
    const releaseFailed = await releaseFirst(peer, parseReleaseList(params.release), options.onCarriedRelease);
    const { lease, object } = await peer.acquire(fromWireAcquire(params), {
      holder: { transport: 'http', remote: request.ip },
      // Only a read that may wait needs to know of the client going away (a signal per request costs).
      signal: params.timeout_ms ? requestSignal(reply, options.shutdown) : options.shutdown,
    });
    if (lease.access === 'read' && wantsBytes(request) && object.blobs.length === 1) {
      const [blob] = object.blobs;
      if (blob.size <= BYTES_ANSWER_MAX) {
        // One request for a small read: the bytes are the body, the lease and object are headers.
        const bytes = await blob.read();
        reply.header('packice-lease', encodeURIComponent(JSON.stringify(toWireLease(lease))));
        reply.header('packice-object', encodeURIComponent(JSON.stringify(toWireObject(object))));
        if (releaseFailed.length > 0) {
          reply.header('packice-release-failed', encodeURIComponent(JSON.stringify(releaseFailed)));
        }
        reply.type('application/octet-stream');
        return bytes;
      }
    }
    const handles: WireHandle[] = object.blobs.map((blob, i) => {
      const handle = blob.handle(lease.access);
      if (handle.kind === 'path') return { kind: 'path', path: handle.path };
      // A blob in another node's memory (scale-out): read at that node.
      if (handle.kind === 'url') return { kind: 'url', url: handle.url };
      return { kind: 'url', url: `/v1/leases/${lease.leaseId}/blobs/${i}` };
    });
    const answer = { lease: toWireLease(lease), object: toWireObject(object, handles) };
    return releaseFailed.length > 0 ? { ...answer, release_failed: releaseFailed } : answer;
  };

  for (const op of opNames) {
    const http = OPS[op].http;
    if (!http) continue;
    app.route({
      method: http.method,
      url: http.path,
      schema: OP_SCHEMAS[op],
      handler: async (request, reply) => {
        const rest = http.method === 'POST' ? (request.body ?? {}) : numericLimit(request.query as object);
        const params = { ...(rest as object), ...(request.params as object) };
        return reply.code(http.status).send(await answer(op, params, request, reply));
      },
    });
  }
}

/** Largest blob a read acquire answers as its body (`Accept: application/octet-stream`). */
export const BYTES_ANSWER_MAX = 1 << 20;

/** Whether a request asks for the bytes as the answer (and not JSON first). */
function wantsBytes(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0].trim().toLowerCase());
  const bytes = types.indexOf('application/octet-stream');
  const json = types.indexOf('application/json');
  return bytes !== -1 && (json === -1 || bytes < json);
}

/** A query's `limit` (digits, checked by the schema) as the number the Peer takes. */
function numericLimit(query: object): object {
  const { limit } = query as { limit?: string };
  return limit === undefined ? query : { ...query, limit: Number(limit) };
}

/** Aborts when the node shuts down or the client goes away before its answer. */
function requestSignal(reply: FastifyReply, shutdown: AbortSignal): AbortSignal {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort(new PackIceError('SHUTTING_DOWN', 'the client went away'));
  });
  return AbortSignal.any([shutdown, gone.signal]);
}
