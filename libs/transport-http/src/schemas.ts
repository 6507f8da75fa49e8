/**
 * JSON schemas of the HTTP binding's bodies, params and queries. Types are checked here (a
 * mistyped field is `BAD_REQUEST`); the id rule is left to the Peer so that a bad object id is
 * `INVALID_ID`, as on every transport.
 */
const objectId = { type: 'string', maxLength: 1024 } as const;
const leaseId = { type: 'string', minLength: 1, maxLength: 128 } as const;
const positiveInt = { type: 'integer', minimum: 1 } as const;

export const acquireBody = {
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
  },
} as const;

export const renewBody = {
  anyOf: [
    { type: 'null' },
    { type: 'object', additionalProperties: true, properties: { ttl_ms: positiveInt } },
  ],
} as const;

export const leaseParams = {
  type: 'object',
  required: ['lease_id'],
  properties: { lease_id: leaseId },
} as const;

export const blobParams = {
  type: 'object',
  required: ['lease_id', 'i'],
  properties: { lease_id: leaseId, i: { type: 'string', pattern: '^(0|[1-9][0-9]{0,5})$' } },
} as const;

export const objectParams = {
  type: 'object',
  required: ['object_id'],
  properties: { object_id: objectId },
} as const;

export const leasesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { object_id: objectId },
} as const;
