// The conformance suite's bad-input table (@mmapkit/conformance's badInputCases, imported
// from its built dist, not copied), run against ffi-koffi on Windows under node --test: every
// case must give the same error as on Linux and change nothing. The conformance dist imports
// vitest at its top; the Windows run stages a stub 'vitest' whose functions throw, since
// only the table and mismatchOf() are used here.
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mapFile } from '@mmapkit/core';
import { badInputCases, mismatchOf } from '@mmapkit/conformance';
import { backend } from '@mmapkit/ffi-koffi';
import { fileWith, seededBytes, temporaryFolder } from './support.mjs';

describe('ffi-koffi on Windows: the conformance bad-input table', () => {
  let folder;
  let fixture;
  const contents = seededBytes(backend.pageSize * 2 + 11, 11);

  before(() => {
    folder = temporaryFolder();
    const path = fileWith(folder.folder, 'data.bin', contents);
    const directory = join(folder.folder, 'directory');
    mkdirSync(directory);
    fixture = {
      backend,
      path,
      directory,
      missing: join(folder.folder, 'missing.bin'),
      fileLength: contents.length,
      closedFd: 1_000_000,
      readOnlyFd: openSync(path, 'r'),
      writeOnlyFd: openSync(path, 'a'),
      mapping: mapFile(backend, { path, protection: 'read-write' }),
    };
  });
  after(() => {
    fixture.mapping.close();
    closeSync(fixture.readOnlyFd);
    closeSync(fixture.writeOnlyFd);
    folder.remove();
  });

  it(`the table has at least 40 cases (${badInputCases.length})`, () => {
    assert.ok(badInputCases.length >= 40);
  });

  for (const badInput of badInputCases) {
    it(`${badInput.name} gives its documented error and changes nothing`, () => {
      assert.equal(mismatchOf(() => badInput.call(fixture), badInput.expected), undefined);
      assert.equal(fixture.mapping.closed, false);
      assert.ok(Buffer.from(fixture.mapping.bytes).equals(Buffer.from(contents)));
      assert.ok(readFileSync(fixture.path).equals(Buffer.from(contents)));
    });
  }
});
