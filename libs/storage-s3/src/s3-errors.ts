import { PackIceError } from '@packice/core';

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * A coded error for an S3 failure: the server or network away (or a 5xx) is `UNAVAILABLE`,
 * refused credentials `UNAUTHORIZED`, a missing bucket or key `NOT_FOUND`; details name what was tried.
 */
export function s3Error(err: unknown, what: string, where: Record<string, string>): PackIceError {
  if (err instanceof PackIceError) return err;
  const e = (err ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  // Answers without a body (HEAD) carry no error name: say the status instead.
  const named = e.name ?? e.code;
  const name = !named || /^Unknown/.test(named) ? (status ? `HTTP ${status}` : 'Error') : named;
  const details = { ...where, s3: name, ...(status ? { status: String(status) } : {}) };
  const message = `${what}: ${name}${e.message && e.message !== named && !/^Unknown/.test(e.message) ? ` (${e.message})` : ''}`;
  if (status === 403 || /AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|CredentialsProvider/.test(name))
    return new PackIceError('UNAUTHORIZED', `${message}: the S3 credentials were refused`, { details, cause: err });
  if (status === 404 || /NoSuchBucket|NoSuchKey|NotFound/.test(name))
    return new PackIceError('NOT_FOUND', message, { details, cause: err });
  return new PackIceError('UNAVAILABLE', message, { details, cause: err });
}
