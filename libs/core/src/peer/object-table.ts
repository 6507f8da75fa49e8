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
  /** Set through {@link ObjectTable.hide}, which keeps the visible count. */
  pendingDelete: boolean;
}

/** The Peer's objects by id, including those being made and those pending delete. */
export class ObjectTable {
  readonly #entries = new Map<string, ObjectEntry>();
  // Kept as entries come, hide and go, so that `stats` is O(1) at 100,000s of objects.
  #visible = 0;

  get(objectId: string): ObjectEntry | undefined {
    return this.#entries.get(objectId);
  }

  has(objectId: string): boolean {
    return this.#entries.has(objectId);
  }

  set(entry: ObjectEntry): void {
    const old = this.#entries.get(entry.objectId);
    if (old && !old.pendingDelete) this.#visible--;
    this.#entries.set(entry.objectId, entry);
    if (!entry.pendingDelete) this.#visible++;
  }

  /** Marks `entry` pending delete: invisible to clients from now on. */
  hide(entry: ObjectEntry): void {
    if (entry.pendingDelete) return;
    entry.pendingDelete = true;
    if (this.#entries.get(entry.objectId) === entry) this.#visible--;
  }

  /** Forgets `entry` if it is still the one under its id; returns whether it was. */
  forget(entry: ObjectEntry): boolean {
    if (this.#entries.get(entry.objectId) !== entry) return false;
    this.#entries.delete(entry.objectId);
    if (!entry.pendingDelete) this.#visible--;
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
    return this.#visible;
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
