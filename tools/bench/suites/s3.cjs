// S3 storage (issue 24) against a real S3 API server the bench starts (s3rver, a temp directory):
// sealing 256 MiB (the upload) against the SDK's own Upload of the same bytes, a cold read (fetch
// into a fresh node's cache + map()) against the SDK's own download, and a warm read against
// memory storage's map() of the same size.
const { GetObjectCommand, S3Client } = require('@aws-sdk/client-s3');
const { Upload } = require('@aws-sdk/lib-storage');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { connect } = require('@packice/client');
const { S3_ENV, startS3Server } = require('@packice/storage-s3/testing');
const { median, start, stop } = require('../processes.cjs');

const MiB = 2 ** 20;
const BUCKET = 'packice-bench';
const NODE_APP = join(__dirname, '../../../apps/packice-node/dist/main.js');

async function node(dir, name, endpoint, storage = 's3') {
  const socket = join(dir, `${name}.sock`);
  const s3 = ['--storage', 's3', '--s3-bucket', BUCKET, '--s3-endpoint', endpoint, '--s3-path-style'];
  const args = [
    '--socket',
    socket,
    '--log-level',
    'silent',
    ...(storage === 's3' ? [...s3, '--s3-checksums', 'when-required', '--s3-cache', '2GiB'] : []),
  ];
  const child = await start(NODE_APP, args, { env: { ...process.env, ...S3_ENV } });
  return { socket, child: child.child };
}

const time = async (fn) => {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
};

async function create(client, objectId, size) {
  const lease = await client.acquire({ intent: 'create', objectId, blobs: [{ size }] });
  (await lease.mapWritable()).fill(0x5a);
  const ms = await time(() => lease.seal());
  await lease.release({ wait: true });
  return ms;
}

async function mapMs(client, objectId) {
  let ms = 0;
  const lease = await client.acquire({ intent: 'read', objectId });
  ms = await time(async () => {
    const again = await client.acquire({ intent: 'read', objectId });
    await again.map();
    await again.release({ wait: true });
  });
  await lease.release({ wait: true });
  return ms;
}

/** Runs the S3 section; `quick` takes a smaller object and fewer tries. */
async function s3Storage({ quick, log }) {
  const bytes = (quick ? 64 : 256) * MiB;
  const tries = quick ? 1 : 3;
  const dir = mkdtempSync(join(tmpdir(), 'packice-bench-s3-'));
  Object.assign(process.env, S3_ENV);
  const server = await startS3Server();
  await server.createBucket(BUCKET);
  const sdk = new S3Client({
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: S3_ENV.AWS_REGION,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const runs = { seal: [], upload: [], cold: [], download: [], warm: [], memory: [] };
  try {
    const payload = Buffer.alloc(bytes, 0x5a);
    for (let i = 0; i < tries; i++) {
      runs.upload.push(
        await time(() =>
          new Upload({
            client: sdk,
            params: { Bucket: BUCKET, Key: `sdk-${i}`, Body: payload },
            queueSize: 4,
            partSize: 8 * MiB,
          }).done(),
        ),
      );
      runs.download.push(
        await time(async () => {
          const answer = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: `sdk-${i}` }));
          await answer.Body.transformToByteArray();
        }),
      );
    }
    const writer = await node(dir, 'writer', server.endpoint);
    const client = await connect(writer.socket);
    for (let i = 0; i < tries; i++) runs.seal.push(await create(client, `s3-${i}`, bytes));
    await client.close();
    await stop(writer.child);
    for (let i = 0; i < tries; i++) {
      const reader = await node(dir, `reader-${i}`, server.endpoint); // an empty cache each time
      const c = await connect(reader.socket);
      runs.cold.push(
        await time(async () => {
          const lease = await c.acquire({ intent: 'read', objectId: `s3-${i}` });
          await lease.map();
          await lease.release({ wait: true });
        }),
      );
      runs.warm.push(await mapMs(c, `s3-${i}`));
      await c.close();
      await stop(reader.child);
    }
    const mem = await node(dir, 'memory', server.endpoint, 'mem');
    const m = await connect(mem.socket);
    await create(m, 'mem', bytes);
    for (let i = 0; i < tries; i++) runs.memory.push(await mapMs(m, 'mem'));
    await m.close();
    await stop(mem.child);
  } finally {
    sdk.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const result = { bytes, tries, ...Object.fromEntries(Object.entries(runs).map(([k, v]) => [`${k}Ms`, median(v)])) };
  log(
    `s3 ${bytes / MiB} MiB: seal ${result.sealMs.toFixed(0)} ms vs SDK Upload ${result.uploadMs.toFixed(0)} ms; cold read ${result.coldMs.toFixed(0)} ms vs SDK download ${result.downloadMs.toFixed(0)} ms; warm map() ${result.warmMs.toFixed(2)} ms vs memory ${result.memoryMs.toFixed(2)} ms`,
  );
  return result;
}

module.exports = { s3Storage };
