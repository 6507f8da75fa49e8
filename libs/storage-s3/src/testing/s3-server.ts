import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** s3rver's credentials: the SDK takes them from the environment, as a deployment's would be. */
export const S3_ENV = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
};

/** A real S3 API server (s3rver) on 127.0.0.1, a free port, a temp directory. */
export interface S3Server {
  readonly endpoint: string;
  readonly port: number;
  /** Makes a bucket (3-63 characters). */
  createBucket(name: string): Promise<void>;
  /** Stops the server; with `keep`, its directory stays (to start it again on the same port). */
  stop(options?: { keep?: boolean }): Promise<void>;
  /** Starts it again on the same port and directory (after `stop({ keep: true })`). */
  restart(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

export async function startS3Server(): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 'packice-s3rver-'));
  // s3rver ships no types: it is a CommonJS class.
  const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;
  const make = (port: number): S3rverInstance =>
    new S3rver({ port, address: '127.0.0.1', silent: true, directory: dir });
  let server = make(0);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    async createBucket(name) {
      const client = new S3Client({
        endpoint,
        forcePathStyle: true,
        region: S3_ENV.AWS_REGION,
        credentials: { accessKeyId: S3_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: S3_ENV.AWS_SECRET_ACCESS_KEY },
      });
      await client.send(new CreateBucketCommand({ Bucket: name }));
      client.destroy();
    },
    async stop(options = {}) {
      await server.close();
      if (!options.keep) rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      server = make(port);
      await server.run();
    },
  };
}
