import { readFileSync } from 'node:fs';
import type { Backend } from '@mmapkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badInputCases, openBadInputFixture, type OpenBadInputFixture } from './bad-input-cases.js';
import { mismatchOf } from './support.js';

export function describeBadInputs(backend: Backend): void {
  describe('bad inputs', () => {
    let opened: OpenBadInputFixture;
    beforeAll(() => {
      opened = openBadInputFixture(backend);
    });
    afterAll(() => opened.close());

    it(`the table has at least 40 cases (${badInputCases.length})`, () => {
      expect(badInputCases.length).toBeGreaterThanOrEqual(40);
    });

    it.each(badInputCases.map((badInput) => [badInput.name, badInput] as const))('%s gives its documented error and changes nothing', (_name, badInput) => {
      const { fixture, contents } = opened;
      expect(mismatchOf(() => badInput.call(fixture), badInput.expected)).toBeUndefined();
      expect(fixture.mapping.closed).toBe(false);
      expect(Buffer.from(fixture.mapping.bytes).equals(Buffer.from(contents))).toBe(true);
      expect(readFileSync(fixture.path).equals(Buffer.from(contents))).toBe(true);
    });
  });
}
