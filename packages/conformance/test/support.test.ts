import { MmapError, MmapRangeError, MmapTypeError } from '@mmapkit/core';
import { describe, expect, it } from 'vitest';
import { badInputCases, errorMismatch, mismatchOf, seededBytes, seededRandom } from '../src/index.js';

describe('conformance support', () => {
  it('the seeded generator gives the same sequence for the same seed and another for another seed', () => {
    const first = seededRandom(42);
    const second = seededRandom(42);
    const other = seededRandom(43);
    const sequence = Array.from({ length: 5 }, () => first());
    expect(Array.from({ length: 5 }, () => second())).toEqual(sequence);
    expect(Array.from({ length: 5 }, () => other())).not.toEqual(sequence);
    expect(sequence.every((value) => value >= 0 && value < 1)).toBe(true);
  });

  it('seeded bytes are deterministic and spread over all byte values', () => {
    const bytes = seededBytes(4096, 7);
    expect(seededBytes(4096, 7)).toEqual(bytes);
    expect(new Set(bytes).size).toBeGreaterThan(200);
  });

  it('errorMismatch accepts only the expected kind, code and errno', () => {
    const closed = new MmapError('ERR_MMAP_CLOSED', 'closed');
    expect(errorMismatch(closed, { name: 'MmapError', code: 'ERR_MMAP_CLOSED' })).toBeUndefined();
    expect(errorMismatch(closed, { name: 'MmapError', code: 'ERR_MMAP_UNSUPPORTED' })).toMatch(/code ERR_MMAP_CLOSED/);
    expect(errorMismatch(new MmapTypeError('x', 'a number', 'y'), { name: 'RangeError', code: 'ERR_INVALID_ARG_TYPE' })).toMatch(/threw TypeError/);
    expect(errorMismatch(new MmapRangeError('x', '>= 0', -1), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' })).toBeUndefined();
    const system = new MmapError('ERR_MMAP_SYSTEM', 'no', { errno: 'ENOENT', syscall: 'open' });
    expect(errorMismatch(system, { name: 'MmapError', code: 'ERR_MMAP_SYSTEM', errno: 'EACCES' })).toMatch(/errno ENOENT/);
    expect(errorMismatch(new TypeError('plain'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })).toMatch(/threw TypeError/);
    expect(mismatchOf(() => 1, { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })).toBe('did not throw');
  });

  it('the bad-input table has at least 40 distinct cases', () => {
    expect(badInputCases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(badInputCases.map((badInput) => badInput.name)).size).toBe(badInputCases.length);
  });
});
