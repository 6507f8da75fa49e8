import type { PackIceError } from '@packice/core';
import type { NodeReport } from '@packice/node-process';

/**
 * Tells the parent process (when it gave this one an IPC channel, as `packice node start`
 * does) that the node is listening, or why it could not start. Resolves once it is sent.
 */
export async function reportToParent(report: NodeReport): Promise<void> {
  const send = process.send?.bind(process);
  if (!send || !process.connected) return;
  await new Promise<void>((resolve) => send(report, undefined, {}, () => resolve()));
}

/** The `failed` report of an error. */
export function failedReport(err: PackIceError | Error): NodeReport {
  const code = (err as { code?: unknown }).code;
  return { type: 'failed', pid: process.pid, code: typeof code === 'string' ? code : 'INTERNAL', message: err.message };
}
