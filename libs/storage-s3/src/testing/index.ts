/** Test helpers of S3 storage: a real S3 API server (s3rver, a dev dependency) for tests. */
export { S3_ENV, startS3Server } from './s3-server';
export type { S3Server } from './s3-server';
