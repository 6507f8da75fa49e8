import { describe, expect, it } from '@jest/globals';
import { ManualClock } from './manual-clock';

describe('ManualClock', () => {
  it('runs due timers in order, at their own time, and skips cancelled ones', () => {
    const clock = new ManualClock(1000);
    const order: [string, number][] = [];
    clock.setTimeout(() => order.push(['b', clock.now()]), 20);
    clock.setTimeout(() => order.push(['a', clock.now()]), 10);
    const cancelled = clock.setTimeout(() => order.push(['x', clock.now()]), 15);
    clock.setTimeout(() => clock.setTimeout(() => order.push(['nested', clock.now()]), 5), 12);
    cancelled.cancel();
    clock.advance(19);
    expect(order).toEqual([
      ['a', 1010],
      ['nested', 1017],
    ]);
    expect(clock.now()).toBe(1019);
    clock.advance(1);
    expect(order.at(-1)).toEqual(['b', 1020]);
    expect(clock.pending).toBe(0);
  });
});
