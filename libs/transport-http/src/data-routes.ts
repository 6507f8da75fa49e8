import type { Blob, Peer } from '@packice/core';
import { PackIceError } from '@packice/core';
import { DATA_PLANE } from '@packice/protocol';
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { parseRange } from './range';
import { BLOB_SCHEMA } from './schemas';

const DATA_CHUNK = 1 << 20; // 1 MiB per read from storage while streaming out

type BlobParams = { lease_id: string; i: string };

/** The data plane: a create lease's blob written from the request body, a lease's blob read with Range. */
export async function dataRoutes(app: FastifyInstance, options: { peer: Peer }): Promise<void> {
  const { peer } = options;
  // Bodies are not parsed: the write route streams them into the blob.
  app.addContentTypeParser(['application/octet-stream', '*'], (_request, payload, done) => done(null, payload));

  app.route<{ Params: BlobParams }>({
    method: DATA_PLANE.write.method,
    url: DATA_PLANE.write.path,
    schema: BLOB_SCHEMA,
    handler: async (request) => {
      const { lease, object } = await peer.openLease(request.params.lease_id);
      if (lease.access !== 'create') throw new PackIceError('WRONG_ACCESS', 'only the create lease may write');
      if (object.state === 'sealed') throw new PackIceError('ALREADY_SEALED', `object ${object.objectId} is sealed`);
      const blob = blobOf(object.blobs, request.params.i);
      const body = request.body;
      if (!(body instanceof Readable))
        throw new PackIceError('BAD_REQUEST', 'send the bytes as application/octet-stream');
      let position = 0;
      for await (const chunk of body) position += await blob.write(chunk as Buffer, position);
      await blob.truncate(position);
      return { size: blob.size };
    },
  });

  app.route<{ Params: BlobParams }>({
    method: DATA_PLANE.read.method,
    url: DATA_PLANE.read.path,
    schema: BLOB_SCHEMA,
    handler: async (request, reply) => {
      const { object } = await peer.openLease(request.params.lease_id);
      const blob = blobOf(object.blobs, request.params.i);
      const size = blob.size;
      const range = parseRange(request.headers.range, size);
      void reply.header('accept-ranges', 'bytes');
      if (range === null) {
        void reply.header('content-range', `bytes */${size}`).type('application/json');
        const error = new PackIceError('BAD_REQUEST', `range ${request.headers.range} is outside ${size} bytes`);
        return reply.code(416).send({ error: error.toJSON() });
      }
      const start = range?.start ?? 0;
      const end = range?.end ?? size - 1;
      if (range) void reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
      void reply.type('application/octet-stream').header('content-length', String(Math.max(end - start + 1, 0)));
      return reply.send(Readable.from(readChunks(blob, start, end + 1)));
    },
  });
}

function blobOf(blobs: readonly Blob[], index: string): Blob {
  const blob = blobs[Number(index)];
  if (!blob) throw new PackIceError('NOT_FOUND', `the object has no blob ${index}`);
  return blob;
}

async function* readChunks(blob: Blob, from: number, to: number): AsyncGenerator<Buffer> {
  for (let position = from; position < to;) {
    const chunk = await blob.read(position, Math.min(DATA_CHUNK, to - position));
    if (chunk.length === 0) return;
    position += chunk.length;
    yield chunk;
  }
}
