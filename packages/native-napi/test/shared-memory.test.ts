/** memfd (anonymous shared memory handed to a child) and POSIX named shared memory. */
import { closeSync, fstatSync, ftruncateSync } from 'node:fs';
import { mapFile } from '@mmapkit/core';
import { describe, expect, it } from 'vitest';
import { backend } from '../src/index.js';
import { fixtureReport, runFixture } from './helpers.js';

describe('native-napi shared memory', () => {
  it('memfd memory is shared with a child process that receives the descriptor through stdio', async () => {
    const fd = backend.createAnonymousSharedMemory('mmapkit-test', 3 * 4096);
    try {
      expect(fstatSync(fd).size).toBe(3 * 4096);
      const mapping = mapFile(backend, { fd, protection: 'read-write' });
      mapping.view(0, 4).set([1, 2, 3, 4]);
      const run = await runFixture('memfd-child.mjs', [], { stdio: ['ignore', 'pipe', 'pipe', fd] });
      expect(fixtureReport(run)).toEqual({ seen: [1, 2, 3, 4], byteLength: 3 * 4096 });
      expect([...mapping.view(4096, 4)]).toEqual([9, 8, 7, 6]);
      const counters = mapping.view(8192, 8);
      expect(new Int32Array(counters.buffer, counters.byteOffset, 2)[0]).toBe(5);
      mapping.close();
    } finally {
      closeSync(fd);
    }
  }, 20_000);

  it('named shared memory outlives its descriptor and mapping until unlinked, and is created owner-only', () => {
    const name = `/mmapkit-test-${process.pid}`;
    const created = backend.openNamedSharedMemory(name, { create: true, exclusive: true, readWrite: true }, 0o600);
    try {
      expect(fstatSync(created).mode & 0o777).toBe(0o600);
      ftruncateSync(created, 4096);
      const writer = mapFile(backend, { fd: created, protection: 'read-write' });
      writer.bytes[7] = 77;
      writer.close();
    } finally {
      closeSync(created);
    }
    const again = backend.openNamedSharedMemory(name, { create: false, exclusive: false, readWrite: false }, 0);
    try {
      const reader = mapFile(backend, { fd: again });
      expect(reader.bytes[7]).toBe(77);
      reader.close();
    } finally {
      closeSync(again);
    }
    expect(() => backend.openNamedSharedMemory(name, { create: true, exclusive: true, readWrite: true }, 0o600)).toThrow(
      expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', errno: 'EEXIST', syscall: 'shm_open', path: name }),
    );
    backend.unlinkNamedSharedMemory(name);
    expect(() => backend.openNamedSharedMemory(name, { create: false, exclusive: false, readWrite: false }, 0)).toThrow(
      expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', errno: 'ENOENT', syscall: 'shm_open' }),
    );
    expect(() => backend.unlinkNamedSharedMemory(name)).toThrow(expect.objectContaining({ errno: 'ENOENT', syscall: 'shm_unlink' }));
  });

});
