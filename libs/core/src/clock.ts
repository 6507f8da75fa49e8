/** A timer handle returned by {@link Clock.setTimeout}. */
export interface ClockTimer {
  /** Cancels the timer; harmless after it fired. */
  cancel(): void;
}

/**
 * Time as the Peer sees it: injected so TTL and wait logic can be tested without sleeping.
 * Timers must not keep the process alive.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): ClockTimer;
}

// setTimeout fires at once for delays above 2^31-1 ms; longer waits are re-armed in steps.
const MAX_TIMER_MS = 2_147_483_647;

/** The real clock: `Date.now()` and unref'ed Node timers. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout(fn: () => void, ms: number): ClockTimer {
    const due = Date.now() + ms;
    let timer: NodeJS.Timeout;
    const arm = (delay: number): void => {
      timer = setTimeout(
        () => {
          const left = due - Date.now();
          if (left > 0) arm(left);
          else fn();
        },
        Math.min(Math.max(delay, 0), MAX_TIMER_MS),
      );
      timer.unref();
    };
    arm(ms);
    return { cancel: () => clearTimeout(timer) };
  },
});
