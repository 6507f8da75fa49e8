import type { Clock, Peer } from '@packice/core';
import { newLeaseId, PackIceError, systemClock } from '@packice/core';
import type { NodeEvent, OverflowNotice } from '../wire/wire-shapes';

/** Takes one event for a subscriber; `false` when it cannot now (its output is backed up): the event is dropped. */
export type Deliver = (event: NodeEvent | OverflowNotice) => boolean;

/** A live subscription. */
export interface EventSubscription {
  readonly id: string;
  /** Events dropped so far and not yet reported. */
  readonly dropped: number;
  /** Starts delivering, when subscribed with `hold`. */
  start(): void;
  close(): void;
}

/** Options of a subscription. */
export interface SubscribeOptions {
  /** Only objects whose id starts with it. */
  prefix?: string;
  /** First a `sealed` event for every sealed object that matches, then live events. */
  replay?: boolean;
  /** Resume after this seq from the node's recent history (SSE `Last-Event-ID`), where it still has it. */
  after?: number;
  /** Deliver nothing until `start()` (e.g. until the answer to the subscribe request is out). */
  hold?: boolean;
}

/** Defaults of {@link EventHub}. */
export const EVENT_HUB_DEFAULTS = Object.freeze({
  historySize: 4096, // events kept for resuming
});

/**
 * The node's event stream, one per Peer: turns Peer events into numbered wire events, keeps a
 * recent history for resuming, and feeds subscribers, each with its prefix. A subscriber that
 * cannot take an event loses it, counted, and is told how many with one `overflow` notice as soon
 * as it can take events again: nothing queues up for it here.
 */
export class EventHub {
  readonly #peer: Peer;
  readonly #clock: Clock;
  readonly #historySize: number;
  /** The last `historySize` events, event `seq` at `seq % historySize` (an array's shift() measured in a put's profile). */
  readonly #history: NodeEvent[] = [];
  #kept = 0;
  readonly #subscribers = new Map<string, Subscriber>();
  readonly #unsubscribe: (() => void)[];
  #seq = 0;
  #droppedTotal = 0;

  constructor(peer: Peer, options: { clock?: Clock; historySize?: number } = {}) {
    this.#peer = peer;
    this.#clock = options.clock ?? systemClock;
    this.#historySize = options.historySize ?? EVENT_HUB_DEFAULTS.historySize;
    this.#unsubscribe = [
      peer.events.on('seal', ({ object }) =>
        this.#publish({ event: 'sealed', object_id: object.objectId, size: object.size, meta: { ...object.meta } }),
      ),
      peer.events.on('delete', ({ objectId, reason, size }) =>
        this.#publish({ event: reason === 'deleted' ? 'deleted' : reason, object_id: objectId, size }),
      ),
      peer.events.on('lease-end', ({ lease, reason }) => {
        if (reason === 'expired')
          this.#publish({ event: 'lease_expired', object_id: lease.objectId, lease_id: lease.leaseId });
      }),
    ];
  }

  /** The seq of the last event (0 before any). */
  get seq(): number {
    return this.#seq;
  }

  /** Subscriptions open now. */
  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** Events dropped for subscribers that did not keep up, since the start. */
  get droppedTotal(): number {
    return this.#droppedTotal;
  }

  /**
   * Subscribes: `deliver` gets every later event that matches (after the replay, or the history
   * since `after`, when asked). Live events that come while the replay is read are held and sent
   * after it, so none is missed.
   */
  async subscribe(options: SubscribeOptions, deliver: Deliver): Promise<EventSubscription> {
    const subscriber = new Subscriber(newLeaseId(), options.prefix ?? '', deliver, this);
    subscriber.holding = true;
    this.#subscribers.set(subscriber.id, subscriber);
    try {
      if (options.after !== undefined && options.after <= this.#seq) {
        // Events between `after` and the oldest one kept are gone: the subscriber hears how many
        // first, as an overflow notice, instead of a silent gap.
        const oldest = this.#seq - this.#kept + 1;
        subscriber.dropped = Math.max(0, oldest - options.after - 1);
        for (let seq = Math.max(oldest, options.after + 1); seq <= this.#seq; seq++) {
          subscriber.early(this.#history[seq % this.#historySize]);
        }
      }
      if (options.replay) {
        const at = this.#clock.now();
        const seq = this.#seq;
        for (const object of await this.#peer.listObjects()) {
          if (object.state !== 'sealed') continue;
          const event: NodeEvent = { event: 'sealed', object_id: object.objectId, seq, at, size: object.size };
          subscriber.early({ ...event, meta: { ...object.meta }, replay: true });
        }
      }
    } catch (err) {
      this.#subscribers.delete(subscriber.id);
      throw err;
    }
    if (!options.hold) subscriber.start();
    return subscriber;
  }

  /** Stops every subscription and listens no more. */
  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    for (const subscriber of [...this.#subscribers.values()]) subscriber.close();
    this.#subscribers.clear();
  }

  /** @internal */
  knows(id: string): boolean {
    return this.#subscribers.has(id);
  }

  /** @internal */
  forget(id: string): void {
    this.#subscribers.delete(id);
  }

  /** @internal */
  now(): number {
    return this.#clock.now();
  }

  /** @internal */
  countDropped(): void {
    this.#droppedTotal++;
  }

  #publish(body: Omit<NodeEvent, 'seq' | 'at'>): void {
    const event: NodeEvent = { ...body, seq: ++this.#seq, at: this.#clock.now() } as NodeEvent;
    if (this.#historySize > 0) {
      this.#history[event.seq % this.#historySize] = event;
      this.#kept = Math.min(this.#kept + 1, this.#historySize);
    }
    if (this.#subscribers.size === 0) return;
    for (const subscriber of [...this.#subscribers.values()]) subscriber.offer(event);
  }
}

/** How soon a dropped subscriber is offered its overflow notice again (ms). */
const NOTICE_RETRY_MS = 20;

class Subscriber implements EventSubscription {
  dropped = 0;
  holding = false;
  #closed = false;
  #retry: ReturnType<typeof setTimeout> | null = null;
  /** History and replay, sent first. */
  readonly #early: NodeEvent[] = [];
  /** Live events that came while holding. */
  readonly #held: NodeEvent[] = [];

  constructor(
    readonly id: string,
    readonly prefix: string,
    readonly deliver: Deliver,
    readonly hub: EventHub,
  ) {}

  offer(event: NodeEvent): void {
    if (!event.object_id.startsWith(this.prefix)) return;
    if (this.holding) this.#held.push(event);
    else this.send(event);
  }

  early(event: NodeEvent): void {
    if (event.object_id.startsWith(this.prefix)) this.#early.push(event);
  }

  send(event: NodeEvent): void {
    if (this.dropped > 0) {
      if (!this.deliver({ event: 'overflow', dropped: this.dropped, at: event.at })) return this.#drop();
      this.dropped = 0;
    }
    if (!this.deliver(event)) this.#drop();
  }

  start(): void {
    if (!this.holding) return;
    this.holding = false;
    if (this.dropped > 0 && this.deliver({ event: 'overflow', dropped: this.dropped, at: this.hub.now() })) {
      this.dropped = 0;
    }
    for (const event of [...this.#early.splice(0), ...this.#held.splice(0)]) this.send(event);
  }

  close(): void {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    this.hub.forget(this.id);
  }

  #drop(): void {
    this.dropped++;
    this.hub.countDropped();
    // The overflow notice must not wait for a next event that may never come (e.g. after a replay
    // larger than the bound): it is offered again until the subscriber can take it.
    if (!this.#retry && !this.#closed) this.#retry = setTimeout(() => this.#notice(), NOTICE_RETRY_MS);
    this.#retry?.unref?.();
  }

  #notice(): void {
    this.#retry = null;
    if (this.#closed || this.holding || this.dropped === 0 || !this.hub.knows(this.id)) return;
    if (this.deliver({ event: 'overflow', dropped: this.dropped, at: this.hub.now() })) this.dropped = 0;
    else this.#retry = setTimeout(() => this.#notice(), NOTICE_RETRY_MS);
    this.#retry?.unref?.();
  }
}

const hubs = new WeakMap<Peer, EventHub>();

/** The one event hub of a Peer (made on first use), shared by every transport so seqs agree. */
export function eventHubOf(peer: Peer, options: { clock?: Clock; historySize?: number } = {}): EventHub {
  let hub = hubs.get(peer);
  if (!hub) hubs.set(peer, (hub = new EventHub(peer, options)));
  return hub;
}

/** Checks `subscribe` params as they came from the wire; `BAD_REQUEST` for wrong types. */
export function parseSubscribeParams(params: { prefix?: unknown; replay?: unknown }): {
  prefix?: string;
  replay?: boolean;
} {
  const { prefix, replay } = params;
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix.length > 128)) {
    throw new PackIceError('BAD_REQUEST', 'prefix must be a string of at most 128 characters');
  }
  if (replay !== undefined && typeof replay !== 'boolean')
    throw new PackIceError('BAD_REQUEST', 'replay must be a boolean');
  return { prefix, replay };
}
