import assert from 'node:assert/strict';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultBackend, map, pageSize } from 'mmapkit';

// A 1 GiB sparse file: mapping it costs address space, not memory.
const path = join(mkdtempSync(join(tmpdir(), 'mmapkit-docs-')), 'sparse.bin');
writeFileSync(path, '');
truncateSync(path, 1 << 30);

using mapping = map(path);
assert.equal(mapping.byteLength, 1 << 30);

// Only the pages you touch are read in. Residency needs mincore (native-napi, ffi-koffi).
if (defaultBackend().backend.capabilities.residency) {
  const page = 1000;
  void mapping.bytes[page * pageSize]; // one page fault
  const { resident, pages } = mapping.residency({ offset: page * pageSize, length: pageSize });
  assert.equal(pages, 1);
  assert.equal(resident, 1);
}
