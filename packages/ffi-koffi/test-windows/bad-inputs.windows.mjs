// The conformance suite's bad-input table and fixture (@mmapkit/conformance/cases: the
// runner-free part of the suite, imported from its built dist, not copied), run against
// ffi-koffi on Windows under node --test: every case must give the same error as on Linux
// and change nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { badInputCases, mismatchOf, openBadInputFixture } from '@mmapkit/conformance/cases';
import { backend } from '@mmapkit/ffi-koffi';

describe('ffi-koffi on Windows: the conformance bad-input table', () => {
  let opened;

  before(() => {
    opened = openBadInputFixture(backend);
  });
  after(() => opened.close());

  it(`the table has at least 40 cases (${badInputCases.length})`, () => {
    assert.ok(badInputCases.length >= 40);
  });

  for (const badInput of badInputCases) {
    it(`${badInput.name} gives its documented error and changes nothing`, () => {
      const { fixture, contents } = opened;
      assert.equal(mismatchOf(() => badInput.call(fixture), badInput.expected), undefined);
      assert.equal(fixture.mapping.closed, false);
      assert.ok(Buffer.from(fixture.mapping.bytes).equals(Buffer.from(contents)));
      assert.ok(readFileSync(fixture.path).equals(Buffer.from(contents)));
    });
  }
});
