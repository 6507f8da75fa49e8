import { loadLibc } from './libc';
import { memfdCreate } from './memfd';
import { closeSync } from 'node:fs';

let supported: boolean | null = null;

/** True when memfds, seals and mmap are usable here (Linux with koffi and libc). Never throws. */
export function isSupported(): boolean {
  if (supported !== null) return supported;
  try {
    loadLibc();
    closeSync(memfdCreate('packice-probe'));
    supported = true;
  } catch {
    supported = false;
  }
  return supported;
}

/** Throws a `NativeError` saying why native calls cannot work here. */
export function assertSupported(): void {
  loadLibc();
  if (!isSupported()) closeSync(memfdCreate('packice-probe'));
}
