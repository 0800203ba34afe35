import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { map } from 'mmapkit';

const path = join(mkdtempSync(join(tmpdir(), 'mmapkit-docs-')), 'data.bin');
writeFileSync(path, 'hello, mapped world');

{
  // `using` unmaps at the end of the block, even when it throws.
  using mapping = map(path, { protection: 'read-write' });
  assert.equal(mapping.byteLength, 19);
  mapping.bytes[0] = 'H'.charCodeAt(0); // a store into the page cache: no read(), no write()
}

assert.equal(readFileSync(path, 'utf8'), 'Hello, mapped world');
