import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SharedMemory } from 'mmapkit';

// Anonymous shared memory (memfd) handed to a child process as file descriptor 3.
using memory = SharedMemory.create(4096);
using mapping = memory.map();
const counter = new Int32Array(mapping.bytes.buffer, mapping.bytes.byteOffset, 1);

const child = `
  const { SharedMemory } = require('mmapkit');
  const shared = SharedMemory.fromFd(3).map();
  Atomics.add(new Int32Array(shared.bytes.buffer, shared.bytes.byteOffset, 1), 0, 41);
`;
const result = spawnSync(process.execPath, ['-e', child], { stdio: ['ignore', 'inherit', 'inherit', memory.fd] });
assert.equal(result.status, 0);

Atomics.add(counter, 0, 1);
assert.equal(Atomics.load(counter, 0), 42); // the child's store is in our memory
