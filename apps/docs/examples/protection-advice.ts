import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultBackend, map, pageSize } from 'mmapkit';

const path = join(mkdtempSync(join(tmpdir(), 'mmapkit-docs-')), 'table.bin');
writeFileSync(path, Buffer.alloc(16 * pageSize, 1));
const { capabilities } = defaultBackend().backend;

using table = map(path, { protection: 'read-write' });

// Tell the kernel how you will read: readahead grows for sequential scans.
if (capabilities.advice.includes('sequential')) table.advise('sequential');

// Seal the first page. On backends with `enforcedProtection` a store would fault; with the
// fault guard it is turned into ERR_MMAP_READONLY_WRITE instead of a crash.
if (capabilities.protections.includes('read')) {
  table.protect('read', { offset: 0, length: pageSize });
  assert.equal(table.view(0, 1)[0], 1); // reading is still fine
}
