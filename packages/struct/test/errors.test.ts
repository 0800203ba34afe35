import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  isStructError,
  StructRangeError,
  structRangeErrorCodes,
  StructTypeError,
  structTypeErrorCodes,
  struct,
  uint8,
} from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('struct errors', () => {
  it('the README describes every error code in one paragraph, and no code that does not exist', () => {
    const codes = [...structTypeErrorCodes, ...structRangeErrorCodes];
    for (const code of codes) expect([code, readme.split(`- **\`${code}\`**`).length - 1]).toEqual([code, 1]);
    const documented = [...readme.matchAll(/- \*\*`(ERR_STRUCT_[A-Z_]+)`\*\*/g)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...codes].sort());
  });

  it('a thrown error is a TypeError with its code, and is recognised by isStructError', () => {
    let thrown: unknown;
    try {
      struct('not valid', { x: uint8 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect(StructTypeError.isInstance(thrown)).toBe(true);
    expect(StructRangeError.isInstance(thrown)).toBe(false);
    expect(thrown).toMatchObject({ name: 'TypeError', code: 'ERR_STRUCT_INVALID_NAME' });
    expect((thrown as Error).message).toMatch(/name must be a C identifier .* got "not valid"/);
  });

  it('isStructError recognises errors of another copy of the package by their marker', () => {
    const foreign = Object.assign(new RangeError('from another copy'), { code: 'ERR_STRUCT_OUT_OF_BOUNDS' });
    expect(isStructError(foreign)).toBe(false);
    Object.defineProperty(foreign, Symbol.for('mmapkit.StructError'), { value: true });
    expect(isStructError(foreign)).toBe(true);
    expect(StructRangeError.isInstance(foreign)).toBe(true);
    expect(isStructError(new RangeError('plain'))).toBe(false);
    expect(isStructError('ERR_STRUCT_OUT_OF_BOUNDS')).toBe(false);
  });
});
