import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Client } from '@packice/client';
import { ERROR_CODES, isErrorCode } from '@packice/core';
import { opNames } from '@packice/protocol';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fdCount,
  killNodeProcesses,
  SOAK,
  startNodeProcess,
  until,
  type NodeProcess,
  bothBindings,
} from './__fixtures__/node-process';

// Property-based fuzzing of a running node over both bindings: whatever comes in, every answer is
// a protocol answer (ok, or an error with a known code), the node stays up, and afterwards its
// books balance (no lease without its object, bytes equal to what the objects hold, no
// descriptor kept).

const dir = mkdtempSync(join(tmpdir(), 'packice-fuzz-'));
const socket = join(dir, 'node.sock');
const PAGE = 4096;
let node: NodeProcess;
let base: string;
let checker: Client;
let baselineFds: number;
const seen = { uds: 0, http: 0, codes: new Map<string, number>() };

beforeAll(async () => {
  node = await startNodeProcess([...bothBindings(socket), '--capacity', '8MiB']);
  base = node.report.url as string;
  checker = await connect(socket);
  baselineFds = fdCount(node.pid);
  // Sealed objects for the fuzzed requests to hit (read, delete, create over them).
  for (const id of SEEDS) await checker.put(Buffer.alloc(5000, 7), { objectId: id });
});

afterAll(async () => {
  await checker?.close();
  await node?.stop();
  await killNodeProcesses();
  rmSync(dir, { recursive: true, force: true });
});

const count = (code: string): void => void seen.codes.set(code, (seen.codes.get(code) ?? 0) + 1);

/**
 * Sends raw bytes on a new UDS connection, then a ping. Every line gets one answer, in any order:
 * resolves once all have come, or 500 ms after the ping's answer (reads may wait long).
 */
function udsExchange(payload: Buffer): Promise<unknown[]> {
  const expected = payload.toString('latin1').split('\n').length + 1;
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    const answers: unknown[] = [];
    let pending = '';
    let grace: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error(`no answer to ${JSON.stringify(payload.toString('latin1').slice(0, 120))}`));
    }, 10_000);
    const finish = (): void => {
      clearTimeout(timer);
      clearTimeout(grace);
      conn.destroy();
      resolve(answers);
    };
    conn.on('data', (chunk) => {
      pending += chunk.toString('utf8');
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const answer = JSON.parse(pending.slice(0, nl)) as { id?: unknown };
        pending = pending.slice(nl + 1);
        answers.push(answer);
        if (answer.id === -1) grace = setTimeout(finish, 500);
        if (answers.length >= expected) return finish();
      }
    });
    conn.on('close', finish);
    conn.on('error', () => undefined);
    conn.write(Buffer.concat([payload, Buffer.from('\n{"id":-1,"op":"ping"}\n')]));
  });
}

function checkUdsAnswers(answers: unknown[]): void {
  seen.uds++;
  for (const answer of answers as Record<string, unknown>[]) {
    expect(typeof answer.ok).toBe('boolean');
    if (answer.ok === true) count('ok');
    if (answer.ok === false) {
      const code = (answer.error as { code?: unknown }).code;
      expect(isErrorCode(code)).toBe(true);
      count(code as string);
    }
  }
}

/** One HTTP request without keep-alive; resolves with status and parsed body (if JSON). */
function httpExchange(
  method: string,
  path: string,
  body?: Buffer,
  type?: string,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, base),
      { method, agent: false, headers: type ? { 'content-type': type } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          if ((res.headers['content-type'] ?? '').includes('json')) parsed = JSON.parse(text);
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${method} ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}

const nasty = fc.oneof(
  fc.integer(),
  fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
  fc.constantFrom(-1, 0, 1, 2 ** 31, 2 ** 53, 1e308, -1e308, 0.5, Number.MAX_SAFE_INTEGER),
  fc.double(),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    '..',
    '../etc/passwd',
    '/etc/passwd',
    'a/b',
    '.hidden',
    '%2e%2e',
    'x'.repeat(300),
    '\u0000',
    'é',
    '😀',
  ),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything(), { maxLength: 4 }),
  fc.dictionary(fc.string(), fc.anything(), { maxKeys: 4 }),
);
const SEEDS = ['seed-0', 'seed-1', 'seed-2', 'seed-3', 'seed-4'];
const goodId = fc.oneof(fc.constantFrom(...SEEDS), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/));
/** Mostly well-formed (so requests get past validation into the Peer), sometimes anything. */
const mostly = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 15, arbitrary: good }, { weight: 1, arbitrary: nasty });
const params = fc.record(
  {
    intent: mostly(fc.constantFrom('create', 'read')),
    object_id: mostly(goodId),
    ttl_ms: mostly(fc.integer({ min: 1, max: 60_000 })),
    timeout_ms: mostly(fc.integer({ min: 0, max: 50 })),
    blobs: mostly(
      fc.oneof(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ size: mostly(fc.integer({ min: 0, max: 3 * PAGE })) }), { maxLength: 3 }),
      ),
    ),
    meta: mostly(fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 })),
    lease_id: mostly(fc.uuid()),
    client: nasty,
  },
  { requiredKeys: [] },
);
const requestLine = fc
  .record({
    id: fc.oneof(fc.integer(), nasty),
    op: fc.oneof(fc.constantFrom(...opNames, 'nope', '__proto__', 'constructor', 'toString'), nasty),
  })
  .chain((head) => params.map((p) => ({ ...p, ...head })));

/** Requests shaped for their op (so they reach the Peer), with a nasty value now and then. */
const wellFormed = fc.constantFrom(...opNames).chain((op) => {
  const id = mostly(goodId);
  const lease = mostly(fc.uuid());
  const byOp: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
    acquire: fc.record(
      {
        intent: mostly(fc.constantFrom('create', 'read')),
        object_id: id,
        ttl_ms: mostly(fc.integer({ min: 1, max: 60_000 })),
        timeout_ms: mostly(fc.integer({ min: 0, max: 30 })),
        blobs: mostly(
          fc.array(fc.record({ size: fc.integer({ min: 0, max: 3 * PAGE }) }), { minLength: 1, maxLength: 3 }),
        ),
        meta: mostly(fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 })),
      },
      { requiredKeys: ['intent'] },
    ),
    seal: fc.record({ lease_id: lease }),
    release: fc.record({ lease_id: lease }),
    renew: fc.record(
      { lease_id: lease, ttl_ms: mostly(fc.integer({ min: 1, max: 60_000 })) },
      { requiredKeys: ['lease_id'] },
    ),
    delete: fc.record({ object_id: id }),
    stat: fc.record({ object_id: id }),
    list_leases: fc.record({ object_id: id }, { requiredKeys: [] }),
  };
  return (byOp[op] ?? fc.constant({})).map((p) => ({ id: 1, op, ...p }));
});

describe('fuzzing a running node', () => {
  it('answers random bytes on the socket with protocol errors only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) =>
        checkUdsAnswers(await udsExchange(Buffer.from(bytes))),
      ),
      { numRuns: 150 * SOAK },
    );
  });

  it('answers random JSON, random requests and truncated lines with ok or a known code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.json(), async (json) => checkUdsAnswers(await udsExchange(Buffer.from(json)))),
      {
        numRuns: 150 * SOAK,
      },
    );
    await fc.assert(
      fc.asyncProperty(requestLine, async (line) =>
        checkUdsAnswers(await udsExchange(Buffer.from(JSON.stringify(line)))),
      ),
      { numRuns: 400 * SOAK },
    );
    await fc.assert(
      fc.asyncProperty(wellFormed, async (line) =>
        checkUdsAnswers(await udsExchange(Buffer.from(JSON.stringify(line)))),
      ),
      { numRuns: 400 * SOAK },
    );
    await fc.assert(
      fc.asyncProperty(requestLine, fc.nat(), async (line, cut) => {
        const text = JSON.stringify(line);
        checkUdsAnswers(await udsExchange(Buffer.from(text.slice(0, cut % Math.max(text.length, 1)))));
      }),
      { numRuns: 100 * SOAK },
    );
  });

  it('closes a connection whose line is over 1 MiB, answering PAYLOAD_TOO_LARGE', async () => {
    const answers = await udsExchange(Buffer.alloc((1 << 20) + 10, 'a'));
    expect(answers).toEqual([{ id: null, ok: false, error: expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }) }]);
  });

  it('answers random HTTP requests with the protocol status and error body', async () => {
    const route = fc.oneof(
      fc.constantFrom(
        '/v1/leases',
        '/v1/objects',
        '/v1/stats',
        '/v1/health',
        '/v1/nope',
        '/',
        '/v1/leases?object_id=..',
      ),
      fc
        .tuple(
          fc.oneof(goodId, fc.string(), fc.constantFrom('..', '%2e%2e', '%00', 'a%2Fb')),
          fc.constantFrom('', '/seal', '/renew', '/blobs/0', '/blobs/-1', '/blobs/99999999'),
        )
        .map(([id, tail]) => `/v1/leases/${encodeURIComponent(id)}${tail}`),
      fc.oneof(goodId, fc.string()).map((id) => `/v1/objects/${encodeURIComponent(id)}`),
    );
    const body = fc.oneof(
      fc.constant(undefined),
      params.map((p) => ({ data: Buffer.from(JSON.stringify(p)), type: 'application/json' })),
      fc.json().map((j) => ({ data: Buffer.from(j), type: 'application/json' })),
      fc.uint8Array({ maxLength: 512 }).map((b) => ({ data: Buffer.from(b), type: 'application/octet-stream' })),
      fc.uint8Array({ maxLength: 64 }).map((b) => ({ data: Buffer.from(b), type: 'application/json' })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        route,
        body,
        async (method, path, payload) => {
          const { status, body: answer } = await httpExchange(method, path, payload?.data, payload?.type);
          seen.http++;
          if (status < 400) return;
          const code = (answer as { error?: { code?: unknown } }).error?.code;
          expect(isErrorCode(code)).toBe(true);
          count(code as string);
          // 416 is the data plane's answer to a range outside the blob (a BAD_REQUEST body).
          if (status !== 416) expect(ERROR_CODES[code as keyof typeof ERROR_CODES].status).toBe(status);
        },
      ),
      { numRuns: 300 * SOAK },
    );
  });

  it('stays up with balanced books afterwards', async () => {
    await expect(checker.stats()).resolves.toBeDefined();
    // HTTP leases live until their TTL (up to a day here): release them, as their holder would.
    for (const lease of await checker.listLeases()) await httpExchange('DELETE', `/v1/leases/${lease.leaseId}`);
    await until('leases released', async () => ((await checker.stats()).leases === 0 ? true : null));
    const objects = await checker.listObjects();
    expect(objects.filter((o) => o.state !== 'sealed')).toEqual([]);
    const stats = await checker.stats();
    expect(stats.objects).toBe(objects.length);
    const held = objects.flatMap((o) => o.blobs).reduce((n, b) => n + Math.max(1, Math.ceil(b.size / PAGE)) * PAGE, 0);
    expect(stats.bytes).toBe(held);
    const blobs = objects.reduce((n, o) => n + o.blobs.length, 0);
    await until(`node descriptors back to ${baselineFds} + ${blobs} blobs`, () =>
      fdCount(node.pid) <= baselineFds + blobs ? true : null,
    );
    process.stdout.write(
      `fuzz: ${seen.uds} UDS exchanges, ${seen.http} HTTP requests; ${objects.length} objects left; codes ${JSON.stringify(Object.fromEntries(seen.codes))}\n`,
    );
  });
});
