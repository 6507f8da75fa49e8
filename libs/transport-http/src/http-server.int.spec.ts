import { afterEach, describe, expect, it } from '@jest/globals';
import { createPeer, type Peer } from '@packice/core';
import { createFsStorage } from '@packice/storage-fs';
import { createMemStorage } from '@packice/storage-mem';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import { createConnection, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpServer, type HttpServer } from './http-server';
import { HttpTransport } from './http-transport';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json: () => Record<string, unknown>;
}

/** A plain HTTP request, as curl or another language would make it. */
function raw(
  base: string,
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString()) });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = (value: unknown): { body: string; headers: Record<string, string> } => ({
  body: JSON.stringify(value),
  headers: { 'content-type': 'application/json' },
});

let dirs: string[] = [];
const running: { server: HttpServer; peer: Peer }[] = [];

async function start(storage: 'mem' | 'fs', options: { token?: string; capacityBytes?: number } = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'packice-http-'));
  dirs.push(dir);
  const peer = createPeer({
    storage: storage === 'fs' ? createFsStorage({ root: dir }) : createMemStorage(),
    capacityBytes: options.capacityBytes ?? 64 << 20,
  });
  const server = createHttpServer(peer, { token: options.token });
  running.push({ server, peer });
  return server.listen();
}

afterEach(async () => {
  for (const { server, peer } of running.splice(0)) {
    await server.close();
    await peer.close();
  }
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  dirs = [];
});

describe.each(['mem', 'fs'] as const)('HTTP binding, raw requests, %s storage', (storage) => {
  it('binds 127.0.0.1 and answers health and stats', async () => {
    const base = await start(storage);
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await raw(base, 'GET', '/v1/health')).json()).toEqual({ ok: true, server: 'packice', storage });
    expect((await raw(base, 'GET', '/v1/stats')).json()).toMatchObject({
      objects: 0,
      leases: 0,
      capacity: 64 << 20,
      uptime_ms: expect.any(Number),
    });
  });

  it('walks every route: create, write, seal, read, renew, list, stat, release, delete', async () => {
    const base = await start(storage);
    const created = await raw(
      base,
      'POST',
      '/v1/leases',
      json({ intent: 'create', object_id: 'doc', blobs: [{ size: 64 }], meta: { type: 'text/plain' } }),
    );
    expect(created.status).toBe(201);
    const { lease, object } = created.json() as {
      lease: { lease_id: string };
      object: { blobs: { handle: { kind: string; path?: string; url?: string } }[] };
    };
    const handle = object.blobs[0].handle;
    if (storage === 'fs') {
      expect(handle.kind).toBe('path');
      writeFileSync(handle.path as string, 'Zero-Copy Data!');
    } else {
      expect(handle).toEqual({ kind: 'url', url: `/v1/leases/${lease.lease_id}/blobs/0` });
      const put = await raw(base, 'PUT', handle.url as string, {
        body: Buffer.from('Zero-Copy Data!'),
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect([put.status, put.json()]).toEqual([200, { size: 15 }]);
    }
    const sealed = await raw(base, 'POST', `/v1/leases/${lease.lease_id}/seal`);
    expect([sealed.status, sealed.json()]).toEqual([
      200,
      { object: expect.objectContaining({ state: 'sealed', size: 15 }) },
    ]);

    const read = (await raw(base, 'POST', '/v1/leases', json({ intent: 'read', object_id: 'doc' }))).json() as {
      lease: { lease_id: string; holder: unknown };
      object: { blobs: { handle: { kind: string; path?: string } }[] };
    };
    expect(read.lease.holder).toEqual({ transport: 'http', remote: '127.0.0.1' });
    const readHandle = read.object.blobs[0].handle;
    if (storage === 'fs') expect(readFileSync(readHandle.path as string, 'utf8')).toBe('Zero-Copy Data!');
    const bytes = await raw(base, 'GET', `/v1/leases/${read.lease.lease_id}/blobs/0`);
    expect([bytes.status, bytes.body.toString(), bytes.headers['accept-ranges']]).toEqual([
      200,
      'Zero-Copy Data!',
      'bytes',
    ]);
    const part = await raw(base, 'GET', `/v1/leases/${read.lease.lease_id}/blobs/0`, {
      headers: { range: 'bytes=5-8' },
    });
    expect([part.status, part.body.toString(), part.headers['content-range']]).toEqual([206, 'Copy', 'bytes 5-8/15']);
    const tail = await raw(base, 'GET', `/v1/leases/${read.lease.lease_id}/blobs/0`, {
      headers: { range: 'bytes=-5' },
    });
    expect([tail.status, tail.body.toString()]).toEqual([206, 'Data!']);
    const outside = await raw(base, 'GET', `/v1/leases/${read.lease.lease_id}/blobs/0`, {
      headers: { range: 'bytes=99-' },
    });
    expect([outside.status, outside.headers['content-range'], (outside.json().error as { code: string }).code]).toEqual(
      [416, 'bytes */15', 'BAD_REQUEST'],
    );

    const renewed = await raw(base, 'POST', `/v1/leases/${read.lease.lease_id}/renew`, json({ ttl_ms: 5000 }));
    expect(renewed.json()).toMatchObject({ lease: { ttl_ms: 5000 } });
    expect((await raw(base, 'GET', '/v1/leases?object_id=doc')).json().leases).toHaveLength(2);
    expect((await raw(base, 'GET', '/v1/objects')).json().objects).toHaveLength(1);
    expect((await raw(base, 'GET', '/v1/objects/doc')).json()).toMatchObject({
      object: { object_id: 'doc', meta: { type: 'text/plain' } },
    });
    expect((await raw(base, 'DELETE', `/v1/leases/${read.lease.lease_id}`)).json()).toEqual({});
    expect((await raw(base, 'DELETE', `/v1/leases/${lease.lease_id}`)).status).toBe(200);
    expect((await raw(base, 'DELETE', '/v1/objects/doc')).json()).toEqual({ deleted: true, pending: false });
  });

  it('releases the leases an acquire names in release first, and refuses a bad list with 400', async () => {
    const base = await start(storage);
    const acquire = (body: object) => raw(base, 'POST', '/v1/leases', json(body));
    const created = (await acquire({ intent: 'create', object_id: 'rel', blobs: [{ size: 1 }] })).json() as {
      lease: { lease_id: string };
    };
    await raw(base, 'POST', `/v1/leases/${created.lease.lease_id}/seal`);
    const held = (await acquire({ intent: 'read', object_id: 'rel' })).json() as { lease: { lease_id: string } };
    const leases = async () => ((await raw(base, 'GET', '/v1/stats')).json() as { leases: number }).leases;
    const bad = await acquire({ intent: 'read', object_id: 'rel', release: [held.lease.lease_id, 7] });
    expect([bad.status, bad.json()]).toMatchObject([400, { error: { code: 'BAD_REQUEST' } }]);
    expect(await leases()).toBe(2);
    const next = await acquire({
      intent: 'read',
      object_id: 'rel',
      release: [created.lease.lease_id, held.lease.lease_id, 'gone'],
    });
    expect([next.status, next.json()]).toMatchObject([
      201,
      { lease: { object_id: 'rel' }, release_failed: [{ lease_id: 'gone', error: { code: 'LEASE_NOT_FOUND' } }] },
    ]);
    expect(await leases()).toBe(1);
  });

  it('answers a read acquire that accepts octet-stream with the bytes, the lease and object in headers', async () => {
    const base = await start(storage);
    const create = { intent: 'create', object_id: 'bytes', blobs: [{ size: 5 }], meta: { kind: 'é' } };
    const created = (await raw(base, 'POST', '/v1/leases', json(create))).json() as { lease: { lease_id: string } };
    await raw(base, 'PUT', `/v1/leases/${created.lease.lease_id}/blobs/0`, {
      body: 'hello',
      headers: { 'content-type': 'application/octet-stream' },
    });
    await raw(base, 'POST', `/v1/leases/${created.lease.lease_id}/seal`);
    const read = { intent: 'read', object_id: 'bytes', release: [created.lease.lease_id, 'gone'] };
    const asBytes = { ...json(read), headers: { ...json(read).headers, accept: 'application/octet-stream' } };
    const answer = await raw(base, 'POST', '/v1/leases', asBytes);
    expect([answer.status, answer.headers['content-type'], answer.body.toString()]).toEqual([
      201,
      'application/octet-stream',
      'hello',
    ]);
    const header = (name: string): unknown => JSON.parse(decodeURIComponent(answer.headers[name] as string));
    expect(header('packice-lease')).toMatchObject({ object_id: 'bytes', access: 'read' });
    expect(header('packice-object')).toMatchObject({ object_id: 'bytes', size: 5, meta: { kind: 'é' } });
    expect(header('packice-release-failed')).toEqual([
      { lease_id: 'gone', error: expect.objectContaining({ code: 'LEASE_NOT_FOUND' }) },
    ]);
    // JSON first in Accept, or no Accept: the JSON answer as always.
    const jsonFirst = { ...json({ intent: 'read', object_id: 'bytes' }) };
    jsonFirst.headers = { ...jsonFirst.headers, accept: 'application/json, application/octet-stream' } as never;
    const asJson = await raw(base, 'POST', '/v1/leases', jsonFirst);
    expect(asJson.json()).toMatchObject({ lease: { object_id: 'bytes' }, object: { blobs: [{ size: 5 }] } });
    const missing = await raw(base, 'POST', '/v1/leases', {
      ...asBytes,
      body: JSON.stringify({ intent: 'read', object_id: 'nope' }),
    });
    expect([missing.status, missing.json()]).toMatchObject([404, { error: { code: 'NOT_FOUND' } }]);
    const leases = (await raw(base, 'GET', '/v1/stats')).json() as { leases: number };
    expect(leases.leases).toBe(2); // the create lease went with the first read; two read leases are held
  });

  it('pages list_objects and list_leases with limit and cursor in the query', async () => {
    const base = await start(storage);
    for (const id of ['c', 'a', 'b']) {
      const body = { intent: 'create', object_id: id, blobs: [{ size: 1 }], seal: true };
      expect((await raw(base, 'POST', '/v1/leases', json(body))).status).toBe(201);
    }
    const first = (await raw(base, 'GET', '/v1/objects?limit=2')).json() as {
      objects: { object_id: string }[];
      next_cursor: string;
    };
    expect(first.objects.map((o) => o.object_id)).toEqual(['a', 'b']);
    const rest = (await raw(base, 'GET', `/v1/objects?limit=2&cursor=${encodeURIComponent(first.next_cursor)}`)).json();
    expect(rest).toEqual({ objects: [expect.objectContaining({ object_id: 'c' })] });
    const leases = (await raw(base, 'GET', '/v1/leases?limit=1')).json() as { leases: unknown[]; next_cursor: string };
    expect([leases.leases.length, typeof leases.next_cursor]).toEqual([1, 'string']);
    for (const query of ['limit=0', 'limit=x', 'limit=10001', 'other=1']) {
      const bad = await raw(base, 'GET', `/v1/objects?${query}`);
      expect([bad.status, bad.json()]).toMatchObject([400, { error: { code: 'BAD_REQUEST' } }]);
    }
  });

  it('answers requests the HTTP parser rejects with the protocol body too, then closes', async () => {
    const base = new URL(await start('mem'));
    for (const [bytes, status, code] of [
      ['GET /v1/stats HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400, 'BAD_REQUEST'],
      [`GET /v1/stats HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 413, 'PAYLOAD_TOO_LARGE'],
    ] as const) {
      const socket = createConnection(Number(base.port), base.hostname);
      socket.end(bytes);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      await once(socket, 'close');
      const [head, body] = Buffer.concat(chunks).toString().split('\r\n\r\n');
      expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(JSON.parse(body)).toEqual({ error: { code, message: expect.any(String) } });
    }
  });

  it('answers every error with the protocol status and body', async () => {
    const base = await start(storage, { capacityBytes: 1 << 20 });
    const code = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
      const res = await raw(
        base,
        method,
        path,
        body === undefined
          ? { headers }
          : { ...json(body), headers: { 'content-type': 'application/json', ...headers } },
      );
      return [res.status, (res.json().error as { code: string }).code];
    };
    const created = (await raw(base, 'POST', '/v1/leases', json({ intent: 'create', object_id: 'e' }))).json() as {
      lease: { lease_id: string };
    };
    const leaseId = created.lease.lease_id;
    expect(await code('POST', '/v1/leases', { intent: 'sideways' })).toEqual([400, 'BAD_REQUEST']);
    expect(await code('POST', '/v1/leases', { intent: 'create', ttl_ms: '60' })).toEqual([400, 'BAD_REQUEST']);
    expect(await code('POST', '/v1/leases', { intent: 'create', object_id: '../x' })).toEqual([400, 'INVALID_ID']);
    expect(await code('GET', '/v1/objects/..hidden')).toEqual([400, 'INVALID_ID']);
    expect(await code('GET', '/v2/nothing')).toEqual([400, 'UNKNOWN_OP']);
    expect(await code('GET', '/v1/objects/missing')).toEqual([404, 'NOT_FOUND']);
    expect(await code('POST', '/v1/leases/no-such-lease/seal')).toEqual([404, 'LEASE_NOT_FOUND']);
    expect(await code('POST', '/v1/leases', { intent: 'create', object_id: 'e' })).toEqual([409, 'ALREADY_EXISTS']);
    expect(await code('POST', '/v1/leases', { intent: 'read', object_id: 'e' })).toEqual([409, 'NOT_SEALED']);
    expect(await code('POST', '/v1/leases', { intent: 'read', object_id: 'e', timeout_ms: 20 })).toEqual([
      504,
      'TIMEOUT',
    ]);
    expect(await code('POST', '/v1/leases', { intent: 'create', blobs: [{ size: 2 << 20 }] })).toEqual([
      507,
      'OUT_OF_CAPACITY',
    ]);
    const big = await raw(base, 'POST', '/v1/leases', json({ intent: 'create', meta: { pad: 'x'.repeat(2 << 20) } }));
    expect([big.status, (big.json().error as { code: string }).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const notJson = await raw(base, 'POST', '/v1/leases', {
      body: '{oops',
      headers: { 'content-type': 'application/json' },
    });
    expect([notJson.status, (notJson.json().error as { code: string }).code]).toEqual([400, 'BAD_REQUEST']);
    await raw(base, 'POST', `/v1/leases/${leaseId}/seal`);
    expect(await code('POST', `/v1/leases/${leaseId}/seal`)).toEqual([409, 'ALREADY_SEALED']);
    const read = (await raw(base, 'POST', '/v1/leases', json({ intent: 'read', object_id: 'e' }))).json() as {
      lease: { lease_id: string };
    };
    expect(await code('POST', `/v1/leases/${read.lease.lease_id}/seal`)).toEqual([409, 'WRONG_ACCESS']);
    const put = await raw(base, 'PUT', `/v1/leases/${leaseId}/blobs/0`, {
      body: 'late',
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect([put.status, (put.json().error as { code: string }).code]).toEqual([409, 'ALREADY_SEALED']);
    expect(await code('GET', `/v1/leases/${leaseId}/blobs/7`)).toEqual([404, 'NOT_FOUND']);
    expect((await raw(base, 'GET', '/v1/stats')).json()).toMatchObject({ objects: 1, leases: 2 });
  });

  it('requires the bearer token on every route but health, when one is set', async () => {
    const base = await start(storage, { token: 's3cret' });
    expect((await raw(base, 'GET', '/v1/health')).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/v1/stats'],
      ['GET', '/v1/objects'],
      ['POST', '/v1/leases'],
      ['GET', '/v2/x'],
    ]) {
      const res = await raw(base, method, path);
      expect([res.status, (res.json().error as { code: string }).code]).toEqual([401, 'UNAUTHORIZED']);
    }
    expect((await raw(base, 'GET', '/v1/stats', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await raw(base, 'GET', '/v1/stats', { headers: { authorization: 's3cret' } })).status).toBe(401);
    expect((await raw(base, 'GET', '/v1/stats', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
  });
});

describe('HTTP binding: a fault under the node', () => {
  it('answers 500 INTERNAL when the storage fails, and stays up', async () => {
    const base = await start('fs');
    const created = (
      await raw(base, 'POST', '/v1/leases', json({ intent: 'create', object_id: 'fragile' }))
    ).json() as {
      lease: { lease_id: string };
      object: { blobs: { handle: { path: string } }[] };
    };
    writeFileSync(created.object.blobs[0].handle.path, 'data');
    await raw(base, 'POST', `/v1/leases/${created.lease.lease_id}/seal`);
    rmSync(created.object.blobs[0].handle.path);
    const res = await raw(base, 'GET', `/v1/leases/${created.lease.lease_id}/blobs/0`);
    expect([res.status, (res.json().error as { code: string }).code]).toEqual([500, 'INTERNAL']);
    expect((await raw(base, 'GET', '/v1/health')).status).toBe(200);
  });
});

describe('HttpTransport', () => {
  it('speaks the binding and maps errors back to codes', async () => {
    const base = await start('mem', { token: 't' });
    const t = new HttpTransport(base, { token: 't' });
    const created = await t.request('acquire', { intent: 'create', object_id: 'x' });
    await expect(t.putBlob(created.lease.lease_id, 0, Buffer.from('hello http'))).resolves.toBe(10);
    await expect(t.request('seal', { lease_id: created.lease.lease_id })).resolves.toMatchObject({
      object: { size: 10 },
    });
    await expect(t.request('renew', { lease_id: created.lease.lease_id, ttl_ms: 5_000 })).resolves.toMatchObject({
      lease: { ttl_ms: 5_000 },
    });
    const read = await t.request('acquire', { intent: 'read', object_id: 'x' });
    const chunks: Buffer[] = [];
    for await (const chunk of await t.getBlob(read.lease.lease_id, 0, { start: 6 })) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('http');
    await expect(t.request('list_leases', { object_id: 'x' })).resolves.toMatchObject({ leases: [{}, {}] });
    await expect(t.request('release', { lease_id: read.lease.lease_id })).resolves.toEqual({});
    await expect(t.request('stat', { object_id: 'none' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.request('hello')).rejects.toMatchObject({ code: 'UNKNOWN_OP' });
    await expect(new HttpTransport(base).request('stats')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(new HttpTransport('http://127.0.0.1:1').request('stats')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(() => new HttpTransport('ftp://x')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('takes the code from the answer body, never from the status alone', async () => {
    const answers: [number, string][] = [
      [400, ''],
      [409, JSON.stringify({ error: { code: 'ALREADY_SEALED', message: 'sealed' } })],
      [503, ''],
      [418, JSON.stringify({ error: { code: 'SOMETHING_NEW', message: 'a code from a newer node' } })],
    ];
    const server = createServer((_req, res) => {
      const [status, body] = answers.shift() ?? [500, ''];
      res.writeHead(status, body ? { 'content-type': 'application/json' } : {}).end(body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const t = new HttpTransport(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      await expect(t.request('stats')).rejects.toMatchObject({ code: 'INTERNAL', details: { status: 400 } });
      await expect(t.request('stats')).rejects.toMatchObject({ code: 'ALREADY_SEALED', message: 'sealed' });
      await expect(t.request('stats')).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { status: 503 } });
      await expect(t.request('stats')).rejects.toMatchObject({
        code: 'INTERNAL',
        message: expect.stringContaining('SOMETHING_NEW'),
      });
    } finally {
      server.close();
      await once(server, 'close');
    }
  });

  it('ends waiting reads with SHUTTING_DOWN when the server closes', async () => {
    const peer = createPeer({ storage: createMemStorage() });
    const server = createHttpServer(peer);
    let arrived!: () => void;
    const inside = new Promise<void>((resolve) => (arrived = resolve));
    server.fastify.addHook('preHandler', async (request) => {
      if (request.routeOptions.url === '/v1/leases') arrived();
    });
    const t = new HttpTransport(await server.listen());
    const waiting = t.request('acquire', { intent: 'read', object_id: 'never', timeout_ms: 60_000 });
    await inside;
    const closed = server.close();
    await expect(waiting).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await closed;
    await peer.close();
  });
});
