import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arena } from '@mmapkit/arena';

const path = join(mkdtempSync(join(tmpdir(), 'mmapkit-docs-')), 'heap.bin');

{
  using arena = Arena.create({ path, size: 64 * 1024 * 1024 });
  const offset = arena.alloc(1024);
  arena.bytes(offset).fill(7);
  arena.setRoot(offset); // a later open finds the block again
}

using arena = Arena.open({ path });
const block = arena.bytes(arena.root());
assert.equal(block[1023], 7);
arena.free(arena.root());
