import type { Clock, ClockTimer } from '../clock';

interface ManualTimer {
  due: number;
  seq: number;
  fn: () => void;
  live: boolean;
}

/** A clock that moves only when told to: TTL and timeout tests without sleeping. */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: ManualTimer[] = [];

  /** @param start the initial time in ms since the epoch */
  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    const timer: ManualTimer = { due: this.#now + Math.max(ms, 0), seq: this.#seq++, fn, live: true };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.live = false;
      },
    };
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      this.#timers = this.#timers.filter((t) => t.live);
      const next = this.#timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.#now = Math.max(this.#now, next.due);
      next.live = false;
      next.fn();
    }
    this.#now = target;
  }

  /** Timers still armed. */
  get pending(): number {
    return this.#timers.filter((t) => t.live).length;
  }
}
