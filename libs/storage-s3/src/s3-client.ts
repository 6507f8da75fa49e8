import { S3Client } from '@aws-sdk/client-s3';

/** How the S3 client reaches the bucket; credentials always come from the SDK's provider chain. */
export interface S3Connection {
  /** e.g. `http://127.0.0.1:9000` for MinIO or s3rver; absent: AWS. */
  endpoint?: string;
  /** Default `AWS_REGION`, else `us-east-1`. */
  region?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most non-AWS servers need. */
  pathStyle?: boolean;
  /**
   * `when-required`: the SDK adds and checks checksums only where S3 requires them (MinIO,
   * Garage, Ceph, R2 and s3rver mishandle the default checksum trailers). Default: the SDK's
   * own (`AWS_REQUEST_CHECKSUM_CALCULATION` / `AWS_RESPONSE_CHECKSUM_VALIDATION`).
   */
  checksums?: 'when-supported' | 'when-required';
}

/** An SDK client for a connection. */
export function createS3Client(connection: S3Connection): S3Client {
  const checksum =
    connection.checksums === undefined
      ? undefined
      : (connection.checksums.toUpperCase().replace('-', '_') as 'WHEN_REQUIRED' | 'WHEN_SUPPORTED');
  return new S3Client({
    region: connection.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    forcePathStyle: connection.pathStyle === true,
    ...(checksum ? { requestChecksumCalculation: checksum, responseChecksumValidation: checksum } : {}),
  });
}

/** Runs `task` over `items`, at most `limit` at once; rejects with the first failure. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
