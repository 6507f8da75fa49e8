import { describe, expect, it, jest } from '@jest/globals';
import { TypedEmitter } from './typed-emitter';

describe('TypedEmitter', () => {
  it('delivers payloads, once and off, and survives a throwing listener', () => {
    const emitter = new TypedEmitter<{ tick: number }>();
    const seen: number[] = [];
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    emitter.on('tick', () => {
      throw new Error('bad listener');
    });
    const off = emitter.on('tick', (n) => seen.push(n));
    emitter.once('tick', (n) => seen.push(n * 10));
    emitter.emit('tick', 1);
    emitter.emit('tick', 2);
    off();
    emitter.emit('tick', 3);
    expect(seen).toEqual([1, 10, 2]);
    expect(warn).toHaveBeenCalledTimes(3);
    expect(emitter.listenerCount('tick')).toBe(1);
    warn.mockRestore();
  });
});
