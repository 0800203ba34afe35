import { closeSync, fstatSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapAnonymous, mapFile } from '@mmapkit/core';
import { backend } from '../src/index.js';

const pageSize = backend.pageSize;

describe('anonymous mappings', () => {
  it('anonymous mappings are zero-filled memory that sync and refresh leave alone', () => {
    using mapping = mapAnonymous(backend, { length: 3 * pageSize + 1 });
    expect(mapping.bytes.every((byte) => byte === 0)).toBe(true);
    mapping.bytes.fill(7);
    mapping.sync();
    mapping.refresh();
    expect(mapping.bytes.every((byte) => byte === 7)).toBe(true);
  });

  it('views of one mapping share memory: a write through one is seen through every other', () => {
    using mapping = mapAnonymous(backend, { length: 2 * pageSize });
    const whole = mapping.bytes;
    const part = mapping.view(pageSize, 8);
    part[0] = 5;
    expect(whole[pageSize]).toBe(5);
    mapping.dataView().setUint8(pageSize + 1, 6);
    expect(part[1]).toBe(6);
  });

  it('unsafeAdvise("dontneed") zeroes private anonymous memory and keeps shared anonymous memory', () => {
    using privateMemory = mapAnonymous(backend, { length: pageSize });
    privateMemory.bytes.fill(1);
    privateMemory.unsafeAdvise('dontneed');
    expect(privateMemory.bytes.every((byte) => byte === 0)).toBe(true);

    using sharedMemory = mapAnonymous(backend, { length: pageSize, sharing: 'shared' });
    sharedMemory.bytes.fill(1);
    sharedMemory.unsafeAdvise('dontneed');
    expect(sharedMemory.bytes.every((byte) => byte === 1)).toBe(true);
  });

  it('residency counts anonymous pages once they are used', () => {
    using mapping = mapAnonymous(backend, { length: 4 * pageSize });
    expect(mapping.residency().resident).toBe(0);
    mapping.view(pageSize, 1)[0] = 1;
    expect([...mapping.residency().map]).toEqual([0, 1, 0, 0]);
  });

  it('a 6 GiB anonymous mapping is served as views past 4 GiB without committing memory', () => {
    using mapping = mapAnonymous(backend, { length: 6 * 2 ** 30 });
    const view = mapping.view(5 * 2 ** 30, 16);
    view[3] = 3;
    expect(mapping.view(5 * 2 ** 30 + 3, 1)[0]).toBe(3);
    // One view of 6 GiB exists only where the runtime allows views past 4 GiB (Node 22+).
    if (6 * 2 ** 30 > backend.capabilities.largestView) {
      expect(() => mapping.bytes).toThrow(expect.objectContaining({ code: 'ERR_MMAP_VIEW_TOO_LARGE' }));
    } else {
      expect(mapping.bytes[5 * 2 ** 30 + 3]).toBe(3);
    }
    expect(process.memoryUsage().rss).toBeLessThan(2 ** 30);
  });

  it('unsupported options and calls throw ERR_MMAP_UNSUPPORTED', () => {
    expect(() => mapAnonymous(backend, { length: pageSize, lock: true })).toThrow(expect.objectContaining({ code: 'ERR_MMAP_UNSUPPORTED' }));
    expect(() => mapAnonymous(backend, { length: pageSize, hugePages: true })).toThrow(expect.objectContaining({ code: 'ERR_MMAP_UNSUPPORTED' }));
    using mapping = mapAnonymous(backend, { length: pageSize, noReserve: true });
    expect(() => mapping.lock()).toThrow(expect.objectContaining({ code: 'ERR_MMAP_UNSUPPORTED' }));
    expect(() => mapping.advise('hugepage')).toThrow(expect.objectContaining({ code: 'ERR_MMAP_UNSUPPORTED' }));
    expect(() => mapping.sync({ invalidate: true })).toThrow(expect.objectContaining({ code: 'ERR_MMAP_UNSUPPORTED' }));
    expect(() => mapping.unsafeProtect('read-exec')).toThrow(expect.objectContaining({ code: 'ERR_MMAP_UNSUPPORTED' }));
  });
});

describe.runIf(backend.capabilities.namedSharedMemory)('shared memory in /dev/shm', () => {
  it('anonymous shared memory is a sized, nameless, read-write descriptor', () => {
    const fd = backend.createAnonymousSharedMemory('test/anonymous', 3 * pageSize);
    try {
      const stats = fstatSync(fd);
      expect(stats.size).toBe(3 * pageSize);
      expect(stats.nlink).toBe(0);
      using writer = mapFile(backend, { fd, protection: 'read-write' });
      using reader = mapFile(backend, { fd });
      const seen = reader.bytes;
      writer.bytes[5] = 5;
      writer.sync();
      expect(seen[5]).toBe(0);
      reader.refresh();
      expect(seen[5]).toBe(5);
    } finally {
      closeSync(fd);
    }
  });

  it('named shared memory is created, refused when exclusive and present, reopened, and unlinked', () => {
    const name = `/mmapkit-fallback-fs-test-${process.pid}`;
    const created = backend.openNamedSharedMemory(name, { create: true, exclusive: true, readWrite: true }, 0o600);
    try {
      expect(() => backend.openNamedSharedMemory(name, { create: true, exclusive: true, readWrite: true }, 0o600)).toThrow(
        expect.objectContaining({ code: 'ERR_MMAP_SYSTEM', errno: 'EEXIST', syscall: 'shm_open' }),
      );
      const reopened = backend.openNamedSharedMemory(name, { create: false, exclusive: false, readWrite: false }, 0);
      closeSync(reopened);
    } finally {
      closeSync(created);
      backend.unlinkNamedSharedMemory(name);
    }
    expect(() => backend.unlinkNamedSharedMemory(name)).toThrow(expect.objectContaining({ errno: 'ENOENT', syscall: 'shm_unlink' }));
    expect(() => backend.openNamedSharedMemory(name, { create: false, exclusive: false, readWrite: true }, 0)).toThrow(
      expect.objectContaining({ errno: 'ENOENT' }),
    );
  });
});

describe('capabilities', () => {
  it('capabilities state what the fs emulation cannot do', () => {
    expect(backend.capabilities).toMatchObject({
      zeroCopy: false,
      coherentVisibility: false,
      crossProcessAtomics: false,
      enforcedProtection: false,
      lock: false,
      detachOnClose: true,
      staleViews: 'detached',
      retainsFileDescriptor: true,
    });
    expect(() => backend.probe()).not.toThrow();
  });
});
