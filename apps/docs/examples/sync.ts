import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { map } from 'mmapkit';

const path = join(mkdtempSync(join(tmpdir(), 'mmapkit-docs-')), 'journal.bin');

// `create` makes the file, `grow` extends it to `length`; the mapping is shared and writable.
using journal = map(path, { create: true, grow: true, length: 4096, protection: 'read-write' });
journal.bytes.set(new TextEncoder().encode('committed'), 0);

// Visible to readers at once; durable (on disk, across a power cut) once sync() returns.
journal.sync();
await journal.syncAsync({ offset: 0, length: 4096 }); // the same, off the main thread

assert.equal(readFileSync(path).subarray(0, 9).toString(), 'committed');
