import { afterAll, describe, expect, it } from '@jest/globals';
import { connect } from '@packice/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bothBindings, killNodeProcesses, startNodeProcess } from './__fixtures__/node-process';

const dir = mkdtempSync(join(tmpdir(), 'packice-metrics-'));

afterAll(async () => {
  await killNodeProcesses();
  rmSync(dir, { recursive: true, force: true });
});

/** Parses the Prometheus text format into `name{labels}` -> value. */
async function scrape(url: string, token?: string): Promise<Map<string, number>> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(response.status).toBe(200);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

const delta = (before: Map<string, number>, after: Map<string, number>, key: string): number =>
  (after.get(key) ?? 0) - (before.get(key) ?? 0);

describe('metrics', () => {
  it('count exactly the operations made, by transport, op and code, on /metrics and the metrics port', async () => {
    const socket = join(dir, 'node.sock');
    const token = 'metrics-token';
    const node = await startNodeProcess([...bothBindings(socket), '--metrics-port', '0', '--token', token]);
    const metricsPort = node.report.metrics as string;
    expect(metricsPort).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const overHttp = `${node.report.url}/metrics`;
    const before = await scrape(metricsPort);
    const uds = await connect(socket);
    for (let i = 0; i < 4; i++) await uds.put(`object ${i}`, { objectId: `m-${i}` });
    const read = await uds.acquire({ intent: 'read', objectId: 'm-3' });
    await read.release(); // rides on the put that follows
    await uds.put('object 4', { objectId: 'm-4' });
    for (let i = 0; i < 3; i++) await expect(uds.stat('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const http = await connect(node.report.url as string, { token });
    for (const objectId of ['m-0', 'm-1']) {
      const lease = await http.acquire({ intent: 'read', objectId }); // m-1's carries m-0's release
      expect((await lease.map()).toString()).toBe(`object ${objectId.slice(2)}`);
      await lease.release();
    }
    const watching = uds.watch({ prefix: 'nothing' });
    await uds.stats(); // the subscribe answer has come by the time this one does
    const after = await scrape(metricsPort);
    // A small put is one `put` request that carries the bytes, seals and leaves no lease to release;
    // the read's release rides on the put after it (not a request of its own).
    expect(delta(before, after, 'packice_requests_total{transport="uds",op="put",code="ok"}')).toBe(5);
    expect(delta(before, after, 'packice_requests_total{transport="uds",op="acquire",code="ok"}')).toBe(1);
    expect(delta(before, after, 'packice_requests_total{transport="uds",op="seal",code="ok"}')).toBe(0);
    expect(delta(before, after, 'packice_requests_total{transport="uds",op="release",code="ok"}')).toBe(0);
    expect(delta(before, after, 'packice_carried_releases_total{transport="uds",code="ok"}')).toBe(1);
    expect(delta(before, after, 'packice_requests_total{transport="uds",op="stat",code="NOT_FOUND"}')).toBe(3);
    expect(delta(before, after, 'packice_errors_total{code="NOT_FOUND"}')).toBe(3);
    // Over HTTP a small read is one request too: the acquire answers the bytes (no blob_read).
    expect(delta(before, after, 'packice_requests_total{transport="http",op="acquire",code="ok"}')).toBe(2);
    expect(delta(before, after, 'packice_requests_total{transport="http",op="blob_read",code="ok"}')).toBe(0);
    expect(delta(before, after, 'packice_carried_releases_total{transport="http",code="ok"}')).toBe(1);
    expect(delta(before, after, 'packice_request_duration_seconds_count{transport="uds",op="put"}')).toBe(5);
    expect(after.get('packice_objects{state="sealed"}')).toBe(5);
    // Each 8-byte object lives in a slab's 64-byte slot, and counts that slot.
    expect(after.get('packice_bytes')).toBe(5 * 64);
    expect(after.get('packice_event_subscribers')).toBe(1);
    expect(after.get('packice_events')).toBe(5);
    expect(after.get('packice_descriptors')).toBeGreaterThan(5);
    expect(after.get('packice_descriptor_limit')).toBeGreaterThan(0);
    // The same registry over the node's HTTP port, behind its token.
    expect((await fetch(overHttp)).status).toBe(401);
    expect((await scrape(overHttp, token)).get('packice_objects{state="sealed"}')).toBe(5);
    await watching.return?.();
    await Promise.all([uds.close(), http.close()]);
    expect(await node.stop()).toBe(0);
  });
});
