import { readFileSync } from 'node:fs';

/** Whether `pid` still runs; an exited process its parent has not reaped yet (a zombie) does not. */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}
