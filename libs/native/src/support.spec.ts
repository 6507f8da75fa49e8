import { describe, expect, it, jest } from '@jest/globals';
import type * as Native from './index';

describe('on a platform without memfd', () => {
  it('imports fine, reports unsupported, and fails calls with a clear error', () => {
    const platform = Object.getOwnPropertyDescriptor(process, 'platform') as PropertyDescriptor;
    Object.defineProperty(process, 'platform', { value: 'darwin' });
    try {
      jest.isolateModules(() => {
        // A fresh copy of the lib, loaded while the platform reads "darwin".
        const native = require('./index') as typeof Native;
        expect(native.isSupported()).toBe(false);
        expect(() => native.memfdCreate('x')).toThrow(expect.objectContaining({ name: 'NativeError', code: 'ENOSYS' }));
        expect(() => native.assertSupported()).toThrow(/need Linux; this is darwin/);
      });
    } finally {
      Object.defineProperty(process, 'platform', platform);
    }
  });
});
