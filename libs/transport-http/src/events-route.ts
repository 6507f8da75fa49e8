import type { Peer } from '@packice/core';
import { PackIceError } from '@packice/core';
import { eventHubOf, EVENTS_ROUTE, parseSubscribeParams } from '@packice/protocol';
import type { FastifyInstance } from 'fastify';

/** Queued bytes past which a stream's events are dropped (and counted) instead of queued. */
const EVENT_QUEUE_BYTES = 256 * 1024;

const eventsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    prefix: { type: 'string', maxLength: 128 },
    replay: { type: 'string', enum: ['true', 'false', '1', '0'] },
  },
} as const;

/**
 * `GET /v1/events`: the node's events as Server-Sent Events (`event:` the kind, `data:` the wire
 * event as JSON, `id:` its seq), from `Last-Event-ID` on where the node's history still has it.
 * A client that does not keep up loses events and gets one `overflow` event saying how many.
 */
export async function eventsRoute(app: FastifyInstance, options: { peer: Peer; shutdown: AbortSignal }): Promise<void> {
  app.route<{ Querystring: { prefix?: string; replay?: string } }>({
    method: EVENTS_ROUTE.method,
    url: EVENTS_ROUTE.path,
    schema: { querystring: eventsQuery },
    handler: async (request, reply) => {
      const { prefix } = parseSubscribeParams({ prefix: request.query.prefix });
      const replay = request.query.replay === 'true' || request.query.replay === '1';
      const last = request.headers['last-event-id'];
      const after = typeof last === 'string' && /^\d+$/.test(last) ? Number(last) : undefined;
      if (options.shutdown.aborted) throw new PackIceError('SHUTTING_DOWN', 'the node is shutting down');
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        // The stream is the connection's last answer: when it ends, so does the connection, and a
        // closing server never waits for a keep-alive socket.
        connection: 'close',
      });
      raw.write(': packice events\n\n');
      const subscription = await eventHubOf(options.peer).subscribe({ prefix, replay, after }, (event) => {
        if (raw.destroyed || raw.writableLength > EVENT_QUEUE_BYTES) return false;
        const id = 'seq' in event ? `id: ${event.seq}\n` : '';
        raw.write(`${id}event: ${event.event}\ndata: ${JSON.stringify(event)}\n\n`);
        return true;
      });
      const end = (): void => {
        subscription.close();
        options.shutdown.removeEventListener('abort', end);
      };
      raw.once('close', end);
      // A closing node ends the stream at once: cleanly for a client that keeps up, cut for one
      // whose output is backed up (its end would wait for that client).
      options.shutdown.addEventListener('abort', () => (raw.writableLength > 0 ? raw.destroy() : raw.end()), {
        once: true,
      });
    },
  });
}
