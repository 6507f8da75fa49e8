/**
 * The one table of PackIce error codes (docs/protocol.md, "Errors"). Codes are stable wire values;
 * `status` is the HTTP binding's status code for the code.
 */
export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, summary: 'The request is malformed: missing or mistyped fields, not JSON.' },
  UNKNOWN_OP: { status: 400, summary: 'The op (UDS) or route (HTTP) does not exist.' },
  INVALID_ID: { status: 400, summary: 'An object id does not match the id rule.' },
  NOT_FOUND: { status: 404, summary: 'No such object (or it is being deleted).' },
  ALREADY_EXISTS: { status: 409, summary: 'A create named an object id that exists.' },
  NOT_SEALED: { status: 409, summary: 'The object exists but is not sealed yet.' },
  ALREADY_SEALED: { status: 409, summary: 'The object is sealed: it cannot be written or sealed again.' },
  TIMEOUT: { status: 504, summary: 'A wait (read acquire with timeout_ms) ran out of time.' },
  LEASE_NOT_FOUND: { status: 404, summary: 'The lease is unknown, released or expired.' },
  WRONG_ACCESS: { status: 409, summary: 'The lease does not allow this (e.g. seal with a read lease).' },
  OUT_OF_CAPACITY: { status: 507, summary: 'Not enough room, even after evicting unleased sealed objects.' },
  UNAUTHORIZED: { status: 401, summary: 'The peer is not allowed (uid, or missing/wrong token).' },
  PAYLOAD_TOO_LARGE: { status: 413, summary: 'A request line or body is over the limit.' },
  SHUTTING_DOWN: { status: 503, summary: 'The node is closing and takes no new work.' },
  INTERNAL: { status: 500, summary: 'A fault inside the node; nothing the client did.' },
  // Additions to the first version 1 list (docs/protocol.md, "Additions"): raised by clients when the node
  // cannot be reached, and sent by cluster nodes that cannot reach their catalog or an object's owner.
  UNAVAILABLE: {
    status: 503,
    summary: 'The node cannot be reached (not running, connection lost), or a cluster node cannot reach its catalog.',
  },
} as const satisfies Record<string, { status: number; summary: string }>;

/** A stable PackIce error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Every code, in table order. */
export const errorCodes: readonly ErrorCode[] = Object.freeze(Object.keys(ERROR_CODES) as ErrorCode[]);

/** Options of {@link PackIceError}. */
export interface PackIceErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** Extra machine-readable facts (e.g. `{ errno: 'EBUSY' }`). */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error class of PackIce. Match on `err.code` (see {@link isPackIceError}), not on
 * `instanceof`: two copies of this package may be loaded in one process.
 */
export class PackIceError extends Error {
  /** The stable code from docs/protocol.md. */
  readonly code: ErrorCode;
  /** Extra machine-readable facts, if any. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: PackIceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PackIceError';
    this.code = isErrorCode(code) ? code : 'INTERNAL';
    this.details = options.details;
  }

  /** The HTTP status for this error's code. */
  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  /** The wire form `{ code, message }`. */
  toJSON(): WireError {
    return { code: this.code, message: this.message };
  }
}

/** The wire form of an error (docs/protocol.md). */
export interface WireError {
  code: string;
  message: string;
}

/** True when `value` is a known error code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * True when `err` is a PackIce error (from any loaded copy of this package), optionally with
 * the given code.
 */
export function isPackIceError(err: unknown, code?: ErrorCode): err is PackIceError {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown };
  return e.name === 'PackIceError' && isErrorCode(e.code) && (code === undefined || e.code === code);
}

/**
 * Turns anything thrown into a PackIceError: PackIce errors pass through, anything else
 * becomes `INTERNAL` with the original as `cause`.
 */
export function toPackIceError(err: unknown): PackIceError {
  if (isPackIceError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PackIceError('INTERNAL', message, { cause: err });
}

/** Rebuilds a PackIceError from its wire form; an unknown code becomes `INTERNAL`. */
export function fromWireError(wire: unknown): PackIceError {
  const w = (typeof wire === 'object' && wire !== null ? wire : {}) as Partial<WireError>;
  const message = typeof w.message === 'string' ? w.message : 'unknown error';
  if (isErrorCode(w.code)) return new PackIceError(w.code, message);
  return new PackIceError('INTERNAL', `${String(w.code)}: ${message}`);
}
