import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultBackend, map } from 'mmapkit';

const path = join(mkdtempSync(join(tmpdir(), 'mmapkit-docs-')), 'shared-vs-private.bin');
writeFileSync(path, 'aaaa');

// 'shared': stores reach the file (and every other process mapping it).
{
  using shared = map(path, { protection: 'read-write', sharing: 'shared' });
  shared.bytes[0] = 0x62; // 'b'
}
assert.equal(readFileSync(path, 'utf8'), 'baaa');

// 'private': copy-on-write; stores stay in this mapping, the file never changes.
if (defaultBackend().backend.capabilities.privateMappings) {
  using copy = map(path, { protection: 'read-write', sharing: 'private' });
  copy.bytes[1] = 0x63; // 'c'
  assert.equal(copy.bytes[1], 0x63);
  assert.equal(readFileSync(path, 'utf8'), 'baaa');
}
