import { MAX_RELEASES_PER_ACQUIRE, type OpName } from '@packice/protocol';
import type { FastifySchema } from 'fastify';

/**
 * JSON schemas of the HTTP binding's bodies, params and queries. Types are checked here (a
 * mistyped field is `BAD_REQUEST`); the id rule is left to the Peer so that a bad object id is
 * `INVALID_ID`, as on every transport.
 */
const objectId = { type: 'string', maxLength: 1024 } as const;
const leaseId = { type: 'string', minLength: 1, maxLength: 128 } as const;
const positiveInt = { type: 'integer', minimum: 1 } as const;

const acquireBody = {
  type: 'object',
  required: ['intent'],
  additionalProperties: true,
  properties: {
    intent: { type: 'string', enum: ['create', 'read'] },
    object_id: objectId,
    ttl_ms: positiveInt,
    timeout_ms: { type: 'integer', minimum: 0 },
    blobs: {
      anyOf: [
        positiveInt,
        {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: true,
            properties: { size: { type: 'integer', minimum: 0 } },
          },
        },
      ],
    },
    meta: { type: 'object', additionalProperties: { type: 'string' } },
    release: { type: 'array', maxItems: MAX_RELEASES_PER_ACQUIRE, items: leaseId },
  },
} as const;

const renewBody = {
  anyOf: [{ type: 'null' }, { type: 'object', additionalProperties: true, properties: { ttl_ms: positiveInt } }],
} as const;

const leaseParams = {
  type: 'object',
  required: ['lease_id'],
  properties: { lease_id: leaseId },
} as const;

const blobParams = {
  type: 'object',
  required: ['lease_id', 'i'],
  properties: { lease_id: leaseId, i: { type: 'string', pattern: '^(0|[1-9][0-9]{0,5})$' } },
} as const;

const objectParams = {
  type: 'object',
  required: ['object_id'],
  properties: { object_id: objectId },
} as const;

// Query values are strings; `limit` is turned into a number for the Peer (control-routes).
const pageQuery = {
  limit: { type: 'string', pattern: '^[0-9]{1,6}$' },
  cursor: { type: 'string', maxLength: 2048 },
} as const;

const leasesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { object_id: objectId, ...pageQuery },
} as const;

const objectsQuery = { type: 'object', additionalProperties: false, properties: pageQuery } as const;

// Not frozen: fastify marks the schemas it has compiled.
/** Each op's schemas (ops without params need none). */
export const OP_SCHEMAS: { readonly [O in OpName]?: FastifySchema } = {
  acquire: { body: acquireBody },
  seal: { params: leaseParams },
  release: { params: leaseParams },
  renew: { params: leaseParams, body: renewBody },
  delete: { params: objectParams },
  stat: { params: objectParams },
  list_leases: { querystring: leasesQuery },
  list_objects: { querystring: objectsQuery },
};

/** The data plane's schema. */
export const BLOB_SCHEMA: FastifySchema = { params: blobParams };
