import { isStructError, structRangeErrorCodes, structTypeErrorCodes } from '@mmapkit/struct';
import { describe, expect, it } from 'vitest';
import { mismatchOf, structBadInputCases } from '../src/index.js';

describe('@mmapkit/struct bad inputs', () => {
  it.each(structBadInputCases.map((badInput) => [badInput.name, badInput] as const))('%s gives its documented error', (_name, badInput) => {
    expect(mismatchOf(badInput.call, badInput.expected)).toBeUndefined();
  });

  it('the table names each case once and covers every struct error code with its class', () => {
    expect(new Set(structBadInputCases.map((badInput) => badInput.name)).size).toBe(structBadInputCases.length);
    const covered = new Map(structBadInputCases.map((badInput) => [badInput.expected.code, badInput.expected.name]));
    for (const code of structTypeErrorCodes) expect([code, covered.get(code)]).toEqual([code, 'TypeError']);
    for (const code of structRangeErrorCodes) expect([code, covered.get(code)]).toEqual([code, 'RangeError']);
    expect(covered.size).toBe(structTypeErrorCodes.length + structRangeErrorCodes.length);
  });

  it('struct errors are recognised by their marker and carry a code, plain errors are not', () => {
    let thrown: unknown;
    try {
      structBadInputCases[0]?.call();
    } catch (error) {
      thrown = error;
    }
    expect(isStructError(thrown)).toBe(true);
    expect(thrown).toBeInstanceOf(TypeError);
    expect(isStructError(new TypeError('plain'))).toBe(false);
    expect(isStructError(null)).toBe(false);
  });
});
