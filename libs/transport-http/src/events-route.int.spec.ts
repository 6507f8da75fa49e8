import { afterEach, describe, expect, it } from '@jest/globals';
import { createPeer, type Peer } from '@packice/core';
import { eventHubOf } from '@packice/protocol';
import { createMemStorage } from '@packice/storage-mem';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createConnection, type Socket } from 'node:net';
import { createHttpServer, type HttpServer } from './http-server';
import { readSse, type SseEvent } from './sse-reader';

const TOKEN = 'sse-secret';
const running: { server: HttpServer; peer: Peer }[] = [];
const streams: IncomingMessage[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of streams.splice(0)) s.destroy();
  for (const s of sockets.splice(0)) s.destroy();
  for (const { server, peer } of running.splice(0)) {
    await server.close();
    await peer.close();
  }
});

async function start(historySize?: number): Promise<{ base: string; peer: Peer }> {
  const peer = createPeer({ storage: createMemStorage(), capacityBytes: 64 << 20 });
  if (historySize) eventHubOf(peer, { historySize });
  const server = createHttpServer(peer, { token: TOKEN });
  running.push({ server, peer });
  return { base: await server.listen(), peer };
}

async function put(peer: Peer, objectId: string, meta: Record<string, string> = {}): Promise<void> {
  const { lease, object } = await peer.acquire({ intent: 'create', objectId, blobs: [{ size: 8 }], meta });
  await object.blobs[0].write(Buffer.from('8 bytes!'), 0);
  await peer.seal(lease.leaseId);
  await peer.release(lease.leaseId);
}

interface Stream {
  res: IncomingMessage;
  status: number;
  headers: IncomingMessage['headers'];
  events: AsyncGenerator<SseEvent>;
  body: string;
}

/** `GET /v1/events` as a browser's EventSource or curl would send it. */
function events(base: string, query = '', headers: Record<string, string> = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(`/v1/events${query}`, base),
      { headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream', ...headers } },
      (res) => {
        streams.push(res);
        const stream: Stream = {
          res,
          status: res.statusCode ?? 0,
          headers: res.headers,
          events: readSse(res),
          body: '',
        };
        if (stream.status !== 200) {
          res.on('data', (chunk: Buffer) => (stream.body += chunk.toString()));
          res.on('end', () => resolve(stream));
        } else resolve(stream);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function take(stream: Stream, count: number): Promise<SseEvent[]> {
  const got: SseEvent[] = [];
  while (got.length < count) {
    const next = await stream.events.next();
    if (next.done) throw new Error(`the stream ended after ${got.length} of ${count} events`);
    got.push(next.value);
  }
  return got;
}

const seqOf = (e: SseEvent): number => (JSON.parse(e.data) as { seq: number }).seq;

describe('GET /v1/events (Server-Sent Events)', () => {
  it('streams each event with its kind, its seq as id and the wire JSON as data, by prefix, behind the token', async () => {
    const { base, peer } = await start();
    const refused = await events(base, '', { authorization: 'Bearer wrong' });
    expect([refused.status, JSON.parse(refused.body).error.code]).toEqual([401, 'UNAUTHORIZED']);
    const badQuery = await events(base, '?replay=maybe');
    expect([badQuery.status, JSON.parse(badQuery.body).error.code]).toEqual([400, 'BAD_REQUEST']);

    const stream = await events(base, '?prefix=a-');
    expect([stream.status, stream.headers['content-type']]).toEqual([200, 'text/event-stream']);
    await put(peer, 'b-1');
    await put(peer, 'a-1', { kind: 'frame' });
    await peer.delete('a-1');
    const [sealed, deleted] = await take(stream, 2);
    expect(sealed).toEqual({ event: 'sealed', id: '2', data: expect.any(String) });
    expect(JSON.parse(sealed.data)).toEqual({
      event: 'sealed',
      object_id: 'a-1',
      seq: 2,
      at: expect.any(Number),
      size: 8,
      meta: { kind: 'frame' },
    });
    expect([deleted.event, deleted.id, JSON.parse(deleted.data).object_id]).toEqual(['deleted', '3', 'a-1']);
  });

  it('resumes from Last-Event-ID with nothing lost or repeated; past its history, an overflow event counts the gap', async () => {
    const { base, peer } = await start(8);
    const first = await events(base);
    for (let i = 1; i <= 3; i++) await put(peer, `o${i}`);
    const seen = await take(first, 3);
    expect(seen.map(seqOf)).toEqual([1, 2, 3]);
    first.res.destroy();

    // Disconnected while four more seals happen: a reconnect with the last id gets exactly those.
    for (let i = 4; i <= 7; i++) await put(peer, `o${i}`);
    const resumed = await events(base, '', { 'last-event-id': seen[2].id as string });
    expect((await take(resumed, 4)).map((e) => [e.id, JSON.parse(e.data).object_id])).toEqual([
      ['4', 'o4'],
      ['5', 'o5'],
      ['6', 'o6'],
      ['7', 'o7'],
    ]);
    await put(peer, 'o8');
    expect((await take(resumed, 1)).map(seqOf)).toEqual([8]);

    // Away for longer than the history (8 events) reaches: told how many are gone, then the rest.
    for (let i = 9; i <= 20; i++) await put(peer, `o${i}`);
    const late = await events(base, '', { 'last-event-id': '7' });
    const [notice, ...kept] = await take(late, 9);
    expect([notice.event, JSON.parse(notice.data).dropped]).toEqual(['overflow', 5]);
    expect(kept.map(seqOf)).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
  });

  it('a client that stops reading loses events, is told how many, and costs nobody else', async () => {
    const { base, peer } = await start();
    const { port } = new URL(base);
    const stalled = createConnection(Number(port), '127.0.0.1');
    sockets.push(stalled);
    stalled.write(`GET /v1/events?prefix=big- HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    await new Promise<void>((resolve) => stalled.once('data', () => resolve()));
    stalled.pause();
    const reader = await events(base, '?prefix=big-');

    // 16 KiB of meta per event: 1,000 of them are far more than the socket buffers and the
    // node's 256 KiB queue bound together.
    const meta = { blob: 'x'.repeat(16 * 1024 - 8) };
    const TOTAL = 1_000;
    const readerGot = take(reader, TOTAL);
    for (let i = 0; i < TOTAL; i++) await put(peer, `big-${i}`, meta);
    // The reading client missed nothing while the other one stalled.
    expect((await readerGot).map(seqOf)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));

    let text = '';
    stalled.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    stalled.resume();
    // Once what was queued has arrived, the next event brings the overflow notice first.
    const quiet = Date.now() + 20_000;
    for (let before = -1; before !== text.length && Date.now() < quiet;) {
      before = text.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await put(peer, 'big-last');
    const deadline = Date.now() + 20_000;
    while (!text.includes('"object_id":"big-last"') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const sealed = text.split('event: sealed\n').length - 1;
    const dropped = [...text.matchAll(/event: overflow\ndata: (\{[^\n]*\})/g)].reduce(
      (n, m) => n + (JSON.parse(m[1]) as { dropped: number }).dropped,
      0,
    );
    expect(text.includes('"object_id":"big-last"')).toBe(true);
    expect(dropped).toBeGreaterThan(0);
    expect(sealed + dropped).toBe(TOTAL + 1);
    expect(eventHubOf(peer).droppedTotal).toBe(dropped);
  }, 60_000);

  it('ends a stream that keeps up cleanly when the server closes', async () => {
    const { base } = await start();
    const stream = await events(base);
    const ended = (async () => {
      for await (const event of stream.events) void event;
    })();
    await running[0].server.close();
    await expect(ended).resolves.toBeUndefined();
  });
});
