import { describe, expect, it } from 'vitest';
import { describe as describeValue, fromNodeError, isArgumentError, isMmapError, MmapError, MmapRangeError, MmapTypeError } from '../src/index.js';

describe('errors', () => {
  it('isMmapError recognises errors from another copy of the package by the Symbol.for marker', () => {
    const foreign = Object.assign(new Error('from another copy'), { code: 'ERR_MMAP_CLOSED' });
    expect(isMmapError(foreign)).toBe(false);
    Object.defineProperty(foreign, Symbol.for('mmapkit.MmapError'), { value: true });
    expect(isMmapError(foreign)).toBe(true);
    expect(isMmapError(new MmapError('ERR_MMAP_CLOSED', 'x'))).toBe(true);
    expect(isMmapError(null)).toBe(false);
  });

  it('argument errors are TypeError/RangeError with a code and a message naming the argument and value', () => {
    const typeError = new MmapTypeError('options.offset', 'of type number', '12');
    expect(typeError).toBeInstanceOf(TypeError);
    expect(typeError.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(typeError.message).toBe(`The "options.offset" argument must be of type number. Received type string ('12')`);
    const rangeError = new MmapRangeError('length', '>= 1', -3);
    expect(rangeError).toBeInstanceOf(RangeError);
    expect(rangeError.message).toContain('"length"');
    expect(rangeError.message).toContain('-3');
    expect(isArgumentError(rangeError)).toBe(true);
    expect(isArgumentError(new RangeError('plain'))).toBe(false);
  });

  it('fromNodeError turns fs errors into ERR_MMAP_SYSTEM with errno, syscall and path', () => {
    const nodeError = Object.assign(new Error("ENOENT: no such file or directory, open '/x'"), { code: 'ENOENT', syscall: 'open', path: '/x' });
    const converted = fromNodeError(nodeError);
    expect(converted).toMatchObject({ name: 'MmapError', code: 'ERR_MMAP_SYSTEM', errno: 'ENOENT', syscall: 'open', path: '/x' });
    expect((converted as Error).cause).toBe(nodeError);
    const other = new Error('no code');
    expect(fromNodeError(other)).toBe(other);
  });

  it('describe() shows values safely and briefly', () => {
    expect(describeValue(-0)).toBe('type number (-0)');
    expect(describeValue(10n)).toBe('type bigint (10n)');
    expect(describeValue('x'.repeat(100))).toMatch(/\.\.\.'\)$/);
    expect(describeValue(new Map())).toBe('an instance of Map');
    expect(describeValue(Object.create(null))).toBe('an object');
  });
});
