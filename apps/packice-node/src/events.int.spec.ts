import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Client } from '@packice/client';
import type { WatchEvent } from '@packice/protocol';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  killNodeProcesses,
  rssBytes,
  SOAK,
  startNodeProcess,
  until,
  type NodeProcess,
  bothBindings,
} from './__fixtures__/node-process';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'packice-events-'));
const socket = join(dir, 'node.sock');
const producer = join(__dirname, '__fixtures__', 'producer.cjs');
const PRODUCERS = 4;
const PER_PRODUCER = 2_500 * SOAK;
const MB = 2 ** 20;
let node: NodeProcess;
let url: string;

beforeAll(async () => {
  node = await startNodeProcess(bothBindings(socket));
  url = node.report.url as string;
});

afterAll(async () => {
  await node?.stop();
  await killNodeProcesses();
  rmSync(dir, { recursive: true, force: true });
});

type Sealed = Extract<WatchEvent, { seq: number }>;

/** Collects the `sealed` events of a prefix until `count` have come. */
function collect(client: Client, prefix: string, count: number): { events: Sealed[]; done: Promise<void> } {
  const events: Sealed[] = [];
  const done = (async () => {
    for await (const event of client.watch({ prefix })) {
      if (event.event === 'overflow') throw new Error(`a subscriber overflowed: ${event.dropped} dropped`);
      if (event.event === 'sealed') events.push(event);
      if (events.length === count) break;
    }
  })();
  return { events, done };
}

describe('events', () => {
  it('delivers 10,000 seals from four producers to a UDS and an SSE subscriber: all, in seq order, once', async () => {
    const overUds = await connect(socket);
    const overSse = await connect(url);
    const total = PRODUCERS * PER_PRODUCER;
    const uds = collect(overUds, 'ev-', total);
    const sse = collect(overSse, 'ev-', total);
    // A subscriber that stops reading: it must cost the node bounded memory and nobody speed.
    const stalled = createConnection(socket);
    stalled.write('{"id":1,"op":"subscribe","prefix":"ev-"}\n');
    await new Promise<void>((resolve) => stalled.once('data', () => resolve()));
    stalled.pause();
    const rssBefore = rssBytes(node.pid);
    await until('subscribers ready', async () => ((await overUds.stats()) ? true : null));
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: PRODUCERS }, (_, i) =>
        run(process.execPath, [producer, socket, `ev-p${i}`, String(PER_PRODUCER)]),
      ),
    );
    await Promise.all([uds.done, sse.done]);
    const seconds = (Date.now() - started) / 1000;
    const rssAfter = rssBytes(node.pid);
    for (const { stdout } of results) expect(JSON.parse(stdout)).toMatchObject({ made: PER_PRODUCER });
    for (const { events } of [uds, sse]) {
      expect(events).toHaveLength(total);
      expect(new Set(events.map((e) => e.objectId)).size).toBe(total);
      for (let i = 1; i < events.length; i++) expect(events[i].seq).toBeGreaterThan(events[i - 1].seq);
    }
    expect(sse.events.map((e) => e.seq)).toEqual(uds.events.map((e) => e.seq));

    // The stalled subscriber: one more event after it reads again brings the overflow notice;
    // what it got plus what was dropped is every event.
    const lines: Record<string, unknown>[] = [];
    let pending = '';
    stalled.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        lines.push(JSON.parse(pending.slice(0, nl)) as Record<string, unknown>);
        pending = pending.slice(nl + 1);
      }
    });
    stalled.resume();
    await until('the stalled subscriber drained', async () => {
      const before = lines.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return lines.length === before ? true : null;
    });
    await overUds.put('after', { objectId: 'ev-last' });
    await until('the overflow notice', () => (lines.some((l) => l.event === 'overflow') ? true : null));
    await until('the last event', () => (lines.some((l) => l.object_id === 'ev-last') ? true : null));
    const dropped = lines.filter((l) => l.event === 'overflow').reduce((n, l) => n + (l.dropped as number), 0);
    const got = lines.filter((l) => l.event === 'sealed').length;
    expect(dropped).toBeGreaterThan(0);
    expect(got + dropped).toBe(total + 1);
    stalled.destroy();
    process.stdout.write(
      `events: ${total} seals by ${PRODUCERS} producers in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s), ` +
        `delivered to a UDS and an SSE subscriber; a stalled one got ${got} and was told of ${dropped} dropped; ` +
        `node RSS ${(rssBefore / MB).toFixed(0)} -> ${(rssAfter / MB).toFixed(0)} MiB\n`,
    );
    // The 10,000 objects themselves live on; the stalled subscriber adds no queue (dropped + got = all).
    expect(rssAfter - rssBefore).toBeLessThan(128 * MB);
    await overUds.close();
    await overSse.close();
  }, 180_000);

  it('replays the objects already sealed to a new subscriber', async () => {
    const client = await connect(socket);
    await client.put('r', { objectId: 'replay-1' });
    await client.put('r', { objectId: 'replay-2' });
    const seen: WatchEvent[] = [];
    for await (const event of client.watch({ prefix: 'replay-', replay: true })) {
      seen.push(event);
      if (seen.length === 2) break;
    }
    expect(seen.map((e) => ('objectId' in e ? [e.objectId, e.replay] : []))).toEqual([
      ['replay-1', true],
      ['replay-2', true],
    ]);
    await client.close();
  });

  it('ends a watch with UNAVAILABLE when its node shuts down, over UDS and over SSE', async () => {
    const own = join(dir, 'going.sock');
    const going = await startNodeProcess(bothBindings(own));
    const clients = [await connect(own), await connect(going.report.url as string)];
    const seen: string[][] = [[], []];
    const outcomes = clients.map(async (client, i) => {
      try {
        // With replay, the seal is seen whether it came before or after the subscription was made.
        for await (const event of client.watch({ prefix: 'going-', replay: true })) {
          if ('objectId' in event) seen[i].push(event.objectId);
        }
        return 'ended quietly';
      } catch (err) {
        return (err as { code?: string }).code;
      }
    });
    await clients[0].put('x', { objectId: 'going-1' });
    await until('both saw the seal', () => (seen.every((s) => s.includes('going-1')) ? true : null));
    await going.stop();
    expect(await Promise.all(outcomes)).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);
    expect(seen.map((s) => [...new Set(s)])).toEqual([['going-1'], ['going-1']]);
    await Promise.all(clients.map((c) => c.close()));
  });
});
