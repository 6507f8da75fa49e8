import type { Blob } from '../blob';
import { PackIceError } from '../errors';
import type { ObjectInfo, ObjectState } from '../model';

/** What a Peer knows of one object. */
export interface ObjectEntry {
  readonly objectId: string;
  state: ObjectState;
  readonly meta: Readonly<Record<string, string>>;
  readonly createdAt: number;
  sealedAt: number | null;
  readonly hints: readonly (number | undefined)[];
  blobs: readonly Blob[];
  /** Sizes fixed at seal (sealed objects never change, so no storage call is needed). */
  sealedSizes: readonly number[] | null;
  /** Bytes counted against the capacity for this object. */
  reserved: number;
  /** False while the storage is still making the blobs. */
  ready: boolean;
  sealing: Promise<ObjectInfo> | null;
  pendingDelete: boolean;
}

/** The Peer's objects by id, including those being made and those pending delete. */
export class ObjectTable {
  readonly #entries = new Map<string, ObjectEntry>();

  get(objectId: string): ObjectEntry | undefined {
    return this.#entries.get(objectId);
  }

  has(objectId: string): boolean {
    return this.#entries.has(objectId);
  }

  set(entry: ObjectEntry): void {
    this.#entries.set(entry.objectId, entry);
  }

  /** Forgets `entry` if it is still the one under its id; returns whether it was. */
  forget(entry: ObjectEntry): boolean {
    if (this.#entries.get(entry.objectId) !== entry) return false;
    this.#entries.delete(entry.objectId);
    return true;
  }

  /** The object as clients see it: `NOT_FOUND` when missing or pending delete. */
  visible(objectId: string): ObjectEntry {
    const entry = this.#entries.get(objectId);
    if (!entry || entry.pendingDelete) throw new PackIceError('NOT_FOUND', `object ${objectId} not found`);
    return entry;
  }

  /** Objects clients can see (not pending delete). */
  listVisible(): ObjectEntry[] {
    return [...this.#entries.values()].filter((e) => !e.pendingDelete);
  }

  countVisible(): number {
    let n = 0;
    for (const e of this.#entries.values()) if (!e.pendingDelete) n++;
    return n;
  }
}

/** A snapshot of an entry, without blobs' handles. */
export function snapshot(entry: ObjectEntry): ObjectInfo {
  const sizes = entry.sealedSizes ?? (entry.ready ? entry.blobs.map((b) => b.size) : entry.hints.map((h) => h ?? 0));
  return {
    objectId: entry.objectId,
    state: entry.state,
    size: sum(sizes),
    meta: entry.meta,
    createdAt: entry.createdAt,
    sealedAt: entry.sealedAt,
    blobs: sizes.map((size) => ({ size })),
  };
}

/** Sum of numbers. */
export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
